//! Reconciliations against the fake API server, with the Discord emulator recommending shards:
//! a new cluster gets its StatefulSet sized and the shard count published; a new recommendation
//! rolls the processes one at a time; API and Discord failures back off and are counted by
//! kind.

use std::sync::{Arc, OnceLock};

use discord_emulator::{Emulator, EmulatorConfig, FaultRule};
use helpline_operator::{Context, Discord, HelplineCluster, ROLL_POLL, STEADY_POLL};
use kube::runtime::controller::Action;
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::{Value, json};

use crate::fake::{CLUSTER_PATH, FakeApi, NAMESPACE, Pod, STATEFULSET, STATEFULSET_PATH};

/// The metrics recorder of this test process.
fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::set_global_recorder(recorder).unwrap();
        helpline_operator::metrics::describe();
        handle
    })
}

/// The value of one series in the exposition (0 when absent).
fn series(name_and_labels: &str) -> f64 {
    metrics()
        .render()
        .lines()
        .find_map(|line| line.strip_prefix(name_and_labels)?.trim().parse().ok())
        .unwrap_or(0.0)
}

struct Setup {
    api: FakeApi,
    emulator: Emulator,
    context: Arc<Context>,
}

impl Setup {
    async fn start(recommended_shards: u32) -> Self {
        metrics();
        let emulator = Emulator::start(EmulatorConfig {
            recommended_shards,
            ..EmulatorConfig::default()
        })
        .await
        .unwrap();
        let api = FakeApi::default();
        let discord = Discord::new(
            emulator.bot_token().to_owned(),
            Some(&format!("http://{}", emulator.http_host())),
        )
        .unwrap();
        let context = Context::new(api.client(), discord, Some("operator-0".to_owned()));
        Self {
            api,
            emulator,
            context,
        }
    }

    fn create_cluster(&self, spec: Value) {
        self.api.insert(
            CLUSTER_PATH,
            json!({
                "apiVersion": "helpline.dev/v1alpha1",
                "kind": "HelplineCluster",
                "metadata": {
                    "name": "helpline",
                    "namespace": NAMESPACE,
                    "uid": "5f2c1a9e-0000-4000-8000-000000000001",
                    "generation": 1,
                },
                "spec": spec,
            }),
        );
    }

    fn cluster(&self) -> Arc<HelplineCluster> {
        Arc::new(serde_json::from_value(self.api.get(CLUSTER_PATH)).unwrap())
    }

    fn status(&self) -> Value {
        self.api.get(CLUSTER_PATH)["status"].clone()
    }

    fn condition(&self, type_: &str) -> (String, String) {
        let status = self.status();
        let condition = status["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == type_)
            .unwrap_or_else(|| panic!("no {type_} condition in {status}"))
            .clone();
        (
            condition["status"].as_str().unwrap().to_owned(),
            condition["reason"].as_str().unwrap().to_owned(),
        )
    }

    /// One reconciliation, passed through the error policy as the controller does.
    async fn reconcile(&self) -> Result<Action, (String, Action)> {
        let cluster = self.cluster();
        match helpline_operator::reconcile(cluster.clone(), self.context.clone()).await {
            Ok(action) => Ok(action),
            Err(error) => {
                let action = helpline_operator::error_policy(cluster, &error, self.context.clone());
                Err((error.kind().to_owned(), action))
            }
        }
    }

    /// Makes the recorded recommendation an hour old: the next reconciliation asks Discord.
    fn age_recommendation(&self) {
        self.api.edit(CLUSTER_PATH, |cluster| {
            cluster["status"]["recommendation"]["checkedAt"] = json!("2000-01-01T00:00:00Z");
        });
    }
}

fn statefulset_env(api: &FakeApi) -> Vec<(String, String)> {
    api.get(STATEFULSET_PATH)["spec"]["template"]["spec"]["containers"][0]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap().to_owned(),
                v["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn partition(api: &FakeApi) -> u64 {
    api.get(STATEFULSET_PATH)["spec"]["updateStrategy"]["rollingUpdate"]["partition"]
        .as_u64()
        .unwrap_or(0)
}

fn config_env() -> Value {
    json!([{"name": "HELPLINE_CONFIG", "value": "/etc/helpline/helpline.toml"}])
}

#[tokio::test]
async fn a_new_cluster_gets_its_statefulset_sized_and_the_shard_count_published() {
    let setup = Setup::start(2).await;
    setup.api.create_statefulset(1, config_env());
    setup.create_cluster(json!({"statefulSet": STATEFULSET, "processes": 3}));

    let action = setup.reconcile().await.unwrap();
    assert_eq!(action, Action::requeue(ROLL_POLL));
    let statefulset = setup.api.get(STATEFULSET_PATH);
    assert_eq!(statefulset["spec"]["replicas"], 3);
    // Published with the partition at the replicas: no pod restarts on this patch.
    assert_eq!(partition(&setup.api), 3);
    assert_eq!(
        statefulset_env(&setup.api),
        [
            (
                "HELPLINE_CONFIG".to_owned(),
                "/etc/helpline/helpline.toml".to_owned()
            ),
            ("HELPLINE_DISCORD_SHARD_COUNT".to_owned(), "2".to_owned()),
        ],
        "the chart's variables are kept"
    );
    let container = &statefulset["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "ghcr.io/helpline/helpline:0.1.0");
    assert_eq!(container["args"], json!(["run"]));
    // The StatefulSet controller adds the two pods at the revision before the update.
    setup.api.run_statefulset_controller();
    assert!(setup.api.pods().iter().all(|pod| pod.revision == 1));

    let status = setup.status();
    assert_eq!(status["shards"], 2);
    assert_eq!(status["recommendation"]["shards"], 2);
    assert_eq!(status["recommendation"]["maxConcurrency"], 1);
    assert_eq!(status["processes"], 3);
    assert_eq!(status["observedGeneration"], 1);
    assert_eq!(
        setup.condition("Progressing"),
        ("True".to_owned(), "RollingProcesses".to_owned())
    );
    assert_eq!(setup.condition("Ready").0, "False");
    assert_eq!(setup.condition("Degraded").0, "False");
    assert_eq!(setup.api.event_reasons(), ["Resharding"]);
    let event = &setup.api.events()[0];
    assert_eq!(event["regarding"]["kind"], "HelplineCluster");
    assert_eq!(event["reportingController"], "helpline-operator");
    assert!(
        event["note"].as_str().unwrap().contains("unpublished → 2"),
        "{event}"
    );
    assert_eq!(
        series("helpline_operator_shards{cluster=\"helpline/helpline\"}"),
        2.0
    );
    // What the operator touched: the StatefulSet, its resource's status and Events; no pod.
    for (method, path) in setup.api.requests() {
        assert!(
            path == STATEFULSET_PATH
                || path == format!("{CLUSTER_PATH}/status")
                || path.starts_with("/apis/events.k8s.io/v1/namespaces/helpline/events"),
            "{method} {path}"
        );
    }
}

/// Rolls until the cluster is ready, with a StatefulSet controller that restarts every pod the
/// partition allows at once and runs twice between readiness changes; returns the ordinals in
/// the order they restarted.
async fn roll(setup: &Setup) -> Vec<usize> {
    let mut restarted = Vec::new();
    for _ in 0..20 {
        for _ in 0..2 {
            let before = setup.api.pods();
            setup.api.run_statefulset_controller();
            let after = setup.api.pods();
            for (ordinal, (old, new)) in before.iter().zip(&after).enumerate() {
                if old.revision != new.revision {
                    restarted.push(ordinal);
                }
            }
            let down = after.iter().filter(|pod| !pod.ready).count();
            assert!(down <= 1, "{down} processes down at once: {after:?}");
            // While a restarted process is not ready, the operator waits.
            let partition_before = partition(&setup.api);
            setup.reconcile().await.unwrap();
            if down == 1 {
                assert_eq!(
                    partition(&setup.api),
                    partition_before,
                    "advanced too early"
                );
            }
        }
        setup.api.pods_become_ready();
        setup.api.run_statefulset_controller();
        if setup.reconcile().await.unwrap() == Action::requeue(STEADY_POLL) {
            return restarted;
        }
    }
    panic!(
        "the roll did not end: {:?}, status {}",
        setup.api.pods(),
        setup.status()
    );
}

#[tokio::test]
async fn a_new_recommendation_rolls_the_processes_one_at_a_time() {
    let setup = Setup::start(2).await;
    setup.api.create_statefulset(3, config_env());
    setup.create_cluster(json!({
        "statefulSet": STATEFULSET,
        "processes": 3,
        "guildsPerShard": 2,
    }));
    // First publication of Discord's 2 shards, rolled onto the three processes.
    setup.reconcile().await.unwrap();
    assert_eq!(roll(&setup).await, [2, 1, 0]);
    assert_eq!(setup.status()["shards"], 2);
    assert_eq!(
        setup.condition("Ready"),
        ("True".to_owned(), "Complete".to_owned())
    );
    // A steady cluster: nothing to do, Discord not asked again before the interval.
    let requests = setup.emulator.requests().len();
    assert_eq!(
        setup.reconcile().await.unwrap(),
        Action::requeue(STEADY_POLL)
    );
    assert_eq!(
        setup.emulator.requests().len(),
        requests,
        "Discord asked early"
    );

    // The bot grows: 7 guilds at 2 per shard need 4 shards, more than Discord's 2.
    setup.emulator.populate("7x1x0x1".parse().unwrap()).unwrap();
    let guilds = setup.context_reading().await;
    let expected = guilds.div_ceil(2).max(2);
    setup.age_recommendation();
    let events_before = setup.api.event_reasons().len();
    setup.reconcile().await.unwrap();
    assert_eq!(setup.status()["shards"], expected);
    assert_eq!(partition(&setup.api), 3, "published, nothing restarted yet");
    assert!(statefulset_env(&setup.api).contains(&(
        "HELPLINE_DISCORD_SHARD_COUNT".to_owned(),
        expected.to_string()
    )));
    assert_eq!(
        roll(&setup).await,
        [2, 1, 0],
        "highest ordinal first, one each"
    );
    let revision = setup.api.pods()[0].revision;
    assert!(setup.api.pods().iter().all(|pod| *pod
        == Pod {
            revision,
            ready: true
        }));
    assert_eq!(partition(&setup.api), 0);
    assert_eq!(
        &setup.api.event_reasons()[events_before..],
        [
            "Resharding",
            "RollingProcess",
            "RollingProcess",
            "RollingProcess"
        ]
    );
    let restarted: Vec<String> = setup.api.events()[events_before + 1..]
        .iter()
        .map(|event| event["related"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        restarted,
        [
            "helpline-shards-2",
            "helpline-shards-1",
            "helpline-shards-0"
        ]
    );
    assert_eq!(setup.condition("Ready").0, "True");
    assert_eq!(setup.condition("Progressing").0, "False");
    assert_eq!(setup.status()["readyProcesses"], 3);

    // Scaling the processes changes the replicas and restarts nobody.
    setup.api.edit(CLUSTER_PATH, |cluster| {
        cluster["spec"]["processes"] = json!(5);
    });
    setup.reconcile().await.unwrap();
    assert_eq!(setup.api.get(STATEFULSET_PATH)["spec"]["replicas"], 5);
    assert_eq!(partition(&setup.api), 0);
    setup.api.run_statefulset_controller();
    assert_eq!(
        setup
            .api
            .pods()
            .iter()
            .filter(|pod| pod.revision == revision)
            .count(),
        5
    );
    assert_eq!(setup.api.event_reasons().last().unwrap(), "Scaling");
}

impl Setup {
    /// The application's approximate guild count, as Discord tells the operator.
    async fn context_reading(&self) -> u64 {
        Discord::new(
            self.emulator.bot_token().to_owned(),
            Some(&format!("http://{}", self.emulator.http_host())),
        )
        .unwrap()
        .read()
        .await
        .unwrap()
        .approximate_guilds
        .unwrap()
    }
}

#[tokio::test]
async fn failures_back_off_and_are_counted_by_kind() {
    let setup = Setup::start(2).await;
    setup.api.create_statefulset(1, config_env());
    setup.create_cluster(json!({"statefulSet": STATEFULSET, "processes": 1}));
    let kube_failures = "helpline_operator_reconcile_failures_total{error=\"kube_api\"}";
    let discord_failures = "helpline_operator_reconcile_failures_total{error=\"discord\"}";
    let (kube_before, discord_before) = (series(kube_failures), series(discord_failures));
    let reconciliations = "helpline_operator_reconciliations_total";
    let reconciliations_before = series(reconciliations);

    // The API server fails: each consecutive failure doubles the wait.
    for expected in [5, 10, 20] {
        setup.api.fail_next(1);
        let (kind, action) = setup.reconcile().await.unwrap_err();
        assert_eq!(kind, "kube_api");
        assert_eq!(
            action,
            Action::requeue(std::time::Duration::from_secs(expected))
        );
    }
    assert_eq!(series(kube_failures) - kube_before, 3.0);
    // A success resets the backoff.
    setup.reconcile().await.unwrap();

    // Discord fails: degraded, a Warning event, the next retry after the first backoff.
    setup
        .emulator
        .add_fault_rule(FaultRule::fail("GET", "/gateway/bot", 503));
    setup.age_recommendation();
    let (kind, action) = setup.reconcile().await.unwrap_err();
    assert_eq!(kind, "discord");
    assert_eq!(action, Action::requeue(helpline_operator::FIRST_BACKOFF));
    assert_eq!(series(discord_failures) - discord_before, 1.0);
    assert_eq!(
        setup.condition("Degraded"),
        ("True".to_owned(), "DiscordUnavailable".to_owned())
    );
    let warning = setup.api.events().last().unwrap().clone();
    assert_eq!(warning["type"], "Warning");
    assert_eq!(warning["reason"], "DiscordUnavailable");
    assert!(
        !warning.to_string().contains(setup.emulator.bot_token()),
        "no token in an event"
    );
    // Discord answers again: no longer degraded.
    setup.reconcile().await.unwrap();
    assert_eq!(setup.condition("Degraded").0, "False");

    // The StatefulSet is gone: degraded, counted under its own kind.
    setup.api.edit(CLUSTER_PATH, |cluster| {
        cluster["spec"]["statefulSet"] = json!("elsewhere");
    });
    let (kind, _) = setup.reconcile().await.unwrap_err();
    assert_eq!(kind, "statefulset_missing");
    assert_eq!(
        setup.condition("Degraded"),
        ("True".to_owned(), "StatefulSetMissing".to_owned())
    );
    assert_eq!(
        series("helpline_operator_reconcile_failures_total{error=\"statefulset_missing\"}"),
        1.0
    );
    assert_eq!(series(reconciliations) - reconciliations_before, 7.0);
    assert!(
        metrics()
            .render()
            .contains("helpline_operator_reconcile_duration_seconds")
    );
}
