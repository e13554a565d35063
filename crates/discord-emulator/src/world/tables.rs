//! The world's channels and users by id. Those of guilds built in bulk
//! ([`World::populate`](super::World::populate)) are not stored one by one: their ids are
//! allocated in ranges, one range per batch, and a channel or user of a range is derived from
//! its place in it (its guild, its position, its name) until it first changes. A world of
//! 100,000 guilds of 30 channels and 25 members keeps 5.5 million records this way in a few
//! hundred bytes. A record that changes (a message sent in the channel, an edit, a DM setting)
//! is stored from then on like any other; a deleted one is remembered as deleted.
//!
//! Reads give a [`Cow`]: borrowed for a stored record, owned for a derived one (built on the
//! spot, without an allocation: its name is shared). A derived channel has no activity (no
//! messages, pins or nonces): [`Channels::stored`] gives what can hold one by reference.

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
    sync::Arc,
};

use twilight_model::id::{
    Id,
    marker::{ChannelMarker, UserMarker},
};

use super::{ChannelRecord, UserRecord, stored::UserName};

/// A range of ids allocated at once: `first`, `first + 1`… for `guilds × per_guild` records,
/// those of guild `g` (its index in the batch) from `first + g × per_guild`.
#[derive(Clone, Copy, Debug)]
struct Range {
    first: u64,
    guilds: u64,
    per_guild: u64,
}

impl Range {
    /// The guild index and the place in the guild of the record with this id, if the range
    /// holds it.
    fn place(&self, id: u64) -> Option<(u64, u64)> {
        let index = id.checked_sub(self.first)?;
        (index < self.guilds.saturating_mul(self.per_guild))
            .then(|| (index / self.per_guild, index % self.per_guild))
    }
}

/// The ranges of several batches, in increasing order of ids (ids are only ever allocated
/// upwards), with what each batch derives its records from.
#[derive(Debug)]
struct Ranges<T>(Vec<(Range, T)>);

impl<T> Default for Ranges<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> Ranges<T> {
    fn push(&mut self, range: Range, batch: T) {
        debug_assert!(
            self.0
                .last()
                .is_none_or(|(last, _)| last.first + last.guilds * last.per_guild <= range.first),
            "ranges are allocated upwards"
        );
        if range.guilds > 0 && range.per_guild > 0 {
            self.0.push((range, batch));
        }
    }

    /// The batch holding `id`, its guild index and the place in the guild.
    fn find(&self, id: u64) -> Option<(&T, u64, u64)> {
        let after = self.0.partition_point(|(range, _)| range.first <= id);
        let (range, batch) = self.0.get(after.checked_sub(1)?)?;
        let (guild, place) = range.place(id)?;
        Some((batch, guild, place))
    }
}

/// What the channels of one batch are derived from.
#[derive(Debug)]
struct ChannelBatch {
    /// The id of the batch's first guild; the others follow one by one.
    first_guild: u64,
    /// Channel `c` of every guild of the batch, but for its guild.
    templates: Box<[ChannelRecord]>,
}

/// Every channel, thread and DM by id.
#[derive(Debug, Default)]
pub(crate) struct Channels {
    stored: HashMap<Id<ChannelMarker>, ChannelRecord>,
    bulk: Ranges<ChannelBatch>,
    /// Channels of batches that were deleted.
    deleted: HashSet<Id<ChannelMarker>>,
}

impl Channels {
    /// The channel, stored or derived.
    pub(crate) fn get(&self, id: &Id<ChannelMarker>) -> Option<Cow<'_, ChannelRecord>> {
        if let Some(record) = self.stored.get(id) {
            return Some(Cow::Borrowed(record));
        }
        self.derived(*id).map(Cow::Owned)
    }

    /// The channel if it is stored: only a stored channel has activity (messages, pins, a DM's
    /// recipient, nonces, thread members).
    pub(crate) fn stored(&self, id: &Id<ChannelMarker>) -> Option<&ChannelRecord> {
        self.stored.get(id)
    }

    /// The channel, to change: a derived channel is stored from now on.
    pub(crate) fn get_mut(&mut self, id: &Id<ChannelMarker>) -> Option<&mut ChannelRecord> {
        if !self.stored.contains_key(id) {
            let record = self.derived(*id)?;
            self.stored.insert(*id, record);
        }
        self.stored.get_mut(id)
    }

    pub(crate) fn contains_key(&self, id: &Id<ChannelMarker>) -> bool {
        self.stored.contains_key(id) || self.derived(*id).is_some()
    }

    /// Stores a new channel (its id is new: never one of a batch's).
    pub(crate) fn insert(&mut self, id: Id<ChannelMarker>, record: ChannelRecord) {
        self.stored.insert(id, record);
    }

    /// Deletes a channel, giving back its record.
    pub(crate) fn remove(&mut self, id: &Id<ChannelMarker>) -> Option<ChannelRecord> {
        let derived = self.derived(*id);
        if self.bulk.find(id.get()).is_some() {
            self.deleted.insert(*id);
        }
        self.stored.remove(id).or(derived)
    }

    /// Adds a batch: `guilds` guilds with ids from `first_guild`, each with one channel per
    /// template, whose ids start at `first`.
    pub(crate) fn add_batch(
        &mut self,
        first: u64,
        first_guild: u64,
        guilds: u64,
        templates: Box<[ChannelRecord]>,
    ) {
        let range = Range {
            first,
            guilds,
            per_guild: templates.len() as u64,
        };
        self.bulk.push(
            range,
            ChannelBatch {
                first_guild,
                templates,
            },
        );
    }

    /// A channel of a batch not stored (yet) nor deleted.
    fn derived(&self, id: Id<ChannelMarker>) -> Option<ChannelRecord> {
        let (batch, guild, place) = self.bulk.find(id.get())?;
        if self.deleted.contains(&id) {
            return None;
        }
        let mut record = batch.templates.get(usize::try_from(place).ok()?)?.clone();
        record.channel.guild_id = Some(Id::new(batch.first_guild + guild));
        Some(record)
    }
}

/// What the users of one batch are derived from.
#[derive(Debug)]
struct UserBatch {
    locale: Arc<String>,
}

/// Every user by id.
#[derive(Debug, Default)]
pub(crate) struct Users {
    stored: HashMap<Id<UserMarker>, UserRecord>,
    bulk: Ranges<UserBatch>,
}

impl Users {
    /// The user, stored or derived.
    pub(crate) fn get(&self, id: &Id<UserMarker>) -> Option<Cow<'_, UserRecord>> {
        if let Some(record) = self.stored.get(id) {
            return Some(Cow::Borrowed(record));
        }
        self.derived(*id).map(Cow::Owned)
    }

    /// The user, to change: a derived user is stored from now on.
    pub(crate) fn get_mut(&mut self, id: &Id<UserMarker>) -> Option<&mut UserRecord> {
        if !self.stored.contains_key(id) {
            let record = self.derived(*id)?;
            self.stored.insert(*id, record);
        }
        self.stored.get_mut(id)
    }

    pub(crate) fn contains_key(&self, id: &Id<UserMarker>) -> bool {
        self.stored.contains_key(id) || self.derived(*id).is_some()
    }

    /// Every user, stored ones first (in no order), then those of each batch not stored.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Id<UserMarker>, Cow<'_, UserRecord>)> {
        let stored = self
            .stored
            .iter()
            .map(|(id, record)| (*id, Cow::Borrowed(record)));
        let derived = self.bulk.0.iter().flat_map(|(range, _)| {
            let count = range.guilds.saturating_mul(range.per_guild);
            (range.first..range.first + count)
                .map(Id::new)
                .filter(|id| !self.stored.contains_key(id))
                .filter_map(|id| Some((id, Cow::Owned(self.derived(id)?))))
        });
        stored.chain(derived)
    }

    /// Stores a new user (its id is new: never one of a batch's).
    pub(crate) fn insert(&mut self, id: Id<UserMarker>, record: UserRecord) {
        self.stored.insert(id, record);
    }

    /// Adds a batch: `per_guild` users for each of `guilds` guilds, with ids from `first`,
    /// named `member-{guild}-{index}` and speaking `locale`.
    pub(crate) fn add_batch(
        &mut self,
        first: u64,
        guilds: u64,
        per_guild: u64,
        locale: Arc<String>,
    ) {
        let range = Range {
            first,
            guilds,
            per_guild,
        };
        self.bulk.push(range, UserBatch { locale });
    }

    fn derived(&self, id: Id<UserMarker>) -> Option<UserRecord> {
        let (batch, guild, place) = self.bulk.find(id.get())?;
        Some(UserRecord {
            name: UserName::member(usize::try_from(guild).ok()?, usize::try_from(place).ok()?),
            bot: false,
            accepts_dms: true,
            locale: Arc::clone(&batch.locale),
        })
    }
}

#[cfg(test)]
mod tests {
    use twilight_model::channel::ChannelType;

    use super::*;
    use crate::world::{build::NewChannel, render};

    fn template(position: i32, name: &str) -> ChannelRecord {
        ChannelRecord::new(render::new_guild_channel(
            Id::new(1),
            Id::new(1),
            position,
            NewChannel {
                kind: ChannelType::GuildText,
                name: name.to_owned(),
                parent_id: None,
                permission_overwrites: Some(Vec::new()),
                topic: None,
            },
        ))
    }

    #[test]
    fn channels_of_a_batch_are_derived_until_changed_or_deleted() {
        let mut channels = Channels::default();
        channels.insert(Id::new(50), template(0, "before"));
        // Two guilds (ids 200 and 201) of three channels, ids 100 to 105.
        let templates = (0..3).map(|c| template(c, &format!("channel-{c}")));
        channels.add_batch(100, 200, 2, templates.collect());
        channels.add_batch(300, 400, 0, Box::default());

        let fifth = channels.get(&Id::new(104)).expect("derived");
        assert!(matches!(fifth, Cow::Owned(_)));
        let model = fifth.channel.model(Id::new(104));
        assert_eq!(model.guild_id, Some(Id::new(201)));
        assert_eq!(model.position, Some(1));
        assert_eq!(model.name.as_deref(), Some("channel-1"));
        let mut expected = template(1, "channel-1").channel.model(Id::new(104));
        expected.guild_id = Some(Id::new(201));
        assert_eq!(
            model, expected,
            "but for its guild, a derived channel is its template"
        );
        for outside in [99, 106, 300, 49] {
            assert!(channels.get(&Id::new(outside)).is_none(), "{outside}");
            assert!(!channels.contains_key(&Id::new(outside)));
        }
        assert!(channels.stored(&Id::new(104)).is_none());

        channels
            .get_mut(&Id::new(104))
            .expect("derived")
            .channel
            .set_last_message_id(Id::new(7));
        let changed = channels.get(&Id::new(104)).expect("stored");
        assert!(matches!(changed, Cow::Borrowed(_)));
        assert_eq!(
            changed.channel.model(Id::new(104)).last_message_id,
            Some(Id::new(7))
        );
        assert!(channels.stored(&Id::new(104)).is_some());

        let removed = channels.remove(&Id::new(103)).expect("derived");
        assert_eq!(removed.channel.guild_id, Some(Id::new(201)));
        assert!(channels.get(&Id::new(103)).is_none());
        assert!(channels.get_mut(&Id::new(103)).is_none());
        assert!(channels.remove(&Id::new(104)).is_some());
        assert!(
            !channels.contains_key(&Id::new(104)),
            "a changed channel deleted"
        );
        assert!(channels.remove(&Id::new(104)).is_none());
        assert!(channels.get(&Id::new(50)).is_some());
        assert!(channels.get(&Id::new(100)).is_some());
    }

    #[test]
    fn users_of_a_batch_are_derived_until_changed() {
        let mut users = Users::default();
        let locale = Arc::new("en-US".to_owned());
        users.add_batch(1_000, 3, 25, Arc::clone(&locale));
        users.add_batch(2_000, 1, 1, Arc::new("fr".to_owned()));
        let user = users.get(&Id::new(1_026)).expect("derived");
        assert_eq!(user.name.as_str(), "member-1-1");
        assert!(!user.bot && user.accepts_dms);
        assert_eq!(
            users.get(&Id::new(2_000)).expect("one").locale.as_str(),
            "fr"
        );
        assert!(users.get(&Id::new(1_075)).is_none());
        assert!(users.get(&Id::new(999)).is_none());
        users.get_mut(&Id::new(1_026)).expect("derived").accepts_dms = false;
        assert!(!users.get(&Id::new(1_026)).expect("stored").accepts_dms);
        assert!(users.get(&Id::new(1_027)).expect("derived").accepts_dms);
    }
}
