//! Time as a value. The domain never reads a clock: callers pass `now` in.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Self = Self(0);

    /// A timestamp from milliseconds since the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// A timestamp from whole seconds since the Unix epoch.
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs.saturating_mul(1000))
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub const fn as_secs(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant plus `duration`, saturating at the end of representable time.
    pub fn plus(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self(self.0.saturating_add(millis))
    }

    /// How long after `earlier` this instant is; zero when it is not later.
    pub fn since(self, earlier: Self) -> Duration {
        let millis = self.0.saturating_sub(earlier.0).max(0);
        Duration::from_millis(millis.unsigned_abs())
    }

    /// The UTC calendar date `(year, month 1–12, day 1–31)` of this instant.
    pub fn civil_date(self) -> (i32, u32, u32) {
        civil_from_days(self.0.div_euclid(86_400_000))
    }

    /// The timestamp a Discord snowflake carries (milliseconds since 2015-01-01).
    pub const fn of_snowflake(snowflake: u64) -> Self {
        const DISCORD_EPOCH_MILLIS: i64 = 1_420_070_400_000;
        Self(((snowflake >> 22) as i64) + DISCORD_EPOCH_MILLIS)
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic Gregorian date.
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year as i32, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(Timestamp::EPOCH.civil_date(), (1970, 1, 1));
        // 2000-02-29T12:00:00Z, a leap day in a century leap year.
        assert_eq!(
            Timestamp::from_secs(951_825_600).civil_date(),
            (2000, 2, 29)
        );
        // 2026-11-21T23:59:59Z.
        assert_eq!(
            Timestamp::from_secs(1_795_305_599).civil_date(),
            (2026, 11, 21)
        );
        // 1969-12-31T23:59:59Z, before the epoch.
        assert_eq!(Timestamp::from_secs(-1).civil_date(), (1969, 12, 31));
    }

    #[test]
    fn since_is_never_negative() {
        let a = Timestamp::from_secs(10);
        let b = Timestamp::from_secs(25);
        assert_eq!(b.since(a), Duration::from_secs(15));
        assert_eq!(a.since(b), Duration::ZERO);
        assert_eq!(a.plus(Duration::from_secs(15)), b);
    }

    #[test]
    fn snowflake_time_is_discord_epoch_based() {
        // Discord's documented example snowflake 175928847299117063 was made 2016-04-30T11:18:25.796Z.
        assert_eq!(
            Timestamp::of_snowflake(175_928_847_299_117_063).as_millis(),
            1_462_015_105_796
        );
    }
}
