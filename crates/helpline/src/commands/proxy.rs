//! `helpline proxy`: the REST egress of a cluster. With `cluster.redis_url` the rate-limit state
//! is shared with the other replicas; without it this one replica keeps it in memory.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use helpline_proxy::{Limits, MemoryLimits, ProxyConfig, RedisLimits};

use crate::settings::Settings;
use crate::telemetry;

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let proxy = &settings.proxy;
    let limits: Arc<dyn Limits> = match &settings.cluster.redis_url {
        Some(url) => Arc::new(
            RedisLimits::connect(url.expose(), "helpline:proxy:", Duration::from_secs(1))
                .await
                .context("cannot reach cluster.redis_url")?,
        ),
        None => {
            tracing::warn!(
                "cluster.redis_url is not set: this replica keeps the rate limits alone; run one replica only"
            );
            Arc::new(MemoryLimits::new())
        }
    };
    let readiness = match settings.metrics.listen {
        Some(listen) => Some(telemetry::serve_metrics(listen).await?),
        None => None,
    };
    let config = ProxyConfig {
        global_limit: proxy.global_limit,
        hold_deadline: Duration::from_millis(proxy.hold_deadline_ms),
        egress: proxy.egress.clone(),
        invalid_threshold: proxy.invalid_threshold,
        ..ProxyConfig::new(proxy.upstream_url.as_str())
    };
    let listener = tokio::net::TcpListener::bind(proxy.listen)
        .await
        .with_context(|| format!("cannot listen on proxy.listen {}", proxy.listen))?;
    tracing::info!(
        listen = %listener.local_addr()?,
        upstream = proxy.upstream_url.as_str(),
        global_limit = proxy.global_limit,
        "proxy serving"
    );
    let app = helpline_proxy::router(config, limits);
    // Ready once it listens: a held request waits for its budget rather than failing.
    if let Some(readiness) = readiness {
        readiness.set(Arc::new(|| Box::pin(async { Ok("listening".to_owned()) })));
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut terminate), Ok(mut interrupt)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return std::future::pending().await;
            };
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
            tracing::info!("proxy stopping: finishing the requests in flight");
        })
        .await
        .context("the proxy stopped")
}
