//! Interaction callbacks and the interaction webhook: follow-ups and the original response.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, Request, State},
    response::Response,
};
use twilight_model::id::{Id, marker::InteractionMarker};

use super::{json, no_content, parse_id, read_body};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    world::messages::Draft,
};

fn application_id(raw: &str) -> DiscordResult<u64> {
    raw.parse().map_err(|_| DiscordError::unknown_webhook())
}

/// `POST /interactions/{interaction_id}/{token}/callback[?with_response=true]`.
pub(super) async fn callback(
    State(emulator): State<Emulator>,
    Path((interaction_id, token)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> DiscordResult<Response> {
    let interaction_id: Id<InteractionMarker> =
        parse_id(&interaction_id).map_err(|_| DiscordError::unknown_interaction())?;
    let (body, uploads) = read_body(request).await?;
    let result = emulator
        .world()
        .interaction_callback(interaction_id, &token, &body, uploads)?;
    if query
        .get("with_response")
        .is_some_and(|value| truthy(value))
    {
        Ok(json(&result.body))
    } else {
        Ok(no_content())
    }
}

/// A query-string boolean as Discord reads it: `true`, `True`, `1`, `yes`, `on` are true.
fn truthy(value: &str) -> bool {
    ["true", "1", "yes", "on", "t", "y"]
        .iter()
        .any(|word| value.trim().eq_ignore_ascii_case(word))
}

/// `POST /webhooks/{application_id}/{token}`: a follow-up message (always answered with the
/// message, as if `wait=true`).
pub(super) async fn create_followup(
    State(emulator): State<Emulator>,
    Path((application, token)): Path<(String, String)>,
    request: Request,
) -> DiscordResult<Response> {
    let application = application_id(&application)?;
    let (body, uploads) = read_body(request).await?;
    let draft = Draft::parse(&body, uploads)?;
    let message = emulator
        .world()
        .create_followup(application, &token, draft)?;
    Ok(json(&crate::wire::message(&message)))
}

/// `GET /webhooks/{application_id}/{token}/messages/{message_id|@original}`.
pub(super) async fn get_message(
    State(emulator): State<Emulator>,
    Path((application, token, message)): Path<(String, String, String)>,
) -> DiscordResult<Response> {
    let application = application_id(&application)?;
    let message = emulator
        .world()
        .get_webhook_message(application, &token, &message)?;
    Ok(json(&crate::wire::message(&message)))
}

/// `PATCH /webhooks/{application_id}/{token}/messages/{message_id|@original}`.
pub(super) async fn update_message(
    State(emulator): State<Emulator>,
    Path((application, token, message)): Path<(String, String, String)>,
    request: Request,
) -> DiscordResult<Response> {
    let application = application_id(&application)?;
    let (body, uploads) = read_body(request).await?;
    let draft = Draft::parse(&body, uploads)?;
    let message = emulator
        .world()
        .edit_webhook_message(application, &token, &message, draft)?;
    Ok(json(&crate::wire::message(&message)))
}

/// `DELETE /webhooks/{application_id}/{token}/messages/{message_id|@original}`.
pub(super) async fn delete_message(
    State(emulator): State<Emulator>,
    Path((application, token, message)): Path<(String, String, String)>,
) -> DiscordResult<Response> {
    let application = application_id(&application)?;
    emulator
        .world()
        .delete_webhook_message(application, &token, &message)?;
    Ok(no_content())
}
