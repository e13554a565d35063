//! The cluster crate's tests: one conformance suite run against Redis (a `redis-server` child
//! per test) and the in-memory twin, and the balancing plan's convergence.

mod balance;
mod conformance;
mod queue;
