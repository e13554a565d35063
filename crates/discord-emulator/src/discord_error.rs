//! Discord's JSON errors: `{"code": N, "message": "..."}` with the HTTP status Discord uses.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::{Value, json};

/// An error answer from the REST API, with Discord's status, code and message.
#[derive(Clone, Debug)]
pub(crate) struct DiscordError {
    pub(crate) status: StatusCode,
    pub(crate) code: u32,
    pub(crate) message: String,
    /// The `errors` object of a 50035 Invalid Form Body.
    pub(crate) errors: Option<Value>,
}

/// Marks a response as a Discord error, so the request log can show its code.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ErrorCode(pub(crate) u32);

impl DiscordError {
    pub(crate) fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: None,
        }
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized")
    }

    pub(crate) fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, 0, "404: Not Found")
    }

    pub(crate) fn method_not_allowed() -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, 0, "405: Method Not Allowed")
    }

    pub(crate) fn unknown_channel() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10003, "Unknown Channel")
    }

    pub(crate) fn unknown_guild() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10004, "Unknown Guild")
    }

    pub(crate) fn unknown_member() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10007, "Unknown Member")
    }

    pub(crate) fn unknown_message() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10008, "Unknown Message")
    }

    pub(crate) fn unknown_role() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10011, "Unknown Role")
    }

    pub(crate) fn unknown_user() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10013, "Unknown User")
    }

    pub(crate) fn unknown_webhook() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10015, "Unknown Webhook")
    }

    pub(crate) fn unknown_interaction() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10062, "Unknown interaction")
    }

    pub(crate) fn unknown_command() -> Self {
        Self::new(StatusCode::NOT_FOUND, 10063, "Unknown application command")
    }

    pub(crate) fn not_application_owner() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            20012,
            "You are not authorized to perform this action on this application",
        )
    }

    pub(crate) fn max_pins() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            30003,
            "Maximum number of pins reached (50)",
        )
    }

    pub(crate) fn max_channels() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            30013,
            "Maximum number of guild channels reached (500)",
        )
    }

    pub(crate) fn max_active_threads() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            160006,
            "Maximum number of active threads reached",
        )
    }

    pub(crate) fn thread_archived() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 50083, "Thread is archived")
    }

    pub(crate) fn invalid_channel_type() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            50024,
            "Cannot execute action on this channel type",
        )
    }

    pub(crate) fn entity_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            40005,
            "Request entity too large",
        )
    }

    pub(crate) fn already_acknowledged() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            40060,
            "Interaction has already been acknowledged.",
        )
    }

    pub(crate) fn missing_access() -> Self {
        Self::new(StatusCode::FORBIDDEN, 50001, "Missing Access")
    }

    pub(crate) fn cannot_edit_other_users_message() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            50005,
            "Cannot edit a message authored by another user",
        )
    }

    pub(crate) fn empty_message() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            50006,
            "Cannot send an empty message",
        )
    }

    pub(crate) fn cannot_message_user() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            50007,
            "Cannot send messages to this user",
        )
    }

    pub(crate) fn non_text_channel() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            50008,
            "Cannot send messages in a non-text channel",
        )
    }

    pub(crate) fn missing_permissions() -> Self {
        Self::new(StatusCode::FORBIDDEN, 50013, "Missing Permissions")
    }

    pub(crate) fn invalid_webhook_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 50027, "Invalid Webhook Token")
    }

    pub(crate) fn invalid_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            50109,
            "The request body contains invalid JSON.",
        )
    }

    /// 50035 Invalid Form Body, with one error at `path` (dot-separated, e.g. `embeds.0.title`).
    pub(crate) fn invalid_form(path: &str, code: &str, message: impl Into<String>) -> Self {
        let mut errors = json!({
            "_errors": [{ "code": code, "message": message.into() }]
        });
        for segment in path.rsplit('.').filter(|segment| !segment.is_empty()) {
            errors = json!({ segment: errors });
        }
        Self {
            status: StatusCode::BAD_REQUEST,
            code: 50035,
            message: "Invalid Form Body".to_owned(),
            errors: Some(errors),
        }
    }

    /// 50035 for a field longer or shorter than allowed.
    pub(crate) fn bad_length(path: &str, min: usize, max: usize) -> Self {
        if min == 0 {
            Self::invalid_form(
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            )
        } else {
            Self::invalid_form(
                path,
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between {min} and {max} in length."),
            )
        }
    }

    /// 50035 for a required field that is missing.
    pub(crate) fn required(path: &str) -> Self {
        Self::invalid_form(path, "BASE_TYPE_REQUIRED", "This field is required")
    }

    /// The JSON body Discord sends.
    pub(crate) fn body(&self) -> Value {
        let mut body = json!({ "code": self.code, "message": self.message });
        if let Some(errors) = &self.errors {
            body["errors"] = errors.clone();
        }
        body
    }
}

impl IntoResponse for DiscordError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        response.extensions_mut().insert(ErrorCode(self.code));
        response
    }
}

impl std::fmt::Display for DiscordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )?;
        if let Some(errors) = &self.errors {
            write!(f, " {errors}")?;
        }
        Ok(())
    }
}

/// Result of REST handlers and of the world operations they share with the scripting API.
pub(crate) type DiscordResult<T> = Result<T, DiscordError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_form_nests_the_path() {
        let error = DiscordError::bad_length("embeds.0.title", 1, 256);
        assert_eq!(
            error.body()["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"],
            "BASE_TYPE_BAD_LENGTH"
        );
        assert_eq!(error.body()["code"], 50035);
    }
}
