//! The crate's error: the backend could not be reached or answered nonsense. Driver errors
//! (fred) do not leave the crate.

/// A coordination failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Redis could not be reached, or refused the command.
    #[error("redis: {0}")]
    Redis(String),
    /// Redis answered something the scripts never return.
    #[error("unexpected answer from redis: {0}")]
    Unexpected(String),
    /// The Redis URL cannot be used.
    #[error("invalid redis url: {0}")]
    Url(String),
}

/// The crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
