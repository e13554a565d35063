//! Compact forms of the world's channels, roles and users. A world of 100,000 guilds holds
//! millions of them, so each keeps what a record of its kind needs inline (ids as `u64`,
//! names shared behind thin pointers, overwrites in a boxed slice, no copy of the id it is kept
//! under) and what only threads, DMs, voice or forum channels, or channels with messages, have
//! in a box allocated for those alone. Twilight's values, which serialize to
//! Discord's JSON, are built from them when a payload is sent (`model`), and a changed value
//! is taken back whole (`From`), losing no field.

use std::{borrow::Cow, collections::HashMap, fmt, sync::Arc};

use twilight_model::{
    channel::{
        Channel, ChannelFlags, ChannelType, VideoQualityMode,
        forum::{DefaultReaction, ForumLayout, ForumSortOrder, ForumTag},
        permission_overwrite::PermissionOverwrite,
        thread::{AutoArchiveDuration, ThreadMember, ThreadMetadata},
    },
    guild::{Permissions, Role, RoleTags},
    id::{
        Id,
        marker::{
            ApplicationMarker, ChannelMarker, GenericMarker, GuildMarker, RoleMarker, TagMarker,
            UserMarker,
        },
    },
    user::User,
    util::{ImageHash, Timestamp},
};

use super::{Activity, QUIET, render};

/// A channel, thread or DM as the world keeps it, with its activity (messages…): 64 bytes.
/// Its id is the key the world keeps it under, not repeated here (`model` takes it).
#[derive(Clone, Debug)]
pub(crate) struct StoredChannel {
    pub(crate) guild_id: Option<Id<GuildMarker>>,
    pub(crate) parent_id: Option<Id<ChannelMarker>>,
    /// Shared when interned (guilds built in bulk name their channels alike), behind a thin
    /// pointer.
    pub(crate) name: Option<Arc<String>>,
    pub(crate) permission_overwrites: Option<Box<[PermissionOverwrite]>>,
    /// `flags`, `position`, `rate_limit_per_user` and `nsfw` without their `Option`s, whose
    /// tags `present` holds, and the type as its number: 16 bytes instead of 32. Read through
    /// the methods of the same names.
    flags: ChannelFlags,
    position: i32,
    rate_limit_per_user: u16,
    /// `u8::from(ChannelType)`, which `ChannelType::from` turns back (as serde does).
    kind: u8,
    /// Which of the fields above are set (`Present`), and `nsfw`'s value.
    present: u8,
    /// The fields of threads, DMs, voice and forum channels, a topic, the last message and
    /// pin, and the channel's activity: `None` (one pointer) while all are absent, as they are
    /// in most channels of a big world.
    extras: Option<Box<Extras>>,
}

/// What a channel keeps out of line.
#[derive(Clone, Debug, Default)]
struct Extras {
    fields: ChannelExtras,
    activity: Activity,
}

/// The bits of [`StoredChannel`]'s `present`.
struct Present;

impl Present {
    const FLAGS: u8 = 1;
    const POSITION: u8 = 1 << 1;
    const RATE_LIMIT: u8 = 1 << 2;
    const NSFW: u8 = 1 << 3;
    /// `nsfw` is `Some(true)`.
    const NSFW_TRUE: u8 = 1 << 4;
}

/// The fields most channels do not have.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChannelExtras {
    pub(crate) application_id: Option<Id<ApplicationMarker>>,
    pub(crate) applied_tags: Option<Vec<Id<TagMarker>>>,
    pub(crate) available_tags: Option<Vec<ForumTag>>,
    pub(crate) bitrate: Option<u32>,
    pub(crate) default_auto_archive_duration: Option<AutoArchiveDuration>,
    pub(crate) default_forum_layout: Option<ForumLayout>,
    pub(crate) default_reaction_emoji: Option<DefaultReaction>,
    pub(crate) default_sort_order: Option<ForumSortOrder>,
    pub(crate) default_thread_rate_limit_per_user: Option<u16>,
    pub(crate) icon: Option<ImageHash>,
    pub(crate) invitable: Option<bool>,
    pub(crate) last_message_id: Option<Id<GenericMarker>>,
    pub(crate) last_pin_timestamp: Option<Timestamp>,
    pub(crate) managed: Option<bool>,
    pub(crate) member: Option<ThreadMember>,
    pub(crate) member_count: Option<i8>,
    pub(crate) message_count: Option<u32>,
    pub(crate) newly_created: Option<bool>,
    pub(crate) owner_id: Option<Id<UserMarker>>,
    pub(crate) recipients: Option<Vec<User>>,
    pub(crate) rtc_region: Option<String>,
    pub(crate) thread_metadata: Option<ThreadMetadata>,
    pub(crate) topic: Option<Box<str>>,
    pub(crate) total_message_sent: Option<u32>,
    pub(crate) user_limit: Option<u32>,
    pub(crate) video_quality_mode: Option<VideoQualityMode>,
}

impl StoredChannel {
    /// The channel, whose id is `id`, as Discord's JSON shows it.
    pub(crate) fn model(&self, id: Id<ChannelMarker>) -> Channel {
        let extras = self
            .extras
            .as_deref()
            .map(|extras| extras.fields.clone())
            .unwrap_or_default();
        let ChannelExtras {
            application_id,
            applied_tags,
            available_tags,
            bitrate,
            default_auto_archive_duration,
            default_forum_layout,
            default_reaction_emoji,
            default_sort_order,
            default_thread_rate_limit_per_user,
            icon,
            invitable,
            last_message_id,
            last_pin_timestamp,
            managed,
            member,
            member_count,
            message_count,
            newly_created,
            owner_id,
            recipients,
            rtc_region,
            thread_metadata,
            topic,
            total_message_sent,
            user_limit,
            video_quality_mode,
        } = extras;
        Channel {
            application_id,
            applied_tags,
            available_tags,
            bitrate,
            default_auto_archive_duration,
            default_forum_layout,
            default_reaction_emoji,
            default_sort_order,
            default_thread_rate_limit_per_user,
            flags: self.flags(),
            guild_id: self.guild_id,
            icon,
            id,
            invitable,
            kind: self.kind(),
            last_message_id,
            last_pin_timestamp,
            managed,
            member,
            member_count,
            message_count,
            name: self.name.as_deref().cloned(),
            newly_created,
            nsfw: self.nsfw(),
            owner_id,
            parent_id: self.parent_id,
            permission_overwrites: self.permission_overwrites.as_deref().map(<[_]>::to_vec),
            position: self.position(),
            rate_limit_per_user: self.rate_limit_per_user(),
            recipients,
            rtc_region,
            thread_metadata,
            topic: topic.map(String::from),
            total_message_sent,
            user_limit,
            video_quality_mode,
        }
    }

    /// The channel's type.
    pub(crate) fn kind(&self) -> ChannelType {
        ChannelType::from(self.kind)
    }

    pub(crate) fn flags(&self) -> Option<ChannelFlags> {
        self.has(Present::FLAGS).then_some(self.flags)
    }

    pub(crate) fn position(&self) -> Option<i32> {
        self.has(Present::POSITION).then_some(self.position)
    }

    pub(crate) fn rate_limit_per_user(&self) -> Option<u16> {
        self.has(Present::RATE_LIMIT)
            .then_some(self.rate_limit_per_user)
    }

    pub(crate) fn nsfw(&self) -> Option<bool> {
        self.has(Present::NSFW)
            .then(|| self.has(Present::NSFW_TRUE))
    }

    fn has(&self, bit: u8) -> bool {
        self.present & bit != 0
    }

    /// The overwrites, empty when the channel has none.
    pub(crate) fn overwrites(&self) -> &[PermissionOverwrite] {
        self.permission_overwrites.as_deref().unwrap_or_default()
    }

    /// A thread's metadata; `None` for other channels.
    pub(crate) fn thread_metadata(&self) -> Option<&ThreadMetadata> {
        self.extras.as_ref()?.fields.thread_metadata.as_ref()
    }

    /// Whether the channel is a thread.
    pub(crate) fn is_thread(&self) -> bool {
        self.thread_metadata().is_some()
    }

    /// The fields a guild text channel does not have, allocated on first change.
    pub(crate) fn extras_mut(&mut self) -> &mut ChannelExtras {
        &mut self.extras.get_or_insert_default().fields
    }

    /// Notes the channel's newest message.
    pub(crate) fn set_last_message_id(&mut self, message_id: Id<GenericMarker>) {
        self.extras_mut().last_message_id = Some(message_id);
    }

    /// The channel's messages, pins, recipient, nonces and thread members (all empty when it
    /// has none).
    pub(crate) fn activity(&self) -> &Activity {
        self.extras
            .as_deref()
            .map_or(&QUIET, |extras| &extras.activity)
    }

    /// The same, to change: allocated now if the channel had none.
    pub(crate) fn activity_mut(&mut self) -> &mut Activity {
        &mut self.extras.get_or_insert_default().activity
    }

    /// Takes a changed channel's fields, keeping its activity.
    pub(crate) fn replace(&mut self, channel: Channel) {
        let activity = self.extras.take().map(|extras| extras.activity);
        *self = channel.into();
        if let Some(activity) = activity {
            *self.activity_mut() = activity;
        }
    }
}

impl From<Channel> for StoredChannel {
    fn from(channel: Channel) -> Self {
        let Channel {
            application_id,
            applied_tags,
            available_tags,
            bitrate,
            default_auto_archive_duration,
            default_forum_layout,
            default_reaction_emoji,
            default_sort_order,
            default_thread_rate_limit_per_user,
            flags,
            guild_id,
            icon,
            id: _,
            invitable,
            kind,
            last_message_id,
            last_pin_timestamp,
            managed,
            member,
            member_count,
            message_count,
            name,
            newly_created,
            nsfw,
            owner_id,
            parent_id,
            permission_overwrites,
            position,
            rate_limit_per_user,
            recipients,
            rtc_region,
            thread_metadata,
            topic,
            total_message_sent,
            user_limit,
            video_quality_mode,
        } = channel;
        let extras = ChannelExtras {
            application_id,
            applied_tags,
            available_tags,
            bitrate,
            default_auto_archive_duration,
            default_forum_layout,
            default_reaction_emoji,
            default_sort_order,
            default_thread_rate_limit_per_user,
            icon,
            invitable,
            last_message_id,
            last_pin_timestamp,
            managed,
            member,
            member_count,
            message_count,
            newly_created,
            owner_id,
            recipients,
            rtc_region,
            thread_metadata,
            topic: topic.map(String::into_boxed_str),
            total_message_sent,
            user_limit,
            video_quality_mode,
        };
        Self {
            guild_id,
            parent_id,
            name: name.map(Arc::new),
            permission_overwrites: permission_overwrites.map(Vec::into_boxed_slice),
            flags: flags.unwrap_or_else(ChannelFlags::empty),
            position: position.unwrap_or_default(),
            rate_limit_per_user: rate_limit_per_user.unwrap_or_default(),
            kind: kind.into(),
            present: [
                (flags.is_some(), Present::FLAGS),
                (position.is_some(), Present::POSITION),
                (rate_limit_per_user.is_some(), Present::RATE_LIMIT),
                (nsfw.is_some(), Present::NSFW),
                (nsfw == Some(true), Present::NSFW_TRUE),
            ]
            .into_iter()
            .filter(|(set, _)| *set)
            .fold(0, |present, (_, bit)| present | bit),
            extras: (extras != ChannelExtras::default()).then(|| {
                Box::new(Extras {
                    fields: extras,
                    activity: Activity::default(),
                })
            }),
        }
    }
}

/// A role as the world keeps it; Discord's other role fields keep their defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RoleRecord {
    pub(crate) id: Id<RoleMarker>,
    /// Shared when interned (guilds built in bulk name their roles alike), behind a thin
    /// pointer.
    pub(crate) name: Arc<String>,
    pub(crate) permissions: Permissions,
    /// `i32` (Discord's are `i64`) keeps the record 40 bytes: a guild has at most 250 roles.
    pub(crate) position: i32,
    pub(crate) managed: bool,
    /// The bot's managed role says whose it is.
    pub(crate) tags: Option<Box<RoleTags>>,
}

impl RoleRecord {
    pub(crate) fn new(
        id: Id<RoleMarker>,
        name: Arc<String>,
        permissions: Permissions,
        position: i32,
        managed: bool,
    ) -> Self {
        Self {
            id,
            name,
            permissions,
            position,
            managed,
            tags: None,
        }
    }

    /// The role as Discord's JSON shows it.
    pub(crate) fn model(&self) -> Role {
        let mut role = render::new_role(
            self.id,
            &self.name,
            self.permissions,
            i64::from(self.position),
            self.managed,
        );
        role.tags = self.tags.as_deref().cloned();
        role
    }
}

/// Twilight's values of a guild's roles.
pub(crate) fn role_models(roles: &super::Roles) -> Vec<Role> {
    roles.iter().map(|role| role.model()).collect()
}

/// A user of the emulated Discord. Discord's other user fields keep their defaults (no avatar,
/// discriminator 0, the display name being the username for people). The id is the key the
/// world keeps the record under, not repeated in it: the record is 32 bytes.
#[derive(Clone, Debug)]
pub(crate) struct UserRecord {
    pub(crate) name: UserName,
    pub(crate) bot: bool,
    /// Whether the user accepts DMs from the bot.
    pub(crate) accepts_dms: bool,
    /// The locale of the user's client (`en-US`, `fr`…), sent as an interaction's `locale`;
    /// shared between the users of one locale (a thin pointer).
    pub(crate) locale: Arc<String>,
}

impl UserRecord {
    /// The user, whose id is `id`, as Discord's JSON shows it.
    pub(crate) fn model(&self, id: Id<UserMarker>) -> User {
        render::new_user(id, &self.name.as_str(), self.bot)
    }
}

/// A user's name. Users built in bulk are named `member-{guild}-{index}`: they keep the two
/// numbers and the name is written when read, which spares an allocation per user (and the
/// enum is no bigger than a `Box<str>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UserName {
    Given(Box<str>),
    Member { guild: u32, index: u32 },
}

impl UserName {
    /// `member-{guild}-{index}`, kept as numbers when they fit.
    pub(crate) fn member(guild: usize, index: usize) -> Self {
        match (u32::try_from(guild), u32::try_from(index)) {
            (Ok(guild), Ok(index)) => Self::Member { guild, index },
            _ => Self::Given(format!("member-{guild}-{index}").into()),
        }
    }

    /// The name as text.
    pub(crate) fn as_str(&self) -> Cow<'_, str> {
        match self {
            Self::Given(name) => Cow::Borrowed(name),
            Self::Member { .. } => Cow::Owned(self.to_string()),
        }
    }
}

impl From<&str> for UserName {
    fn from(name: &str) -> Self {
        Self::Given(name.into())
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Given(name) => f.write_str(name),
            Self::Member { guild, index } => write!(f, "member-{guild}-{index}"),
        }
    }
}

/// One shared copy of each locale's name. Few locales exist, so a list searched in order
/// serves, and its `Arc<String>`s are thin pointers.
#[derive(Debug, Default)]
pub(crate) struct Locales(Vec<Arc<String>>);

impl Locales {
    pub(crate) fn intern(&mut self, locale: &str) -> Arc<String> {
        if let Some(known) = self.0.iter().find(|known| known.as_str() == locale) {
            return Arc::clone(known);
        }
        let locale = Arc::new(locale.to_owned());
        self.0.push(Arc::clone(&locale));
        locale
    }
}

/// One shared copy of each name interned (those that repeat across guilds built in bulk).
#[derive(Debug, Default)]
pub(crate) struct Interner(HashMap<Box<str>, Arc<String>>);

impl Interner {
    pub(crate) fn intern(&mut self, text: &str) -> Arc<String> {
        if let Some(known) = self.0.get(text) {
            return Arc::clone(known);
        }
        let shared = Arc::new(text.to_owned());
        self.0.insert(text.into(), Arc::clone(&shared));
        shared
    }
}

#[cfg(test)]
mod tests {
    use twilight_model::channel::permission_overwrite::PermissionOverwriteType;

    use super::*;
    use crate::world::build::NewChannel;

    #[test]
    fn a_text_channel_keeps_no_extras_and_comes_back_whole() {
        let channel = render::new_guild_channel(
            Id::new(10),
            Id::new(1),
            3,
            NewChannel {
                kind: ChannelType::GuildText,
                name: "general".to_owned(),
                parent_id: Some(Id::new(9)),
                permission_overwrites: Some(vec![PermissionOverwrite {
                    allow: Permissions::VIEW_CHANNEL,
                    deny: Permissions::SEND_MESSAGES,
                    id: Id::new(1),
                    kind: PermissionOverwriteType::Role,
                }]),
                topic: Some("hello".to_owned()),
            },
        );
        let stored = StoredChannel::from(channel.clone());
        assert!(stored.extras.is_some(), "the topic is an extra");
        assert_eq!(stored.model(Id::new(10)), channel);
        let plain = Channel {
            topic: None,
            ..channel.clone()
        };
        assert!(StoredChannel::from(plain.clone()).extras.is_none());
        assert_eq!(StoredChannel::from(plain).model(Id::new(10)).topic, None);
        assert_eq!(stored.model(Id::new(10)), channel);
        assert_eq!(stored.overwrites().len(), 1);
        assert!(!stored.is_thread());
    }

    #[test]
    fn threads_and_dms_keep_their_own_fields() {
        let recipient = render::new_user(Id::new(5), "alice", false);
        let dm = render::new_dm_channel(Id::new(11), recipient);
        let stored = StoredChannel::from(dm.clone());
        assert!(stored.extras.is_some());
        assert_eq!(stored.model(Id::new(11)), dm);

        let mut thread = render::new_guild_channel(
            Id::new(12),
            Id::new(1),
            0,
            NewChannel {
                kind: ChannelType::PrivateThread,
                name: "ticket".to_owned(),
                parent_id: Some(Id::new(10)),
                permission_overwrites: None,
                topic: None,
            },
        );
        thread.owner_id = Some(Id::new(5));
        thread.member_count = Some(2);
        thread.thread_metadata = Some(ThreadMetadata {
            archived: true,
            auto_archive_duration: AutoArchiveDuration::Week,
            archive_timestamp: Timestamp::from_secs(1_700_000_000).expect("timestamp"),
            create_timestamp: None,
            invitable: Some(false),
            locked: true,
        });
        let mut stored = StoredChannel::from(thread.clone());
        assert!(stored.is_thread());
        assert_eq!(stored.model(Id::new(12)), thread);
        stored.extras_mut().message_count = Some(1);
        assert_eq!(stored.model(Id::new(12)).message_count, Some(1));
    }

    #[test]
    fn roles_and_users_render_as_discord_shows_them() {
        let mut role = RoleRecord::new(
            Id::new(3),
            Arc::new("Staff".to_owned()),
            Permissions::KICK_MEMBERS,
            2,
            true,
        );
        role.tags = Some(Box::new(RoleTags {
            available_for_purchase: false,
            bot_id: Some(Id::new(7)),
            guild_connections: false,
            integration_id: None,
            premium_subscriber: false,
            subscription_listing_id: None,
        }));
        let model = role.model();
        assert_eq!(model.name, "Staff");
        assert_eq!(model.permissions, Permissions::KICK_MEMBERS);
        assert_eq!(model.position, 2);
        assert!(model.managed);
        assert_eq!(model.tags.and_then(|tags| tags.bot_id), Some(Id::new(7)));

        let mut locales = Locales::default();
        let user = UserRecord {
            name: "alice".into(),
            bot: false,
            accepts_dms: true,
            locale: locales.intern("fr"),
        };
        assert_eq!(
            user.model(Id::new(5)),
            render::new_user(Id::new(5), "alice", false)
        );
        assert!(Arc::ptr_eq(&locales.intern("fr"), &user.locale));
        assert!(!Arc::ptr_eq(&locales.intern("en-US"), &user.locale));
        let member = UserName::member(3, 7);
        assert_eq!(member, UserName::Member { guild: 3, index: 7 });
        assert_eq!(member.as_str(), "member-3-7");
        assert_eq!(UserName::from("alice").as_str(), "alice");
        assert_eq!(size_of::<UserName>(), size_of::<Box<str>>());
        assert_eq!(size_of::<UserRecord>(), 32);
    }
}
