//! Tickets: opening (numbering, the open limit, the cooldown), versioned writes with their
//! effects, and every lookup.

use super::index::{
    self, BUCKETS, Entry, Hint, Kind, removed_at, ticket_hints, unsettled, without, written_at,
};
use super::{CAS_ATTEMPTS, Cas, ScyllaStore, back_off, big, invalid};
use crate::{Error, Fence, OpenOutcome, Page, Result};
use helpline_domain::lifecycle::OpenLimits;
use helpline_domain::{
    ChannelId, CloseReason, Effect, EffectKey, EffectKind, GuildId, Ticket, TicketId, TicketState,
    Timestamp,
};
use scylla::value::CqlValue;
use std::time::Duration;

pub(super) fn encode<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Invalid(format!("cannot encode: {e}")))
}

pub(super) fn decode<T: serde::de::DeserializeOwned>(what: &'static str, data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|source| Error::Corrupt { what, source })
}

/// How long an open that reserved its place but has not written its ticket yet is waited for
/// (by the member's next click) and counted against the open limit: an open takes
/// milliseconds, one interrupted by a crash holds the member's place this long.
const IN_FLIGHT: Duration = Duration::from_secs(60);

/// A ticket's partition as read: the ticket and its effects.
#[derive(Debug, Default)]
pub(super) struct Partition {
    pub(super) ticket: Option<Ticket>,
    pub(super) guild: Option<i64>,
    pub(super) effects: Vec<EffectRow>,
    /// Who wrote each recent version (version, writer): how a write whose answer was lost
    /// knows it landed even when a later one followed.
    pub(super) writers: Vec<(i64, String)>,
}

/// One effect of the outbox as stored.
#[derive(Clone, Debug)]
pub(super) struct EffectRow {
    pub(super) key: EffectKey,
    pub(super) status: String,
    pub(super) attempts: u32,
    pub(super) next: i64,
    pub(super) created: i64,
    pub(super) finished: Option<i64>,
    pub(super) last_error: Option<String>,
    pub(super) data: String,
}

impl EffectRow {
    pub(super) fn pending(&self) -> bool {
        self.status == "pending"
    }
}

type PartitionRow = (
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<i32>,
    Option<String>,
    Option<i32>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

const READ_PARTITION: &str = "SELECT data, guild_id, effect_version, effect_step, status, attempts, next_attempt_at, created_at, finished_at, last_error, effect FROM tickets WHERE ticket_id = ?";

const WRITE_TICKET: &str =
    "UPDATE tickets SET version = ?, guild_id = ?, data = ? WHERE ticket_id = ? IF version = ?";
/// The status of a version's writer row (step -1, kept a day).
const WRITER: &str = "version";
const MARK_WRITER: &str = "INSERT INTO tickets (ticket_id, effect_version, effect_step, status, effect) VALUES (?, ?, -1, 'version', ?) USING TTL 86400";
const QUEUE_EFFECT: &str = "INSERT INTO tickets (ticket_id, effect_version, effect_step, status, attempts, next_attempt_at, created_at, effect) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)";

fn partition_from(rows: Vec<PartitionRow>) -> Result<Partition> {
    let mut partition = Partition::default();
    for (data, guild, version, step, status, attempts, next, created, finished, error, effect) in
        rows
    {
        if partition.ticket.is_none()
            && let Some(data) = data
        {
            partition.ticket = Some(decode("ticket", &data)?);
            partition.guild = guild;
        }
        let (Some(version), Some(step), Some(status), Some(effect)) =
            (version, step, status, effect)
        else {
            continue;
        };
        if status == WRITER {
            partition.writers.push((version, effect));
            continue;
        }
        let (Ok(version), Ok(step)) = (u64::try_from(version), u8::try_from(step)) else {
            return Err(invalid("a stored effect key is out of range".into()));
        };
        partition.effects.push(EffectRow {
            key: EffectKey {
                ticket: TicketId(0),
                version,
                step,
            },
            status,
            attempts: attempts.and_then(|a| u32::try_from(a).ok()).unwrap_or(0),
            next: next.unwrap_or(0),
            created: created.unwrap_or(0),
            finished,
            last_error: error,
            data: effect,
        });
    }
    Ok(partition)
}

/// A fence check's mode, as SQLite's.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fencing {
    Check,
    Write,
    Grant,
}

impl ScyllaStore {
    /// A ticket's partition: the ticket and its effects (`serial`: as lightweight transactions
    /// decided, in-flight ones included).
    pub(super) async fn partition(&self, id: TicketId, serial: bool) -> Result<Partition> {
        let rows: Vec<PartitionRow> = if serial {
            self.serial_rows(READ_PARTITION, (big(id.0),)).await?
        } else {
            self.rows(READ_PARTITION, (big(id.0),)).await?
        };
        let mut partition = partition_from(rows)?;
        for effect in &mut partition.effects {
            effect.key.ticket = id;
        }
        Ok(partition)
    }

    pub(super) async fn read_ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        let rows: Vec<(Option<String>,)> = self
            .rows(
                "SELECT data FROM tickets WHERE ticket_id = ? LIMIT 1",
                (big(id.0),),
            )
            .await?;
        match rows.into_iter().next() {
            Some((Some(data),)) => Ok(Some(decode("ticket", &data)?)),
            _ => Ok(None),
        }
    }

    /// Several tickets at once, in the order asked.
    pub(super) async fn read_tickets(&self, ids: &[i64]) -> Result<Vec<Option<Ticket>>> {
        futures_util::future::try_join_all(
            ids.iter()
                .map(|id| self.read_ticket(TicketId(u64::try_from(*id).unwrap_or(0)))),
        )
        .await
    }

    /// Checks a write's fencing token (and records a newer one, or grants one).
    pub(super) async fn fence(&self, fence: Option<Fence>, mode: Fencing) -> Result<()> {
        let Some(fence) = fence else {
            return Ok(());
        };
        let shard = i32::try_from(fence.shard).unwrap_or(i32::MAX);
        let token = big(fence.token);
        // A grant whose answer was lost may find its own token stored: that is not a
        // coordinator granting a token twice.
        let mut uncertain = false;
        for attempt in 0..CAS_ATTEMPTS {
            let rows: Vec<(Option<i64>,)> = if attempt == 0 {
                self.rows("SELECT token FROM shard_fences WHERE shard = ?", (shard,))
                    .await?
            } else {
                self.serial_rows("SELECT token FROM shard_fences WHERE shard = ?", (shard,))
                    .await?
            };
            let current = rows.first().and_then(|(token,)| *token);
            let seen = current.map_or(0, |c| u64::try_from(c).unwrap_or(0));
            if seen > fence.token || (mode == Fencing::Grant && seen == fence.token && !uncertain) {
                return Err(Error::Fenced {
                    shard: fence.shard,
                    token: fence.token,
                    current: seen,
                });
            }
            if mode == Fencing::Check || seen == fence.token {
                return Ok(());
            }
            let cas = match current {
                None => {
                    self.cas(
                        "INSERT INTO shard_fences (shard, token) VALUES (?, ?) IF NOT EXISTS",
                        (shard, token),
                    )
                    .await?
                }
                Some(current) => {
                    self.cas(
                        "UPDATE shard_fences SET token = ? WHERE shard = ? IF token = ?",
                        (token, shard, current),
                    )
                    .await?
                }
            };
            match cas {
                Cas::Applied => return Ok(()),
                Cas::Uncertain => uncertain = true,
                Cas::Refused(_) => {}
            }
            // Refused (someone recorded another token) or uncertain: read again at SERIAL.
            back_off(attempt).await;
        }
        Err(contended("a fencing token"))
    }

    pub(super) async fn open(
        &self,
        ticket: Ticket,
        limits: OpenLimits,
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<OpenOutcome> {
        self.fence(fence, Fencing::Write).await?;
        if let Some(existing) = self.read_ticket(ticket.id).await? {
            return Ok(OpenOutcome::Existing(existing));
        }
        if let Some(refused) = self.reserve_open(&ticket, limits, now).await? {
            return Ok(refused);
        }
        match self.number(ticket.clone()).await {
            Ok(outcome) => Ok(outcome),
            Err(error) => {
                // The member's place is not held for an open that failed here (its number, if
                // one was given, is written by the next open of the guild).
                let _ = self
                    .exec(
                        "DELETE FROM member_opens WHERE guild_id = ? AND panel_id = ? AND opener_id = ? AND ticket_id = ?",
                        member_key_with(&ticket),
                    )
                    .await;
                Err(error)
            }
        }
    }

    /// Reserves the member's place for `ticket` on its panel, or says why not: the open limit
    /// (with the member's active tickets) or the cooldown. `None`: reserved.
    async fn reserve_open(
        &self,
        ticket: &Ticket,
        limits: OpenLimits,
        now: Timestamp,
    ) -> Result<Option<OpenOutcome>> {
        let key = member_key(ticket);
        let ttl =
            i32::try_from(limits.cooldown.as_secs() + IN_FLIGHT.as_secs() * 2).unwrap_or(i32::MAX);
        for attempt in 0..CAS_ATTEMPTS {
            let rows: Vec<(Option<i64>, Option<i64>, Option<i64>)> = self
                .rows(
                    "SELECT ticket_id, created_at, seq FROM member_opens WHERE guild_id = ? AND panel_id = ? AND opener_id = ?",
                    key,
                )
                .await?;
            let seq = rows.first().and_then(|(_, _, seq)| *seq);
            let opens: Vec<(i64, i64)> = rows
                .iter()
                .filter_map(|(id, created, _)| Some(((*id)?, (*created)?)))
                .collect();
            if opens.iter().any(|(id, _)| *id == big(ticket.id.0)) {
                // Reserved by an earlier attempt of this very open (a redelivery).
                return Ok(None);
            }
            let mut active = self.active_of_member(ticket).await?;
            // The member's other opens still remembered (rows expire after the cooldown): each
            // checked, so that a refusal lists them and the cooldown counts them.
            let others: Vec<(i64, i64)> = opens
                .iter()
                .filter(|(id, _)| !active.iter().any(|t| big(t.id.0) == *id))
                .copied()
                .collect();
            let mut in_flight = 0;
            let mut last_counted: Option<i64> =
                active.iter().map(|t| t.created_at.as_millis()).max();
            for (id, created) in &others {
                let young = now.since(Timestamp::from_millis(*created)) < IN_FLIGHT;
                let id = TicketId(u64::try_from(*id).unwrap_or(0));
                match self.settled_open(id, ticket.guild_id, young).await? {
                    Some(found) if found.state.is_active() => {
                        if found.guild_id == ticket.guild_id
                            && found.panel_id == ticket.panel_id
                            && found.opener == ticket.opener
                        {
                            last_counted = last_counted.max(Some(found.created_at.as_millis()));
                            active.push(found);
                        }
                    }
                    Some(found) => {
                        // Ended: it counts for the cooldown unless Discord never gave it a
                        // channel (the member did not get a ticket).
                        if !matches!(found.close_reason, Some(CloseReason::OpenFailed)) {
                            last_counted = last_counted.max(Some(found.created_at.as_millis()));
                        }
                    }
                    None => {
                        if young {
                            in_flight += 1;
                            last_counted = last_counted.max(Some(*created));
                        }
                    }
                }
            }
            active.sort_by_key(|t| t.number);
            active.dedup_by_key(|t| t.id);
            if active.len() + in_flight >= limits.max_open as usize {
                return Ok(Some(OpenOutcome::LimitReached {
                    limit: limits.max_open,
                    open: active,
                }));
            }
            if !limits.cooldown.is_zero()
                && let Some(last) = last_counted
            {
                let elapsed = now.since(Timestamp::from_millis(last));
                if elapsed < limits.cooldown {
                    return Ok(Some(OpenOutcome::Cooldown {
                        retry_after: limits.cooldown - elapsed,
                    }));
                }
            }
            let row = (
                key.0,
                key.1,
                key.2,
                big(ticket.id.0),
                ticket.created_at.as_millis(),
                ttl,
            );
            let next = seq.unwrap_or(0) + 1;
            let cas = match seq {
                Some(seq) => {
                    self.cas_batch(
                        &[
                            "UPDATE member_opens SET seq = ? WHERE guild_id = ? AND panel_id = ? AND opener_id = ? IF seq = ?",
                            INSERT_OPEN,
                        ],
                        ((next, key.0, key.1, key.2, seq), row),
                    )
                    .await?
                }
                None => {
                    self.cas_batch(
                        &[
                            "UPDATE member_opens SET seq = ? WHERE guild_id = ? AND panel_id = ? AND opener_id = ? IF seq = null",
                            INSERT_OPEN,
                        ],
                        ((next, key.0, key.1, key.2), row),
                    )
                    .await?
                }
            };
            match cas {
                Cas::Applied => return Ok(None),
                Cas::Refused(_) => back_off(attempt).await,
                Cas::Uncertain => {
                    let reserved: Vec<(i64,)> = self
                        .serial_rows(
                            "SELECT ticket_id FROM member_opens WHERE guild_id = ? AND panel_id = ? AND opener_id = ? AND ticket_id = ?",
                            member_key_with(ticket),
                        )
                        .await?;
                    if !reserved.is_empty() {
                        return Ok(None);
                    }
                }
            }
        }
        Err(contended("a member's opens"))
    }

    /// A ticket another open of the member reserved a place for: written, numbered (and then
    /// written now: its open stopped between the two), or — for a `young` one — waited for
    /// briefly; `None` if it is none of these.
    async fn settled_open(
        &self,
        id: TicketId,
        guild: GuildId,
        young: bool,
    ) -> Result<Option<Ticket>> {
        if let Some(ticket) = self.read_ticket(id).await? {
            return Ok(Some(ticket));
        }
        if let Some(ticket) = self.numbered_pending(guild, id).await? {
            return Ok(Some(ticket));
        }
        if !young {
            return Ok(None);
        }
        for wait in 0..40 {
            tokio::time::sleep(Duration::from_millis(5 * (1 + wait / 4))).await;
            if let Some(ticket) = self.read_ticket(id).await? {
                return Ok(Some(ticket));
            }
        }
        self.numbered_pending(guild, id).await
    }

    /// The ticket `id` if its guild's counter holds it numbered but unwritten: written now.
    async fn numbered_pending(&self, guild: GuildId, id: TicketId) -> Result<Option<Ticket>> {
        let counter: Vec<(Option<i64>, Option<i64>, Option<String>)> =
            self.rows(READ_COUNTER, (big(guild.get()),)).await?;
        match counter.into_iter().next() {
            Some((_, Some(pending_id), Some(pending))) if pending_id == big(id.0) => {
                let numbered: Ticket = decode("ticket", &pending)?;
                Ok(Some(self.write_new(&numbered).await?))
            }
            _ => Ok(None),
        }
    }

    /// The member's active tickets on the ticket's panel, from the member's list, each checked
    /// against its record.
    async fn active_of_member(&self, ticket: &Ticket) -> Result<Vec<Ticket>> {
        let opener = big(ticket.opener.get());
        let guild = big(ticket.guild_id.get());
        let entries = self.hints_at(Kind::Member, opener, guild).await?;
        let entries: Vec<Entry> = entries
            .into_iter()
            .filter(|entry| entry.2 == i64::from(ticket.panel_id.0))
            .collect();
        let found = self.checked(Kind::Member, opener, &entries, |t, entry| {
            t.state.is_active()
                && big(t.opener.get()) == opener
                && big(t.guild_id.get()) == guild
                && i64::from(t.panel_id.0) == entry.2
        });
        Ok(found.await?.into_iter().map(|(_, t)| t).collect())
    }

    /// The tickets a list's entries point to that `wanted` accepts, in the entries' order;
    /// entries the ticket no longer has are removed (ticket missing: an open in flight, left
    /// alone).
    pub(super) async fn checked(
        &self,
        kind: Kind,
        part: i64,
        entries: &[Entry],
        wanted: impl Fn(&Ticket, &Entry) -> bool,
    ) -> Result<Vec<(Entry, Ticket)>> {
        let ids: Vec<i64> = entries.iter().map(|entry| entry.1).collect();
        let tickets = self.read_tickets(&ids).await?;
        let mut found = Vec::new();
        let mut stale = Vec::new();
        for (entry, ticket) in entries.iter().zip(tickets) {
            let Some(ticket) = ticket else { continue };
            let hint = Self::entry_hint(kind, part, *entry);
            if !ticket_hints(&ticket).contains(&hint) {
                stale.push((hint, ticket.id, ticket.version));
            } else if wanted(&ticket, entry) {
                found.push((*entry, ticket));
            }
        }
        for (hint, id, version) in stale {
            self.drop_hints(&[hint], removed_at(id, version)).await?;
        }
        Ok(found)
    }

    /// Gives the ticket the next number of its guild and writes it.
    async fn number(&self, ticket: Ticket) -> Result<OpenOutcome> {
        let guild = big(ticket.guild_id.get());
        let id = big(ticket.id.0);
        let mut serial = false;
        // Every open of a guild takes its turn here, one per round of Paxos: a burst of opens
        // in one guild waits longer than for any other compare-and-set.
        for attempt in 0..NUMBER_ATTEMPTS {
            let counter: Vec<(Option<i64>, Option<i64>, Option<String>)> = if serial {
                self.serial_rows(READ_COUNTER, (guild,)).await?
            } else {
                self.rows(READ_COUNTER, (guild,)).await?
            };
            if serial {
                // An earlier attempt's answer was lost: if it numbered this ticket and another
                // open already wrote it, that is the ticket.
                let mine: Vec<(Option<String>,)> = self
                    .serial_rows(
                        "SELECT data FROM tickets WHERE ticket_id = ? LIMIT 1",
                        (id,),
                    )
                    .await?;
                if let Some((Some(data),)) = mine.into_iter().next() {
                    return Ok(OpenOutcome::Created(decode("ticket", &data)?));
                }
            }
            let (last, pending_id, pending) = counter.into_iter().next().unwrap_or_default();
            if let (Some(pending_id), Some(pending)) = (pending_id, &pending) {
                let numbered: Ticket = decode("ticket", pending)?;
                if pending_id == id {
                    // Numbered by an earlier attempt whose answer was lost.
                    return Ok(OpenOutcome::Created(self.write_new(&numbered).await?));
                }
                // The previous open of the guild: written before its place in the sequence
                // is given to another.
                if self.read_ticket(numbered.id).await?.is_none() {
                    self.write_new(&numbered).await?;
                }
            }
            let mut numbered = ticket.clone();
            numbered.number = u32::try_from(last.unwrap_or(0) + 1)
                .map_err(|_| invalid("the guild's ticket numbers are exhausted".into()))?;
            let data = super::tickets::encode(&numbered)?;
            let cas = match last {
                None => {
                    self.cas(
                        "INSERT INTO guild_numbers (guild_id, last, pending_id, pending) VALUES (?, ?, ?, ?) IF NOT EXISTS",
                        (guild, i64::from(numbered.number), id, data),
                    )
                    .await?
                }
                Some(last) => {
                    self.cas(
                        "UPDATE guild_numbers SET last = ?, pending_id = ?, pending = ? WHERE guild_id = ? IF last = ?",
                        (i64::from(numbered.number), id, data, guild, last),
                    )
                    .await?
                }
            };
            match cas {
                Cas::Applied => {
                    return Ok(OpenOutcome::Created(self.write_new(&numbered).await?));
                }
                Cas::Refused(_) => {
                    serial = false;
                    back_off(attempt).await;
                }
                // Applied or not: the counter read at SERIAL says (its pending ticket is ours).
                Cas::Uncertain => serial = true,
            }
        }
        Err(contended("a guild's ticket numbers"))
    }

    /// Writes a numbered ticket (at version 0) and its entries, unless it is written; returns
    /// the ticket as stored (another open may have written it first, or moved it on since).
    async fn write_new(&self, ticket: &Ticket) -> Result<Ticket> {
        self.put_hints(&ticket_hints(ticket), written_at(ticket.id, 0))
            .await?;
        let data = encode(ticket)?;
        for attempt in 0..CAS_ATTEMPTS {
            let cas = self
                .cas(
                    "INSERT INTO tickets (ticket_id, version, guild_id, data) VALUES (?, ?, ?, ?) IF NOT EXISTS",
                    (
                        big(ticket.id.0),
                        big(ticket.version),
                        big(ticket.guild_id.get()),
                        data.clone(),
                    ),
                )
                .await?;
            match cas {
                Cas::Applied => return Ok(ticket.clone()),
                Cas::Refused(_) | Cas::Uncertain => {
                    let stored: Vec<(Option<String>,)> = self
                        .serial_rows(
                            "SELECT data FROM tickets WHERE ticket_id = ? LIMIT 1",
                            (big(ticket.id.0),),
                        )
                        .await?;
                    if let Some((Some(data),)) = stored.into_iter().next() {
                        return decode("ticket", &data);
                    }
                    back_off(attempt).await;
                }
            }
        }
        Err(contended("a new ticket"))
    }

    /// Stores `ticket` at `expected + 1` with its new effects (one conditional batch) and
    /// writes the entries it gains; returns the entries it lost, for the caller to remove once
    /// nothing else depends on them.
    pub(super) async fn write_ticket(
        &self,
        ticket: &Ticket,
        expected: u64,
        effects: &[Effect],
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<Vec<Hint>> {
        if ticket.version != expected + 1 {
            return Err(invalid(format!(
                "ticket {} is written at version {} but expected at {expected}: versions go up by one",
                ticket.id, ticket.version
            )));
        }
        let effects: Vec<&Effect> = effects
            .iter()
            .filter(|effect| !matches!(effect.kind, EffectKind::SaveTicket { .. }))
            .collect();
        if let Some(foreign) = effects.iter().find(|effect| effect.key.ticket != ticket.id) {
            return Err(invalid(format!(
                "effect {} does not belong to ticket {}",
                foreign.key, ticket.id
            )));
        }
        self.fence(fence, Fencing::Write).await?;
        let current = self.partition(ticket.id, false).await?;
        let Some(stored) = current.ticket else {
            return Err(conflict(expected, None));
        };
        if stored.version != expected {
            return Err(conflict(expected, Some(stored.version)));
        }
        // An effect already queued (or settled) is left as it is.
        let effects: Vec<&Effect> = effects
            .into_iter()
            .filter(|effect| !current.effects.iter().any(|row| row.key == effect.key))
            .collect();
        let before = ticket_hints(&stored);
        let after = ticket_hints(ticket);
        let gained = without(&after, &before);
        let effect_hints: Vec<Hint> = effects
            .iter()
            .map(|effect| effect_hint(ticket, effect.key, now.as_millis()))
            .collect();
        self.put_hints(&gained, written_at(ticket.id, ticket.version))
            .await?;
        self.put_hints(&effect_hints, written_at(ticket.id, 0))
            .await?;

        let id = big(ticket.id.0);
        let data = encode(ticket)?;
        let writer = super::transcripts::upload_id().to_string();
        let mut statements = vec![WRITE_TICKET, MARK_WRITER];
        let mut values: Vec<Vec<Option<CqlValue>>> = vec![
            vec![
                Some(CqlValue::BigInt(big(ticket.version))),
                Some(CqlValue::BigInt(big(ticket.guild_id.get()))),
                Some(CqlValue::Text(data.clone())),
                Some(CqlValue::BigInt(id)),
                Some(CqlValue::BigInt(big(expected))),
            ],
            vec![
                Some(CqlValue::BigInt(id)),
                Some(CqlValue::BigInt(big(ticket.version))),
                Some(CqlValue::Text(writer.clone())),
            ],
        ];
        for effect in &effects {
            statements.push(QUEUE_EFFECT);
            values.push(vec![
                Some(CqlValue::BigInt(id)),
                Some(CqlValue::BigInt(big(effect.key.version))),
                Some(CqlValue::Int(i32::from(effect.key.step))),
                Some(CqlValue::BigInt(now.as_millis())),
                Some(CqlValue::BigInt(now.as_millis())),
                Some(CqlValue::Text(encode(*effect)?)),
            ]);
        }
        for attempt in 0..CAS_ATTEMPTS {
            match self.cas_batch(&statements, &values).await? {
                Cas::Applied => return Ok(lost(&before, ticket)),
                refused @ Cas::Refused(_) => {
                    let actual = refused.big("version").and_then(|v| u64::try_from(v).ok());
                    self.after_lost(ticket, &gained, &effect_hints).await?;
                    return Err(conflict(expected, actual));
                }
                Cas::Uncertain => {
                    let now_stored = self.partition(ticket.id, true).await?;
                    let landed = now_stored
                        .writers
                        .iter()
                        .any(|(version, by)| *version == big(ticket.version) && *by == writer);
                    if landed {
                        return Ok(lost(&before, ticket));
                    }
                    match now_stored.ticket {
                        Some(found) if found.version == expected => back_off(attempt).await,
                        found => {
                            self.after_lost(ticket, &gained, &effect_hints).await?;
                            return Err(conflict(expected, found.map(|t| t.version)));
                        }
                    }
                }
            }
        }
        Err(contended("a ticket"))
    }

    /// Removes what a write that lost its race wrote ahead of it, but what the ticket as it now
    /// stands has.
    async fn after_lost(&self, ticket: &Ticket, gained: &[Hint], effects: &[Hint]) -> Result<()> {
        let current = self.partition(ticket.id, false).await?;
        let has = current
            .ticket
            .as_ref()
            .map(ticket_hints)
            .unwrap_or_default();
        self.drop_hints(
            &without(gained, &has),
            removed_at(ticket.id, ticket.version),
        )
        .await?;
        let queued: Vec<Hint> = current
            .effects
            .iter()
            .filter(|row| row.pending() && row.attempts == 0)
            .filter_map(|row| {
                current
                    .ticket
                    .as_ref()
                    .map(|t| effect_hint(t, row.key, row.next))
            })
            .collect();
        self.drop_hints(&without(effects, &queued), removed_at(ticket.id, 0))
            .await
    }

    pub(super) async fn commit(
        &self,
        ticket: &Ticket,
        expected: u64,
        effects: &[Effect],
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<()> {
        let lost = self
            .write_ticket(ticket, expected, effects, now, fence)
            .await?;
        self.drop_hints(&lost, removed_at(ticket.id, ticket.version))
            .await
    }

    pub(super) async fn by_channel(&self, channel: ChannelId) -> Result<Option<Ticket>> {
        let part = big(channel.get());
        let entries = self.hints_all(Kind::Channel, part).await?;
        let found = self
            .checked(Kind::Channel, part, &entries, |t, _| {
                t.channel.is_some_and(|c| c.id == channel)
            })
            .await?;
        Ok(found.into_iter().map(|(_, t)| t).next())
    }

    pub(super) async fn by_guild(
        &self,
        guild: GuildId,
        states: &[TicketState],
        page: Page<u32>,
    ) -> Result<Vec<Ticket>> {
        let kind = if !states.is_empty() && states.iter().all(|s| s.is_active()) {
            Kind::Active
        } else {
            Kind::Guild
        };
        let part = big(guild.get());
        let before = page.before.map_or(i64::MAX, i64::from);
        self.page_of(kind, part, before, page.limit, |t, entry| {
            t.guild_id == guild
                && i64::from(t.number) == entry.0
                && (states.is_empty() || states.contains(&t.state))
        })
        .await
    }

    pub(super) async fn by_member(
        &self,
        user: helpline_domain::UserId,
        page: Page<TicketId>,
    ) -> Result<Vec<Ticket>> {
        let part = big(user.get());
        let before = page.before.map_or(i64::MAX, |t| big(t.0));
        self.page_of(Kind::Opener, part, before, page.limit, |t, _| {
            t.opener == user
        })
        .await
    }

    pub(super) async fn of_participant(
        &self,
        user: helpline_domain::UserId,
        page: Page<TicketId>,
    ) -> Result<Vec<Ticket>> {
        let part = big(user.get());
        let mut before = page.before.map_or(i64::MAX, |t| big(t.0));
        let mut tickets: Vec<Ticket> = Vec::new();
        while tickets.len() < page.limit as usize {
            let ask = 200;
            let entries = self
                .hints_below(Kind::Participant, part, before, ask)
                .await?;
            let Some(last) = entries.last() else { break };
            let exhausted = entries.len() < ask as usize;
            before = last.0;
            let ids: Vec<i64> = entries.iter().map(|e| e.1).collect();
            let found = self.read_tickets(&ids).await?;
            for (entry, ticket) in entries.iter().zip(found) {
                let Some(ticket) = ticket else { continue };
                let added = ticket.added_members.contains(&user);
                if entry.2 == 0 && !added {
                    let hint = Self::entry_hint(Kind::Participant, part, *entry);
                    self.drop_hints(&[hint], removed_at(ticket.id, ticket.version))
                        .await?;
                    continue;
                }
                let listed = tickets.last().is_some_and(|t: &Ticket| t.id == ticket.id);
                if ticket.opener != user && !listed && tickets.len() < page.limit as usize {
                    tickets.push(ticket);
                }
            }
            if exhausted {
                break;
            }
        }
        Ok(tickets)
    }

    /// Up to `limit` tickets of a list below `before`, highest first, that `wanted` accepts.
    async fn page_of(
        &self,
        kind: Kind,
        part: i64,
        mut before: i64,
        limit: u32,
        wanted: impl Fn(&Ticket, &Entry) -> bool,
    ) -> Result<Vec<Ticket>> {
        let mut tickets = Vec::new();
        while tickets.len() < limit as usize {
            let want = limit as usize - tickets.len();
            let ask = u32::try_from(want.clamp(16, 500)).unwrap_or(500);
            let entries = self.hints_below(kind, part, before, ask).await?;
            let Some(last) = entries.last() else { break };
            before = last.0;
            let exhausted = entries.len() < ask as usize;
            for (_, ticket) in self.checked(kind, part, &entries, &wanted).await? {
                if tickets.len() < limit as usize {
                    tickets.push(ticket);
                }
            }
            if exhausted {
                break;
            }
        }
        Ok(tickets)
    }

    pub(super) async fn count_active(&self) -> Result<Vec<(TicketState, u64)>> {
        let mut counts = Vec::new();
        for state in TicketState::ACTIVE {
            let index = TicketState::ACTIVE
                .iter()
                .position(|s| *s == state)
                .unwrap_or(0) as i64;
            let parts =
                (0..BUCKETS).map(|bucket| self.count_hints(Kind::State, index * BUCKETS + bucket));
            let total: u64 = futures_util::future::try_join_all(parts)
                .await?
                .into_iter()
                .sum();
            counts.push((state, total));
        }
        Ok(counts)
    }

    /// Every entry of a time-ordered list (all buckets) with `sort` in `from..=to`, by
    /// (sort, ticket).
    pub(super) async fn due_entries(
        &self,
        kind: Kind,
        from: i64,
        to: i64,
    ) -> Result<Vec<(i64, Entry)>> {
        let parts = (0..BUCKETS).map(|bucket| async move {
            self.hints_between(kind, bucket, from, to)
                .await
                .map(|entries| {
                    entries
                        .into_iter()
                        .map(move |e| (bucket, e))
                        .collect::<Vec<_>>()
                })
        });
        let mut all: Vec<(i64, Entry)> = futures_util::future::try_join_all(parts)
            .await?
            .into_iter()
            .flatten()
            .collect();
        all.sort_by_key(|(_, entry)| (entry.0, entry.1, entry.2));
        Ok(all)
    }

    /// Due tickets of a time-ordered ticket list, checked one by one in order until `limit`.
    async fn due_of(
        &self,
        kind: Kind,
        entries: Vec<(i64, Entry)>,
        limit: u32,
        wanted: impl Fn(&Ticket, &Entry) -> bool,
    ) -> Result<Vec<(Entry, Ticket)>> {
        let mut due = Vec::new();
        for chunk in entries.chunks(32) {
            for (bucket, entry) in chunk {
                if due.len() >= limit as usize {
                    return Ok(due);
                }
                let found = self
                    .checked(kind, *bucket, std::slice::from_ref(entry), &wanted)
                    .await?;
                due.extend(found);
            }
        }
        Ok(due)
    }

    pub(super) async fn timers(
        &self,
        now: Timestamp,
        after: Option<(Timestamp, TicketId)>,
        limit: u32,
    ) -> Result<Vec<(TicketId, GuildId, Timestamp)>> {
        let from = after.map_or(i64::MIN, |(at, _)| at.as_millis());
        let entries: Vec<(i64, Entry)> = self
            .due_entries(Kind::Timer, from, now.as_millis())
            .await?
            .into_iter()
            .filter(|(_, entry)| {
                after.is_none_or(|(at, id)| (entry.0, entry.1) > (at.as_millis(), big(id.0)))
            })
            .collect();
        let due = self
            .due_of(Kind::Timer, entries, limit, |t, entry| {
                t.timer.is_some_and(|timer| timer.at.as_millis() == entry.0)
            })
            .await?;
        Ok(due
            .into_iter()
            .map(|(entry, t)| (t.id, t.guild_id, Timestamp::from_millis(entry.0)))
            .collect())
    }

    pub(super) async fn purges(&self, now: Timestamp, limit: u32) -> Result<Vec<TicketId>> {
        let entries = self
            .due_entries(Kind::Purge, i64::MIN, now.as_millis())
            .await?;
        let mut due = Vec::new();
        for (bucket, entry) in entries {
            if due.len() >= limit as usize {
                break;
            }
            let Some(ticket) = self
                .read_ticket(TicketId(u64::try_from(entry.1).unwrap_or(0)))
                .await?
            else {
                continue;
            };
            let current = ticket.purge_at.is_some_and(|at| at.as_millis() == entry.0);
            // Purged, but its transcript's deletion was interrupted: still owed.
            let owed = ticket.transcript_purged && !ticket.state.is_active();
            if current || owed {
                due.push(ticket.id);
            } else {
                let hint = Self::entry_hint(Kind::Purge, bucket, entry);
                self.drop_hints(&[hint], removed_at(ticket.id, ticket.version))
                    .await?;
            }
        }
        Ok(due)
    }

    pub(super) async fn stalled(&self, before: Timestamp, limit: u32) -> Result<Vec<Ticket>> {
        let entries = self
            .due_entries(Kind::Unsettled, i64::MIN, before.as_millis() - 1)
            .await?;
        let mut stalled = Vec::new();
        for (bucket, entry) in entries {
            if stalled.len() >= limit as usize {
                break;
            }
            let found = self
                .checked(Kind::Unsettled, bucket, &[entry], |t, entry| {
                    unsettled(t) && t.created_at.as_millis() == entry.0
                })
                .await?;
            for (_, ticket) in found {
                let partition = self.partition(ticket.id, false).await?;
                if !partition.effects.iter().any(EffectRow::pending) {
                    stalled.push(ticket);
                }
            }
        }
        Ok(stalled)
    }

    /// Deletes a ticket's transcript once its retention is over, marking the ticket first: an
    /// interrupted purge leaves the ticket's purge entry, and the next pass finishes it.
    pub(super) async fn purge(&self, id: TicketId, now: Timestamp) -> Result<u64> {
        for attempt in 0..CAS_ATTEMPTS {
            let Some(stored) = self.read_ticket(id).await? else {
                return Ok(0);
            };
            let due = stored.purge_at.is_some_and(|at| at <= now);
            if !due {
                if stored.transcript_purged && !stored.state.is_active() {
                    // A purge interrupted after marking the ticket: finish it.
                    let rows = self.delete_transcript(id).await?;
                    let leftovers: Vec<Hint> = self
                        .hints_all(Kind::Purge, index::bucket(id.0))
                        .await?
                        .into_iter()
                        .filter(|entry| entry.1 == big(id.0))
                        .map(|entry| Self::entry_hint(Kind::Purge, index::bucket(id.0), entry))
                        .collect();
                    self.drop_hints(&leftovers, removed_at(id, stored.version))
                        .await?;
                    return Ok(rows);
                }
                return Ok(0);
            }
            let mut purged = stored.clone();
            purged.transcript_purged = true;
            purged.purge_at = None;
            purged.answers.clear();
            purged.open_reason = None;
            if matches!(purged.close_reason, Some(CloseReason::Given(_))) {
                purged.close_reason = Some(CloseReason::NoneGiven);
            }
            if let Some(feedback) = purged.feedback.as_mut() {
                feedback.comment = None;
            }
            purged.version += 1;
            match self
                .write_ticket(&purged, stored.version, &[], now, None)
                .await
            {
                Ok(lost) => {
                    let rows = self.delete_transcript(id).await?;
                    self.drop_hints(&lost, removed_at(id, purged.version))
                        .await?;
                    return Ok(rows);
                }
                Err(Error::Conflict { .. }) => back_off(attempt).await,
                Err(error) => return Err(error),
            }
        }
        Err(contended("a ticket's purge"))
    }
}

/// How often an open tries for its guild's next number before giving up (with the pause
/// between tries, some thirty seconds of a sustained burst).
const NUMBER_ATTEMPTS: u32 = 2_000;

const INSERT_OPEN: &str = "INSERT INTO member_opens (guild_id, panel_id, opener_id, ticket_id, created_at) VALUES (?, ?, ?, ?, ?) USING TTL ?";
const READ_COUNTER: &str = "SELECT last, pending_id, pending FROM guild_numbers WHERE guild_id = ?";

fn member_key(ticket: &Ticket) -> (i64, i32, i64) {
    (
        big(ticket.guild_id.get()),
        i32::try_from(ticket.panel_id.0).unwrap_or(i32::MAX),
        big(ticket.opener.get()),
    )
}

fn member_key_with(ticket: &Ticket) -> (i64, i32, i64, i64) {
    let (guild, panel, opener) = member_key(ticket);
    (guild, panel, opener, big(ticket.id.0))
}

/// What a write to `ticket` removes once stored: the entries its previous version had and it
/// has not, and any other state's count entry.
fn lost(before: &[Hint], ticket: &Ticket) -> Vec<Hint> {
    let after = ticket_hints(ticket);
    let mut lost = without(before, &after);
    for hint in index::other_states(ticket) {
        if !lost.contains(&hint) {
            lost.push(hint);
        }
    }
    lost
}

pub(super) fn effect_hint(ticket: &Ticket, key: EffectKey, at: i64) -> Hint {
    index::ticket_hint(
        Kind::Effect,
        ticket,
        index::bucket(ticket.id.0),
        at,
        index::effect_sub(key),
    )
}

fn conflict(expected: u64, actual: Option<u64>) -> Error {
    Error::Conflict {
        what: "ticket",
        expected,
        actual,
    }
}

pub(super) fn contended(what: &str) -> Error {
    invalid(format!("too many concurrent writes to {what}: gave up"))
}
