//! Helpline's web panel (`helpline panel`): members sign in with Discord (OAuth2 code grant with
//! PKCE and a `state` bound to the browser) and see every ticket they opened, on every server
//! Helpline serves, with its transcript; a server's admins (Manage Server) and the users they
//! granted panel access (A7) see the server's tickets, filtered and searched, and its
//! statistics (the figures of `/stats`, with a chart drawn in SVG), and change its settings and
//! its templates (previewed as tickets would show them).
//!
//! The panel reads the same store as the bot. The user's Discord token is used during the
//! sign-in only and never kept; who may see a guild's tickets is asked of Discord with the bot's
//! token and remembered briefly (R12). Sessions are sealed cookies (AES-256-GCM); every form
//! carries the session's CSRF token; every page is rendered on the server, escapes what users
//! wrote and loads nothing from elsewhere; a transcript is served under a policy that runs no
//! script. Pages speak English and French (the browser's language, then the Discord locale).

mod access;
mod discord;
mod follow;
mod grants;
mod page;
mod panels;
mod routes;
mod seal;
mod session;
mod settings;
mod setup;
mod state;
mod stats;
mod templates;

use helpline_i18n::Translator;
use helpline_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How the panel runs.
#[derive(Clone)]
pub struct PanelConfig {
    /// Where it listens.
    pub listen: SocketAddr,
    /// The address users reach it at (`https://panel.example.com`): the OAuth2 redirect URI is
    /// this plus `/callback`, and must be registered with the application.
    pub public_url: String,
    /// The application's id and OAuth2 client secret.
    pub client_id: u64,
    pub client_secret: String,
    /// The key sealing sessions (32 bytes): the same for every replica.
    pub session_key: [u8; 32],
    /// The bot's token: who may see a guild's tickets is asked of Discord with it.
    pub bot_token: String,
    /// Discord's address: `https://discord.com`, or an emulator's.
    pub discord_url: String,
    /// `helpline proxy`'s address (`http://host:port`), when the bot's Discord calls share one
    /// REST budget through it: the panel's calls with the bot's token go there too.
    pub rest_proxy: Option<String>,
    /// How long a user's standing in a guild is remembered.
    pub access_ttl: Duration,
    /// How long a session lasts.
    pub session_ttl: Duration,
}

impl std::fmt::Debug for PanelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelConfig")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("session_key", &"<redacted>")
            .field("bot_token", &"<redacted>")
            .field("discord_url", &self.discord_url)
            .field("rest_proxy", &self.rest_proxy)
            .field("access_ttl", &self.access_ttl)
            .field("session_ttl", &self.session_ttl)
            .finish()
    }
}

/// Why the panel cannot start.
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    #[error("panel.public_url must be an http(s) URL without a path, got `{0}`")]
    PublicUrl(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Client(String),
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) public_url: String,
    pub(crate) secure_cookies: bool,
    pub(crate) session_ttl: Duration,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) discord: discord::Discord,
    pub(crate) access: access::Access,
    pub(crate) sealer: seal::Sealer,
    pub(crate) translator: Translator,
    /// The bot's user id, asked of Discord once.
    pub(crate) bot_id: tokio::sync::OnceCell<helpline_domain::UserId>,
    /// Sign-outs, checked on every request.
    pub(crate) sign_outs: session::SignOuts,
}

impl Shared {
    /// The bot's user id (its own permission overwrite is part of every ticket channel's).
    pub(crate) async fn bot_id(&self) -> Result<helpline_domain::UserId, discord::DiscordError> {
        self.bot_id
            .get_or_try_init(|| async {
                let id = self.discord.bot_user().await?;
                helpline_domain::UserId::new_checked(id).ok_or(discord::DiscordError::Malformed {
                    what: "the bot's user",
                    why: "id 0".into(),
                })
            })
            .await
            .copied()
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

/// A running panel; dropped, it stops.
#[derive(Debug)]
pub struct Panel {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Panel {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting requests and waits for those in flight.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Panel {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Starts the panel on `config.listen`, reading `store`.
pub async fn serve(config: PanelConfig, store: Arc<dyn Store>) -> Result<Panel, PanelError> {
    let public_url = config.public_url.trim_end_matches('/').to_owned();
    let valid = (public_url.starts_with("https://") || public_url.starts_with("http://"))
        && public_url
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty() && !rest.contains('/'));
    if !valid {
        return Err(PanelError::PublicUrl(config.public_url));
    }
    let host = public_url.split_once("://").map_or("", |(_, rest)| rest);
    let local = host.starts_with("localhost") || host.starts_with("127.0.0.1");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let discord = discord::Discord::new(
        &config.discord_url,
        config.rest_proxy.as_deref(),
        config.bot_token.clone(),
        config.client_id,
        config.client_secret.clone(),
    )
    .map_err(PanelError::Client)?;
    let shared = Arc::new(Shared {
        secure_cookies: public_url.starts_with("https://") || local,
        public_url,
        session_ttl: config.session_ttl,
        store,
        discord,
        access: access::Access::new(config.access_ttl),
        sealer: seal::Sealer::new(&config.session_key),
        translator: Translator::new(),
        bot_id: tokio::sync::OnceCell::new(),
        sign_outs: session::SignOuts::default(),
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| PanelError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| PanelError::Listen {
        addr: config.listen,
        source,
    })?;
    let (shutdown, mut stopped) = watch::channel(false);
    let app = routes::router(shared);
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        });
        if let Err(error) = serve.await {
            tracing::error!(%error, "the panel stopped");
        }
    });
    tracing::info!(%addr, "panel listening");
    Ok(Panel {
        addr,
        shutdown,
        task: Some(task),
    })
}
