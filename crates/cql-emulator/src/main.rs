//! `cql-emulator`: runs the local CQL node on its own, for manual use with `cqlsh` or a driver.
//! It prints the address it listens on and runs until interrupted.

// The address is the command's output.
#![allow(clippy::print_stdout)]

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use cql_emulator::{Config, CqlEmulator};

/// A local CQL node speaking the native protocol v4, holding keyspaces and tables in memory and
/// executing the subset of CQL Helpline uses strictly as Scylla would (refusing, with Scylla's
/// error codes and messages, what Scylla refuses). Not a database: nothing is kept on disk.
#[derive(Debug, Parser)]
#[command(name = "cql-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:9042")]
    listen: SocketAddr,
    /// Milliseconds added before every answer.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of writes (0.0 to 1.0) answered with a write timeout.
    #[arg(long, default_value_t = 0.0)]
    write_timeout_rate: f64,
    /// Whether a write answered with a timeout is applied all the same.
    #[arg(long)]
    timeout_applied: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if !(0.0..=1.0).contains(&args.write_timeout_rate) {
        anyhow::bail!("--write-timeout-rate must be from 0.0 to 1.0");
    }
    let node = CqlEmulator::start(Config {
        listen: args.listen,
        latency: Duration::from_millis(args.latency_ms),
        write_timeout_rate: args.write_timeout_rate,
        timeout_applied: args.timeout_applied,
    })
    .await?;
    println!("cql-emulator listening on {}", node.addr());
    tokio::signal::ctrl_c().await?;
    node.shutdown();
    Ok(())
}
