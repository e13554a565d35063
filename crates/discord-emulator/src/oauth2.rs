//! Discord's OAuth2 for web panels: the authorization-code flow with a consent page a test
//! browser can click, the token endpoint (code and refresh grants), and bearer tokens for
//! `GET /users/@me` and `GET /users/@me/guilds`.
//!
//! `GET /oauth2/authorize?client_id&redirect_uri&response_type=code&scope&state` shows one
//! "Authorize as NAME" button per person of the world and a Cancel button; a click redirects
//! to `redirect_uri?code=...&state=...` (or `?error=access_denied&...&state=...`), the state
//! passed through unchanged. `POST /api/v10/oauth2/token` (form-encoded; the client's id and
//! secret in the form or in HTTP Basic auth) answers `{access_token, token_type: "Bearer",
//! expires_in, refresh_token, scope}`; a code is good once, for 10 minutes, with the
//! redirect URI it was issued for; a refresh token is good once and gives a new pair.
//!
//! PKCE (RFC 7636), as Discord supports it: the authorize request may carry `code_challenge`
//! (43 to 128 characters of `A-Z a-z 0-9 - . _ ~`) and `code_challenge_method` (`S256`, or
//! `plain`, the default when only a challenge is given; any other method is the 400 page). The
//! consent form carries both on and the code remembers them; exchanging such a code then needs
//! the `code_verifier` whose BASE64URL(SHA-256) is the challenge (or, for `plain`, which is the
//! challenge), or answers 400 `invalid_grant`, the code spent either way. A code issued
//! without a challenge ignores a verifier.

use std::{
    collections::HashMap,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use axum::{
    Router,
    body::{Bytes, to_bytes},
    extract::{Query, Request, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use ring::digest::{SHA256, digest};
use serde_json::json;
use tokio::time::Instant;
use twilight_model::id::{Id, marker::UserMarker};

use crate::{Emulator, snowflake::random_hex, token::base64url};

/// How long an access token lives (Discord: 7 days).
const ACCESS_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How long a code may wait for its exchange.
const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// A user's consent: who, which scopes.
#[derive(Clone, Debug)]
pub(crate) struct Grant {
    pub(crate) user_id: Id<UserMarker>,
    pub(crate) scopes: Vec<String>,
    redirect_uri: String,
    expires: Instant,
}

impl Grant {
    pub(crate) fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|given| given == scope)
    }
}

/// How a PKCE challenge is derived from its verifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChallengeMethod {
    /// The challenge is the verifier.
    Plain,
    /// The challenge is BASE64URL-without-padding(SHA-256(verifier)).
    S256,
}

/// The PKCE challenge an authorization request carried.
#[derive(Clone, Debug)]
struct Challenge {
    value: String,
    method: ChallengeMethod,
}

impl Challenge {
    /// Whether `verifier` is the one this challenge was made from.
    fn verifies(&self, verifier: &str) -> bool {
        match self.method {
            ChallengeMethod::Plain => verifier == self.value,
            ChallengeMethod::S256 => {
                base64url(digest(&SHA256, verifier.as_bytes()).as_ref()) == self.value
            }
        }
    }
}

/// RFC 7636's shape of a verifier (and so of a challenge): 43 to 128 characters of the
/// unreserved set.
fn is_pkce_shaped(text: &str) -> bool {
    (43..=128).contains(&text.len())
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~'))
}

/// A code waiting for its exchange: the consent, and the PKCE challenge if one was given.
#[derive(Debug)]
struct PendingCode {
    grant: Grant,
    challenge: Option<Challenge>,
}

/// Codes, access and refresh tokens handed out.
#[derive(Debug, Default)]
pub(crate) struct OAuth {
    codes: HashMap<String, PendingCode>,
    access: HashMap<String, Grant>,
    refresh: HashMap<String, Grant>,
}

/// The OAuth2 state of an emulator.
#[derive(Debug, Default)]
pub(crate) struct OAuthState(Mutex<OAuth>);

impl OAuthState {
    fn lock(&self) -> std::sync::MutexGuard<'_, OAuth> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The grant behind a live access token.
    pub(crate) fn bearer(&self, token: &str) -> Option<Grant> {
        self.lock()
            .access
            .get(token)
            .filter(|grant| grant.expires > Instant::now())
            .cloned()
    }
}

/// The client secret of the emulator's application: fixed for an application id.
pub fn client_secret_for(application_id: u64) -> String {
    crate::token::bot_token_for(application_id)
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .chars()
        .take(32)
        .collect()
}

pub(crate) fn router(emulator: Emulator) -> Router {
    Router::new()
        .route("/oauth2/authorize", get(consent_page).post(consent))
        .route("/api/oauth2/authorize", get(consent_page).post(consent))
        .route("/api/v10/oauth2/authorize", get(consent_page).post(consent))
        .with_state(emulator)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn bad_request(message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><title>Discord</title><p>{}</p>",
            escape(message)
        )),
    )
        .into_response()
}

/// Checks an authorization request as Discord does before it shows the consent page; its PKCE
/// challenge, if it has one.
fn check_request(
    emulator: &Emulator,
    query: &HashMap<String, String>,
) -> Result<Option<Challenge>, &'static str> {
    let application = emulator.application_id().to_string();
    if query.get("client_id") != Some(&application) {
        return Err("Unknown application (invalid client_id).");
    }
    if query.get("response_type").map(String::as_str) != Some("code") {
        return Err("Unsupported response_type: only \"code\".");
    }
    if query.get("redirect_uri").is_none_or(String::is_empty) {
        return Err("Invalid OAuth2 redirect_uri.");
    }
    if query
        .get("scope")
        .is_none_or(|scope| scope.trim().is_empty())
    {
        return Err("No scopes were provided.");
    }
    challenge(query)
}

/// The PKCE challenge of an authorization request: `code_challenge` with
/// `code_challenge_method` (`S256` or `plain`; `plain` when absent).
fn challenge(query: &HashMap<String, String>) -> Result<Option<Challenge>, &'static str> {
    let method = match query.get("code_challenge_method").map(String::as_str) {
        None | Some("plain") => ChallengeMethod::Plain,
        Some("S256") => ChallengeMethod::S256,
        Some(_) => {
            return Err(
                "Unsupported code_challenge_method: only \"S256\" or \"plain\" (case-sensitive).",
            );
        }
    };
    let Some(value) = query.get("code_challenge") else {
        if query.contains_key("code_challenge_method") {
            return Err("code_challenge_method was given without a code_challenge.");
        }
        return Ok(None);
    };
    if !is_pkce_shaped(value) {
        return Err(
            "Invalid code_challenge: 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (base64url without padding for S256).",
        );
    }
    Ok(Some(Challenge {
        value: value.clone(),
        method,
    }))
}

/// `GET /oauth2/authorize`: the consent page.
async fn consent_page(
    State(emulator): State<Emulator>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(message) = check_request(&emulator, &query) {
        return bad_request(message);
    }
    let hidden: String = [
        "client_id",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .filter_map(|key| query.get(*key).map(|value| (key, value)))
    .map(|(key, value)| {
        format!(
            r#"<input type="hidden" name="{key}" value="{}">"#,
            escape(value)
        )
    })
    .collect();
    let world = emulator.world();
    let bot = world.bot_id();
    let mut people: Vec<_> = world
        .users
        .iter()
        .filter(|(id, record)| *id != bot && !record.bot)
        .map(|(id, record)| (id, record.name.to_string()))
        .collect();
    drop(world);
    people.sort();
    let buttons: String = people
        .iter()
        .map(|(id, name)| {
            format!(
                r#"<button type="submit" name="user_id" value="{id}" data-user-id="{id}">Authorize as {}</button>"#,
                escape(name)
            )
        })
        .collect();
    let scopes = escape(query.get("scope").map_or("", String::as_str));
    Html(format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Discord | Authorize access to your account</title></head>
<body>
<h1>An external application wants to access your Discord account</h1>
<p>Scopes: <span id="scopes">{scopes}</span></p>
<form method="post" action="/oauth2/authorize">{hidden}{buttons}
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</body></html>"#
    ))
    .into_response()
}

/// Decodes an `application/x-www-form-urlencoded` body or query.
pub(crate) fn form(bytes: &[u8]) -> HashMap<String, String> {
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut index = 0;
        while index < bytes.len() {
            match bytes[index] {
                b'+' => out.push(b' '),
                b'%' if index + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[index + 1..index + 3])
                        .ok()
                        .and_then(|hex| u8::from_str_radix(hex, 16).ok());
                    match hex {
                        Some(byte) => {
                            out.push(byte);
                            index += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                byte => out.push(byte),
            }
            index += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(bytes)
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn redirect(uri: &str, params: &[(&str, &str)]) -> Response {
    let query: Vec<String> = params
        .iter()
        .map(|(key, value)| format!("{key}={}", percent_encode(value)))
        .collect();
    let separator = if uri.contains('?') { '&' } else { '?' };
    let location = format!("{uri}{separator}{}", query.join("&"));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `POST /oauth2/authorize`: the person's click on the consent page.
async fn consent(State(emulator): State<Emulator>, body: Bytes) -> Response {
    let fields = form(&body);
    let challenge = match check_request(&emulator, &fields) {
        Ok(challenge) => challenge,
        Err(message) => return bad_request(message),
    };
    let redirect_uri = fields["redirect_uri"].clone();
    let state = fields.get("state").cloned();
    let with_state = |mut params: Vec<(&'static str, String)>| {
        if let Some(state) = &state {
            params.push(("state", state.clone()));
        }
        params
    };
    if fields.get("action").map(String::as_str) == Some("cancel") {
        let params = with_state(vec![
            ("error", "access_denied".to_owned()),
            (
                "error_description",
                "The resource owner or authorization server denied the request".to_owned(),
            ),
        ]);
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        return redirect(&redirect_uri, &params);
    }
    let user_id = fields
        .get("user_id")
        .and_then(|id| id.parse().ok())
        .and_then(Id::new_checked);
    let Some(user_id) = user_id.filter(|id| emulator.world().users.contains_key(id)) else {
        return bad_request("Pick who authorizes.");
    };
    let code = random_hex();
    let grant = Grant {
        user_id,
        scopes: fields["scope"]
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        redirect_uri: redirect_uri.clone(),
        expires: Instant::now() + CODE_LIFETIME,
    };
    emulator
        .shared
        .oauth
        .lock()
        .codes
        .insert(code.clone(), PendingCode { grant, challenge });
    let params = with_state(vec![("code", code)]);
    let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect(&redirect_uri, &params)
}

fn token_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// The client id and secret from HTTP Basic auth.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = crate::token::base64_decode(encoded.trim())?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// `POST /api/v10/oauth2/token`: the code and refresh grants.
pub(crate) async fn token(State(emulator): State<Emulator>, request: Request) -> Response {
    let headers = request.headers().clone();
    let Ok(body) = to_bytes(request.into_body(), 64 * 1024).await else {
        return token_error(StatusCode::BAD_REQUEST, "invalid_request", "Bad body.");
    };
    let fields = form(&body);
    let (client_id, secret) = basic_auth(&headers).unwrap_or_else(|| {
        (
            fields.get("client_id").cloned().unwrap_or_default(),
            fields.get("client_secret").cloned().unwrap_or_default(),
        )
    });
    let application = emulator.application_id();
    if client_id != application.to_string() || secret != client_secret_for(application.get()) {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Invalid client.",
        );
    }
    let now = Instant::now();
    let mut oauth = emulator.shared.oauth.lock();
    let grant = match fields.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = fields.get("code").cloned().unwrap_or_default();
            // Removed before any check: a code is spent by its first exchange, good or not.
            let Some(PendingCode { grant, challenge }) = oauth
                .codes
                .remove(&code)
                .filter(|pending| pending.grant.expires > now)
            else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid \"code\" in request.",
                );
            };
            if fields.get("redirect_uri") != Some(&grant.redirect_uri) {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid \"redirect_uri\" in request.",
                );
            }
            if let Some(challenge) = challenge {
                let refusal = match fields.get("code_verifier") {
                    None => Some("Missing \"code_verifier\" in request."),
                    Some(verifier) if !is_pkce_shaped(verifier) => Some(
                        "Invalid \"code_verifier\" in request: 43 to 128 characters of A-Z a-z 0-9 - . _ ~.",
                    ),
                    Some(verifier) if !challenge.verifies(verifier) => Some(
                        "Invalid \"code_verifier\" in request: it does not match the code_challenge.",
                    ),
                    Some(_) => None,
                };
                if let Some(description) = refusal {
                    return token_error(StatusCode::BAD_REQUEST, "invalid_grant", description);
                }
            }
            grant
        }
        Some("refresh_token") => {
            let refresh = fields.get("refresh_token").cloned().unwrap_or_default();
            let Some(grant) = oauth.refresh.remove(&refresh) else {
                return token_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Invalid \"refresh_token\" in request.",
                );
            };
            oauth.access.retain(|_, live| {
                !(live.user_id == grant.user_id && live.redirect_uri == grant.redirect_uri)
            });
            grant
        }
        _ => {
            return token_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant type.",
            );
        }
    };
    let access = random_hex();
    let refresh = random_hex();
    let scope = grant.scopes.join(" ");
    let live = Grant {
        expires: now + ACCESS_LIFETIME,
        ..grant
    };
    oauth.access.insert(access.clone(), live.clone());
    oauth.refresh.insert(refresh.clone(), live);
    axum::Json(json!({
        "token_type": "Bearer",
        "access_token": access,
        "expires_in": ACCESS_LIFETIME.as_secs(),
        "refresh_token": refresh,
        "scope": scope,
    }))
    .into_response()
}
