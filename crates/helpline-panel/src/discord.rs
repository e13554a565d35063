//! What the panel asks Discord: the OAuth2 code exchange and the signed-in user (with their
//! token, which is used during the sign-in and then dropped), and a guild's roles and a member's
//! roles (with the bot's token) to decide who may see what, and the names staff members go by
//! (for the statistics).

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;

/// The largest answer read from Discord.
const MAX_BODY: usize = 4 << 20;
/// How long one call may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A 429 asking to wait at most this long is waited out once; a longer one is a failure.
const SHORT_WAIT: Duration = Duration::from_secs(2);
/// How long a guild's channel list is kept (the setup and panels pages ask for it).
const CHANNELS_TTL: Duration = Duration::from_secs(10);
/// Guilds whose channel lists are kept at most.
const CHANNELS_KEPT: usize = 1_000;

/// Guilds' channel lists: when each was asked, and what Discord said (`None`: no such guild).
type KeptChannels = std::collections::HashMap<u64, (std::time::Instant, Option<Vec<NamedChannel>>)>;

/// How long a 429 asks to wait: its JSON `retry_after` (seconds, fractional), else the
/// `Retry-After` header.
fn retry_after(headers: &hyper::HeaderMap, body: &[u8]) -> Option<Duration> {
    #[derive(Deserialize)]
    struct Limited {
        retry_after: f64,
    }
    serde_json::from_slice::<Limited>(body)
        .ok()
        .map(|l| l.retry_after)
        .or_else(|| {
            headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok())
        })
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(Duration::from_secs_f64)
}

/// A Discord call that failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DiscordError {
    #[error("Discord answered {status} to {what}")]
    Status { what: &'static str, status: u16 },
    #[error("Discord could not be reached for {what}: {why}")]
    Unreachable { what: &'static str, why: String },
    #[error("Discord's answer to {what} could not be read: {why}")]
    Malformed { what: &'static str, why: String },
}

/// The signed-in user, as `GET /users/@me` tells.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct User {
    #[serde(deserialize_with = "snowflake")]
    pub(crate) id: u64,
    pub(crate) username: String,
    #[serde(default)]
    pub(crate) global_name: Option<String>,
    #[serde(default)]
    pub(crate) locale: Option<String>,
}

/// One of the user's guilds, as `GET /users/@me/guilds` tells.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct UserGuild {
    #[serde(deserialize_with = "snowflake")]
    pub(crate) id: u64,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) owner: bool,
    /// The user's permissions in the guild, as a decimal string.
    #[serde(default)]
    pub(crate) permissions: Option<String>,
}

impl UserGuild {
    /// Whether Discord says the user may manage the guild (owner, Administrator or Manage
    /// Server): such guilds are offered for setup. Checked again against Discord on the page.
    pub(crate) fn may_manage(&self) -> bool {
        const ADMINISTRATOR: u64 = 1 << 3;
        const MANAGE_GUILD: u64 = 1 << 5;
        let bits = self
            .permissions
            .as_deref()
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(0);
        self.owner || bits & (ADMINISTRATOR | MANAGE_GUILD) != 0
    }
}

/// A guild's role as the settings page names it.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct NamedRole {
    #[serde(deserialize_with = "snowflake")]
    pub(crate) id: u64,
    pub(crate) name: String,
    /// Higher is shown first, as in Discord's list.
    #[serde(default)]
    pub(crate) position: i64,
}

/// A guild's channel as the setup and panels pages offer it.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct NamedChannel {
    #[serde(deserialize_with = "snowflake")]
    pub(crate) id: u64,
    #[serde(rename = "type")]
    pub(crate) kind: u8,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) position: i64,
}

impl NamedChannel {
    /// Discord's kind of a text channel.
    pub(crate) const TEXT: u8 = 0;
    /// Discord's kind of a category.
    pub(crate) const CATEGORY: u8 = 4;
}

/// A guild as the bot reads it: its owner and its roles' permissions.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Guild {
    pub(crate) name: String,
    #[serde(deserialize_with = "snowflake")]
    pub(crate) owner_id: u64,
    pub(crate) roles: Vec<Role>,
}

#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Role {
    #[serde(deserialize_with = "snowflake")]
    pub(crate) id: u64,
    #[serde(deserialize_with = "snowflake")]
    pub(crate) permissions: u64,
}

#[derive(Clone, Debug, Deserialize)]
struct GuildMember {
    #[serde(default)]
    roles: Vec<String>,
}

/// A member's names: the server nickname, then the user's.
#[derive(Clone, Debug, Deserialize)]
struct MemberNames {
    #[serde(default)]
    nick: Option<String>,
    user: Option<MemberUser>,
}

#[derive(Clone, Debug, Deserialize)]
struct MemberUser {
    username: String,
    #[serde(default)]
    global_name: Option<String>,
}

#[derive(Deserialize)]
struct Token {
    access_token: String,
}

fn snowflake<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(serde::de::Error::custom)
}

/// The HTTP client to Discord. Its `Debug` shows no secret.
#[derive(Clone)]
pub(crate) struct Discord {
    client: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    /// `https://discord.com`, or an emulator's address.
    base: String,
    /// Where calls with the bot's token go: `helpline proxy` when the bot's calls share a REST
    /// budget through it, else `base`. A user's own calls (the sign-in) go to `base`.
    bot_base: String,
    /// Guilds' channel lists, briefly: (when asked, the list).
    channels: std::sync::Arc<std::sync::Mutex<KeptChannels>>,
    bot_token: String,
    client_id: u64,
    client_secret: String,
}

impl std::fmt::Debug for Discord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discord")
            .field("base", &self.base)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Discord {
    pub(crate) fn new(
        base: &str,
        rest_proxy: Option<&str>,
        bot_token: String,
        client_id: u64,
        client_secret: String,
    ) -> Result<Self, String> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_platform_verifier()
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            base: base.trim_end_matches('/').to_owned(),
            bot_base: rest_proxy.unwrap_or(base).trim_end_matches('/').to_owned(),
            channels: std::sync::Arc::default(),
            bot_token,
            client_id,
            client_secret,
        })
    }

    /// Where the browser is sent to consent.
    pub(crate) fn authorize_url(&self) -> String {
        format!("{}/oauth2/authorize", self.base)
    }

    pub(crate) fn client_id(&self) -> u64 {
        self.client_id
    }

    async fn call(
        &self,
        what: &'static str,
        method: Method,
        path: &str,
        authorization: String,
        form: Option<String>,
    ) -> Result<(StatusCode, Bytes), DiscordError> {
        let base = if authorization.starts_with("Bot ") {
            &self.bot_base
        } else {
            &self.base
        };
        let mut waited = false;
        loop {
            let (status, headers, body) = self
                .send(
                    what,
                    &method,
                    &format!("{base}/api/v10{path}"),
                    &authorization,
                    form.as_deref(),
                )
                .await?;
            if status == StatusCode::TOO_MANY_REQUESTS && !waited {
                // A short wait is waited out once; a longer one fails the page.
                if let Some(wait) = retry_after(&headers, &body).filter(|w| *w <= SHORT_WAIT) {
                    tracing::info!(what, ?wait, "Discord asked the panel to wait");
                    tokio::time::sleep(wait).await;
                    waited = true;
                    continue;
                }
            }
            return Ok((status, body));
        }
    }

    /// One request.
    async fn send(
        &self,
        what: &'static str,
        method: &Method,
        uri: &str,
        authorization: &str,
        form: Option<&str>,
    ) -> Result<(StatusCode, hyper::HeaderMap, Bytes), DiscordError> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(uri)
            .header("authorization", authorization)
            .header("user-agent", "Helpline panel");
        let body = match form {
            Some(form) => {
                request = request.header("content-type", "application/x-www-form-urlencoded");
                Full::new(Bytes::from(form.to_owned()))
            }
            None => Full::new(Bytes::new()),
        };
        let request = request.body(body).map_err(|e| DiscordError::Unreachable {
            what,
            why: e.to_string(),
        })?;
        let call = async {
            let response =
                self.client
                    .request(request)
                    .await
                    .map_err(|e| DiscordError::Unreachable {
                        what,
                        why: e.to_string(),
                    })?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = Limited::new(response.into_body(), MAX_BODY)
                .collect()
                .await
                .map_err(|e| DiscordError::Unreachable {
                    what,
                    why: e.to_string(),
                })?
                .to_bytes();
            Ok((status, headers, body))
        };
        tokio::time::timeout(TIMEOUT, call)
            .await
            .map_err(|_| DiscordError::Unreachable {
                what,
                why: "timed out".into(),
            })?
    }

    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        what: &'static str,
        path: &str,
        authorization: String,
    ) -> Result<Option<T>, DiscordError> {
        let (status, body) = self
            .call(what, Method::GET, path, authorization, None)
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(DiscordError::Status {
                what,
                status: status.as_u16(),
            });
        }
        serde_json::from_slice(&body)
            .map(Some)
            .map_err(|e| DiscordError::Malformed {
                what,
                why: e.to_string(),
            })
    }

    /// Exchanges an authorization code (with its PKCE verifier) for an access token.
    pub(crate) async fn exchange(
        &self,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
    ) -> Result<String, DiscordError> {
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
            ("client_id", &self.client_id.to_string()),
            ("client_secret", &self.client_secret),
        ]
        .iter()
        .map(|(key, value)| format!("{key}={}", crate::page::url_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
        let what = "the sign-in code";
        let (status, body) = self
            .call(
                what,
                Method::POST,
                "/oauth2/token",
                String::new(),
                Some(form),
            )
            .await?;
        if !status.is_success() {
            return Err(DiscordError::Status {
                what,
                status: status.as_u16(),
            });
        }
        let token: Token = serde_json::from_slice(&body).map_err(|e| DiscordError::Malformed {
            what,
            why: e.to_string(),
        })?;
        Ok(token.access_token)
    }

    pub(crate) async fn user(&self, token: &str) -> Result<User, DiscordError> {
        self.json(
            "the signed-in user",
            "/users/@me",
            format!("Bearer {token}"),
        )
        .await?
        .ok_or(DiscordError::Status {
            what: "the signed-in user",
            status: 404,
        })
    }

    pub(crate) async fn user_guilds(&self, token: &str) -> Result<Vec<UserGuild>, DiscordError> {
        Ok(self
            .json(
                "the signed-in user's servers",
                "/users/@me/guilds",
                format!("Bearer {token}"),
            )
            .await?
            .unwrap_or_default())
    }

    /// A channel as the bot reads it (its kind and permission overwrites).
    pub(crate) async fn channel(
        &self,
        channel: u64,
    ) -> Result<Option<twilight_model::channel::Channel>, DiscordError> {
        self.json(
            "a channel",
            &format!("/channels/{channel}"),
            format!("Bot {}", self.bot_token),
        )
        .await
    }

    /// The bot's own user id.
    pub(crate) async fn bot_user(&self) -> Result<u64, DiscordError> {
        let user: Option<User> = self
            .json(
                "the bot's user",
                "/users/@me",
                format!("Bot {}", self.bot_token),
            )
            .await?;
        user.map(|u| u.id).ok_or(DiscordError::Status {
            what: "the bot's user",
            status: 404,
        })
    }

    /// A guild the bot is in (`None`: it is not, or the guild does not exist).
    pub(crate) async fn guild(&self, guild: u64) -> Result<Option<Guild>, DiscordError> {
        self.json(
            "a server's roles",
            &format!("/guilds/{guild}"),
            format!("Bot {}", self.bot_token),
        )
        .await
    }

    /// A guild's roles, with their names (`None`: the bot is not in the guild).
    pub(crate) async fn guild_roles(
        &self,
        guild: u64,
    ) -> Result<Option<Vec<NamedRole>>, DiscordError> {
        self.json(
            "a server's role names",
            &format!("/guilds/{guild}/roles"),
            format!("Bot {}", self.bot_token),
        )
        .await
    }

    /// A guild's channels, with their kinds and names (`None`: the bot is not in the guild).
    /// Kept [`CHANNELS_TTL`]: a page viewed again and again asks Discord once.
    pub(crate) async fn guild_channels(
        &self,
        guild: u64,
    ) -> Result<Option<Vec<NamedChannel>>, DiscordError> {
        let kept = self.channels.lock().ok().and_then(|kept| {
            kept.get(&guild)
                .filter(|(at, _)| at.elapsed() < CHANNELS_TTL)
                .map(|(_, channels)| channels.clone())
        });
        if let Some(channels) = kept {
            return Ok(channels);
        }
        let channels: Option<Vec<NamedChannel>> = self
            .json(
                "a server's channels",
                &format!("/guilds/{guild}/channels"),
                format!("Bot {}", self.bot_token),
            )
            .await?;
        if let Ok(mut kept) = self.channels.lock() {
            if kept.len() >= CHANNELS_KEPT {
                kept.retain(|_, (at, _)| at.elapsed() < CHANNELS_TTL);
            }
            if kept.len() < CHANNELS_KEPT {
                kept.insert(guild, (std::time::Instant::now(), channels.clone()));
            }
        }
        Ok(channels)
    }

    /// A member's roles (`None`: not a member).
    pub(crate) async fn member_roles(
        &self,
        guild: u64,
        user: u64,
    ) -> Result<Option<Vec<u64>>, DiscordError> {
        let member: Option<GuildMember> = self
            .json(
                "a member's roles",
                &format!("/guilds/{guild}/members/{user}"),
                format!("Bot {}", self.bot_token),
            )
            .await?;
        Ok(member.map(|m| m.roles.iter().filter_map(|r| r.parse().ok()).collect()))
    }

    /// The name a member goes by in a guild (`None`: not a member).
    pub(crate) async fn member_name(
        &self,
        guild: u64,
        user: u64,
    ) -> Result<Option<String>, DiscordError> {
        let member: Option<MemberNames> = self
            .json(
                "a member's name",
                &format!("/guilds/{guild}/members/{user}"),
                format!("Bot {}", self.bot_token),
            )
            .await?;
        Ok(member.and_then(|m| {
            m.nick
                .or_else(|| m.user.as_ref().and_then(|u| u.global_name.clone()))
                .or_else(|| m.user.map(|u| u.username))
        }))
    }
}
