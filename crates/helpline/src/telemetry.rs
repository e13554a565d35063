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
