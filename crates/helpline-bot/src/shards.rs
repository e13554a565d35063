//! What each shard this process runs is doing, for readiness probes and the
//! `helpline_bot_shards{state}` gauge: connecting, then identifying (connected, waiting for its
//! identify slot or READY) or resuming (replaying what it missed), ready from READY or RESUMED
//! until the connection closes. Events set it as they come; the shard's watchdog tick reads
//! twilight's own state between them (a connection lost without a close frame).

use std::collections::BTreeMap;
use std::sync::Mutex;

/// A running shard's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShardState {
    /// No session on a connection: connecting, or disconnected and reconnecting.
    Connecting,
    /// Connected, waiting for its identify slot or for READY.
    Identifying,
    /// Resumed, replaying the events it missed.
    Resuming,
    Ready,
}

impl ShardState {
    pub(crate) const ALL: [Self; 4] = [
        Self::Connecting,
        Self::Identifying,
        Self::Resuming,
        Self::Ready,
    ];

    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Identifying => "identifying",
            Self::Resuming => "resuming",
            Self::Ready => "ready",
        }
    }

    /// The state twilight's shard reports.
    pub(crate) fn of(state: twilight_gateway::ShardState) -> Self {
        use twilight_gateway::ShardState as Twilight;
        match state {
            Twilight::Active => Self::Ready,
            Twilight::Identifying => Self::Identifying,
            Twilight::Resuming => Self::Resuming,
            Twilight::Disconnected { .. } | Twilight::FatallyClosed => Self::Connecting,
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
        match states.insert(shard, state) {
            Some(previous) if previous == state => {}
            previous => {
                publish(&states);
                // A shard starting here has its guild count from the start (the reconciler's
                // passes fill it in).
                if previous.is_none() {
                    ::metrics::gauge!(crate::metrics::GUILDS, "shard" => shard.to_string())
                        .set(0.0);
                }
            }
        }
    }

    /// Forgets a shard that stopped running here.
    pub(crate) fn remove(&self, shard: u32) {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        if states.remove(&shard).is_some() {
            publish(&states);
            ::metrics::gauge!(crate::metrics::GUILDS, "shard" => shard.to_string()).set(0.0);
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

/// The cache's sizes, and the guilds of each shard this process runs (from the cache: a
/// guild's shard is `(id >> 22) % shard_count`); a shard that stops running here reports 0
/// (see [`ShardStates::remove`]), the process running it now its count.
pub(crate) fn publish_cache(bot: &crate::Bot) {
    let cache = &bot.inner.cache;
    let stats = cache.stats();
    #[allow(clippy::cast_precision_loss)]
    for (resource, count) in [
        ("guilds", stats.guilds),
        ("channels", stats.channels),
        ("roles", stats.roles),
        ("names", stats.names),
        ("fetched_guilds", cache.fetched_len()),
    ] {
        ::metrics::gauge!(crate::metrics::CACHE_ENTRIES, "resource" => resource).set(count as f64);
    }
    let running: Vec<u32> = {
        let states = bot
            .inner
            .shard_states
            .states
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        states.keys().copied().collect()
    };
    let mut per_shard: BTreeMap<u32, usize> = running.iter().map(|shard| (*shard, 0)).collect();
    for guild in cache.guild_ids() {
        let shard = bot.inner.leases.shard_of(guild);
        if let Some(count) = per_shard.get_mut(&shard) {
            *count += 1;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    for (shard, count) in per_shard {
        ::metrics::gauge!(crate::metrics::GUILDS, "shard" => shard.to_string()).set(count as f64);
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
