//! Starting and running the bot: the REST client, command registration, the shards and the
//! event loop of each, and a clean shutdown that keeps sessions resumable.

use crate::cluster::{Order, ShardDone};
use crate::download::Downloader;
use crate::ingest::{Ingested, NewMessage};
use crate::tasks::Tasks;
use crate::transcript::MessageEvent;
use crate::{Error, Result, commands, handlers, metrics, transcript};
use futures_util::StreamExt as _;
use helpline_cluster::{Coordinator, Grant, SavedSession};
use helpline_domain::UserId;
use helpline_i18n::Translator;
use helpline_store::{Store, StoreLimits};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;
use tokio::sync::watch;
use tokio::task::JoinSet;
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, StreamExt as _,
};
use twilight_http::Client;
use twilight_model::id::Id;
use twilight_model::id::marker::ApplicationMarker;

/// How to reach Discord (or the emulator) and as whom.
#[derive(Clone)]
pub struct BotConfig {
    /// The bot token. Never printed: `Debug` redacts it.
    pub token: String,
    /// Where Discord's REST API is served instead of discord.com (the emulator, or a REST
    /// proxy); Discord itself when `None`.
    pub rest_proxy: Option<RestProxy>,
    /// Whether twilight's in-process rate limiter runs: off behind `helpline proxy`, which
    /// keeps the cluster's shared budget (and twilight would wait on headers twice).
    pub rest_ratelimiter: bool,
    /// The gateway URL (`ws://…`); Discord's when `None`.
    pub gateway_url: Option<String>,
    /// How many shards; Discord's recommendation (`GET /gateway/bot`) when `None`.
    pub shard_count: Option<u32>,
    /// The shards this process runs (first and last, inclusive); all of them when `None`. With
    /// a range the process takes every free shard of it and balances nothing with the other
    /// processes: each is given its part (a StatefulSet per range, a machine per range).
    pub shard_range: Option<std::ops::RangeInclusive<u32>>,
    /// What the store keeps of attachments.
    pub store_limits: StoreLimits,
    /// How long one REST request may take before it counts as failed (and is retried).
    pub rest_timeout: Duration,
    /// How often the reconciler looks for unfinished work (it also runs at start).
    pub reconcile_interval: Duration,
    /// How old an unfinished ticket with nothing pending must be before the reconciler
    /// repairs or abandons it.
    pub stall_after: Duration,
    /// How long after its commit an effect never attempted is left to the process that
    /// committed it: the reconciler resumes it only later (a crashed committer's), so that it
    /// never performs an effect beside its committer's first attempt — in a cluster, an
    /// interaction delivered over HTTP is handled by whichever process received it, not the
    /// shard's holder. Longer than a first attempt can take (`rest_timeout`, with room).
    pub first_attempt_grace: Duration,
    /// How long [`RunningBot::stop`] lets in-flight work finish and sessions close.
    pub shutdown_deadline: Duration,
    /// How this process shares the shards with others; a single node (every shard here,
    /// coordination in this process's memory, writes unfenced) when `None`.
    pub cluster: Option<crate::ClusterConfig>,
    /// Between two identifies of one bucket (`shard % max_concurrency`): Discord's 5 s.
    pub identify_interval: Duration,
    /// The time tickets' timers are decided on; the system clock but in tests.
    pub clock: crate::Clock,
    /// How often the scheduler looks for due timers (auto-close, close requests); it also
    /// looks whenever the clock is moved.
    pub timer_interval: Duration,
}

impl BotConfig {
    /// A configuration with the defaults for everything but the token.
    pub fn new(token: String) -> Self {
        Self {
            token,
            rest_proxy: None,
            rest_ratelimiter: true,
            gateway_url: None,
            shard_count: None,
            shard_range: None,
            store_limits: StoreLimits::default(),
            rest_timeout: Duration::from_secs(10),
            reconcile_interval: Duration::from_secs(30),
            stall_after: Duration::from_secs(120),
            first_attempt_grace: Duration::from_secs(20),
            shutdown_deadline: Duration::from_secs(10),
            cluster: None,
            identify_interval: helpline_cluster_identify_delay(),
            clock: crate::Clock::system(),
            timer_interval: Duration::from_secs(30),
        }
    }
}

/// Discord's identify window.
fn helpline_cluster_identify_delay() -> Duration {
    Duration::from_secs(5)
}

impl fmt::Debug for BotConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotConfig")
            .field("token", &"[redacted]")
            .field("rest_proxy", &self.rest_proxy)
            .field("rest_ratelimiter", &self.rest_ratelimiter)
            .field("gateway_url", &self.gateway_url)
            .field("shard_count", &self.shard_count)
            .field("shard_range", &self.shard_range)
            .field("store_limits", &self.store_limits)
            .field("rest_timeout", &self.rest_timeout)
            .field("reconcile_interval", &self.reconcile_interval)
            .field("stall_after", &self.stall_after)
            .field("first_attempt_grace", &self.first_attempt_grace)
            .field("shutdown_deadline", &self.shutdown_deadline)
            .field("cluster", &self.cluster)
            .field("identify_interval", &self.identify_interval)
            .finish()
    }
}

/// A REST endpoint other than discord.com.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestProxy {
    /// `host` or `host:port`.
    pub host: String,
    /// Plain HTTP instead of HTTPS.
    pub use_http: bool,
}

impl RestProxy {
    /// From a base URL such as `http://127.0.0.1:8080` or `https://proxy.example`; `None` for
    /// another scheme or a URL with a path (Discord's API path is appended to the host).
    pub fn from_url(url: &str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://")?;
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains('/') {
            return None;
        }
        let use_http = match scheme {
            "http" => true,
            "https" => false,
            _ => return None,
        };
        Some(Self {
            host: host.to_owned(),
            use_http,
        })
    }
}

/// The gateway intents the bot needs: guilds (channels, roles), members (leaving the server),
/// guild messages and their content (transcripts).
pub(crate) const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MEMBERS)
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);

/// The bot: shared by every handler.
#[derive(Clone, Debug)]
pub struct Bot {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: Client,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) translator: Translator,
    pub(crate) cache: crate::cache::Cache,
    pub(crate) application_id: Id<ApplicationMarker>,
    /// The application's public key as Discord gives it (`verify_key`, hexadecimal).
    pub(crate) verify_key: String,
    pub(crate) bot_id: UserId,
    pub(crate) downloader: Downloader,
    pub(crate) ticket_channels: crate::channels::TicketChannels,
    pub(crate) store_limits: StoreLimits,
    pub(crate) ticket_locks: crate::executor::TicketLocks,
    /// One REST read of a guild at a time (`guild::known`).
    pub(crate) guild_reads: crate::guild::GuildReads,
    /// Interaction and event handlers in flight.
    pub(crate) tasks: Tasks,
    /// Retries and the reconciler: dropped at shutdown (their work is in the outbox).
    pub(crate) timers: Tasks,
    pub(crate) departed: crate::tasks::Departed,
    pub(crate) stall_after: Duration,
    /// [`BotConfig::first_attempt_grace`].
    pub(crate) first_attempt_grace: Duration,
    /// The shards this process holds, and the fence of each.
    pub(crate) leases: crate::cluster::Leases,
    pub(crate) clock: crate::Clock,
    /// What each shard this process runs is doing (readiness).
    pub(crate) shard_states: crate::shards::ShardStates,
    /// Whether this process runs gateway shards; not in `helpline interactions`
    /// ([`Bot::start_interactions`]).
    pub(crate) runs_shards: bool,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bot")
            .field("application_id", &self.application_id)
            .field("bot_id", &self.bot_id)
            .finish_non_exhaustive()
    }
}

/// A bot running in the background.
#[derive(Debug)]
pub struct RunningBot {
    pub bot: Bot,
    shutdown: watch::Sender<bool>,
    /// The shard supervisor (`cluster.rs`): it owns the shard tasks.
    shards: JoinSet<ShardEnd>,
    deadline: Duration,
}

/// Why a shard stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShardEnd {
    /// Asked to stop.
    Stopped,
    /// Discord closed the session with a code that forbids reconnecting.
    Fatal {
        shard: u32,
        code: u16,
        /// What the code means and what to do about it.
        meaning: &'static str,
    },
}

impl fmt::Display for ShardEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stopped => f.write_str("stopped"),
            Self::Fatal {
                shard,
                code,
                meaning,
            } => write!(
                f,
                "Discord closed shard {shard} with code {code}: {meaning}"
            ),
        }
    }
}

/// What a gateway close code that forbids reconnecting means, for the operator.
pub fn close_code_meaning(code: u16) -> &'static str {
    match code {
        4004 => "Discord refused the bot token (authentication failed); check DISCORD_TOKEN",
        4010 => "invalid shard: the shard id is not below the shard count",
        4011 => "sharding required: too many guilds per shard, raise the shard count",
        4012 => "invalid gateway API version",
        4013 => "invalid intents",
        4014 => {
            "disallowed intents: enable the Server Members and Message Content privileged intents for the bot in Discord's developer portal"
        }
        _ => "the gateway closed the session for good",
    }
}

impl RunningBot {
    /// Stops the bot within its shutdown deadline: stops taking events, lets in-flight
    /// handlers finish (effects they leave pending stay in the outbox for the next start),
    /// and closes every shard resumably (code 4000, never 1000/1001).
    pub async fn stop(mut self) {
        let deadline = tokio::time::Instant::now() + self.deadline;
        let _ = self.shutdown.send(true);
        self.bot.inner.timers.abort_all();
        // Handlers finish while the shards close; both within the one deadline.
        let shard_set = &mut self.shards;
        let shards = async { while shard_set.join_next().await.is_some() {} };
        let (closed, finished) = tokio::join!(
            tokio::time::timeout_at(deadline, shards),
            self.bot.inner.tasks.wait(deadline)
        );
        if closed.is_err() {
            tracing::warn!("shards did not close in time; their sessions may not resume");
            self.shards.abort_all();
        }
        if !finished {
            tracing::warn!(
                in_flight = self.bot.inner.tasks.len(),
                "handlers still running at the shutdown deadline; their effects stay in the outbox"
            );
        }
        self.bot.inner.tasks.abort_all();
    }

    /// Ends everything at once, as a crash would: nothing is closed or finished. The store
    /// keeps what was committed.
    pub fn kill(&mut self) {
        self.bot.inner.timers.abort_all();
        self.bot.inner.tasks.abort_all();
        self.shards.abort_all();
    }

    /// Waits until a shard ends by itself, which only a fatal close does; returns why.
    pub async fn fatal(&mut self) -> ShardEnd {
        loop {
            match self.shards.join_next().await {
                Some(Ok(ShardEnd::Stopped)) => {
                    std::future::pending::<()>().await;
                }
                Some(Ok(end)) => return end,
                Some(Err(error)) => {
                    return ShardEnd::Fatal {
                        shard: u32::MAX,
                        code: 0,
                        meaning: if error.is_panic() {
                            "a shard task panicked"
                        } else {
                            "a shard task was cancelled"
                        },
                    };
                }
                None => std::future::pending::<()>().await,
            }
        }
    }
}

/// Installs rustls' ring provider once per process: twilight's TLS needs one chosen.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The REST client for a configuration.
fn client(config: &BotConfig) -> Client {
    let mut builder = Client::builder()
        .token(config.token.clone())
        .timeout(config.rest_timeout);
    if let Some(proxy) = &config.rest_proxy {
        builder = builder.proxy(proxy.host.clone(), proxy.use_http);
    }
    if !config.rest_ratelimiter {
        builder = builder.ratelimiter(None);
    }
    builder.build()
}

impl Bot {
    /// Now, on the bot's clock.
    pub(crate) fn now(&self) -> helpline_domain::Timestamp {
        self.inner.clock.now()
    }

    /// Asks Discord who the token belongs to (the bot's user id), without starting anything: a
    /// refused token is
    /// an error for which [`Error::is_unauthorized`] holds.
    pub async fn check_token(config: &BotConfig) -> Result<UserId> {
        install_crypto_provider();
        let http = client(config);
        let user = crate::metrics::rest("current_user", http.current_user())
            .await?
            .model()
            .await?;
        Ok(user.id)
    }

    /// What every process starts with: the crypto provider and metric descriptions installed,
    /// the REST client, and the application and bot user as Discord tells them.
    async fn who_am_i(
        config: &BotConfig,
    ) -> Result<(
        twilight_http::Client,
        twilight_model::oauth::Application,
        twilight_model::user::CurrentUser,
    )> {
        install_crypto_provider();
        metrics::describe();
        helpline_store::metrics::describe();
        let http = client(config);
        let application =
            crate::metrics::rest("current_user_application", http.current_user_application())
                .await?
                .model()
                .await?;
        let bot_user = crate::metrics::rest("current_user", http.current_user())
            .await?
            .model()
            .await?;
        Ok((http, application, bot_user))
    }

    /// The bot's state as both kinds of process hold it: who it is, its store and settings,
    /// empty caches, and the shard leases it may write under.
    fn assemble(
        config: &BotConfig,
        store: Arc<dyn Store>,
        (http, application, bot_user): (
            twilight_http::Client,
            &twilight_model::oauth::Application,
            &twilight_model::user::CurrentUser,
        ),
        translator: Translator,
        leases: crate::cluster::Leases,
        runs_shards: bool,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                store,
                translator,
                cache: crate::cache::Cache::new(bot_user.id),
                application_id: application.id,
                verify_key: application.verify_key.clone(),
                bot_id: bot_user.id,
                downloader: Downloader::new(),
                ticket_channels: crate::channels::TicketChannels::default(),
                store_limits: config.store_limits,
                ticket_locks: crate::executor::TicketLocks::default(),
                guild_reads: crate::guild::GuildReads::default(),
                tasks: Tasks::default(),
                timers: Tasks::default(),
                departed: crate::tasks::Departed::default(),
                stall_after: config.stall_after,
                first_attempt_grace: config.first_attempt_grace,
                leases,
                clock: config.clock.clone(),
                shard_states: crate::shards::ShardStates::default(),
                runs_shards,
            }),
        }
    }

    /// Connects: learns who the bot is, registers the slash commands (bulk overwrite) and
    /// starts the shards.
    pub async fn start(config: BotConfig, store: Arc<dyn Store>) -> Result<RunningBot> {
        let (http, application, bot_user) = Self::who_am_i(&config).await?;
        let translator = Translator::new();
        let commands = commands::all(&translator);
        // One bulk overwrite, and only when the registered set differs: every overwrite counts
        // against Discord's daily command-creation limit.
        let registered = crate::metrics::rest(
            "global_commands",
            http.interaction(application.id)
                .global_commands()
                .with_localizations(true),
        )
        .await?
        .models()
        .await?;
        if commands::same(&registered, &commands) {
            tracing::debug!(
                commands = commands.len(),
                "slash commands already registered"
            );
        } else {
            crate::metrics::rest(
                "set_global_commands",
                http.interaction(application.id)
                    .set_global_commands(&commands),
            )
            .await?;
            tracing::info!(commands = commands.len(), "slash commands registered");
        }

        // Discord's recommendation, its identify concurrency and the day's session budget.
        let recommended = crate::metrics::rest("gateway", http.gateway().authed())
            .await?
            .model()
            .await?;
        let shard_count = config.shard_count.unwrap_or(recommended.shards);
        if let Some(problem) = config
            .shard_range
            .as_ref()
            .and_then(|range| crate::cluster::shard_range_problem(range, shard_count))
        {
            return Err(crate::Error::Config(problem));
        }
        let limit = recommended.session_start_limit;
        // A single node's coordination starts afresh with each start: nothing else shares it.
        let cluster = config
            .cluster
            .clone()
            .unwrap_or_else(crate::ClusterConfig::single_node);
        let coordinator = cluster.coordinator.clone();
        coordinator
            .observe_budget(limit.remaining, Duration::from_millis(limit.reset_after))
            .await
            .map_err(|error| Error::Unexpected(format!("cluster coordinator: {error}")))?;
        helpline_cluster::metrics::describe();
        let interval = config.identify_interval;
        let queue = helpline_cluster::ClusterQueue::new(
            coordinator,
            helpline_cluster::IdentifyPacing {
                max_concurrency: u32::from(limit.max_concurrency),
                // A margin for the time between a slot and the gateway reading the identify.
                interval: interval + interval / 20 + Duration::from_millis(100),
                // A twentieth of the day's budget is never spent: kept for the operator.
                reserve: limit.total / 20,
            },
            Arc::new(GatewayBudget {
                http: client(&config),
            }),
        );
        let mut gateway = ConfigBuilder::new(config.token.clone(), INTENTS).queue(queue);
        if let Some(url) = &config.gateway_url {
            gateway = gateway.proxy_url(url.clone());
        }
        let gateway = gateway.build();

        let bot = Self::assemble(
            &config,
            store,
            (http, &application, &bot_user),
            translator,
            crate::cluster::Leases::new(shard_count, config.shard_range.clone(), cluster.fenced),
            true,
        );
        let (shutdown, stopping) = watch::channel(false);
        let mut shards = JoinSet::new();
        let process = cluster.process.clone();
        shards.spawn(crate::cluster::supervise(
            bot.clone(),
            cluster,
            gateway,
            stopping,
        ));
        bot.inner.timers.spawn(crate::reconciler::run(
            bot.clone(),
            config.reconcile_interval,
        ));
        bot.inner
            .timers
            .spawn(crate::timers::run(bot.clone(), config.timer_interval));
        bot.inner
            .timers
            .spawn(crate::handlers::jobs::run(bot.clone()));
        tracing::info!(
            shards = shard_count,
            process = %process,
            max_concurrency = limit.max_concurrency,
            bot_id = %bot_user.id,
            "bot started"
        );
        Ok(RunningBot {
            bot,
            shutdown,
            shards,
            deadline: config.shutdown_deadline,
        })
    }

    /// Starts the bot for interactions alone, without gateway shards: for `helpline
    /// interactions`, which serves [`Bot::serve_interactions`] so that interaction handling
    /// scales apart from gateway connections. It learns who the bot is and nothing else: the
    /// slash commands are not registered, and the reconciler, the timers and the guild jobs do
    /// not run (the processes holding the shards run them, over the same store). It holds no
    /// lease: the writes of the interactions it handles go unfenced (as any process's do for an
    /// interaction of a shard it does not hold), and a retry their effects need is left to the
    /// shard's holder. Guilds are read from REST when a handler needs one (`guild::known`).
    pub async fn start_interactions(
        config: BotConfig,
        store: Arc<dyn Store>,
    ) -> Result<RunningBot> {
        let (http, application, bot_user) = Self::who_am_i(&config).await?;
        // No shard is ever held here: every write outside an interaction's scope (a retry) is
        // refused, and left to the shard's holder.
        let bot = Self::assemble(
            &config,
            store,
            (http, &application, &bot_user),
            Translator::new(),
            crate::cluster::Leases::new(1, None, true),
            false,
        );
        tracing::info!(bot_id = %bot_user.id, "bot started for interactions, without shards");
        let (shutdown, _) = watch::channel(false);
        Ok(RunningBot {
            bot,
            shutdown,
            shards: JoinSet::new(),
            deadline: config.shutdown_deadline,
        })
    }

    /// One reconciler pass now (it also runs at start and on its interval).
    pub async fn reconcile(&self) -> Result<crate::reconciler::Pass> {
        crate::reconciler::pass(self).await
    }

    /// The application's public key as Discord gives it (its `verify_key`): what the
    /// interactions endpoint verifies requests with unless the operator names one.
    pub fn verify_key(&self) -> &str {
        &self.inner.verify_key
    }

    /// Whether the gateway delivered this guild (its GUILD_CREATE was handled).
    pub fn knows_guild(&self, guild: helpline_domain::GuildId) -> bool {
        self.inner.cache.knows_guild(guild)
    }

    /// Whether this process serves: it runs at least one shard, every one of them is connected,
    /// and the store answers (within a second); without shards ([`Bot::start_interactions`]),
    /// the store alone. `Err` says what is missing, for `/readyz`.
    pub async fn readiness(&self) -> std::result::Result<String, String> {
        let shards = if self.inner.runs_shards {
            format!("{} shards connected", self.inner.shard_states.ready()?)
        } else {
            "no shards (interactions only)".to_owned()
        };
        match tokio::time::timeout(Duration::from_secs(1), self.inner.store.ping()).await {
            Ok(Ok(_)) => Ok(format!("{shards}, store reachable")),
            Ok(Err(error)) => {
                tracing::warn!(%error, "readiness: the store fails");
                Err("the store fails (the log says how)".to_owned())
            }
            Err(_) => Err("the store does not answer within a second".to_owned()),
        }
    }
}

/// How often an idle shard checks that its lease is still valid.
const LEASE_WATCH: Duration = Duration::from_millis(250);

/// Message events waiting for a shard's transcript worker; past this the shard waits.
pub(crate) const MESSAGE_QUEUE: usize = 4096;

/// The shard's transcript worker, restarted if it dies.
struct MessageWorker {
    bot: Bot,
    shard: u32,
    queue: tokio::sync::mpsc::Sender<MessageEvent>,
}

impl MessageWorker {
    fn start(bot: &Bot, shard: u32) -> Self {
        let (queue, events) = tokio::sync::mpsc::channel(MESSAGE_QUEUE);
        tokio::spawn(transcript::message_worker(bot.clone(), events));
        Self {
            bot: bot.clone(),
            shard,
            queue,
        }
    }

    /// Queues an event in gateway order; restarts the worker if it died.
    async fn send(&mut self, event: MessageEvent) {
        let event = match self.queue.send(event).await {
            Ok(()) => return,
            Err(tokio::sync::mpsc::error::SendError(event)) => event,
        };
        tracing::error!(
            shard = self.shard,
            "the transcript worker died; restarting it"
        );
        ::metrics::counter!(metrics::WORKER_RESTARTS, "worker" => "transcript").increment(1);
        *self = Self::start(&self.bot, self.shard);
        let _ = self.queue.send(event).await;
    }

    fn depth(&self) -> usize {
        MESSAGE_QUEUE - self.queue.capacity()
    }
}

/// What a shard's session is, to resume it elsewhere.
fn saved_session(shard: &Shard<helpline_cluster::ClusterQueue>) -> Option<SavedSession> {
    shard.session().map(|session| SavedSession {
        id: session.id().to_owned(),
        sequence: session.sequence(),
        resume_url: shard.resume_url().map(str::to_owned),
    })
}

/// Forgets a shard's state when its loop ends, whichever way.
struct ForgetShard<'a>(&'a Bot, u32);

impl Drop for ForgetShard<'_> {
    fn drop(&mut self) {
        self.0.inner.shard_states.remove(self.1);
    }
}

/// A new message of a shard: its author's names are remembered, and it goes to the shard's
/// message worker (which keeps ticket channels' messages).
async fn message_created(
    bot: &Bot,
    messages: &mut MessageWorker,
    lag: &::metrics::Histogram,
    message: Box<NewMessage>,
) {
    metrics::record_lag(lag, message.id.get());
    bot.inner.cache.message_seen(&message);
    messages.send(MessageEvent::Created(message)).await;
}

/// What a shard gave [`run_shard`].
#[expect(
    clippy::large_enum_variant,
    reason = "moved once, from `next_event` to the loop, as twilight's `Event` itself is"
)]
enum Next {
    Event(Result<crate::ingest::Ingested, twilight_gateway::error::ReceiveMessageError>),
    /// A run of messages ingest dropped, and nothing else yet.
    Skipped,
    /// The shard's stream ended.
    End,
}

/// Messages dropped in a row before [`next_event`] lets the shard's loop look at its lease
/// and orders (between them it reads on without coming back to that loop).
const SKIPPED_RUN: usize = 256;

/// The shard's next event Helpline needs: the messages ingest drops on the way are read in one
/// go, so a busy shard's loop wakes per event it acts on, not per message.
async fn next_event<Q: twilight_gateway::queue::Queue + Unpin>(
    shard: &mut Shard<Q>,
    tickets: &crate::channels::TicketChannels,
    counters: &crate::ingest::EventCounters,
) -> Next {
    for _ in 0..SKIPPED_RUN {
        match shard.next().await {
            Some(Ok(message)) => match crate::ingest::event(message, tickets, counters) {
                Ok(Some(event)) => return Next::Event(Ok(event)),
                Ok(None) => {}
                Err(error) => return Next::Event(Err(error)),
            },
            Some(Err(error)) => return Next::Event(Err(error)),
            None => return Next::End,
        }
    }
    Next::Skipped
}

/// Runs one shard until its supervisor says otherwise or the gateway ends it. Its session is
/// saved every `save_every` (and after READY) so a process taking the shard after a crash
/// resumes it.
pub(crate) async fn run_shard(
    bot: Bot,
    mut shard: Shard<helpline_cluster::ClusterQueue>,
    mut orders: watch::Receiver<Order>,
    grant: Grant,
    coordinator: Arc<dyn Coordinator>,
    save_every: Duration,
) -> ShardDone {
    let id = shard.id();
    let mut messages = MessageWorker::start(&bot, id.number());
    // Connecting until READY or RESUMED; forgotten however the loop ends.
    bot.inner
        .shard_states
        .set(id.number(), crate::shards::ShardState::Connecting);
    let _forget = ForgetShard(&bot, id.number());
    let mut last_close: Option<u16> = None;
    let mut last_save = Instant::now();
    let mut saved_id: Option<String> = None;
    let done = |end, session| ShardDone {
        grant,
        end,
        session,
    };
    // Looked up once: setting it is then one atomic store per event.
    let queue_depth =
        ::metrics::gauge!(metrics::MESSAGE_QUEUE_DEPTH, "shard" => id.number().to_string());
    let mut counters = crate::ingest::EventCounters::new();
    // The lease is checked on every event and, between events, on this tick: a shard whose
    // lease ends locally stops even when its supervisor is stuck waiting on the coordinator.
    let mut watchdog = tokio::time::interval(LEASE_WATCH);
    loop {
        let item = tokio::select! {
            item = next_event(&mut shard, &bot.inner.ticket_channels, &counters) => match item {
                Next::Event(event) => Some(event),
                Next::Skipped => continue,
                Next::End => None,
            },
            _ = watchdog.tick() => {
                // A connection lost without a close frame reconnects inside the shard, with no
                // event: its state says so.
                let state = crate::shards::ShardState::of(shard.state());
                bot.inner.shard_states.set(id.number(), state);
                if bot.inner.leases.valid(id.number()) {
                    continue;
                }
                ::metrics::counter!(helpline_cluster::metrics::FENCING_REJECTIONS).increment(1);
                tracing::warn!(shard = id.number(), "lease expired without renewal; the shard stops");
                return done(ShardEnd::Stopped, None);
            }
            changed = orders.changed() => {
                let order = if changed.is_ok() { *orders.borrow() } else { Order::Abandon };
                match order {
                    Order::Run => continue,
                    Order::Abandon => {
                        tracing::warn!(shard = id.number(), "shard abandoned: its lease is lost");
                        return done(ShardEnd::Stopped, None);
                    }
                    Order::Close => {}
                }
                shard.close(CloseFrame::RESUME);
                // Drain until the close completes so the session stays resumable.
                while let Some(item) = shard.next_event(EventTypeFlags::empty()).await {
                    if matches!(item, Ok(Event::GatewayClose(_))) {
                        break;
                    }
                }
                tracing::info!(shard = id.number(), "shard closed");
                return done(ShardEnd::Stopped, saved_session(&shard));
            }
        };
        let Some(item) = item else {
            // The stream ends only after a close code that forbids reconnecting.
            let code = last_close.unwrap_or_default();
            let meaning = close_code_meaning(code);
            tracing::error!(
                shard = id.number(),
                code,
                meaning,
                "the gateway closed the shard for good"
            );
            ::metrics::counter!(metrics::GATEWAY_FATAL_CLOSES, "code" => code.to_string())
                .increment(1);
            return done(
                ShardEnd::Fatal {
                    shard: id.number(),
                    code,
                    meaning,
                },
                None,
            );
        };
        let event = match item {
            Ok(event) => event,
            Err(error) => {
                // The shard reconnects by itself; a fatal close ends the stream instead.
                tracing::warn!(shard = id.number(), %error, "gateway error");
                continue;
            }
        };
        if !bot.inner.leases.valid(id.number()) {
            // Woken past the lease (paused, cut off): another process may run the shard now.
            ::metrics::counter!(helpline_cluster::metrics::FENCING_REJECTIONS).increment(1);
            tracing::warn!(
                shard = id.number(),
                "lease expired; the shard stops without acting on the event"
            );
            return done(ShardEnd::Stopped, None);
        }
        let received = Instant::now();
        let event = match event {
            Ingested::Message(message) => {
                counters.received("MESSAGE_CREATE").increment(1);
                message_created(&bot, &mut messages, &counters.message_lag, message).await;
                None
            }
            Ingested::Event(event) => Some(event),
        };
        if let Some(event) = event {
            counters
                .received(event.kind().name().unwrap_or("other"))
                .increment(1);
            bot.inner.cache.update(&event);
            let tasks = &bot.inner.tasks;
            match event {
                Event::GatewayClose(frame) => {
                    last_close = frame.map(|frame| frame.code);
                    bot.inner
                        .shard_states
                        .set(id.number(), crate::shards::ShardState::Connecting);
                }
                Event::Ready(_) | Event::Resumed => {
                    bot.inner
                        .shard_states
                        .set(id.number(), crate::shards::ShardState::Ready);
                }
                Event::InteractionCreate(interaction) => {
                    metrics::event_lag("INTERACTION_CREATE", interaction.id.get());
                    let bot = bot.clone();
                    tasks.spawn(async move {
                        handlers::interaction(
                            bot,
                            interaction.0,
                            received,
                            crate::reply::Transport::Rest,
                        )
                        .await;
                    });
                }
                Event::MessageCreate(message) => {
                    // A message only twilight could read (ingest reads the others itself).
                    message_created(
                        &bot,
                        &mut messages,
                        &counters.message_lag,
                        Box::new(NewMessage::from(&message.message)),
                    )
                    .await;
                }
                Event::MessageUpdate(update) => {
                    messages.send(MessageEvent::Updated(update)).await;
                }
                Event::MessageDelete(delete) => {
                    messages.send(MessageEvent::Deleted(delete)).await;
                }
                Event::ChannelDelete(channel) => {
                    tasks.spawn(handlers::events::channel_deleted(bot.clone(), channel.id));
                }
                Event::ThreadDelete(thread) => {
                    tasks.spawn(handlers::events::channel_deleted(bot.clone(), thread.id));
                }
                Event::MemberRemove(removed) => {
                    tasks.spawn(handlers::events::member_left(
                        bot.clone(),
                        removed.guild_id,
                        removed.user.id,
                    ));
                }
                Event::GuildDelete(deleted)
                    if deleted.unavailable.is_none() || deleted.unavailable == Some(false) =>
                {
                    tasks.spawn(handlers::events::guild_left(bot.clone(), deleted.id));
                }
                Event::GuildCreate(created) => {
                    bot.inner.departed.remove(created.id());
                }
                _ => {}
            }
        }
        #[allow(clippy::cast_precision_loss)]
        queue_depth.set(messages.depth() as f64);
        let new_session = shard.session().map(twilight_gateway::Session::id) != saved_id.as_deref();
        if new_session || last_save.elapsed() >= save_every {
            if let Some(session) = saved_session(&shard) {
                saved_id = Some(session.id.clone());
                let coordinator = coordinator.clone();
                tokio::spawn(async move {
                    if let Err(error) = coordinator.save_session(grant, &session).await {
                        tracing::debug!(shard = grant.shard, %error, "cannot save the session");
                    }
                });
            }
            last_save = Instant::now();
        }
    }
}

/// The day's session budget, from `/gateway/bot`.
#[derive(Debug)]
struct GatewayBudget {
    http: Client,
}

#[async_trait::async_trait]
impl helpline_cluster::BudgetSource for GatewayBudget {
    async fn refresh(&self, coordinator: &dyn Coordinator) {
        let answer = match crate::metrics::rest("gateway", self.http.gateway().authed()).await {
            Ok(response) => response.model().await.map_err(Error::from),
            Err(error) => Err(Error::from(error)),
        };
        match answer {
            Ok(info) => {
                let limit = info.session_start_limit;
                if let Err(error) = coordinator
                    .observe_budget(limit.remaining, Duration::from_millis(limit.reset_after))
                    .await
                {
                    tracing::warn!(%error, "cannot record the session budget");
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the session budget from Discord"),
        }
    }
}

impl Error {
    /// Whether a startup failure is the token's fault: Discord answered 401 (or twilight
    /// already knows the token was invalidated).
    pub fn is_unauthorized(&self) -> bool {
        use twilight_http::error::ErrorType;
        matches!(self, Self::Http(error) if match error.kind() {
            ErrorType::Unauthorized => true,
            ErrorType::Response { status, .. } => status.get() == 401,
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_proxy_from_url() {
        assert_eq!(
            RestProxy::from_url("http://127.0.0.1:8080/"),
            Some(RestProxy {
                host: "127.0.0.1:8080".into(),
                use_http: true
            })
        );
        assert_eq!(
            RestProxy::from_url("https://proxy.example"),
            Some(RestProxy {
                host: "proxy.example".into(),
                use_http: false
            })
        );
        assert_eq!(RestProxy::from_url("ftp://x"), None);
        assert_eq!(RestProxy::from_url("http://x/api"), None);
        assert_eq!(RestProxy::from_url("http://"), None);
    }

    #[test]
    fn config_debug_redacts_the_token() {
        let config = BotConfig::new("very-secret-token".into());
        assert!(!format!("{config:?}").contains("very-secret"));
    }
}
