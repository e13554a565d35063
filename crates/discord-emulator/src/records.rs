//! What clients did: every REST request and every gateway message, kept for assertions.

use std::{collections::VecDeque, sync::Mutex, time::Instant};

use serde::Serialize;

/// One REST request and its answer.
#[derive(Clone, Debug, Serialize)]
pub struct RequestRecord {
    /// Milliseconds since the emulator started.
    pub at_ms: u64,
    /// HTTP method.
    pub method: String,
    /// Path with query, as requested (`/api/v10/channels/1/messages`).
    pub path: String,
    /// The matched route (`/api/v10/channels/{channel_id}/messages`), or the path if none.
    pub route: String,
    /// HTTP status answered.
    pub status: u16,
    /// Discord error code answered, if the answer was an error.
    pub code: Option<u32>,
    /// The request body, shortened (multipart bodies are summarized).
    pub body: String,
}

impl RequestRecord {
    /// Whether this request matches a method and a route template or path suffix, e.g.
    /// `("POST", "/channels/{channel_id}/messages")`.
    pub fn is(&self, method: &str, route_suffix: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && (self.route.ends_with(route_suffix) || self.path.ends_with(route_suffix))
    }
}

/// Direction of a gateway message.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Sent by the client to the emulator.
    Received,
    /// Sent by the emulator to the client.
    Sent,
}

/// One gateway message on one connection.
#[derive(Clone, Debug, Serialize)]
pub struct GatewayRecord {
    /// Milliseconds since the emulator started.
    pub at_ms: u64,
    /// Connection number (one per websocket).
    pub connection: u64,
    /// Who sent it.
    pub direction: Direction,
    /// Gateway opcode; `None` for a close frame.
    pub op: Option<u8>,
    /// Dispatch name for op 0.
    pub event: Option<String>,
    /// Sequence number for op 0.
    pub seq: Option<u64>,
    /// Short description (identify shard and intents, close code…); never the token.
    pub detail: String,
}

#[derive(Debug, Default)]
struct Inner {
    requests: VecDeque<RequestRecord>,
    gateway: VecDeque<GatewayRecord>,
}

/// Bounded logs of requests and gateway messages.
#[derive(Debug)]
pub(crate) struct Records {
    inner: Mutex<Inner>,
    limit: usize,
    started: Instant,
}

impl Records {
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            limit: limit.max(1),
            started: Instant::now(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn push_request(&self, record: RequestRecord) {
        let mut inner = self.lock();
        if inner.requests.len() >= self.limit {
            inner.requests.pop_front();
        }
        inner.requests.push_back(record);
    }

    pub(crate) fn push_gateway(&self, record: GatewayRecord) {
        let mut inner = self.lock();
        if inner.gateway.len() >= self.limit {
            inner.gateway.pop_front();
        }
        inner.gateway.push_back(record);
    }

    pub(crate) fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.iter().cloned().collect()
    }

    pub(crate) fn gateway(&self) -> Vec<GatewayRecord> {
        self.lock().gateway.iter().cloned().collect()
    }

    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.requests.clear();
        inner.gateway.clear();
    }
}

/// Shortens a body for the log, keeping it valid UTF-8.
pub(crate) fn summarize_body(content_type: Option<&str>, body: &[u8]) -> String {
    const MAX: usize = 2048;
    if body.is_empty() {
        return String::new();
    }
    if content_type.is_some_and(|content_type| content_type.starts_with("multipart/")) {
        return format!("<multipart, {} bytes>", body.len());
    }
    let text = String::from_utf8_lossy(body);
    if text.len() <= MAX {
        return text.into_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &text[..end], body.len())
}
