//! The emulated Discord's state: users, guilds, roles, members, channels, messages,
//! attachments, commands, interactions and gateway sessions, behind one lock.
//!
//! Every change that Discord would announce is dispatched to the gateway while the lock is
//! held, so sessions see events in the order the changes happened.

pub(crate) mod build;
pub(crate) mod messages;
pub(crate) mod render;
pub(crate) mod stored;
pub(crate) mod tables;
pub(crate) mod threads;

use std::{
    borrow::Cow,
    collections::{BTreeMap, HashMap},
    sync::Arc,
};

use axum::body::Bytes;
use twilight_model::{
    application::command::Command,
    channel::{Channel, ChannelType, Message},
    gateway::Intents,
    guild::{Permissions, PremiumTier},
    id::{
        Id,
        marker::{
            AttachmentMarker, ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
        },
    },
    user::User,
    util::Timestamp,
};

use crate::{
    config::EmulatorConfig,
    discord_error::{DiscordError, DiscordResult},
    gateway::hub::{Event, Hub, Payload, dispatch_json},
    interactions::Interactions,
    permissions::{self, DM_PERMISSIONS, MemberView},
    snowflake::Snowflakes,
};

/// One mebibyte.
const MIB: u64 = 1024 * 1024;

/// Discord's upload limit for a guild's boost level (10 MiB without boosts and in DMs).
pub(crate) fn upload_limit_of(tier: PremiumTier) -> u64 {
    match tier {
        PremiumTier::Tier2 => 50 * MIB,
        PremiumTier::Tier3 => 100 * MIB,
        _ => 10 * MIB,
    }
}

pub(crate) use stored::{RoleRecord, StoredChannel, UserRecord};

/// A member of a guild: 48 bytes, and no allocation for a member with at most one role and
/// no nickname (a world of 100,000 guilds holds millions).
#[derive(Clone, Debug)]
pub(crate) struct MemberRecord {
    pub(crate) user_id: Id<UserMarker>,
    pub(crate) roles: MemberRoles,
    pub(crate) joined_at: Timestamp,
    /// Boxed as nicknames are rare: a thin pointer takes 8 bytes, a `String` 24.
    #[expect(
        clippy::box_collection,
        reason = "the box makes the field a thin pointer"
    )]
    pub(crate) nick: Option<Box<String>>,
}

/// A member's roles in their order. Most members hold one role or none, so one is kept inline
/// (in the bytes a boxed slice's length would take) and only more allocate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MemberRoles {
    One(Id<RoleMarker>),
    Many(Box<[Id<RoleMarker>]>),
}

impl MemberRoles {
    /// Keeps the roles `keep` accepts, in their order.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Id<RoleMarker>) -> bool) {
        *self = self.iter().copied().filter(keep).collect();
    }
}

impl Default for MemberRoles {
    fn default() -> Self {
        Self::Many(Box::default())
    }
}

impl std::ops::Deref for MemberRoles {
    type Target = [Id<RoleMarker>];

    fn deref(&self) -> &Self::Target {
        match self {
            Self::One(role) => std::slice::from_ref(role),
            Self::Many(roles) => roles,
        }
    }
}

impl From<&[Id<RoleMarker>]> for MemberRoles {
    fn from(roles: &[Id<RoleMarker>]) -> Self {
        match roles {
            [role] => Self::One(*role),
            _ => Self::Many(roles.into()),
        }
    }
}

impl From<Vec<Id<RoleMarker>>> for MemberRoles {
    fn from(roles: Vec<Id<RoleMarker>>) -> Self {
        match roles[..] {
            [role] => Self::One(role),
            _ => Self::Many(roles.into_boxed_slice()),
        }
    }
}

impl FromIterator<Id<RoleMarker>> for MemberRoles {
    fn from_iter<I: IntoIterator<Item = Id<RoleMarker>>>(roles: I) -> Self {
        roles.into_iter().collect::<Vec<_>>().into()
    }
}

/// A guild's members sorted by user id: a vector searched by halves rather than a map, since
/// a map's nodes and their spare slots weighed several times the members of a small guild.
/// It iterates in the order of the `BTreeMap` it replaced.
///
/// The members of a guild built in bulk are not listed: they are derived from their place in
/// the batch's ranges of ids ([`DerivedMembers`]) until the first change to one of them lists
/// them all (a new member is listed beside them, and the listed ones change, without it).
/// Reads give a [`Cow`]: borrowed for a listed member, owned for a derived one (built on the
/// spot, without an allocation).
#[derive(Clone, Debug, Default)]
pub(crate) struct Members {
    listed: Vec<MemberRecord>,
    derived: Option<DerivedMembers>,
}

/// The members of a guild built in bulk: users `first_user`, `first_user + 1`… (`count` of
/// them, the first owning the guild), member `m` holding role `first_role + m % roles` (none
/// when `roles` is 0), all joined at `joined_at`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DerivedMembers {
    pub(crate) first_user: u64,
    pub(crate) count: u64,
    pub(crate) first_role: u64,
    pub(crate) roles: u64,
    pub(crate) joined_at: Timestamp,
}

impl DerivedMembers {
    fn record(&self, place: u64) -> MemberRecord {
        let roles = match place.checked_rem(self.roles) {
            Some(role) => MemberRoles::One(Id::new(self.first_role + role)),
            None => MemberRoles::default(),
        };
        MemberRecord {
            user_id: Id::new(self.first_user + place),
            roles,
            joined_at: self.joined_at,
            nick: None,
        }
    }

    fn get(&self, user_id: Id<UserMarker>) -> Option<MemberRecord> {
        let place = user_id.get().checked_sub(self.first_user)?;
        (place < self.count).then(|| self.record(place))
    }

    fn iter(&self) -> impl Iterator<Item = MemberRecord> + '_ {
        (0..self.count).map(|place| self.record(place))
    }
}

impl Members {
    /// The members of a guild built in bulk, derived, and `listed` (the bot).
    pub(crate) fn derived(derived: DerivedMembers, listed: Vec<MemberRecord>) -> Self {
        let mut members = Self {
            listed: Vec::new(),
            derived: (derived.count > 0).then_some(derived),
        };
        for member in listed {
            members.insert(member);
        }
        members.listed.shrink_to_fit();
        members
    }

    fn search(&self, user_id: Id<UserMarker>) -> Result<usize, usize> {
        self.listed
            .binary_search_by_key(&user_id, |member| member.user_id)
    }

    /// Lists the derived members before a change to `user_id`, if it is one of them.
    fn list_for(&mut self, user_id: Id<UserMarker>) {
        if let Some(derived) = self.derived
            && derived.get(user_id).is_some()
        {
            self.derived = None;
            self.listed.extend(derived.iter());
            self.listed.sort_unstable_by_key(|member| member.user_id);
        }
    }

    pub(crate) fn get(&self, user_id: &Id<UserMarker>) -> Option<Cow<'_, MemberRecord>> {
        match self.search(*user_id) {
            Ok(index) => Some(Cow::Borrowed(&self.listed[index])),
            Err(_) => self.derived?.get(*user_id).map(Cow::Owned),
        }
    }

    pub(crate) fn get_mut(&mut self, user_id: &Id<UserMarker>) -> Option<&mut MemberRecord> {
        self.list_for(*user_id);
        self.search(*user_id)
            .ok()
            .map(|index| &mut self.listed[index])
    }

    pub(crate) fn contains_key(&self, user_id: &Id<UserMarker>) -> bool {
        self.search(*user_id).is_ok()
            || self
                .derived
                .is_some_and(|derived| derived.get(*user_id).is_some())
    }

    /// Adds a member, or replaces the record of one already there (returned).
    pub(crate) fn insert(&mut self, member: MemberRecord) -> Option<MemberRecord> {
        self.list_for(member.user_id);
        match self.search(member.user_id) {
            Ok(index) => Some(std::mem::replace(&mut self.listed[index], member)),
            Err(index) => {
                self.listed.insert(index, member);
                None
            }
        }
    }

    pub(crate) fn remove(&mut self, user_id: &Id<UserMarker>) -> Option<MemberRecord> {
        self.list_for(*user_id);
        self.search(*user_id)
            .ok()
            .map(|index| self.listed.remove(index))
    }

    pub(crate) fn len(&self) -> usize {
        let derived = self.derived.map_or(0, |derived| derived.count);
        self.listed.len() + usize::try_from(derived).unwrap_or(usize::MAX)
    }

    /// The members' user ids, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = Id<UserMarker>> + '_ {
        self.values().map(|member| member.user_id)
    }

    /// The members by user id: the listed and the derived, merged in order.
    pub(crate) fn values(&self) -> impl Iterator<Item = Cow<'_, MemberRecord>> {
        let mut listed = self.listed.iter().peekable();
        let mut derived = self
            .derived
            .iter()
            .flat_map(DerivedMembers::iter)
            .peekable();
        std::iter::from_fn(move || match (listed.peek(), derived.peek()) {
            (Some(first), Some(other)) if other.user_id < first.user_id => {
                derived.next().map(Cow::Owned)
            }
            (Some(_), _) => listed.next().map(Cow::Borrowed),
            (None, _) => derived.next().map(Cow::Owned),
        })
    }
}

/// A guild's roles in their order, @everyone first. The roles of a guild built in bulk
/// (`role-0`, `role-1`… after @everyone and the bot's) are derived from the batch's range of
/// ids ([`DerivedRoles`]) until the first change to one of them lists them; a new role is
/// listed after them, and the listed ones change, without listing them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Roles {
    listed: Vec<RoleRecord>,
    /// The derived roles, which come after the first `at` listed ones.
    derived: Option<DerivedRoles>,
    at: usize,
}

/// The roles of a guild built in bulk: role `r` has id `first + r`, the name `names[r]`
/// (shared by the batch), no permissions, position `r + 2` (after @everyone and the bot's).
#[derive(Clone, Debug)]
pub(crate) struct DerivedRoles {
    pub(crate) first: u64,
    pub(crate) names: Arc<[Arc<String>]>,
}

impl DerivedRoles {
    fn record(&self, place: usize) -> Option<RoleRecord> {
        let name = Arc::clone(self.names.get(place)?);
        let position = i32::try_from(place + 2).unwrap_or(i32::MAX);
        Some(RoleRecord::new(
            Id::new(self.first + place as u64),
            name,
            Permissions::empty(),
            position,
            false,
        ))
    }

    fn iter(&self) -> impl Iterator<Item = RoleRecord> + '_ {
        (0..self.names.len()).filter_map(|place| self.record(place))
    }
}

impl From<Vec<RoleRecord>> for Roles {
    fn from(listed: Vec<RoleRecord>) -> Self {
        Self {
            at: listed.len(),
            listed,
            derived: None,
        }
    }
}

impl Roles {
    /// These roles (@everyone and the bot's), then the derived.
    pub(crate) fn with_derived(mut self, derived: DerivedRoles) -> Self {
        self.list_all();
        self.at = self.listed.len();
        self.derived = (!derived.names.is_empty()).then_some(derived);
        self
    }

    /// Lists the derived roles.
    fn list_all(&mut self) {
        if let Some(derived) = self.derived.take() {
            let at = self.at.min(self.listed.len());
            self.listed.splice(at..at, derived.iter());
        }
    }

    /// Lists the derived roles before a change to `role_id`, if it is one of them.
    fn list_for(&mut self, role_id: Id<RoleMarker>) {
        if self.derived_place(role_id).is_some() {
            self.list_all();
        }
    }

    /// Where a derived role is in its batch's range; `None` for any other role.
    fn derived_place(&self, role_id: Id<RoleMarker>) -> Option<usize> {
        let derived = self.derived.as_ref()?;
        let place = usize::try_from(role_id.get().checked_sub(derived.first)?).ok()?;
        (place < derived.names.len()).then_some(place)
    }

    pub(crate) fn get(&self, role_id: Id<RoleMarker>) -> Option<Cow<'_, RoleRecord>> {
        if let Some(role) = self.listed.iter().find(|role| role.id == role_id) {
            return Some(Cow::Borrowed(role));
        }
        let place = self.derived_place(role_id)?;
        self.derived.as_ref()?.record(place).map(Cow::Owned)
    }

    pub(crate) fn get_mut(&mut self, role_id: Id<RoleMarker>) -> Option<&mut RoleRecord> {
        self.list_for(role_id);
        self.listed.iter_mut().find(|role| role.id == role_id)
    }

    pub(crate) fn len(&self) -> usize {
        self.listed.len()
            + self
                .derived
                .as_ref()
                .map_or(0, |derived| derived.names.len())
    }

    /// The roles in their order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Cow<'_, RoleRecord>> {
        let at = self.at.min(self.listed.len());
        let (before, after) = self.listed.split_at(at);
        before
            .iter()
            .map(Cow::Borrowed)
            .chain(
                self.derived
                    .iter()
                    .flat_map(DerivedRoles::iter)
                    .map(Cow::Owned),
            )
            .chain(after.iter().map(Cow::Borrowed))
    }

    /// Adds a role after the others.
    pub(crate) fn push(&mut self, role: RoleRecord) {
        self.listed.push(role);
    }

    /// Deletes a role, giving it back.
    pub(crate) fn remove(&mut self, role_id: Id<RoleMarker>) -> Option<RoleRecord> {
        self.list_for(role_id);
        let index = self.listed.iter().position(|role| role.id == role_id)?;
        if index < self.at {
            self.at -= 1;
        }
        Some(self.listed.remove(index))
    }
}

/// A guild's channels in creation order. Those of a guild built in bulk are a range of ids
/// (`first`, `first + 1`…), not listed until one of them is deleted; channels created later are
/// listed after them (and deleted without listing the range).
#[derive(Clone, Debug, Default)]
pub(crate) struct GuildChannels {
    /// The first id and the number of the range.
    range: Option<(u64, u64)>,
    listed: Vec<Id<ChannelMarker>>,
}

impl GuildChannels {
    /// The channels of a guild built in bulk: `count` ids from `first`.
    pub(crate) fn range(first: u64, count: u64) -> Self {
        Self {
            range: (count > 0).then_some((first, count)),
            listed: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        let range = self.range.map_or(0, |(_, count)| count);
        usize::try_from(range).unwrap_or(usize::MAX) + self.listed.len()
    }

    /// The channels' ids in creation order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Id<ChannelMarker>> + '_ {
        let range = self
            .range
            .map_or(0..0, |(first, count)| first..first + count);
        range.map(Id::new).chain(self.listed.iter().copied())
    }

    /// Adds a new channel after the others.
    pub(crate) fn push(&mut self, channel_id: Id<ChannelMarker>) {
        self.listed.push(channel_id);
    }

    /// Takes a channel out of the list (listing the range's if it is one of them).
    pub(crate) fn remove(&mut self, channel_id: Id<ChannelMarker>) {
        if let Some((first, count)) = self.range
            && (first..first + count).contains(&channel_id.get())
        {
            self.range = None;
            self.listed
                .splice(0..0, (first..first + count).map(Id::new));
        }
        self.listed.retain(|id| *id != channel_id);
    }
}

/// A guild.
#[derive(Clone, Debug)]
pub(crate) struct GuildRecord {
    pub(crate) id: Id<GuildMarker>,
    pub(crate) name: String,
    pub(crate) owner_id: Id<UserMarker>,
    /// Shared with the users' records of the same locale.
    pub(crate) preferred_locale: Arc<String>,
    /// Roles, @everyone (id = guild id) first.
    pub(crate) roles: Roles,
    pub(crate) members: Members,
    /// Channels in creation order (threads are not channels of the guild's list).
    pub(crate) channels: GuildChannels,
    /// Threads in creation order, archived ones included.
    pub(crate) threads: Vec<Id<ChannelMarker>>,
    /// The bot's managed role, created when the bot joined.
    pub(crate) bot_role: Id<RoleMarker>,
    /// Boost level, which decides the upload limit.
    pub(crate) premium_tier: PremiumTier,
}

impl GuildRecord {
    pub(crate) fn role(&self, role_id: Id<RoleMarker>) -> Option<Cow<'_, RoleRecord>> {
        self.roles.get(role_id)
    }

    pub(crate) fn everyone_permissions(&self) -> Permissions {
        self.role(self.id.cast())
            .map_or(Permissions::empty(), |role| role.permissions)
    }
}

/// A channel and its messages. What most channels of a big world never have (messages, pins,
/// a DM's recipient, nonces, thread members) is allocated when the first of it comes, in the
/// box that holds the fields most channels lack (see [`StoredChannel`]).
#[derive(Clone, Debug)]
pub(crate) struct ChannelRecord {
    pub(crate) channel: StoredChannel,
}

/// A channel's messages, pins, DM recipient, nonces and thread members.
#[derive(Clone, Debug, Default)]
pub(crate) struct Activity {
    /// Boxed: a twilight `Message` is 3.5 KB, and a map node holds eleven.
    pub(crate) messages: BTreeMap<Id<MessageMarker>, Box<Message>>,
    /// Pinned messages with the time they were pinned, oldest pin first.
    pub(crate) pins: Vec<(Id<MessageMarker>, Timestamp)>,
    /// For a DM: the user the bot talks to.
    pub(crate) dm_recipient: Option<Id<UserMarker>>,
    /// Nonces of messages created lately, by author and nonce (as text), for `enforce_nonce`;
    /// allocated with the first.
    pub(crate) nonces: Option<Box<SentNonces>>,
    /// For a thread: its members and when each joined.
    pub(crate) thread_members: BTreeMap<Id<UserMarker>, Timestamp>,
}

/// What a channel without activity reads.
static QUIET: Activity = Activity {
    messages: BTreeMap::new(),
    pins: Vec::new(),
    dm_recipient: None,
    nonces: None,
    thread_members: BTreeMap::new(),
};

impl ChannelRecord {
    /// A record for a new channel without messages.
    pub(crate) fn new(channel: Channel) -> Self {
        Self {
            channel: channel.into(),
        }
    }

    /// The channel's messages, pins, recipient, nonces and thread members (all empty when it
    /// has none).
    pub(crate) fn activity(&self) -> &Activity {
        self.channel.activity()
    }

    /// The same, to change: allocated now if the channel had none.
    pub(crate) fn activity_mut(&mut self) -> &mut Activity {
        self.channel.activity_mut()
    }
}

/// Messages created lately with a nonce, by author and nonce (as text).
pub(crate) type SentNonces = HashMap<(Id<UserMarker>, String), SentNonce>;

/// A message created with a nonce, remembered for [`EmulatorConfig::nonce_window`].
#[derive(Clone, Debug)]
pub(crate) struct SentNonce {
    pub(crate) message_id: Id<MessageMarker>,
    /// The nonce as it was sent (a string or an integer).
    pub(crate) nonce: serde_json::Value,
    pub(crate) at: tokio::time::Instant,
}

/// A file uploaded with a message, served back at its URL.
#[derive(Clone, Debug)]
pub(crate) struct StoredAttachment {
    pub(crate) channel_id: Id<ChannelMarker>,
    pub(crate) filename: String,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Bytes,
}

/// An ephemeral message: only the interaction's user sees it.
#[derive(Clone, Debug)]
pub(crate) struct EphemeralMessage {
    pub(crate) user_id: Id<UserMarker>,
    pub(crate) message: Message,
}

/// A modal the bot showed to a user, open until submitted.
#[derive(Clone, Debug)]
pub(crate) struct ShownModal {
    pub(crate) user_id: Id<UserMarker>,
    pub(crate) channel_id: Id<ChannelMarker>,
    pub(crate) guild_id: Option<Id<GuildMarker>>,
    pub(crate) custom_id: String,
    pub(crate) title: String,
    pub(crate) components: Vec<twilight_model::channel::message::Component>,
    /// The message whose component opened the modal, if any.
    pub(crate) source_message: Option<Message>,
}

/// The whole emulated Discord.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) config: Arc<EmulatorConfig>,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base_url: String,
    /// `ws://127.0.0.1:PORT`.
    pub(crate) gateway_url: String,
    pub(crate) snowflakes: Snowflakes,
    pub(crate) users: tables::Users,
    /// One copy of each locale name the users' records share.
    pub(crate) locales: stored::Locales,
    /// One copy of each name repeated across guilds built in bulk (`channel-0`, `role-0`,
    /// `@everyone`…), shared by their records.
    pub(crate) strings: stored::Interner,
    pub(crate) guilds: BTreeMap<Id<GuildMarker>, GuildRecord>,
    pub(crate) channels: tables::Channels,
    /// The bot's DM channel with each user.
    pub(crate) dm_channels: HashMap<Id<UserMarker>, Id<ChannelMarker>>,
    pub(crate) attachments: HashMap<Id<AttachmentMarker>, StoredAttachment>,
    pub(crate) global_commands: Vec<Command>,
    pub(crate) guild_commands: HashMap<Id<GuildMarker>, Vec<Command>>,
    pub(crate) interactions: Interactions,
    pub(crate) ephemeral: BTreeMap<Id<MessageMarker>, EphemeralMessage>,
    pub(crate) modals: Vec<ShownModal>,
    /// Who each message notified (its mentions as `allowed_mentions` let them).
    pub(crate) notifications: HashMap<Id<MessageMarker>, Vec<Id<UserMarker>>>,
    pub(crate) hub: Hub,
    /// Where the application's interactions go instead of the gateway (registered through
    /// `Emulator::set_interactions_endpoint`).
    pub(crate) interactions_endpoint: Option<String>,
}

impl World {
    pub(crate) fn new(config: Arc<EmulatorConfig>, base_url: String, gateway_url: String) -> Self {
        let hub = Hub::new(config.replay_buffer, config.resume_window);
        let mut world = Self {
            config,
            base_url,
            gateway_url,
            snowflakes: Snowflakes::default(),
            users: tables::Users::default(),
            locales: stored::Locales::default(),
            strings: stored::Interner::default(),
            guilds: BTreeMap::new(),
            channels: tables::Channels::default(),
            dm_channels: HashMap::new(),
            attachments: HashMap::new(),
            global_commands: Vec::new(),
            guild_commands: HashMap::new(),
            interactions: Interactions::default(),
            ephemeral: BTreeMap::new(),
            modals: Vec::new(),
            interactions_endpoint: None,
            notifications: HashMap::new(),
            hub,
        };
        let bot = UserRecord {
            name: world.config.bot_name.as_str().into(),
            bot: true,
            accepts_dms: true,
            locale: world.locales.intern("en-US"),
        };
        world.users.insert(world.config.bot_user_id, bot);
        world
    }

    /// A new snowflake.
    pub(crate) fn next_id<T>(&mut self) -> Id<T> {
        Id::new(self.snowflakes.next())
    }

    pub(crate) fn bot_id(&self) -> Id<UserMarker> {
        self.config.bot_user_id
    }

    pub(crate) fn bot_user(&self) -> User {
        self.users
            .get(&self.bot_id())
            .map(|user| user.model(self.bot_id()))
            .unwrap_or_else(|| render::new_user(self.bot_id(), &self.config.bot_name, true))
    }

    pub(crate) fn user(&self, user_id: Id<UserMarker>) -> DiscordResult<Cow<'_, UserRecord>> {
        self.users
            .get(&user_id)
            .ok_or_else(DiscordError::unknown_user)
    }

    pub(crate) fn guild(&self, guild_id: Id<GuildMarker>) -> DiscordResult<&GuildRecord> {
        self.guilds
            .get(&guild_id)
            .ok_or_else(DiscordError::unknown_guild)
    }

    pub(crate) fn guild_mut(
        &mut self,
        guild_id: Id<GuildMarker>,
    ) -> DiscordResult<&mut GuildRecord> {
        self.guilds
            .get_mut(&guild_id)
            .ok_or_else(DiscordError::unknown_guild)
    }

    pub(crate) fn channel(
        &self,
        channel_id: Id<ChannelMarker>,
    ) -> DiscordResult<Cow<'_, ChannelRecord>> {
        self.channels
            .get(&channel_id)
            .ok_or_else(DiscordError::unknown_channel)
    }

    /// A channel's messages, pins, recipient, nonces and thread members (all empty when it has
    /// none); 10003 Unknown Channel for a channel that does not exist.
    pub(crate) fn activity(&self, channel_id: Id<ChannelMarker>) -> DiscordResult<&Activity> {
        match self.channels.stored(&channel_id) {
            Some(record) => Ok(record.activity()),
            None => self.channel(channel_id).map(|_| &QUIET),
        }
    }

    pub(crate) fn channel_mut(
        &mut self,
        channel_id: Id<ChannelMarker>,
    ) -> DiscordResult<&mut ChannelRecord> {
        self.channels
            .get_mut(&channel_id)
            .ok_or_else(DiscordError::unknown_channel)
    }

    /// A channel to change its messages or pins: `None` for one that has none (a bulk guild's
    /// channel nobody wrote in, which stays derived); 10003 Unknown Channel when it does not
    /// exist.
    pub(crate) fn channel_with_messages(
        &mut self,
        channel_id: Id<ChannelMarker>,
    ) -> DiscordResult<Option<&mut ChannelRecord>> {
        if !self.channels.contains_key(&channel_id) {
            return Err(DiscordError::unknown_channel());
        }
        Ok(self.channels.stored_mut(&channel_id))
    }

    /// A guild the bot is in, for the guild routes: 10004 Unknown Guild when it does not
    /// exist or the bot is not a member (Discord answers both alike since 2023, so a guild's
    /// existence does not leak).
    pub(crate) fn bot_guild(&self, guild_id: Id<GuildMarker>) -> DiscordResult<&GuildRecord> {
        let guild = self.guild(guild_id)?;
        if !guild.members.contains_key(&self.bot_id()) {
            return Err(DiscordError::unknown_guild());
        }
        Ok(guild)
    }

    fn member_view<'a>(guild: &GuildRecord, member: &'a MemberRecord) -> MemberView<'a> {
        MemberView {
            user_id: member.user_id,
            is_owner: guild.owner_id == member.user_id,
            roles: &member.roles,
        }
    }

    /// Guild-level permissions of a user (empty for a non-member).
    pub(crate) fn guild_permissions(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Permissions {
        let Some(guild) = self.guilds.get(&guild_id) else {
            return Permissions::empty();
        };
        let Some(member) = guild.members.get(&user_id) else {
            return Permissions::empty();
        };
        let member = Self::member_view(guild, &member);
        permissions::guild_permissions(member, guild.everyone_permissions(), |role_id| {
            guild.role(role_id).map(|role| role.permissions)
        })
    }

    /// Effective permissions of a user in a channel, by Discord's algorithm.
    pub(crate) fn channel_permissions(
        &self,
        user_id: Id<UserMarker>,
        channel_id: Id<ChannelMarker>,
    ) -> Permissions {
        let Some(record) = self.channels.get(&channel_id) else {
            return Permissions::empty();
        };
        let channel = &record.channel;
        let Some(guild_id) = channel.guild_id else {
            let is_participant =
                user_id == self.bot_id() || record.activity().dm_recipient == Some(user_id);
            return if is_participant {
                DM_PERMISSIONS
            } else {
                Permissions::empty()
            };
        };
        if let Some(metadata) = channel.thread_metadata() {
            return self.thread_permissions(user_id, &record, metadata);
        }
        let Some(guild) = self.guilds.get(&guild_id) else {
            return Permissions::empty();
        };
        let Some(member) = guild.members.get(&user_id) else {
            return Permissions::empty();
        };
        let member = Self::member_view(guild, &member);
        let base =
            permissions::guild_permissions(member, guild.everyone_permissions(), |role_id| {
                guild.role(role_id).map(|role| role.permissions)
            });
        permissions::channel_permissions(guild_id, member, base, channel.overwrites())
    }

    /// The bot's permissions in a channel; 50001 Missing Access when it cannot see it.
    pub(crate) fn bot_channel_permissions(
        &self,
        channel_id: Id<ChannelMarker>,
    ) -> DiscordResult<Permissions> {
        self.channel(channel_id)?;
        let permissions = self.channel_permissions(self.bot_id(), channel_id);
        if !permissions.contains(Permissions::VIEW_CHANNEL) {
            return Err(DiscordError::missing_access());
        }
        Ok(permissions)
    }

    /// Requires every permission of `needed` in the channel for the bot (50001, then 50013).
    pub(crate) fn require_bot(
        &self,
        channel_id: Id<ChannelMarker>,
        needed: Permissions,
    ) -> DiscordResult<Permissions> {
        let permissions = self.bot_channel_permissions(channel_id)?;
        if !permissions.contains(needed) {
            return Err(DiscordError::missing_permissions());
        }
        Ok(permissions)
    }

    /// Finds a message in a channel or among the ephemeral messages.
    pub(crate) fn message(
        &self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
    ) -> Option<&Message> {
        self.channels
            .stored(&channel_id)
            .and_then(|record| record.activity().messages.get(&message_id))
            .map(|message| &**message)
            .or_else(|| {
                self.ephemeral
                    .get(&message_id)
                    .map(|ephemeral| &ephemeral.message)
                    .filter(|message| message.channel_id == channel_id)
            })
    }

    /// The most bytes the files of one message may weigh in a channel: the upload limit of
    /// the channel's guild by its boost level (10 MiB up to tier 1, 50 MiB at tier 2, 100 MiB
    /// at tier 3), 10 MiB in DMs.
    pub(crate) fn upload_limit(&self, channel_id: Id<ChannelMarker>) -> u64 {
        let tier = self
            .channels
            .get(&channel_id)
            .and_then(|record| record.channel.guild_id)
            .and_then(|guild_id| self.guilds.get(&guild_id))
            .map_or(PremiumTier::None, |guild| guild.premium_tier);
        upload_limit_of(tier)
    }

    /// Refuses uploads heavier together than the channel's upload limit (413, 40005).
    pub(crate) fn check_upload_size(
        &self,
        channel_id: Id<ChannelMarker>,
        uploads: &[messages::Upload],
    ) -> DiscordResult<()> {
        let total: u64 = uploads.iter().map(|upload| upload.bytes.len() as u64).sum();
        let limit = self.upload_limit(channel_id);
        if total > limit {
            tracing::debug!(%channel_id, total, limit, "uploads over the upload limit");
            return Err(DiscordError::entity_too_large());
        }
        Ok(())
    }

    /// Whether the bot is a member of the guild (its events reach the bot only then).
    pub(crate) fn bot_is_in(&self, guild_id: Id<GuildMarker>) -> bool {
        self.guilds
            .get(&guild_id)
            .is_some_and(|guild| guild.members.contains_key(&self.bot_id()))
    }

    /// Dispatches an event to the gateway; events of a guild the bot is not in are dropped,
    /// as Discord sends a bot nothing of a guild it was removed from.
    pub(crate) fn emit(&mut self, event: &Event) {
        if let Some(guild_id) = event.guild_id
            && !self.bot_is_in(guild_id)
        {
            return;
        }
        self.hub.dispatch(event);
    }

    /// Dispatches a guild event needing the GUILDS intent.
    pub(crate) fn emit_guild_event(
        &mut self,
        name: &'static str,
        guild_id: Id<GuildMarker>,
        data: &impl serde::Serialize,
    ) {
        let event = Event::new(name, Some(guild_id), Intents::GUILDS, data);
        self.emit(&event);
    }

    /// Dispatches MESSAGE_CREATE or MESSAGE_UPDATE; sessions without MESSAGE_CONTENT get the
    /// message without content, embeds, attachments and components (as Discord does for
    /// guild messages that neither come from the bot nor mention it).
    pub(crate) fn emit_message(&mut self, name: &'static str, message: &Message) {
        self.emit_message_with_nonce(name, message, None);
    }

    /// [`World::emit_message`] for a message created with a nonce, which the event carries
    /// as it was sent (twilight's `Message` has no `nonce` field).
    pub(crate) fn emit_message_with_nonce(
        &mut self,
        name: &'static str,
        message: &Message,
        nonce: Option<&serde_json::Value>,
    ) {
        let channel_type = self
            .channels
            .get(&message.channel_id)
            .map(|record| record.channel.kind());
        let serialize = |message: &Message| -> Arc<str> {
            if name == "MESSAGE_CREATE" {
                let create = twilight_model::gateway::payload::incoming::MessageCreate {
                    channel_type,
                    message: message.clone(),
                };
                match nonce {
                    Some(nonce) => dispatch_json(name, &messages::with_nonce(&create, nonce)),
                    None => dispatch_json(name, &create),
                }
            } else {
                dispatch_json(name, message)
            }
        };
        let with = serialize(message);
        let exempt = message.guild_id.is_none()
            || message.author.id == self.bot_id()
            || message
                .mentions
                .iter()
                .any(|mention| mention.id == self.bot_id());
        let payload = if exempt {
            Payload::Same(with)
        } else {
            let mut redacted = message.clone();
            redacted.content.clear();
            redacted.embeds.clear();
            redacted.attachments.clear();
            redacted.components.clear();
            redacted.poll = None;
            Payload::ByIntent {
                intent: Intents::MESSAGE_CONTENT,
                with,
                without: serialize(&redacted),
            }
        };
        let intents = if message.guild_id.is_some() {
            Intents::GUILD_MESSAGES
        } else {
            Intents::DIRECT_MESSAGES
        };
        let event = Event {
            name,
            guild_id: message.guild_id,
            intents,
            payload,
        };
        self.emit(&event);
    }

    /// Whether a channel type carries messages.
    pub(crate) fn is_text_based(kind: ChannelType) -> bool {
        matches!(
            kind,
            ChannelType::GuildText
                | ChannelType::Private
                | ChannelType::Group
                | ChannelType::GuildAnnouncement
                | ChannelType::GuildVoice
                | ChannelType::AnnouncementThread
                | ChannelType::PublicThread
                | ChannelType::PrivateThread
                | ChannelType::GuildStageVoice
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_limits_follow_the_boost_level() {
        assert_eq!(upload_limit_of(PremiumTier::None), 10 * MIB);
        assert_eq!(upload_limit_of(PremiumTier::Tier1), 10 * MIB);
        assert_eq!(upload_limit_of(PremiumTier::Tier2), 50 * MIB);
        assert_eq!(upload_limit_of(PremiumTier::Tier3), 100 * MIB);
    }

    /// A world of 100,000 guilds holds millions of these: their sizes are the memory of a
    /// guild built in bulk, so that they do not grow unnoticed.
    #[test]
    fn records_stay_compact() {
        assert_eq!(size_of::<ChannelRecord>(), 64);
        assert_eq!(size_of::<RoleRecord>(), 40);
        assert_eq!(size_of::<UserRecord>(), 32);
        assert_eq!(size_of::<MemberRecord>(), 48);
        assert_eq!(size_of::<MemberRoles>(), 16);
    }

    #[test]
    fn members_of_a_guild_built_in_bulk_are_derived_until_one_changes() {
        let joined_at = Timestamp::from_secs(1_700_000_000).expect("timestamp");
        let bot = MemberRecord {
            user_id: Id::new(150),
            roles: MemberRoles::One(Id::new(9)),
            joined_at,
            nick: None,
        };
        // Users 100 to 104 (100 owns the guild), roles 20 and 21 in turn; the bot between.
        let derived = DerivedMembers {
            first_user: 100,
            count: 5,
            first_role: 20,
            roles: 2,
            joined_at,
        };
        let mut members = Members::derived(derived, vec![bot.clone()]);
        let ids = |members: &Members| members.keys().map(Id::get).collect::<Vec<_>>();
        assert_eq!(members.len(), 6);
        assert_eq!(ids(&members), [100, 101, 102, 103, 104, 150]);
        let third = members.get(&Id::new(102)).expect("derived");
        assert!(matches!(third, Cow::Owned(_)));
        assert_eq!(third.roles, MemberRoles::One(Id::new(20)));
        assert_eq!(third.joined_at, joined_at);
        assert_eq!(
            members.get(&Id::new(103)).expect("derived").roles,
            MemberRoles::One(Id::new(21))
        );
        assert!(matches!(members.get(&Id::new(150)), Some(Cow::Borrowed(_))));
        assert!(!members.contains_key(&Id::new(105)));
        assert!(!members.contains_key(&Id::new(99)));

        // A change to the bot, or to nobody, keeps the others derived.
        members.get_mut(&Id::new(150)).expect("listed").nick = Some(Box::new("Bot".to_owned()));
        assert!(members.get_mut(&Id::new(99)).is_none());
        assert!(members.remove(&Id::new(99)).is_none());
        assert!(matches!(members.get(&Id::new(101)), Some(Cow::Owned(_))));

        // A new member keeps the others derived; a change lists them all, in order.
        members.insert(MemberRecord {
            user_id: Id::new(102_000),
            ..bot
        });
        assert_eq!(ids(&members), [100, 101, 102, 103, 104, 150, 102_000]);
        assert!(matches!(members.get(&Id::new(101)), Some(Cow::Owned(_))));
        members.remove(&Id::new(101)).expect("derived");
        assert_eq!(ids(&members), [100, 102, 103, 104, 150, 102_000]);
        assert!(matches!(members.get(&Id::new(102)), Some(Cow::Borrowed(_))));
        assert_eq!(
            members.get(&Id::new(104)).expect("listed").roles,
            MemberRoles::One(Id::new(20))
        );

        // No roles: derived members hold none.
        let plain = Members::derived(
            DerivedMembers {
                roles: 0,
                ..derived
            },
            Vec::new(),
        );
        assert!(plain.get(&Id::new(100)).expect("derived").roles.is_empty());
        assert_eq!(plain.len(), 5);
    }

    #[test]
    fn roles_of_a_guild_built_in_bulk_are_derived_until_one_changes() {
        let role = |id: u64, name: &str, position: i32| {
            RoleRecord::new(
                Id::new(id),
                Arc::new(name.to_owned()),
                Permissions::empty(),
                position,
                false,
            )
        };
        let names: Arc<[Arc<String>]> = ["role-0", "role-1", "role-2"]
            .map(|name| Arc::new(name.to_owned()))
            .into();
        let mut roles = Roles::from(vec![role(1, "@everyone", 0), role(9, "Bot", 1)])
            .with_derived(DerivedRoles { first: 20, names });
        let listed = |roles: &Roles| {
            roles
                .iter()
                .map(|role| (role.id.get(), role.name.to_string(), role.position))
                .collect::<Vec<_>>()
        };
        let named = |pairs: &[(u64, &str, i32)]| {
            pairs
                .iter()
                .map(|(id, name, position)| (*id, (*name).to_owned(), *position))
                .collect::<Vec<_>>()
        };
        assert_eq!(roles.len(), 5);
        assert!(matches!(roles.get(Id::new(21)), Some(Cow::Owned(_))));
        assert_eq!(
            roles.get(Id::new(22)).expect("derived").name.as_str(),
            "role-2"
        );
        assert!(roles.get(Id::new(23)).is_none());
        assert!(roles.get(Id::new(19)).is_none());

        // A new role comes last and leaves the others derived.
        roles.push(role(30, "Staff", 5));
        let all = named(&[
            (1, "@everyone", 0),
            (9, "Bot", 1),
            (20, "role-0", 2),
            (21, "role-1", 3),
            (22, "role-2", 4),
            (30, "Staff", 5),
        ]);
        assert_eq!(listed(&roles), all);
        assert!(matches!(roles.get(Id::new(20)), Some(Cow::Owned(_))));

        // A change to a listed role leaves them derived; a change to one of them lists them,
        // in the same order.
        roles.get_mut(Id::new(9)).expect("listed").permissions = Permissions::ADMINISTRATOR;
        assert!(matches!(roles.get(Id::new(20)), Some(Cow::Owned(_))));
        assert!(roles.get_mut(Id::new(99)).is_none());
        assert!(matches!(roles.get(Id::new(20)), Some(Cow::Owned(_))));
        roles.get_mut(Id::new(21)).expect("derived").permissions = Permissions::KICK_MEMBERS;
        assert_eq!(listed(&roles), all);
        assert!(matches!(roles.get(Id::new(20)), Some(Cow::Borrowed(_))));
        assert_eq!(
            roles.get(Id::new(21)).expect("listed").permissions,
            Permissions::KICK_MEMBERS
        );
        assert_eq!(roles.remove(Id::new(20)).map(|role| role.position), Some(2));
        assert_eq!(roles.len(), 5);
        assert!(roles.get(Id::new(20)).is_none());
        assert!(roles.remove(Id::new(20)).is_none());
    }

    #[test]
    fn a_bulk_guilds_channels_are_a_range_until_one_is_deleted() {
        let ids = |channels: &GuildChannels| channels.iter().map(Id::get).collect::<Vec<_>>();
        let mut channels = GuildChannels::range(10, 3);
        assert_eq!((ids(&channels), channels.len()), (vec![10, 11, 12], 3));
        channels.push(Id::new(50));
        assert_eq!((ids(&channels), channels.len()), (vec![10, 11, 12, 50], 4));
        channels.remove(Id::new(50));
        assert_eq!(channels.range, Some((10, 3)), "a later channel goes alone");
        channels.push(Id::new(50));
        channels.remove(Id::new(11));
        assert_eq!((ids(&channels), channels.len()), (vec![10, 12, 50], 3));
        channels.remove(Id::new(99));
        assert_eq!(ids(&channels), [10, 12, 50]);
        assert_eq!(GuildChannels::range(10, 0).len(), 0);
        assert_eq!(ids(&GuildChannels::default()), Vec::<u64>::new());
    }

    #[test]
    fn members_are_kept_by_user_id_as_a_map_would() {
        let member = |id: u64, roles: &[Id<RoleMarker>]| MemberRecord {
            user_id: Id::new(id),
            roles: roles.into(),
            joined_at: Timestamp::from_secs(1_700_000_000).expect("timestamp"),
            nick: None,
        };
        let mut members = Members::default();
        assert!(members.insert(member(30, &[])).is_none());
        assert!(members.insert(member(10, &[Id::new(1)])).is_none());
        assert!(
            members
                .insert(member(20, &[Id::new(1), Id::new(2)]))
                .is_none()
        );
        let replaced = members.insert(member(10, &[Id::new(3)]));
        assert_eq!(
            replaced.map(|old| old.roles.to_vec()),
            Some(vec![Id::new(1)])
        );
        assert_eq!(
            members.keys().map(|id| id.get()).collect::<Vec<_>>(),
            [10, 20, 30]
        );
        assert_eq!(
            members.get(&Id::new(10)).map(|m| m.roles.to_vec()),
            Some(vec![Id::new(3)])
        );
        assert!(members.remove(&Id::new(20)).is_some());
        assert!(!members.contains_key(&Id::new(20)));
        assert_eq!(members.len(), 2);

        let mut roles = MemberRoles::from(vec![Id::new(1), Id::new(2)]);
        roles.retain(|role| role.get() == 2);
        assert_eq!(roles, MemberRoles::One(Id::new(2)));
        roles.retain(|_| false);
        assert!(roles.is_empty());
    }
}
