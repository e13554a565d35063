//! The shared rate-limit state: the global budget of each bot (a sliding second), the state of
//! every route bucket as Discord's headers describe it, global blocks after a global 429, the
//! invalid requests of the egress over a sliding ten minutes, and revoked tokens.
//!
//! [`RedisLimits`] shares it between proxy replicas (each step one Lua script, on Redis's
//! clock); [`MemoryLimits`] is the twin for a single replica. Both follow one algorithm:
//!
//! - A bucket nobody has heard of admits one request (a probe) and holds the others until its
//!   answer says what the bucket is; a probe answered without headers frees the next one.
//! - A known bucket admits `remaining` requests until `reset_at`; after it, one probe again:
//!   requests admitted just before the reset may land in Discord's next window, and only an
//!   answer says how much of it is left. Answers can come out of order, so within a window the
//!   lower `remaining` wins.
//! - A request held behind a probe looks again every [`PROBE_POLL`], not at the probe's
//!   expiry: the answer usually comes within a round trip.
//! - The global budget admits at most `limit` requests in any second, whatever the alignment
//!   of Discord's own windows.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// What a limit says of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    Go,
    /// Try again after this long.
    Wait(Duration),
}

/// What Discord's `X-RateLimit-*` headers said of a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Learned {
    /// `X-RateLimit-Bucket`.
    pub bucket: String,
    pub limit: u32,
    pub remaining: u32,
    pub reset_after: Duration,
}

/// A limits backend failure.
#[derive(Debug, thiserror::Error)]
#[error("rate-limit state unavailable: {0}")]
pub struct LimitsError(pub String);

/// The state, shared or not.
#[async_trait::async_trait]
pub trait Limits: Send + Sync + std::fmt::Debug + 'static {
    /// Takes a slot of `bot`'s global budget of `limit` per second.
    async fn take_global(&self, bot: &str, limit: u32) -> Result<Permit, LimitsError>;
    /// Takes a slot of the bucket of `route` on `major`.
    async fn take_bucket(&self, bot: &str, route: &str, major: &str)
    -> Result<Permit, LimitsError>;
    /// Records what an answer said of the bucket (`None`: it carried no bucket headers).
    async fn learn(
        &self,
        bot: &str,
        route: &str,
        major: &str,
        learned: Option<&Learned>,
    ) -> Result<(), LimitsError>;
    /// A global 429: nothing of `bot`'s is sent for `retry_after`.
    async fn block_global(&self, bot: &str, retry_after: Duration) -> Result<(), LimitsError>;
    /// Counts an invalid request (401, 403, non-shared 429) of `egress`; the count over the
    /// last ten minutes.
    async fn count_invalid(&self, egress: &str) -> Result<u64, LimitsError>;
    /// The count over the last ten minutes.
    async fn invalid(&self, egress: &str) -> Result<u64, LimitsError>;
    /// Counts a 403 on `route` (for the breaker); the count over the last ten minutes.
    async fn count_forbidden(&self, bot: &str, route: &str) -> Result<u64, LimitsError>;
    /// Discord answered 401: the token is revoked, for `for_how_long`.
    async fn revoke(&self, bot: &str, for_how_long: Duration) -> Result<(), LimitsError>;
    async fn revoked(&self, bot: &str) -> Result<bool, LimitsError>;
}

/// A first request waits this long for its answer before the next one may probe.
pub(crate) const PROBE: Duration = Duration::from_secs(2);
/// How often a request held behind a probe looks again.
pub(crate) const PROBE_POLL: Duration = Duration::from_millis(20);
/// The invalid-request window.
pub(crate) const INVALID_WINDOW: Duration = Duration::from_secs(600);
/// The global window.
const SECOND: Duration = Duration::from_secs(1);
/// Answers whose reset is this much later than the stored one are of a new window.
const NEW_WINDOW: Duration = Duration::from_millis(100);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// One probe admitted, its answer awaited.
    New,
    Known,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    kind: Kind,
    remaining: u32,
    reset_at: Instant,
}

/// One replica's state.
#[derive(Debug, Default)]
pub struct MemoryLimits {
    state: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    global: HashMap<String, VecDeque<Instant>>,
    blocked: HashMap<String, Instant>,
    routes: HashMap<String, String>,
    buckets: HashMap<String, Bucket>,
    invalid: HashMap<String, VecDeque<Instant>>,
    forbidden: HashMap<String, VecDeque<Instant>>,
    revoked: HashMap<String, Instant>,
}

impl MemoryLimits {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Memory, Instant) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut state, Instant::now())
    }
}

fn bucket_key(memory: &Memory, bot: &str, route: &str, major: &str) -> String {
    let bucket = memory
        .routes
        .get(&format!("{bot} {route}"))
        .map_or(route, String::as_str);
    format!("{bot} {bucket} {major}")
}

fn count_in_window(log: &mut VecDeque<Instant>, now: Instant, window: Duration) -> u64 {
    while log
        .front()
        .is_some_and(|at| now.duration_since(*at) >= window)
    {
        log.pop_front();
    }
    log.len() as u64
}

#[async_trait::async_trait]
impl Limits for MemoryLimits {
    async fn take_global(&self, bot: &str, limit: u32) -> Result<Permit, LimitsError> {
        Ok(self.with(|memory, now| {
            if let Some(until) = memory.blocked.get(bot)
                && *until > now
            {
                return Permit::Wait(*until - now);
            }
            let log = memory.global.entry(bot.to_owned()).or_default();
            count_in_window(log, now, SECOND);
            if log.len() < limit as usize {
                log.push_back(now);
                return Permit::Go;
            }
            let oldest = log.front().copied().unwrap_or(now);
            Permit::Wait(
                (oldest + SECOND)
                    .saturating_duration_since(now)
                    .max(Duration::from_millis(1)),
            )
        }))
    }

    async fn take_bucket(
        &self,
        bot: &str,
        route: &str,
        major: &str,
    ) -> Result<Permit, LimitsError> {
        Ok(self.with(|memory, now| {
            let key = bucket_key(memory, bot, route, major);
            let probe = Bucket {
                kind: Kind::New,
                remaining: 0,
                reset_at: now + PROBE,
            };
            let Some(bucket) = memory.buckets.get_mut(&key) else {
                memory.buckets.insert(key, probe);
                return Permit::Go;
            };
            if now >= bucket.reset_at {
                *bucket = probe;
                return Permit::Go;
            }
            if bucket.remaining > 0 {
                bucket.remaining -= 1;
                return Permit::Go;
            }
            if bucket.kind == Kind::New {
                return Permit::Wait(PROBE_POLL.min(bucket.reset_at - now));
            }
            Permit::Wait(bucket.reset_at - now)
        }))
    }

    async fn learn(
        &self,
        bot: &str,
        route: &str,
        major: &str,
        learned: Option<&Learned>,
    ) -> Result<(), LimitsError> {
        self.with(|memory, now| {
            let Some(learned) = learned else {
                let key = bucket_key(memory, bot, route, major);
                if memory
                    .buckets
                    .get(&key)
                    .is_some_and(|b| b.kind == Kind::New)
                {
                    memory.buckets.remove(&key);
                }
                return;
            };
            memory
                .routes
                .insert(format!("{bot} {route}"), learned.bucket.clone());
            let key = format!("{bot} {} {major}", learned.bucket);
            let reset_at = now + learned.reset_after;
            let next = match memory.buckets.get(&key) {
                None
                | Some(Bucket {
                    kind: Kind::New, ..
                }) => Bucket {
                    kind: Kind::Known,
                    remaining: learned.remaining,
                    reset_at,
                },
                Some(old) if old.kind == Kind::Known && reset_at > old.reset_at + NEW_WINDOW => {
                    Bucket {
                        kind: Kind::Known,
                        remaining: learned.remaining,
                        reset_at,
                    }
                }
                Some(old) => Bucket {
                    kind: Kind::Known,
                    remaining: old.remaining.min(learned.remaining),
                    reset_at: old.reset_at,
                },
            };
            memory.buckets.insert(key, next);
        });
        Ok(())
    }

    async fn block_global(&self, bot: &str, retry_after: Duration) -> Result<(), LimitsError> {
        self.with(|memory, now| memory.blocked.insert(bot.to_owned(), now + retry_after));
        Ok(())
    }

    async fn count_invalid(&self, egress: &str) -> Result<u64, LimitsError> {
        Ok(self.with(|memory, now| {
            let log = memory.invalid.entry(egress.to_owned()).or_default();
            log.push_back(now);
            count_in_window(log, now, INVALID_WINDOW)
        }))
    }

    async fn invalid(&self, egress: &str) -> Result<u64, LimitsError> {
        Ok(self.with(|memory, now| {
            memory
                .invalid
                .get_mut(egress)
                .map_or(0, |log| count_in_window(log, now, INVALID_WINDOW))
        }))
    }

    async fn count_forbidden(&self, bot: &str, route: &str) -> Result<u64, LimitsError> {
        Ok(self.with(|memory, now| {
            let log = memory
                .forbidden
                .entry(format!("{bot} {route}"))
                .or_default();
            log.push_back(now);
            count_in_window(log, now, INVALID_WINDOW)
        }))
    }

    async fn revoke(&self, bot: &str, for_how_long: Duration) -> Result<(), LimitsError> {
        self.with(|memory, now| memory.revoked.insert(bot.to_owned(), now + for_how_long));
        Ok(())
    }

    async fn revoked(&self, bot: &str) -> Result<bool, LimitsError> {
        Ok(self.with(|memory, now| memory.revoked.get(bot).is_some_and(|until| *until > now)))
    }
}
