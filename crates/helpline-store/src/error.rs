//! The store's error type. Driver errors (rusqlite, later scylla) are converted here and never
//! leak into the public API.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Someone else wrote the record since it was read: read it again and decide again.
    #[error("the stored {what} is at version {actual:?}, not the expected {expected}")]
    Conflict {
        what: &'static str,
        expected: u64,
        actual: Option<u64>,
    },
    /// The caller broke the trait's contract (for instance a version that does not follow).
    #[error("invalid store call: {0}")]
    Invalid(String),
    /// A stored record could not be decoded.
    #[error("a stored {what} could not be decoded: {source}")]
    Corrupt {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The store's worker stopped (the store is shutting down).
    #[error("the store is closed")]
    Closed,
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Self::Backend(Box::new(error))
    }
}
