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
    /// Another process holds a newer lease on the shard: this one must stop acting for it.
    #[error("shard {shard}: fencing token {token} is older than {current}")]
    Fenced {
        shard: u32,
        token: u64,
        current: u64,
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
    /// A stored binary record could not be decoded.
    #[error("a stored {what} could not be decoded: {why}")]
    Malformed {
        what: &'static str,
        why: &'static str,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The database cannot be used, for a reason an operator can fix.
    #[error("{0}")]
    Open(OpenProblem),
    /// A sealed transcript record cannot be sealed or opened.
    #[error("transcript encryption: {0}")]
    Seal(&'static str),
    /// The store's worker stopped (the store is shutting down).
    #[error("the store is closed")]
    Closed,
}

/// Why a database cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenProblem {
    /// No ScyllaDB node answered (or none accepted the credentials, or TLS failed): why.
    Unreachable(String),
    /// The ScyllaDB keyspace is missing, behind or ahead of this build: what to do.
    Schema(String),
    /// The directory that should hold the file does not exist.
    MissingDirectory(std::path::PathBuf),
    /// The path names a directory (or something else that is not a regular file).
    NotAFile(std::path::PathBuf),
    /// The file or its directory cannot be written.
    ReadOnly(std::path::PathBuf),
    /// Another process holds the database.
    Locked(std::path::PathBuf),
    /// The file is not a SQLite database.
    NotADatabase(std::path::PathBuf),
}

impl std::fmt::Display for OpenProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(why) | Self::Schema(why) => f.write_str(why),
            Self::MissingDirectory(dir) => {
                write!(f, "the directory {} does not exist", dir.display())
            }
            Self::NotAFile(path) => write!(f, "{} is not a file", path.display()),
            Self::ReadOnly(path) => write!(f, "{} is read-only", path.display()),
            Self::Locked(path) => write!(
                f,
                "{} is locked by another process (is another Helpline using it?)",
                path.display()
            ),
            Self::NotADatabase(path) => {
                write!(f, "{} is not a SQLite database", path.display())
            }
        }
    }
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        Self::Backend(Box::new(error))
    }
}
