//! Cluster coordination for `helpline run` processes: who holds which shard (leases with
//! fencing tokens), who is alive (membership), when a shard may identify (the shared identify
//! queue and the daily session budget), and the gateway sessions that let a shard resume on
//! another process.
//!
//! [`Coordinator`] is the one contract; [`RedisCoordinator`] shares it between processes
//! through Redis and [`MemoryCoordinator`] is its twin for a single node. Both pass the same
//! conformance suite (`tests/it/conformance.rs`). [`balance::plan`] decides which leases a
//! process takes or hands back; [`ClusterQueue`] is twilight-gateway's `Queue` over a
//! coordinator.

mod balance_impl;
mod error;
mod memory;
pub mod metrics;
mod queue;
mod redis;
mod redis_server;

pub use error::{Error, Result};
pub use memory::MemoryCoordinator;
pub use queue::{BudgetSource, ClusterQueue, IdentifyPacing};
pub use redis::RedisCoordinator;
pub use redis_server::RedisServer;

/// Which leases to take and hand back.
pub mod balance {
    pub use crate::balance_impl::{Plan, plan};
}

use std::time::Duration;

/// A lease granted on a shard: the fencing token is strictly greater than every token granted
/// before on that shard, so whoever checks it can refuse an older holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Grant {
    pub shard: u32,
    pub token: u64,
}

/// A gateway session a shard can resume instead of identifying.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedSession {
    pub id: String,
    pub sequence: u64,
    /// `resume_gateway_url` from READY.
    pub resume_url: Option<String>,
}

/// The daily identify budget as last known (`/gateway/bot`'s `session_start_limit`, minus what
/// the cluster spent since).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub remaining: u32,
    /// When the budget is refilled.
    pub resets_in: Duration,
}

/// What spending one identify from the budget gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spend {
    /// One identify was spent; this many remain.
    Spent { remaining: u32 },
    /// Nothing is left above the reserve until the budget resets.
    Exhausted { resets_in: Duration },
    /// No budget is known (never observed, or it expired): ask Discord and observe it.
    Unknown,
}

/// The shared state of a cluster. Every method is one atomic step on the backend.
#[async_trait::async_trait]
pub trait Coordinator: Send + Sync + std::fmt::Debug + 'static {
    /// Grants `shard`'s lease to `holder` for `ttl`, with a new fencing token, if nobody holds
    /// it or `holder` itself does (a process restarted under the same name, as a StatefulSet
    /// pod is, takes its leases back at once; the token fences its former self). `None` when
    /// another holder has it.
    async fn acquire(&self, shard: u32, holder: &str, ttl: Duration) -> Result<Option<Grant>>;

    /// Extends a lease `holder` still holds with this grant's token; `false` when it expired
    /// or was granted again since (the lease is lost: stop acting for the shard).
    async fn renew(&self, grant: Grant, holder: &str, ttl: Duration) -> Result<bool>;

    /// Gives a lease back; `false` when it was not held with this grant any more.
    async fn release(&self, grant: Grant, holder: &str) -> Result<bool>;

    /// Who holds each shard of `0..shard_count`.
    async fn holders(&self, shard_count: u32) -> Result<Vec<Option<String>>>;

    /// The last token granted on `shard` (0 when never granted).
    async fn current_token(&self, shard: u32) -> Result<u64>;

    /// Makes the next token of `shard` greater than `floor`: after the coordinator lost its
    /// data (a Redis restarted empty), the store still remembers higher tokens.
    async fn raise_token(&self, shard: u32, floor: u64) -> Result<()>;

    /// Says `member` is alive for `ttl`.
    async fn heartbeat(&self, member: &str, ttl: Duration) -> Result<()>;

    /// Says `member` left (its shards are about to be free).
    async fn leave(&self, member: &str) -> Result<()>;

    /// The members alive now, sorted.
    async fn members(&self) -> Result<Vec<String>>;

    /// Stores `shard`'s session, accepted only from the holder of the latest grant (`false`
    /// otherwise: a newer holder's session is never overwritten by an older one).
    async fn save_session(&self, grant: Grant, session: &SavedSession) -> Result<bool>;

    /// `shard`'s stored session.
    async fn session(&self, shard: u32) -> Result<Option<SavedSession>>;

    /// Forgets `shard`'s session (it was invalidated), only for the latest grant.
    async fn clear_session(&self, grant: Grant) -> Result<bool>;

    /// Reserves the next identify slot of `bucket` (`shard % max_concurrency`): slots are
    /// `interval` apart across the whole cluster. Returns how long to wait before identifying.
    async fn identify_slot(&self, bucket: u32, interval: Duration) -> Result<Duration>;

    /// Records what Discord said of the budget; the lower of it and what is stored is kept
    /// (so a stale answer cannot refill what the cluster spent).
    async fn observe_budget(&self, remaining: u32, resets_in: Duration) -> Result<()>;

    /// Spends one identify, keeping `reserve` identifies back.
    async fn spend_identify(&self, reserve: u32) -> Result<Spend>;

    /// The budget as stored.
    async fn budget(&self) -> Result<Option<Budget>>;
}
