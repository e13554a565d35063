//! What the emulated world costs: builds guilds of one shape in-process through the bulk route
//! ([`Emulator::populate`]) and prints the time it took and the resident memory it added per
//! guild (from `/proc/self/statm`, so Linux only). Asserts nothing.
//!
//! `cargo bench -p discord-emulator --bench world` builds 100,000 guilds of 30 channels,
//! 20 roles and 25 members; `-- 20000x30x20x25` takes another shape.

#![allow(clippy::print_stdout, missing_docs)]

use std::time::Instant;

use discord_emulator::{Emulator, EmulatorConfig, WorldShape};

/// Resident set size in bytes, from `/proc/self/statm` (its second field, in pages).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|field| field.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

fn main() {
    let shape: WorldShape = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .unwrap_or_else(|| "100000x30x20x25".to_owned())
        .parse()
        .expect("a shape GUILDSxCHANNELSxROLESxMEMBERS");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let emulator = Emulator::start(EmulatorConfig::default())
            .await
            .expect("emulator");
        let before = rss_bytes();
        let started = Instant::now();
        let guilds = emulator.populate(shape).expect("populate");
        let took = started.elapsed();
        let after = rss_bytes();
        let per_guild_kib =
            after.saturating_sub(before) as f64 / guilds.len().max(1) as f64 / 1024.0;
        println!(
            "{} guilds of {} channels, {} roles, {} members: built in {:.2} s ({:.0} guilds/s); \
             RSS {:.0} -> {:.0} MiB, {per_guild_kib:.2} KiB per guild",
            guilds.len(),
            shape.channels,
            shape.roles,
            shape.members,
            took.as_secs_f64(),
            guilds.len() as f64 / took.as_secs_f64(),
            before as f64 / 1048576.0,
            after as f64 / 1048576.0,
        );
    });
}
