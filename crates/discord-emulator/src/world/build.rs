//! Changes to guilds, roles, members and channels, each announced on the gateway as Discord
//! would. Shared by the Rust world-building API, the admin routes and the REST handlers.

use std::sync::Arc;

use twilight_model::{
    channel::{
        Channel, ChannelType,
        permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    },
    gateway::{
        Intents,
        payload::incoming::{
            MemberAdd, MemberRemove, MemberUpdate, RoleCreate, RoleDelete, RoleUpdate,
        },
    },
    guild::{Permissions, PremiumTier},
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker},
    },
};

use super::{
    ChannelRecord, DerivedMembers, DerivedRoles, GuildChannels, GuildRecord, MemberRecord,
    MemberRoles, Members, RoleRecord, Roles, UserRecord, World, render,
    stored::UserName,
    tables::{ChannelBatch, UserBatch},
};
use crate::{
    discord_error::{DiscordError, DiscordResult},
    gateway::hub::{Event, Payload, dispatch_json},
    permissions::DEFAULT_EVERYONE_PERMISSIONS,
    snowflake::now_timestamp,
};

/// Most channels a guild may have.
pub(crate) const MAX_GUILD_CHANNELS: usize = 500;
/// Most channels a category may hold.
pub(crate) const MAX_CATEGORY_CHANNELS: usize = 50;

/// Discord's limit of roles in a guild.
const MAX_ROLES: usize = 250;

/// Guilds to build at once ([`World::populate`]): how many, and what each holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorldShape {
    pub guilds: usize,
    /// Text channels per guild (at most 500).
    pub channels: usize,
    /// Roles per guild besides @everyone and the bot's (at most 250).
    pub roles: usize,
    /// Members per guild besides the bot (the first owns it).
    pub members: usize,
    /// The bot's role's permissions.
    pub bot_permissions: Permissions,
}

impl std::str::FromStr for WorldShape {
    type Err = String;

    /// `GUILDSxCHANNELSxROLESxMEMBERS`, e.g. `100000x30x20x25` (the bot with Administrator).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let numbers: Vec<usize> = text
            .split('x')
            .map(|part| part.trim().parse::<usize>())
            .collect::<Result<_, _>>()
            .map_err(|error| format!("{text:?}: {error}"))?;
        let [guilds, channels, roles, members] = numbers[..] else {
            return Err(format!(
                "{text:?}: expected GUILDSxCHANNELSxROLESxMEMBERS, e.g. 100000x30x20x25"
            ));
        };
        Ok(Self {
            guilds,
            channels,
            roles,
            members,
            bot_permissions: Permissions::ADMINISTRATOR,
        })
    }
}

/// What a new guild channel looks like.
#[derive(Clone, Debug)]
pub(crate) struct NewChannel {
    pub(crate) kind: ChannelType,
    pub(crate) name: String,
    pub(crate) parent_id: Option<Id<ChannelMarker>>,
    /// `None` copies the category's overwrites (a synced channel), as Discord does.
    pub(crate) permission_overwrites: Option<Vec<PermissionOverwrite>>,
    pub(crate) topic: Option<String>,
}

/// Discord's text-channel naming: lowercase, whitespace turned into dashes.
pub(crate) fn normalize_channel_name(kind: ChannelType, name: &str) -> String {
    if matches!(
        kind,
        ChannelType::GuildText | ChannelType::GuildAnnouncement | ChannelType::GuildForum
    ) {
        let mut normalized = String::with_capacity(name.len());
        for part in name.split_whitespace() {
            if !normalized.is_empty() {
                normalized.push('-');
            }
            normalized.extend(part.chars().flat_map(char::to_lowercase));
        }
        normalized
    } else {
        name.trim().to_owned()
    }
}

impl World {
    pub(crate) fn create_user(
        &mut self,
        name: impl Into<UserName>,
        locale: &str,
    ) -> Id<UserMarker> {
        let id = self.next_id();
        let locale = self.locales.intern(locale);
        self.users.insert(
            id,
            UserRecord {
                name: name.into(),
                bot: false,
                accepts_dms: true,
                locale,
            },
        );
        id
    }

    /// A new guild's record: @everyone with Discord's default permissions, the bot's managed
    /// role with `bot_permissions`, and the owner and the bot as members.
    fn new_guild_record(
        &mut self,
        guild_id: Id<GuildMarker>,
        name: String,
        owner_id: Id<UserMarker>,
        preferred_locale: &str,
        bot_role: Id<RoleMarker>,
        bot_permissions: Permissions,
    ) -> GuildRecord {
        let now = now_timestamp();
        let member = |user_id, roles| MemberRecord {
            user_id,
            roles,
            joined_at: now,
            nick: None,
        };
        let mut members = Members::default();
        members.insert(member(owner_id, MemberRoles::default()));
        members.insert(member(self.bot_id(), MemberRoles::One(bot_role)));
        let everyone = self.strings.intern("@everyone");
        let bot_name = self.strings.intern(&self.config.bot_name);
        let mut bot_role_model = RoleRecord::new(bot_role, bot_name, bot_permissions, 1, true);
        bot_role_model.tags = Some(Box::new(twilight_model::guild::RoleTags {
            available_for_purchase: false,
            bot_id: Some(self.bot_id()),
            guild_connections: false,
            integration_id: None,
            premium_subscriber: false,
            subscription_listing_id: None,
        }));
        GuildRecord {
            id: guild_id,
            name,
            owner_id,
            preferred_locale: self.locales.intern(preferred_locale),
            roles: Roles::from(vec![
                RoleRecord::new(
                    guild_id.cast(),
                    everyone,
                    DEFAULT_EVERYONE_PERMISSIONS,
                    0,
                    false,
                ),
                bot_role_model,
            ]),
            members,
            channels: GuildChannels::default(),
            threads: Vec::new(),
            bot_role,
            premium_tier: PremiumTier::None,
        }
    }

    /// Creates a guild with @everyone (Discord's default permissions), the owner and the bot as
    /// members, and the bot's managed role (no permissions until a test grants some).
    pub(crate) fn create_guild(
        &mut self,
        name: &str,
        owner_id: Id<UserMarker>,
        preferred_locale: &str,
    ) -> DiscordResult<Id<GuildMarker>> {
        self.user(owner_id)?;
        let guild_id: Id<GuildMarker> = self.next_id();
        let bot_role: Id<RoleMarker> = self.next_id();
        let guild = self.new_guild_record(
            guild_id,
            name.to_owned(),
            owner_id,
            preferred_locale,
            bot_role,
            Permissions::empty(),
        );
        self.guilds.insert(guild_id, guild);
        self.emit_guild_create(guild_id);
        Ok(guild_id)
    }

    /// Builds `shape.guilds` guilds at once, each with its members (the first owns it), roles
    /// (each member holding one) and text channels, and the bot in it with `bot_permissions`;
    /// the users, guilds, roles and channels have ids dated a day back, and all but the guilds
    /// themselves, their @everyone and bot role and the bot's membership are derived from those
    /// ids until they change.
    /// Nothing is announced piece by piece: each guild reaches connected shards as one
    /// GUILD_CREATE, and nothing is serialized when no session exists. Every step is constant
    /// time, so the rate does not fall as the world grows.
    pub(crate) fn populate(&mut self, shape: WorldShape) -> DiscordResult<Vec<Id<GuildMarker>>> {
        if shape.channels > MAX_GUILD_CHANNELS || shape.roles > MAX_ROLES {
            return Err(DiscordError::invalid_form(
                "shape",
                "BASE_TYPE_MAX_LENGTH",
                format!("At most {MAX_GUILD_CHANNELS} channels and {MAX_ROLES} roles per guild."),
            ));
        }
        let announce = self.hub.has_sessions();
        let guilds = shape.guilds as u64;
        let roles = shape.roles as u64;
        let channels = shape.channels as u64;
        let per_guild = |count: u64| guilds.saturating_mul(count);
        // Every id of the batch is allocated at once, in one range per kind, dated a day back
        // (the servers a bot serves are older than its run): a user, channel, role or member
        // of the batch is then derived from its place in its range (see `tables`, `Roles` and
        // `Members`), not stored.
        let members = shape.members.max(1) as u64;
        let first_user = self.snowflakes.past_range(per_guild(members));
        // One millisecond apart, so the guilds spread over the shards as Discord's do.
        let first_guild = self.snowflakes.past_spread(guilds);
        let first_bot_role = self.snowflakes.past_range(guilds);
        let first_role = self.snowflakes.past_range(per_guild(roles));
        let first_channel = self.snowflakes.past_range(per_guild(channels));
        let users = UserBatch {
            locale: self.locales.intern("en-US"),
        };
        self.users.add_batch(first_user, guilds, members, users);
        // Every guild names its roles and channels alike: one copy of each name serves all.
        let role_names: Arc<[Arc<String>]> = (0..shape.roles)
            .map(|r| self.strings.intern(&format!("role-{r}")))
            .collect();
        let templates = (0..shape.channels)
            .map(|c| {
                let name = self.strings.intern(&format!("channel-{c}"));
                let mut record = ChannelRecord::new(render::new_guild_channel(
                    Id::new(first_channel),
                    Id::new(first_guild.max(1)),
                    i32::try_from(c).unwrap_or(i32::MAX),
                    NewChannel {
                        kind: ChannelType::GuildText,
                        name: name.to_string(),
                        parent_id: None,
                        permission_overwrites: Some(Vec::new()),
                        topic: None,
                    },
                ));
                // The same text as the model's, shared with the other guilds' channels.
                record.channel.name = Some(name);
                record
            })
            .collect();
        let batch = ChannelBatch {
            first_guild,
            templates,
        };
        self.channels
            .add_batch(first_channel, guilds, channels, batch);
        let joined_at = now_timestamp();
        let mut made = Vec::with_capacity(shape.guilds);
        for g in 0..guilds {
            let guild_id: Id<GuildMarker> = Id::new(first_guild + (g << 22));
            let bot_role: Id<RoleMarker> = Id::new(first_bot_role + g);
            let mut guild = self.new_guild_record(
                guild_id,
                format!("Guild {g}"),
                Id::new(first_user + g * members),
                "en-US",
                bot_role,
                shape.bot_permissions,
            );
            guild.roles = std::mem::take(&mut guild.roles).with_derived(DerivedRoles {
                first: first_role + g * roles,
                names: Arc::clone(&role_names),
            });
            // The owner and the others are derived from their ids; the bot is listed.
            let bot = guild.members.remove(&self.bot_id());
            guild.members = Members::derived(
                DerivedMembers {
                    first_user: first_user + g * members,
                    count: members,
                    first_role: first_role + g * roles,
                    roles,
                    joined_at,
                },
                bot.into_iter().collect(),
            );
            guild.channels = GuildChannels::range(first_channel + g * channels, channels);
            self.guilds.insert(guild_id, guild);
            if announce {
                self.emit_guild_create(guild_id);
            }
            made.push(guild_id);
        }
        Ok(made)
    }

    /// GUILD_CREATE for a guild the bot just joined (members only with GUILD_MEMBERS).
    pub(crate) fn emit_guild_create(&mut self, guild_id: Id<GuildMarker>) {
        let Some(guild) = self.guilds.get(&guild_id) else {
            return;
        };
        let with = dispatch_json("GUILD_CREATE", &self.guild_model(guild, true, true));
        let without = dispatch_json("GUILD_CREATE", &self.guild_model(guild, true, false));
        let event = Event {
            name: "GUILD_CREATE",
            guild_id: Some(guild_id),
            intents: Intents::empty(),
            payload: Payload::ByIntent {
                intent: Intents::GUILD_MEMBERS,
                with,
                without,
            },
        };
        self.emit(&event);
    }

    /// Sets a guild's boost level (its upload limit follows) and announces GUILD_UPDATE.
    pub(crate) fn set_premium_tier(
        &mut self,
        guild_id: Id<GuildMarker>,
        tier: PremiumTier,
    ) -> DiscordResult<()> {
        let guild = self.guild_mut(guild_id)?;
        guild.premium_tier = tier;
        let guild = self.guild(guild_id)?;
        let update = dispatch_json("GUILD_UPDATE", &self.guild_model(guild, false, false));
        let event = Event {
            name: "GUILD_UPDATE",
            guild_id: Some(guild_id),
            intents: Intents::GUILDS,
            payload: Payload::Same(update),
        };
        self.emit(&event);
        Ok(())
    }

    pub(crate) fn create_role(
        &mut self,
        guild_id: Id<GuildMarker>,
        name: &str,
        permissions: Permissions,
    ) -> DiscordResult<Id<RoleMarker>> {
        let role_id = self.next_id();
        let guild = self.guild_mut(guild_id)?;
        let position = i32::try_from(guild.roles.len()).unwrap_or(i32::MAX);
        let role = RoleRecord::new(
            role_id,
            Arc::new(name.to_owned()),
            permissions,
            position,
            false,
        );
        let model = role.model();
        guild.roles.push(role);
        self.emit_guild_event(
            "GUILD_ROLE_CREATE",
            guild_id,
            &RoleCreate {
                guild_id,
                role: model,
            },
        );
        Ok(role_id)
    }

    pub(crate) fn update_role(
        &mut self,
        guild_id: Id<GuildMarker>,
        role_id: Id<RoleMarker>,
        name: Option<&str>,
        permissions: Option<Permissions>,
    ) -> DiscordResult<()> {
        let guild = self.guild_mut(guild_id)?;
        let role = guild
            .roles
            .get_mut(role_id)
            .ok_or_else(DiscordError::unknown_role)?;
        if let Some(name) = name {
            role.name = Arc::new(name.to_owned());
        }
        if let Some(permissions) = permissions {
            role.permissions = permissions;
        }
        let role = role.model();
        self.emit_guild_event(
            "GUILD_ROLE_UPDATE",
            guild_id,
            &RoleUpdate { guild_id, role },
        );
        Ok(())
    }

    pub(crate) fn delete_role(
        &mut self,
        guild_id: Id<GuildMarker>,
        role_id: Id<RoleMarker>,
    ) -> DiscordResult<()> {
        let guild = self.guild_mut(guild_id)?;
        if role_id.get() == guild_id.get() {
            return Err(DiscordError::invalid_form(
                "role_id",
                "ROLE_EVERYONE",
                "The @everyone role cannot be deleted",
            ));
        }
        if guild.roles.remove(role_id).is_none() {
            return Err(DiscordError::unknown_role());
        }
        let affected: Vec<Id<UserMarker>> = guild
            .members
            .values()
            .filter(|member| member.roles.contains(&role_id))
            .map(|member| member.user_id)
            .collect();
        for user_id in &affected {
            if let Some(member) = guild.members.get_mut(user_id) {
                member.roles.retain(|role| *role != role_id);
            }
        }
        for user_id in affected {
            self.emit_member_update(guild_id, user_id);
        }
        self.emit_guild_event(
            "GUILD_ROLE_DELETE",
            guild_id,
            &RoleDelete { guild_id, role_id },
        );
        Ok(())
    }

    pub(crate) fn add_member(
        &mut self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        roles: &[Id<RoleMarker>],
    ) -> DiscordResult<()> {
        self.user(user_id)?;
        let guild = self.guild(guild_id)?;
        if let Some(missing) = roles.iter().find(|role| guild.role(**role).is_none()) {
            tracing::debug!(role_id = %missing, "unknown role for new member");
            return Err(DiscordError::unknown_role());
        }
        let mut roles = roles.to_vec();
        if user_id == self.bot_id() && !roles.contains(&guild.bot_role) {
            roles.push(guild.bot_role);
        }
        let member = MemberRecord {
            user_id,
            roles: roles.into(),
            joined_at: now_timestamp(),
            nick: None,
        };
        let model = self.member_model(&member);
        self.guild_mut(guild_id)?.members.insert(member);
        if user_id == self.bot_id() {
            // The bot joins (again): it gets the guild as on first join.
            self.emit_guild_create(guild_id);
            return Ok(());
        }
        let event = Event::new(
            "GUILD_MEMBER_ADD",
            Some(guild_id),
            Intents::GUILD_MEMBERS,
            &MemberAdd {
                guild_id,
                member: model,
            },
        );
        self.emit(&event);
        Ok(())
    }

    pub(crate) fn set_member_roles(
        &mut self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        roles: &[Id<RoleMarker>],
    ) -> DiscordResult<()> {
        let guild = self.guild_mut(guild_id)?;
        if roles.iter().any(|role| guild.role(*role).is_none()) {
            return Err(DiscordError::unknown_role());
        }
        let member = guild
            .members
            .get_mut(&user_id)
            .ok_or_else(DiscordError::unknown_member)?;
        member.roles = roles.into();
        self.emit_member_update(guild_id, user_id);
        Ok(())
    }

    fn emit_member_update(&mut self, guild_id: Id<GuildMarker>, user_id: Id<UserMarker>) {
        let Some(member) = self
            .guilds
            .get(&guild_id)
            .and_then(|guild| guild.members.get(&user_id))
        else {
            return;
        };
        let update = MemberUpdate {
            avatar: None,
            communication_disabled_until: None,
            guild_id,
            flags: Some(twilight_model::guild::MemberFlags::empty()),
            deaf: Some(false),
            joined_at: Some(member.joined_at),
            mute: Some(false),
            nick: member.nick.as_deref().cloned(),
            pending: false,
            premium_since: None,
            roles: member.roles.to_vec(),
            user: self.user_model(user_id),
        };
        let event = Event::new(
            "GUILD_MEMBER_UPDATE",
            Some(guild_id),
            Intents::GUILD_MEMBERS,
            &update,
        );
        self.emit(&event);
    }

    /// Removes a member (they left or were kicked): GUILD_MEMBER_REMOVE `{guild_id, user}`.
    /// Removing the bot sends it GUILD_DELETE `{id}` too, and nothing of the guild after.
    pub(crate) fn remove_member(
        &mut self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> DiscordResult<()> {
        let guild = self.guild_mut(guild_id)?;
        if guild.members.remove(&user_id).is_none() {
            return Err(DiscordError::unknown_member());
        }
        let user = self.user_model(user_id);
        self.modals
            .retain(|modal| !(modal.user_id == user_id && modal.guild_id == Some(guild_id)));
        let event = Event::new(
            "GUILD_MEMBER_REMOVE",
            Some(guild_id),
            Intents::GUILD_MEMBERS,
            &MemberRemove { guild_id, user },
        );
        if user_id != self.bot_id() {
            self.emit(&event);
            self.leave_guild_threads(guild_id, user_id);
            return Ok(());
        }
        // The bot is no longer in the guild, so `emit` would hold these back: the bot is told
        // of its own removal (Discord sends GUILD_MEMBER_REMOVE too, with GUILD_MEMBERS), then
        // GUILD_DELETE without `unavailable`, which is how Discord says "removed" rather than
        // "outage". Nothing of the guild reaches the bot after that.
        self.hub.dispatch(&event);
        let delete = Event::new(
            "GUILD_DELETE",
            Some(guild_id),
            Intents::GUILDS,
            &serde_json::json!({ "id": guild_id }),
        );
        self.hub.dispatch(&delete);
        Ok(())
    }

    /// Creates a guild channel after validating it as Discord does (no permission check: the
    /// caller decides who acts).
    pub(crate) fn insert_guild_channel(
        &mut self,
        guild_id: Id<GuildMarker>,
        mut new: NewChannel,
    ) -> DiscordResult<Channel> {
        let guild = self.guild(guild_id)?;
        if !matches!(
            new.kind,
            ChannelType::GuildText
                | ChannelType::GuildCategory
                | ChannelType::GuildVoice
                | ChannelType::GuildAnnouncement
                | ChannelType::GuildStageVoice
                | ChannelType::GuildForum
        ) {
            return Err(DiscordError::invalid_form(
                "type",
                "BASE_TYPE_CHOICES",
                "Value must be one of {0, 2, 4, 5, 13, 15}.",
            ));
        }
        let name = normalize_channel_name(new.kind, &new.name);
        let length = name.chars().count();
        if !(1..=100).contains(&length) {
            return Err(DiscordError::bad_length("name", 1, 100));
        }
        if let Some(topic) = &new.topic
            && topic.chars().count() > 1024
        {
            return Err(DiscordError::bad_length("topic", 0, 1024));
        }
        if guild.channels.len() >= MAX_GUILD_CHANNELS {
            return Err(DiscordError::max_channels());
        }
        let mut overwrites = new.permission_overwrites.take();
        if let Some(parent_id) = new.parent_id {
            self.check_parent(guild_id, parent_id, new.kind)?;
            if overwrites.is_none() {
                overwrites = self
                    .channel(parent_id)?
                    .channel
                    .permission_overwrites
                    .as_deref()
                    .map(<[_]>::to_vec);
            }
        }
        let overwrites = overwrites.unwrap_or_default();
        self.check_overwrite_targets(guild_id, &overwrites)?;
        let channel_id = self.next_id();
        let guild = self.guild_mut(guild_id)?;
        let position = i32::try_from(guild.channels.len()).unwrap_or(i32::MAX);
        guild.channels.push(channel_id);
        let channel = render::new_guild_channel(
            channel_id,
            guild_id,
            position,
            NewChannel {
                name,
                permission_overwrites: Some(overwrites),
                ..new
            },
        );
        self.channels
            .insert(channel_id, ChannelRecord::new(channel.clone()));
        self.emit_guild_event("CHANNEL_CREATE", guild_id, &crate::wire::channel(&channel));
        Ok(channel)
    }

    /// A parent must be a category of the same guild with room for one more channel.
    pub(crate) fn check_parent(
        &self,
        guild_id: Id<GuildMarker>,
        parent_id: Id<ChannelMarker>,
        kind: ChannelType,
    ) -> DiscordResult<()> {
        if kind == ChannelType::GuildCategory {
            return Err(DiscordError::invalid_form(
                "parent_id",
                "CHANNEL_PARENT_INVALID_TYPE",
                "Categories cannot have subcategories",
            ));
        }
        self.channels
            .get(&parent_id)
            .filter(|record| record.channel.guild_id == Some(guild_id))
            .filter(|record| record.channel.kind() == ChannelType::GuildCategory)
            .ok_or_else(|| {
                DiscordError::invalid_form(
                    "parent_id",
                    "CHANNEL_PARENT_INVALID_TYPE",
                    "Not a category",
                )
            })?;
        let children = self
            .guild(guild_id)?
            .channels
            .iter()
            .filter_map(|id| self.channels.get(&id))
            .filter(|record| record.channel.parent_id == Some(parent_id))
            .count();
        if children >= MAX_CATEGORY_CHANNELS {
            return Err(DiscordError::invalid_form(
                "parent_id",
                "CHANNEL_PARENT_MAX_CHANNELS",
                "Maximum number of channels in category reached (50)",
            ));
        }
        Ok(())
    }

    /// Overwrites must name roles of the guild and existing users.
    pub(crate) fn check_overwrite_targets(
        &self,
        guild_id: Id<GuildMarker>,
        overwrites: &[PermissionOverwrite],
    ) -> DiscordResult<()> {
        let guild = self.guild(guild_id)?;
        for overwrite in overwrites {
            match overwrite.kind {
                PermissionOverwriteType::Role => {
                    if guild.role(overwrite.id.cast()).is_none() {
                        return Err(DiscordError::unknown_role());
                    }
                }
                PermissionOverwriteType::Member => {
                    if !self.users.contains_key(&overwrite.id.cast()) {
                        return Err(DiscordError::unknown_user());
                    }
                }
                _ => {
                    return Err(DiscordError::invalid_form(
                        "permission_overwrites",
                        "BASE_TYPE_CHOICES",
                        "Value must be one of {0, 1}.",
                    ));
                }
            }
        }
        Ok(())
    }

    /// Stores a changed channel and announces CHANNEL_UPDATE.
    pub(crate) fn replace_channel(&mut self, channel: Channel) -> DiscordResult<()> {
        let record = self.channel_mut(channel.id)?;
        record.channel.replace(channel.clone());
        if let Some(guild_id) = channel.guild_id {
            self.emit_guild_event("CHANNEL_UPDATE", guild_id, &crate::wire::channel(&channel));
        }
        Ok(())
    }

    /// Deletes a channel with its messages; children of a deleted category lose their parent.
    pub(crate) fn remove_channel(
        &mut self,
        channel_id: Id<ChannelMarker>,
    ) -> DiscordResult<Channel> {
        if self
            .channels
            .get(&channel_id)
            .is_some_and(|record| record.channel.is_thread())
        {
            return self.remove_thread(channel_id);
        }
        // Threads go with the channel they were started in.
        for thread_id in self.threads_of(channel_id) {
            self.remove_thread(thread_id)?;
        }
        let record = self
            .channels
            .remove(&channel_id)
            .ok_or_else(DiscordError::unknown_channel)?;
        let channel = record.channel.model(channel_id);
        self.ephemeral
            .retain(|_, ephemeral| ephemeral.message.channel_id != channel_id);
        self.modals.retain(|modal| modal.channel_id != channel_id);
        if let Some(guild_id) = channel.guild_id {
            let mut orphans: Vec<Channel> = Vec::new();
            if let Some(guild) = self.guilds.get_mut(&guild_id) {
                guild.channels.remove(channel_id);
                // Read first: only the children change (and are stored from then on).
                let children: Vec<Id<ChannelMarker>> = guild
                    .channels
                    .iter()
                    .filter(|child_id| {
                        self.channels
                            .get(child_id)
                            .is_some_and(|child| child.channel.parent_id == Some(channel_id))
                    })
                    .collect();
                for child_id in children {
                    if let Some(child) = self.channels.get_mut(&child_id) {
                        child.channel.parent_id = None;
                        orphans.push(child.channel.model(child_id));
                    }
                }
            }
            for orphan in orphans {
                self.emit_guild_event("CHANNEL_UPDATE", guild_id, &crate::wire::channel(&orphan));
            }
            self.emit_guild_event("CHANNEL_DELETE", guild_id, &crate::wire::channel(&channel));
        } else if let Some(recipient) = record.activity().dm_recipient {
            self.dm_channels.remove(&recipient);
        }
        Ok(channel)
    }

    /// The bot's DM channel with a user, created on first use.
    pub(crate) fn dm_channel(&mut self, user_id: Id<UserMarker>) -> DiscordResult<Channel> {
        let recipient = self.user(user_id)?.model(user_id);
        if let Some(channel_id) = self.dm_channels.get(&user_id) {
            return Ok(self.channel(*channel_id)?.channel.model(*channel_id));
        }
        let channel_id = self.next_id();
        let channel = render::new_dm_channel(channel_id, recipient);
        let mut record = ChannelRecord::new(channel.clone());
        record.activity_mut().dm_recipient = Some(user_id);
        self.channels.insert(channel_id, record);
        self.dm_channels.insert(user_id, channel_id);
        Ok(channel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_channel_names_are_lowercased_with_dashes() {
        assert_eq!(
            normalize_channel_name(ChannelType::GuildText, "Ticket  0001 Alice"),
            "ticket-0001-alice"
        );
        assert_eq!(
            normalize_channel_name(ChannelType::GuildCategory, " Support Tickets "),
            "Support Tickets"
        );
    }
}
