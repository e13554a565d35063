//! The world's records as twilight-model values, which serialize to Discord's JSON.

use twilight_model::{
    channel::{Channel, ChannelType},
    guild::{
        AfkTimeout, DefaultMessageNotificationLevel, ExplicitContentFilter, Guild, Member,
        MemberFlags, MfaLevel, NSFWLevel, PartialMember, Permissions, PremiumTier, Role,
        RoleColors, RoleFlags, SystemChannelFlags, VerificationLevel,
    },
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker},
    },
    user::{CurrentUser, User},
};

use super::{GuildRecord, MemberRecord, World, build::NewChannel};

/// A user with Discord's defaults (no avatar, discriminator 0 as for new usernames).
pub(crate) fn new_user(id: Id<UserMarker>, name: &str, bot: bool) -> User {
    User {
        accent_color: None,
        avatar: None,
        avatar_decoration: None,
        avatar_decoration_data: None,
        banner: None,
        bot,
        discriminator: 0,
        email: None,
        flags: None,
        global_name: if bot { None } else { Some(name.to_owned()) },
        id,
        locale: None,
        mfa_enabled: None,
        name: name.to_owned(),
        premium_type: None,
        primary_guild: None,
        public_flags: None,
        system: None,
        verified: None,
    }
}

/// A role with Discord's defaults.
#[allow(deprecated)]
pub(crate) fn new_role(
    id: Id<RoleMarker>,
    name: &str,
    permissions: Permissions,
    position: i64,
    managed: bool,
) -> Role {
    Role {
        color: 0,
        colors: RoleColors {
            primary_color: 0,
            secondary_color: None,
            tertiary_color: None,
        },
        hoist: false,
        icon: None,
        id,
        managed,
        mentionable: false,
        name: name.to_owned(),
        permissions,
        position,
        flags: RoleFlags::empty(),
        tags: None,
        unicode_emoji: None,
    }
}

/// A guild channel with only the fields Discord sends for its type.
pub(crate) fn new_guild_channel(
    id: Id<ChannelMarker>,
    guild_id: Id<GuildMarker>,
    position: i32,
    new: NewChannel,
) -> Channel {
    let NewChannel {
        kind,
        name,
        parent_id,
        permission_overwrites,
        topic,
    } = new;
    let is_text = matches!(
        kind,
        ChannelType::GuildText | ChannelType::GuildAnnouncement
    );
    Channel {
        application_id: None,
        applied_tags: None,
        available_tags: None,
        bitrate: None,
        default_auto_archive_duration: None,
        default_forum_layout: None,
        default_reaction_emoji: None,
        default_sort_order: None,
        default_thread_rate_limit_per_user: None,
        flags: Some(twilight_model::channel::ChannelFlags::empty()),
        guild_id: Some(guild_id),
        icon: None,
        id,
        invitable: None,
        kind,
        last_message_id: None,
        last_pin_timestamp: None,
        managed: None,
        member: None,
        member_count: None,
        message_count: None,
        name: Some(name),
        newly_created: None,
        nsfw: Some(false),
        owner_id: None,
        parent_id,
        permission_overwrites: Some(permission_overwrites.unwrap_or_default()),
        position: Some(position),
        rate_limit_per_user: is_text.then_some(0),
        recipients: None,
        rtc_region: None,
        thread_metadata: None,
        topic: topic.filter(|topic| is_text && !topic.is_empty()),
        total_message_sent: None,
        user_limit: None,
        video_quality_mode: None,
    }
}

/// The bot's DM channel with a user.
pub(crate) fn new_dm_channel(id: Id<ChannelMarker>, recipient: User) -> Channel {
    Channel {
        application_id: None,
        applied_tags: None,
        available_tags: None,
        bitrate: None,
        default_auto_archive_duration: None,
        default_forum_layout: None,
        default_reaction_emoji: None,
        default_sort_order: None,
        default_thread_rate_limit_per_user: None,
        flags: Some(twilight_model::channel::ChannelFlags::empty()),
        guild_id: None,
        icon: None,
        id,
        invitable: None,
        kind: ChannelType::Private,
        last_message_id: None,
        last_pin_timestamp: None,
        managed: None,
        member: None,
        member_count: None,
        message_count: None,
        name: None,
        newly_created: None,
        nsfw: None,
        owner_id: None,
        parent_id: None,
        permission_overwrites: None,
        position: None,
        rate_limit_per_user: None,
        recipients: Some(vec![recipient]),
        rtc_region: None,
        thread_metadata: None,
        topic: None,
        total_message_sent: None,
        user_limit: None,
        video_quality_mode: None,
    }
}

impl World {
    /// The bot as `GET /users/@me` and Ready show it.
    pub(crate) fn current_user(&self) -> CurrentUser {
        let bot = self.bot_user();
        CurrentUser {
            accent_color: None,
            avatar: None,
            banner: None,
            bot: true,
            discriminator: bot.discriminator,
            email: None,
            flags: Some(twilight_model::user::UserFlags::empty()),
            global_name: None,
            id: bot.id,
            locale: Some("en-US".to_owned()),
            mfa_enabled: false,
            name: bot.name,
            premium_type: None,
            public_flags: Some(twilight_model::user::UserFlags::empty()),
            verified: Some(true),
        }
    }

    /// A user by id, falling back to a placeholder for users that were removed.
    pub(crate) fn user_model(&self, user_id: Id<UserMarker>) -> User {
        self.users
            .get(&user_id)
            .map(|user| user.model(user_id))
            .unwrap_or_else(|| new_user(user_id, "deleted-user", false))
    }

    pub(crate) fn member_model(&self, member: &MemberRecord) -> Member {
        Member {
            avatar: None,
            avatar_decoration_data: None,
            banner: None,
            communication_disabled_until: None,
            deaf: false,
            flags: MemberFlags::empty(),
            joined_at: Some(member.joined_at),
            mute: false,
            nick: member.nick.as_deref().cloned(),
            pending: false,
            premium_since: None,
            roles: member.roles.to_vec(),
            user: self.user_model(member.user_id),
        }
    }

    pub(crate) fn partial_member(
        &self,
        member: &MemberRecord,
        permissions: Option<Permissions>,
        with_user: bool,
    ) -> PartialMember {
        PartialMember {
            avatar: None,
            avatar_decoration_data: None,
            banner: None,
            communication_disabled_until: None,
            deaf: false,
            flags: MemberFlags::empty(),
            joined_at: Some(member.joined_at),
            mute: false,
            nick: member.nick.as_deref().cloned(),
            permissions,
            premium_since: None,
            roles: member.roles.to_vec(),
            user: with_user.then(|| self.user_model(member.user_id)),
        }
    }

    /// A guild as GUILD_CREATE (with channels and members) or `GET /guilds/{id}` shows it.
    pub(crate) fn guild_model(&self, guild: &GuildRecord, full: bool, all_members: bool) -> Guild {
        let channels = if full {
            guild
                .channels
                .iter()
                .filter_map(|id| Some(self.channels.get(&id)?.channel.model(id)))
                .collect()
        } else {
            Vec::new()
        };
        let members = if full {
            guild
                .members
                .values()
                .filter(|member| all_members || member.user_id == self.bot_id())
                .map(|member| self.member_model(&member))
                .collect()
        } else {
            Vec::new()
        };
        let joined_at = guild
            .members
            .get(&self.bot_id())
            .map(|member| member.joined_at);
        Guild {
            afk_channel_id: None,
            afk_timeout: AfkTimeout::FIVE_MINUTES,
            application_id: None,
            approximate_member_count: None,
            approximate_presence_count: None,
            banner: None,
            channels,
            default_message_notifications: DefaultMessageNotificationLevel::Mentions,
            description: None,
            discovery_splash: None,
            emojis: Vec::new(),
            explicit_content_filter: ExplicitContentFilter::None,
            features: Vec::new(),
            guild_scheduled_events: Vec::new(),
            icon: None,
            id: guild.id,
            joined_at: if full { joined_at } else { None },
            large: guild.members.len() > 250,
            max_members: Some(500_000),
            max_presences: None,
            max_stage_video_channel_users: None,
            max_video_channel_users: Some(25),
            member_count: full.then_some(guild.members.len() as u64),
            members,
            mfa_level: MfaLevel::None,
            name: guild.name.clone(),
            nsfw_level: NSFWLevel::Default,
            owner_id: guild.owner_id,
            owner: None,
            permissions: None,
            preferred_locale: guild.preferred_locale.to_string(),
            premium_progress_bar_enabled: false,
            premium_subscription_count: Some(match guild.premium_tier {
                PremiumTier::None => 0,
                PremiumTier::Tier1 => 2,
                PremiumTier::Tier2 => 7,
                _ => 14,
            }),
            premium_tier: guild.premium_tier,
            presences: Vec::new(),
            public_updates_channel_id: None,
            roles: super::stored::role_models(&guild.roles),
            rules_channel_id: None,
            safety_alerts_channel_id: None,
            splash: None,
            stage_instances: Vec::new(),
            stickers: Vec::new(),
            system_channel_flags: SystemChannelFlags::empty(),
            system_channel_id: None,
            threads: if full {
                self.active_threads(guild.id)
                    .into_iter()
                    .filter(|(id, _)| {
                        self.channel_permissions(self.bot_id(), *id)
                            .contains(Permissions::VIEW_CHANNEL)
                    })
                    .map(|(id, record)| record.channel.model(id))
                    .collect()
            } else {
                Vec::new()
            },
            unavailable: full.then_some(false),
            vanity_url_code: None,
            verification_level: VerificationLevel::None,
            voice_states: Vec::new(),
            widget_channel_id: None,
            widget_enabled: None,
        }
    }
}
