//! Faults injected at runtime for load and chaos tests: latency, errors, slow answers and
//! dropped gateway connections, each by chance from a small lock-free random generator; and
//! fault rules, which hit exactly the requests a test names, a counted number of times.

use std::{
    collections::hash_map::RandomState,
    fmt,
    hash::BuildHasher,
    str::FromStr,
    sync::{
        Mutex, MutexGuard, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde::{Deserialize, Serialize};

use crate::config::{Faults, Latency};

/// What a [`FaultRule`] does to a request it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// The request is answered with `status` (e.g. 500, 502, 503) without running, like the
    /// errors of [`Faults::error_rate`]: nothing changes on the emulated Discord.
    Fail {
        /// HTTP status of the answer (500 if it is not a valid status).
        status: u16,
    },
    /// The request runs (the channel is created, the message posted, the events dispatched)
    /// and the client is then answered with `status` instead of the real answer: Discord did
    /// the work but the answer was lost.
    FailAfterRunning {
        /// HTTP status of the answer (500 if it is not a valid status).
        status: u16,
    },
    /// The request runs, then its real answer is held for `delay_ms` milliseconds, so a client
    /// with a shorter timeout gives up on a request that did succeed on Discord's side.
    HoldAfterRunning {
        /// How long the answer is held, in milliseconds.
        delay_ms: u64,
    },
}

impl FaultAction {
    /// Whether the request runs before the fault is applied.
    pub fn runs_the_request(self) -> bool {
        !matches!(self, Self::Fail { .. })
    }
}

fn one() -> u32 {
    1
}

/// A fault aimed at the requests a test names, a given number of times.
///
/// A rule matches a REST request by method and route; each request it hits consumes one of
/// `times`, and a rule with none left does nothing. [`FaultAction::Fail`] hits matching
/// requests before they run (after the invalid-request ban, before the token and rate-limit
/// checks, like the rate-based errors). The two actions that run the request hit only requests
/// that ran and succeeded (a 2xx answer), so Discord did the work: a request refused with 401,
/// 429 or a route error does not consume them. When several rules match a request, the oldest
/// one with hits left applies, and only that one.
///
/// In JSON (`POST /_emulator/faults/rules`): `{"method": "POST", "route":
/// "/channels/{channel_id}/messages", "times": 1, "action": {"type": "fail_after_running",
/// "status": 502}}`; `method` may be left out (every method) and `times` defaults to 1. As
/// text (the CLI's `--fault-rule`, [`FromStr`]): `POST /channels/{channel_id}/messages=
/// fail-after-running:502x1`, see [`FaultRule::from_str`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// `GET`, `POST`…, compared without regard to case; `None` matches every method.
    #[serde(default)]
    pub method: Option<String>,
    /// The route template under `/api/v10` as the emulator matched it (the form used by
    /// [`Faults::rest_latency`] and [`crate::RouteLimit`], e.g.
    /// `/channels/{channel_id}/messages`), a concrete path (`/channels/123/messages`, without
    /// the query), or `*` for every route. A leading `/api/v10` is ignored.
    pub route: String,
    /// How many matching requests the rule hits.
    #[serde(default = "one")]
    pub times: u32,
    /// What happens to a request it hits.
    pub action: FaultAction,
}

impl FaultRule {
    /// A rule hitting one request of `method` (`"*"` for every method) on `route`.
    pub fn new(method: &str, route: &str, action: FaultAction) -> Self {
        Self {
            method: (method != "*").then(|| method.to_ascii_uppercase()),
            route: route.to_owned(),
            times: 1,
            action,
        }
    }

    /// Answers matching requests with `status` without running them.
    pub fn fail(method: &str, route: &str, status: u16) -> Self {
        Self::new(method, route, FaultAction::Fail { status })
    }

    /// Runs matching requests, then answers them with `status`.
    pub fn fail_after_running(method: &str, route: &str, status: u16) -> Self {
        Self::new(method, route, FaultAction::FailAfterRunning { status })
    }

    /// Runs matching requests, then holds their answer for `delay`.
    pub fn hold_after_running(method: &str, route: &str, delay: Duration) -> Self {
        let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        Self::new(method, route, FaultAction::HoldAfterRunning { delay_ms })
    }

    /// Sets how many matching requests the rule hits (1 by default).
    #[must_use]
    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    fn matches(&self, method: &str, route: &str, path: &str) -> bool {
        let wanted = self.route.strip_prefix("/api/v10").unwrap_or(&self.route);
        self.method
            .as_deref()
            .is_none_or(|wanted| wanted == "*" || wanted.eq_ignore_ascii_case(method))
            && (wanted == "*" || wanted == route || wanted == path)
    }
}

/// Why a `--fault-rule` text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRuleParseError(String);

impl fmt::Display for FaultRuleParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?}: expected [METHOD] /route=ACTION:VALUE[xTIMES], ACTION one of fail:STATUS, \
             fail-after-running:STATUS, hold-after-running:MS",
            self.0
        )
    }
}

impl std::error::Error for FaultRuleParseError {}

impl FromStr for FaultRule {
    type Err = FaultRuleParseError;

    /// Reads `[METHOD] /route=ACTION:VALUE[xTIMES]`: `METHOD` is left out or `*` for every
    /// method, `ACTION:VALUE` is `fail:STATUS`, `fail-after-running:STATUS` or
    /// `hold-after-running:MS`, and `TIMES` defaults to 1. For example
    /// `POST /guilds/{guild_id}/channels=fail-after-running:502x2`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || FaultRuleParseError(text.to_owned());
        let (target, effect) = text.rsplit_once('=').ok_or_else(error)?;
        let target = target.trim();
        let (method, route) = match target.split_once(' ') {
            Some((method, route)) => (method.trim(), route.trim()),
            None => ("*", target),
        };
        if route.is_empty() {
            return Err(error());
        }
        let (effect, times) = match effect.trim().rsplit_once('x') {
            Some((effect, times)) => (effect, times.parse().map_err(|_| error())?),
            None => (effect.trim(), 1),
        };
        let (action, value) = effect.split_once(':').ok_or_else(error)?;
        let action = match action.trim() {
            "fail" => FaultAction::Fail {
                status: value.trim().parse().map_err(|_| error())?,
            },
            "fail-after-running" => FaultAction::FailAfterRunning {
                status: value.trim().parse().map_err(|_| error())?,
            },
            "hold-after-running" => FaultAction::HoldAfterRunning {
                delay_ms: value.trim().parse().map_err(|_| error())?,
            },
            _ => return Err(error()),
        };
        Ok(Self::new(method, route, action).times(times))
    }
}

/// The id of a fault rule, given by [`crate::Emulator::add_fault_rule`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FaultRuleId(pub u64);

impl fmt::Display for FaultRuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A fault rule as it stands: how many hits it has left and how many times it fired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FaultRuleStatus {
    /// The rule's id.
    pub id: FaultRuleId,
    /// The rule as it was added (`times` is what it was given).
    #[serde(flatten)]
    pub rule: FaultRule,
    /// Hits left.
    pub remaining: u32,
    /// Requests the rule hit so far.
    pub fired: u32,
}

#[derive(Debug, Default)]
struct Rules {
    next_id: u64,
    entries: Vec<FaultRuleStatus>,
}

/// The current faults and the randomness that decides them.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Mutex<Faults>,
    rules: Mutex<Rules>,
    state: AtomicU64,
}

impl FaultState {
    pub(crate) fn new(faults: Faults, rules: &[FaultRule]) -> Self {
        let state = Self {
            faults: Mutex::new(faults),
            rules: Mutex::new(Rules::default()),
            state: AtomicU64::new(RandomState::new().hash_one(0_u64) | 1),
        };
        for rule in rules {
            state.add_rule(rule.clone());
        }
        state
    }

    fn rules(&self) -> MutexGuard<'_, Rules> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn add_rule(&self, rule: FaultRule) -> FaultRuleId {
        let mut rules = self.rules();
        rules.next_id += 1;
        let id = FaultRuleId(rules.next_id);
        let remaining = rule.times;
        rules.entries.push(FaultRuleStatus {
            id,
            rule,
            remaining,
            fired: 0,
        });
        id
    }

    pub(crate) fn clear_rules(&self) {
        self.rules().entries.clear();
    }

    pub(crate) fn rule_statuses(&self) -> Vec<FaultRuleStatus> {
        self.rules().entries.clone()
    }

    pub(crate) fn rule_fired(&self, id: FaultRuleId) -> u32 {
        self.rules()
            .entries
            .iter()
            .find(|entry| entry.id == id)
            .map_or(0, |entry| entry.fired)
    }

    /// Consumes one hit of the oldest rule with hits left that matches the request and whose
    /// action runs the request (`after_running`) or not, and returns its action.
    pub(crate) fn take_rule(
        &self,
        method: &str,
        route: &str,
        path: &str,
        after_running: bool,
    ) -> Option<FaultAction> {
        let mut rules = self.rules();
        let entry = rules.entries.iter_mut().find(|entry| {
            entry.remaining > 0
                && entry.rule.action.runs_the_request() == after_running
                && entry.rule.matches(method, route, path)
        })?;
        entry.remaining -= 1;
        entry.fired += 1;
        Some(entry.rule.action)
    }

    pub(crate) fn get(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(PoisonError::into_inner) = faults;
    }

    /// A uniform number in `[0, 1)` (splitmix64).
    fn uniform(&self) -> f64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        #[allow(clippy::cast_precision_loss)]
        let fraction = (z >> 11) as f64 / (1_u64 << 53) as f64;
        fraction
    }

    /// True with probability `rate`.
    pub(crate) fn chance(&self, rate: f64) -> bool {
        rate > 0.0 && self.uniform() < rate
    }

    pub(crate) fn delay(&self, latency: Latency) -> Duration {
        if latency.fixed_ms == 0 && latency.jitter_ms == 0 {
            return Duration::ZERO;
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let jitter = (self.uniform() * latency.jitter_ms as f64) as u64;
        Duration::from_millis(latency.fixed_ms + jitter)
    }

    /// What a REST request suffers: added latency, an injected error status, a slow answer.
    pub(crate) fn for_request(&self, method: &str, route: &str) -> RequestFaults {
        let faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let latency = faults
            .rest_latency
            .get(&format!("{method} {route}"))
            .or_else(|| faults.rest_latency.get(route))
            .or_else(|| faults.rest_latency.get("*"))
            .copied()
            .unwrap_or_default();
        let (error_rate, error_status, slow_rate, slow_delay_ms) = (
            faults.error_rate,
            faults.error_status,
            faults.slow_rate,
            faults.slow_delay_ms,
        );
        drop(faults);
        RequestFaults {
            latency: self.delay(latency),
            error: self.chance(error_rate).then_some(if error_status == 0 {
                500
            } else {
                error_status
            }),
            slow: self
                .chance(slow_rate)
                .then(|| Duration::from_millis(slow_delay_ms)),
        }
    }

    /// Latency before a gateway send, and whether to drop the connection after it.
    pub(crate) fn for_gateway_send(&self) -> (Duration, bool) {
        let (latency, drop_rate) = {
            let faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
            (faults.gateway_latency, faults.gateway_drop_rate)
        };
        (self.delay(latency), self.chance(drop_rate))
    }
}

/// Faults drawn for one REST request.
#[derive(Debug)]
pub(crate) struct RequestFaults {
    pub(crate) latency: Duration,
    pub(crate) error: Option<u16>,
    pub(crate) slow: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_rules_read_from_text() {
        let rule: FaultRule = "POST /channels/{channel_id}/messages=fail-after-running:502x2"
            .parse()
            .unwrap();
        assert_eq!(
            rule,
            FaultRule::fail_after_running("POST", "/channels/{channel_id}/messages", 502).times(2)
        );
        let rule: FaultRule = "*=hold-after-running:1500".parse().unwrap();
        assert_eq!(rule.method, None);
        assert_eq!(rule.times, 1);
        assert_eq!(
            rule.action,
            FaultAction::HoldAfterRunning { delay_ms: 1500 }
        );
        let rule: FaultRule = "get /users/@me=fail:503".parse().unwrap();
        assert_eq!(rule.method.as_deref(), Some("GET"));
        assert!("POST /x=explode:1".parse::<FaultRule>().is_err());
        assert!("POST /x".parse::<FaultRule>().is_err());
        assert!("POST /x=fail:abc".parse::<FaultRule>().is_err());
    }

    #[test]
    fn fault_rules_are_counted_and_spent() {
        let state = FaultState::new(Faults::default(), &[]);
        let route = "/channels/{channel_id}/messages";
        let failing = state.add_rule(FaultRule::fail("POST", route, 503).times(2));
        let holding = state.add_rule(FaultRule::hold_after_running(
            "*",
            "*",
            Duration::from_millis(5),
        ));
        let path = "/channels/1/messages";
        assert_eq!(
            state.take_rule("GET", route, path, false),
            None,
            "other method"
        );
        for _ in 0..2 {
            assert_eq!(
                state.take_rule("post", route, path, false),
                Some(FaultAction::Fail { status: 503 })
            );
        }
        assert_eq!(state.take_rule("POST", route, path, false), None, "spent");
        assert_eq!(
            state.take_rule("GET", "/users/@me", "/users/@me", true),
            Some(FaultAction::HoldAfterRunning { delay_ms: 5 })
        );
        assert_eq!(
            state.take_rule("GET", "/users/@me", "/users/@me", true),
            None
        );
        assert_eq!(state.rule_fired(failing), 2);
        assert_eq!(state.rule_fired(holding), 1);
        let by_path = state.add_rule(FaultRule::fail("*", "/api/v10/channels/1/messages", 500));
        assert!(
            state
                .take_rule("POST", route, "/channels/2/messages", false)
                .is_none()
        );
        assert!(state.take_rule("POST", route, path, false).is_some());
        assert_eq!(state.rule_statuses()[2].id, by_path);
        assert_eq!(state.rule_statuses()[2].remaining, 0);
        state.clear_rules();
        assert!(state.rule_statuses().is_empty());
        assert_eq!(state.rule_fired(failing), 0);
    }

    #[test]
    fn chances_follow_rates() {
        let state = FaultState::new(Faults::default(), &[]);
        assert!(!state.chance(0.0));
        assert!(state.chance(1.0));
        let hits = (0..10_000).filter(|_| state.chance(0.25)).count();
        assert!((2000..3000).contains(&hits), "{hits}");
        let latency = Latency {
            fixed_ms: 10,
            jitter_ms: 5,
        };
        for _ in 0..100 {
            let delay = state.delay(latency);
            assert!(delay >= Duration::from_millis(10) && delay < Duration::from_millis(15));
        }
    }
}
