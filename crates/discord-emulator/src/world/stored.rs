//! Compact forms of the world's channels, roles and users. A world of 100,000 guilds holds
//! millions of them, so each keeps what a record of its kind needs inline (ids as `u64`,
//! names as `Box<str>`, overwrites in a boxed slice) and what only threads, DMs, voice or forum
//! channels have in a box allocated for those alone. Twilight's values, which serialize to
//! Discord's JSON, are built from them when a payload is sent (`model`), and a changed value
//! is taken back whole (`From`), losing no field.

use std::{collections::HashSet, sync::Arc};

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

use super::render;

/// A channel, thread or DM as the world keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredChannel {
    pub(crate) id: Id<ChannelMarker>,
    pub(crate) guild_id: Option<Id<GuildMarker>>,
    pub(crate) parent_id: Option<Id<ChannelMarker>>,
    pub(crate) last_message_id: Option<Id<GenericMarker>>,
    pub(crate) name: Option<Box<str>>,
    pub(crate) permission_overwrites: Option<Box<[PermissionOverwrite]>>,
    pub(crate) flags: Option<ChannelFlags>,
    pub(crate) position: Option<i32>,
    pub(crate) rate_limit_per_user: Option<u16>,
    pub(crate) kind: ChannelType,
    pub(crate) nsfw: Option<bool>,
    /// The fields of threads, DMs, voice and forum channels, a topic and the last pin;
    /// `None` when all are absent.
    extras: Option<Box<ChannelExtras>>,
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
    /// The channel as Discord's JSON shows it.
    pub(crate) fn model(&self) -> Channel {
        let extras = self.extras.as_deref().cloned().unwrap_or_default();
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
            flags: self.flags,
            guild_id: self.guild_id,
            icon,
            id: self.id,
            invitable,
            kind: self.kind,
            last_message_id: self.last_message_id,
            last_pin_timestamp,
            managed,
            member,
            member_count,
            message_count,
            name: self.name.as_deref().map(str::to_owned),
            newly_created,
            nsfw: self.nsfw,
            owner_id,
            parent_id: self.parent_id,
            permission_overwrites: self.permission_overwrites.as_deref().map(<[_]>::to_vec),
            position: self.position,
            rate_limit_per_user: self.rate_limit_per_user,
            recipients,
            rtc_region,
            thread_metadata,
            topic: topic.map(String::from),
            total_message_sent,
            user_limit,
            video_quality_mode,
        }
    }

    /// The overwrites, empty when the channel has none.
    pub(crate) fn overwrites(&self) -> &[PermissionOverwrite] {
        self.permission_overwrites.as_deref().unwrap_or_default()
    }

    /// A thread's metadata; `None` for other channels.
    pub(crate) fn thread_metadata(&self) -> Option<&ThreadMetadata> {
        self.extras.as_ref()?.thread_metadata.as_ref()
    }

    /// Whether the channel is a thread.
    pub(crate) fn is_thread(&self) -> bool {
        self.thread_metadata().is_some()
    }

    /// The fields a guild text channel does not have, allocated on first change.
    pub(crate) fn extras_mut(&mut self) -> &mut ChannelExtras {
        self.extras.get_or_insert_with(Box::default)
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
            id,
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
            id,
            guild_id,
            parent_id,
            last_message_id,
            name: name.map(String::into_boxed_str),
            permission_overwrites: permission_overwrites.map(Vec::into_boxed_slice),
            flags,
            position,
            rate_limit_per_user,
            kind,
            nsfw,
            extras: (extras != ChannelExtras::default()).then(|| Box::new(extras)),
        }
    }
}

/// A role as the world keeps it; Discord's other role fields keep their defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RoleRecord {
    pub(crate) id: Id<RoleMarker>,
    pub(crate) name: Box<str>,
    pub(crate) permissions: Permissions,
    pub(crate) position: i64,
    pub(crate) managed: bool,
    /// The bot's managed role says whose it is.
    pub(crate) tags: Option<Box<RoleTags>>,
}

impl RoleRecord {
    pub(crate) fn new(
        id: Id<RoleMarker>,
        name: &str,
        permissions: Permissions,
        position: i64,
        managed: bool,
    ) -> Self {
        Self {
            id,
            name: name.into(),
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
            self.position,
            self.managed,
        );
        role.tags = self.tags.as_deref().cloned();
        role
    }
}

/// Twilight's values of a guild's roles.
pub(crate) fn role_models(roles: &[RoleRecord]) -> Vec<Role> {
    roles.iter().map(RoleRecord::model).collect()
}

/// A user of the emulated Discord. Discord's other user fields keep their defaults (no avatar,
/// discriminator 0, the display name being the username for people).
#[derive(Clone, Debug)]
pub(crate) struct UserRecord {
    pub(crate) id: Id<UserMarker>,
    pub(crate) name: Box<str>,
    pub(crate) bot: bool,
    /// Whether the user accepts DMs from the bot.
    pub(crate) accepts_dms: bool,
    /// The locale of the user's client (`en-US`, `fr`…), sent as an interaction's `locale`;
    /// shared between the users of one locale.
    pub(crate) locale: Arc<str>,
}

impl UserRecord {
    /// The user as Discord's JSON shows it.
    pub(crate) fn model(&self) -> User {
        render::new_user(self.id, &self.name, self.bot)
    }
}

/// One shared copy of each locale's name.
#[derive(Debug, Default)]
pub(crate) struct Locales(HashSet<Arc<str>>);

impl Locales {
    pub(crate) fn intern(&mut self, locale: &str) -> Arc<str> {
        if let Some(known) = self.0.get(locale) {
            return Arc::clone(known);
        }
        let locale: Arc<str> = locale.into();
        self.0.insert(Arc::clone(&locale));
        locale
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
        assert_eq!(stored.model(), channel);
        let plain = Channel {
            topic: None,
            ..channel.clone()
        };
        assert!(StoredChannel::from(plain.clone()).extras.is_none());
        assert_eq!(StoredChannel::from(plain).model().topic, None);
        assert_eq!(stored.model(), channel);
        assert_eq!(stored.overwrites().len(), 1);
        assert!(!stored.is_thread());
    }

    #[test]
    fn threads_and_dms_keep_their_own_fields() {
        let recipient = render::new_user(Id::new(5), "alice", false);
        let dm = render::new_dm_channel(Id::new(11), recipient);
        let stored = StoredChannel::from(dm.clone());
        assert!(stored.extras.is_some());
        assert_eq!(stored.model(), dm);

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
        assert_eq!(stored.model(), thread);
        stored.extras_mut().message_count = Some(1);
        assert_eq!(stored.model().message_count, Some(1));
    }

    #[test]
    fn roles_and_users_render_as_discord_shows_them() {
        let mut role = RoleRecord::new(Id::new(3), "Staff", Permissions::KICK_MEMBERS, 2, true);
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
            id: Id::new(5),
            name: "alice".into(),
            bot: false,
            accepts_dms: true,
            locale: locales.intern("fr"),
        };
        assert_eq!(user.model(), render::new_user(Id::new(5), "alice", false));
        assert!(Arc::ptr_eq(&locales.intern("fr"), &user.locale));
        assert!(!Arc::ptr_eq(&locales.intern("en-US"), &user.locale));
    }
}
