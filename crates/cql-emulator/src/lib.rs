//! A local CQL node for tests: the native protocol v4 (the version the `scylla` driver
//! negotiates) on a loopback port, holding keyspaces and tables in memory and executing the
//! subset of CQL Helpline uses — strictly as Scylla would, refusing with Scylla's error codes and
//! messages what Scylla refuses (a WHERE needing ALLOW FILTERING, a missing partition key, a
//! type mismatch, a conditional batch across partitions, an unknown column…).
//!
//! It depends on no Helpline crate. Fault knobs: latency on every request, and write timeouts
//! (applied or not) to exercise the uncertain outcome of a lightweight transaction.

mod ast;
mod codec;
mod error;
mod exec;
mod frame;
mod parse;
mod schema;
mod server;
mod system;
mod types;

pub use server::{Config, CqlEmulator, Stats};
