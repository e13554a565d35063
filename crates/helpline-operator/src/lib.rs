//! Helpline's Kubernetes operator (`helpline operator`): the `HelplineCluster` custom resource
//! and its controller, on kube-rs. It owns sizing a shard group — reading Discord's shard
//! recommendation, publishing the shard count to the `helpline run` processes of the
//! StatefulSet the resource names, rolling them one at a time when the count changes, scaling
//! the number of processes — and reporting it (status conditions, Kubernetes Events, metrics).
//! It does not own the StatefulSet (the Helm chart creates it), the shards' leases or sessions
//! (the processes share those through Redis), nor reading the settings or the environment
//! (the binary passes what it needs).

mod controller;
mod discord;
mod error;
pub mod metrics;
mod resource;

pub use controller::{
    Context, FIRST_BACKOFF, MAX_BACKOFF, Observed, Operator, ROLL_POLL, SHARD_COUNT_ENV,
    STEADY_POLL, Step, backoff, check, error_policy, plan, reconcile, run, target_shards,
};
pub use discord::{Discord, Reading};
pub use error::{Error, Result};
pub use resource::{
    Condition, HelplineCluster, HelplineClusterSpec, HelplineClusterStatus, Recommendation,
    ShardCount, crd_yaml,
};

/// TLS to the API server and to Discord goes through rustls with ring, as everywhere in
/// Helpline: installed once as the process's provider, since more than one is linked.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
