//! Which shards this process runs: leases taken, renewed and handed back through the cluster's
//! [`Coordinator`], and the fencing token every write for a shard's guilds carries.
//!
//! One supervisor task owns the shard tasks. Every `renew_interval` it says the process is
//! alive, renews each lease (a lease it cannot renew before its local deadline stops its shard
//! at once: another process may hold it by then), and follows [`balance::plan`]: free shards
//! are acquired (the new token is recorded in the store first, so an older holder's writes are
//! refused from then on) and started from their saved session; shards above the process's fair
//! share are handed back gracefully (closed with 4000, the session saved, the lease released).
//! A single node runs the same loop over an in-memory coordinator and writes without fences.

use crate::Bot;
use crate::runtime::{ShardEnd, run_shard};
use helpline_cluster::{ClusterQueue, Coordinator, Grant, SavedSession, balance};
use helpline_domain::GuildId;
use helpline_store::Fence;
use std::collections::HashMap;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;
use twilight_gateway::{Config, ConfigBuilder, Shard, ShardId};

/// How this process takes part in a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Shared state: Redis for a cluster, memory for a single node.
    pub coordinator: Arc<dyn Coordinator>,
    /// This process's name, unique in the cluster (a StatefulSet pod's name).
    pub process: String,
    /// How long a lease lasts without renewal.
    pub lease_ttl: Duration,
    /// How often leases are renewed and the shards rebalanced.
    pub renew_interval: Duration,
    /// Whether writes carry fencing tokens: true when processes share the store.
    pub fenced: bool,
}

impl ClusterConfig {
    /// A single node: every shard here, nothing shared.
    pub(crate) fn single_node() -> Self {
        Self {
            coordinator: Arc::new(helpline_cluster::MemoryCoordinator::new()),
            process: "local".to_owned(),
            lease_ttl: Duration::from_secs(15),
            renew_interval: Duration::from_secs(5),
            fenced: false,
        }
    }
}

/// A lease as this process sees it: valid until its local deadline (taken from when the
/// renewal was sent, so it ends before the coordinator's).
#[derive(Clone, Copy, Debug)]
struct Local {
    grant: Grant,
    valid_until: Instant,
}

/// The leases this process holds, read by every write.
#[derive(Debug)]
pub(crate) struct Leases {
    shard_count: u32,
    /// The shards this process may run ([`BotConfig::shard_range`]); all when `None`.
    ///
    /// [`BotConfig::shard_range`]: crate::BotConfig::shard_range
    range: Option<RangeInclusive<u32>>,
    fenced: bool,
    held: Mutex<HashMap<u32, Local>>,
}

/// Why a shard range cannot be run with `shard_count` shards (empty, or past the last shard).
pub fn shard_range_problem(range: &RangeInclusive<u32>, shard_count: u32) -> Option<String> {
    (range.is_empty() || *range.end() >= shard_count).then(|| {
        format!(
            "the shard range {}-{} is not within the {shard_count} shards (0-{})",
            range.start(),
            range.end(),
            shard_count.saturating_sub(1)
        )
    })
}

/// Kept off the end of a lease locally: clocks and scheduling are not exact.
const SAFETY: Duration = Duration::from_millis(500);

impl Leases {
    pub(crate) fn new(shard_count: u32, range: Option<RangeInclusive<u32>>, fenced: bool) -> Self {
        Self {
            shard_count: shard_count.max(1),
            range,
            fenced,
            held: Mutex::new(HashMap::new()),
        }
    }

    /// Discord's shard of a guild: `(guild_id >> 22) % shard_count`.
    pub(crate) fn shard_of(&self, guild: GuildId) -> u32 {
        u32::try_from((guild.get() >> 22) % u64::from(self.shard_count)).unwrap_or(0)
    }

    fn local(&self, shard: u32) -> Option<Local> {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&shard)
            .copied()
            .filter(|local| local.valid_until > Instant::now())
    }

    /// The fence a write for `guild` carries; `None` on a single node. An error when this
    /// process does not hold the guild's shard (any more): it must not act for it.
    pub(crate) fn fence(&self, guild: GuildId) -> crate::Result<Option<Fence>> {
        if !self.fenced {
            return Ok(None);
        }
        let shard = self.shard_of(guild);
        match self.local(shard) {
            Some(local) => Ok(Some(Fence {
                shard,
                token: local.grant.token,
            })),
            // An interaction Discord sent to this process's HTTP endpoint is this process's to
            // handle, whoever holds the guild's shard: its writes go unfenced (as a DM's do),
            // kept safe by the ticket's version. Its effects' retries run as timers, outside
            // it, and are left to the shard's holder.
            None if crate::endpoint::delivered_over_http() => Ok(None),
            None => {
                ::metrics::counter!(helpline_cluster::metrics::FENCING_REJECTIONS).increment(1);
                Err(crate::Error::LeaseLost { shard })
            }
        }
    }

    /// Whether this process still holds `shard`'s lease (always on a single node).
    pub(crate) fn valid(&self, shard: u32) -> bool {
        !self.fenced || self.local(shard).is_some()
    }

    /// Whether this process acts for `guild` (always on a single node).
    pub(crate) fn holds(&self, guild: GuildId) -> bool {
        !self.fenced || self.local(self.shard_of(guild)).is_some()
    }

    fn set(&self, local: Local) {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(local.grant.shard, local);
    }

    fn remove(&self, shard: u32) {
        self.held
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&shard);
    }

    #[allow(clippy::cast_precision_loss)]
    fn record(&self) {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner()).len();
        ::metrics::gauge!(helpline_cluster::metrics::SHARDS_HELD).set(held as f64);
    }
}

/// What a shard task is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    Run,
    /// Close with 4000 and give the session back (hand-over, shutdown).
    Close,
    /// The lease is lost: end at once, close nothing, save nothing.
    Abandon,
}

/// A shard task this supervisor started.
struct Running {
    grant: Grant,
    order: watch::Sender<Order>,
    handing_back: bool,
}

/// What a shard task gives back when it ends.
pub(crate) struct ShardDone {
    pub(crate) grant: Grant,
    pub(crate) end: ShardEnd,
    pub(crate) session: Option<SavedSession>,
}

/// Leases held without running their shard, and until when: taken with a token the store had
/// already seen beaten (the coordinator lost its data), they keep everyone else off the shard
/// for a lease TTL, so a process still running it from before has stopped by then.
type Parked = HashMap<u32, (Grant, Instant)>;

/// Removes the shard `done` ran from `running`, unless it runs again under a newer grant.
fn finished(running: &mut HashMap<u32, Running>, done: &ShardDone) -> Option<Running> {
    let shard = done.grant.shard;
    if running.get(&shard)?.grant != done.grant {
        return None;
    }
    running.remove(&shard)
}

/// Runs the shards this process holds until `stopping`, or until one ends fatally.
pub(crate) async fn supervise(
    bot: Bot,
    cluster: ClusterConfig,
    gateway: Config<ClusterQueue>,
    mut stopping: watch::Receiver<bool>,
) -> ShardEnd {
    let coordinator = cluster.coordinator.clone();
    let leases = &bot.inner.leases;
    let shard_count = leases.shard_count;
    let mut running: HashMap<u32, Running> = HashMap::new();
    let mut parked: Parked = HashMap::new();
    let mut tasks: JoinSet<ShardDone> = JoinSet::new();
    let mut tick = tokio::time::interval(cluster.renew_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    if cluster.fenced {
        // Join first and take shards from the next round, so processes starting together see
        // each other and split the shards instead of the first one identifying them all.
        if let Err(error) = coordinator
            .heartbeat(&cluster.process, cluster.lease_ttl)
            .await
        {
            tracing::warn!(%error, "cannot reach the cluster coordinator");
        }
        tick.tick().await;
    }
    loop {
        tokio::select! {
            _ = tick.tick() => {
                round(&bot, &cluster, &gateway, &mut running, &mut parked, &mut tasks).await;
            }
            Some(done) = tasks.join_next() => {
                let Ok(done) = done else { continue };
                let Some(shard) = finished(&mut running, &done) else { continue };
                leases.remove(done.grant.shard);
                leases.record();
                if let ShardEnd::Fatal { .. } = done.end {
                    stop_all(&bot, &cluster, &mut running, &mut tasks).await;
                    return done.end;
                }
                hand_over(coordinator.as_ref(), &cluster.process, shard.grant, done.session, "rebalance").await;
            }
            _ = stopping.changed() => {
                for (grant, _) in parked.into_values() {
                    let _ = coordinator.release(grant, &cluster.process).await;
                }
                stop_all(&bot, &cluster, &mut running, &mut tasks).await;
                return ShardEnd::Stopped;
            }
        }
        debug_assert!(running.len() <= shard_count as usize);
    }
}

/// Saves a closed shard's session and releases its lease, so the next holder resumes it.
async fn hand_over(
    coordinator: &dyn Coordinator,
    process: &str,
    grant: Grant,
    session: Option<SavedSession>,
    reason: &'static str,
) {
    if let Some(session) = session {
        match coordinator.save_session(grant, &session).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                shard = grant.shard,
                "session not saved: another process holds a newer lease"
            ),
            Err(error) => tracing::warn!(shard = grant.shard, %error, "cannot save the session"),
        }
    }
    match coordinator.release(grant, process).await {
        Ok(_) => {
            ::metrics::counter!(helpline_cluster::metrics::LEASES_RELEASED, "reason" => reason)
                .increment(1);
            tracing::info!(shard = grant.shard, reason, "shard handed back");
        }
        Err(error) => {
            tracing::warn!(shard = grant.shard, %error, "cannot release the lease; it will expire");
        }
    }
}

/// Closes every shard resumably, saves the sessions and hands the leases back.
async fn stop_all(
    bot: &Bot,
    cluster: &ClusterConfig,
    running: &mut HashMap<u32, Running>,
    tasks: &mut JoinSet<ShardDone>,
) {
    for shard in running.values() {
        let _ = shard.order.send(Order::Close);
    }
    while let Some(done) = tasks.join_next().await {
        let Ok(done) = done else { continue };
        if let Some(shard) = finished(running, &done) {
            bot.inner.leases.remove(done.grant.shard);
            hand_over(
                cluster.coordinator.as_ref(),
                &cluster.process,
                shard.grant,
                done.session,
                "shutdown",
            )
            .await;
        }
    }
    bot.inner.leases.record();
    let _ = cluster.coordinator.leave(&cluster.process).await;
}

/// One round: heartbeat, renewals, then the plan.
async fn round(
    bot: &Bot,
    cluster: &ClusterConfig,
    gateway: &Config<ClusterQueue>,
    running: &mut HashMap<u32, Running>,
    parked: &mut Parked,
    tasks: &mut JoinSet<ShardDone>,
) {
    let coordinator = cluster.coordinator.as_ref();
    let leases = &bot.inner.leases;
    let sent = Instant::now();
    let valid_until = sent + cluster.lease_ttl.saturating_sub(SAFETY);
    if let Err(error) = coordinator
        .heartbeat(&cluster.process, cluster.lease_ttl)
        .await
    {
        tracing::warn!(%error, "cannot reach the cluster coordinator");
    }
    let mut lost = Vec::new();
    // Renewed together: a slow coordinator costs one timeout per round, not one per shard.
    let renewals =
        futures_util::future::join_all(running.iter().map(|(&shard, state)| async move {
            let renewed = coordinator
                .renew(state.grant, &cluster.process, cluster.lease_ttl)
                .await;
            (shard, state.grant, renewed)
        }))
        .await;
    for (shard, grant, renewed) in renewals {
        match renewed {
            Ok(true) => {
                ::metrics::counter!(helpline_cluster::metrics::LEASE_RENEWALS, "outcome" => "renewed").increment(1);
                leases.set(Local { grant, valid_until });
            }
            Ok(false) => {
                ::metrics::counter!(helpline_cluster::metrics::LEASE_RENEWALS, "outcome" => "lost")
                    .increment(1);
                tracing::warn!(shard, "lease lost: another process may hold the shard");
                lost.push(shard);
            }
            Err(error) => {
                ::metrics::counter!(helpline_cluster::metrics::LEASE_RENEWALS, "outcome" => "error").increment(1);
                if leases.local(shard).is_none() {
                    tracing::warn!(shard, %error, "lease expired without renewal; stopping the shard");
                    lost.push(shard);
                } else {
                    tracing::warn!(shard, %error, "cannot renew the lease; the shard runs on while it is valid");
                }
            }
        }
    }
    for shard in lost {
        leases.remove(shard);
        if let Some(state) = running.remove(&shard) {
            // Not ours any more: no close frame, no session saved, nothing more done.
            let _ = state.order.send(Order::Abandon);
        }
    }
    leases.record();
    let mut unpark = Vec::new();
    for (&shard, &(grant, until)) in parked.iter() {
        let renewed = coordinator
            .renew(grant, &cluster.process, cluster.lease_ttl)
            .await
            .unwrap_or(false);
        if !renewed || Instant::now() >= until {
            unpark.push(shard);
        }
    }
    for shard in unpark {
        if let Some((grant, _)) = parked.remove(&shard) {
            // The next grant, to whoever takes it, has a token above the store's.
            let _ = coordinator.release(grant, &cluster.process).await;
        }
    }

    let (members, holders) = match (
        coordinator.members().await,
        coordinator.holders(leases.shard_count).await,
    ) {
        (Ok(members), Ok(holders)) => (members, holders),
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!(%error, "cannot read the cluster's state; not rebalancing");
            return;
        }
    };
    let plan = match &leases.range {
        // A range is this process's part: every free shard of it, nothing handed back.
        Some(range) => balance::Plan {
            take: range
                .clone()
                .filter(|shard| {
                    holders.get(*shard as usize).is_some_and(Option::is_none)
                        && !running.contains_key(shard)
                        && !parked.contains_key(shard)
                })
                .collect(),
            hand_back: running
                .keys()
                .copied()
                .filter(|shard| !range.contains(shard))
                .collect(),
        },
        None => balance::plan(&cluster.process, &members, &holders),
    };
    // Leases still under this process's name but not running here: a former self (killed,
    // restarted under the same name) held them. Taken back at once, with new tokens.
    let orphans = holders.iter().enumerate().filter_map(|(shard, holder)| {
        let shard = u32::try_from(shard).ok()?;
        (holder.as_deref() == Some(cluster.process.as_str())
            && !running.contains_key(&shard)
            && !parked.contains_key(&shard))
        .then_some(shard)
    });
    let take: Vec<u32> = orphans.chain(plan.take).collect();
    for shard in plan.hand_back {
        if let Some(state) = running.get_mut(&shard)
            && !state.handing_back
        {
            state.handing_back = true;
            let _ = state.order.send(Order::Close);
        }
    }
    for shard in take {
        let grant = match coordinator
            .acquire(shard, &cluster.process, cluster.lease_ttl)
            .await
        {
            Ok(Some(grant)) => grant,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(shard, %error, "cannot acquire a lease");
                continue;
            }
        };
        let valid_until = Instant::now() + cluster.lease_ttl.saturating_sub(SAFETY);
        if cluster.fenced {
            let fence = Fence {
                shard,
                token: grant.token,
            };
            match bot.inner.store.advance_fence(fence).await {
                Ok(()) => {}
                Err(helpline_store::Error::Fenced { current, .. }) => {
                    tracing::warn!(
                        shard,
                        token = grant.token,
                        store_token = current,
                        "the coordinator's token is behind the store's: it lost its data (a Redis restarted empty?); keeping the shard unused for a lease TTL so that a process still running it stops first"
                    );
                    ::metrics::counter!(helpline_cluster::metrics::FENCING_REJECTIONS).increment(1);
                    if let Err(error) = coordinator.raise_token(shard, current).await {
                        tracing::warn!(shard, %error, "cannot raise the shard's token");
                    }
                    parked.insert(shard, (grant, Instant::now() + cluster.lease_ttl));
                    continue;
                }
                Err(error) => {
                    tracing::warn!(shard, %error, "cannot record the new lease's token");
                    let _ = coordinator.release(grant, &cluster.process).await;
                    continue;
                }
            }
        }
        ::metrics::counter!(helpline_cluster::metrics::LEASES_ACQUIRED).increment(1);
        leases.set(Local { grant, valid_until });
        let session = coordinator.session(shard).await.unwrap_or_else(|error| {
            tracing::warn!(shard, %error, "cannot read the saved session; identifying");
            None
        });
        let kind = if session.is_some() {
            "resume"
        } else {
            "identify"
        };
        ::metrics::counter!(helpline_cluster::metrics::SHARD_STARTS, "kind" => kind).increment(1);
        tracing::info!(shard, token = grant.token, kind, "shard taken");
        let mut config = ConfigBuilder::from(gateway.clone());
        if let Some(session) = &session {
            config = config.session(twilight_gateway::Session::new(
                session.sequence,
                session.id.clone(),
            ));
            if let Some(url) = &session.resume_url {
                config = config.resume_url(url.clone());
            }
        }
        let shard_task =
            Shard::with_config(ShardId::new(shard, leases.shard_count), config.build());
        let (order, orders) = watch::channel(Order::Run);
        tasks.spawn(run_shard(
            bot.clone(),
            shard_task,
            orders,
            grant,
            cluster.coordinator.clone(),
            cluster.renew_interval,
        ));
        running.insert(
            shard,
            Running {
                grant,
                order,
                handing_back: false,
            },
        );
    }
    leases.record();
}
