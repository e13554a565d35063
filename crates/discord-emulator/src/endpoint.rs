//! Discord's interactions endpoint mode: an application given an interactions endpoint URL
//! gets its interactions as signed HTTP `POST`s there instead of over the gateway.
//!
//! As Discord does: the emulator holds the application's Ed25519 key pair (the public key is
//! the application's `verify_key`); registering a URL first sends PINGs with invalid
//! signatures, which the endpoint must refuse with 401, then a valid PING, which it must answer
//! with PONG, or the URL is refused. Once registered, each interaction is signed
//! (`X-Signature-Ed25519` over `X-Signature-Timestamp` + body) and posted; the HTTP response
//! is the interaction's initial response, checked as the callback route checks one, and it
//! must come within the interaction deadline (3 s) or the person sees the interaction fail.
//! The client speaks plain HTTP only: Discord requires HTTPS, the emulator runs on loopback.

use std::time::Duration;

use axum::body::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::{Value, json};
use twilight_model::id::{Id, marker::InteractionMarker};

use crate::Emulator;

/// The application's key pair and the client that reaches its endpoint.
pub(crate) struct EndpointKeys {
    pair: Ed25519KeyPair,
    public_hex: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for EndpointKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointKeys")
            .field("public_key", &self.public_hex)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A fresh Ed25519 key pair from the system's randomness.
fn random_pair() -> Ed25519KeyPair {
    use ring::rand::SecureRandom as _;
    let mut seed = [0; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut seed)
        .expect("the system's randomness is available");
    Ed25519KeyPair::from_seed_unchecked(&seed).expect("a 32-byte seed is a valid key")
}

impl EndpointKeys {
    pub(crate) fn generate() -> Self {
        let pair = random_pair();
        let public_hex = hex(pair.public_key().as_ref());
        Self {
            pair,
            public_hex,
            client: Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(HttpConnector::new()),
        }
    }

    /// The application's public key, as the developer portal shows it.
    pub(crate) fn public_hex(&self) -> &str {
        &self.public_hex
    }
}

/// How a request is signed.
#[derive(Clone, Copy, Debug)]
enum Signing {
    /// With the application's key.
    Valid,
    /// With another key: what an endpoint verifying with the wrong key would accept.
    OtherKey,
    /// The application's signature of a different body.
    OtherBody,
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// Posts a signed body; the status and body of the answer, or why there was none within
/// `wait`.
async fn post(
    keys: &EndpointKeys,
    url: &str,
    body: Vec<u8>,
    signing: Signing,
    wait: Duration,
) -> Result<(u16, Bytes), String> {
    let timestamp = unix_seconds().to_string();
    let signed = |pair: &Ed25519KeyPair, body: &[u8]| {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex(pair.sign(&message).as_ref())
    };
    let signature = match signing {
        Signing::Valid => signed(&keys.pair, &body),
        Signing::OtherKey => signed(&random_pair(), &body),
        Signing::OtherBody => {
            let mut other = body.clone();
            other.extend_from_slice(b" ");
            signed(&keys.pair, &other)
        }
    };
    let request = hyper::Request::post(url)
        .header("content-type", "application/json")
        .header(
            "user-agent",
            "Discord-Interactions/1.0 (+https://discord.com)",
        )
        .header("x-signature-ed25519", signature)
        .header("x-signature-timestamp", &timestamp)
        .body(Full::new(Bytes::from(body)))
        .map_err(|error| format!("cannot build the request: {error}"))?;
    let exchange = async {
        let response = keys
            .client
            .request(request)
            .await
            .map_err(|error| format!("cannot reach the endpoint: {error}"))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| format!("the endpoint's answer broke off: {error}"))?
            .to_bytes();
        Ok((status, body))
    };
    tokio::time::timeout(wait, exchange)
        .await
        .map_err(|_| format!("no answer within {} ms", wait.as_millis()))?
}

impl Emulator {
    /// The application's Ed25519 public key (its `verify_key`), 64 hexadecimal digits: what an
    /// interactions endpoint verifies requests with.
    pub fn interactions_public_key(&self) -> String {
        self.shared.endpoint.public_hex().to_owned()
    }

    /// The application's interactions endpoint URL, when one is registered.
    pub fn interactions_endpoint(&self) -> Option<String> {
        self.world().interactions_endpoint.clone()
    }

    /// Registers (or, with `None`, removes) the application's interactions endpoint, checking
    /// it as Discord does: PINGs with invalid signatures must get 401, a valid PING must get
    /// PONG. On success every later interaction is posted there instead of dispatched over the
    /// gateway; on failure nothing changes and the error says what the endpoint did wrong.
    pub async fn set_interactions_endpoint(&self, url: Option<&str>) -> Result<(), String> {
        let Some(url) = url.map(str::trim).filter(|url| !url.is_empty()) else {
            self.world().interactions_endpoint = None;
            return Ok(());
        };
        if !url.starts_with("http://") || url.parse::<hyper::Uri>().is_err() {
            return Err(format!(
                "`{url}` is not an http:// URL (the emulator reaches endpoints over plain HTTP)"
            ));
        }
        let wait = self.shared.config.interaction_deadline;
        let ping = |world: &mut crate::world::World| {
            let id: Id<InteractionMarker> = world.next_id();
            serde_json::to_vec(&json!({
                "id": id.to_string(),
                "application_id": world.config.application_id.to_string(),
                "type": 1,
                "token": format!("aW50ZXJhY3Rpb24{}", crate::snowflake::random_hex()),
                "version": 1,
                "authorizing_integration_owners": {},
                "entitlements": [],
                "attachment_size_limit": 10 * 1024 * 1024,
            }))
            .expect("a PING serializes")
        };
        let keys = &self.shared.endpoint;
        for (signing, what) in [
            (Signing::OtherKey, "a PING signed with another key"),
            (
                Signing::OtherBody,
                "a PING whose signature is of another body",
            ),
        ] {
            let body = ping(&mut self.world());
            match post(keys, url, body, signing, wait).await {
                Ok((401, _)) => {}
                Ok((status, _)) => {
                    return Err(format!(
                        "the endpoint answered {status} to {what}; it must answer 401"
                    ));
                }
                Err(why) => return Err(format!("{what}: {why}")),
            }
        }
        let body = ping(&mut self.world());
        match post(keys, url, body, Signing::Valid, wait).await {
            Ok((200, answer)) => {
                let kind = serde_json::from_slice::<Value>(&answer)
                    .ok()
                    .and_then(|answer| answer.get("type").and_then(Value::as_u64));
                if kind != Some(1) {
                    return Err(
                        "the endpoint did not answer a valid PING with {\"type\": 1}".to_owned(),
                    );
                }
            }
            Ok((status, _)) => {
                return Err(format!(
                    "the endpoint answered {status} to a valid PING; it must answer 200 with {{\"type\": 1}}"
                ));
            }
            Err(why) => return Err(format!("a valid PING: {why}")),
        }
        self.world().interactions_endpoint = Some(url.to_owned());
        tracing::info!(url, "interactions endpoint registered");
        Ok(())
    }

    /// Posts an interaction to the endpoint and applies its answer as the initial response;
    /// no answer in time, or one Discord would refuse, fails the interaction for the person.
    pub(crate) async fn deliver_interaction(
        &self,
        url: String,
        id: Id<InteractionMarker>,
        body: Vec<u8>,
    ) {
        let wait = self.shared.config.interaction_deadline;
        let answer = post(&self.shared.endpoint, &url, body, Signing::Valid, wait).await;
        let mut world = self.world();
        let Some(token) = world
            .interactions
            .get(id)
            .map(|record| record.token.clone())
        else {
            return;
        };
        let refused = match answer {
            Ok((200, bytes)) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(response) => world
                    .interaction_callback(id, &token, &response, Vec::new())
                    .err()
                    .map(|error| format!("{} ({})", error.message, error.code)),
                Err(_) => Some("an answer that is not JSON".to_owned()),
            },
            Ok((status, _)) => Some(format!("status {status}")),
            Err(why) => Some(why),
        };
        if let Some(why) = refused {
            tracing::warn!(interaction = %id, %why, "the interactions endpoint did not answer");
            world.fail_interaction(id);
        }
    }
}
