//! The emulator's own counters, rendered as Prometheus text on `/metrics` (and
//! `/_emulator/metrics`). Names are `discord_emulator_<name>`; labels stay low-cardinality
//! except `ip` (few clients talk to an emulator) and `route` (Discord's route templates).

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    net::IpAddr,
    sync::{Mutex, PoisonError},
};

/// Counters of one emulator.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    inner: Mutex<Counters>,
}

#[derive(Debug, Default)]
struct Counters {
    rest_requests: BTreeMap<(String, u16), u64>,
    rate_limited: BTreeMap<&'static str, u64>,
    invalid_requests: BTreeMap<IpAddr, u64>,
    banned_requests: BTreeMap<IpAddr, u64>,
    injected_errors: u64,
    slow_answers: u64,
    identifies: BTreeMap<u32, u64>,
    identify_concurrency_refusals: BTreeMap<u32, u64>,
    session_budget_refusals: u64,
    resumes: u64,
    resume_refusals: u64,
    gateway_closes: BTreeMap<u16, u64>,
    gateway_drops: u64,
}

/// Figures the hub owns, read at render time.
#[derive(Debug, Default)]
pub(crate) struct HubFigures {
    pub(crate) sessions_per_shard: BTreeMap<(u32, u32), (u64, u64)>,
    pub(crate) dispatched: u64,
    pub(crate) duplicate_shard_sessions: u64,
    pub(crate) session_starts_remaining: u32,
}

impl Metrics {
    fn with(&self, change: impl FnOnce(&mut Counters)) {
        change(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner));
    }

    pub(crate) fn rest_request(&self, route: String, status: u16) {
        self.with(|counters| *counters.rest_requests.entry((route, status)).or_default() += 1);
    }

    pub(crate) fn rate_limited(&self, scope: &'static str) {
        self.with(|counters| *counters.rate_limited.entry(scope).or_default() += 1);
    }

    pub(crate) fn invalid_request(&self, ip: IpAddr) {
        self.with(|counters| *counters.invalid_requests.entry(ip).or_default() += 1);
    }

    pub(crate) fn banned_request(&self, ip: IpAddr) {
        self.with(|counters| *counters.banned_requests.entry(ip).or_default() += 1);
    }

    pub(crate) fn injected_error(&self) {
        self.with(|counters| counters.injected_errors += 1);
    }

    pub(crate) fn slow_answer(&self) {
        self.with(|counters| counters.slow_answers += 1);
    }

    pub(crate) fn identify(&self, bucket: u32) {
        self.with(|counters| *counters.identifies.entry(bucket).or_default() += 1);
    }

    pub(crate) fn identify_refused(&self, bucket: u32) {
        self.with(|counters| {
            *counters
                .identify_concurrency_refusals
                .entry(bucket)
                .or_default() += 1;
        });
    }

    pub(crate) fn session_budget_refused(&self) {
        self.with(|counters| counters.session_budget_refusals += 1);
    }

    pub(crate) fn resume(&self, accepted: bool) {
        self.with(|counters| {
            if accepted {
                counters.resumes += 1;
            } else {
                counters.resume_refusals += 1;
            }
        });
    }

    pub(crate) fn gateway_close(&self, code: u16) {
        self.with(|counters| *counters.gateway_closes.entry(code).or_default() += 1);
    }

    pub(crate) fn gateway_drop(&self) {
        self.with(|counters| counters.gateway_drops += 1);
    }

    /// 429s answered in a scope (`user`, `shared`, `global`).
    pub(crate) fn rate_limited_count(&self, scope: &str) -> u64 {
        let counters = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        counters
            .rate_limited
            .get(scope)
            .copied()
            .unwrap_or_default()
    }

    /// Identifies refused with op 9 for breaking `max_concurrency`.
    pub(crate) fn identify_refusals(&self) -> u64 {
        let counters = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        counters.identify_concurrency_refusals.values().sum()
    }

    /// Accepted resumes.
    pub(crate) fn resumes(&self) -> u64 {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .resumes
    }

    pub(crate) fn render(&self, hub: &HubFigures) -> String {
        let counters = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, u64)>| {
            let _ = writeln!(out, "# HELP discord_emulator_{name} {help}");
            let _ = writeln!(out, "# TYPE discord_emulator_{name} {kind}");
            for (labels, value) in samples {
                if labels.is_empty() {
                    let _ = writeln!(out, "discord_emulator_{name} {value}");
                } else {
                    let _ = writeln!(out, "discord_emulator_{name}{{{labels}}} {value}");
                }
            }
        };
        family(
            "rest_requests_total",
            "counter",
            "REST requests answered, by route and status.",
            counters
                .rest_requests
                .iter()
                .map(|((route, status), value)| {
                    (
                        format!("route=\"{}\",status=\"{status}\"", escape(route)),
                        *value,
                    )
                })
                .collect(),
        );
        family(
            "rate_limited_total",
            "counter",
            "REST requests answered 429, by X-RateLimit-Scope.",
            ["user", "shared", "global"]
                .iter()
                .map(|scope| {
                    (
                        format!("scope=\"{scope}\""),
                        counters
                            .rate_limited
                            .get(scope)
                            .copied()
                            .unwrap_or_default(),
                    )
                })
                .collect(),
        );
        family(
            "invalid_requests_total",
            "counter",
            "Invalid REST requests (401, 403, non-shared 429), by client IP.",
            counters
                .invalid_requests
                .iter()
                .map(|(ip, value)| (format!("ip=\"{ip}\""), *value))
                .collect(),
        );
        family(
            "banned_requests_total",
            "counter",
            "REST requests refused because their IP made too many invalid requests.",
            counters
                .banned_requests
                .iter()
                .map(|(ip, value)| (format!("ip=\"{ip}\""), *value))
                .collect(),
        );
        family(
            "injected_errors_total",
            "counter",
            "REST requests answered with an injected 5xx.",
            vec![(String::new(), counters.injected_errors)],
        );
        family(
            "slow_answers_total",
            "counter",
            "REST answers held back by the slow-answer fault.",
            vec![(String::new(), counters.slow_answers)],
        );
        family(
            "identifies_total",
            "counter",
            "Identifies accepted, by identify bucket (shard_id % max_concurrency).",
            counters
                .identifies
                .iter()
                .map(|(bucket, value)| (format!("bucket=\"{bucket}\""), *value))
                .collect(),
        );
        family(
            "identify_concurrency_refusals_total",
            "counter",
            "Identifies answered op 9 for breaking max_concurrency, by identify bucket.",
            counters
                .identify_concurrency_refusals
                .iter()
                .map(|(bucket, value)| (format!("bucket=\"{bucket}\""), *value))
                .collect(),
        );
        family(
            "session_budget_refusals_total",
            "counter",
            "Identifies refused because session_start_limit was spent.",
            vec![(String::new(), counters.session_budget_refusals)],
        );
        family(
            "session_starts_remaining",
            "gauge",
            "session_start_limit.remaining.",
            vec![(String::new(), u64::from(hub.session_starts_remaining))],
        );
        family(
            "resumes_total",
            "counter",
            "Resumes accepted.",
            vec![(String::new(), counters.resumes)],
        );
        family(
            "resume_refusals_total",
            "counter",
            "Resumes answered op 9 false (unknown or expired session).",
            vec![(String::new(), counters.resume_refusals)],
        );
        family(
            "sessions",
            "gauge",
            "Gateway sessions by shard, connected or resumable.",
            hub.sessions_per_shard
                .iter()
                .flat_map(|((id, count), (connected, detached))| {
                    [
                        (
                            format!("shard=\"{id}/{count}\",state=\"connected\""),
                            *connected,
                        ),
                        (
                            format!("shard=\"{id}/{count}\",state=\"resumable\""),
                            *detached,
                        ),
                    ]
                })
                .collect(),
        );
        family(
            "duplicate_shard_sessions_total",
            "counter",
            "Identifies of a shard that already had a connected session (a shard running twice).",
            vec![(String::new(), hub.duplicate_shard_sessions)],
        );
        family(
            "events_dispatched_total",
            "counter",
            "Dispatch events pushed to sessions.",
            vec![(String::new(), hub.dispatched)],
        );
        family(
            "gateway_closes_total",
            "counter",
            "Gateway connections the emulator closed, by close code.",
            counters
                .gateway_closes
                .iter()
                .map(|(code, value)| (format!("code=\"{code}\""), *value))
                .collect(),
        );
        family(
            "gateway_drops_total",
            "counter",
            "Gateway connections dropped without a close frame (fault injection).",
            vec![(String::new(), counters.gateway_drops)],
        );
        out
    }
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"")
}
