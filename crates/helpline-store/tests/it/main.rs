//! The store's integration tests: the conformance suite every backend passes, run here against
//! SQLite (file and in-memory), and SQLite's own tests.

#[macro_use]
mod conformance;
mod sqlite;
