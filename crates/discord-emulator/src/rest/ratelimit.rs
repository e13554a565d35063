//! Discord's REST rate limits: a global limit per bot token, buckets per route and top-level
//! resource, and the invalid-request ban per client IP.
//!
//! Every bucketed response carries `X-RateLimit-Limit`, `-Remaining`, `-Reset`, `-Reset-After`,
//! `-Bucket` and `-Scope` (`user` or `shared`; twilight-http 0.18 only learns bucket state when
//! `Scope` is present), except interaction callbacks, which Discord answers without them. A request over a limit is refused before it runs with 429, a
//! `Retry-After` header in whole seconds and `{"message", "retry_after", "global", "code"}`;
//! a global 429 also carries `X-RateLimit-Global: true` and `X-RateLimit-Scope: global`.
//! 401, 403 and 429s other than `shared` count as invalid requests of the client's IP; past
//! the threshold within the sliding window, the IP is refused (403, Cloudflare-style HTML)
//! until a whole window has passed.

use std::{
    collections::{HashMap, VecDeque},
    hash::{DefaultHasher, Hash, Hasher},
    net::IpAddr,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tokio::time::Instant;

use crate::{config::RateLimitConfig, discord_error::ErrorCode};

/// A fixed window that opens with its first request.
#[derive(Debug, Default)]
struct Window {
    start: Option<Instant>,
    used: u32,
}

impl Window {
    /// Opens a new window if the current one is over (less `tolerance`).
    fn roll(&mut self, now: Instant, length: Duration, tolerance: Duration) {
        let over = self.start.is_none_or(|start| {
            now.saturating_duration_since(start) + tolerance.min(length / 2) >= length
        });
        if over {
            self.start = Some(now);
            self.used = 0;
        }
    }

    fn reset_after(&self, now: Instant, length: Duration) -> Duration {
        self.start.map_or(length, |start| {
            length.saturating_sub(now.saturating_duration_since(start))
        })
    }
}

/// The scope of a limit, as in `X-RateLimit-Scope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    User,
    Shared,
    Global,
}

impl Scope {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Shared => "shared",
            Self::Global => "global",
        }
    }
}

/// What one request consumed of its bucket, for the response headers.
#[derive(Debug)]
pub(crate) struct Taken {
    bucket: String,
    limit: u32,
    remaining: u32,
    reset_after: Duration,
    scope: Scope,
}

/// A refusal with 429.
#[derive(Debug)]
pub(crate) struct Limited {
    pub(crate) scope: Scope,
    retry_after: Duration,
    /// The bucket's headers, for a per-route limit.
    taken: Option<Taken>,
}

/// Rate-limit state of one emulator.
#[derive(Debug)]
pub(crate) struct Buckets {
    config: RateLimitConfig,
    global: Window,
    buckets: HashMap<String, Window>,
    invalid: HashMap<IpAddr, VecDeque<Instant>>,
    banned_until: HashMap<IpAddr, Instant>,
}

impl Buckets {
    pub(crate) fn new(config: RateLimitConfig) -> Self {
        Self {
            config,
            global: Window::default(),
            buckets: HashMap::new(),
            invalid: HashMap::new(),
            banned_until: HashMap::new(),
        }
    }

    /// Counts one request against the global limit of the bot token.
    pub(crate) fn take_global(&mut self, now: Instant) -> Result<(), Limited> {
        let length = self.config.global_window;
        self.global.roll(now, length, self.config.clock_tolerance);
        if self.config.enforced && self.global.used >= self.config.global_limit.max(1) {
            return Err(Limited {
                scope: Scope::Global,
                retry_after: self.global.reset_after(now, length),
                taken: None,
            });
        }
        self.global.used = self.global.used.saturating_add(1);
        Ok(())
    }

    /// Counts one request of `method route` on `major` (the channel, guild or webhook);
    /// `route` is the matched path without `/api/v10`.
    pub(crate) fn take(
        &mut self,
        method: &str,
        route: &str,
        major: &str,
        now: Instant,
    ) -> Result<Taken, Limited> {
        let (limit, window, shared) = self
            .config
            .routes
            .iter()
            .find(|limit| limit.route == route && (limit.method == "*" || limit.method == method))
            .map_or((self.config.limit, self.config.window, false), |limit| {
                (limit.limit, limit.window, limit.shared)
            });
        let limit = limit.max(1);
        let tolerance = self.config.clock_tolerance;
        if self.buckets.len() > 10_000 {
            self.buckets.retain(|_, bucket| {
                bucket
                    .start
                    .is_some_and(|start| now.saturating_duration_since(start) < window)
            });
        }
        let route_key = format!("{method} {route}");
        let bucket = self
            .buckets
            .entry(format!("{route_key} {major}"))
            .or_default();
        bucket.roll(now, window, tolerance);
        let mut hasher = DefaultHasher::new();
        route_key.hash(&mut hasher);
        let scope = if shared { Scope::Shared } else { Scope::User };
        let over = bucket.used >= limit;
        if !over {
            bucket.used += 1;
        }
        let taken = Taken {
            bucket: format!("{:016x}", hasher.finish()),
            limit,
            remaining: limit.saturating_sub(bucket.used),
            reset_after: bucket.reset_after(now, window),
            scope,
        };
        if over && self.config.enforced {
            return Err(Limited {
                scope,
                retry_after: taken.reset_after,
                taken: Some(taken),
            });
        }
        Ok(taken)
    }

    /// Whether the IP is refused for too many invalid requests.
    pub(crate) fn is_banned(&mut self, ip: IpAddr, now: Instant) -> bool {
        match self.banned_until.get(&ip) {
            Some(until) if *until > now => true,
            Some(_) => {
                self.banned_until.remove(&ip);
                false
            }
            None => false,
        }
    }

    /// Counts an invalid request (401, 403, non-shared 429) of an IP; returns whether the IP
    /// is now refused.
    pub(crate) fn count_invalid(&mut self, ip: IpAddr, now: Instant) -> bool {
        let window = self.config.invalid_request_window;
        let requests = self.invalid.entry(ip).or_default();
        requests.push_back(now);
        while requests
            .front()
            .is_some_and(|at| now.saturating_duration_since(*at) >= window)
        {
            requests.pop_front();
        }
        if requests.len() >= self.config.invalid_request_limit.max(1) as usize {
            requests.clear();
            self.banned_until.insert(ip, now + window);
            return true;
        }
        false
    }
}

/// Seconds as Discord writes them in headers and bodies: three decimals.
fn seconds(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1000.0).ceil() / 1000.0
}

impl Taken {
    /// Adds Discord's rate-limit headers.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        let reset_after = seconds(self.reset_after);
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
            ("x-ratelimit-scope", self.scope.as_str().to_owned()),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
    }
}

impl IntoResponse for Limited {
    fn into_response(self) -> Response {
        let retry_after = seconds(self.retry_after).max(0.001);
        let global = self.scope == Scope::Global;
        let body = serde_json::json!({
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": global,
            "code": 0,
        });
        let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(taken) = &self.taken {
            taken.apply(headers);
        }
        let whole_seconds = retry_after.ceil().max(1.0);
        if let Ok(value) = HeaderValue::from_str(&format!("{whole_seconds:.0}")) {
            headers.insert(header::RETRY_AFTER, value);
        }
        if global {
            headers.insert("x-ratelimit-global", HeaderValue::from_static("true"));
            headers.insert("x-ratelimit-scope", HeaderValue::from_static("global"));
        }
        response.extensions_mut().insert(ErrorCode(0));
        response
    }
}

/// The answer to a refused IP: Cloudflare's HTML page, not JSON.
pub(crate) fn banned_response() -> Response {
    let body = "<!DOCTYPE html><html><head><title>Access denied | discord.com used \
        Cloudflare to restrict access</title></head><body><h1>Error 1015</h1><p>You are being \
        rate limited.</p><p>The owner of this website (discord.com) has banned you \
        temporarily from accessing this website.</p><p>error code: 1015</p></body></html>";
    let mut response = (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        body,
    )
        .into_response();
    response.extensions_mut().insert(ErrorCode(1015));
    response
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
    use crate::config::RouteLimit;

    fn config() -> RateLimitConfig {
        RateLimitConfig {
            limit: 2,
            window: Duration::from_secs(60),
            global_limit: 3,
            global_window: Duration::from_secs(60),
            routes: vec![RouteLimit::shared(
                "*",
                "/channels/{channel_id}/pins",
                1,
                Duration::from_secs(60),
            )],
            invalid_request_limit: 3,
            ..RateLimitConfig::default()
        }
    }

    #[test]
    fn buckets_count_down_per_major_parameter_then_refuse() {
        let mut buckets = Buckets::new(config());
        let now = Instant::now();
        let route = "/channels/{channel_id}/messages";
        assert_eq!(
            buckets
                .take("POST", route, "channels/1", now)
                .unwrap()
                .remaining,
            1
        );
        let taken = buckets.take("POST", route, "channels/1", now).unwrap();
        assert_eq!(taken.remaining, 0);
        assert_eq!(
            buckets
                .take("POST", route, "channels/2", now)
                .unwrap()
                .remaining,
            1
        );
        let limited = buckets.take("POST", route, "channels/1", now).unwrap_err();
        assert_eq!(limited.scope, Scope::User);
        let response = limited.into_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["x-ratelimit-scope"], "user");
        assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
        assert_eq!(response.headers()["retry-after"], "60");
        let later = now + Duration::from_secs(60);
        assert!(buckets.take("POST", route, "channels/1", later).is_ok());
    }

    #[test]
    fn shared_routes_and_the_global_limit() {
        let mut buckets = Buckets::new(config());
        let now = Instant::now();
        let pins = "/channels/{channel_id}/pins";
        buckets.take("GET", pins, "channels/1", now).unwrap();
        let limited = buckets.take("GET", pins, "channels/1", now).unwrap_err();
        assert_eq!(limited.scope, Scope::Shared);
        for _ in 0..3 {
            buckets.take_global(now).unwrap();
        }
        let limited = buckets.take_global(now).unwrap_err();
        let response = limited.into_response();
        assert_eq!(response.headers()["x-ratelimit-global"], "true");
        assert_eq!(response.headers()["x-ratelimit-scope"], "global");
    }

    #[test]
    fn an_ip_with_too_many_invalid_requests_is_refused_for_a_window() {
        let mut buckets = Buckets::new(config());
        let ip = IpAddr::from([127, 0, 0, 1]);
        let now = Instant::now();
        assert!(!buckets.count_invalid(ip, now));
        assert!(!buckets.count_invalid(ip, now));
        assert!(buckets.count_invalid(ip, now));
        assert!(buckets.is_banned(ip, now + Duration::from_secs(1)));
        assert!(!buckets.is_banned(ip, now + Duration::from_secs(601)));
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
