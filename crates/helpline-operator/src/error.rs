//! The operator's errors, each with the kind its failure metric is labelled by.

/// Why a reconciliation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Kubernetes API refused or failed a request.
    // Not a `source`: kube's message already carries its causes, and a chain would repeat them.
    #[error("kubernetes api: {0}")]
    Kube(kube::Error),
    /// Discord's recommendation could not be read.
    #[error("discord: {0}")]
    Discord(String),
    /// The spec's StatefulSet does not exist.
    #[error("the statefulset {0} does not exist")]
    StatefulSetMissing(String),
    /// The StatefulSet has no container of the spec's name.
    #[error("the statefulset {statefulset} has no container {container}")]
    ContainerMissing {
        statefulset: String,
        container: String,
    },
    /// The resource itself is unusable (no namespace or name).
    #[error("invalid resource: {0}")]
    Invalid(String),
}

impl Error {
    /// The low-cardinality label of `helpline_operator_reconcile_failures_total`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Kube(_) => "kube_api",
            Self::Discord(_) => "discord",
            Self::StatefulSetMissing(_) => "statefulset_missing",
            Self::ContainerMissing { .. } => "container_missing",
            Self::Invalid(_) => "invalid_resource",
        }
    }
}

impl From<kube::Error> for Error {
    fn from(error: kube::Error) -> Self {
        Self::Kube(error)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
