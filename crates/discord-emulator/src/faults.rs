//! Faults injected at runtime for load and chaos tests: latency, errors, slow answers and
//! dropped gateway connections, each by chance from a small lock-free random generator.

use std::{
    collections::hash_map::RandomState,
    hash::BuildHasher,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use crate::config::{Faults, Latency};

/// The current faults and the randomness that decides them.
#[derive(Debug)]
pub(crate) struct FaultState {
    faults: Mutex<Faults>,
    state: AtomicU64,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            faults: Mutex::new(faults),
            state: AtomicU64::new(RandomState::new().hash_one(0_u64) | 1),
        }
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
    fn chances_follow_rates() {
        let state = FaultState::new(Faults::default());
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
