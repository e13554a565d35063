//! Which Discord rate limits a request falls under, from its method and path.
//!
//! Discord buckets a route per top-level resource (its "major parameter": the channel, the
//! guild, or the webhook id and token), so two channels' message routes never share a bucket;
//! other ids in the path (a message, a user, a role) do not split it. Interaction callbacks and
//! webhook-token routes (an interaction's follow-ups) are exempt from the global limit.

/// A request's rate-limit identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `METHOD /path` with every id but the major parameter's replaced: the bucket's route.
    pub key: String,
    /// `METHOD /path` with every id replaced, for metrics and logs (no token, no id).
    pub label: String,
    /// The top-level resource (`channels/1`, `guilds/2`, `webhooks/3/<token hash>`), empty
    /// for routes without one: a bucket Discord names applies per major parameter.
    pub major: String,
    /// Exempt from the global limit.
    pub global_exempt: bool,
}

impl Route {
    /// The route of `method` on `path` (`/api/v10/channels/1/messages`).
    pub fn of(method: &str, path: &str) -> Self {
        let path = path.split('?').next().unwrap_or_default();
        let segments: Vec<&str> = path
            .trim_start_matches('/')
            .split('/')
            .filter(|segment| !segment.is_empty())
            .collect();
        // Skip `api` and the version.
        let segments = match segments.as_slice() {
            ["api", version, rest @ ..] if version.starts_with('v') => rest,
            ["api", rest @ ..] => rest,
            rest => rest,
        };
        let mut key = Vec::with_capacity(segments.len());
        let mut label = Vec::with_capacity(segments.len());
        let mut global_exempt = false;
        for (index, segment) in segments.iter().enumerate() {
            let previous = index.checked_sub(1).map(|i| segments[i]);
            let major = index == 1 && matches!(segments[0], "channels" | "guilds" | "webhooks");
            let token = index == 2 && matches!(segments[0], "webhooks" | "interactions");
            if token {
                global_exempt = true;
                // The token is part of the webhook's major parameter but never shown.
                key.push(if segments[0] == "webhooks" {
                    hide(segment)
                } else {
                    ":token".to_owned()
                });
                label.push(":token".to_owned());
            } else if is_id(segment) || previous == Some("reactions") {
                key.push(if major {
                    (*segment).to_owned()
                } else {
                    ":id".to_owned()
                });
                label.push(":id".to_owned());
            } else {
                key.push((*segment).to_owned());
                label.push((*segment).to_owned());
            }
        }
        let major = match segments {
            ["channels" | "guilds", id, ..] if is_id(id) => format!("{}/{id}", segments[0]),
            ["webhooks", id, token, ..] => format!("webhooks/{id}/{}", hide(token)),
            _ => String::new(),
        };
        Self {
            key: format!("{method} /{}", key.join("/")),
            label: format!("{method} /{}", label.join("/")),
            major,
            global_exempt,
        }
    }
}

/// A webhook token, never kept as it is: its hash tells buckets apart all the same.
fn hide(token: &str) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    token.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

fn is_id(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_split_by_major_parameter_only() {
        let route = Route::of("POST", "/api/v10/channels/123/messages");
        assert_eq!(route.key, "POST /channels/123/messages");
        assert_eq!(route.label, "POST /channels/:id/messages");
        assert!(!route.global_exempt);
        let edit = Route::of("PATCH", "/api/v10/channels/123/messages/456");
        assert_eq!(edit.key, "PATCH /channels/123/messages/:id");
        assert_eq!(
            Route::of("PATCH", "/api/v10/channels/123/messages/789").key,
            edit.key,
            "another message of the channel: the same bucket"
        );
        assert_eq!(
            Route::of("PUT", "/api/v10/guilds/9/members/5/roles/7").key,
            "PUT /guilds/9/members/:id/roles/:id"
        );
        assert_eq!(Route::of("GET", "/api/v10/users/@me").key, "GET /users/@me");
        assert_eq!(
            Route::of("GET", "/api/v10/gateway/bot?x=1").key,
            "GET /gateway/bot"
        );
    }

    #[test]
    fn interaction_routes_are_exempt_and_hide_their_token() {
        let callback = Route::of("POST", "/api/v10/interactions/111/secret-token/callback");
        assert!(callback.global_exempt);
        assert!(!callback.key.contains("secret"));
        assert!(!callback.label.contains("secret"));
        let follow_up = Route::of("POST", "/api/v10/webhooks/222/secret-token");
        assert!(follow_up.global_exempt);
        assert_eq!(follow_up.label, "POST /webhooks/:id/:token");
        assert!(!follow_up.key.contains("secret"), "{}", follow_up.key);
        assert!(!follow_up.major.contains("secret"));
        assert_ne!(
            Route::of("POST", "/api/v10/webhooks/222/other-token").major,
            follow_up.major,
            "a webhook's bucket is per token"
        );
        assert_eq!(
            Route::of("POST", "/api/v10/channels/5/messages").major,
            "channels/5"
        );
        assert_eq!(Route::of("GET", "/api/v10/users/@me").major, "");
    }
}
