//! Snowflake ids with the creation time inside, always increasing, and timestamps.

use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    time::{SystemTime, UNIX_EPOCH},
};

use twilight_model::util::Timestamp;

/// Milliseconds between the Unix epoch and Discord's epoch (2015-01-01).
pub(crate) const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Generates snowflakes the way Discord does: `ms since 2015 << 22 | worker | process | increment`.
#[derive(Debug)]
pub(crate) struct Snowflakes {
    last: u64,
    /// The last id dated in the past ([`Snowflakes::past_range`]).
    past: u64,
}

/// How far back [`Snowflakes::past_range`] dates its ids.
const PAST_MS: u64 = 24 * 3600 * 1000;

impl Default for Snowflakes {
    fn default() -> Self {
        // Past ids count up from a day before the generator was made: every id `next` gives
        // is dated after that, and a day holds 4 million ids per millisecond.
        let past = unix_ms().saturating_sub(DISCORD_EPOCH_MS + PAST_MS) << 22;
        Self { last: 0, past }
    }
}

impl Snowflakes {
    /// `count` new ids dated a day before this generator was made, greater than the past ids
    /// before them and smaller than every id [`next`](Self::next) gives: for worlds built at
    /// once, whose servers, like those a bot serves, were there long before it. The first is
    /// returned; the others follow it one by one.
    pub(crate) fn past_range(&mut self, count: u64) -> u64 {
        let first = self.past + 1;
        self.past += count;
        first
    }

    /// `count` new ids dated like [`past_range`](Self::past_range)'s, one per millisecond: the
    /// first is returned, the `k`-th is `first + (k << 22)`. Discord puts a guild on shard
    /// `(id >> 22) % shards`, so guilds with these ids spread evenly over any number of shards,
    /// where ids of one millisecond would all fall on one. The ids after them start at the next
    /// millisecond (a day holds 86 million).
    pub(crate) fn past_spread(&mut self, count: u64) -> u64 {
        let next_ms = ((self.past >> 22) + 1) << 22;
        self.past = next_ms + (count << 22);
        next_ms
    }

    /// A new id, greater than every id generated before.
    pub(crate) fn next(&mut self) -> u64 {
        let elapsed = unix_ms().saturating_sub(DISCORD_EPOCH_MS);
        // Worker 1, process 1: the low bits are only an increment within a millisecond.
        let candidate = (elapsed << 22) | (1 << 17) | (1 << 12);
        let id = candidate.max(self.last + 1);
        self.last = id;
        id
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

/// The current time as a Discord timestamp.
pub(crate) fn now_timestamp() -> Timestamp {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX)
        });
    Timestamp::from_micros(micros)
        .unwrap_or_else(|_| Timestamp::from_secs(0).expect("the Unix epoch is a valid timestamp"))
}

/// The creation time encoded in a snowflake.
#[cfg(test)]
fn snowflake_timestamp(id: u64) -> Timestamp {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    let micros = i64::try_from(ms.saturating_mul(1000)).unwrap_or(i64::MAX);
    Timestamp::from_micros(micros).unwrap_or_else(|_| now_timestamp())
}

/// A random hexadecimal string of 32 characters, for session ids and interaction tokens.
pub(crate) fn random_hex() -> String {
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(unix_ms());
        out.push_str(&format!("{:016x}", hasher.finish()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snowflakes_increase_and_carry_the_time() {
        let mut snowflakes = Snowflakes::default();
        let first = snowflakes.next();
        let second = snowflakes.next();
        assert!(second > first);
        let created = snowflake_timestamp(first).as_secs();
        let now = now_timestamp().as_secs();
        assert!((now - created).abs() < 5);
    }

    #[test]
    fn past_ids_are_a_day_old_and_below_every_new_one() {
        let mut snowflakes = Snowflakes::default();
        let past: Vec<u64> = (0..10_000).map(|_| snowflakes.past_range(1)).collect();
        let range = snowflakes.past_range(3);
        assert_eq!(range, past[9_999] + 1);
        assert_eq!(snowflakes.past_range(0), range + 3);
        assert_eq!(
            snowflakes.past_range(1),
            range + 3,
            "an empty range takes no id"
        );
        let spread = snowflakes.past_spread(16);
        assert!(spread > range + 3);
        let shards: Vec<u64> = (0..16).map(|k| ((spread + (k << 22)) >> 22) % 16).collect();
        let mut sorted = shards.clone();
        sorted.sort_unstable();
        assert_eq!(
            sorted,
            (0..16).collect::<Vec<_>>(),
            "one guild per shard: {shards:?}"
        );
        assert!(snowflakes.past_range(1) > spread + (15 << 22));
        let new = snowflakes.next();
        assert!(past.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(past.iter().all(|id| *id < new));
        let age = now_timestamp().as_micros() - snowflake_timestamp(past[9_999]).as_micros();
        assert!((86_399_000_000..=86_401_000_000).contains(&age), "{age}");
    }

    #[test]
    fn random_hex_differs() {
        assert_ne!(random_hex(), random_hex());
        assert_eq!(random_hex().len(), 32);
    }
}
