//! `helpline interactions`: Discord's interactions endpoint (`POST /interactions`) without
//! gateway shards, so that a cluster's interaction handling scales apart from its gateway
//! connections. The same handlers as `helpline run`'s, over the same store; the processes
//! holding the shards run the reconciler, the timers and the guild jobs, and retry what the
//! interactions handled here leave pending.

use anyhow::bail;
use helpline_bot::Bot;

use crate::commands::run::{Role, prepare, serve};
use crate::settings::Settings;
use crate::telemetry;

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    if settings.interactions.listen.is_none() {
        bail!(
            "interactions.listen is not set: `helpline interactions` serves Discord's interactions endpoint there (such as 0.0.0.0:8443)"
        );
    }
    let (config, store) = prepare(settings, Role::Interactions).await?;
    let readiness = match settings.metrics.listen {
        Some(listen) => Some(telemetry::serve_metrics(listen).await?),
        None => None,
    };
    let running = Bot::start_interactions(config, store)
        .await
        .map_err(|error| {
            if error.is_unauthorized() {
                anyhow::anyhow!("Discord refused the bot token: check DISCORD_TOKEN")
            } else {
                anyhow::anyhow!("cannot start the bot: {error}")
            }
        })?;
    serve(settings, running, readiness).await
}
