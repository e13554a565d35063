//! The world's channels and users by id. Those of guilds built in bulk
//! ([`World::populate`](super::World::populate)) are not stored one by one: their ids are
//! allocated in ranges, one range per batch, and a channel or user of a range is derived from
//! its place in it (its guild, its position, its name) until it first changes. A world of
//! 100,000 guilds of 30 channels and 25 members keeps 5.5 million records this way in its
//! ranges and one template per channel of the shape. A record that changes (a message sent in
//! the channel, an edit, a DM setting) is stored from then on like any other; a deleted one is
//! remembered as deleted.
//!
//! Reads give a [`Cow`]: borrowed for a stored record, owned for a derived one (built on the
//! spot, without an allocation: its name is shared). A derived channel has no activity (no
//! messages, pins or nonces): [`Table::stored`] gives what can hold one by reference.

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

/// What the records of one batch are derived from.
pub(crate) trait Batch {
    type Record: Clone;

    /// The record at `place` in the guild of index `guild` in the batch.
    fn derive(&self, guild: u64, place: u64) -> Option<Self::Record>;
}

/// Records by id: stored, or derived from a batch until they change.
#[derive(Debug)]
pub(crate) struct Table<M, B: Batch> {
    stored: HashMap<Id<M>, B::Record>,
    bulk: Ranges<B>,
    /// Records of batches that were deleted.
    deleted: HashSet<Id<M>>,
}

impl<M, B: Batch> Default for Table<M, B> {
    fn default() -> Self {
        Self {
            stored: HashMap::new(),
            bulk: Ranges::default(),
            deleted: HashSet::new(),
        }
    }
}

impl<M, B: Batch> Table<M, B> {
    /// The record, stored or derived.
    pub(crate) fn get(&self, id: &Id<M>) -> Option<Cow<'_, B::Record>> {
        if let Some(record) = self.stored.get(id) {
            return Some(Cow::Borrowed(record));
        }
        self.derived(*id).map(Cow::Owned)
    }

    /// The record if it is stored (for a channel: only a stored one has activity, its
    /// messages, pins, DM recipient, nonces and thread members).
    pub(crate) fn stored(&self, id: &Id<M>) -> Option<&B::Record> {
        self.stored.get(id)
    }

    /// The record if it is stored, to change.
    pub(crate) fn stored_mut(&mut self, id: &Id<M>) -> Option<&mut B::Record> {
        self.stored.get_mut(id)
    }

    /// The record, to change: a derived one is stored from now on.
    pub(crate) fn get_mut(&mut self, id: &Id<M>) -> Option<&mut B::Record> {
        if !self.stored.contains_key(id) {
            let record = self.derived(*id)?;
            self.stored.insert(*id, record);
        }
        self.stored.get_mut(id)
    }

    pub(crate) fn contains_key(&self, id: &Id<M>) -> bool {
        self.stored.contains_key(id) || self.place(*id).is_some()
    }

    /// Stores a new record (its id is new: never one of a batch's).
    pub(crate) fn insert(&mut self, id: Id<M>, record: B::Record) {
        debug_assert!(self.bulk.find(id.get()).is_none(), "a new id is no batch's");
        self.stored.insert(id, record);
    }

    /// Deletes a record, giving it back.
    pub(crate) fn remove(&mut self, id: &Id<M>) -> Option<B::Record> {
        let derived = self.derived(*id);
        if self.bulk.find(id.get()).is_some() {
            self.deleted.insert(*id);
        }
        self.stored.remove(id).or(derived)
    }

    /// Every record, stored ones first (in no order), then those of each batch not stored.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Id<M>, Cow<'_, B::Record>)> {
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

    /// Adds a batch: `per_guild` records for each of `guilds` guilds, with ids from `first`
    /// (those of guild `g` from `first + g × per_guild`).
    pub(crate) fn add_batch(&mut self, first: u64, guilds: u64, per_guild: u64, batch: B) {
        let range = Range {
            first,
            guilds,
            per_guild,
        };
        self.bulk.push(range, batch);
    }

    /// A record of a batch not stored (yet) nor deleted.
    fn derived(&self, id: Id<M>) -> Option<B::Record> {
        let (batch, guild, place) = self.place(id)?;
        batch.derive(guild, place)
    }

    /// The batch, guild index and place of a record of a batch that was not deleted.
    fn place(&self, id: Id<M>) -> Option<(&B, u64, u64)> {
        self.bulk
            .find(id.get())
            .filter(|_| !self.deleted.contains(&id))
    }
}

/// Every channel, thread and DM by id.
pub(crate) type Channels = Table<ChannelMarker, ChannelBatch>;

/// The channels of one batch: channel `c` of guild `g` is template `c` in guild
/// `first_guild + (g << 22)` (the batch's guilds are one millisecond apart, see
/// `Snowflakes::past_spread`).
#[derive(Debug)]
pub(crate) struct ChannelBatch {
    pub(crate) first_guild: u64,
    /// Channel `c` of every guild of the batch, but for its guild.
    pub(crate) templates: Box<[ChannelRecord]>,
}

impl Batch for ChannelBatch {
    type Record = ChannelRecord;

    fn derive(&self, guild: u64, place: u64) -> Option<ChannelRecord> {
        let mut record = self.templates.get(usize::try_from(place).ok()?)?.clone();
        record.channel.guild_id = Some(Id::new(self.first_guild + (guild << 22)));
        Some(record)
    }
}

/// Every user by id.
pub(crate) type Users = Table<UserMarker, UserBatch>;

/// The users of one batch: user `m` of guild `g` is `member-{g}-{m}`, speaking `locale`.
#[derive(Debug)]
pub(crate) struct UserBatch {
    pub(crate) locale: Arc<String>,
}

impl Batch for UserBatch {
    type Record = UserRecord;

    fn derive(&self, guild: u64, place: u64) -> Option<UserRecord> {
        Some(UserRecord {
            name: UserName::member(usize::try_from(guild).ok()?, usize::try_from(place).ok()?),
            bot: false,
            accepts_dms: true,
            locale: Arc::clone(&self.locale),
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
        // Two guilds (ids 200 and 200 + 1 << 22) of three channels, ids 100 to 105.
        let templates = (0..3).map(|c| template(c, &format!("channel-{c}")));
        let batch = |first_guild, templates| ChannelBatch {
            first_guild,
            templates,
        };
        channels.add_batch(100, 2, 3, batch(200, templates.collect()));
        channels.add_batch(300, 0, 3, batch(400, Box::default()));

        let fifth = channels.get(&Id::new(104)).expect("derived");
        assert!(matches!(fifth, Cow::Owned(_)));
        let model = fifth.channel.model(Id::new(104));
        assert_eq!(model.guild_id, Some(Id::new(200 + (1 << 22))));
        assert_eq!(model.position, Some(1));
        assert_eq!(model.name.as_deref(), Some("channel-1"));
        let mut expected = template(1, "channel-1").channel.model(Id::new(104));
        expected.guild_id = Some(Id::new(200 + (1 << 22)));
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
        assert_eq!(removed.channel.guild_id, Some(Id::new(200 + (1 << 22))));
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
        users.add_batch(1_000, 3, 25, UserBatch { locale });
        let locale = Arc::new("fr".to_owned());
        users.add_batch(2_000, 1, 1, UserBatch { locale });
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
