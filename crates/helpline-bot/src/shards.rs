//! What each shard this process runs is doing, for readiness probes and the
//! `helpline_bot_shards{state}` gauge: connecting (identifying or resuming) until READY or
//! RESUMED, then ready until the connection closes.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// A running shard's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShardState {
    Connecting,
    Ready,
}

impl ShardState {
    const ALL: [Self; 2] = [Self::Connecting, Self::Ready];

    const fn name(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Ready => "ready",
        }
    }
}

/// The states of the shards this process runs.
#[derive(Debug, Default)]
pub(crate) struct ShardStates {
    states: Mutex<BTreeMap<u32, ShardState>>,
}

impl ShardStates {
    /// Records a shard's state (a shard starting is connecting).
    pub(crate) fn set(&self, shard: u32, state: ShardState) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        if states.insert(shard, state) != Some(state) {
            publish(&states);
        }
    }

    /// Forgets a shard that stopped running here.
    pub(crate) fn remove(&self, shard: u32) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        if states.remove(&shard).is_some() {
            publish(&states);
        }
    }

    /// `Ok` when this process runs at least one shard and every one is ready; else why not.
    pub(crate) fn ready(&self) -> Result<usize, String> {
        let states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        if states.is_empty() {
            return Err("no shard runs in this process yet".to_owned());
        }
        let waiting: Vec<String> = states
            .iter()
            .filter(|(_, state)| **state != ShardState::Ready)
            .map(|(shard, _)| shard.to_string())
            .collect();
        if waiting.is_empty() {
            Ok(states.len())
        } else {
            Err(format!("shards {} are not connected", waiting.join(", ")))
        }
    }
}

/// Every state's count, zeros included, so an alert sees 0 rather than no series.
fn publish(states: &BTreeMap<u32, ShardState>) {
    for state in ShardState::ALL {
        let count = states.values().filter(|s| **s == state).count();
        #[allow(clippy::cast_precision_loss)]
        ::metrics::gauge!(crate::metrics::SHARDS, "state" => state.name()).set(count as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_once_every_running_shard_is() {
        let states = ShardStates::default();
        assert!(states.ready().is_err(), "nothing runs yet");
        states.set(0, ShardState::Connecting);
        states.set(3, ShardState::Ready);
        assert_eq!(states.ready(), Err("shards 0 are not connected".to_owned()));
        states.set(0, ShardState::Ready);
        assert_eq!(states.ready(), Ok(2));
        states.set(3, ShardState::Connecting);
        assert!(states.ready().is_err(), "a reconnecting shard is not ready");
        states.remove(3);
        assert_eq!(states.ready(), Ok(1));
    }
}
