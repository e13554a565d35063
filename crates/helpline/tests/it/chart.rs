//! The Helm chart `helm/helpline` and the plain manifests of `k8s/`, checked without a cluster:
//! `helm lint --strict`; every rendered manifest valid against Kubernetes' own schemas
//! (kubernetes-validate, strict, at the chart's oldest supported version and the newest); the
//! settings file it renders accepted by the binary (in the shard pods and in the `helpline
//! migrate` hook Job of a ScyllaDB release); its values mirroring the binary's settings
//! (one source: a setting without a value, or a value without a setting, fails); the refusals a
//! release gets before anything is created; the alert rules it ships the repository's; the pods
//! unprivileged with probes on /healthz and /readyz and a grace period above the shutdown
//! deadline; the web panel's Deployment, Service, PodDisruptionBudget and Ingress, its secrets
//! read by its pods only; the operator's release (its CRD, its HelplineCluster valid for the
//! CRD, a least-privilege Role); `k8s/helpline.yaml` not stale. `cargo xtask test` installs helm and
//! kubernetes-validate under `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A tool `cargo xtask test` installs under `target/`; `None` outside CI when missing.
fn tool(path: &str) -> Option<PathBuf> {
    let tool = root().join(path);
    if tool.exists() {
        return Some(tool);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{path} is missing: `cargo xtask test` installs it"
    );
    eprintln!("{path} is not installed here: skipped (`cargo xtask test` installs it)");
    None
}

/// Adds `sets` to a helm command: `key=value` as `--set`, `string:key=value` as
/// `--set-string` (an application id is a string: Helm would round so long a number).
fn with_sets(command: &mut Command, sets: &[&str]) {
    for set in sets {
        match set.strip_prefix("string:") {
            Some(set) => command.args(["--set-string", set]),
            None => command.args(["--set", set]),
        };
    }
}

/// `helm template` of the chart with `sets` (see [`with_sets`]), or helm's error.
fn render(helm: &Path, sets: &[&str]) -> Result<String, String> {
    let mut command = Command::new(helm);
    command.current_dir(root()).args([
        "template",
        "helpline",
        "helm/helpline",
        "--namespace",
        "helpline",
    ]);
    with_sets(&mut command, sets);
    let output = command.output().unwrap();
    if output.status.success() {
        Ok(String::from_utf8(output.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// The YAML documents of `text` as JSON values (through the venv's PyYAML).
fn documents(text: &str) -> Vec<serde_json::Value> {
    let python = root().join("target/venv/bin/python");
    let output = crate::piped(
        Command::new(python).args([
            "-c",
            "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))",
        ]),
        text,
    );
    assert!(
        output.status.success(),
        "PyYAML in target/venv (kubernetes-validate brings it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

const FULL: &[&str] = &[
    "proxy.enabled=true",
    "secrets.cluster\\.redis_url.name=helpline-redis",
    "secrets.store\\.encryption_keys.name=helpline-keys",
    "monitoring.serviceMonitor.enabled=true",
    "monitoring.prometheusRule.enabled=true",
];

/// A release on the ScyllaDB store: three shard pods sharing a keyspace over TLS with a user,
/// the CA from a Secret.
const SCYLLA: &[&str] = &[
    "settings.store.backend=scylla",
    "settings.store.scylla_contact_points=scylla-0.scylla:9042\\,scylla-1.scylla:9042",
    "settings.store.scylla_username=helpline",
    "settings.store.scylla_tls=true",
    "secrets.store\\.scylla_password.name=helpline-scylla",
    "scyllaCa.secretName=helpline-scylla-ca",
    "shards.replicas=3",
    "secrets.cluster\\.redis_url.name=helpline-redis",
];

/// A release with `helpline interactions` pods apart from the shards, on ScyllaDB.
const INTERACTIONS: &[&str] = &[
    "settings.store.backend=scylla",
    "settings.store.scylla_contact_points=scylla-client.scylla:9042",
    "interactions.enabled=true",
    "interactions.replicas=3",
    "settings.interactions.listen=0.0.0.0:8443",
];

/// A release with the web panel: on ScyllaDB (which the panel pods read), two replicas behind
/// an Ingress with TLS, its secrets from a Secret.
const PANEL: &[&str] = &[
    "settings.store.backend=scylla",
    "settings.store.scylla_contact_points=scylla-client.scylla:9042",
    "secrets.store\\.encryption_keys.name=helpline-keys",
    "panel.enabled=true",
    "string:settings.panel.client_id=1234567890123456789",
    "secrets.panel\\.client_secret.name=helpline-panel",
    "secrets.panel\\.session_key.name=helpline-panel",
    "panel.ingress.enabled=true",
    "panel.ingress.className=nginx",
    "panel.ingress.host=panel.example.com",
    "panel.ingress.tls.secretName=panel-example-com-tls",
];

#[test]
fn the_chart_lints_and_renders_manifests_kubernetes_accepts() {
    let (Some(helm), Some(validate)) = (
        tool("target/tools/helm"),
        tool("target/venv/bin/kubernetes-validate"),
    ) else {
        return;
    };
    for sets in [&[][..], FULL, SCYLLA, PANEL, INTERACTIONS] {
        let mut lint = Command::new(&helm);
        lint.current_dir(root())
            .args(["lint", "--strict", "helm/helpline"]);
        with_sets(&mut lint, sets);
        let output = lint.output().unwrap();
        assert!(
            output.status.success(),
            "helm lint {sets:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The example release of the README lints and renders too.
    let example = "helm/helpline/examples/production.yaml";
    for subcommand in [
        &["lint", "--strict", "helm/helpline"][..],
        &["template", "helpline", "helm/helpline"],
    ] {
        let output = Command::new(&helm)
            .current_dir(root())
            .args(subcommand)
            .args(["-f", example])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "helm {subcommand:?} -f {example}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // The Prometheus Operator's kinds have no schema in Kubernetes': those are checked below.
    let rendered = render(&helm, &FULL[..3]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("rendered.yaml", &rendered),
        ("scylla.yaml", &render(&helm, SCYLLA).unwrap()),
        ("panel.yaml", &render(&helm, PANEL).unwrap()),
        ("interactions.yaml", &render(&helm, INTERACTIONS).unwrap()),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        for version in ["1.30.0", "1.37.0"] {
            let output = Command::new(&validate)
                .args(["--strict", "--quiet", "-k", version])
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "kubernetes-validate {version} {name}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let kinds: Vec<String> = documents(&rendered)
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in [
        "ConfigMap",
        "StatefulSet",
        "Service",
        "Deployment",
        "PodDisruptionBudget",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing: {kinds:?}");
    }
}

#[test]
fn the_pods_run_unprivileged_with_probes_and_a_grace_period_above_the_shutdown_deadline() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    let rendered = render(
        &helm,
        &[FULL[0], FULL[1], "settings.bot.shutdown_deadline_secs=40"],
    )
    .unwrap();
    let docs = documents(&rendered);
    let workloads: Vec<&serde_json::Value> = docs
        .iter()
        .filter(|d| matches!(d["kind"].as_str(), Some("StatefulSet" | "Deployment")))
        .collect();
    assert_eq!(workloads.len(), 2, "the shard group and the proxy");
    for workload in workloads {
        let name = workload["metadata"]["name"].as_str().unwrap();
        let pod = &workload["spec"]["template"]["spec"];
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        let grace = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
        for container in pod["containers"].as_array().unwrap() {
            let security = &container["securityContext"];
            assert_eq!(security["readOnlyRootFilesystem"], true, "{name}");
            assert_eq!(security["allowPrivilegeEscalation"], false, "{name}");
            assert_eq!(security["capabilities"]["drop"][0], "ALL", "{name}");
            assert_eq!(
                container["livenessProbe"]["httpGet"]["path"], "/healthz",
                "{name}"
            );
            assert_eq!(
                container["readinessProbe"]["httpGet"]["path"], "/readyz",
                "{name}"
            );
            assert!(container["lifecycle"]["preStop"].is_object(), "{name}");
            // The token comes from the Secret, never from a value.
            let env = container["env"].as_array().unwrap();
            let token = env.iter().find(|e| e["name"] == "DISCORD_TOKEN").unwrap();
            assert_eq!(
                token["valueFrom"]["secretKeyRef"]["name"],
                "helpline-discord"
            );
            assert!(token.get("value").is_none());
        }
        if workload["kind"] == "StatefulSet" {
            assert_eq!(grace, 40 + 15, "{name}: above the shutdown deadline");
            assert_eq!(
                workload["spec"]["podManagementPolicy"], "Parallel",
                "{name}"
            );
        }
    }
    // With monitoring, the ServiceMonitor scrapes both components and the PrometheusRule holds
    // the repository's alert rules.
    let rendered = render(&helm, FULL).unwrap();
    let docs = documents(&rendered);
    let rule = docs.iter().find(|d| d["kind"] == "PrometheusRule").unwrap();
    let groups = rule["spec"]["groups"].as_array().unwrap();
    let alerts: Vec<&str> = groups
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap())
        .filter_map(|r| r["alert"].as_str())
        .collect();
    assert!(alerts.contains(&"HelplineShardsNotReady"), "{alerts:?}");
    assert!(docs.iter().any(|d| d["kind"] == "ServiceMonitor"));
    assert_eq!(
        std::fs::read_to_string(root().join("helm/helpline/files/alerts.yml")).unwrap(),
        std::fs::read_to_string(root().join("dashboards/alerts.yml")).unwrap(),
        "the chart ships dashboards/alerts.yml as it is: copy it to helm/helpline/files/"
    );
}

/// The settings file the chart renders into its ConfigMap (the release's, not a hook's).
fn settings_file(helm: &Path, sets: &[&str]) -> String {
    let rendered = render(helm, sets).unwrap();
    documents(&rendered)
        .into_iter()
        .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["annotations"].is_null())
        .unwrap()["data"]["helpline.toml"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The environment the chart gives the shard pods' container, as the kubelet would resolve it
/// (Secrets with stand-in values, the pod's name for `metadata.name`), the settings file at
/// `config`.
fn pod_environment(rendered: &[serde_json::Value], config: &Path) -> Vec<(String, String)> {
    let shards = rendered
        .iter()
        .find(|d| d["kind"] == "StatefulSet")
        .unwrap();
    let container = &shards["spec"]["template"]["spec"]["containers"][0];
    container_environment(container, "helpline-shards-0", config)
}

/// The environment of `container` in the pod `pod`, resolved as [`pod_environment`] does.
fn container_environment(
    container: &serde_json::Value,
    pod: &str,
    config: &Path,
) -> Vec<(String, String)> {
    let mut env = vec![("HOSTNAME".to_owned(), pod.to_owned())];
    for variable in container["env"].as_array().unwrap() {
        let name = variable["name"].as_str().unwrap().to_owned();
        let value = if name == "HELPLINE_CONFIG" {
            config.display().to_string()
        } else if let Some(value) = variable["value"].as_str() {
            value.to_owned()
        } else if variable["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name" {
            pod.to_owned()
        } else {
            match name.as_str() {
                "DISCORD_TOKEN" => "MTIz.stand-in.token".to_owned(),
                "HELPLINE_CLUSTER_REDIS_URL" => "redis://redis:6379/0".to_owned(),
                "HELPLINE_STORE_ENCRYPTION_KEYS" => {
                    "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()
                }
                "HELPLINE_STORE_SCYLLA_PASSWORD" => "stand-in-password".to_owned(),
                "HELPLINE_PANEL_CLIENT_SECRET" => "stand-in-client-secret".to_owned(),
                "HELPLINE_PANEL_SESSION_KEY" => {
                    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=".to_owned()
                }
                other => panic!("{other} comes from an unknown source: {variable}"),
            }
        };
        env.push((name, value));
    }
    env
}

#[test]
fn the_binary_in_a_pod_takes_the_settings_the_chart_renders() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for sets in [&[][..], FULL, SCYLLA] {
        let rendered = documents(&render(&helm, sets).unwrap());
        let file = dir.path().join("helpline.toml");
        std::fs::write(&file, settings_file(&helm, sets)).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_helpline"))
            .arg("config")
            .env_clear()
            .envs(pod_environment(&rendered, &file))
            .output()
            .unwrap();
        let printed = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{sets:?}: {}{printed}",
            String::from_utf8_lossy(&output.stderr)
        );
        // What the chart says the process serves and keeps is what it does: nothing in the
        // pod's environment overrides the settings file.
        for line in [
            "sqlite_path = \"/data/helpline.sqlite3\"  # config file",
            "listen = \"0.0.0.0:9100\"  # config file",
            "process_name = \"helpline-shards-0\"  # environment HELPLINE_CLUSTER_PROCESS_NAME",
        ] {
            assert!(
                printed.contains(line),
                "{sets:?}: {line} missing in\n{printed}"
            );
        }
        if sets == FULL {
            // The proxy's Service, set for the shard processes.
            assert!(
                printed.contains("rest_proxy = \"http://helpline-proxy:8081\"  # config file"),
                "{printed}"
            );
        }
        if sets == SCYLLA {
            for line in [
                "backend = \"scylla\"  # config file",
                "scylla_contact_points = \"scylla-0.scylla:9042,scylla-1.scylla:9042\"  # config file",
                "scylla_password = \"[redacted]\"  # environment HELPLINE_STORE_SCYLLA_PASSWORD",
                "scylla_tls = true  # config file",
                // Where the chart mounts the CA Secret.
                "scylla_tls_ca_file = \"/etc/helpline-scylla-ca/ca.crt\"  # config file",
                "scylla_replication = \"{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}\"  # config file",
            ] {
                assert!(printed.contains(line), "{line} missing in\n{printed}");
            }
        }
    }
}

/// The panel: `helpline panel` in unprivileged pods probed on its own `/healthz`, a Service, a
/// PodDisruptionBudget and the Ingress of its host; only its pods read its secrets (and not
/// Redis's); its settings, with the public URL of the Ingress host, taken by the binary.
#[test]
fn the_panel_runs_unprivileged_behind_its_service_and_ingress_with_its_own_secrets() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    let with_redis = [PANEL, &["secrets.cluster\\.redis_url.name=helpline-redis"]].concat();
    let docs = documents(&render(&helm, &with_redis).unwrap());
    let named = |kind: &str, name: &str| {
        docs.iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    };
    let deployment = named("Deployment", "helpline-panel");
    assert_eq!(deployment["spec"]["replicas"], 2);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["args"], serde_json::json!(["panel"]));
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"][0], "ALL");
    for probe in ["startupProbe", "livenessProbe", "readinessProbe"] {
        assert_eq!(container[probe]["httpGet"]["path"], "/healthz", "{probe}");
        assert_eq!(container[probe]["httpGet"]["port"], "http", "{probe}");
    }
    assert!(container["lifecycle"]["preStop"].is_object());
    assert!(container["resources"]["limits"]["memory"].is_string());
    let ports: Vec<(&str, u64)> = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["containerPort"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ports, [("http", 8080), ("metrics", 9100)]);
    let secret_env = |container: &serde_json::Value| -> Vec<String> {
        container["env"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| !e["valueFrom"]["secretKeyRef"].is_null())
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        secret_env(container),
        [
            "DISCORD_TOKEN",
            "HELPLINE_PANEL_CLIENT_SECRET",
            "HELPLINE_PANEL_SESSION_KEY",
            "HELPLINE_STORE_ENCRYPTION_KEYS"
        ]
    );
    let shards = named("StatefulSet", "helpline-shards");
    let shard_secrets = secret_env(&shards["spec"]["template"]["spec"]["containers"][0]);
    assert_eq!(
        shard_secrets,
        [
            "HELPLINE_CLUSTER_REDIS_URL",
            "DISCORD_TOKEN",
            "HELPLINE_STORE_ENCRYPTION_KEYS"
        ],
        "the bot never reads the panel's secrets"
    );

    let service = named("Service", "helpline-panel");
    assert_eq!(
        service["spec"]["selector"]["app.kubernetes.io/component"],
        "panel"
    );
    assert_eq!(service["spec"]["ports"][0]["name"], "http");
    assert_eq!(service["spec"]["ports"][0]["port"], 8080);
    let budget = named("PodDisruptionBudget", "helpline-panel");
    assert_eq!(budget["spec"]["minAvailable"], 1);
    let ingress = named("Ingress", "helpline-panel");
    assert_eq!(ingress["spec"]["ingressClassName"], "nginx");
    assert_eq!(ingress["spec"]["rules"][0]["host"], "panel.example.com");
    assert_eq!(
        ingress["spec"]["tls"],
        serde_json::json!([{"hosts": ["panel.example.com"], "secretName": "panel-example-com-tls"}])
    );
    let backend = &ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
    assert_eq!(backend["name"], "helpline-panel");
    assert_eq!(backend["port"]["name"], "http");

    // The binary in a panel pod: the public URL from the Ingress host, its secrets from the
    // environment, redacted.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("helpline.toml");
    std::fs::write(&file, settings_file(&helm, &with_redis)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("config")
        .env_clear()
        .envs(container_environment(
            container,
            "helpline-panel-5d8f7-x2k4q",
            &file,
        ))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}{printed}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "listen = \"0.0.0.0:8080\"  # config file",
        "public_url = \"https://panel.example.com\"  # config file",
        "client_id = \"1234567890123456789\"  # config file",
        "client_secret = \"[redacted]\"  # environment HELPLINE_PANEL_CLIENT_SECRET",
        "session_key = \"[redacted]\"  # environment HELPLINE_PANEL_SESSION_KEY",
        "backend = \"scylla\"  # config file",
    ] {
        assert!(printed.contains(line), "{line} missing in\n{printed}");
    }
    // A public URL given wins over the Ingress host; no panel, no panel resources.
    let given = [
        PANEL,
        &["settings.panel.public_url=https://tickets.example.org"],
    ]
    .concat();
    assert!(
        settings_file(&helm, &given).contains("public_url = \"https://tickets.example.org\"\n")
    );
    let without = documents(&render(&helm, FULL).unwrap());
    assert!(
        !without
            .iter()
            .any(|d| d["metadata"]["labels"]["app.kubernetes.io/component"] == "panel")
    );
}

#[test]
fn a_scylla_release_runs_helpline_migrate_as_a_hook_before_anything_else() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    // No hook on SQLite: every `helpline run` migrates its own file.
    let sqlite = documents(&render(&helm, FULL).unwrap());
    assert!(!sqlite.iter().any(|d| d["kind"] == "Job"));
    assert!(
        !sqlite
            .iter()
            .any(|d| !d["metadata"]["annotations"]["helm.sh/hook"].is_null())
    );

    let rendered = documents(&render(&helm, SCYLLA).unwrap());
    let hooks: Vec<&serde_json::Value> = rendered
        .iter()
        .filter(|d| !d["metadata"]["annotations"]["helm.sh/hook"].is_null())
        .collect();
    let kinds: Vec<&str> = hooks.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "Job"]);
    let weight = |d: &serde_json::Value| -> i64 {
        d["metadata"]["annotations"]["helm.sh/hook-weight"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    // The Job's settings exist before it: hooks run before the release's own ConfigMap does.
    assert!(weight(hooks[0]) < weight(hooks[1]));
    for hook in &hooks {
        let annotations = &hook["metadata"]["annotations"];
        assert_eq!(annotations["helm.sh/hook"], "pre-install,pre-upgrade");
        assert_eq!(
            annotations["helm.sh/hook-delete-policy"],
            "before-hook-creation,hook-succeeded"
        );
    }
    // The same settings as the shard pods.
    let release_config = rendered
        .iter()
        .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["annotations"].is_null())
        .unwrap();
    assert_eq!(
        hooks[0]["data"]["helpline.toml"],
        release_config["data"]["helpline.toml"]
    );
    let job = hooks[1];
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["args"], serde_json::json!(["migrate"]));
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["capabilities"]["drop"][0], "ALL");
    // Only the secret `migrate` reads, from its Secret: the bot token's Secret may not exist
    // yet when the hook runs.
    let env = container["env"].as_array().unwrap();
    let secret_env: Vec<&str> = env
        .iter()
        .filter(|e| !e["valueFrom"]["secretKeyRef"].is_null())
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(secret_env, ["HELPLINE_STORE_SCYLLA_PASSWORD"]);
    let volumes = pod["volumes"].as_array().unwrap();
    let config = volumes.iter().find(|v| v["name"] == "config").unwrap();
    assert_eq!(config["configMap"]["name"], hooks[0]["metadata"]["name"]);
    assert!(
        volumes
            .iter()
            .any(|v| v["secret"]["secretName"] == "helpline-scylla-ca")
    );

    // The binary in the Job's pod reads what the shard pods read, and its password.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("helpline.toml");
    std::fs::write(&file, hooks[0]["data"]["helpline.toml"].as_str().unwrap()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("config")
        .env_clear()
        .envs(container_environment(
            container,
            "helpline-migrate-x7k2p",
            &file,
        ))
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}{printed}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "backend = \"scylla\"  # config file",
        "scylla_password = \"[redacted]\"  # environment HELPLINE_STORE_SCYLLA_PASSWORD",
        "scylla_tls_ca_file = \"/etc/helpline-scylla-ca/ca.crt\"  # config file",
    ] {
        assert!(printed.contains(line), "{line} missing in\n{printed}");
    }

    // A shard pod needs no volume of its own on ScyllaDB.
    let shards = rendered
        .iter()
        .find(|d| d["kind"] == "StatefulSet")
        .unwrap();
    assert!(shards["spec"]["volumeClaimTemplates"].is_null());
    assert_eq!(shards["spec"]["replicas"], 3);
}

#[test]
fn the_values_mirror_the_binary_s_settings() {
    let Some(_) = tool("target/venv/bin/python") else {
        return;
    };
    // Every setting, from the binary: `key = value` or `# key: unset` under `[section]`.
    let output = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("config")
        .env_clear()
        .output()
        .unwrap();
    let mut settings = std::collections::BTreeSet::new();
    let mut section = String::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
        } else if !section.is_empty() {
            let key = line
                .trim_start_matches("# ")
                .split([' ', ':', '='])
                .next()
                .unwrap();
            if !key.is_empty() {
                settings.insert(format!("{section}.{key}"));
            }
        }
    }
    assert!(
        settings.contains("discord.token") && settings.contains("proxy.egress"),
        "{settings:?}"
    );
    let values = std::fs::read_to_string(root().join("helm/helpline/values.yaml")).unwrap();
    let values = documents(&values).remove(0);
    let mut mirrored = std::collections::BTreeSet::new();
    for (section, keys) in values["settings"].as_object().unwrap() {
        for key in keys.as_object().unwrap().keys() {
            mirrored.insert(format!("{section}.{key}"));
        }
    }
    let secrets: std::collections::BTreeSet<String> = values["secrets"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    assert!(
        mirrored.is_disjoint(&secrets),
        "a setting both secret and plain"
    );
    let all: std::collections::BTreeSet<String> = mirrored.union(&secrets).cloned().collect();
    let missing: Vec<_> = settings.difference(&all).collect();
    let unknown: Vec<_> = all.difference(&settings).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "settings without a chart value: {missing:?}; chart values that are no setting: {unknown:?}"
    );
    // The secret ones are exactly the settings the binary keeps secret.
    let help = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for secret in &secrets {
        assert!(
            help.contains(&format!("{secret} (secret")),
            "{secret} is not a secret setting"
        );
    }
}

#[test]
fn a_release_that_cannot_work_is_refused_before_anything_is_created() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    for (sets, says) in [
        (&["shards.replicas=2"][..], "needs a shared store"),
        (
            &["interactions.enabled=true"][..],
            "interactions.enabled needs settings.interactions.listen",
        ),
        (
            &[
                "interactions.enabled=true",
                "settings.interactions.listen=0.0.0.0:8443",
            ][..],
            "interactions.enabled needs settings.store.backend scylla",
        ),
        (
            &["proxy.enabled=true", "proxy.replicas=2"][..],
            "share one budget through Redis",
        ),
        (
            &["secrets.discord\\.token.name="][..],
            "the Secret holding the bot token is required",
        ),
        (
            &["settings.store.backend=postgres"][..],
            "settings/store/backend",
        ),
        (
            &["settings.store.backend=scylla"][..],
            "not a loopback address the pods cannot reach",
        ),
        (
            &["settings.store.scylla_keyspace=help-line"][..],
            "settings/store/scylla_keyspace",
        ),
        (
            &["settings.store.scylla_contact_points=scylla"][..],
            "settings/store/scylla_contact_points",
        ),
        (
            &["settings.store.scylla_replication=3"][..],
            "settings/store/scylla_replication",
        ),
        (
            &["settings.metrics.listen=9100"][..],
            "settings/metrics/listen",
        ),
        (
            &["settings.discord.shard_count=0"][..],
            "settings/discord/shard_count",
        ),
        (&["settings.discord.shrad_count=4"][..], "shrad_count"),
        (
            &["settings.discord.shard_range=7 to 9"][..],
            "settings/discord/shard_range",
        ),
        (
            &["shards.replicas=2", "settings.discord.shard_range=0-7"][..],
            "runs a range whole in one process",
        ),
        (
            &["settings.cluster.renew_interval_ms=6000"][..],
            "at most a third of lease_ttl_ms",
        ),
        (
            &["settings.metrics.listen=127.0.0.1:9100"][..],
            "must not be a loopback address",
        ),
        (
            &["settings.proxy.invalid_threshold=10000"][..],
            "invalid_threshold",
        ),
        (
            &["settings.store.sqlite_path=/var/helpline.sqlite3"][..],
            "sqlite_path",
        ),
        (
            &["panel.enabled=true"][..],
            "panel.enabled needs settings.store.backend scylla",
        ),
        (
            &PANEL[..PANEL.len() - 4],
            "panel.enabled needs settings.panel.public_url (or panel.ingress.host)",
        ),
        (
            &[&PANEL[..4], &PANEL[5..]].concat()[..],
            "panel.enabled needs settings.panel.client_id",
        ),
        (
            &[&PANEL[..5], &PANEL[6..]].concat()[..],
            "panel.enabled needs secrets[\"panel.client_secret\"].name",
        ),
        (
            &[&PANEL[..6], &PANEL[7..]].concat()[..],
            "panel.enabled needs secrets[\"panel.session_key\"].name",
        ),
        (
            &["panel.ingress.enabled=true"][..],
            "panel.ingress.enabled needs panel.ingress.host",
        ),
        (
            &[PANEL, &["settings.panel.listen=0.0.0.0:9100"]].concat()[..],
            "settings.panel.listen and settings.metrics.listen need different ports",
        ),
        (
            &["settings.panel.listen=127.0.0.1:8080"][..],
            "settings.panel.listen (127.0.0.1:8080) must not be a loopback address",
        ),
        (
            &["settings.panel.public_url=https://example.com/panel"][..],
            "settings/panel/public_url",
        ),
        (
            &["settings.panel.client_id=1234567890123456789"][..],
            "settings/panel/client_id",
        ),
        (
            &["panel.ingress.host=Panel Example"][..],
            "panel/ingress/host",
        ),
    ] {
        let error = render(&helm, sets).unwrap_err();
        assert!(error.contains(says), "{sets:?}: {error}");
    }
}

#[test]
fn the_plain_manifests_are_the_chart_rendered_with_its_defaults() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    let committed = std::fs::read_to_string(root().join("k8s/helpline.yaml")).unwrap();
    let body = committed
        .lines()
        .skip_while(|line| line.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let fresh = render(&helm, &[]).unwrap();
    assert_eq!(
        body.trim_end(),
        fresh.trim_end(),
        "k8s/helpline.yaml is stale: run `cargo xtask k8s`"
    );
}

/// A release with the operator: three shard processes on ScyllaDB sharing leases through Redis,
/// sized by the operator from Discord's recommendation (at most 1,000 guilds a shard).
const OPERATOR: &[&str] = &[
    "settings.store.backend=scylla",
    "settings.store.scylla_contact_points=scylla-client.scylla:9042",
    "secrets.cluster\\.redis_url.name=helpline-redis",
    "shards.replicas=3",
    "operator.enabled=true",
    "operator.guildsPerShard=1000",
];

/// The operator's release: it lints; its manifests and the CRD are valid Kubernetes objects;
/// the HelplineCluster it renders is valid for the CRD's schema and for the operator's own type;
/// its Role grants what the operator does and nothing more (no pods, Secrets or ConfigMaps, the
/// shard StatefulSet only); it owns the StatefulSet's replicas; its pod is unprivileged, probed,
/// reads the bot token only, and takes the settings the chart renders.
#[test]
fn the_operator_release_is_valid_with_least_privilege() {
    let (Some(helm), Some(validate)) = (
        tool("target/tools/helm"),
        tool("target/venv/bin/kubernetes-validate"),
    ) else {
        return;
    };
    let mut lint = Command::new(&helm);
    lint.current_dir(root())
        .args(["lint", "--strict", "helm/helpline"]);
    with_sets(&mut lint, OPERATOR);
    let output = lint.output().unwrap();
    assert!(
        output.status.success(),
        "helm lint: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let rendered = render(&helm, OPERATOR).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("operator.yaml");
    std::fs::write(&file, &rendered).unwrap();
    let crd = root().join("helm/helpline/crds/helplinecluster.yaml");
    for version in ["1.30.0", "1.37.0"] {
        for manifest in [&file, &crd] {
            let output = Command::new(&validate)
                .args(["--strict", "--quiet", "-k", version])
                .arg(manifest)
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "kubernetes-validate {version} {}: {}{}",
                manifest.display(),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
    let docs = documents(&rendered);
    let kind = |kind: &str| -> Vec<&serde_json::Value> {
        docs.iter().filter(|d| d["kind"] == kind).collect()
    };

    // The HelplineCluster: valid for the CRD's schema (jsonschema, as the API server would
    // check its structure) and for the operator's type.
    let cluster = kind("HelplineCluster")[0].clone();
    let crd_doc = documents(&std::fs::read_to_string(&crd).unwrap()).remove(0);
    let schema = &crd_doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
    let check = crate::piped(
        Command::new(root().join("target/venv/bin/python")).args([
            "-c",
            "import json, sys, jsonschema; d = json.load(sys.stdin); jsonschema.validate(d['object'], d['schema'])",
        ]),
        &serde_json::json!({"object": cluster, "schema": schema}).to_string(),
    );
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let typed: helpline_operator::HelplineCluster = serde_json::from_value(cluster).unwrap();
    assert_eq!(typed.spec.stateful_set, "helpline-shards");
    assert_eq!(typed.spec.processes, 3, "shards.replicas");
    assert_eq!(typed.spec.shards, helpline_operator::ShardCount::Auto);
    assert_eq!(typed.spec.guilds_per_shard, Some(1000));

    // The StatefulSet's replicas are the operator's: Helm would reset them at each upgrade.
    let shards = kind("StatefulSet")[0];
    assert!(shards["spec"].get("replicas").is_none(), "{shards}");

    // Least privilege: one Role in the release's namespace, no ClusterRole.
    assert!(kind("ClusterRole").is_empty() && kind("ClusterRoleBinding").is_empty());
    let role = kind("Role")[0];
    let mut granted = Vec::new();
    for rule in role["rules"].as_array().unwrap() {
        for group in rule["apiGroups"].as_array().unwrap() {
            for resource in rule["resources"].as_array().unwrap() {
                let mut verbs: Vec<&str> = rule["verbs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                verbs.sort_unstable();
                let names = rule["resourceNames"].clone();
                granted.push(format!(
                    "{}/{} {} {names}",
                    group.as_str().unwrap(),
                    resource.as_str().unwrap(),
                    verbs.join(",")
                ));
            }
        }
    }
    assert_eq!(
        granted,
        [
            "helpline.dev/helplineclusters get,list,watch null",
            "helpline.dev/helplineclusters/status get,patch null",
            "apps/statefulsets get,patch [\"helpline-shards\"]",
            "events.k8s.io/events create,patch null",
        ]
    );
    let binding = kind("RoleBinding")[0];
    assert_eq!(binding["subjects"][0]["name"], "helpline-operator");

    // The operator's pod.
    let deployment = kind("Deployment")
        .into_iter()
        .find(|d| d["metadata"]["name"] == "helpline-operator")
        .unwrap();
    assert_eq!(deployment["spec"]["replicas"], 1);
    assert_eq!(deployment["spec"]["strategy"]["type"], "Recreate");
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["serviceAccountName"], "helpline-operator");
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["args"], serde_json::json!(["operator"]));
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    let secrets: Vec<&str> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["valueFrom"]["secretKeyRef"].is_object())
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(secrets, ["DISCORD_TOKEN"], "the token only");
    let config = dir.path().join("helpline.toml");
    std::fs::write(&config, settings_file(&helm, OPERATOR)).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("config")
        .env_clear()
        .envs(container_environment(
            container,
            "helpline-operator-0",
            &config,
        ))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // A release whose pods run a shard range whole cannot share a published count.
    let refused = render(
        &helm,
        &["operator.enabled=true", "settings.discord.shard_range=0-1"],
    )
    .unwrap_err();
    assert!(
        refused.contains("operator.enabled needs settings.discord.shard_range all"),
        "{refused}"
    );
}

/// `helpline interactions` as its own workload: unprivileged pods serving the endpoint and their
/// metrics, behind a Service, with their disruption budget; the shards keep running the gateway.
#[test]
fn the_interactions_workload_serves_the_endpoint_apart_from_the_shards() {
    let Some(helm) = tool("target/tools/helm") else {
        return;
    };
    let docs = documents(&render(&helm, INTERACTIONS).unwrap());
    let named = |kind: &str, name: &str| {
        docs.iter()
            .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind} {name}"))
    };
    let deployment = named("Deployment", "helpline-interactions");
    assert_eq!(deployment["spec"]["replicas"], 3);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    assert_eq!(container["args"], serde_json::json!(["interactions"]));
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    let ports: Vec<(&str, u64)> = container["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["containerPort"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(ports.contains(&("interactions", 8443)), "{ports:?}");
    let env: Vec<&str> = container["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert!(env.contains(&"DISCORD_TOKEN"), "{env:?}");
    assert!(!env.contains(&"HELPLINE_PANEL_SESSION_KEY"), "{env:?}");
    let service = named("Service", "helpline-interactions");
    assert_eq!(service["spec"]["ports"][0]["name"], "interactions");
    assert_eq!(service["spec"]["ports"][0]["port"], 8443);
    assert_eq!(
        named("PodDisruptionBudget", "helpline-interactions")["spec"]["minAvailable"],
        1
    );
    // The shards still run the gateway, as `helpline run`.
    let shards = docs
        .iter()
        .find(|d| d["kind"] == "StatefulSet")
        .expect("the shard group");
    assert_eq!(
        shards["spec"]["template"]["spec"]["containers"][0]["args"],
        serde_json::json!(["run"])
    );
}
