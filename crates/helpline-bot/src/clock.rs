//! The time Helpline acts on: the system clock, which tests move forward to reach a deadline
//! hours away (auto-close, a close request's expiry) without waiting for it.

use helpline_domain::Timestamp;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

/// The system clock plus an offset that only grows; clones share it.
#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    offset_ms: AtomicI64,
    /// Counts moves, so a waiter never misses one made while it was busy.
    moves: watch::Sender<u64>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            inner: Arc::new(Inner {
                offset_ms: AtomicI64::new(0),
                moves: watch::channel(0).0,
            }),
        }
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Now, as Helpline sees it.
    pub fn now(&self) -> Timestamp {
        let millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp::from_millis(millis.saturating_add(self.inner.offset_ms.load(Ordering::Acquire)))
    }

    /// Moves the clock forward by `by` and wakes what waits on time (the timer scheduler).
    pub fn advance(&self, by: Duration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.inner.offset_ms.fetch_add(millis, Ordering::AcqRel);
        self.inner.moves.send_modify(|moves| *moves += 1);
    }

    /// Sees every later move of the clock (`changed()` resolves once per move or more).
    pub(crate) fn moves(&self) -> watch::Receiver<u64> {
        self.inner.moves.subscribe()
    }
}
