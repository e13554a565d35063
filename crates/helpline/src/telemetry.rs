//! Logging setup: one `tracing` subscriber writing to stderr, so stdout carries only command
//! output.

use std::io::IsTerminal as _;

use anyhow::Context as _;
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

/// Installs the Prometheus recorder and serves `/metrics` on `listen` in the background.
pub(crate) async fn serve_metrics(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .context("cannot install the metrics recorder")?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen for metrics on {listen}"))?;
    tracing::info!(%listen, "serving metrics");
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            upkeep.run_upkeep();
        }
    });
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let handle = handle.clone();
            async move { handle.render() }
        }),
    );
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "metrics endpoint stopped");
        }
    });
    Ok(())
}
