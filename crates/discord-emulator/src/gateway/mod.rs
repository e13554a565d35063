//! Gateway v10 over a websocket at `/`: Hello, heartbeats, Identify, Ready and GUILD_CREATE,
//! Resume, dispatches filtered by shard and intents, and transport compression. Discord's
//! limits: identify concurrency per bucket (op 9), the session budget (4004 for every
//! session), the send limit (4008) and payload size (4002); op 7, op 9 and dropped
//! connections on demand or by chance (fault injection).

pub(crate) mod compression;
mod connection;
pub(crate) mod hub;

use axum::{
    Json, Router,
    extract::{Query, State, WebSocketUpgrade, ws::rejection::WebSocketUpgradeRejection},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::json;

use self::compression::TransportCompression;
use crate::Emulator;

/// Query parameters of the gateway URL (`?v=10&encoding=json&compress=zstd-stream`).
#[derive(Debug, Default, Deserialize)]
struct GatewayQuery {
    v: Option<String>,
    encoding: Option<String>,
    compress: Option<String>,
}

pub(crate) fn router(emulator: Emulator) -> Router {
    Router::new().route("/", get(upgrade)).with_state(emulator)
}

async fn upgrade(
    State(emulator): State<Emulator>,
    Query(query): Query<GatewayQuery>,
    websocket: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let Ok(websocket) = websocket else {
        return Json(json!({
            "service": "discord-emulator gateway",
            "connect": format!("{}/?v=10&encoding=json", emulator.gateway_url()),
        }))
        .into_response();
    };
    let compression = TransportCompression::from_query(query.compress.as_deref());
    let version_ok = query
        .v
        .as_deref()
        .is_none_or(|version| matches!(version, "9" | "10"));
    let encoding_ok = query
        .encoding
        .as_deref()
        .is_none_or(|encoding| encoding == "json");
    websocket
        .max_message_size(64 * 1024 * 1024)
        .on_upgrade(move |socket| async move {
            let refusal = match (compression, version_ok, encoding_ok) {
                (_, false, _) => Some((4012, "invalid API version")),
                (_, _, false) => Some((4002, "only encoding=json is supported")),
                (None, ..) => Some((4002, "unknown compress value")),
                _ => None,
            };
            connection::run(
                emulator,
                socket,
                compression.unwrap_or(TransportCompression::None),
                refusal,
            )
            .await;
        })
}
