//! The store's integration tests: the conformance suite every backend passes, run here against
//! SQLite (file and in-memory) and ScyllaDB (the local CQL stand-in, or a real node), and each
//! backend's own tests.

#[macro_use]
mod conformance;
mod scylla;
mod sqlite;
