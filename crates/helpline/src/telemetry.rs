//! Logging setup (one `tracing` subscriber writing to stderr, so stdout carries only command
//! output), and the metrics and health endpoint every serving process has.

use std::io::IsTerminal as _;

use std::future::Future;
use std::sync::{Arc, OnceLock};

use anyhow::Context as _;
use axum::http::StatusCode;
use tracing_subscriber::EnvFilter;

use crate::settings::LogSettings;

/// Installs the global subscriber with the `log.filter` directives.
pub(crate) fn init(log: &LogSettings) -> anyhow::Result<()> {
    // Settings loading already parsed the filter, so this fails only on a bug.
    let filter = EnvFilter::builder()
        .parse(log.filter.as_str())
        .context("invalid log filter")?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes are noise in a container's log collector.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init()
        .map_err(|error| anyhow::anyhow!("cannot install the log subscriber: {error}"))
}

/// A process's answer to "do you serve?": `Ok` with what it serves, or what is missing.
pub(crate) type ReadyCheck = Arc<
    dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<String, String>> + Send>>
        + Send
        + Sync,
>;

/// Where a process registers its readiness once it can tell (`/readyz` answers 503 "starting"
/// until then).
#[derive(Clone, Default)]
pub(crate) struct Readiness(Arc<OnceLock<ReadyCheck>>);

impl Readiness {
    pub(crate) fn set(&self, check: ReadyCheck) {
        let _ = self.0.set(check);
    }

    async fn check(&self) -> Result<String, String> {
        match self.0.get() {
            Some(check) => check().await,
            None => Err("starting".to_owned()),
        }
    }
}

/// Installs the Prometheus recorder and serves `/metrics`, `/healthz` (the process answers)
/// and `/readyz` (it serves: see [`Readiness`]) on `listen` in the background.
pub(crate) async fn serve_metrics(listen: std::net::SocketAddr) -> anyhow::Result<Readiness> {
    let handle = recorder()?
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    build_info();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen for metrics on {listen}"))?;
    tracing::info!(listen = %listener.local_addr()?, "serving metrics and health probes");
    let readiness = Readiness::default();
    spawn_metrics_server(listener, handle, readiness.clone());
    Ok(readiness)
}

/// Buckets of the proxy's hold time: most requests are not held at all, so its low end is
/// finer than a REST call's.
const HOLD_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The recorder: latencies as histograms with buckets for their range (so they aggregate
/// across shards and pods), not summaries.
fn recorder() -> anyhow::Result<metrics_exporter_prometheus::PrometheusBuilder> {
    use helpline_bot::metrics as bot;
    use metrics_exporter_prometheus::Matcher;
    let builder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(bot::INTERACTION_ACK.to_owned()),
            bot::ACK_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(bot::REST_DURATION.to_owned()),
            bot::REST_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(bot::HANDLER_DURATION.to_owned()),
            bot::REST_BUCKETS,
        )?
        .set_buckets_for_metric(Matcher::Full(bot::EVENT_LAG.to_owned()), bot::LAG_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full(bot::FIRST_RESPONSE.to_owned()),
            bot::TICKET_TIME_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(bot::RESOLUTION.to_owned()),
            bot::TICKET_TIME_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(bot::EFFECT_AGE.to_owned()),
            bot::EFFECT_AGE_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(helpline_store::metrics::OPERATION_DURATION.to_owned()),
            helpline_store::metrics::OPERATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(helpline_operator::metrics::DURATION.to_owned()),
            helpline_operator::metrics::DURATION_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(helpline_proxy::metrics::UPSTREAM.to_owned()),
            bot::REST_BUCKETS,
        )?
        .set_buckets_for_metric(
            Matcher::Full(helpline_proxy::metrics::WAIT.to_owned()),
            HOLD_BUCKETS,
        )?;
    Ok(builder)
}

/// `helpline_build_info{version, commit} 1`: which build runs (the commit from
/// `HELPLINE_COMMIT` at build time, as the container build sets it).
fn build_info() {
    metrics::describe_gauge!(
        "helpline_build_info",
        "The build running: its version and commit (always 1)."
    );
    metrics::gauge!(
        "helpline_build_info",
        "version" => env!("CARGO_PKG_VERSION"),
        "commit" => option_env!("HELPLINE_COMMIT").unwrap_or("unknown"),
    )
    .set(1.0);
}

/// The process's own resources, read from /proc at each scrape and written under the names
/// every Prometheus client library uses (`process_cpu_seconds_total`,
/// `process_resident_memory_bytes`…), so per-pod resource panels read the same series for every
/// process. Written by hand: the CPU counter is in fractional seconds, which the `metrics`
/// crate's integer counters cannot carry.
fn process_metrics() -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, value: Option<f64>| {
        if let Some(value) = value {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
            );
        }
    };
    let stat = ProcStat::read();
    #[allow(clippy::cast_precision_loss)]
    {
        // Clock ticks of 1/100 s, the Linux value of CLK_TCK.
        let ticks = |value: u64| value as f64 / 100.0;
        family(
            "process_cpu_seconds_total",
            "counter",
            "User and system CPU time the process spent, in seconds.",
            stat.as_ref().map(|s| ticks(s.utime + s.stime)),
        );
        family(
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory size in bytes.",
            stat.as_ref().map(|s| s.rss_bytes as f64),
        );
        family(
            "process_virtual_memory_bytes",
            "gauge",
            "Virtual memory size in bytes.",
            stat.as_ref().map(|s| s.vsize as f64),
        );
        family(
            "process_threads",
            "gauge",
            "Threads of the process.",
            stat.as_ref().map(|s| s.threads as f64),
        );
        family(
            "process_start_time_seconds",
            "gauge",
            "When the process started, in seconds since the Unix epoch.",
            stat.as_ref()
                .zip(boot_time())
                .map(|(s, boot)| boot as f64 + ticks(s.starttime)),
        );
        family(
            "process_open_fds",
            "gauge",
            "Open file descriptors.",
            std::fs::read_dir("/proc/self/fd")
                .ok()
                .map(|fds| fds.count() as f64),
        );
        family(
            "process_max_fds",
            "gauge",
            "The limit of open file descriptors.",
            max_fds().map(|max| max as f64),
        );
    }
    out
}

/// The fields of /proc/self/stat the process metrics read.
struct ProcStat {
    utime: u64,
    stime: u64,
    threads: u64,
    starttime: u64,
    vsize: u64,
    rss_bytes: u64,
}

impl ProcStat {
    fn read() -> Option<Self> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name (which may hold spaces), from field 3 (state) on.
        let fields: Vec<u64> = stat
            .rsplit_once(')')?
            .1
            .split_whitespace()
            .map(|field| field.parse().unwrap_or(0))
            .collect();
        let field = |number: usize| fields.get(number - 3).copied();
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let rss_kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(Self {
            utime: field(14)?,
            stime: field(15)?,
            threads: field(20)?,
            starttime: field(22)?,
            vsize: field(23)?,
            rss_bytes: rss_kib * 1024,
        })
    }
}

fn boot_time() -> Option<u64> {
    std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()
}

fn max_fds() -> Option<u64> {
    std::fs::read_to_string("/proc/self/limits")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Serves `handle`'s metrics at `/metrics` and the probes on `listener`, and runs the
/// recorder's upkeep.
fn spawn_metrics_server(
    listener: tokio::net::TcpListener,
    handle: metrics_exporter_prometheus::PrometheusHandle,
    readiness: Readiness,
) {
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let app = axum::Router::new()
        .route(
            "/metrics",
            axum::routing::get(move || {
                let handle = handle.clone();
                async move {
                    let mut exposition = handle.render();
                    exposition.push_str(&process_metrics());
                    exposition
                }
            }),
        )
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
        .route(
            "/readyz",
            axum::routing::get(move || {
                let readiness = readiness.clone();
                async move {
                    match readiness.check().await {
                        Ok(what) => (StatusCode::OK, format!("ready: {what}\n")),
                        Err(why) => (
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!("not ready: {why}\n"),
                        ),
                    }
                }
            }),
        );
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "metrics endpoint stopped");
        }
    });
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    #[tokio::test]
    async fn metrics_are_served_in_prometheus_text_format() {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, || {
            metrics::counter!("helpline_test_events_total", "kind" => "demo").increment(3);
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let readiness = super::Readiness::default();
        super::spawn_metrics_server(listener, handle, readiness.clone());
        let get = |path: &'static str| async move {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            let request =
                format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut response = String::new();
            stream.read_to_string(&mut response).await.unwrap();
            response
        };
        let response = get("/metrics").await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(
            response.contains("helpline_test_events_total{kind=\"demo\"} 3"),
            "{response}"
        );
        // The process's own resources, from /proc, beside the recorder's series.
        for line in [
            "# TYPE process_cpu_seconds_total counter",
            "# TYPE process_resident_memory_bytes gauge",
            "# TYPE process_open_fds gauge",
        ] {
            assert!(response.contains(line), "{line} missing: {response}");
        }
        let rss: f64 = response
            .lines()
            .find_map(|line| line.strip_prefix("process_resident_memory_bytes "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(rss > 1e6, "{rss}");
        assert!(get("/healthz").await.starts_with("HTTP/1.1 200"));
        // Not ready until the process says so, then as it says.
        let starting = get("/readyz").await;
        assert!(starting.starts_with("HTTP/1.1 503"), "{starting}");
        assert!(starting.ends_with("not ready: starting\n"), "{starting}");
        let healthy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let flag = healthy.clone();
        readiness.set(std::sync::Arc::new(move || {
            let up = flag.load(std::sync::atomic::Ordering::SeqCst);
            Box::pin(async move {
                if up {
                    Ok("1 shards connected".to_owned())
                } else {
                    Err("shards 0 are not connected".to_owned())
                }
            })
        }));
        let ready = get("/readyz").await;
        assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
        assert!(ready.ends_with("ready: 1 shards connected\n"), "{ready}");
        healthy.store(false, std::sync::atomic::Ordering::SeqCst);
        let down = get("/readyz").await;
        assert!(down.starts_with("HTTP/1.1 503"), "{down}");
        assert!(
            down.ends_with("not ready: shards 0 are not connected\n"),
            "{down}"
        );
    }
}
