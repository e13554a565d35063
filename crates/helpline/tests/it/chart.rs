//! The Helm chart `helm/helpline` and the plain manifests of `k8s/`, checked without a cluster:
//! `helm lint --strict`; every rendered manifest valid against Kubernetes' own schemas
//! (kubernetes-validate, strict, at the chart's oldest supported version and the newest); the
//! settings file it renders accepted by the binary; its values mirroring the binary's settings
//! (one source: a setting without a value, or a value without a setting, fails); the refusals a
//! release gets before anything is created; the alert rules it ships the repository's; the pods
//! unprivileged with probes on /healthz and /readyz and a grace period above the shutdown
//! deadline; `k8s/helpline.yaml` not stale. `cargo xtask test` installs helm and
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

/// `helm template` of the chart with `sets` (`key=value`), or helm's error.
fn render(helm: &Path, sets: &[&str]) -> Result<String, String> {
    let mut command = Command::new(helm);
    command.current_dir(root()).args([
        "template",
        "helpline",
        "helm/helpline",
        "--namespace",
        "helpline",
    ]);
    for set in sets {
        command.args(["--set", set]);
    }
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

#[test]
fn the_chart_lints_and_renders_manifests_kubernetes_accepts() {
    let (Some(helm), Some(validate)) = (
        tool("target/tools/helm"),
        tool("target/venv/bin/kubernetes-validate"),
    ) else {
        return;
    };
    for sets in [&[][..], FULL] {
        let mut lint = Command::new(&helm);
        lint.current_dir(root())
            .args(["lint", "--strict", "helm/helpline"]);
        for set in sets {
            lint.args(["--set", set]);
        }
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
    let file = dir.path().join("rendered.yaml");
    std::fs::write(&file, &rendered).unwrap();
    for version in ["1.30.0", "1.37.0"] {
        let output = Command::new(&validate)
            .args(["--strict", "--quiet", "-k", version])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "kubernetes-validate {version}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
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

/// The settings file the chart renders into its ConfigMap.
fn settings_file(helm: &Path, sets: &[&str]) -> String {
    let rendered = render(helm, sets).unwrap();
    documents(&rendered)
        .into_iter()
        .find(|d| d["kind"] == "ConfigMap")
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
    let mut env = vec![("HOSTNAME".to_owned(), "helpline-shards-0".to_owned())];
    for variable in container["env"].as_array().unwrap() {
        let name = variable["name"].as_str().unwrap().to_owned();
        let value = if name == "HELPLINE_CONFIG" {
            config.display().to_string()
        } else if let Some(value) = variable["value"].as_str() {
            value.to_owned()
        } else if variable["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name" {
            "helpline-shards-0".to_owned()
        } else {
            match name.as_str() {
                "DISCORD_TOKEN" => "MTIz.stand-in.token".to_owned(),
                "HELPLINE_CLUSTER_REDIS_URL" => "redis://redis:6379/0".to_owned(),
                "HELPLINE_STORE_ENCRYPTION_KEYS" => {
                    "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".to_owned()
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
    for sets in [&[][..], FULL] {
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
    }
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
            &["proxy.enabled=true", "proxy.replicas=2"][..],
            "share one budget through Redis",
        ),
        (
            &["secrets.discord\\.token.name="][..],
            "the Secret holding the bot token is required",
        ),
        (
            &["settings.store.backend=scylla"][..],
            "settings/store/backend",
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
