//! `helpline interactions`: Discord's interactions endpoint (`POST /interactions`) without
//! gateway shards, so that a cluster's interaction handling scales apart from its gateway
//! connections. The same handlers as `helpline run`'s, over the same store; the processes
//! holding the shards run the reconciler, the timers and the guild jobs, and retry what the
//! interactions handled here leave pending.

use anyhow::bail;

use crate::commands::run::{Role, run_as};
use crate::settings::Settings;

pub(crate) async fn run(settings: &Settings) -> anyhow::Result<()> {
    if settings.interactions.listen.is_none() {
        bail!(
            "interactions.listen is not set: `helpline interactions` serves Discord's interactions endpoint there (such as 0.0.0.0:8443)"
        );
    }
    run_as(settings, Role::Interactions).await
}
