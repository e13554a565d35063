//! The effect outbox: each effect is a row of its ticket's partition, settled by a lightweight
//! transaction on its status; the `effect` list finds due ones, the `finished` list old
//! settled ones.

use super::index::{self, Entry, Hint, Kind, removed_at, written_at};
use super::tickets::{EffectRow, Partition, contended, decode, effect_hint};
use super::{CAS_ATTEMPTS, Cas, ScyllaStore, back_off, big};
use crate::{OutboxDepth, PendingEffect, Result};
use helpline_domain::{EffectKey, GuildId, Id, TicketId, Timestamp};
use std::collections::BTreeMap;

/// The timestamp an effect's entry is written at for its `attempts`-th retry.
fn attempt_written(ticket: TicketId, attempts: u32) -> i64 {
    written_at(ticket, u64::from(attempts))
}

/// The timestamp the entry of its `attempts`-th retry is removed at.
fn attempt_removed(ticket: TicketId, attempts: u32) -> i64 {
    removed_at(ticket, u64::from(attempts))
}

/// How an effect is settled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Settle {
    Done,
    GivenUp,
}

impl Settle {
    const fn status(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::GivenUp => "given_up",
        }
    }
}

fn ticket_of(id: i64) -> TicketId {
    TicketId(u64::try_from(id).unwrap_or(0))
}

impl ScyllaStore {
    pub(super) async fn pending(&self, ticket: TicketId) -> Result<Vec<PendingEffect>> {
        let partition = self.partition(ticket, false).await?;
        pending_of(&partition)
    }

    /// The effect `key` as stored, with its ticket's partition.
    async fn effect_row(
        &self,
        key: EffectKey,
        serial: bool,
    ) -> Result<(Partition, Option<EffectRow>)> {
        let partition = self.partition(key.ticket, serial).await?;
        let row = partition.effects.iter().find(|row| row.key == key).cloned();
        Ok((partition, row))
    }

    /// Settles a pending effect; `false` when it was not pending.
    async fn settle(
        &self,
        key: EffectKey,
        how: Settle,
        at: Timestamp,
        error: Option<&str>,
    ) -> Result<bool> {
        let (partition, row) = self.effect_row(key, false).await?;
        let (Some(row), Some(ticket)) = (row, partition.ticket) else {
            return Ok(false);
        };
        if !row.pending() {
            return Ok(false);
        }
        let finished = index::ticket_hint(
            Kind::Finished,
            &ticket,
            index::bucket(key.ticket.0),
            at.as_millis(),
            index::effect_sub(key),
        );
        self.put_hints(&[finished], written_at(key.ticket, 0))
            .await?;
        let values = (
            how.status(),
            at.as_millis(),
            error.map(str::to_owned).or(row.last_error.clone()),
            big(key.ticket.0),
            big(key.version),
            i32::from(key.step),
        );
        for attempt in 0..CAS_ATTEMPTS {
            let cas = self
                .cas(
                    "UPDATE tickets SET status = ?, finished_at = ?, last_error = ? WHERE ticket_id = ? AND effect_version = ? AND effect_step = ? IF status = 'pending'",
                    values.clone(),
                )
                .await?;
            let applied = match cas {
                Cas::Applied => true,
                Cas::Refused(_) => false,
                Cas::Uncertain => {
                    let (_, now) = self.effect_row(key, true).await?;
                    match now {
                        Some(now) if now.pending() => {
                            back_off(attempt).await;
                            continue;
                        }
                        Some(now) => {
                            now.status == how.status() && now.finished == Some(at.as_millis())
                        }
                        None => false,
                    }
                }
            };
            if applied {
                // Above any retry's entry: a settled effect is never retried.
                let due = effect_hint(&ticket, key, row.next);
                self.drop_hints(&[due], attempt_removed(key.ticket, row.attempts + 1))
                    .await?;
            } else {
                // Settled by someone else: their entry in the finished list stands.
                let (_, now) = self.effect_row(key, false).await?;
                if now.and_then(|now| now.finished) != Some(at.as_millis()) {
                    self.drop_hints(&[finished], removed_at(key.ticket, 0))
                        .await?;
                }
            }
            return Ok(applied);
        }
        Err(contended("an effect"))
    }

    pub(super) async fn finish(&self, key: EffectKey, at: Timestamp) -> Result<bool> {
        self.settle(key, Settle::Done, at, None).await
    }

    pub(super) async fn give_up(&self, key: EffectKey, at: Timestamp, error: &str) -> Result<bool> {
        self.settle(key, Settle::GivenUp, at, Some(error)).await
    }

    pub(super) async fn retry(&self, key: EffectKey, next: Timestamp, error: &str) -> Result<bool> {
        for attempt in 0..CAS_ATTEMPTS {
            let (partition, row) = self.effect_row(key, attempt > 0).await?;
            let (Some(row), Some(ticket)) = (row, partition.ticket) else {
                return Ok(false);
            };
            if !row.pending() {
                return Ok(false);
            }
            let old = effect_hint(&ticket, key, row.next);
            let new = effect_hint(&ticket, key, next.as_millis());
            let attempts = row.attempts + 1;
            self.put_hints(&[new], attempt_written(key.ticket, attempts))
                .await?;
            let cas = self
                .cas(
                    "UPDATE tickets SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE ticket_id = ? AND effect_version = ? AND effect_step = ? IF status = 'pending' AND attempts = ?",
                    (
                        i32::try_from(attempts).unwrap_or(i32::MAX),
                        next.as_millis(),
                        error,
                        big(key.ticket.0),
                        big(key.version),
                        i32::from(key.step),
                        i32::try_from(row.attempts).unwrap_or(i32::MAX),
                    ),
                )
                .await?;
            let applied = match cas {
                Cas::Applied => true,
                Cas::Refused(_) => false,
                Cas::Uncertain => {
                    let (_, now) = self.effect_row(key, true).await?;
                    now.is_some_and(|now| {
                        now.pending()
                            && now.attempts == attempts
                            && now.next == next.as_millis()
                            && now.last_error.as_deref() == Some(error)
                    })
                }
            };
            if applied {
                if old != new {
                    self.drop_hints(&[old], attempt_removed(key.ticket, row.attempts))
                        .await?;
                }
                return Ok(true);
            }
            // Lost to another retry or a settle: take back this entry unless it is theirs.
            let (_, now) = self.effect_row(key, false).await?;
            let theirs = now
                .as_ref()
                .is_some_and(|now| now.pending() && now.next == next.as_millis());
            if !theirs {
                self.drop_hints(&[new], attempt_removed(key.ticket, attempts))
                    .await?;
            }
            back_off(attempt).await;
        }
        Err(contended("an effect"))
    }

    pub(super) async fn give_up_ticket(
        &self,
        ticket: TicketId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        let partition = self.partition(ticket, false).await?;
        let mut given_up = 0;
        for row in partition.effects.iter().filter(|row| row.pending()) {
            if self.give_up(row.key, at, error).await? {
                given_up += 1;
            }
        }
        Ok(given_up)
    }

    pub(super) async fn give_up_guild(
        &self,
        guild: GuildId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        let tickets = self.pending_tickets(i64::MAX, None).await?;
        let mut given_up = 0;
        for (ticket, _) in tickets {
            let partition = self.partition(ticket, false).await?;
            if partition.guild == Some(big(guild.get())) {
                given_up += self.give_up_ticket(ticket, at, error).await?;
            }
        }
        Ok(given_up)
    }

    /// Tickets with an entry in the `effect` list due by `until`, each checked against its
    /// partition (stale entries removed), with the earliest next attempt of its pending effects.
    /// With a `limit`, tickets are checked earliest entry first and the search stops once
    /// that many are due.
    async fn pending_tickets(
        &self,
        until: i64,
        limit: Option<u32>,
    ) -> Result<Vec<(TicketId, (i64, Partition))>> {
        let entries = self.due_entries(Kind::Effect, i64::MIN, until).await?;
        let mut by_ticket: BTreeMap<i64, Vec<(i64, Entry)>> = BTreeMap::new();
        for (bucket, entry) in entries {
            by_ticket.entry(entry.1).or_default().push((bucket, entry));
        }
        let mut order: Vec<(i64, Vec<(i64, Entry)>)> = by_ticket.into_iter().collect();
        order.sort_by_key(|(id, entries)| (entries.iter().map(|(_, e)| e.0).min(), *id));
        let mut found = Vec::new();
        for (id, entries) in order {
            if limit.is_some_and(|limit| {
                found
                    .iter()
                    .filter(|(_, (earliest, _)): &&(TicketId, (i64, Partition))| *earliest <= until)
                    .count()
                    >= limit as usize
            }) {
                break;
            }
            let ticket = ticket_of(id);
            let partition = self.partition(ticket, false).await?;
            let mut stale: Vec<(Hint, i64)> = Vec::new();
            for (bucket, entry) in &entries {
                let hint = Self::entry_hint(Kind::Effect, *bucket, *entry);
                let row = partition
                    .effects
                    .iter()
                    .find(|row| index::effect_sub(row.key) == entry.2);
                match row {
                    Some(row) if row.pending() && row.next == entry.0 => {}
                    Some(row) if row.pending() => {
                        stale.push((hint, attempt_removed(ticket, row.attempts)));
                    }
                    Some(row) => stale.push((hint, attempt_removed(ticket, row.attempts + 1))),
                    None => {
                        // No such effect: its commit lost (and is gone) once the ticket is at
                        // its version or later; before that, it is in flight.
                        let version = u64::try_from(entry.2 / 256).unwrap_or(0);
                        if partition
                            .ticket
                            .as_ref()
                            .is_some_and(|t| t.version >= version)
                        {
                            stale.push((hint, removed_at(ticket, 0)));
                        }
                    }
                }
            }
            for (hint, timestamp) in stale {
                self.drop_hints(&[hint], timestamp).await?;
            }
            let earliest = partition
                .effects
                .iter()
                .filter(|row| row.pending())
                .map(|row| row.next)
                .min();
            if let Some(earliest) = earliest {
                found.push((ticket, (earliest, partition)));
            }
        }
        Ok(found)
    }

    pub(super) async fn due(&self, now: Timestamp, limit: u32) -> Result<Vec<(TicketId, GuildId)>> {
        let mut due: Vec<(i64, TicketId, i64)> = self
            .pending_tickets(now.as_millis(), Some(limit))
            .await?
            .into_iter()
            .filter(|(_, (earliest, _))| *earliest <= now.as_millis())
            .map(|(ticket, (earliest, partition))| (earliest, ticket, partition.guild.unwrap_or(0)))
            .collect();
        due.sort_by_key(|(earliest, ticket, _)| (*earliest, ticket.0));
        Ok(due
            .into_iter()
            .take(limit as usize)
            .filter_map(|(_, ticket, guild)| {
                Some((ticket, Id::new_checked(u64::try_from(guild).ok()?)?))
            })
            .collect())
    }

    pub(super) async fn depth(&self) -> Result<OutboxDepth> {
        let mut depth = OutboxDepth::default();
        for (_, (_, partition)) in self.pending_tickets(i64::MAX, None).await? {
            for row in partition.effects.iter().filter(|row| row.pending()) {
                depth.pending += 1;
                let created = Timestamp::from_millis(row.created);
                depth.oldest = Some(
                    depth
                        .oldest
                        .map_or(created, |oldest: Timestamp| oldest.min(created)),
                );
            }
        }
        Ok(depth)
    }

    pub(super) async fn purge_settled(&self, before: Timestamp) -> Result<u64> {
        let entries = self
            .due_entries(Kind::Finished, i64::MIN, before.as_millis() - 1)
            .await?;
        let mut purged = 0;
        for (bucket, entry) in entries {
            let hint = Self::entry_hint(Kind::Finished, bucket, entry);
            let key = EffectKey {
                ticket: ticket_of(entry.1),
                version: u64::try_from(entry.2 / 256).unwrap_or(0),
                step: u8::try_from(entry.2 % 256).unwrap_or(0),
            };
            let (_, row) = self.effect_row(key, false).await?;
            match row {
                // Still pending: a settle in flight, or one that lost; the entry waits.
                Some(row) if row.pending() => continue,
                Some(row) if row.finished == Some(entry.0) => {
                    // Settled rows are never written again: a plain delete is safe.
                    self.exec(
                        "DELETE FROM tickets WHERE ticket_id = ? AND effect_version = ? AND effect_step = ?",
                        (big(key.ticket.0), big(key.version), i32::from(key.step)),
                    )
                    .await?;
                    purged += 1;
                }
                _ => {}
            }
            self.drop_hints(&[hint], removed_at(key.ticket, 0)).await?;
        }
        Ok(purged)
    }
}

fn pending_of(partition: &Partition) -> Result<Vec<PendingEffect>> {
    let guild = partition
        .guild
        .and_then(|g| u64::try_from(g).ok())
        .and_then(Id::new_checked);
    let mut rows: Vec<&EffectRow> = partition
        .effects
        .iter()
        .filter(|row| row.pending())
        .collect();
    rows.sort_by_key(|row| (row.key.version, row.key.step));
    rows.into_iter()
        .map(|row| {
            Ok(PendingEffect {
                effect: decode("effect", &row.data)?,
                guild_id: guild
                    .ok_or_else(|| super::invalid("an effect's ticket has no guild".into()))?,
                attempts: row.attempts,
                next_attempt_at: Timestamp::from_millis(row.next),
                created_at: Timestamp::from_millis(row.created),
                last_error: row.last_error.clone(),
            })
        })
        .collect()
}
