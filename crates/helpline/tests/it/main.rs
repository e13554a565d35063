//! Runs the built `helpline` binary the way an operator would and checks its exit code,
//! stdout and stderr.

mod chart;
mod cluster;
mod image;
mod loadtest;
mod panel;
mod scylla;

use std::path::Path;
use std::process::{Command, Output};

const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh1JkL.very-secret-token-value";

/// Runs `helpline` in `dir` with only the given environment, so the developer's own
/// `RUST_LOG` or `DISCORD_TOKEN` cannot change the outcome.
fn helpline(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_helpline"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("the helpline binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn config_with_a_misspelled_key_fails_naming_file_line_column_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "helpline.toml",
        "[store]\nsqlite_pth = \"x.sqlite3\"\n",
    );
    let output = helpline(dir.path(), &["--config", &path, "config"], &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(stdout(&output), "");
    assert_eq!(
        stderr(&output),
        format!(
            "error: cannot load settings: invalid config file {path}:2:1 (key `store.sqlite_pth`): \
             unknown field `sqlite_pth`, expected one of `backend`, `sqlite_path`, \
             `max_attachment_bytes`, `max_ticket_attachment_bytes`, `encryption_keys`, \
             `scylla_contact_points`, `scylla_keyspace`, `scylla_local_datacenter`, \
             `scylla_username`, `scylla_password`, `scylla_tls`, `scylla_tls_ca_file`, \
             `scylla_replication`\n"
        )
    );
}

#[test]
fn config_file_named_by_environment_with_a_wrong_type_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "helpline.toml",
        "[store]\nmax_attachment_bytes = \"ten MiB\"\n",
    );
    let output = helpline(dir.path(), &["config"], &[("HELPLINE_CONFIG", &path)]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot load settings: invalid config file {path}:2:24 \
             (key `store.max_attachment_bytes`): invalid type: string \"ten MiB\", expected u64"
        )),
        "{stderr}"
    );
}

#[test]
fn unknown_store_backend_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "helpline.toml",
        "[store]\nbackend = \"postgres\"\n",
    );
    let output = helpline(dir.path(), &["-c", &path, "migrate"], &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = stderr(&output);
    assert!(
        stderr.contains(&format!("{path}:2:11 (key `store.backend`)")),
        "{stderr}"
    );
    assert!(
        stderr.contains("unknown store backend `postgres`, expected `sqlite` or `scylla`"),
        "{stderr}"
    );
    assert!(
        !dir.path().join("helpline.sqlite3").exists(),
        "no store was created"
    );
}

#[test]
fn missing_config_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.toml");
    let path = path.to_str().unwrap();
    let output = helpline(dir.path(), &["config", "--config", path], &[]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = stderr(&output);
    assert!(
        stderr.starts_with(&format!(
            "error: cannot load settings: cannot read config file {path}: "
        )),
        "{stderr}"
    );
}

#[test]
fn invalid_environment_value_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(
        dir.path(),
        &["config"],
        &[("HELPLINE_STORE_MAX_ATTACHMENT_BYTES", "abc")],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr(&output),
        "error: cannot load settings: invalid environment variable \
         HELPLINE_STORE_MAX_ATTACHMENT_BYTES (setting `store.max_attachment_bytes`): expected a \
         whole number of bytes such as 10485760, got `abc`\n"
    );
}

#[test]
fn config_prints_effective_settings_without_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "helpline.toml",
        &format!("[discord]\ntoken = \"{TOKEN}\"\n[store]\nsqlite_path = \"file.sqlite3\"\n"),
    );
    let env = [
        ("HELPLINE_STORE_MAX_ATTACHMENT_BYTES", "1024"),
        ("HELPLINE_STORE_SQLIT_PATH", "typo.sqlite3"),
        // The most verbose logging must not reveal the token either.
        ("RUST_LOG", "trace"),
    ];
    for format in ["toml", "debug"] {
        let output = helpline(
            dir.path(),
            &[
                "--config",
                &path,
                "config",
                "--format",
                format,
                "--set",
                "metrics.listen=[::1]:9100",
            ],
            &env,
        );
        assert!(output.status.success(), "{output:?}");
        let (stdout, stderr) = (stdout(&output), stderr(&output));
        assert!(
            !stdout.contains(TOKEN) && !stdout.contains("very-secret"),
            "{stdout}"
        );
        assert!(
            !stderr.contains(TOKEN) && !stderr.contains("very-secret"),
            "{stderr}"
        );
        assert!(stdout.contains("[redacted]"), "{stdout}");
        assert!(
            stderr.contains("HELPLINE_STORE_SQLIT_PATH"),
            "the typo is warned about: {stderr}"
        );
        if format == "toml" {
            assert!(
                stdout.contains(&format!("# config file: {path}\n")),
                "{stdout}"
            );
            assert!(
                stdout.contains("token = \"[redacted]\"  # config file\n"),
                "{stdout}"
            );
            assert!(
                stdout.contains("sqlite_path = \"file.sqlite3\"  # config file\n"),
                "{stdout}"
            );
            assert!(
                stdout.contains(
                    "max_attachment_bytes = 1024  # environment HELPLINE_STORE_MAX_ATTACHMENT_BYTES\n"
                ),
                "{stdout}"
            );
            assert!(
                stdout.contains("listen = \"[::1]:9100\"  # --set\n"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn token_on_the_command_line_is_refused_without_echoing_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(
        dir.path(),
        &["config", "--set", &format!("discord.token={TOKEN}")],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = stderr(&output);
    assert!(stderr.contains("is a secret"), "{stderr}");
    assert!(!stderr.contains(TOKEN), "{stderr}");
}

#[test]
fn migrate_creates_the_store_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("data.sqlite3");
    let env = [("HELPLINE_STORE_SQLITE_PATH", database.to_str().unwrap())];

    let first = helpline(dir.path(), &["migrate"], &env);
    assert!(first.status.success(), "{first:?}");
    assert!(database.exists());
    let first_stdout = stdout(&first);
    let prefix = format!("sqlite store {}: schema version ", database.display());
    let version = first_stdout
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("unexpected output {first_stdout:?}"));
    let version: u32 = version.parse().expect("the schema version is a number");
    assert!(version >= 1, "{first_stdout}");
    assert!(
        stderr(&first).contains("sqlite store migrated"),
        "{first:?}"
    );

    let second = helpline(dir.path(), &["migrate"], &env);
    assert!(second.status.success(), "{second:?}");
    assert_eq!(stdout(&second), first_stdout);
}

#[test]
fn migrate_uses_the_default_path_in_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(dir.path(), &["migrate"], &[("RUST_LOG", "warn")]);
    assert!(output.status.success(), "{output:?}");
    assert!(dir.path().join("helpline.sqlite3").exists());
    assert_eq!(stderr(&output), "", "nothing logged at warn");
}

#[test]
fn migrate_into_a_missing_directory_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("no-such-dir").join("data.sqlite3");
    let output = helpline(
        dir.path(),
        &[
            "migrate",
            "--set",
            &format!("store.sqlite_path={}", database.display()),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = stderr(&output);
    assert!(
        stderr.contains(&format!(
            "error: cannot open the SQLite store {}: ",
            database.display()
        )),
        "{stderr}"
    );
}

#[test]
fn help_lists_every_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(dir.path(), &["--help"], &[]);
    assert!(output.status.success(), "{output:?}");
    let stdout = stdout(&output);
    for name in [
        "HELPLINE_CONFIG",
        "HELPLINE_DISCORD_TOKEN",
        "DISCORD_TOKEN",
        "HELPLINE_DISCORD_API_URL",
        "HELPLINE_DISCORD_GATEWAY_URL",
        "HELPLINE_STORE_BACKEND",
        "HELPLINE_STORE_SQLITE_PATH",
        "HELPLINE_STORE_MAX_ATTACHMENT_BYTES",
        "HELPLINE_STORE_MAX_TICKET_ATTACHMENT_BYTES",
        "HELPLINE_STORE_SCYLLA_CONTACT_POINTS",
        "HELPLINE_STORE_SCYLLA_KEYSPACE",
        "HELPLINE_STORE_SCYLLA_PASSWORD",
        "HELPLINE_LOG_FILTER",
        "RUST_LOG",
        "HELPLINE_METRICS_LISTEN",
    ] {
        assert!(
            stdout.contains(name),
            "{name} missing from --help:\n{stdout}"
        );
    }
}

#[test]
fn no_subcommand_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(dir.path(), &[], &[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

#[test]
fn demo_script_plays_the_whole_story() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(dir.path(), &["demo", "--script"], &[("RUST_LOG", "warn")]);
    let out = stdout(&output);
    assert!(output.status.success(), "{out}\n{}", stderr(&output));
    let steps: Vec<&str> = out.lines().filter(|line| line.starts_with("ok ")).collect();
    assert_eq!(steps.len(), 12, "{out}");
    assert!(out.contains("Your ticket is open"), "{out}");
    assert!(out.contains("transcript-0001.html"), "{out}");
    assert!(out.ends_with("the whole story played\n"), "{out}");
}

#[test]
fn run_without_a_token_points_to_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(dir.path(), &["run"], &[]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("no bot token") && err.contains("helpline demo"),
        "{err}"
    );
}

/// `helpline run` against a Discord-compatible endpoint (the emulator), stopped the way
/// Kubernetes stops it: SIGTERM closes the gateway session resumably and exits 0.
#[test]
fn run_connects_and_stops_resumably_on_sigterm() {
    let mut run = RunAgainstEmulator::start(&[]);
    run.signal("TERM");
    let (exit, _, err) = run.wait();
    assert!(exit.success(), "{exit:?}\n{err}");
    let sessions = run.emulator.sessions();
    assert_eq!(sessions.len(), 1, "the session survives the shutdown");
    assert!(!sessions[0].connected);
    assert!(
        run.dir.path().join("helpline.sqlite3").exists(),
        "the SQLite store was created"
    );
}

/// An orchestrator's probes: `/healthz` while the process runs, `/readyz` once its shard is
/// connected and its store answers (503 with the reason until then, and again when the shard
/// is gone), `helpline_build_info` and the shards by state on `/metrics`.
#[test]
fn run_serves_health_probes_and_its_build() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut run = RunAgainstEmulator::start(&[("HELPLINE_METRICS_LISTEN", &listen)]);
    let get = |path: &str| -> (u16, String) {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response[9..12].parse().unwrap();
        (status, response)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let ready = loop {
        let (status, response) = get("/readyz");
        if status == 200 {
            break response;
        }
        assert_eq!(status, 503, "{response}");
        assert!(response.contains("not ready: "), "{response}");
        assert!(
            std::time::Instant::now() < deadline,
            "never ready: {response}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(
        ready.ends_with("ready: 1 shards connected, store reachable\n"),
        "{ready}"
    );
    assert_eq!(get("/healthz").0, 200);
    let (_, metrics) = get("/metrics");
    assert!(
        metrics.contains(&format!(
            "helpline_build_info{{version=\"{}\",commit=\"",
            env!("CARGO_PKG_VERSION")
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("helpline_bot_shards{state=\"ready\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("helpline_bot_shards{state=\"connecting\"} 0"),
        "{metrics}"
    );
    // Latencies are histograms (they aggregate across pods), counters start at zero, and the
    // exposition passes Prometheus's own lint.
    assert!(
        metrics.contains("helpline_bot_rest_request_duration_seconds_bucket{route=\""),
        "{metrics}"
    );
    for series in [
        "helpline_bot_tickets_opened_total 0",
        "helpline_bot_shards{state=\"identifying\"} 0",
        "helpline_bot_shards{state=\"resuming\"} 0",
        "helpline_bot_interactions_total{kind=\"component\",outcome=\"error\"} 0",
        "helpline_bot_gateway_events_skipped_total{type=\"MESSAGE_CREATE\"} 0",
        "helpline_bot_gateway_fatal_closes_total{code=\"4004\"} 0",
        "helpline_bot_worker_restarts_total{worker=\"transcript\"} 0",
        "# TYPE process_cpu_seconds_total counter",
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }
    let body = metrics.split("\r\n\r\n").nth(1).unwrap_or_default();
    promtool_accepts(body);
    // The reconciler's first pass publishes the store's active tickets and the cache's sizes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let metrics = loop {
        let (_, metrics) = get("/metrics");
        if metrics.contains("helpline_bot_active_tickets{") {
            break metrics;
        }
        assert!(std::time::Instant::now() < deadline, "{metrics}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    for series in [
        "helpline_bot_active_tickets{state=\"requested\"} 0",
        "helpline_bot_active_tickets{state=\"open\"} 0",
        "helpline_bot_active_tickets{state=\"claimed\"} 0",
        "helpline_bot_cache_entries{resource=\"guilds\"} 0",
        "helpline_bot_guilds{shard=\"0\"} 0",
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }
    // The gateway refuses the bot's session for good: not ready any more, and why.
    run.emulator.invalidate_sessions(None, false);
    run.emulator.close_connections(None, 4000);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (status, response) = get("/readyz");
        if status == 503 {
            assert!(
                response.contains("not connected") || response.contains("no shard"),
                "{response}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still ready: {response}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    run.signal("TERM");
    let (exit, _, err) = run.wait();
    assert!(exit.success(), "{exit:?}\n{err}");
}

/// The alert rules of `dashboards/` are valid, and each alert's unit tests (`alerts.test.yml`:
/// fires when it should, stays quiet beside it) pass; every alert has its runbook section.
#[test]
fn the_alert_rules_pass_their_unit_tests() {
    let dashboards = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dashboards");
    let Some(promtool) = promtool() else { return };
    for args in [
        ["check", "rules", "alerts.yml"],
        ["test", "rules", "alerts.test.yml"],
    ] {
        let output = Command::new(promtool)
            .args(args)
            .current_dir(&dashboards)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "promtool {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let rules = std::fs::read_to_string(dashboards.join("alerts.yml")).unwrap();
    let runbook = std::fs::read_to_string(dashboards.join("RUNBOOK.md")).unwrap();
    let alerts: Vec<&str> = rules
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- alert: "))
        .collect();
    assert_eq!(alerts.len(), 8, "{alerts:?}");
    for alert in alerts {
        assert!(
            runbook.contains(&format!("## {alert}\n")),
            "no runbook for {alert}"
        );
        assert!(
            rules.contains(&format!("runbook: RUNBOOK.md#{}", alert.to_lowercase())),
            "{alert} does not link its runbook"
        );
    }
}

/// The Grafana dashboards of `dashboards/`: every panel queries the data source variable, every
/// query is PromQL Prometheus accepts (checked by `promtool check rules` as recording rules, the
/// dashboard variables filled in), and every metric it reads is one Helpline declares.
#[test]
fn every_dashboard_query_is_valid_promql_over_declared_metrics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dashboards = root.join("dashboards");
    // The metric names declared in the crates (`"helpline_…"` literals of their metrics.rs and
    // the binary's telemetry).
    let mut declared = std::collections::BTreeSet::new();
    for file in [
        "crates/helpline-bot/src/metrics.rs",
        "crates/helpline-proxy/src/metrics.rs",
        "crates/helpline-cluster/src/metrics.rs",
        "crates/helpline-store/src/metrics.rs",
        "crates/helpline/src/telemetry.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for literal in text.split('"').skip(1).step_by(2) {
            if literal.starts_with("helpline_") {
                declared.insert(literal.to_owned());
            }
        }
    }
    let mut rules = String::from("groups:\n  - name: dashboards\n    rules:\n");
    let mut files: Vec<_> = std::fs::read_dir(&dashboards)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let mut uids = std::collections::BTreeSet::new();
    for file in &files {
        let dashboard: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let name = file.display();
        assert!(
            uids.insert(dashboard["uid"].as_str().unwrap().to_owned()),
            "{name}: uid"
        );
        let variables: Vec<&str> = dashboard["templating"]["list"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v["name"].as_str())
            .collect();
        assert_eq!(variables, ["datasource", "namespace", "pod"], "{name}");
        for panel in dashboard["panels"].as_array().unwrap() {
            let title = panel["title"].as_str().unwrap();
            assert_eq!(
                panel["datasource"]["uid"], "${datasource}",
                "{name}: {title}"
            );
            let targets = panel["targets"].as_array().unwrap();
            assert!(!targets.is_empty(), "{name}: {title} queries nothing");
            for target in targets {
                let expr = target["expr"].as_str().unwrap();
                let filled = expr
                    .replace("$__rate_interval", "5m")
                    .replace("$namespace", ".*")
                    .replace("$pod", ".*");
                rules.push_str(&format!(
                    "      - record: dashboard:panel\n        expr: '{}'\n",
                    filled.replace('\'', "''")
                ));
                let mut rest = expr;
                while let Some(start) = rest.find("helpline_") {
                    let tail = &rest[start..];
                    let end = tail
                        .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                        .unwrap_or(tail.len());
                    let metric = &tail[..end];
                    let base = metric.strip_suffix("_bucket").unwrap_or(metric);
                    assert!(
                        declared.contains(base),
                        "{name}: {title} reads {metric}, which no crate declares"
                    );
                    rest = &tail[end..];
                }
            }
        }
    }
    let Some(promtool) = promtool() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dashboard-queries.yml");
    std::fs::write(&path, &rules).unwrap();
    let output = Command::new(promtool)
        .args(["check", "rules"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "promtool check rules: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `promtool` when installed; when not, `None` outside CI (a skipped check says so) and a
/// failure under CI, where `cargo xtask test` installs it.
fn promtool() -> Option<&'static str> {
    let installed = Command::new("promtool")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if installed {
        return Some("promtool");
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "promtool is missing: `cargo xtask test` installs it"
    );
    eprintln!("promtool is not installed here: skipped (`cargo xtask test` installs it)");
    None
}

/// `promtool check metrics` (Debian's `prometheus`, which `cargo xtask test` installs) finds no
/// problem in an exposition.
fn promtool_accepts(exposition: &str) {
    let Some(promtool) = promtool() else { return };
    let output = piped(
        Command::new(promtool).args(["check", "metrics"]),
        exposition,
    );
    assert!(
        output.status.success() && output.stdout.is_empty() && output.stderr.is_empty(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs `command` with `input` on its stdin; its output.
fn piped(command: &mut Command, input: &str) -> std::process::Output {
    use std::io::Write as _;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The emulator, on a runtime of its own (the test itself is synchronous).
fn emulator_on_its_own_runtime() -> (tokio::runtime::Runtime, discord_emulator::Emulator) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(discord_emulator::Emulator::start(
            discord_emulator::EmulatorConfig::default(),
        ))
        .unwrap();
    (runtime, emulator)
}

/// The emulator on a runtime of its own, and `helpline run` started against it.
struct RunAgainstEmulator {
    runtime: tokio::runtime::Runtime,
    emulator: discord_emulator::Emulator,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl RunAgainstEmulator {
    fn start(extra_env: &[(&str, &str)]) -> Self {
        let (runtime, emulator) = emulator_on_its_own_runtime();
        let dir = tempfile::tempdir().unwrap();
        let api = format!("http://{}", emulator.http_host());
        let child = Command::new(env!("CARGO_BIN_EXE_helpline"))
            .arg("run")
            .current_dir(dir.path())
            .env_clear()
            .env("DISCORD_TOKEN", emulator.bot_token())
            .env("HELPLINE_DISCORD_API_URL", &api)
            .env("HELPLINE_DISCORD_GATEWAY_URL", emulator.gateway_url())
            .env("RUST_LOG", "warn")
            .envs(extra_env.iter().copied())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let run = Self {
            runtime,
            emulator,
            dir,
            child,
        };
        let connected = run.runtime.block_on(
            run.emulator
                .wait_for_sessions(1, std::time::Duration::from_secs(20)),
        );
        assert!(connected, "the bot identified");
        run
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the exit; returns its status, how long it took and what it logged.
    fn wait(&mut self) -> (std::process::ExitStatus, std::time::Duration, String) {
        let started = std::time::Instant::now();
        let status = self.child.wait().unwrap();
        let elapsed = started.elapsed();
        let mut err = String::new();
        std::io::Read::read_to_string(self.child.stderr.as_mut().unwrap(), &mut err).unwrap();
        (status, elapsed, err)
    }
}

#[test]
fn run_refuses_half_a_redirection_before_touching_anything() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(
        dir.path(),
        &["run"],
        &[
            ("DISCORD_TOKEN", TOKEN),
            ("HELPLINE_DISCORD_API_URL", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(
        err.contains("discord.api_url is set but discord.gateway_url is not"),
        "{err}"
    );
    let output = helpline(
        dir.path(),
        &["run"],
        &[
            ("DISCORD_TOKEN", TOKEN),
            ("HELPLINE_DISCORD_GATEWAY_URL", "ws://127.0.0.1:9"),
        ],
    );
    assert!(
        stderr(&output).contains("discord.gateway_url is set but discord.api_url is not"),
        "{output:?}"
    );
    assert!(!err.contains("very-secret"), "the token is never printed");
    assert!(!dir.path().join("helpline.sqlite3").exists());
}

#[test]
fn run_with_a_refused_token_says_so_and_creates_nothing() {
    let (_runtime, emulator) = emulator_on_its_own_runtime();
    let dir = tempfile::tempdir().unwrap();
    let api = format!("http://{}", emulator.http_host());
    let output = helpline(
        dir.path(),
        &["run"],
        &[
            ("DISCORD_TOKEN", TOKEN),
            ("HELPLINE_DISCORD_API_URL", &api),
            ("HELPLINE_DISCORD_GATEWAY_URL", emulator.gateway_url()),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert_eq!(
        err, "error: Discord refused the bot token: check DISCORD_TOKEN\n",
        "no raw 401"
    );
    assert!(
        !dir.path().join("helpline.sqlite3").exists(),
        "nothing is created on disk for a refused token"
    );
}

#[test]
fn run_stops_within_its_deadline_when_the_gateway_is_gone() {
    let mut run = RunAgainstEmulator::start(&[("HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS", "2")]);
    // Discord becomes unreachable: the shard keeps trying to reconnect.
    run.emulator.shutdown();
    std::thread::sleep(std::time::Duration::from_millis(300));
    run.signal("TERM");
    let (status, elapsed, err) = run.wait();
    assert!(status.success(), "{status:?}\n{err}");
    assert!(
        elapsed < std::time::Duration::from_secs(6),
        "stopped in {elapsed:?}, past its 2 s deadline\n{err}"
    );
}

#[test]
fn a_second_signal_exits_at_once() {
    let mut run = RunAgainstEmulator::start(&[("HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS", "120")]);
    run.emulator.shutdown();
    std::thread::sleep(std::time::Duration::from_millis(300));
    run.signal("TERM");
    std::thread::sleep(std::time::Duration::from_millis(300));
    run.signal("INT");
    let (status, elapsed, err) = run.wait();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(
        elapsed < std::time::Duration::from_secs(10),
        "took {elapsed:?} for a 120 s deadline\n{err}"
    );
}

#[test]
fn a_fatal_gateway_close_is_named_and_exits_non_zero() {
    let mut run = RunAgainstEmulator::start(&[]);
    assert_eq!(run.emulator.close_connections(None, 4014), 1);
    let (status, _, err) = run.wait();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(
        err.contains("code 4014") && err.contains("disallowed intents"),
        "{err}"
    );
}
