//! Rate-limit headers: a fixed bucket per route and top-level resource, counted honestly.
//!
//! Every bucketed response carries `X-RateLimit-Limit`, `-Remaining`, `-Reset`, `-Reset-After`,
//! `-Bucket` and `-Scope: user` (twilight-http 0.18 only learns bucket state when `Scope` is
//! present). Nothing is enforced yet: issue 4 adds 429s, the global limit and shared scopes,
//! on top of the `Buckets::take` seam.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::http::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use crate::config::RateLimitConfig;

#[derive(Debug)]
struct Bucket {
    window_start: Instant,
    used: u32,
}

/// What one request consumed of its bucket.
#[derive(Debug)]
pub(crate) struct Taken {
    bucket: String,
    limit: u32,
    remaining: u32,
    reset_after: Duration,
}

/// Buckets keyed by route and top-level resource.
#[derive(Debug)]
pub(crate) struct Buckets {
    config: RateLimitConfig,
    buckets: HashMap<String, Bucket>,
}

impl Buckets {
    pub(crate) fn new(config: RateLimitConfig) -> Self {
        Self {
            config,
            buckets: HashMap::new(),
        }
    }

    /// Counts one request of `method route` on `major` (the channel, guild or webhook).
    pub(crate) fn take(&mut self, method: &str, route: &str, major: &str) -> Taken {
        let now = Instant::now();
        let window = self.config.window;
        let limit = self.config.limit.max(1);
        if self.buckets.len() > 10_000 {
            self.buckets
                .retain(|_, bucket| now.duration_since(bucket.window_start) < window);
        }
        let route_key = format!("{method} {route}");
        let bucket = self
            .buckets
            .entry(format!("{route_key} {major}"))
            .or_insert(Bucket {
                window_start: now,
                used: 0,
            });
        if now.duration_since(bucket.window_start) >= window {
            bucket.window_start = now;
            bucket.used = 0;
        }
        bucket.used = bucket.used.saturating_add(1);
        let mut hasher = DefaultHasher::new();
        route_key.hash(&mut hasher);
        Taken {
            bucket: format!("{:016x}", hasher.finish()),
            limit,
            remaining: limit.saturating_sub(bucket.used),
            reset_after: window.saturating_sub(now.duration_since(bucket.window_start)),
        }
    }
}

impl Taken {
    /// Adds Discord's rate-limit headers.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        let reset_after = self.reset_after.as_secs_f64();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        let pairs = [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", format!("{:.3}", now + reset_after)),
            ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
            ("x-ratelimit-bucket", self.bucket.clone()),
            ("x-ratelimit-scope", "user".to_owned()),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
}

/// The top-level resource of a path: `channels/{id}`, `guilds/{id}` or `webhooks/{id}/{token}`.
pub(crate) fn major_parameter(path: &str) -> String {
    let mut segments = path.trim_start_matches('/').split('/');
    // Skip `api` and `v10`.
    let segments: Vec<&str> = segments.by_ref().skip(2).collect();
    match segments.as_slice() {
        ["channels" | "guilds", id, ..] => format!("{}/{id}", segments[0]),
        ["webhooks", id, token, ..] => format!("webhooks/{id}/{token}"),
        ["interactions", id, token, ..] => format!("interactions/{id}/{token}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_count_down_per_major_parameter() {
        let mut buckets = Buckets::new(RateLimitConfig {
            limit: 2,
            window: Duration::from_secs(60),
        });
        let route = "/api/v10/channels/{channel_id}/messages";
        assert_eq!(buckets.take("POST", route, "channels/1").remaining, 1);
        assert_eq!(buckets.take("POST", route, "channels/1").remaining, 0);
        assert_eq!(buckets.take("POST", route, "channels/2").remaining, 1);
        let mut headers = HeaderMap::new();
        buckets
            .take("POST", route, "channels/2")
            .apply(&mut headers);
        assert_eq!(headers["x-ratelimit-scope"], "user");
        assert_eq!(headers["x-ratelimit-remaining"], "0");
    }

    #[test]
    fn major_parameters() {
        assert_eq!(
            major_parameter("/api/v10/channels/5/messages"),
            "channels/5"
        );
        assert_eq!(
            major_parameter("/api/v10/webhooks/1/abc/messages/@original"),
            "webhooks/1/abc"
        );
        assert_eq!(major_parameter("/api/v10/users/@me"), "");
    }
}
