//! The people of a scenario: owners setting up their guild, members opening tickets, writing in
//! them and closing them, members chatting in ordinary channels, and panel clicks at a fixed
//! rate — each through the emulator as a person would, each timed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use discord_emulator::{Emulator, OptionValue};
use twilight_model::channel::ChannelType;
use twilight_model::channel::message::Component;
use twilight_model::channel::permission_overwrite::PermissionOverwriteType;
use twilight_model::id::Id;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};

type GuildId = Id<GuildMarker>;
type ChannelId = Id<ChannelMarker>;
type UserId = Id<UserMarker>;

/// A panel's open button.
#[derive(Clone, Debug)]
pub struct Button {
    pub channel: ChannelId,
    pub message: Id<MessageMarker>,
    pub custom_id: String,
}

/// A guild whose owner ran `/setup`.
struct ActiveGuild {
    guild: GuildId,
    button: Button,
    /// Members without a ticket, next to open one first.
    free: VecDeque<UserId>,
}

/// A ticket the driver saw its channel for.
#[derive(Clone, Copy)]
struct OpenTicket {
    guild: GuildId,
    channel: ChannelId,
    member: UserId,
    seen: Instant,
}

/// What the people did, counted.
#[derive(Default)]
pub(crate) struct Counts {
    pub(crate) opens: AtomicU64,
    pub(crate) opens_failed: AtomicU64,
    pub(crate) ticket_messages: AtomicU64,
    pub(crate) staff_messages: AtomicU64,
    pub(crate) chat_messages: AtomicU64,
    pub(crate) closes: AtomicU64,
    pub(crate) closes_failed: AtomicU64,
    /// Actions the driver skipped: too many in flight, or every member holding a ticket.
    pub(crate) behind: AtomicU64,
    /// Opens acknowledged whose ticket channel never appeared (refused, or lost).
    pub(crate) opens_without_ticket: AtomicU64,
    pub(crate) tickets_seen: AtomicU64,
}

#[derive(Default)]
struct State {
    active: Vec<ActiveGuild>,
    /// Members who clicked open, their channel not seen yet, and when they clicked.
    pending: HashMap<(GuildId, UserId), Instant>,
    open: VecDeque<OpenTicket>,
    known: HashSet<ChannelId>,
    next_guild: usize,
}

/// Click latencies (seconds) and how many clicks failed (no answer within Discord's 3 s).
#[derive(Default)]
pub(crate) struct Clicks {
    pub(crate) latencies: Vec<f64>,
    pub(crate) failed: u64,
}

/// The driver: the emulator, the world's people and what they did.
pub(crate) struct Driver {
    emulator: Emulator,
    /// Every guild's ordinary text channels and members (owner first).
    guilds: Vec<(GuildId, Vec<ChannelId>, Vec<UserId>)>,
    state: Arc<Mutex<State>>,
    pub(crate) counts: Arc<Counts>,
    acks: Arc<Mutex<Clicks>>,
    rng: AtomicU64,
}

const IN_FLIGHT: usize = 512;
/// People sending at once in the ingest burst.
const SENDERS: usize = 8;

impl Driver {
    /// The emulator the people act on.
    pub(crate) fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    pub(crate) fn new(emulator: &Emulator, guilds: &[GuildId]) -> Self {
        let guilds = guilds
            .iter()
            .map(|&guild| {
                let channels = emulator
                    .channels(guild)
                    .into_iter()
                    .filter(|channel| channel.kind == ChannelType::GuildText)
                    .map(|channel| channel.id)
                    .collect();
                let owner = emulator.guild_owner(guild);
                let mut members = emulator.members(guild);
                members.sort_by_key(|&member| Some(member) != owner);
                (guild, channels, members)
            })
            .collect();
        Self {
            emulator: emulator.clone(),
            guilds,
            state: Arc::default(),
            counts: Arc::default(),
            acks: Arc::default(),
            rng: AtomicU64::new(0x9E37_79B9_7F4A_7C15),
        }
    }

    fn random(&self, below: usize) -> usize {
        // xorshift64*, lock-free: good enough to spread people over guilds and channels.
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng.store(x, Ordering::Relaxed);
        let value = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        usize::try_from(value % (below.max(1) as u64)).unwrap_or(0)
    }

    /// The first `count` guilds' owners run `/setup` in their first channel (tried again while
    /// it fails, as a person would) and the panel's button is found.
    pub(crate) async fn set_up(&self, count: usize) -> Result<()> {
        let mut tasks = tokio::task::JoinSet::new();
        for (guild, channels, members) in self.guilds.iter().take(count).cloned() {
            let emulator = self.emulator.clone();
            tasks.spawn(async move {
                let (Some(&channel), Some(&owner)) = (channels.first(), members.first()) else {
                    bail!("guild {guild} has no channel or owner");
                };
                // The owner's own role (every member holds one) is named the staff role, so the
                // owner answers tickets as staff do.
                let staff = emulator
                    .member_roles(guild, owner)
                    .and_then(|roles| roles.first().copied());
                let options: Vec<(&str, OptionValue)> = staff
                    .map(|role| ("staff_role", OptionValue::Role(role)))
                    .into_iter()
                    .collect();
                let mut answered = false;
                for _ in 0..20 {
                    let outcome = emulator
                        .as_user(owner)
                        .run_command(guild, channel, "setup", &options)
                        .await?;
                    if !outcome.failed() {
                        answered = true;
                        break;
                    }
                }
                if !answered {
                    bail!("/setup in guild {guild} never answered");
                }
                let started = Instant::now();
                loop {
                    if let Some(button) = open_button(&emulator, guild) {
                        let free = members.iter().skip(1).copied().collect();
                        return Ok(ActiveGuild {
                            guild,
                            button,
                            free,
                        });
                    }
                    if started.elapsed() > Duration::from_secs(60) {
                        bail!("guild {guild}: no panel 60 s after /setup");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
        }
        let mut active = Vec::new();
        while let Some(done) = tasks.join_next().await {
            active.push(done??);
        }
        active.sort_by_key(|active| active.guild);
        self.lock().active = active;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Finds the ticket channels Helpline created for members who clicked.
    fn discover(&self) {
        let guilds: Vec<GuildId> = {
            let state = self.lock();
            let mut guilds: Vec<GuildId> = state.pending.keys().map(|(guild, _)| *guild).collect();
            guilds.sort_unstable();
            guilds.dedup();
            guilds
        };
        let bot = self.emulator.bot_user_id();
        for guild in guilds {
            let channels = self.emulator.channels(guild);
            let mut state = self.lock();
            for channel in channels {
                if state.known.contains(&channel.id)
                    || !channel
                        .name
                        .as_deref()
                        .is_some_and(|name| name.starts_with("ticket-"))
                {
                    continue;
                }
                let opener = channel
                    .permission_overwrites
                    .iter()
                    .flatten()
                    .find_map(|o| {
                        (o.kind == PermissionOverwriteType::Member && o.id.cast() != bot)
                            .then(|| o.id.cast::<UserMarker>())
                    });
                let Some(member) = opener else { continue };
                if state.pending.remove(&(guild, member)).is_some() {
                    state.known.insert(channel.id);
                    state.open.push_back(OpenTicket {
                        guild,
                        channel: channel.id,
                        member,
                        seen: Instant::now(),
                    });
                    self.counts.tickets_seen.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// A member of an active guild clicks open; `None` when every member has a ticket.
    fn next_opener(&self) -> Option<(GuildId, UserId, Button)> {
        let mut state = self.lock();
        // A click answered without a ticket (a refusal) leaves nothing to find: after 15 s the
        // member is free to click again.
        let stale: Vec<(GuildId, UserId)> = state
            .pending
            .iter()
            .filter(|(_, clicked)| clicked.elapsed() > Duration::from_secs(15))
            .map(|(key, _)| *key)
            .collect();
        for (guild, member) in stale {
            state.pending.remove(&(guild, member));
            self.counts
                .opens_without_ticket
                .fetch_add(1, Ordering::Relaxed);
            if let Some(active) = state.active.iter_mut().find(|a| a.guild == guild) {
                active.free.push_back(member);
            }
        }
        let guilds = state.active.len();
        for _ in 0..guilds {
            let index = state.next_guild % guilds;
            state.next_guild += 1;
            let active = &mut state.active[index];
            if let Some(member) = active.free.pop_front() {
                let found = (active.guild, member, active.button.clone());
                state.pending.insert((found.0, member), Instant::now());
                return Some(found);
            }
        }
        None
    }

    async fn click(
        emulator: &Emulator,
        member: UserId,
        button: &Button,
        acks: &Mutex<Clicks>,
    ) -> bool {
        let outcome = emulator
            .as_user(member)
            .click_button(button.channel, button.message, &button.custom_id)
            .await;
        // The acknowledgement as Discord times it: from the interaction's creation to its
        // initial response (not the follow-up a deferral promises).
        let acked = outcome
            .ok()
            .filter(|outcome| !outcome.failed())
            .and_then(|outcome| outcome.ack_latency());
        let mut clicks = acks.lock().unwrap_or_else(PoisonError::into_inner);
        match acked {
            Some(latency) => clicks.latencies.push(latency.as_secs_f64()),
            None => clicks.failed += 1,
        }
        acked.is_some()
    }

    fn open(self: &Arc<Self>, tasks: &mut tokio::task::JoinSet<()>) {
        let Some((guild, member, button)) = self.next_opener() else {
            self.counts.behind.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let driver = self.clone();
        tasks.spawn(async move {
            if Self::click(&driver.emulator, member, &button, &driver.acks).await {
                driver.counts.opens.fetch_add(1, Ordering::Relaxed);
            } else {
                driver.counts.opens_failed.fetch_add(1, Ordering::Relaxed);
                // Free again, unless the ticket was made all the same (its channel seen).
                let mut state = driver.lock();
                if state.pending.remove(&(guild, member)).is_some()
                    && let Some(active) = state.active.iter_mut().find(|a| a.guild == guild)
                {
                    active.free.push_back(member);
                }
            }
        });
    }

    fn ticket_message(self: &Arc<Self>, tasks: &mut tokio::task::JoinSet<()>) {
        let ticket = {
            let state = self.lock();
            (!state.open.is_empty()).then(|| state.open[self.random(state.open.len())])
        };
        let Some(ticket) = ticket else { return };
        let driver = self.clone();
        tasks.spawn(async move {
            let sent = driver
                .emulator
                .as_user(ticket.member)
                .send_text(
                    ticket.channel,
                    "It still fails after the update, here is what I see.",
                )
                .await;
            if sent.is_ok() {
                driver
                    .counts
                    .ticket_messages
                    .fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    /// The guild's owner (its admin, staff everywhere) answers in a ticket.
    fn staff_message(self: &Arc<Self>, tasks: &mut tokio::task::JoinSet<()>) {
        let ticket = {
            let state = self.lock();
            (!state.open.is_empty()).then(|| state.open[self.random(state.open.len())])
        };
        let Some(ticket) = ticket else { return };
        let Some(owner) = self
            .guilds
            .iter()
            .find(|(guild, _, _)| *guild == ticket.guild)
            .and_then(|(_, _, members)| members.first().copied())
        else {
            return;
        };
        let driver = self.clone();
        tasks.spawn(async move {
            let sent = driver
                .emulator
                .as_user(owner)
                .send_text(
                    ticket.channel,
                    "Thanks for the details, I am looking into it now.",
                )
                .await;
            if sent.is_ok() {
                driver.counts.staff_messages.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    fn chat(self: &Arc<Self>, tasks: &mut tokio::task::JoinSet<()>) {
        let (_, channels, members) = &self.guilds[self.random(self.guilds.len())];
        if channels.is_empty() || members.is_empty() {
            return;
        }
        let channel = channels[self.random(channels.len())];
        let member = members[self.random(members.len())];
        let driver = self.clone();
        tasks.spawn(async move {
            let sent = driver
                .emulator
                .as_user(member)
                .send_text(channel, "Has anyone read the release notes yet?")
                .await;
            if sent.is_ok() {
                driver.counts.chat_messages.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    fn close(self: &Arc<Self>, tasks: &mut tokio::task::JoinSet<()>) {
        let ticket = {
            let mut state = self.lock();
            // A ticket lives a little before its opener closes it.
            match state.open.front() {
                Some(ticket) if ticket.seen.elapsed() > Duration::from_secs(2) => {
                    state.open.pop_front()
                }
                _ => None,
            }
        };
        let Some(ticket) = ticket else { return };
        let driver = self.clone();
        tasks.spawn(async move {
            // `/close reason:` shows the close form filled in; submitting it confirms.
            let person = driver.emulator.as_user(ticket.member);
            let form = person
                .run_command(
                    ticket.guild,
                    ticket.channel,
                    "close",
                    &[("reason", OptionValue::String("Solved, thank you".into()))],
                )
                .await;
            let form = form
                .ok()
                .and_then(|outcome| outcome.modal().map(|m| m.custom_id.clone()));
            let outcome = match form {
                Some(custom_id) => person
                    .submit_modal(ticket.channel, &custom_id, &[])
                    .await
                    .ok(),
                None => None,
            };
            if outcome.is_some_and(|outcome| !outcome.failed()) {
                driver.counts.closes.fetch_add(1, Ordering::Relaxed);
                let mut state = driver.lock();
                if let Some(active) = state.active.iter_mut().find(|a| a.guild == ticket.guild) {
                    active.free.push_back(ticket.member);
                }
            } else {
                // Whether it closed is unknown: the ticket and its member are left out of the
                // rest of the run.
                driver.counts.closes_failed.fetch_add(1, Ordering::Relaxed);
            }
        });
    }

    /// Plays the load for `secs`, calling `progress` about once a second with the time played;
    /// returns the actions still in flight (see [`Driver::drain`]).
    pub(crate) async fn play(
        self: &Arc<Self>,
        load: &crate::scenario::Load,
        mut progress: impl FnMut(Duration, &Counts),
    ) -> tokio::task::JoinSet<()> {
        let tick = Duration::from_millis(50);
        let rates = [
            load.opens_per_sec,
            load.ticket_messages_per_sec,
            load.chat_messages_per_sec,
            load.closes_per_sec,
            load.staff_messages_per_sec,
        ];
        let mut due = [0.0_f64; 5];
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        let mut every = tokio::time::interval(tick);
        let mut last_discovery = Instant::now();
        let mut last_progress = Instant::now();
        while started.elapsed() < Duration::from_secs(load.secs) {
            every.tick().await;
            while tasks.try_join_next().is_some() {}
            for (kind, rate) in rates.iter().enumerate() {
                due[kind] += rate * tick.as_secs_f64();
                while due[kind] >= 1.0 {
                    due[kind] -= 1.0;
                    if tasks.len() >= IN_FLIGHT {
                        self.counts.behind.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    match kind {
                        0 => self.open(&mut tasks),
                        1 => self.ticket_message(&mut tasks),
                        2 => self.chat(&mut tasks),
                        3 => self.close(&mut tasks),
                        _ => self.staff_message(&mut tasks),
                    }
                }
            }
            if last_discovery.elapsed() > Duration::from_millis(500) {
                last_discovery = Instant::now();
                self.discover();
            }
            if last_progress.elapsed() >= Duration::from_secs(1) {
                last_progress = Instant::now();
                progress(started.elapsed(), &self.counts);
            }
        }
        tasks
    }

    /// Waits for the actions still in flight, then finds their tickets' channels.
    pub(crate) async fn drain(&self, mut tasks: tokio::task::JoinSet<()>) {
        while tasks.join_next().await.is_some() {}
        self.discover();
    }

    /// The clicks the load made, taken (the next phase starts afresh).
    pub(crate) fn take_acks(&self) -> Clicks {
        std::mem::take(&mut *self.acks.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Panel clicks at `rate` for `secs`, by members who hold a ticket (Helpline answers that
    /// they already have one) or, when none does, by any member.
    pub(crate) async fn clicks(self: &Arc<Self>, rate: f64, secs: u64) -> Clicks {
        let clickers: Vec<(UserId, Button)> = {
            let state = self.lock();
            let buttons: HashMap<GuildId, Button> = state
                .active
                .iter()
                .map(|active| (active.guild, active.button.clone()))
                .collect();
            let holding: Vec<_> = state
                .open
                .iter()
                .filter_map(|t| Some((t.member, buttons.get(&t.guild)?.clone())))
                .collect();
            if holding.is_empty() {
                state
                    .active
                    .iter()
                    .flat_map(|a| a.free.iter().map(|m| (*m, a.button.clone())))
                    .collect()
            } else {
                holding
            }
        };
        let mut clicks = Clicks::default();
        if clickers.is_empty() {
            return clicks;
        }
        let acks = Arc::new(Mutex::new(Clicks::default()));
        let tick = Duration::from_millis(10);
        let mut every = tokio::time::interval(tick);
        let mut due = 0.0;
        let mut next = 0;
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        while started.elapsed() < Duration::from_secs(secs) {
            every.tick().await;
            while tasks.try_join_next().is_some() {}
            due += rate * tick.as_secs_f64();
            while due >= 1.0 {
                due -= 1.0;
                let (member, button) = clickers[next % clickers.len()].clone();
                next += 1;
                let emulator = self.emulator.clone();
                let acks = acks.clone();
                tasks.spawn(async move {
                    Self::click(&emulator, member, &button, &acks).await;
                });
            }
        }
        while tasks.join_next().await.is_some() {}
        let mut done = acks.lock().unwrap_or_else(PoisonError::into_inner);
        std::mem::swap(&mut clicks, &mut done);
        clicks
    }

    /// A burst of `count` MESSAGE_CREATE: one in twenty in an open ticket when there is one,
    /// the others in ordinary channels of the active guilds (or any guild). Returns the last
    /// message's dispatch payload, for the raw parse figure.
    pub(crate) async fn burst(&self, count: usize) -> Result<String> {
        let tickets: Vec<OpenTicket> = self.lock().open.iter().copied().collect();
        let chat: Vec<(GuildId, ChannelId, UserId)> = self
            .guilds
            .iter()
            .take(64)
            .filter_map(|(guild, channels, members)| {
                Some((
                    *guild,
                    *channels.last()?,
                    *members.get(1).or(members.first())?,
                ))
            })
            .collect();
        if chat.is_empty() {
            bail!("the ingest burst needs guilds with channels and members");
        }
        // Several people at once, so the stream comes faster than one sender's round trips and
        // the bot, not the sender, sets the pace.
        let senders = SENDERS.min(count.max(1));
        let mut tasks = tokio::task::JoinSet::new();
        for sender in 0..senders {
            let (emulator, tickets, chat) = (self.emulator.clone(), tickets.clone(), chat.clone());
            tasks.spawn(async move {
                let mut last = None;
                for n in (sender..count).step_by(senders) {
                    let (guild, channel, member) =
                        match tickets.get((n / 20) % tickets.len().max(1)) {
                            Some(ticket) if n % 20 == 19 => {
                                (ticket.guild, ticket.channel, ticket.member)
                            }
                            _ => chat[n % chat.len()],
                        };
                    let message = emulator
                        .as_user(member)
                        .send_text(channel, "Has anyone seen the new release notes yet?")
                        .await?;
                    last = Some((guild, message));
                    // As a person between two messages: the gateway's connections send what
                    // was made (unless the burst is held), rather than all of it at the end.
                    tokio::task::yield_now().await;
                }
                anyhow::Ok(last)
            });
        }
        let mut last = None;
        while let Some(done) = tasks.join_next().await {
            if let Some(sent) = done?? {
                last = Some(sent);
            }
        }
        let Some((guild, message)) = last else {
            bail!("an empty burst");
        };
        let mut data = serde_json::to_value(&message)?;
        data["guild_id"] = serde_json::json!(guild.to_string());
        Ok(serde_json::json!({"op": 0, "s": 42, "t": "MESSAGE_CREATE", "d": data}).to_string())
    }
}

/// The first Helpline panel's open button a guild shows, if any.
pub fn open_button(emulator: &Emulator, guild: GuildId) -> Option<Button> {
    for channel in emulator.channels(guild) {
        for message in emulator.messages(channel.id) {
            for row in &message.components {
                let Component::ActionRow(row) = row else {
                    continue;
                };
                for component in &row.components {
                    if let Component::Button(button) = component
                        && let Some(id) = &button.custom_id
                        && id.starts_with("hl:open:")
                    {
                        return Some(Button {
                            channel: channel.id,
                            message: message.id,
                            custom_id: id.clone(),
                        });
                    }
                }
            }
        }
    }
    None
}
