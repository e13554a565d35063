//! `helpline operator`: the Kubernetes operator of `HelplineCluster`s in the namespace it runs
//! in (crate `helpline-operator`). It reads Discord's recommendation with the bot token
//! (`discord.token`), through `discord.rest_proxy` or `discord.api_url` when set, and serves
//! `/metrics`, `/healthz` and `/readyz` on `metrics.listen` like every process.

use std::io::Write as _;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use helpline_operator::{Discord, Operator};

use crate::commands::run::Signals;
use crate::settings::Settings;
use crate::telemetry;

/// `helpline operator --print-crd`: the CustomResourceDefinition, as committed in the chart.
pub(crate) fn print_crd() -> anyhow::Result<()> {
    std::io::stdout()
        .write_all(helpline_operator::crd_yaml().as_bytes())
        .context("cannot write the CRD")
}

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    let Some(token) = &settings.discord.token else {
        bail!(
            "no bot token: set DISCORD_TOKEN (the operator reads Discord's shard recommendation with it)"
        );
    };
    // The same Discord the shard processes reach: the proxy, or the emulator, when named.
    let api_url = settings
        .discord
        .rest_proxy
        .as_ref()
        .or(settings.discord.api_url.as_ref())
        .map(|url| url.as_str().trim_end_matches('/').to_owned());
    let discord = Discord::new(token.expose().to_owned(), api_url.as_deref())
        .map_err(|error| anyhow::anyhow!("discord.api_url or discord.rest_proxy: {error}"))?;
    let readiness = match settings.metrics.listen {
        Some(listen) => Some(telemetry::serve_metrics(listen).await?),
        None => None,
    };
    let operator = Operator::connect(discord, settings.cluster.process_name.clone())
        .await
        .context(
            "cannot watch HelplineClusters (the operator needs a service account or a \
             kubeconfig, the CRD of helm/helpline/crds/ installed, and leave to list them)",
        )?;
    let namespace = operator.namespace().to_owned();
    tracing::info!(namespace = %namespace, "operator watching HelplineClusters");
    if let Some(readiness) = readiness {
        let message = format!("watching HelplineClusters in {namespace}");
        readiness.set(Arc::new(move || {
            let message = message.clone();
            Box::pin(async move { Ok(message) })
        }));
    }
    let mut signals = Signals::new()?;
    operator
        .run(async move {
            signals.next().await;
            tracing::info!("operator stopping: finishing the reconciliations under way");
        })
        .await;
    Ok(())
}
