//! A seeded Discord with Helpline running against it.

use discord_emulator::{Emulator, EmulatorConfig, OptionValue};
use helpline_bot::{Bot, BotConfig, RestProxy, RunningBot};
use helpline_domain::permissions::{BOT_REQUIRED, Permissions};
use helpline_domain::{ChannelId, GuildId, RoleId, UserId};
use helpline_store::{SqliteStore, Store, StoreLimits};
use std::sync::Arc;
use std::time::Duration;

/// The demo server: an owner-admin, two staff, three members, and the bot with what it needs.
pub(crate) struct World {
    pub(crate) emulator: Emulator,
    pub(crate) bot: RunningBot,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) guild: GuildId,
    pub(crate) general: ChannelId,
    pub(crate) admin: UserId,
    pub(crate) staff: [UserId; 2],
    pub(crate) staff_role: RoleId,
    pub(crate) members: [UserId; 3],
    /// What the bot was started with (and is restarted with).
    pub(crate) config: BotConfig,
}

pub(crate) const LIMITS: StoreLimits = StoreLimits {
    max_attachment_bytes: 1 << 20,
    max_ticket_attachment_bytes: StoreLimits::DEFAULT.max_ticket_attachment_bytes,
};

/// Now, as the domain takes it, moved by `offset_ms`.
pub(crate) fn now_plus(offset_ms: i64) -> helpline_domain::Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    helpline_domain::Timestamp::from_millis(i64::try_from(millis).unwrap() + offset_ms)
}

/// The bot's configuration against `emulator`: a REST timeout short enough for tests to make
/// timeouts happen, and a reconciler quick to notice.
pub(crate) fn bot_config(emulator: &Emulator) -> BotConfig {
    BotConfig {
        rest_proxy: Some(RestProxy {
            host: emulator.http_host().to_owned(),
            use_http: true,
        }),
        gateway_url: Some(emulator.gateway_url().to_owned()),
        store_limits: LIMITS,
        rest_timeout: Duration::from_secs(5),
        reconcile_interval: Duration::from_millis(200),
        stall_after: Duration::from_secs(1),
        // One process: nothing else makes a first attempt beside this one's; a crash's work
        // is resumed a second after its commit.
        first_attempt_grace: Duration::from_secs(1),
        ..BotConfig::new(emulator.bot_token().to_owned())
    }
}

/// Starts the bot on `store` and waits for its session.
pub(crate) async fn start_bot(
    emulator: &Emulator,
    store: &Arc<dyn Store>,
    config: &BotConfig,
) -> RunningBot {
    let bot = Bot::start(config.clone(), store.clone())
        .await
        .expect("bot starts");
    assert!(
        emulator.wait_for_sessions(1, Duration::from_secs(10)).await,
        "the bot identifies"
    );
    bot
}

impl World {
    /// Kills the bot as a crash would (nothing finished, nothing closed) and starts a new one
    /// on the same store, as an orchestrator restarting the process would.
    pub(crate) async fn crash_and_restart(mut self) -> Self {
        self.bot.kill();
        let emulator = &self.emulator;
        self.wait_until(|| emulator.sessions().iter().all(|s| !s.connected))
            .await;
        self.bot = start_bot(&self.emulator, &self.store, &self.config).await;
        let guild = self.guild;
        self.wait_until(|| self.bot.bot.knows_guild(guild)).await;
        self
    }

    /// The world with the bot granted `bot_permissions`.
    pub(crate) async fn with_bot_permissions(bot_permissions: Permissions) -> Self {
        Self::build(bot_permissions, |_| {}).await
    }

    /// The world with the bot granted `bot_permissions` and its configuration changed by `tune`.
    pub(crate) async fn build(
        bot_permissions: Permissions,
        tune: impl FnOnce(&mut BotConfig),
    ) -> Self {
        Self::build_in(EmulatorConfig::default(), bot_permissions, tune).await
    }

    /// [`World::build`] in an emulator started with `emulator_config`.
    pub(crate) async fn build_in(
        emulator_config: EmulatorConfig,
        bot_permissions: Permissions,
        tune: impl FnOnce(&mut BotConfig),
    ) -> Self {
        let emulator = Emulator::start(emulator_config)
            .await
            .expect("emulator starts");
        let admin = emulator.create_user("Ada", "en-US");
        let guild = emulator
            .create_guild("Demo Server", admin, "en-US")
            .expect("guild");
        emulator
            .set_bot_permissions(guild, bot_permissions)
            .expect("bot permissions");
        let staff_role = emulator
            .create_role(guild, "Support", Permissions::empty())
            .expect("role");
        let staff = [
            emulator.create_user("Sam", "en-US"),
            emulator.create_user("Sky", "fr"),
        ];
        for user in staff {
            emulator
                .add_member(guild, user, &[staff_role])
                .expect("staff member");
        }
        let members = [
            emulator.create_user("Mia", "en-US"),
            emulator.create_user("Max", "fr"),
            emulator.create_user("Noa", "en-US"),
        ];
        for user in members {
            emulator.add_member(guild, user, &[]).expect("member");
        }
        let general = emulator
            .create_text_channel(guild, "general", None)
            .expect("general");
        let mut config = bot_config(&emulator);
        tune(&mut config);
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open_in_memory(config.store_limits)
                .await
                .expect("store"),
        );
        let bot = start_bot(&emulator, &store, &config).await;
        let world = Self {
            emulator,
            bot,
            store,
            guild,
            general,
            admin,
            staff,
            staff_role,
            members,
            config,
        };
        world.wait_until(|| world.bot.bot.knows_guild(guild)).await;
        world
    }

    /// The world with the bot granted exactly what Helpline asks for.
    pub(crate) async fn new() -> Self {
        Self::with_bot_permissions(BOT_REQUIRED).await
    }

    /// Polls `condition` until it holds (at most 10 s).
    pub(crate) async fn wait_until(&self, condition: impl Fn() -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !condition() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "condition not reached in 10 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Makes the Support role staff (what `/staff add` will do), then runs `/setup` as the admin;
    /// returns the panel channel.
    pub(crate) async fn set_up(&self) -> ChannelId {
        let mut config = helpline_domain::GuildConfig::new(self.guild);
        config.add_staff_roles(&[self.staff_role]).unwrap();
        self.store.save_guild_config(&config).await.unwrap();
        let outcome = self
            .emulator
            .as_user(self.admin)
            .run_command(self.guild, self.general, "setup", &[])
            .await
            .expect("setup runs");
        let text = outcome.expect_message().text();
        assert!(text.contains("is ready"), "{text}");
        let config = self
            .store
            .guild_config(self.guild)
            .await
            .unwrap()
            .expect("config saved");
        config.setup.expect("setup channels").panel_channel
    }

    /// Waits until no effect is pending.
    pub(crate) async fn wait_for_outbox(&self) {
        self.wait_until_async(async || self.store.outbox_depth().await.unwrap().pending == 0)
            .await;
    }

    /// A ticket of `opener` on the first panel, created by the store at `at` as a process
    /// that died right after `open_ticket` would leave it: numbered, never announced.
    pub(crate) async fn interrupted_open(
        &self,
        id: u64,
        opener: UserId,
        at: helpline_domain::Timestamp,
    ) -> helpline_domain::Ticket {
        use helpline_domain::lifecycle::{OpenRequest, prepare_open};
        let config = self.store.guild_config(self.guild).await.unwrap().unwrap();
        let request = OpenRequest {
            ticket_id: helpline_domain::TicketId(id),
            panel_id: config.panels[0].id,
            topic_id: None,
            opener,
            opener_name: "Mia".into(),
            requested_by: helpline_domain::Member {
                user_id: opener,
                roles: Vec::new(),
                permissions: Permissions::empty(),
            },
            reason: None,
            answers: Vec::new(),
        };
        let (ticket, limits) = prepare_open(&config, request, at).unwrap();
        match self
            .store
            .open_ticket(ticket, limits, at, None)
            .await
            .unwrap()
        {
            helpline_store::OpenOutcome::Created(ticket) => ticket,
            other => panic!("not created: {other:?}"),
        }
    }

    /// The log channel `/setup` made.
    pub(crate) async fn log_channel(&self) -> ChannelId {
        let config = self
            .store
            .guild_config(self.guild)
            .await
            .unwrap()
            .expect("set up");
        config.setup.expect("setup channels").log_channel
    }

    /// Polls an async `condition` until it holds (at most 10 s).
    pub(crate) async fn wait_until_async(&self, condition: impl AsyncFn() -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !condition().await {
            assert!(
                tokio::time::Instant::now() < deadline,
                "condition not reached in 10 s"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The ticket whose channel is `channel` (there must be one).
    pub(crate) async fn ticket_in(&self, channel: ChannelId) -> helpline_domain::Ticket {
        self.store
            .ticket_by_channel(channel)
            .await
            .unwrap()
            .expect("a ticket channel")
    }

    /// Waits until the transcript of the ticket in `channel` satisfies `done`, and returns it.
    pub(crate) async fn transcript_once(
        &self,
        channel: ChannelId,
        done: impl Fn(&[helpline_domain::TranscriptMessage]) -> bool,
    ) -> Vec<helpline_domain::TranscriptMessage> {
        let ticket = self.ticket_in(channel).await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let transcript = self.store.transcript(ticket.id).await.unwrap();
            if done(&transcript) {
                return transcript;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "transcript condition not reached in 10 s: {} messages",
                transcript.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until the transcript of the ticket in `channel` holds `count` messages (the welcome
    /// message and Discord's "pinned a message" notice come first), with every
    /// attachment kept that will be (the bot captures them from the gateway, asynchronously).
    pub(crate) async fn wait_for_transcript(&self, channel: ChannelId, count: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let ticket = self.ticket_in(channel).await;
            let messages = self.store.transcript(ticket.id).await.unwrap();
            let attachments_done = messages
                .iter()
                .flat_map(|m| &m.attachments)
                .all(|a| a.stored || a.size > LIMITS.max_attachment_bytes);
            if messages.len() >= count && attachments_done {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "transcript has {} of {count} messages",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The panel message in the panel channel.
    pub(crate) fn panel_message(
        &self,
        panel_channel: ChannelId,
    ) -> twilight_model::channel::Message {
        self.emulator
            .messages(panel_channel)
            .into_iter()
            .find(|m| m.components.iter().any(|_| true))
            .expect("a panel message")
    }

    /// Runs a command as the admin in `channel`; returns the ephemeral answer they read.
    pub(crate) async fn admin_runs(
        &self,
        channel: ChannelId,
        command: &str,
        options: &[(&str, OptionValue)],
    ) -> String {
        let outcome = self
            .emulator
            .as_user(self.admin)
            .run_command(self.guild, channel, command, options)
            .await
            .expect("the command runs");
        let message = outcome.expect_message();
        assert!(message.ephemeral, "only the admin sees it");
        message.text()
    }

    /// The guild's stored configuration (it must have one).
    pub(crate) async fn config(&self) -> helpline_domain::GuildConfig {
        self.store
            .guild_config(self.guild)
            .await
            .expect("the store answers")
            .expect("the guild has a configuration")
    }

    /// `/setup` with options.
    pub(crate) async fn setup_with(&self, options: &[(&str, OptionValue)]) -> String {
        let outcome = self
            .emulator
            .as_user(self.admin)
            .run_command(self.guild, self.general, "setup", options)
            .await
            .expect("setup runs");
        outcome.expect_message().text()
    }
}
