//! The single-node twin: the same contract in one process's memory, on tokio's clock (so tests
//! can pause it).

use crate::{Budget, Coordinator, Grant, Result, SavedSession, Spend};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// Coordination for one process.
#[derive(Debug, Default)]
pub struct MemoryCoordinator {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    leases: HashMap<u32, (String, u64, Instant)>,
    tokens: HashMap<u32, u64>,
    members: HashMap<String, Instant>,
    sessions: HashMap<u32, SavedSession>,
    identify: HashMap<u32, Instant>,
    budget: Option<(u32, Instant)>,
}

impl MemoryCoordinator {
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State, Instant) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        state.leases.retain(|_, (_, _, until)| *until > now);
        state.members.retain(|_, until| *until > now);
        if state.budget.is_some_and(|(_, until)| until <= now) {
            state.budget = None;
        }
        f(&mut state, now)
    }
}

#[async_trait::async_trait]
impl Coordinator for MemoryCoordinator {
    async fn acquire(&self, shard: u32, holder: &str, ttl: Duration) -> Result<Option<Grant>> {
        Ok(self.with(|state, now| {
            if state
                .leases
                .get(&shard)
                .is_some_and(|(held_by, ..)| held_by != holder)
            {
                return None;
            }
            let token = state.tokens.entry(shard).or_default();
            *token += 1;
            let token = *token;
            state
                .leases
                .insert(shard, (holder.to_owned(), token, now + ttl));
            Some(Grant { shard, token })
        }))
    }

    async fn renew(&self, grant: Grant, holder: &str, ttl: Duration) -> Result<bool> {
        Ok(
            self.with(|state, now| match state.leases.get_mut(&grant.shard) {
                Some((held_by, token, until)) if held_by == holder && *token == grant.token => {
                    *until = now + ttl;
                    true
                }
                _ => false,
            }),
        )
    }

    async fn release(&self, grant: Grant, holder: &str) -> Result<bool> {
        Ok(self.with(|state, _| match state.leases.get(&grant.shard) {
            Some((held_by, token, _)) if held_by == holder && *token == grant.token => {
                state.leases.remove(&grant.shard);
                true
            }
            _ => false,
        }))
    }

    async fn holders(&self, shard_count: u32) -> Result<Vec<Option<String>>> {
        Ok(self.with(|state, _| {
            (0..shard_count)
                .map(|shard| state.leases.get(&shard).map(|(holder, ..)| holder.clone()))
                .collect()
        }))
    }

    async fn current_token(&self, shard: u32) -> Result<u64> {
        Ok(self.with(|state, _| state.tokens.get(&shard).copied().unwrap_or(0)))
    }

    async fn raise_token(&self, shard: u32, floor: u64) -> Result<()> {
        self.with(|state, _| {
            let token = state.tokens.entry(shard).or_default();
            *token = (*token).max(floor);
        });
        Ok(())
    }

    async fn heartbeat(&self, member: &str, ttl: Duration) -> Result<()> {
        self.with(|state, now| state.members.insert(member.to_owned(), now + ttl));
        Ok(())
    }

    async fn leave(&self, member: &str) -> Result<()> {
        self.with(|state, _| state.members.remove(member));
        Ok(())
    }

    async fn members(&self) -> Result<Vec<String>> {
        Ok(self.with(|state, _| {
            let mut members: Vec<String> = state.members.keys().cloned().collect();
            members.sort();
            members
        }))
    }

    async fn save_session(&self, grant: Grant, session: &SavedSession) -> Result<bool> {
        Ok(self.with(|state, _| {
            if state.tokens.get(&grant.shard).copied() != Some(grant.token) {
                return false;
            }
            state.sessions.insert(grant.shard, session.clone());
            true
        }))
    }

    async fn session(&self, shard: u32) -> Result<Option<SavedSession>> {
        Ok(self.with(|state, _| state.sessions.get(&shard).cloned()))
    }

    async fn clear_session(&self, grant: Grant) -> Result<bool> {
        Ok(self.with(|state, _| {
            if state.tokens.get(&grant.shard).copied() != Some(grant.token) {
                return false;
            }
            state.sessions.remove(&grant.shard);
            true
        }))
    }

    async fn identify_slot(&self, bucket: u32, interval: Duration) -> Result<Duration> {
        Ok(self.with(|state, now| {
            let next = state.identify.entry(bucket).or_insert(now);
            let slot = (*next).max(now);
            *next = slot + interval;
            slot - now
        }))
    }

    async fn observe_budget(&self, remaining: u32, resets_in: Duration) -> Result<()> {
        self.with(|state, now| {
            let kept = match state.budget {
                Some((stored, until)) if stored <= remaining => (stored, until),
                _ => (remaining, now + resets_in),
            };
            state.budget = Some(kept);
        });
        Ok(())
    }

    async fn spend_identify(&self, reserve: u32) -> Result<Spend> {
        Ok(self.with(|state, now| match &mut state.budget {
            None => Spend::Unknown,
            Some((remaining, until)) if *remaining <= reserve => Spend::Exhausted {
                resets_in: *until - now,
            },
            Some((remaining, _)) => {
                *remaining -= 1;
                Spend::Spent {
                    remaining: *remaining,
                }
            }
        }))
    }

    async fn budget(&self) -> Result<Option<Budget>> {
        Ok(self.with(|state, now| {
            state.budget.map(|(remaining, until)| Budget {
                remaining,
                resets_in: until - now,
            })
        }))
    }
}
