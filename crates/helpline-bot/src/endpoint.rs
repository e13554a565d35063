//! Interactions over HTTP: Discord's interactions endpoint, beside the gateway.
//!
//! Discord can deliver interactions as signed `POST`s to an endpoint URL instead of over the
//! gateway. Each request is checked here before anything else happens: the body's size, then
//! `X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body with the application's
//! public key, the timestamp's age (a replay window), a cache of the signatures already
//! accepted, and only then the JSON. A refused request changes nothing. PING is answered with
//! PONG; every other interaction goes to the same handlers as the gateway's, whose first
//! response becomes the HTTP response (the [`Responder`](crate::reply::Responder)'s HTTP
//! transport) and whose follow-ups go over REST.

use std::collections::{HashSet, VecDeque};
use std::hash::BuildHasher as _;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use ring::signature::{ED25519, UnparsedPublicKey};
use tokio::sync::{oneshot, watch};
use twilight_model::application::interaction::Interaction;

use crate::Bot;
use crate::reply::Transport;

/// The largest body read: Discord's interactions (a message command's message with its
/// embeds, resolved members and attachments' metadata) stay far below it. Larger requests are
/// refused before they are verified.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How far a request's timestamp may be from this process's clock, either way: a captured
/// request replayed later than this is refused whatever its signature.
pub const REPLAY_WINDOW: Duration = Duration::from_secs(300);

/// How many accepted signatures are remembered (within the replay window) to refuse a request
/// sent twice. About 16 bytes each.
pub const REPLAY_CACHE: usize = 65_536;

/// How long after a request arrives its handler may take to give the first response (Discord
/// waits 3 s, counting the network both ways).
pub const ACK_DEADLINE: Duration = Duration::from_millis(2_800);

/// The application's Ed25519 public key (the developer portal's "Public Key").
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// From the 64 hexadecimal digits the developer portal shows.
    pub fn from_hex(hex: &str) -> Result<Self, String> {
        let hex = hex.trim();
        if hex.len() != 64 {
            return Err(format!(
                "expected the application's public key as 64 hexadecimal digits, got {} characters",
                hex.len()
            ));
        }
        let mut key = [0; 32];
        decode_hex(hex.as_bytes(), &mut key).ok_or_else(|| {
            "expected the application's public key as 64 hexadecimal digits (0-9, a-f)".to_owned()
        })?;
        Ok(Self(key))
    }

    /// The key's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut hex = String::with_capacity(64);
        for byte in self.0 {
            hex.push_str(&format!("{byte:02x}"));
        }
        f.debug_tuple("PublicKey").field(&hex).finish()
    }
}

/// Decodes hexadecimal digits into `out`, which must be half as long; `None` on anything else.
fn decode_hex(hex: &[u8], out: &mut [u8]) -> Option<()> {
    if hex.len() != out.len() * 2 {
        return None;
    }
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    for (byte, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(())
}

/// Why a request was refused. Nothing it asked for was done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No `X-Signature-Ed25519` or `X-Signature-Timestamp` header.
    MissingHeaders,
    /// A signature that is not 128 hexadecimal digits, or a timestamp that is not a number of
    /// seconds.
    MalformedHeaders,
    /// The timestamp is further from now than [`REPLAY_WINDOW`].
    Stale,
    /// The signature does not verify with the application's public key.
    BadSignature,
    /// This signed request was accepted before.
    Replayed,
    /// The body is larger than [`MAX_BODY_BYTES`].
    TooLarge,
    /// A correctly signed body that is not an interaction.
    MalformedBody(String),
}

impl Refusal {
    /// The HTTP status answered: 401 for anything about the signature (what Discord checks
    /// when it registers the endpoint), 413 for a body too large to verify, 400 for a signed
    /// body that is not an interaction.
    pub fn status(&self) -> u16 {
        match self {
            Self::MissingHeaders
            | Self::MalformedHeaders
            | Self::Stale
            | Self::BadSignature
            | Self::Replayed => 401,
            Self::TooLarge => 413,
            Self::MalformedBody(_) => 400,
        }
    }

    /// A short name, for the log and the metric's label.
    pub fn name(&self) -> &'static str {
        match self {
            Self::MissingHeaders => "missing_headers",
            Self::MalformedHeaders => "malformed_headers",
            Self::Stale => "stale",
            Self::BadSignature => "bad_signature",
            Self::Replayed => "replayed",
            Self::TooLarge => "too_large",
            Self::MalformedBody(_) => "malformed_body",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingHeaders => f.write_str("missing signature headers"),
            Self::MalformedHeaders => f.write_str("malformed signature headers"),
            Self::Stale => f.write_str("timestamp outside the replay window"),
            Self::BadSignature => f.write_str("invalid request signature"),
            Self::Replayed => f.write_str("request already received"),
            Self::TooLarge => f.write_str("body too large"),
            Self::MalformedBody(why) => write!(f, "not an interaction: {why}"),
        }
    }
}

/// Signatures accepted within the replay window, remembered by a keyed hash.
#[derive(Debug)]
struct ReplayCache {
    hasher: std::collections::hash_map::RandomState,
    seen: HashSet<u64>,
    /// (timestamp, hash) in arrival order, to forget them.
    order: VecDeque<(u64, u64)>,
    capacity: usize,
}

impl ReplayCache {
    /// Records a signature; `false` when it was already there.
    fn insert(&mut self, signature: &[u8; 64], timestamp: u64, now: u64) -> bool {
        let window = REPLAY_WINDOW.as_secs();
        while let Some(&(at, hash)) = self.order.front() {
            if self.order.len() < self.capacity && at.saturating_add(window) >= now {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&hash);
        }
        let hash = self.hasher.hash_one(signature);
        if !self.seen.insert(hash) {
            return false;
        }
        self.order.push_back((timestamp, hash));
        true
    }
}

/// Checks requests for one application's public key.
#[derive(Debug)]
pub struct Verifier {
    key: PublicKey,
    replays: Mutex<ReplayCache>,
}

impl Verifier {
    /// A verifier remembering up to [`REPLAY_CACHE`] signatures.
    pub fn new(key: PublicKey) -> Self {
        Self::with_cache(key, REPLAY_CACHE)
    }

    /// A verifier remembering up to `capacity` signatures.
    pub fn with_cache(key: PublicKey, capacity: usize) -> Self {
        Self {
            key,
            replays: Mutex::new(ReplayCache {
                hasher: std::collections::hash_map::RandomState::new(),
                seen: HashSet::new(),
                order: VecDeque::new(),
                capacity: capacity.max(1),
            }),
        }
    }

    /// The key requests are verified with.
    pub fn key(&self) -> PublicKey {
        self.key
    }

    /// Checks one request — its two signature headers' values, its raw body, the time now in
    /// seconds since the epoch — and reads the interaction it carries. Nothing is remembered
    /// of a refused request.
    pub fn check(
        &self,
        signature: Option<&[u8]>,
        timestamp: Option<&[u8]>,
        body: &[u8],
        now: u64,
    ) -> Result<Delivery, Refusal> {
        if body.len() > MAX_BODY_BYTES {
            return Err(Refusal::TooLarge);
        }
        let (Some(signature_hex), Some(timestamp)) = (signature, timestamp) else {
            return Err(Refusal::MissingHeaders);
        };
        let mut signature = [0; 64];
        decode_hex(signature_hex, &mut signature).ok_or(Refusal::MalformedHeaders)?;
        let seconds = parse_seconds(timestamp).ok_or(Refusal::MalformedHeaders)?;
        if seconds.abs_diff(now) > REPLAY_WINDOW.as_secs() {
            return Err(Refusal::Stale);
        }
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp);
        message.extend_from_slice(body);
        UnparsedPublicKey::new(&ED25519, &self.key.0)
            .verify(&message, &signature)
            .map_err(|_| Refusal::BadSignature)?;
        // Parsed before the signature is remembered: a signed body that is not an interaction
        // is refused the same way each time it comes. A PING is read for its type alone: it
        // carries fewer fields than the interactions the handlers take.
        let delivery = parse(body)?;
        let fresh = self
            .replays
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(&signature, seconds, now);
        if !fresh {
            return Err(Refusal::Replayed);
        }
        Ok(delivery)
    }
}

/// What a verified request carries.
#[derive(Debug)]
pub enum Delivery {
    /// Discord checking that the endpoint answers (and verifies): answered with PONG.
    Ping,
    /// An interaction for the handlers.
    Interaction(Box<Interaction>),
}

/// Reads a verified body: its type, then (for anything but a PING) the whole interaction.
fn parse(body: &[u8]) -> Result<Delivery, Refusal> {
    #[derive(serde::Deserialize)]
    struct Kind {
        #[serde(rename = "type")]
        kind: u8,
    }
    let kind = serde_json::from_slice::<Kind>(body)
        .map_err(|error| Refusal::MalformedBody(error.to_string()))?;
    if kind.kind == 1 {
        return Ok(Delivery::Ping);
    }
    serde_json::from_slice::<Interaction>(body)
        .map(|interaction| Delivery::Interaction(Box::new(interaction)))
        .map_err(|error| Refusal::MalformedBody(error.to_string()))
}

/// Seconds since the epoch as Discord writes them: decimal digits only, at most 19.
fn parse_seconds(raw: &[u8]) -> Option<u64> {
    if raw.is_empty() || raw.len() > 19 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(raw).ok()?.parse().ok()
}

/// Now, in seconds since the epoch, for [`Verifier::check`].
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

tokio::task_local! {
    /// Set while an interaction that came to this process's endpoint is handled.
    static DELIVERED_OVER_HTTP: ();
}

/// Whether the running task handles an interaction Discord sent to this process's endpoint.
pub(crate) fn delivered_over_http() -> bool {
    DELIVERED_OVER_HTTP.try_with(|()| ()).is_ok()
}

/// The endpoint's state: the bot whose handlers answer, and the verifier.
#[derive(Debug)]
struct Endpoint {
    bot: Bot,
    verifier: Verifier,
}

/// A running interactions endpoint (`POST /interactions`).
#[derive(Debug)]
pub struct InteractionsEndpoint {
    address: SocketAddr,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
}

impl InteractionsEndpoint {
    /// Where it listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// Stops taking requests and waits for those in flight to be answered (their handlers go
    /// on as the bot's other tasks do, until [`RunningBot::stop`](crate::RunningBot::stop)).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
    }
}

impl Bot {
    /// Serves Discord's interactions endpoint on `listen` (`POST /interactions`), verifying
    /// every request with `key`.
    pub async fn serve_interactions(
        &self,
        listen: SocketAddr,
        key: PublicKey,
    ) -> crate::Result<InteractionsEndpoint> {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|error| {
                crate::Error::Config(format!(
                    "cannot listen for interactions on {listen}: {error}"
                ))
            })?;
        let address = listener.local_addr().map_err(|error| {
            crate::Error::Config(format!(
                "cannot listen for interactions on {listen}: {error}"
            ))
        })?;
        let state = Arc::new(Endpoint {
            bot: self.clone(),
            verifier: Verifier::new(key),
        });
        let router = axum::Router::new()
            .route("/interactions", axum::routing::post(receive))
            .with_state(state);
        let (stop, mut stopping) = watch::channel(false);
        let server = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopping.wait_for(|stop| *stop).await;
            };
            if let Err(error) = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "the interactions endpoint stopped");
            }
        });
        tracing::info!(%address, "serving interactions over HTTP");
        Ok(InteractionsEndpoint {
            address,
            stop,
            server,
        })
    }
}

fn counted(outcome: &'static str) {
    ::metrics::counter!(crate::metrics::ENDPOINT_REQUESTS, "outcome" => outcome).increment(1);
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (status, text).into_response()
}

/// `POST /interactions`.
async fn receive(
    State(endpoint): State<Arc<Endpoint>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let received = std::time::Instant::now();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let too_large = || {
        counted(Refusal::TooLarge.name());
        plain(StatusCode::PAYLOAD_TOO_LARGE, "body too large")
    };
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return too_large();
    }
    // A body that has not arrived by the time the answer is due is of no use, and a client
    // trickling one in would hold a connection and a task: refused.
    let deadline = tokio::time::Instant::from_std(received) + ACK_DEADLINE;
    let body =
        match tokio::time::timeout_at(deadline, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
            Ok(Ok(body)) => body,
            Ok(Err(_)) => return too_large(),
            Err(_) => {
                counted("slow");
                return plain(StatusCode::REQUEST_TIMEOUT, "body too slow");
            }
        };
    let header = |name: &str| headers.get(name).map(axum::http::HeaderValue::as_bytes);
    let checked = endpoint.verifier.check(
        header("x-signature-ed25519"),
        header("x-signature-timestamp"),
        &body,
        unix_now(),
    );
    let interaction = match checked {
        Ok(Delivery::Interaction(interaction)) => *interaction,
        Ok(Delivery::Ping) => {
            counted("pong");
            return axum::Json(serde_json::json!({ "type": 1 })).into_response();
        }
        Err(refusal) => {
            // The signature and the body stay out of the log: only why.
            tracing::debug!(reason = refusal.name(), "interaction request refused");
            counted(refusal.name());
            let status = StatusCode::from_u16(refusal.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            return (status, refusal.to_string()).into_response();
        }
    };
    // The signature cache is this process's: the store's claim refuses the same interaction
    // delivered again to another process of the cluster (a replay within the window).
    let id = interaction.id;
    let store = &endpoint.bot.inner.store;
    match store.begin_interaction(id.get(), endpoint.bot.now()).await {
        Ok(helpline_store::InteractionClaim::New) => {}
        Ok(_) => {
            counted(Refusal::Replayed.name());
            return (StatusCode::UNAUTHORIZED, Refusal::Replayed.to_string()).into_response();
        }
        Err(error) => {
            tracing::warn!(interaction = %id, %error, "cannot claim an interaction over HTTP");
            counted("unclaimed");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "store unavailable");
        }
    }
    crate::metrics::event_lag("INTERACTION_CREATE", interaction.id.get());
    let (sender, first_response) = oneshot::channel();
    let bot = endpoint.bot.clone();
    endpoint
        .bot
        .inner
        .tasks
        .spawn(DELIVERED_OVER_HTTP.scope((), async move {
        let claims = bot.inner.store.clone();
        crate::handlers::interaction(bot, interaction, received, Transport::http(sender)).await;
        if let Err(error) = claims.finish_interaction(id.get(), "handled").await {
            tracing::warn!(interaction = %id, %error, "cannot record an interaction as handled");
        }
    }));
    match tokio::time::timeout_at(deadline, first_response).await {
        Ok(Ok(response)) => {
            counted("answered");
            axum::Json(response).into_response()
        }
        Ok(Err(_)) => {
            counted("unanswered");
            tracing::warn!(interaction = %id, "an interaction over HTTP got no first response");
            plain(StatusCode::BAD_REQUEST, "interaction not handled")
        }
        Err(_) => {
            counted("late");
            tracing::warn!(
                interaction = %id,
                "no first response within the deadline; Discord shows the interaction failed"
            );
            plain(StatusCode::SERVICE_UNAVAILABLE, "no response in time")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{Ed25519KeyPair, KeyPair as _};

    fn key_pair(seed: u8) -> Ed25519KeyPair {
        Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap()
    }

    fn public(pair: &Ed25519KeyPair) -> PublicKey {
        PublicKey(pair.public_key().as_ref().try_into().unwrap())
    }

    fn sign(pair: &Ed25519KeyPair, timestamp: &str, body: &[u8]) -> String {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        pair.sign(&message)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    const PING: &[u8] = br#"{"id":"1","application_id":"2","type":1,"token":"t","version":1}"#;

    #[test]
    fn a_signed_ping_passes_once() {
        let pair = key_pair(7);
        let verifier = Verifier::new(public(&pair));
        let now = 1_700_000_000;
        let signature = sign(&pair, "1700000000", PING);
        let check = || {
            verifier.check(
                Some(signature.as_bytes()),
                Some(b"1700000000"),
                PING,
                now + 10,
            )
        };
        assert!(matches!(check().unwrap(), Delivery::Ping));
        assert_eq!(check().unwrap_err(), Refusal::Replayed);
    }

    #[test]
    fn every_forgery_is_refused() {
        let pair = key_pair(7);
        let verifier = Verifier::new(public(&pair));
        let now = 1_700_000_000;
        let good = sign(&pair, "1700000000", PING);
        let other = sign(&key_pair(8), "1700000000", PING);
        let check = |signature: Option<&str>, timestamp: Option<&str>, body: &[u8], now| {
            verifier
                .check(
                    signature.map(str::as_bytes),
                    timestamp.map(str::as_bytes),
                    body,
                    now,
                )
                .unwrap_err()
        };
        let ts = Some("1700000000");
        assert_eq!(check(None, ts, PING, now), Refusal::MissingHeaders);
        assert_eq!(check(Some(&good), None, PING, now), Refusal::MissingHeaders);
        assert_eq!(check(Some("zz"), ts, PING, now), Refusal::MalformedHeaders);
        assert_eq!(
            check(Some(&good), Some("17e8"), PING, now),
            Refusal::MalformedHeaders
        );
        assert_eq!(check(Some(&other), ts, PING, now), Refusal::BadSignature);
        assert_eq!(
            check(Some(&good), Some("1700000001"), PING, now),
            Refusal::BadSignature
        );
        let tampered = PING
            .to_vec()
            .into_iter()
            .map(|b| if b == b'1' { b'3' } else { b })
            .collect::<Vec<_>>();
        assert_eq!(
            check(Some(&good), ts, &tampered, now),
            Refusal::BadSignature
        );
        assert_eq!(check(Some(&good), ts, PING, now + 301), Refusal::Stale);
        assert_eq!(check(Some(&good), ts, PING, now - 301), Refusal::Stale);
        let huge = vec![b' '; MAX_BODY_BYTES + 1];
        assert_eq!(check(Some(&good), ts, &huge, now), Refusal::TooLarge);
        let junk = b"{not json";
        let signed_junk = sign(&pair, "1700000000", junk);
        assert!(matches!(
            check(Some(&signed_junk), ts, junk, now),
            Refusal::MalformedBody(_)
        ));
        // None of these was remembered: the genuine request still passes.
        assert!(
            verifier
                .check(Some(good.as_bytes()), ts.map(str::as_bytes), PING, now)
                .is_ok()
        );
    }

    #[test]
    fn the_cache_forgets_what_left_the_window_and_stays_bounded() {
        let pair = key_pair(9);
        let verifier = Verifier::with_cache(public(&pair), 4);
        for i in 0..10u64 {
            let ts = (1_700_000_000 + i).to_string();
            let signature = sign(&pair, &ts, PING);
            verifier
                .check(
                    Some(signature.as_bytes()),
                    Some(ts.as_bytes()),
                    PING,
                    1_700_000_000 + i,
                )
                .unwrap();
        }
        let replays = verifier.replays.lock().unwrap();
        assert!(replays.order.len() <= 4 && replays.seen.len() <= 4);
    }

    #[test]
    fn public_keys_are_64_hex_digits() {
        assert!(PublicKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(PublicKey::from_hex(&"ab".repeat(31)).is_err());
        assert!(PublicKey::from_hex(&"zz".repeat(32)).is_err());
    }
}
