//! Discord's shard recommendation: `GET /gateway/bot` (recommended shards, identify concurrency)
//! and the application's approximate guild count (`GET /applications/@me`), read with the bot
//! token.

use twilight_http::Client;

/// What Discord says of the bot's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub shards: u32,
    pub max_concurrency: u32,
    pub approximate_guilds: Option<u64>,
}

/// Reads Discord's recommendation for one bot.
#[derive(Debug)]
pub struct Discord {
    http: Client,
}

impl Discord {
    /// A client for `token` against Discord, or against `api_url` (`http[s]://host[:port]`,
    /// without a path: an emulator or the REST proxy) when given.
    pub fn new(token: String, api_url: Option<&str>) -> crate::Result<Self> {
        crate::install_crypto_provider();
        let mut builder = Client::builder().token(token);
        if let Some(url) = api_url {
            let (scheme, rest) = url
                .split_once("://")
                .ok_or_else(|| crate::Error::Discord(format!("`{url}` is not a URL")))?;
            let host = rest.trim_end_matches('/');
            let use_http = match scheme {
                "http" => true,
                "https" => false,
                _ => {
                    return Err(crate::Error::Discord(format!(
                        "`{url}`: http or https only"
                    )));
                }
            };
            if host.is_empty() || host.contains('/') {
                return Err(crate::Error::Discord(format!(
                    "`{url}`: a scheme and a host, without a path"
                )));
            }
            // Whoever is in front (the proxy, an emulator) keeps the rate limits.
            builder = builder.proxy(host.to_owned(), use_http).ratelimiter(None);
        }
        Ok(Self {
            http: builder.build(),
        })
    }

    /// Asks Discord now.
    pub async fn read(&self) -> crate::Result<Reading> {
        let gateway = self
            .http
            .gateway()
            .authed()
            .await
            .map_err(failure)?
            .model()
            .await
            .map_err(|error| crate::Error::Discord(format!("GET /gateway/bot: {error}")))?;
        let application = self
            .http
            .current_user_application()
            .await
            .map_err(failure)?
            .model()
            .await
            .map_err(|error| crate::Error::Discord(format!("GET /applications/@me: {error}")))?;
        Ok(Reading {
            shards: gateway.shards,
            max_concurrency: u32::from(gateway.session_start_limit.max_concurrency),
            approximate_guilds: application.approximate_guild_count,
        })
    }
}

/// twilight's error says the status and route, never the token.
fn failure(error: twilight_http::Error) -> crate::Error {
    crate::Error::Discord(error.to_string())
}
