//! The controller: one reconciliation per `HelplineCluster`, run again when the resource changes
//! and on a timer (every few seconds while a roll is under way).
//!
//! A reconciliation reads the StatefulSet the spec names and, when due, Discord's
//! recommendation; it computes the shard count ([`target_shards`]) and takes one step of
//! [`plan`]: publish a new count (the container's `HELPLINE_DISCORD_SHARD_COUNT`, together with
//! a rolling-update partition equal to the replicas, so no pod restarts yet), lower the
//! partition by one once every process is ready and every process above it runs the new count
//! (so exactly one pod restarts at a time and each resumes or identifies through the cluster's
//! shared queue), or scale the replicas. It then writes the status and its conditions, and an
//! Event for every change. Failures requeue with an exponential backoff ([`error_policy`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::watcher;
use kube::{Resource as _, ResourceExt as _};
use serde_json::json;

use crate::discord::Discord;
use crate::metrics;
use crate::resource::{
    Condition, HelplineCluster, HelplineClusterStatus, Recommendation, ShardCount,
};
use crate::{Error, Result};

/// The variable the operator publishes the shard count in: it overrides the settings file's
/// `discord.shard_count` in every `helpline run` process.
pub const SHARD_COUNT_ENV: &str = "HELPLINE_DISCORD_SHARD_COUNT";
/// The field manager of the operator's patches.
const MANAGER: &str = "helpline-operator";
/// How soon a reconciliation runs again while processes are being rolled.
pub const ROLL_POLL: Duration = Duration::from_secs(5);
/// How soon it runs again otherwise (the status follows the StatefulSet's readiness).
pub const STEADY_POLL: Duration = Duration::from_secs(60);
/// The first retry after a failure; each further failure doubles it, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(5);
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What every reconciliation shares.
pub struct Context {
    client: kube::Client,
    discord: Discord,
    recorder: Recorder,
    /// Consecutive failures per resource (`namespace/name`), for the backoff.
    failures: Mutex<HashMap<String, u32>>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").finish_non_exhaustive()
    }
}

impl Context {
    /// `instance` names this operator process in the Events it records (its pod's name).
    pub fn new(client: kube::Client, discord: Discord, instance: Option<String>) -> Arc<Self> {
        let reporter = Reporter {
            controller: MANAGER.to_owned(),
            instance,
        };
        Arc::new(Self {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            discord,
            failures: Mutex::new(HashMap::new()),
        })
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn event(&self, cluster: &HelplineCluster, type_: EventType, reason: &str, note: String) {
        self.event_about(cluster, type_, reason, note, None).await;
    }

    /// An Event regarding `cluster`, and `related` when it concerns another object (the pod
    /// restarted): recurring ones become a series (kube's recorder keys them by reason and
    /// objects).
    async fn event_about(
        &self,
        cluster: &HelplineCluster,
        type_: EventType,
        reason: &str,
        note: String,
        related: Option<ObjectReference>,
    ) {
        let event = Event {
            type_,
            reason: reason.to_owned(),
            note: Some(note),
            action: "Reconcile".to_owned(),
            secondary: related,
        };
        if let Err(error) = self
            .recorder
            .publish(&event, &cluster.object_ref(&()))
            .await
        {
            tracing::warn!(%error, reason, "cannot record a kubernetes event");
        }
    }
}

/// The operator of one namespace: its client, and what its reconciliations share.
#[derive(Debug)]
pub struct Operator {
    api: Api<HelplineCluster>,
    context: Arc<Context>,
    namespace: String,
}

impl Operator {
    /// Connects with the pod's service account (or the local kubeconfig), to the namespace it
    /// runs in, and checks that it may list `HelplineCluster`s there.
    pub async fn connect(discord: Discord, instance: Option<String>) -> Result<Self> {
        crate::install_crypto_provider();
        let client = kube::Client::try_default().await?;
        let namespace = client.default_namespace().to_owned();
        let api = Api::namespaced(client.clone(), &namespace);
        check(&api).await?;
        Ok(Self {
            api,
            context: Context::new(client, discord, instance),
            namespace,
        })
    }

    /// The namespace whose `HelplineCluster`s it reconciles.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Reconciles until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
    ) {
        run(self.api, self.context, shutdown).await;
    }
}

/// Checks that the operator can list `HelplineCluster`s: the CRD is installed and the RBAC lets
/// it read them.
pub async fn check(api: &Api<HelplineCluster>) -> Result<usize> {
    Ok(api
        .list(&ListParams::default().limit(50))
        .await?
        .items
        .len())
}

/// Runs the controller over `api` until `shutdown` completes.
pub async fn run(
    api: Api<HelplineCluster>,
    context: Arc<Context>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    metrics::describe();
    Controller::new(api, watcher::Config::default().any_semantic())
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, context)
        .for_each(|result| async move {
            match result {
                Ok((object, _)) => tracing::debug!(cluster = %object, "reconciled"),
                Err(error) => tracing::debug!(%error, "reconciliation not run"),
            }
        })
        .await;
}

/// One reconciliation of `cluster`, timed and counted.
pub async fn reconcile(cluster: Arc<HelplineCluster>, context: Arc<Context>) -> Result<Action> {
    ::metrics::counter!(metrics::RECONCILIATIONS).increment(1);
    let started = Instant::now();
    let result = reconcile_once(&cluster, &context).await;
    ::metrics::histogram!(metrics::DURATION).record(started.elapsed().as_secs_f64());
    if result.is_ok() {
        context.failures().remove(&key(&cluster));
    }
    result
}

/// A failed reconciliation: counted by kind, retried after a backoff that doubles with each
/// consecutive failure of this resource.
pub fn error_policy(cluster: Arc<HelplineCluster>, error: &Error, context: Arc<Context>) -> Action {
    ::metrics::counter!(metrics::FAILURES, "error" => error.kind()).increment(1);
    let failures = {
        let mut failures = context.failures();
        let count = failures.entry(key(&cluster)).or_insert(0);
        *count = count.saturating_add(1);
        *count
    };
    let delay = backoff(failures);
    tracing::warn!(
        cluster = %key(&cluster),
        %error,
        kind = error.kind(),
        retry_in_secs = delay.as_secs(),
        "reconciliation failed"
    );
    Action::requeue(delay)
}

/// The delay after `failures` consecutive failures (1 or more).
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_BACKOFF
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF)
}

fn key(cluster: &HelplineCluster) -> String {
    format!(
        "{}/{}",
        cluster.namespace().unwrap_or_default(),
        cluster.name_any()
    )
}

/// The shard count for `spec` given Discord's `recommendation` and the count published now.
pub fn target_shards(
    shards: ShardCount,
    guilds_per_shard: Option<u32>,
    recommendation: &Recommendation,
    published: Option<u32>,
) -> u32 {
    if let ShardCount::Fixed(count) = shards {
        return count;
    }
    let mut count = recommendation.shards.max(1);
    if let (Some(per_shard), Some(guilds)) = (guilds_per_shard, recommendation.approximate_guilds) {
        let needed = guilds.div_ceil(u64::from(per_shard.max(1)));
        count = count.max(u32::try_from(needed).unwrap_or(u32::MAX));
    }
    // Discord asks bots sharding with a concurrency above 1 for a multiple of it.
    if recommendation.max_concurrency > 1 {
        count = count.div_ceil(recommendation.max_concurrency) * recommendation.max_concurrency;
    }
    // `auto` grows with the bot but never shrinks on its own: a recommendation that wavers
    // around a boundary must not restart every process each time.
    published.map_or(count, |published| published.max(count))
}

/// What the StatefulSet says now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The shard count its container's environment carries.
    pub published: Option<u32>,
    pub replicas: u32,
    /// Its rolling update's partition: pods of this ordinal and above run the new template.
    pub partition: u32,
    /// Whether its status describes its current spec.
    pub status_current: bool,
    /// Pods running the newest template.
    pub updated: u32,
    pub ready: u32,
}

impl Observed {
    fn of(statefulset: &StatefulSet, container: &str) -> Option<Self> {
        let spec = statefulset.spec.as_ref()?;
        let template = spec.template.spec.as_ref()?;
        let container = template.containers.iter().find(|c| c.name == container)?;
        let published = container
            .env
            .iter()
            .flatten()
            .find(|variable| variable.name == SHARD_COUNT_ENV)
            .and_then(|variable| variable.value.as_deref())
            .and_then(|value| value.parse().ok());
        let partition = spec
            .update_strategy
            .as_ref()
            .and_then(|strategy| strategy.rolling_update.as_ref())
            .and_then(|rolling| rolling.partition)
            .unwrap_or(0);
        let status = statefulset.status.as_ref();
        let count = |value: Option<i32>| u32::try_from(value.unwrap_or(0)).unwrap_or(0);
        Some(Self {
            published,
            replicas: count(spec.replicas.or(Some(1))),
            partition: count(Some(partition)),
            status_current: status.and_then(|s| s.observed_generation)
                == statefulset.metadata.generation,
            updated: count(status.and_then(|s| s.updated_replicas)),
            ready: count(status.and_then(|s| s.ready_replicas)),
        })
    }
}

/// The one step a reconciliation takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Publish `shards` with the partition at `replicas`: nothing restarts yet.
    Publish { shards: u32, replicas: u32 },
    /// Lower the partition to `partition`: the pod of that ordinal restarts.
    Advance { partition: u32, replicas: u32 },
    /// Change the number of processes (no restart: the leases rebalance).
    Scale { replicas: u32 },
    /// A roll is under way and its last pod is not ready yet.
    Wait,
    /// Nothing to do.
    Steady,
}

/// The next step towards `shards` shards over `processes` processes.
pub fn plan(shards: u32, processes: u32, observed: &Observed) -> Step {
    if observed.published != Some(shards) {
        return Step::Publish {
            shards,
            replicas: processes,
        };
    }
    if observed.partition > 0 {
        let partition = observed.partition.min(processes);
        if !observed.status_current {
            return Step::Wait;
        }
        let rolled = observed.updated >= observed.replicas.saturating_sub(partition);
        let all_ready = observed.ready >= observed.replicas;
        if partition < observed.partition || (rolled && all_ready) {
            return Step::Advance {
                partition: if partition < observed.partition {
                    partition
                } else {
                    partition - 1
                },
                replicas: processes,
            };
        }
        return Step::Wait;
    }
    if observed.replicas != processes {
        return Step::Scale {
            replicas: processes,
        };
    }
    Step::Steady
}

async fn reconcile_once(cluster: &HelplineCluster, context: &Context) -> Result<Action> {
    let namespace = cluster
        .namespace()
        .ok_or_else(|| Error::Invalid("a HelplineCluster is namespaced".to_owned()))?;
    let name = cluster.name_any();
    let spec = &cluster.spec;
    let generation = cluster.metadata.generation;
    let previous = cluster.status.clone().unwrap_or_default();
    let now = Timestamp::now();
    let clusters: Api<HelplineCluster> = Api::namespaced(context.client.clone(), &namespace);
    let statefulsets: Api<StatefulSet> = Api::namespaced(context.client.clone(), &namespace);

    let degraded = |reason: &str, message: String| {
        let mut status = previous.clone();
        status.observed_generation = generation;
        set_condition(
            &mut status,
            "Degraded",
            true,
            reason,
            &message,
            now,
            generation,
        );
        set_condition(
            &mut status,
            "Ready",
            false,
            reason,
            &message,
            now,
            generation,
        );
        status
    };

    let Some(statefulset) = statefulsets.get_opt(&spec.stateful_set).await? else {
        let message = format!("the StatefulSet {} does not exist", spec.stateful_set);
        let status = degraded("StatefulSetMissing", message.clone());
        write_status(&clusters, &name, &status).await?;
        context
            .event(cluster, EventType::Warning, "StatefulSetMissing", message)
            .await;
        return Err(Error::StatefulSetMissing(spec.stateful_set.clone()));
    };
    let Some(observed) = Observed::of(&statefulset, &spec.container) else {
        let message = format!(
            "the StatefulSet {} has no container {}",
            spec.stateful_set, spec.container
        );
        let status = degraded("ContainerMissing", message.clone());
        write_status(&clusters, &name, &status).await?;
        context
            .event(cluster, EventType::Warning, "ContainerMissing", message)
            .await;
        return Err(Error::ContainerMissing {
            statefulset: spec.stateful_set.clone(),
            container: spec.container.clone(),
        });
    };

    // Discord is asked when the spec changed, or when the last answer is older than the
    // interval; otherwise the recorded answer serves.
    let due = match &previous.recommendation {
        None => true,
        Some(_) if previous.observed_generation != generation => true,
        Some(recommendation) => {
            recommendation
                .checked_at
                .parse::<Timestamp>()
                .map_or(true, |checked| {
                    now.duration_since(checked).as_secs()
                        >= i64::from(spec.recommendation_interval_seconds)
                })
        }
    };
    let recommendation = match (&previous.recommendation, due) {
        (Some(recommendation), false) => recommendation.clone(),
        _ => match context.discord.read().await {
            Ok(reading) => Recommendation {
                shards: reading.shards,
                max_concurrency: reading.max_concurrency,
                approximate_guilds: reading.approximate_guilds,
                checked_at: now.to_string(),
            },
            Err(error) => {
                let message = format!("cannot read Discord's recommendation: {error}");
                let status = degraded("DiscordUnavailable", message.clone());
                write_status(&clusters, &name, &status).await?;
                context
                    .event(cluster, EventType::Warning, "DiscordUnavailable", message)
                    .await;
                return Err(error);
            }
        },
    };

    let shards = target_shards(
        spec.shards,
        spec.guilds_per_shard,
        &recommendation,
        observed.published,
    );
    let step = plan(shards, spec.processes, &observed);
    let labels = [("cluster", key(cluster))];
    ::metrics::gauge!(metrics::SHARDS, &labels).set(f64::from(shards));
    ::metrics::gauge!(metrics::RECOMMENDED_SHARDS, &labels).set(f64::from(target_shards(
        ShardCount::Auto,
        spec.guilds_per_shard,
        &recommendation,
        None,
    )));

    let statefulset_name = &spec.stateful_set;
    let (partition, replicas) = match step {
        Step::Publish { shards, replicas } => {
            patch_statefulset(
                &statefulsets,
                statefulset_name,
                &spec.container,
                Some(shards),
                replicas,
                Some(replicas),
            )
            .await?;
            let from = observed
                .published
                .map_or_else(|| "unpublished".to_owned(), |count| count.to_string());
            context
                .event(
                    cluster,
                    EventType::Normal,
                    "Resharding",
                    format!(
                        "shard count {from} → {shards}: rolling {replicas} processes one at a time"
                    ),
                )
                .await;
            (replicas, replicas)
        }
        Step::Advance {
            partition,
            replicas,
        } => {
            patch_statefulset(
                &statefulsets,
                statefulset_name,
                &spec.container,
                None,
                replicas,
                Some(partition),
            )
            .await?;
            let pod = format!("{statefulset_name}-{partition}");
            context
                .event_about(
                    cluster,
                    EventType::Normal,
                    "RollingProcess",
                    format!("process {pod} restarts with {shards} shards"),
                    Some(ObjectReference {
                        api_version: Some("v1".to_owned()),
                        kind: Some("Pod".to_owned()),
                        name: Some(pod.clone()),
                        namespace: Some(namespace.clone()),
                        ..ObjectReference::default()
                    }),
                )
                .await;
            (partition, replicas)
        }
        Step::Scale { replicas } => {
            patch_statefulset(
                &statefulsets,
                statefulset_name,
                &spec.container,
                None,
                replicas,
                None,
            )
            .await?;
            context
                .event(
                    cluster,
                    EventType::Normal,
                    "Scaling",
                    format!(
                        "processes {} → {replicas}: the shards' leases rebalance",
                        observed.replicas
                    ),
                )
                .await;
            (0, replicas)
        }
        Step::Wait | Step::Steady => (observed.partition, observed.replicas),
    };
    ::metrics::gauge!(metrics::PENDING_ROLL, &labels).set(f64::from(partition));

    let mut status = previous.clone();
    status.observed_generation = generation;
    status.shards = Some(shards);
    status.recommendation = Some(recommendation);
    status.processes = Some(replicas);
    status.updated_processes = Some(observed.updated);
    status.ready_processes = Some(observed.ready);
    let rolling = matches!(
        step,
        Step::Publish { .. } | Step::Advance { .. } | Step::Wait
    );
    let settled = !rolling
        && matches!(step, Step::Steady)
        && observed.status_current
        && observed.ready >= observed.replicas
        && observed.updated >= observed.replicas;
    let (progress_reason, progress_message) = match step {
        Step::Publish { .. } | Step::Advance { .. } => (
            "RollingProcesses",
            format!("{partition} of {replicas} processes still to restart with {shards} shards"),
        ),
        Step::Wait => (
            "WaitingForReadiness",
            format!(
                "{} of {} processes ready; {partition} still to restart with {shards} shards",
                observed.ready, observed.replicas
            ),
        ),
        Step::Scale { replicas } => ("Scaling", format!("scaling to {replicas} processes")),
        Step::Steady if settled => (
            "Complete",
            format!("{replicas} processes run {shards} shards"),
        ),
        Step::Steady => (
            "WaitingForReadiness",
            format!(
                "{} of {} processes ready",
                observed.ready, observed.replicas
            ),
        ),
    };
    set_condition(
        &mut status,
        "Progressing",
        !settled,
        progress_reason,
        &progress_message,
        now,
        generation,
    );
    set_condition(
        &mut status,
        "Ready",
        settled,
        progress_reason,
        &progress_message,
        now,
        generation,
    );
    set_condition(
        &mut status,
        "Degraded",
        false,
        "ReconcileSucceeded",
        "Discord and the StatefulSet were read",
        now,
        generation,
    );
    if status != previous {
        write_status(&clusters, &name, &status).await?;
    }
    Ok(Action::requeue(if settled {
        STEADY_POLL
    } else {
        ROLL_POLL
    }))
}

/// Sets (or replaces) the condition `type_`, keeping its transition time when its status did
/// not change.
fn set_condition(
    status: &mut HelplineClusterStatus,
    type_: &str,
    value: bool,
    reason: &str,
    message: &str,
    now: Timestamp,
    generation: Option<i64>,
) {
    let value = if value { "True" } else { "False" };
    let last_transition_time = status
        .conditions
        .iter()
        .find(|c| c.type_ == type_ && c.status == value)
        .map_or_else(|| now.to_string(), |c| c.last_transition_time.clone());
    let condition = Condition {
        type_: type_.to_owned(),
        status: value.to_owned(),
        reason: reason.to_owned(),
        message: message.to_owned(),
        last_transition_time,
        observed_generation: generation,
    };
    match status.conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(existing) => *existing = condition,
        None => status.conditions.push(condition),
    }
}

async fn write_status(
    clusters: &Api<HelplineCluster>,
    name: &str,
    status: &HelplineClusterStatus,
) -> Result<()> {
    clusters
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await?;
    Ok(())
}

/// One strategic-merge patch of the StatefulSet: the replicas, the rolling update's partition,
/// and the published shard count in the container's environment (merged by name: the other
/// variables and fields the chart set are kept).
async fn patch_statefulset(
    statefulsets: &Api<StatefulSet>,
    name: &str,
    container: &str,
    shards: Option<u32>,
    replicas: u32,
    partition: Option<u32>,
) -> Result<()> {
    let mut spec = json!({ "replicas": replicas });
    if let Some(partition) = partition {
        spec["updateStrategy"] = json!({
            "type": "RollingUpdate",
            "rollingUpdate": { "partition": partition },
        });
    }
    if let Some(shards) = shards {
        spec["template"] = json!({
            "spec": {
                "containers": [{
                    "name": container,
                    "env": [{ "name": SHARD_COUNT_ENV, "value": shards.to_string() }],
                }],
            },
        });
    }
    statefulsets
        .patch(
            name,
            &PatchParams {
                field_manager: Some(MANAGER.to_owned()),
                ..PatchParams::default()
            },
            &Patch::Strategic(json!({ "spec": spec })),
        )
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observed(
        published: u32,
        replicas: u32,
        partition: u32,
        updated: u32,
        ready: u32,
    ) -> Observed {
        Observed {
            published: Some(published),
            replicas,
            partition,
            status_current: true,
            updated,
            ready,
        }
    }

    #[test]
    fn a_new_count_is_published_with_nothing_restarting_yet() {
        let step = plan(4, 3, &observed(2, 3, 0, 3, 3));
        assert_eq!(
            step,
            Step::Publish {
                shards: 4,
                replicas: 3
            }
        );
    }

    #[test]
    fn the_partition_goes_down_one_pod_at_a_time_each_once_ready() {
        // Published, nothing rolled: the highest pod goes first.
        assert_eq!(
            plan(4, 3, &observed(4, 3, 3, 0, 3)),
            Step::Advance {
                partition: 2,
                replicas: 3
            }
        );
        // Pod 2 restarted but is not ready: wait.
        assert_eq!(plan(4, 3, &observed(4, 3, 2, 1, 2)), Step::Wait);
        // Pod 2 not yet restarted (the StatefulSet controller has not got to it): wait.
        assert_eq!(plan(4, 3, &observed(4, 3, 2, 0, 3)), Step::Wait);
        // Pod 2 rolled and ready: pod 1.
        assert_eq!(
            plan(4, 3, &observed(4, 3, 2, 1, 3)),
            Step::Advance {
                partition: 1,
                replicas: 3
            }
        );
        assert_eq!(
            plan(4, 3, &observed(4, 3, 1, 2, 3)),
            Step::Advance {
                partition: 0,
                replicas: 3
            }
        );
        assert_eq!(plan(4, 3, &observed(4, 3, 0, 3, 3)), Step::Steady);
    }

    #[test]
    fn a_stale_status_is_waited_for() {
        let mut stale = observed(4, 3, 2, 1, 3);
        stale.status_current = false;
        assert_eq!(plan(4, 3, &stale), Step::Wait);
    }

    #[test]
    fn scaling_changes_the_replicas_without_a_roll() {
        assert_eq!(
            plan(4, 5, &observed(4, 3, 0, 3, 3)),
            Step::Scale { replicas: 5 }
        );
    }

    fn recommendation(shards: u32, max_concurrency: u32, guilds: Option<u64>) -> Recommendation {
        Recommendation {
            shards,
            max_concurrency,
            approximate_guilds: guilds,
            checked_at: String::new(),
        }
    }

    #[test]
    fn auto_follows_discord_and_the_guild_target_and_never_shrinks() {
        let auto = ShardCount::Auto;
        assert_eq!(
            target_shards(auto, None, &recommendation(3, 1, None), None),
            3
        );
        // 5,001 guilds at 1,000 per shard: 6 shards, more than Discord's 3.
        assert_eq!(
            target_shards(auto, Some(1000), &recommendation(3, 1, Some(5001)), None),
            6
        );
        // A concurrency of 16: a multiple of it.
        assert_eq!(
            target_shards(auto, None, &recommendation(20, 16, None), None),
            32
        );
        // Discord recommending fewer than published: kept.
        assert_eq!(
            target_shards(auto, None, &recommendation(2, 1, None), Some(4)),
            4
        );
        // A fixed count is the count, up or down.
        assert_eq!(
            target_shards(
                ShardCount::Fixed(2),
                None,
                &recommendation(8, 1, None),
                Some(4)
            ),
            2
        );
    }

    #[test]
    fn the_backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff(1), Duration::from_secs(5));
        assert_eq!(backoff(2), Duration::from_secs(10));
        assert_eq!(backoff(3), Duration::from_secs(20));
        assert_eq!(backoff(10), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
