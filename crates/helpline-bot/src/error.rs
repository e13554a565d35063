//! The bot's error type.

/// What can stop the bot or one of its handlers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Discord REST request failed (network, status or body).
    #[error("discord request failed: {0}")]
    Http(#[from] twilight_http::Error),
    /// A Discord response could not be decoded.
    #[error("discord response could not be decoded: {0}")]
    Body(#[from] twilight_http::response::DeserializeBodyError),
    /// A request body could not be encoded.
    #[error("request could not be encoded: {0}")]
    Json(#[from] serde_json::Error),
    /// The store failed.
    #[error("store failed: {0}")]
    Store(#[from] helpline_store::Error),
    /// A transcript file could not be written or read.
    #[error("transcript file failed: {0}")]
    File(#[source] std::io::Error),
    /// This process does not hold the shard's lease (any more): another one acts for it.
    #[error("shard {shard} is not held by this process")]
    LeaseLost { shard: u32 },
    /// Something the bot needs is missing or malformed (an interaction without a guild, …).
    #[error("{0}")]
    Unexpected(String),
    /// The configuration cannot work with what Discord says (a shard range past the shard
    /// count).
    #[error("{0}")]
    Config(String),
}

/// The bot's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Whether trying again later may succeed: Discord's 5xx and 429, a timeout, a lost
    /// connection, a store hiccup. Every other refusal (4xx) is final for the request.
    pub fn is_transient(&self) -> bool {
        use twilight_http::error::ErrorType;
        match self {
            Self::Http(error) => match error.kind() {
                ErrorType::Response { status, .. } => status.get() >= 500 || status.get() == 429,
                ErrorType::RequestCanceled
                | ErrorType::RequestError
                | ErrorType::RequestTimedOut => true,
                _ => false,
            },
            // A lost lease: the holder acts; trying again here finds it lost and stops.
            Self::Store(_) | Self::File(_) | Self::LeaseLost { .. } => true,
            Self::Body(_) | Self::Json(_) | Self::Unexpected(_) | Self::Config(_) => false,
        }
    }

    /// Discord's JSON error code, when Discord answered with one.
    pub fn discord_code(&self) -> Option<u64> {
        let Self::Http(error) = self else { return None };
        match error.kind() {
            twilight_http::error::ErrorType::Response {
                error: twilight_http::api_error::ApiError::General(general),
                ..
            } => Some(general.code),
            _ => None,
        }
    }
}

/// Whether Discord refused a request for good (a 4xx other than 429): a wrong id, a message
/// deleted, a permission missing. Trying again does not help; the person is told instead.
pub(crate) fn is_client_error(error: &twilight_http::Error) -> bool {
    match error.kind() {
        twilight_http::error::ErrorType::Response { status, .. } => {
            (400..500).contains(&status.get()) && status.get() != 429
        }
        _ => false,
    }
}
