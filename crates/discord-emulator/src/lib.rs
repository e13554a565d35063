//! A local Discord for tests, the demo and load tests: a gateway (v10, JSON, with `zlib-stream`
//! and `zstd-stream` transport compression) and a REST API under `/api/v10` that twilight's
//! unmodified clients talk to as they would talk to Discord, enforcing Discord's rules
//! (permissions, limits, interaction deadlines, error codes).
//!
//! Discord's rate and session rules are enforced, each configurable in [`EmulatorConfig`] so
//! tests can shorten them: the global REST limit per token (interaction callbacks and webhook
//! routes exempt), per-route buckets with `shared` scopes ([`RateLimitConfig`]), 429s with
//! Discord's headers and body, the invalid-request ban per IP; identify concurrency
//! (`max_concurrency` per identify window, op 9 when broken), the `session_start_limit`
//! budget, the gateway send limit (4008) and payload size (4002). Faults ([`Faults`]: latency,
//! 5xx, slow answers, dropped websockets, by chance; [`FaultRule`]s: counted failures, lost
//! answers and held answers of the requests a test names) are set at start or at runtime,
//! op 7 and op 9 are sent on demand ([`Emulator::reconnect_shards`],
//! [`Emulator::invalidate_sessions`]), and counters are served as Prometheus text on
//! `/metrics`.
//!
//! The crate owns the emulated world (users, guilds, roles, members, channels, messages,
//! attachments, application commands, interactions, gateway sessions), a Rust API to build that
//! world and to act as a person ([`Emulator::as_user`] returns an [`Actor`] whose actions return
//! what that person then sees), HTTP admin routes under `/_emulator` exposing the same, and a
//! record of every REST request and gateway message for assertions.
//!
//! It stands in for Discord and must not share our mistakes: it never imports Helpline code
//! (no `helpline-*` dependency), only twilight-model for payload shapes.
//!
//! ```no_run
//! # async fn example() -> discord_emulator::Result<()> {
//! use discord_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig::default()).await?;
//! let alice = emulator.create_user("alice", "en-US");
//! let guild = emulator.create_guild("Demo Server", alice, "en-US")?;
//! let general = emulator.create_text_channel(guild, "general", None)?;
//! // Point twilight-http at `emulator.http_host()` and twilight-gateway at
//! // `emulator.gateway_url()`, then act as Alice:
//! let message = emulator.as_user(alice).send_text(general, "hello").await?;
//! # let _ = message; Ok(()) }
//! ```

mod actor;
mod admin;
mod config;
mod discord_error;
mod endpoint;
mod error;
mod faults;
mod gateway;
mod interactions;
mod metrics;
mod oauth2;
mod permissions;
mod records;
mod rest;
mod seen;
mod snowflake;
mod token;
mod wire;
mod world;

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use tokio::{net::TcpListener, task::AbortHandle};
use twilight_model::{
    channel::{Channel, ChannelType, Message, permission_overwrite::PermissionOverwrite},
    guild::{Permissions, PremiumTier},
    id::{
        Id,
        marker::{ApplicationMarker, ChannelMarker, GuildMarker, RoleMarker, UserMarker},
    },
};

pub use crate::{
    actor::{Actor, InteractionOutcome, OptionValue},
    config::{
        DEFAULT_APPLICATION_ID, DEFAULT_BOT_TOKEN, EmulatorConfig, Faults, Latency,
        RateLimitConfig, RouteLimit, default_route_limits,
    },
    error::{Error, Result},
    faults::{FaultAction, FaultRule, FaultRuleId, FaultRuleParseError, FaultRuleStatus},
    gateway::{
        compression::TransportCompression,
        hub::{SessionInfo, shard_for_guild},
    },
    oauth2::client_secret_for,
    permissions::DEFAULT_EVERYONE_PERMISSIONS,
    records::{Direction, GatewayRecord, RequestRecord},
    seen::{Answer, SeenButton, SeenMessage, SeenModal, SeenTextInput},
    token::bot_token_for,
    world::build::WorldShape,
};
use crate::{
    discord_error::DiscordError,
    gateway::hub::{IdentifyLimits, Outbound},
    records::Records,
    world::{World, build::NewChannel},
};

/// State shared by the server tasks and every handle.
pub(crate) struct Shared {
    pub(crate) config: Arc<EmulatorConfig>,
    pub(crate) http_host: String,
    pub(crate) base_url: String,
    pub(crate) gateway_url: String,
    pub(crate) world: Mutex<World>,
    pub(crate) records: Records,
    pub(crate) rate_limits: Mutex<rest::ratelimit::Buckets>,
    pub(crate) faults: faults::FaultState,
    pub(crate) metrics: metrics::Metrics,
    pub(crate) oauth: oauth2::OAuthState,
    /// The application's key pair for its interactions endpoint.
    pub(crate) endpoint: endpoint::EndpointKeys,
    /// Whether gateway connections hold what goes through their queues (see
    /// [`Emulator::hold_dispatches`]).
    pub(crate) dispatch_hold: tokio::sync::watch::Sender<bool>,
    server: Mutex<Option<AbortHandle>>,
}

impl Shared {
    pub(crate) fn rate_limits(&self) -> MutexGuard<'_, rest::ratelimit::Buckets> {
        self.rate_limits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts an invalid request of an IP (401, 403, non-shared 429).
    pub(crate) fn count_invalid(&self, ip: IpAddr, now: tokio::time::Instant) {
        self.metrics.invalid_request(ip);
        if self.rate_limits().count_invalid(ip, now) {
            tracing::warn!(%ip, "too many invalid requests: the IP is refused for a window");
        }
    }
}

/// A running emulator. Cheap to clone; every clone drives the same world.
#[derive(Clone)]
pub struct Emulator {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.shared.base_url)
            .field("gateway_url", &self.shared.gateway_url)
            .finish_non_exhaustive()
    }
}

/// What a new channel looks like, for [`Emulator::create_channel`].
#[derive(Clone, Debug)]
pub struct ChannelSpec {
    /// Channel type (text, category, voice…).
    pub kind: ChannelType,
    /// Name; text channel names are lowercased with dashes, as Discord does.
    pub name: String,
    /// Category to put it in.
    pub parent_id: Option<Id<ChannelMarker>>,
    /// Overwrites; `None` syncs with the category's.
    pub permission_overwrites: Option<Vec<PermissionOverwrite>>,
    /// Topic of a text channel.
    pub topic: Option<String>,
}

impl ChannelSpec {
    /// A text channel.
    pub fn text(name: &str) -> Self {
        Self {
            kind: ChannelType::GuildText,
            name: name.to_owned(),
            parent_id: None,
            permission_overwrites: None,
            topic: None,
        }
    }

    /// A category.
    pub fn category(name: &str) -> Self {
        Self {
            kind: ChannelType::GuildCategory,
            ..Self::text(name)
        }
    }

    /// Puts the channel in a category.
    #[must_use]
    pub fn in_category(mut self, parent_id: Id<ChannelMarker>) -> Self {
        self.parent_id = Some(parent_id);
        self
    }

    /// Sets the channel's overwrites.
    #[must_use]
    pub fn overwrites(mut self, overwrites: Vec<PermissionOverwrite>) -> Self {
        self.permission_overwrites = Some(overwrites);
        self
    }
}

impl From<DiscordError> for Error {
    fn from(error: DiscordError) -> Self {
        Error::Discord {
            status: error.status.as_u16(),
            code: error.code,
            message: error.message,
        }
    }
}

impl Emulator {
    /// Binds the listening socket and starts serving the gateway, REST and admin routes.
    pub async fn start(config: EmulatorConfig) -> Result<Self> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                address: config.listen,
                source,
            })?;
        let mut address = listener.local_addr().map_err(|source| Error::Bind {
            address: config.listen,
            source,
        })?;
        if address.ip().is_unspecified() {
            address = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), address.port());
        }
        let http_host = address.to_string();
        let base_url = format!("http://{http_host}");
        let gateway_url = format!("ws://{http_host}");
        let config = Arc::new(config);
        let world = World::new(Arc::clone(&config), base_url.clone(), gateway_url.clone());
        let shared = Arc::new(Shared {
            records: Records::new(config.record_limit),
            rate_limits: Mutex::new(rest::ratelimit::Buckets::new(config.rate_limit.clone())),
            faults: faults::FaultState::new(config.faults.clone(), &config.fault_rules),
            metrics: metrics::Metrics::default(),
            oauth: oauth2::OAuthState::default(),
            endpoint: endpoint::EndpointKeys::generate(),
            dispatch_hold: tokio::sync::watch::channel(false).0,
            config,
            http_host,
            base_url,
            gateway_url,
            world: Mutex::new(world),
            server: Mutex::new(None),
        });
        let emulator = Self { shared };
        let router = emulator.router();
        let task = tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(error) = axum::serve(listener, service).await {
                tracing::error!(%error, "emulator server stopped");
            }
        });
        *emulator
            .shared
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(task.abort_handle());
        tracing::info!(url = %emulator.shared.base_url, "discord emulator listening");
        Ok(emulator)
    }

    fn router(&self) -> axum::Router {
        axum::Router::new()
            .merge(gateway::router(self.clone()))
            .merge(rest::router(self.clone()))
            .merge(oauth2::router(self.clone()))
            .nest("/_emulator", admin::router(self.clone()))
            .route(
                "/metrics",
                axum::routing::get({
                    let emulator = self.clone();
                    move || std::future::ready(emulator.render_metrics())
                }),
            )
            .merge(rest::attachments_router(self.clone()))
            .fallback({
                let emulator = self.clone();
                move |request: axum::extract::Request| rest::fallback(emulator.clone(), request)
            })
    }

    /// Closes every gateway connection and stops serving.
    pub fn shutdown(&self) {
        self.world().hub.close_all(1001, "emulator shutting down");
        if let Some(server) = self
            .shared
            .server
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            server.abort();
        }
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.shared
            .world
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// `127.0.0.1:PORT`, for `twilight_http::Client::builder().proxy(host, true)`.
    pub fn http_host(&self) -> &str {
        &self.shared.http_host
    }

    /// `ws://127.0.0.1:PORT`, for twilight-gateway's `ConfigBuilder::proxy_url`.
    pub fn gateway_url(&self) -> &str {
        &self.shared.gateway_url
    }

    /// `http://127.0.0.1:PORT`; REST is under `/api/v10`, the admin routes under `/_emulator`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The bot token clients must use (without `Bot `).
    pub fn bot_token(&self) -> &str {
        &self.shared.config.bot_token
    }

    /// The application id.
    pub fn application_id(&self) -> Id<ApplicationMarker> {
        self.shared.config.application_id
    }

    /// The application's OAuth2 client secret, for `POST /oauth2/token`.
    pub fn client_secret(&self) -> String {
        client_secret_for(self.application_id().get())
    }

    /// The bot user's id.
    pub fn bot_user_id(&self) -> Id<UserMarker> {
        self.shared.config.bot_user_id
    }

    /// The configuration the emulator runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    // World building.

    /// Creates a user with a client locale (`en-US`, `fr`…).
    pub fn create_user(&self, name: &str, locale: &str) -> Id<UserMarker> {
        self.world().create_user(name, locale)
    }

    /// Whether a user accepts DMs from the bot (they do by default); refused DMs get 50007.
    pub fn set_accepts_dms(&self, user: Id<UserMarker>, accepts: bool) -> Result<()> {
        let mut world = self.world();
        let record = world
            .users
            .get_mut(&user)
            .ok_or(Error::UnknownUser(user.get()))?;
        record.accepts_dms = accepts;
        Ok(())
    }

    /// Creates a guild owned by `owner`, with @everyone (Discord's default permissions), and
    /// the bot as a member holding its managed role (no permissions until granted, see
    /// [`Emulator::set_bot_permissions`]). Connected shards receive GUILD_CREATE.
    pub fn create_guild(
        &self,
        name: &str,
        owner: Id<UserMarker>,
        preferred_locale: &str,
    ) -> Result<Id<GuildMarker>> {
        let mut world = self.world();
        if !world.users.contains_key(&owner) {
            return Err(Error::UnknownUser(owner.get()));
        }
        Ok(world.create_guild(name, owner, preferred_locale)?)
    }

    /// Builds many guilds at once (see [`WorldShape`]): far faster than one admin call per
    /// piece, at a constant rate however large the world. Connected shards receive one
    /// GUILD_CREATE per guild.
    pub fn populate(&self, shape: WorldShape) -> Result<Vec<Id<GuildMarker>>> {
        Ok(self.world().populate(shape)?)
    }

    /// The @everyone role of a guild (its id is the guild's id).
    pub fn everyone_role(&self, guild: Id<GuildMarker>) -> Id<RoleMarker> {
        guild.cast()
    }

    /// The bot's managed role in a guild.
    pub fn bot_role(&self, guild: Id<GuildMarker>) -> Result<Id<RoleMarker>> {
        let world = self.world();
        let guild_record = world
            .guilds
            .get(&guild)
            .ok_or(Error::UnknownGuild(guild.get()))?;
        Ok(guild_record.bot_role)
    }

    /// Sets the permissions of the bot's managed role (GUILD_ROLE_UPDATE).
    pub fn set_bot_permissions(
        &self,
        guild: Id<GuildMarker>,
        permissions: Permissions,
    ) -> Result<()> {
        let role = self.bot_role(guild)?;
        self.update_role(guild, role, None, Some(permissions))
    }

    /// Sets a guild's boost level (GUILD_UPDATE; GUILD_CREATE and `GET /guilds/{id}` report
    /// it as `premium_tier`). It decides the upload limit of a message in the guild's
    /// channels: 10 MiB at tiers 0 and 1, 50 MiB at tier 2, 100 MiB at tier 3 (DMs: 10 MiB);
    /// heavier files are refused with 413 and code 40005.
    pub fn set_premium_tier(&self, guild: Id<GuildMarker>, tier: PremiumTier) -> Result<()> {
        if u8::from(tier) > 3 {
            return Err(Error::InvalidInput(format!(
                "premium tier {} does not exist (0 to 3)",
                u8::from(tier)
            )));
        }
        let mut world = self.world();
        if !world.guilds.contains_key(&guild) {
            return Err(Error::UnknownGuild(guild.get()));
        }
        Ok(world.set_premium_tier(guild, tier)?)
    }

    /// The most bytes the files of one message may weigh in a channel, from its guild's
    /// boost level (10 MiB in DMs and for an unknown channel).
    pub fn upload_limit(&self, channel: Id<ChannelMarker>) -> u64 {
        self.world().upload_limit(channel)
    }

    /// Creates a role (GUILD_ROLE_CREATE).
    pub fn create_role(
        &self,
        guild: Id<GuildMarker>,
        name: &str,
        permissions: Permissions,
    ) -> Result<Id<RoleMarker>> {
        let mut world = self.world();
        if !world.guilds.contains_key(&guild) {
            return Err(Error::UnknownGuild(guild.get()));
        }
        Ok(world.create_role(guild, name, permissions)?)
    }

    /// Renames a role or changes its permissions (GUILD_ROLE_UPDATE).
    pub fn update_role(
        &self,
        guild: Id<GuildMarker>,
        role: Id<RoleMarker>,
        name: Option<&str>,
        permissions: Option<Permissions>,
    ) -> Result<()> {
        let mut world = self.world();
        self.check_role(&world, guild, role)?;
        Ok(world.update_role(guild, role, name, permissions)?)
    }

    /// Deletes a role (GUILD_ROLE_DELETE, and GUILD_MEMBER_UPDATE for members who had it).
    pub fn delete_role(&self, guild: Id<GuildMarker>, role: Id<RoleMarker>) -> Result<()> {
        let mut world = self.world();
        self.check_role(&world, guild, role)?;
        Ok(world.delete_role(guild, role)?)
    }

    fn check_role(
        &self,
        world: &World,
        guild: Id<GuildMarker>,
        role: Id<RoleMarker>,
    ) -> Result<()> {
        let guild_record = world
            .guilds
            .get(&guild)
            .ok_or(Error::UnknownGuild(guild.get()))?;
        guild_record
            .role(role)
            .ok_or(Error::UnknownRole(role.get()))?;
        Ok(())
    }

    /// Adds a user to a guild with roles (GUILD_MEMBER_ADD). Adding the bot back to a guild it
    /// was removed from gives it its managed role again and sends it GUILD_CREATE.
    pub fn add_member(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        roles: &[Id<RoleMarker>],
    ) -> Result<()> {
        let mut world = self.world();
        let guild_record = world
            .guilds
            .get(&guild)
            .ok_or(Error::UnknownGuild(guild.get()))?;
        if let Some(role) = roles
            .iter()
            .find(|role| guild_record.role(**role).is_none())
        {
            return Err(Error::UnknownRole(role.get()));
        }
        if !world.users.contains_key(&user) {
            return Err(Error::UnknownUser(user.get()));
        }
        Ok(world.add_member(guild, user, roles)?)
    }

    /// Replaces a member's roles, the bot's included (GUILD_MEMBER_UPDATE).
    pub fn set_member_roles(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        roles: &[Id<RoleMarker>],
    ) -> Result<()> {
        let mut world = self.world();
        let guild_record = world
            .guilds
            .get(&guild)
            .ok_or(Error::UnknownGuild(guild.get()))?;
        if !guild_record.members.contains_key(&user) {
            return Err(Error::NotAMember {
                user: user.get(),
                guild: guild.get(),
            });
        }
        if let Some(role) = roles
            .iter()
            .find(|role| guild_record.role(**role).is_none())
        {
            return Err(Error::UnknownRole(role.get()));
        }
        Ok(world.set_member_roles(guild, user, roles)?)
    }

    /// Removes a member, as a kick (GUILD_MEMBER_REMOVE `{guild_id, user}`). Removing the bot
    /// (`bot_user_id()`) sends it GUILD_DELETE `{id}` without `unavailable`, as Discord does;
    /// after that no event of the guild reaches it, the guild routes answer 10004 Unknown
    /// Guild and the routes of its channels 50001 Missing Access.
    pub fn remove_member(&self, guild: Id<GuildMarker>, user: Id<UserMarker>) -> Result<()> {
        let mut world = self.world();
        let guild_record = world
            .guilds
            .get(&guild)
            .ok_or(Error::UnknownGuild(guild.get()))?;
        if !guild_record.members.contains_key(&user) {
            return Err(Error::NotAMember {
                user: user.get(),
                guild: guild.get(),
            });
        }
        Ok(world.remove_member(guild, user)?)
    }

    /// Creates a channel as a server admin would (no permission check; CHANNEL_CREATE).
    pub fn create_channel(
        &self,
        guild: Id<GuildMarker>,
        spec: ChannelSpec,
    ) -> Result<Id<ChannelMarker>> {
        let mut world = self.world();
        if !world.guilds.contains_key(&guild) {
            return Err(Error::UnknownGuild(guild.get()));
        }
        let channel = world.insert_guild_channel(
            guild,
            NewChannel {
                kind: spec.kind,
                name: spec.name,
                parent_id: spec.parent_id,
                permission_overwrites: spec.permission_overwrites,
                topic: spec.topic,
            },
        )?;
        Ok(channel.id)
    }

    /// Creates a text channel, optionally in a category.
    pub fn create_text_channel(
        &self,
        guild: Id<GuildMarker>,
        name: &str,
        parent: Option<Id<ChannelMarker>>,
    ) -> Result<Id<ChannelMarker>> {
        let mut spec = ChannelSpec::text(name);
        spec.parent_id = parent;
        self.create_channel(guild, spec)
    }

    /// Creates a category.
    pub fn create_category(&self, guild: Id<GuildMarker>, name: &str) -> Result<Id<ChannelMarker>> {
        self.create_channel(guild, ChannelSpec::category(name))
    }

    /// Replaces a channel's overwrites as a server admin would (CHANNEL_UPDATE).
    pub fn set_channel_overwrites(
        &self,
        channel: Id<ChannelMarker>,
        overwrites: Vec<PermissionOverwrite>,
    ) -> Result<()> {
        let mut world = self.world();
        let record = world
            .channels
            .get(&channel)
            .ok_or(Error::UnknownChannel(channel.get()))?;
        let mut model = record.channel.model(channel);
        if let Some(guild_id) = model.guild_id {
            world.check_overwrite_targets(guild_id, &overwrites)?;
        }
        model.permission_overwrites = Some(overwrites);
        Ok(world.replace_channel(model)?)
    }

    /// Deletes a channel as a server admin would (CHANNEL_DELETE).
    pub fn delete_channel(&self, channel: Id<ChannelMarker>) -> Result<()> {
        let mut world = self.world();
        if !world.channels.contains_key(&channel) {
            return Err(Error::UnknownChannel(channel.get()));
        }
        world.remove_channel(channel)?;
        Ok(())
    }

    /// Archives a thread as Discord does once it has been inactive for its auto-archive
    /// duration (THREAD_UPDATE; not locked, so a message unarchives it).
    pub fn auto_archive_thread(&self, thread: Id<ChannelMarker>) -> Result<()> {
        Ok(self.world().auto_archive(thread)?)
    }

    /// The members of a thread, by user id.
    pub fn thread_members(&self, thread: Id<ChannelMarker>) -> Vec<Id<UserMarker>> {
        self.world()
            .channels
            .get(&thread)
            .map(|record| record.activity().thread_members.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The threads of a guild (archived ones too), in creation order.
    pub fn threads(&self, guild: Id<GuildMarker>) -> Vec<Channel> {
        self.guild_channels(guild, |guild| guild.threads.clone())
    }

    /// The channels a guild lists in `ids` (its channels, or its threads), in that order.
    fn guild_channels(
        &self,
        guild: Id<GuildMarker>,
        ids: impl Fn(&world::GuildRecord) -> Vec<Id<ChannelMarker>>,
    ) -> Vec<Channel> {
        let world = self.world();
        world
            .guilds
            .get(&guild)
            .map(|guild| {
                ids(guild)
                    .into_iter()
                    .filter_map(|id| Some(world.channels.get(&id)?.channel.model(id)))
                    .collect()
            })
            .unwrap_or_default()
    }

    // Acting as a person.

    /// Acts as a user: the returned [`Actor`]'s actions return what the user then sees.
    pub fn as_user(&self, user: Id<UserMarker>) -> Actor {
        Actor::new(self.clone(), user)
    }

    // Permissions.

    /// The user's effective permissions in a channel, by Discord's algorithm.
    pub fn permissions(&self, user: Id<UserMarker>, channel: Id<ChannelMarker>) -> Permissions {
        self.world().channel_permissions(user, channel)
    }

    /// The user's guild-level permissions (before channel overwrites).
    pub fn guild_permissions(&self, user: Id<UserMarker>, guild: Id<GuildMarker>) -> Permissions {
        self.world().guild_permissions(guild, user)
    }

    /// Whether the user can see the channel.
    pub fn can_view(&self, user: Id<UserMarker>, channel: Id<ChannelMarker>) -> bool {
        self.permissions(user, channel)
            .contains(Permissions::VIEW_CHANNEL)
    }

    // Observation.

    /// Messages of a channel, oldest first (ephemeral messages are not in channels).
    pub fn messages(&self, channel: Id<ChannelMarker>) -> Vec<Message> {
        self.world()
            .channels
            .get(&channel)
            .map(|record| {
                record
                    .activity()
                    .messages
                    .values()
                    .map(|m| (**m).clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Who a message notified: the users and role members its content mentions, as its
    /// `allowed_mentions` let them (all of them when it sent none), who can see its channel.
    pub fn notified(
        &self,
        message: Id<twilight_model::id::marker::MessageMarker>,
    ) -> Vec<Id<UserMarker>> {
        self.world()
            .notifications
            .get(&message)
            .cloned()
            .unwrap_or_default()
    }

    /// One message of a channel.
    pub fn message(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<twilight_model::id::marker::MessageMarker>,
    ) -> Option<Message> {
        self.world().message(channel, message).cloned()
    }

    /// A channel, if it exists.
    pub fn channel(&self, channel: Id<ChannelMarker>) -> Option<Channel> {
        self.world()
            .channels
            .get(&channel)
            .map(|record| record.channel.model(channel))
    }

    /// Channels of a guild, in creation order (threads: [`Emulator::threads`]).
    pub fn channels(&self, guild: Id<GuildMarker>) -> Vec<Channel> {
        self.guild_channels(guild, |guild| guild.channels.iter().collect())
    }

    /// Roles of a guild.
    pub fn roles(&self, guild: Id<GuildMarker>) -> Vec<twilight_model::guild::Role> {
        self.world()
            .guilds
            .get(&guild)
            .map(|guild| world::stored::role_models(&guild.roles))
            .unwrap_or_default()
    }

    /// A guild's members other than the bot, by id (empty for an unknown guild).
    pub fn members(&self, guild: Id<GuildMarker>) -> Vec<Id<UserMarker>> {
        let bot = self.bot_user_id();
        self.world()
            .guilds
            .get(&guild)
            .map(|guild| guild.members.keys().filter(|&id| id != bot).collect())
            .unwrap_or_default()
    }

    /// Who owns a guild.
    pub fn guild_owner(&self, guild: Id<GuildMarker>) -> Option<Id<UserMarker>> {
        self.world().guilds.get(&guild).map(|guild| guild.owner_id)
    }

    /// A member's roles, if the user is a member.
    pub fn member_roles(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
    ) -> Option<Vec<Id<RoleMarker>>> {
        self.world()
            .guilds
            .get(&guild)
            .and_then(|guild| guild.members.get(&user))
            .map(|member| member.roles.to_vec())
    }

    /// Messages between the bot and a user in their DM, oldest first.
    pub fn dm_messages(&self, user: Id<UserMarker>) -> Vec<Message> {
        let channel = self.world().dm_channels.get(&user).copied();
        channel
            .map(|channel| self.messages(channel))
            .unwrap_or_default()
    }

    /// Ephemeral messages shown to a user, oldest first, as they look now.
    pub fn ephemeral_messages(&self, user: Id<UserMarker>) -> Vec<Message> {
        self.world()
            .ephemeral
            .values()
            .filter(|ephemeral| ephemeral.user_id == user)
            .map(|ephemeral| ephemeral.message.clone())
            .collect()
    }

    /// Pinned messages of a channel, oldest pin first.
    pub fn pins(&self, channel: Id<ChannelMarker>) -> Vec<Message> {
        let world = self.world();
        world
            .channels
            .get(&channel)
            .map(|record| {
                record
                    .activity()
                    .pins
                    .iter()
                    .filter_map(|(message_id, _)| {
                        record
                            .activity()
                            .messages
                            .get(message_id)
                            .map(|m| (**m).clone())
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The bytes of an attachment, by the URL the emulator gave it.
    pub fn attachment_bytes(&self, url: &str) -> Option<Vec<u8>> {
        let id = url
            .split('?')
            .next()?
            .rsplit('/')
            .nth(1)?
            .parse::<u64>()
            .ok()
            .and_then(Id::new_checked)?;
        self.world()
            .attachments
            .get(&id)
            .map(|attachment| attachment.bytes.to_vec())
    }

    /// Application commands registered globally.
    pub fn global_commands(&self) -> Vec<twilight_model::application::command::Command> {
        self.world().global_commands.clone()
    }

    /// Application commands registered in a guild.
    pub fn guild_commands(
        &self,
        guild: Id<GuildMarker>,
    ) -> Vec<twilight_model::application::command::Command> {
        self.world()
            .guild_commands
            .get(&guild)
            .cloned()
            .unwrap_or_default()
    }

    /// Every REST request received, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.records.requests()
    }

    /// Every gateway message received or sent, oldest first.
    pub fn gateway_log(&self) -> Vec<GatewayRecord> {
        self.shared.records.gateway()
    }

    /// Forgets the recorded requests and gateway messages.
    pub fn clear_records(&self) {
        self.shared.records.clear();
    }

    /// Gateway sessions, connected or resumable.
    pub fn sessions(&self) -> Vec<SessionInfo> {
        self.world().hub.infos()
    }

    /// Waits until at least `count` sessions are connected (e.g. the bot's shards identified).
    pub async fn wait_for_sessions(&self, count: usize, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.world().hub.connected() >= count {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Closes every gateway connection with a close code (sessions stay resumable unless the
    /// code is 1000 or 1001 from the client side).
    pub fn disconnect_all(&self, code: u16) {
        self.world().hub.close_all(code, "closed by the emulator");
    }

    // Gateway faults on demand.

    /// Sends op 7 Reconnect to the connected sessions of `shards` (every shard when `None`);
    /// returns how many connections were told.
    pub fn reconnect_shards(&self, shards: Option<&[u32]>) -> usize {
        self.world()
            .hub
            .control(shards, false, || Outbound::Control {
                text: r#"{"t":null,"s":null,"op":7,"d":null}"#,
                op: 7,
                forget_session: false,
            })
    }

    /// Sends op 9 Invalid Session to the connected sessions of `shards`; when not
    /// `resumable` the sessions are ended, so only a new identify works.
    pub fn invalidate_sessions(&self, shards: Option<&[u32]>, resumable: bool) -> usize {
        self.world()
            .hub
            .control(shards, !resumable, || Outbound::Control {
                text: if resumable {
                    r#"{"t":null,"s":null,"op":9,"d":true}"#
                } else {
                    r#"{"t":null,"s":null,"op":9,"d":false}"#
                },
                op: 9,
                forget_session: !resumable,
            })
    }

    /// Drops the connections of `shards` without a close frame, as a broken network would;
    /// their sessions stay resumable.
    pub fn drop_connections(&self, shards: Option<&[u32]>) -> usize {
        self.world().hub.control(shards, false, || Outbound::Drop)
    }

    /// Holds, on every gateway connection, what goes through its queue — dispatches (READY,
    /// GUILD_CREATE and RESUMED included), and the op 7, op 9, drops and closes a test orders —
    /// until [`Self::release_dispatches`], as when Discord's side stalls. What a connection
    /// answers directly still goes out: hello, heartbeat acknowledgements, op 9 for a refused
    /// identify or resume. What happens in the world meanwhile waits, in order; released, each
    /// connection sends it at once, in writes of many frames, so a client meets a flood instead
    /// of a trickle. Returns how many connections there are.
    pub fn hold_dispatches(&self) -> usize {
        self.shared.dispatch_hold.send_replace(true);
        self.world().hub.connected()
    }

    /// Lets the gateway connections send what [`Self::hold_dispatches`] held, and what follows
    /// as it comes; returns how many connections there are.
    pub fn release_dispatches(&self) -> usize {
        self.shared.dispatch_hold.send_replace(false);
        self.world().hub.connected()
    }

    /// Closes the connections of `shards` with `code` (sessions stay resumable).
    pub fn close_connections(&self, shards: Option<&[u32]>, code: u16) -> usize {
        self.world().hub.control(shards, false, || Outbound::Close {
            code,
            reason: "closed by the emulator",
        })
    }

    /// The faults injected now.
    pub fn faults(&self) -> Faults {
        self.shared.faults.get()
    }

    /// Replaces the faults injected from now on (the fault rules are left as they are).
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// Adds a fault rule after those in force; see [`FaultRule`] for which requests it hits.
    /// The id tells how many times it fired ([`Emulator::fault_rule_fired`]).
    pub fn add_fault_rule(&self, rule: FaultRule) -> FaultRuleId {
        self.shared.faults.add_rule(rule)
    }

    /// Removes every fault rule (their counts are forgotten too).
    pub fn clear_fault_rules(&self) {
        self.shared.faults.clear_rules();
    }

    /// The fault rules in force, oldest first, with their hits left and fired counts (spent
    /// rules included until [`Emulator::clear_fault_rules`]).
    pub fn fault_rules(&self) -> Vec<FaultRuleStatus> {
        self.shared.faults.rule_statuses()
    }

    /// How many requests a fault rule hit so far (0 for an unknown or cleared rule).
    pub fn fault_rule_fired(&self, rule: FaultRuleId) -> u32 {
        self.shared.faults.rule_fired(rule)
    }

    // Counters.

    /// REST requests answered 429 in a scope: `"user"`, `"shared"` or `"global"`.
    pub fn rate_limited_count(&self, scope: &str) -> u64 {
        self.shared.metrics.rate_limited_count(scope)
    }

    /// Identifies answered with op 9 for breaking `max_concurrency`.
    pub fn identify_concurrency_refusals(&self) -> u64 {
        self.shared.metrics.identify_refusals()
    }

    /// Resumes accepted.
    pub fn resumes(&self) -> u64 {
        self.shared.metrics.resumes()
    }

    /// Identifies of a shard that already had a connected session (a shard running twice).
    pub fn duplicate_shard_sessions(&self) -> u64 {
        self.world().hub.duplicate_shard_sessions
    }

    /// `session_start_limit.remaining` as `GET /gateway/bot` reports it.
    pub fn session_starts_remaining(&self) -> u32 {
        let limits = self.identify_limits();
        self.world().hub.session_start_remaining(limits).0
    }

    /// The emulator's counters as Prometheus text (what `GET /metrics` answers).
    pub fn render_metrics(&self) -> String {
        let limits = self.identify_limits();
        let figures = {
            let mut world = self.world();
            metrics::HubFigures {
                sessions_per_shard: world.hub.sessions_per_shard(),
                dispatched: world.hub.dispatched,
                duplicate_shard_sessions: world.hub.duplicate_shard_sessions,
                session_starts_remaining: world.hub.session_start_remaining(limits).0,
            }
        };
        self.shared.metrics.render(&figures)
    }

    pub(crate) fn identify_limits(&self) -> IdentifyLimits {
        let config = &self.shared.config;
        IdentifyLimits {
            max_concurrency: config.max_concurrency,
            window: config.identify_window,
            tolerance: config.rate_limit.clock_tolerance,
            total: config.session_start_limit,
            reset: config.session_start_reset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_clone_send_sync() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Emulator>();
        check::<Actor>();
    }
}
