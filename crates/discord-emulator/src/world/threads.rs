//! Threads as Discord has them: private and public threads started in a text channel, their
//! members, archiving and locking, the limit of active threads per guild, and the rules that
//! make a private thread private (the parent's View Channel, and membership or Manage Threads).

use serde::Serialize;
use twilight_model::{
    channel::{
        Channel, ChannelType,
        thread::{AutoArchiveDuration, ThreadMember, ThreadMetadata},
    },
    gateway::{Intents, payload::incoming::ThreadDelete},
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, UserMarker},
    },
};

use super::{ChannelRecord, World, render};
use crate::{
    discord_error::{DiscordError, DiscordResult},
    gateway::hub::Event,
    snowflake::now_timestamp,
};

/// A thread to start in a channel.
#[derive(Clone, Debug)]
pub(crate) struct NewThread {
    pub(crate) name: String,
    pub(crate) kind: ChannelType,
    pub(crate) auto_archive_duration: AutoArchiveDuration,
    /// Private threads: whether members who are not moderators may add others.
    pub(crate) invitable: bool,
    pub(crate) rate_limit_per_user: u16,
}

/// What an edit of a thread changes; `None` keeps the value.
#[derive(Clone, Debug, Default)]
pub(crate) struct ThreadPatch {
    pub(crate) name: Option<String>,
    pub(crate) archived: Option<bool>,
    pub(crate) locked: Option<bool>,
    pub(crate) invitable: Option<bool>,
    pub(crate) auto_archive_duration: Option<AutoArchiveDuration>,
    pub(crate) rate_limit_per_user: Option<u16>,
}

/// THREAD_MEMBERS_UPDATE as Discord sends it.
#[derive(Serialize)]
struct MembersUpdate {
    id: Id<ChannelMarker>,
    guild_id: Id<GuildMarker>,
    member_count: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    added_members: Vec<ThreadMember>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    removed_member_ids: Vec<Id<UserMarker>>,
}

/// A thread name as Discord keeps it: trimmed, 1 to 100 characters (spaces and capitals kept).
fn thread_name(name: &str) -> DiscordResult<String> {
    let name = name.trim();
    if !(1..=100).contains(&name.chars().count()) {
        return Err(DiscordError::bad_length("name", 1, 100));
    }
    Ok(name.to_owned())
}

impl World {
    /// A user's permissions in a thread: the parent channel's, nothing without its View
    /// Channel or — in a private thread — without membership or Manage Threads; Send Messages
    /// is the parent's Send Messages in Threads, and in a locked thread only moderators keep it.
    pub(crate) fn thread_permissions(
        &self,
        user_id: Id<UserMarker>,
        record: &ChannelRecord,
        metadata: &ThreadMetadata,
    ) -> Permissions {
        let Some(parent) = record.channel.parent_id else {
            return Permissions::empty();
        };
        let parent_permissions = self.channel_permissions(user_id, parent);
        if !parent_permissions.contains(Permissions::VIEW_CHANNEL) {
            return Permissions::empty();
        }
        let moderator = parent_permissions.contains(Permissions::MANAGE_THREADS);
        if record.channel.kind() == ChannelType::PrivateThread
            && !moderator
            && !record.activity().thread_members.contains_key(&user_id)
        {
            return Permissions::empty();
        }
        let mut permissions = parent_permissions;
        permissions.set(
            Permissions::SEND_MESSAGES,
            parent_permissions.contains(Permissions::SEND_MESSAGES_IN_THREADS)
                && (!metadata.locked || moderator),
        );
        permissions
    }

    /// Whether the user moderates the thread (Manage Threads in its parent).
    pub(crate) fn is_thread_moderator(
        &self,
        user_id: Id<UserMarker>,
        parent_id: Option<Id<ChannelMarker>>,
    ) -> bool {
        parent_id.is_some_and(|parent| {
            self.channel_permissions(user_id, parent)
                .contains(Permissions::MANAGE_THREADS)
        })
    }

    /// A thread's record and metadata; 50024 for a channel that is not a thread.
    pub(crate) fn thread(
        &self,
        thread_id: Id<ChannelMarker>,
    ) -> DiscordResult<(&ChannelRecord, &ThreadMetadata)> {
        // Threads are stored: a channel that is not is no thread.
        let Some(record) = self.channels.stored(&thread_id) else {
            self.channel(thread_id)?;
            return Err(DiscordError::invalid_channel_type());
        };
        let metadata = record
            .channel
            .thread_metadata()
            .ok_or_else(DiscordError::invalid_channel_type)?;
        Ok((record, metadata))
    }

    /// The guild's threads that are not archived.
    pub(crate) fn active_threads(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Vec<(Id<ChannelMarker>, &ChannelRecord)> {
        self.guilds
            .get(&guild_id)
            .map(|guild| guild.threads.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|id| Some((*id, self.channels.stored(id)?)))
            .filter(|(_, record)| {
                record
                    .channel
                    .thread_metadata()
                    .is_some_and(|metadata| !metadata.archived)
            })
            .collect()
    }

    fn check_active_room(&self, guild_id: Id<GuildMarker>) -> DiscordResult<()> {
        if self.active_threads(guild_id).len() >= self.config.max_active_threads {
            return Err(DiscordError::max_active_threads());
        }
        Ok(())
    }

    /// Dispatches a thread event to sessions whose bot sees the thread (GUILDS intent).
    fn emit_thread_event(&mut self, name: &'static str, thread: &Channel) {
        let Some(guild_id) = thread.guild_id else {
            return;
        };
        if !self
            .channel_permissions(self.bot_id(), thread.id)
            .contains(Permissions::VIEW_CHANNEL)
        {
            return;
        }
        let mut data = thread.clone();
        if name == "THREAD_CREATE" {
            data.newly_created = Some(true);
        }
        self.emit_guild_event(name, guild_id, &data);
    }

    /// Starts a thread without a message in a text channel (the creator joins it), after
    /// Discord's checks on the channel type, the name and the active threads' limit.
    pub(crate) fn create_thread(
        &mut self,
        parent_id: Id<ChannelMarker>,
        creator: Id<UserMarker>,
        new: NewThread,
    ) -> DiscordResult<Channel> {
        let parent = self.channel(parent_id)?.channel.model(parent_id);
        let Some(guild_id) = parent.guild_id else {
            return Err(DiscordError::invalid_channel_type());
        };
        let allowed = match new.kind {
            ChannelType::PrivateThread | ChannelType::PublicThread => {
                parent.kind == ChannelType::GuildText
            }
            ChannelType::AnnouncementThread => parent.kind == ChannelType::GuildAnnouncement,
            _ => false,
        };
        if !allowed {
            return Err(DiscordError::invalid_channel_type());
        }
        let name = thread_name(&new.name)?;
        self.check_active_room(guild_id)?;
        let id = self.next_id();
        let now = now_timestamp();
        let mut channel = render::new_guild_channel(
            id,
            guild_id,
            0,
            super::build::NewChannel {
                kind: new.kind,
                name,
                parent_id: Some(parent_id),
                permission_overwrites: None,
                topic: None,
            },
        );
        channel.permission_overwrites = None;
        channel.position = None;
        channel.nsfw = None;
        channel.owner_id = Some(creator);
        channel.rate_limit_per_user = Some(new.rate_limit_per_user);
        channel.member_count = Some(1);
        channel.message_count = Some(0);
        channel.total_message_sent = Some(0);
        channel.thread_metadata = Some(ThreadMetadata {
            archived: false,
            auto_archive_duration: new.auto_archive_duration,
            archive_timestamp: now,
            create_timestamp: Some(now),
            invitable: (new.kind == ChannelType::PrivateThread).then_some(new.invitable),
            locked: false,
        });
        let mut record = ChannelRecord::new(channel.clone());
        record.activity_mut().thread_members.insert(creator, now);
        self.channels.insert(id, record);
        self.guild_mut(guild_id)?.threads.push(id);
        self.emit_thread_event("THREAD_CREATE", &channel);
        Ok(channel)
    }

    fn emit_members_update(
        &mut self,
        thread_id: Id<ChannelMarker>,
        added: Option<Id<UserMarker>>,
        removed: Option<Id<UserMarker>>,
    ) {
        let Ok(record) = self.channel(thread_id) else {
            return;
        };
        let Some(guild_id) = record.channel.guild_id else {
            return;
        };
        let added_members = added
            .and_then(|user_id| {
                let joined = *record.activity().thread_members.get(&user_id)?;
                let member = self.guilds.get(&guild_id)?.members.get(&user_id)?;
                Some(ThreadMember {
                    flags: 0,
                    id: Some(thread_id),
                    join_timestamp: joined,
                    member: Some(self.member_model(&member)),
                    presence: None,
                    user_id: Some(user_id),
                })
            })
            .into_iter()
            .collect();
        let update = MembersUpdate {
            id: thread_id,
            guild_id,
            member_count: record.activity().thread_members.len(),
            added_members,
            removed_member_ids: removed.into_iter().collect(),
        };
        // Without GUILD_MEMBERS, a bot hears only of its own joins and departures.
        let about_bot = added == Some(self.bot_id()) || removed == Some(self.bot_id());
        let intents = if about_bot {
            Intents::empty()
        } else {
            Intents::GUILD_MEMBERS
        };
        let event = Event::new("THREAD_MEMBERS_UPDATE", Some(guild_id), intents, &update);
        self.emit(&event);
    }

    /// Adds a guild member to a thread (nothing happens for a member already in it); 50083 when
    /// the thread is archived, 10007 for someone who is not a member of the guild.
    pub(crate) fn add_thread_member(
        &mut self,
        thread_id: Id<ChannelMarker>,
        user_id: Id<UserMarker>,
    ) -> DiscordResult<()> {
        let (record, metadata) = self.thread(thread_id)?;
        if metadata.archived {
            return Err(DiscordError::thread_archived());
        }
        let in_guild = record
            .channel
            .guild_id
            .and_then(|guild_id| self.guilds.get(&guild_id))
            .is_some_and(|guild| guild.members.contains_key(&user_id));
        if !in_guild {
            return Err(DiscordError::unknown_member());
        }
        if record.activity().thread_members.contains_key(&user_id) {
            return Ok(());
        }
        self.join_thread(thread_id, user_id);
        Ok(())
    }

    /// Records a member in a thread and announces it (no checks).
    fn join_thread(&mut self, thread_id: Id<ChannelMarker>, user_id: Id<UserMarker>) {
        let Some(record) = self.channels.get_mut(&thread_id) else {
            return;
        };
        record
            .activity_mut()
            .thread_members
            .insert(user_id, now_timestamp());
        record.channel.extras_mut().member_count =
            i8::try_from(record.activity().thread_members.len().min(50)).ok();
        self.emit_members_update(thread_id, Some(user_id), None);
    }

    /// Removes a member from a thread (nothing happens for someone not in it); 50083 when the
    /// thread is archived.
    pub(crate) fn remove_thread_member(
        &mut self,
        thread_id: Id<ChannelMarker>,
        user_id: Id<UserMarker>,
    ) -> DiscordResult<()> {
        let (_, metadata) = self.thread(thread_id)?;
        if metadata.archived {
            return Err(DiscordError::thread_archived());
        }
        self.leave_thread(thread_id, user_id);
        Ok(())
    }

    fn leave_thread(&mut self, thread_id: Id<ChannelMarker>, user_id: Id<UserMarker>) {
        let Some(record) = self.channels.get_mut(&thread_id) else {
            return;
        };
        if record
            .activity_mut()
            .thread_members
            .remove(&user_id)
            .is_none()
        {
            return;
        }
        record.channel.extras_mut().member_count =
            i8::try_from(record.activity().thread_members.len().min(50)).ok();
        self.emit_members_update(thread_id, None, Some(user_id));
    }

    /// A member who left the guild leaves its threads too.
    pub(crate) fn leave_guild_threads(
        &mut self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) {
        let threads = self
            .guilds
            .get(&guild_id)
            .map(|guild| guild.threads.clone())
            .unwrap_or_default();
        for thread_id in threads {
            self.leave_thread(thread_id, user_id);
        }
    }

    /// Edits a thread as `by`, by Discord's rules: an archived thread only takes being
    /// unarchived (50083 otherwise), which a locked thread allows moderators only; locking and
    /// `invitable` need Manage Threads; other changes need Manage Threads or being its creator,
    /// except that unarchiving an unlocked thread needs only Send Messages in Threads.
    pub(crate) fn update_thread(
        &mut self,
        thread_id: Id<ChannelMarker>,
        by: Id<UserMarker>,
        patch: ThreadPatch,
    ) -> DiscordResult<Channel> {
        let (record, metadata) = self.thread(thread_id)?;
        let mut channel = record.channel.model(thread_id);
        let mut metadata = metadata.clone();
        let permissions = self.channel_permissions(by, thread_id);
        if !permissions.contains(Permissions::VIEW_CHANNEL) {
            return Err(DiscordError::missing_access());
        }
        let moderator = self.is_thread_moderator(by, channel.parent_id);
        let creator = channel.owner_id == Some(by);
        if metadata.archived && patch.archived != Some(false) {
            return Err(DiscordError::thread_archived());
        }
        let unarchiving = metadata.archived && patch.archived == Some(false);
        if (patch.locked.is_some() || patch.invitable.is_some()) && !moderator {
            return Err(DiscordError::missing_permissions());
        }
        if unarchiving && metadata.locked && !moderator {
            return Err(DiscordError::missing_permissions());
        }
        let only_unarchive = unarchiving
            && patch.name.is_none()
            && patch.auto_archive_duration.is_none()
            && patch.rate_limit_per_user.is_none()
            && patch.locked != Some(true);
        let allowed = if only_unarchive {
            moderator
                || self
                    .channel_permissions(by, channel.parent_id.unwrap_or(thread_id))
                    .contains(Permissions::SEND_MESSAGES_IN_THREADS)
        } else {
            moderator || creator
        };
        if !allowed {
            return Err(DiscordError::missing_permissions());
        }
        if unarchiving && let Some(guild_id) = channel.guild_id {
            self.check_active_room(guild_id)?;
        }
        if let Some(name) = &patch.name {
            channel.name = Some(thread_name(name)?);
        }
        if let Some(archived) = patch.archived
            && archived != metadata.archived
        {
            metadata.archived = archived;
            metadata.archive_timestamp = now_timestamp();
        }
        if let Some(locked) = patch.locked {
            metadata.locked = locked;
        }
        if let Some(invitable) = patch.invitable
            && channel.kind == ChannelType::PrivateThread
        {
            metadata.invitable = Some(invitable);
        }
        if let Some(duration) = patch.auto_archive_duration {
            metadata.auto_archive_duration = duration;
        }
        if let Some(rate_limit) = patch.rate_limit_per_user {
            channel.rate_limit_per_user = Some(rate_limit);
        }
        channel.thread_metadata = Some(metadata);
        self.replace_thread(channel.clone())?;
        Ok(channel)
    }

    /// Stores a changed thread and announces THREAD_UPDATE.
    pub(crate) fn replace_thread(&mut self, channel: Channel) -> DiscordResult<()> {
        self.channel_mut(channel.id)?
            .channel
            .replace(channel.clone());
        self.emit_thread_event("THREAD_UPDATE", &channel);
        Ok(())
    }

    /// Archives a thread as Discord does after its inactivity period (not locked).
    pub(crate) fn auto_archive(&mut self, thread_id: Id<ChannelMarker>) -> DiscordResult<()> {
        let (record, _) = self.thread(thread_id)?;
        let mut channel = record.channel.model(thread_id);
        if let Some(metadata) = channel.thread_metadata.as_mut()
            && !metadata.archived
        {
            metadata.archived = true;
            metadata.archive_timestamp = now_timestamp();
            self.replace_thread(channel)?;
        }
        Ok(())
    }

    /// Before a message goes into a thread: an archived thread is unarchived by the message,
    /// unless it is locked and the author does not moderate it (50083).
    pub(crate) fn before_thread_message(
        &mut self,
        thread_id: Id<ChannelMarker>,
        author: Id<UserMarker>,
    ) -> DiscordResult<()> {
        let Ok((record, metadata)) = self.thread(thread_id) else {
            return Ok(());
        };
        if !metadata.archived {
            return Ok(());
        }
        if metadata.locked && !self.is_thread_moderator(author, record.channel.parent_id) {
            return Err(DiscordError::thread_archived());
        }
        let mut channel = record.channel.model(thread_id);
        if let Some(guild_id) = channel.guild_id {
            self.check_active_room(guild_id)?;
        }
        if let Some(metadata) = channel.thread_metadata.as_mut() {
            metadata.archived = false;
            metadata.archive_timestamp = now_timestamp();
        }
        self.replace_thread(channel)
    }

    /// After a message went into a thread: it counts, and its author and the people it notified
    /// who can see the parent channel join the thread (how a mention invites someone to a
    /// private thread, and a role mention its members).
    pub(crate) fn after_thread_message(
        &mut self,
        thread_id: Id<ChannelMarker>,
        author: Id<UserMarker>,
        notified: &[Id<UserMarker>],
    ) {
        let Some(record) = self.channels.get_mut(&thread_id) else {
            return;
        };
        if !record.channel.is_thread() {
            return;
        }
        let extras = record.channel.extras_mut();
        extras.message_count = Some(extras.message_count.unwrap_or(0) + 1);
        extras.total_message_sent = Some(extras.total_message_sent.unwrap_or(0) + 1);
        let parent = record.channel.parent_id;
        // In a private thread others may not invite to, only moderators' mentions invite.
        let closed = record.channel.kind() == ChannelType::PrivateThread
            && record
                .channel
                .thread_metadata()
                .is_some_and(|metadata| metadata.invitable == Some(false));
        let invites = !closed || self.is_thread_moderator(author, parent);
        let Some(record) = self.channels.get(&thread_id) else {
            return;
        };
        let joining: Vec<Id<UserMarker>> = std::iter::once(author)
            .chain(notified.iter().copied().filter(|_| invites))
            .filter(|user| !record.activity().thread_members.contains_key(user))
            .collect();
        for user in joining {
            let sees_parent = parent.is_some_and(|parent| {
                self.channel_permissions(user, parent)
                    .contains(Permissions::VIEW_CHANNEL)
            });
            if sees_parent {
                self.join_thread(thread_id, user);
            }
        }
    }

    /// An edit or deletion of a message in an archived thread is refused (50083).
    pub(crate) fn check_not_archived(&self, channel_id: Id<ChannelMarker>) -> DiscordResult<()> {
        match self.thread(channel_id) {
            Ok((_, metadata)) if metadata.archived => Err(DiscordError::thread_archived()),
            _ => Ok(()),
        }
    }

    /// Deletes a thread with its messages: THREAD_DELETE `{id, guild_id, parent_id, type}`.
    pub(crate) fn remove_thread(&mut self, thread_id: Id<ChannelMarker>) -> DiscordResult<Channel> {
        let channel = self.thread(thread_id)?.0.channel.model(thread_id);
        let seen = self
            .channel_permissions(self.bot_id(), thread_id)
            .contains(Permissions::VIEW_CHANNEL);
        self.channels.remove(&thread_id);
        self.ephemeral
            .retain(|_, ephemeral| ephemeral.message.channel_id != thread_id);
        self.modals.retain(|modal| modal.channel_id != thread_id);
        if let Some(guild_id) = channel.guild_id {
            if let Some(guild) = self.guilds.get_mut(&guild_id) {
                guild.threads.retain(|id| *id != thread_id);
            }
            if seen && let Some(parent_id) = channel.parent_id {
                let delete = ThreadDelete {
                    guild_id,
                    id: thread_id,
                    kind: channel.kind,
                    parent_id,
                };
                self.emit_guild_event("THREAD_DELETE", guild_id, &delete);
            }
        }
        Ok(channel)
    }

    /// The threads started in a channel (deleted with it).
    pub(crate) fn threads_of(&self, parent_id: Id<ChannelMarker>) -> Vec<Id<ChannelMarker>> {
        self.channels
            .get(&parent_id)
            .and_then(|record| record.channel.guild_id)
            .and_then(|guild_id| self.guilds.get(&guild_id))
            .map(|guild| {
                guild
                    .threads
                    .iter()
                    .filter(|id| {
                        self.channels
                            .get(id)
                            .is_some_and(|record| record.channel.parent_id == Some(parent_id))
                    })
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The bot's thread member objects for these threads (the `members` of a thread list).
    pub(crate) fn bot_thread_members(&self, threads: &[Id<ChannelMarker>]) -> Vec<ThreadMember> {
        let bot = self.bot_id();
        threads
            .iter()
            .filter_map(|thread_id| {
                let joined = *self
                    .channels
                    .get(thread_id)?
                    .activity()
                    .thread_members
                    .get(&bot)?;
                Some(ThreadMember {
                    flags: 0,
                    id: Some(*thread_id),
                    join_timestamp: joined,
                    member: None,
                    presence: None,
                    user_id: Some(bot),
                })
            })
            .collect()
    }
}
