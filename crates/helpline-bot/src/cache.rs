//! The gateway state Helpline reads, and nothing more, in compact forms.
//!
//! Helpline reads a guild's name, owner and boost tier; its roles' permissions (and names, shown
//! in transcripts); its channels' kinds, parents, permission overwrites (and names, shown in
//! transcripts and used to name overflow categories); the bot's own roles; and the display
//! names of the members a transcript mentions. A general-purpose cache keeps every member, user,
//! channel and role whole (about 100 KB for a guild of 30 channels, 20 roles and 25 members);
//! this one keeps each guild in one record keyed by its id — roles and channels in vectors
//! sorted by id, overwrites in boxed slices, no per-entity index — a few KB a guild.
//!
//! Members are not kept, but for the bot's own roles. Display names live in a small bounded
//! map ([`Names`]) fed by the interactions and ticket messages that carry them, and by REST on
//! demand (see `executor::perform::user_name`).
//!
//! Active threads are kept as channels (a ticket thread's kind, parent and name); an archived
//! one is dropped, so the cache holds only what Discord itself calls active.
//!
//! A guild no shard of this process receives (another process's shard, or a process that runs
//! none: `helpline interactions`) can still be read: [`Cache::put_fetched`] keeps a record built
//! from REST (`crate::guild::known`) beside the gateway's, for [`FETCHED_TTL`] and at most
//! [`FETCHED_MAX`] guilds. The gateway's record, when there is one, always wins.
//!
//! Update semantics follow twilight-cache-inmemory's for the events the bot receives (its
//! tests feed the same events to both and compare every answer the bot asks of them), with
//! deliberate differences: a role or channel missing from a later GUILD_CREATE is gone here,
//! where twilight's maps keep it; a guild in an outage (unavailable) keeps what was known of it
//! until it is back, where twilight forgets it.

use crate::ingest::NewMessage;
use helpline_domain::permissions::{self, Permissions};
use helpline_domain::{ChannelId, GuildId, RoleId, UserId};
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};
use twilight_model::channel::permission_overwrite::PermissionOverwrite;
use twilight_model::channel::{Channel, ChannelType};
use twilight_model::gateway::event::Event;
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::guild::{Guild, PremiumTier, Role};
use twilight_model::user::User;

/// How many locks the guilds are spread over, so shards and handlers rarely wait on each other.
const STRIPES: usize = 64;

/// Display names kept at most (two generations of half this each).
const NAMES: usize = 16_384;

/// How long a guild read from REST is used before it is read again: no gateway event keeps it
/// current, so a change (a role's permissions, a channel's overwrites) is seen this late.
pub(crate) const FETCHED_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// Guilds read from REST kept at most; the oldest goes first.
pub(crate) const FETCHED_MAX: usize = 1024;

/// The cache: guilds by id, and the display names in use.
#[derive(Debug)]
pub(crate) struct Cache {
    bot_id: UserId,
    stripes: Box<[RwLock<HashMap<GuildId, GuildState>>]>,
    names: Names,
    /// Guilds no shard of this process receives, read from REST, with when they were read.
    fetched: Mutex<HashMap<GuildId, (std::time::Instant, GuildState)>>,
}

/// One guild, whole.
#[derive(Debug)]
struct GuildState {
    name: Box<str>,
    owner: UserId,
    premium_tier: PremiumTier,
    /// The bot's own roles in this guild.
    bot_roles: Box<[RoleId]>,
    /// Sorted by id.
    roles: Vec<CachedRole>,
    /// Guild channels and active threads, sorted by id.
    channels: Vec<CachedChannel>,
}

/// A role as Helpline reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CachedRole {
    pub(crate) id: RoleId,
    pub(crate) permissions: Permissions,
    pub(crate) name: Box<str>,
}

/// A channel (or category) as Helpline reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CachedChannel {
    pub(crate) id: ChannelId,
    pub(crate) kind: ChannelType,
    pub(crate) parent: Option<ChannelId>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) overwrites: Box<[PermissionOverwrite]>,
}

/// Entries held, by resource (the `helpline_bot_cache_entries` gauge).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    pub(crate) guilds: usize,
    pub(crate) channels: usize,
    pub(crate) roles: usize,
    pub(crate) names: usize,
}

impl CachedRole {
    fn from_role(role: &Role) -> Self {
        Self {
            id: role.id,
            permissions: role.permissions,
            name: role.name.as_str().into(),
        }
    }
}

impl CachedChannel {
    /// A guild channel or active thread (an archived thread is not kept).
    fn from_channel(channel: &Channel) -> Option<Self> {
        if channel
            .thread_metadata
            .as_ref()
            .is_some_and(|metadata| metadata.archived)
        {
            return None;
        }
        Some(Self {
            id: channel.id,
            kind: channel.kind,
            parent: channel.parent_id,
            name: channel.name.as_deref().map(Into::into),
            overwrites: channel
                .permission_overwrites
                .as_deref()
                .unwrap_or_default()
                .into(),
        })
    }
}

/// Sorted by id; of two with one id (Discord sends none), the later one, as a map would keep.
fn by_id<T, K: Ord>(items: impl DoubleEndedIterator<Item = T>, id: impl Fn(&T) -> K) -> Vec<T> {
    let mut sorted: Vec<T> = items.rev().collect();
    sorted.sort_by_key(&id);
    sorted.dedup_by(|a, b| id(a) == id(b));
    sorted
}

/// The item with this id in a vector sorted by id.
fn find<T, K: Ord>(items: &[T], id: K, key: impl Fn(&T) -> K) -> Option<&T> {
    items
        .binary_search_by(|item| key(item).cmp(&id))
        .ok()
        .map(|index| &items[index])
}

/// Puts `item` in a vector sorted by id, in place of the one with its id.
fn upsert<T, K: Ord>(items: &mut Vec<T>, item: T, key: impl Fn(&T) -> K) {
    match items.binary_search_by(|held| key(held).cmp(&key(&item))) {
        Ok(index) => items[index] = item,
        Err(index) => items.insert(index, item),
    }
}

impl GuildState {
    fn from_guild(guild: &Guild, bot_id: UserId, previous: Option<Self>) -> Self {
        let roles = by_id(guild.roles.iter().map(CachedRole::from_role), |r| r.id);
        let channels = by_id(
            guild
                .channels
                .iter()
                .chain(&guild.threads)
                .filter_map(CachedChannel::from_channel),
            |c| c.id,
        );
        // A large guild's GUILD_CREATE may leave members out; the bot's own roles are then the
        // ones known before.
        let bot_roles = guild
            .members
            .iter()
            .find(|member| member.user.id == bot_id)
            .map(|member| member.roles.as_slice().into())
            .or_else(|| previous.map(|previous| previous.bot_roles))
            .unwrap_or_default();
        Self {
            name: guild.name.as_str().into(),
            owner: guild.owner_id,
            premium_tier: guild.premium_tier,
            bot_roles,
            roles,
            channels,
        }
    }

    fn role(&self, id: RoleId) -> Option<&CachedRole> {
        find(&self.roles, id, |role| role.id)
    }

    fn channel(&self, id: ChannelId) -> Option<&CachedChannel> {
        find(&self.channels, id, |channel| channel.id)
    }

    /// The bot's guild-level permissions, by Discord's algorithm.
    fn bot_permissions(&self, guild: GuildId, bot_id: UserId) -> Option<Permissions> {
        let everyone = self.role(guild.cast())?.permissions;
        let roles = self
            .bot_roles
            .iter()
            .filter_map(|id| self.role(*id).map(|role| role.permissions));
        Some(permissions::guild_permissions(
            self.owner == bot_id,
            everyone,
            roles,
        ))
    }
}

impl Cache {
    pub(crate) fn new(bot_id: UserId) -> Self {
        Self {
            bot_id,
            stripes: (0..STRIPES).map(|_| RwLock::default()).collect(),
            names: Names::default(),
            fetched: Mutex::default(),
        }
    }

    fn fetched(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<GuildId, (std::time::Instant, GuildState)>> {
        self.fetched.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a guild can be read: the gateway delivered it, or REST told it within
    /// [`FETCHED_TTL`].
    pub(crate) fn readable(&self, guild: GuildId) -> bool {
        self.knows_guild(guild)
            || self
                .fetched()
                .get(&guild)
                .is_some_and(|(at, _)| at.elapsed() < FETCHED_TTL)
    }

    /// Keeps a guild read from REST (its roles, its channels, the bot's member), for a guild no
    /// shard of this process receives. The oldest such record goes when [`FETCHED_MAX`] are
    /// held.
    pub(crate) fn put_fetched(&self, guild: &Guild, channels: &[Channel], bot_roles: &[RoleId]) {
        let roles = by_id(guild.roles.iter().map(CachedRole::from_role), |r| r.id);
        let channels = by_id(
            channels.iter().filter_map(CachedChannel::from_channel),
            |c| c.id,
        );
        let state = GuildState {
            name: guild.name.as_str().into(),
            owner: guild.owner_id,
            premium_tier: guild.premium_tier,
            bot_roles: bot_roles.into(),
            roles,
            channels,
        };
        let mut fetched = self.fetched();
        fetched.retain(|_, (at, _)| at.elapsed() < FETCHED_TTL);
        if fetched.len() >= FETCHED_MAX && !fetched.contains_key(&guild.id) {
            let oldest = fetched
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(id, _)| *id);
            if let Some(oldest) = oldest {
                fetched.remove(&oldest);
            }
        }
        fetched.insert(guild.id, (std::time::Instant::now(), state));
    }

    /// Guilds read from REST held now (fresh or not yet dropped).
    pub(crate) fn fetched_len(&self) -> usize {
        self.fetched().len()
    }

    fn stripe(&self, guild: GuildId) -> &RwLock<HashMap<GuildId, GuildState>> {
        // Snowflakes' low bits are a per-process counter: mix in the timestamp's.
        let id = guild.get();
        #[allow(clippy::cast_possible_truncation)]
        let index = ((id ^ (id >> 22)) % STRIPES as u64) as usize;
        &self.stripes[index]
    }

    /// Reads the gateway's record of a guild, else a fresh one read from REST.
    fn read<T>(&self, guild: GuildId, read: impl FnOnce(&GuildState) -> Option<T>) -> Option<T> {
        {
            let stripe = self.stripe(guild).read().unwrap_or_else(|e| e.into_inner());
            if let Some(state) = stripe.get(&guild) {
                return read(state);
            }
        }
        let fetched = self.fetched();
        fetched
            .get(&guild)
            .filter(|(at, _)| at.elapsed() < FETCHED_TTL)
            .and_then(|(_, state)| read(state))
    }

    fn write(&self, guild: GuildId, write: impl FnOnce(&mut GuildState)) {
        let mut stripe = self
            .stripe(guild)
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(state) = stripe.get_mut(&guild) {
            write(state);
            return;
        }
        drop(stripe);
        // A channel this process just created, in a guild it reads from REST.
        if let Some((_, state)) = self.fetched().get_mut(&guild) {
            write(state);
        }
    }

    /// Whether the gateway delivered this guild (and the bot was not removed from it since).
    pub(crate) fn knows_guild(&self, guild: GuildId) -> bool {
        self.stripe(guild)
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&guild)
    }

    pub(crate) fn guild_name(&self, guild: GuildId) -> Option<String> {
        self.read(guild, |state| Some(state.name.to_string()))
    }

    pub(crate) fn premium_tier(&self, guild: GuildId) -> Option<PremiumTier> {
        self.read(guild, |state| Some(state.premium_tier))
    }

    /// The bot's guild-level permissions, when the cache knows the guild.
    pub(crate) fn bot_guild_permissions(&self, guild: GuildId) -> Option<Permissions> {
        self.read(guild, |state| state.bot_permissions(guild, self.bot_id))
    }

    /// The bot's permissions in a channel (or category) of the guild, when the cache knows it.
    pub(crate) fn bot_channel_permissions(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Option<Permissions> {
        self.read(guild, |state| {
            let held = state.bot_permissions(guild, self.bot_id)?;
            let channel = state.channel(channel)?;
            Some(permissions::channel_permissions(
                held,
                guild,
                self.bot_id,
                &state.bot_roles,
                &channel.overwrites,
            ))
        })
    }

    /// What a member with no role and no overwrite of their own gets in a channel: what every
    /// member of the guild gets at least.
    pub(crate) fn everyone_channel_permissions(
        &self,
        guild: GuildId,
        channel: ChannelId,
    ) -> Option<Permissions> {
        self.read(guild, |state| {
            let everyone = state.role(guild.cast())?.permissions;
            let channel = state.channel(channel)?;
            // An id no overwrite can name (ids are snowflakes, far above 1).
            let nobody = UserId::new(1);
            Some(permissions::channel_permissions(
                permissions::guild_permissions(false, everyone, []),
                guild,
                nobody,
                &[],
                &channel.overwrites,
            ))
        })
    }

    pub(crate) fn role(&self, guild: GuildId, role: RoleId) -> Option<CachedRole> {
        self.read(guild, |state| state.role(role).cloned())
    }

    pub(crate) fn channel(&self, guild: GuildId, channel: ChannelId) -> Option<CachedChannel> {
        self.read(guild, |state| state.channel(channel).cloned())
    }

    /// Every channel of the guild (its active threads aside), when the cache knows it.
    pub(crate) fn channels(&self, guild: GuildId) -> Option<Vec<CachedChannel>> {
        self.read(guild, |state| {
            Some(
                state
                    .channels
                    .iter()
                    .filter(|c| !c.kind.is_thread())
                    .cloned()
                    .collect(),
            )
        })
    }

    /// The guilds held.
    pub(crate) fn guild_ids(&self) -> Vec<GuildId> {
        let mut ids = Vec::new();
        for stripe in &*self.stripes {
            let stripe = stripe.read().unwrap_or_else(|e| e.into_inner());
            ids.extend(stripe.keys().copied());
        }
        ids
    }

    pub(crate) fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        for stripe in &*self.stripes {
            let stripe = stripe.read().unwrap_or_else(|e| e.into_inner());
            stats.guilds += stripe.len();
            for state in stripe.values() {
                stats.channels += state.channels.len();
                stats.roles += state.roles.len();
            }
        }
        stats.names = self.names.len();
        stats
    }

    /// A member's name as the guild shows it, when an interaction, a ticket message or a REST
    /// answer told it lately; empty when Discord said lately they are not a member.
    pub(crate) fn member_name(&self, guild: GuildId, user: UserId) -> Option<String> {
        self.names.get(guild, user)
    }

    /// Notes that Discord knows no such member (left, or never was), so a transcript does not
    /// ask again; a later interaction or message of theirs replaces it.
    pub(crate) fn remember_absent(&self, guild: GuildId, user: UserId) {
        self.names.insert(guild, user, Box::from(""));
    }

    /// Notes a member's name as the guild shows it (nickname, else display name, else username).
    pub(crate) fn remember_name(&self, guild: GuildId, user: &User, nick: Option<&str>) {
        self.names.insert(guild, user.id, display_name(user, nick));
    }

    /// Puts a channel the bot just created in the cache at once, ahead of its CHANNEL_CREATE, so
    /// the next ticket counts it when it looks for room in a category.
    pub(crate) fn remember_channel(&self, channel: &Channel) {
        self.upsert_channel(channel);
    }

    /// Keeps a channel or active thread; an archived thread is dropped.
    fn upsert_channel(&self, channel: &Channel) {
        let Some(guild) = channel.guild_id else {
            return;
        };
        match CachedChannel::from_channel(channel) {
            Some(cached) => {
                self.write(guild, |state| upsert(&mut state.channels, cached, |c| c.id));
            }
            None => self.remove_channel(guild, channel.id),
        }
    }

    fn remove_channel(&self, guild: GuildId, id: ChannelId) {
        self.write(guild, |state| state.channels.retain(|c| c.id != id));
    }

    /// Remembers the names a new message shows: its author's (a member's nickname, else their
    /// global or user name) and the nicknames of the members it mentions (what the guild shows).
    pub(crate) fn message_seen(&self, message: &NewMessage) {
        let Some(guild) = message.guild_id else {
            return;
        };
        if message.member.is_some() && !message.author.bot {
            self.names
                .put_if_changed(guild, message.author.id, message.author_name());
        }
        for mention in &message.mentions {
            if let Some(nick) = mention.member.as_ref().and_then(|m| m.nick.as_deref()) {
                self.names.put_if_changed(guild, mention.id, nick);
            }
        }
    }

    /// Applies a gateway event (a new message goes to [`Self::message_seen`] instead).
    pub(crate) fn update(&self, event: &Event) {
        match event {
            Event::GuildCreate(create) => match &**create {
                GuildCreate::Available(guild) => {
                    let mut stripe = self
                        .stripe(guild.id)
                        .write()
                        .unwrap_or_else(|e| e.into_inner());
                    let previous = stripe.remove(&guild.id);
                    stripe.insert(
                        guild.id,
                        GuildState::from_guild(guild, self.bot_id, previous),
                    );
                    drop(stripe);
                    self.fetched().remove(&guild.id);
                }
                // An outage: what was known stays until the guild is back.
                GuildCreate::Unavailable(_) => {}
            },
            Event::GuildUpdate(update) => self.write(update.id, |state| {
                state.name = update.name.as_str().into();
                state.owner = update.owner_id;
                state.premium_tier = update.premium_tier;
            }),
            // Removed from the guild; an outage (`unavailable`) keeps what was known.
            Event::GuildDelete(delete) if delete.unavailable != Some(true) => {
                self.remove_guild(delete.id);
            }
            Event::ChannelCreate(create) => self.upsert_channel(&create.0),
            Event::ChannelUpdate(update) => self.upsert_channel(&update.0),
            Event::ChannelDelete(delete) => {
                if let Some(guild) = delete.0.guild_id {
                    self.remove_channel(guild, delete.0.id);
                }
            }
            Event::ThreadCreate(create) => self.upsert_channel(&create.0),
            Event::ThreadUpdate(update) => self.upsert_channel(&update.0),
            Event::ThreadDelete(delete) => self.remove_channel(delete.guild_id, delete.id),
            Event::ThreadListSync(sync) => {
                for thread in &sync.threads {
                    let mut thread = thread.clone();
                    thread.guild_id.get_or_insert(sync.guild_id);
                    self.upsert_channel(&thread);
                }
            }
            Event::RoleCreate(create) => {
                let role = CachedRole::from_role(&create.role);
                self.write(create.guild_id, |state| {
                    upsert(&mut state.roles, role, |r| r.id);
                });
            }
            Event::RoleUpdate(update) => {
                let role = CachedRole::from_role(&update.role);
                self.write(update.guild_id, |state| {
                    upsert(&mut state.roles, role, |r| r.id);
                });
            }
            Event::RoleDelete(delete) => {
                let id = delete.role_id;
                self.write(delete.guild_id, |state| state.roles.retain(|r| r.id != id));
            }
            Event::MemberAdd(add) if add.member.user.id == self.bot_id => {
                let roles: Box<[RoleId]> = add.member.roles.as_slice().into();
                self.write(add.guild_id, |state| state.bot_roles = roles);
            }
            Event::MemberUpdate(update) => {
                if update.user.id == self.bot_id {
                    let roles: Box<[RoleId]> = update.roles.as_slice().into();
                    self.write(update.guild_id, |state| state.bot_roles = roles);
                }
                self.names.refresh(
                    update.guild_id,
                    update.user.id,
                    display_name(&update.user, update.nick.as_deref()),
                );
            }
            Event::MemberChunk(chunk) => {
                if let Some(bot) = chunk.members.iter().find(|m| m.user.id == self.bot_id) {
                    let roles: Box<[RoleId]> = bot.roles.as_slice().into();
                    self.write(chunk.guild_id, |state| state.bot_roles = roles);
                }
            }
            Event::MemberRemove(remove) => self.names.remove(remove.guild_id, remove.user.id),
            Event::InteractionCreate(interaction) => {
                if let (Some(guild), Some(member)) = (interaction.guild_id, &interaction.member)
                    && let Some(user) = &member.user
                {
                    self.remember_name(guild, user, member.nick.as_deref());
                }
            }
            _ => {}
        }
    }

    fn remove_guild(&self, guild: GuildId) {
        self.stripe(guild)
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&guild);
        self.fetched().remove(&guild);
        self.names.remove_guild(guild);
    }
}

/// A member's name as the guild shows it: nickname, else display name, else username.
pub(crate) fn display_name(user: &User, nick: Option<&str>) -> Box<str> {
    nick_or_name(user, nick).into()
}

fn nick_or_name<'a>(user: &'a User, nick: Option<&'a str>) -> &'a str {
    nick.or(user.global_name.as_deref()).unwrap_or(&user.name)
}

/// Display names by guild and user, bounded: two generations, the young one taking new and
/// recently read names; when it is full the old one is dropped and the young one takes its
/// place. A name read from the old generation moves back to the young one, so what is in use
/// stays (a least-recently-used approximation with no per-entry bookkeeping).
#[derive(Debug, Default)]
struct Names {
    generations: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    young: HashMap<(GuildId, UserId), Box<str>>,
    old: HashMap<(GuildId, UserId), Box<str>>,
}

impl Generations {
    fn put(&mut self, key: (GuildId, UserId), name: Box<str>) {
        if self.young.len() >= NAMES / 2 && !self.young.contains_key(&key) {
            self.old = std::mem::take(&mut self.young);
        }
        self.young.insert(key, name);
    }
}

impl Names {
    fn lock(&self) -> std::sync::MutexGuard<'_, Generations> {
        self.generations.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, guild: GuildId, user: UserId) -> Option<String> {
        let mut generations = self.lock();
        let key = (guild, user);
        if let Some(name) = generations.young.get(&key) {
            return Some(name.to_string());
        }
        let name = generations.old.remove(&key)?;
        let shown = name.to_string();
        generations.put(key, name);
        Some(shown)
    }

    /// Notes a name unless the same one is held: a stream of messages from one member costs a
    /// lookup each, not an allocation.
    fn put_if_changed(&self, guild: GuildId, user: UserId, name: &str) {
        let mut generations = self.lock();
        let key = (guild, user);
        if generations
            .young
            .get(&key)
            .is_some_and(|held| **held == *name)
        {
            return;
        }
        generations.old.remove(&key);
        generations.put(key, name.into());
    }

    fn insert(&self, guild: GuildId, user: UserId, name: Box<str>) {
        let mut generations = self.lock();
        generations.old.remove(&(guild, user));
        generations.put((guild, user), name);
    }

    /// Replaces a name only if one is held (a member update for someone nobody asked about is
    /// not worth keeping).
    fn refresh(&self, guild: GuildId, user: UserId, name: Box<str>) {
        let mut generations = self.lock();
        let key = (guild, user);
        if let Some(held) = generations.young.get_mut(&key) {
            *held = name;
        } else if let Some(held) = generations.old.get_mut(&key) {
            *held = name;
        }
    }

    fn remove(&self, guild: GuildId, user: UserId) {
        let mut generations = self.lock();
        generations.young.remove(&(guild, user));
        generations.old.remove(&(guild, user));
    }

    fn remove_guild(&self, guild: GuildId) {
        let mut generations = self.lock();
        generations.young.retain(|(g, _), _| *g != guild);
        generations.old.retain(|(g, _), _| *g != guild);
    }

    fn len(&self) -> usize {
        let generations = self.lock();
        generations.young.len() + generations.old.len()
    }
}

#[cfg(test)]
mod tests;
