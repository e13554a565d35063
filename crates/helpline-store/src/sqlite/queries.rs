//! The [`Store`] implementation: each method is one job on the writer thread (one transaction)
//! or one read.

use super::SqliteStore;
use crate::seal::{Keys, Record};
use crate::{
    Error, Fence, GuildJob, InteractionClaim, JobState, OpenOutcome, OutboxDepth, Page,
    PanelAccess, PendingEffect, Result, Store, TicketMessage,
};
use async_trait::async_trait;
use helpline_domain::lifecycle::OpenLimits;
use helpline_domain::{
    ChannelId, CloseReason, Effect, EffectKey, EffectKind, GuildConfig, GuildId, Id, MessageId,
    Ticket, TicketId, TicketState, Timestamp, TranscriptMessage, UserId,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};
use std::collections::HashSet;

/// Snowflakes are below 2^63, so they keep their order as SQLite's signed integers.
fn sql_id(id: u64) -> i64 {
    id as i64
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Invalid(format!("cannot encode: {e}")))
}

fn decode<T: serde::de::DeserializeOwned>(what: &'static str, data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|source| Error::Corrupt { what, source })
}

/// Guild jobs from rows of `id, guild_id, task, requested_by, requested_at, state, attempts,
/// due_at, ended_at`.
fn jobs(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<GuildJob>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, i64>(4)?,
            row.get::<_, String>(5)?,
            row.get::<_, i64>(6)?,
            row.get::<_, i64>(7)?,
            row.get::<_, Option<i64>>(8)?,
        ))
    })?;
    let mut jobs = Vec::new();
    for row in rows {
        let (id, guild, task, by, at, state, attempts, due_at, ended_at) = row?;
        let (Some(guild_id), Some(requested_by)) =
            (Id::new_checked(guild as u64), Id::new_checked(by as u64))
        else {
            return Err(Error::Invalid("a guild job names id 0".into()));
        };
        jobs.push(GuildJob {
            id: id as u64,
            guild_id,
            task: decode("guild job", &task)?,
            requested_by,
            requested_at: Timestamp::from_millis(at),
            state: decode("guild job state", &state)?,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            due_at: Timestamp::from_millis(due_at),
            ended_at: ended_at.map(Timestamp::from_millis),
        });
    }
    Ok(jobs)
}

fn ticket_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<String> {
    row.get(0)
}

fn tickets(
    connection: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Ticket>> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(params, ticket_from_row)?;
    let mut tickets = Vec::new();
    for data in rows {
        tickets.push(decode("ticket", &data?)?);
    }
    Ok(tickets)
}

fn ticket_by_id(connection: &Connection, id: TicketId) -> Result<Option<Ticket>> {
    let data: Option<String> = connection
        .prepare_cached("SELECT data FROM tickets WHERE id = ?1")?
        .query_row([sql_id(id.0)], |row| row.get(0))
        .optional()?;
    data.map(|data| decode("ticket", &data)).transpose()
}

fn insert_ticket(connection: &Connection, ticket: &Ticket) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO tickets (id, guild_id, number, panel_id, opener_id, channel_id, state, version, created_at, data, timer_at, purge_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            sql_id(ticket.id.0),
            sql_id(ticket.guild_id.get()),
            ticket.number,
            ticket.panel_id.0,
            sql_id(ticket.opener.get()),
            ticket.channel.map(|c| sql_id(c.id.get())),
            ticket.state.name(),
            sql_id(ticket.version),
            ticket.created_at.as_millis(),
            encode(ticket)?,
            ticket.timer.map(|timer| timer.at.as_millis()),
            ticket.purge_at.map(Timestamp::as_millis),
        ])?;
    Ok(())
}

/// What a fence check does in the caller's transaction.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fencing {
    /// Refuses a token older than the shard's highest.
    Check,
    /// Refuses an older token and records a newer one (a write).
    Write,
    /// A new grant: refuses a token not newer than the highest (a coordinator that lost its
    /// data grants old tokens again), and records it.
    Grant,
}

fn fenced(connection: &Connection, fence: Option<Fence>, mode: Fencing) -> Result<()> {
    let Some(fence) = fence else {
        return Ok(());
    };
    let current: Option<i64> = connection
        .prepare_cached("SELECT token FROM shard_fences WHERE shard = ?1")?
        .query_row([fence.shard], |row| row.get(0))
        .optional()?;
    let current = current.map_or(0, |token| token as u64);
    if current > fence.token || (mode == Fencing::Grant && current == fence.token) {
        return Err(Error::Fenced {
            shard: fence.shard,
            token: fence.token,
            current,
        });
    }
    if mode != Fencing::Check && current < fence.token {
        connection
            .prepare_cached(
                "INSERT INTO shard_fences (shard, token) VALUES (?1, ?2)
                 ON CONFLICT (shard) DO UPDATE SET token = excluded.token",
            )?
            .execute(params![fence.shard, sql_id(fence.token)])?;
    }
    Ok(())
}

fn open_ticket(
    connection: &mut Connection,
    mut ticket: Ticket,
    limits: OpenLimits,
    now: Timestamp,
    fence: Option<Fence>,
) -> Result<OpenOutcome> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    fenced(&transaction, fence, Fencing::Write)?;
    if let Some(existing) = ticket_by_id(&transaction, ticket.id)? {
        return Ok(OpenOutcome::Existing(existing));
    }
    let guild = sql_id(ticket.guild_id.get());
    let opener = sql_id(ticket.opener.get());
    // `+number` keeps SQLite from walking the guild's whole (guild_id, number) index to avoid a
    // sort: the member's few tickets on the panel come from tickets_by_member_panel instead.
    let active = tickets(
        &transaction,
        "SELECT data FROM tickets
         WHERE guild_id = ?1 AND panel_id = ?2 AND opener_id = ?3 AND state IN ('requested', 'open', 'claimed')
         ORDER BY +number",
        params![guild, ticket.panel_id.0, opener],
    )?;
    if active.len() >= limits.max_open as usize {
        return Ok(OpenOutcome::LimitReached {
            limit: limits.max_open,
            open: active,
        });
    }
    if !limits.cooldown.is_zero() {
        let last: Option<i64> = transaction
            .prepare_cached(
                "SELECT MAX(created_at) FROM tickets WHERE guild_id = ?1 AND panel_id = ?2 AND opener_id = ?3
                 AND NOT (state = 'deleted' AND json_extract(data, '$.close_reason.kind') = 'open_failed')",
            )?
            .query_row(params![guild, ticket.panel_id.0, opener], |row| row.get(0))?;
        if let Some(last) = last {
            let elapsed = now.since(Timestamp::from_millis(last));
            if elapsed < limits.cooldown {
                return Ok(OpenOutcome::Cooldown {
                    retry_after: limits.cooldown - elapsed,
                });
            }
        }
    }
    let number: u32 = transaction
        .prepare_cached(
            "INSERT INTO guild_counters (guild_id, last_number) VALUES (?1, 1)
             ON CONFLICT (guild_id) DO UPDATE SET last_number = last_number + 1
             RETURNING last_number",
        )?
        .query_row([guild], |row| row.get(0))?;
    ticket.number = number;
    insert_ticket(&transaction, &ticket)?;
    transaction.commit()?;
    Ok(OpenOutcome::Created(ticket))
}

fn update_ticket(connection: &mut Connection, ticket: &Ticket, expected: u64) -> Result<()> {
    commit_ticket(
        connection,
        ticket,
        expected,
        &[],
        Timestamp::from_millis(0),
        None,
    )
}

/// Writes the ticket if it is still at `expected`, and queues its effects, in one transaction.
fn commit_ticket(
    connection: &mut Connection,
    ticket: &Ticket,
    expected: u64,
    effects: &[Effect],
    now: Timestamp,
    fence: Option<Fence>,
) -> Result<()> {
    if ticket.version != expected + 1 {
        return Err(Error::Invalid(format!(
            "ticket {} is written at version {} but expected at {expected}: versions go up by one",
            ticket.id, ticket.version
        )));
    }
    let data = encode(ticket)?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    fenced(&transaction, fence, Fencing::Write)?;
    let changed = transaction
        .prepare_cached(
            "UPDATE tickets SET channel_id = ?3, state = ?4, version = ?5, data = ?6, timer_at = ?7,
                    purge_at = ?8
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            sql_id(ticket.id.0),
            sql_id(expected),
            ticket.channel.map(|c| sql_id(c.id.get())),
            ticket.state.name(),
            sql_id(ticket.version),
            data,
            ticket.timer.map(|timer| timer.at.as_millis()),
            ticket.purge_at.map(Timestamp::as_millis),
        ])?;
    if changed == 0 {
        let actual: Option<i64> = transaction
            .prepare_cached("SELECT version FROM tickets WHERE id = ?1")?
            .query_row([sql_id(ticket.id.0)], |row| row.get(0))
            .optional()?;
        return Err(Error::Conflict {
            what: "ticket",
            expected,
            actual: actual.map(|v| v as u64),
        });
    }
    record_added(&transaction, ticket)?;
    for effect in effects {
        if matches!(effect.kind, EffectKind::SaveTicket { .. }) {
            continue;
        }
        if effect.key.ticket != ticket.id {
            return Err(Error::Invalid(format!(
                "effect {} does not belong to ticket {}",
                effect.key, ticket.id
            )));
        }
        transaction
            .prepare_cached(
                "INSERT INTO effects (ticket_id, version, step, guild_id, status, attempts, next_attempt_at, created_at, data)
                 VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5, ?6)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                sql_id(effect.key.ticket.0),
                sql_id(effect.key.version),
                effect.key.step,
                sql_id(ticket.guild_id.get()),
                now.as_millis(),
                encode(effect)?,
            ])?;
    }
    transaction.commit()?;
    Ok(())
}

/// The members added to a ticket, as its participants (replacing the previous list).
fn record_added(connection: &Connection, ticket: &Ticket) -> Result<()> {
    let id = sql_id(ticket.id.0);
    connection
        .prepare_cached("DELETE FROM ticket_participants WHERE ticket_id = ?1 AND wrote = 0")?
        .execute([id])?;
    let mut insert = connection.prepare_cached(
        "INSERT OR IGNORE INTO ticket_participants (user_id, ticket_id, wrote) VALUES (?1, ?2, 0)",
    )?;
    for member in &ticket.added_members {
        insert.execute(params![sql_id(member.get()), id])?;
    }
    Ok(())
}

/// A message's author as a participant of its ticket (bots are not).
fn record_author(connection: &Connection, ticket: i64, author: Option<i64>) -> Result<()> {
    if let Some(author) = author {
        connection
            .prepare_cached(
                "INSERT OR IGNORE INTO ticket_participants (user_id, ticket_id, wrote) VALUES (?1, ?2, 1)",
            )?
            .execute(params![author, ticket])?;
    }
    Ok(())
}

fn pending_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, i64, u32, i64, i64, Option<String>)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

/// Moves one pending effect to `status`, or records a retry; `false` when it was not pending.
fn settle_effect(
    connection: &Connection,
    key: EffectKey,
    sql: &str,
    time: Timestamp,
    error: Option<&str>,
) -> Result<bool> {
    let changed = connection.prepare_cached(sql)?.execute(params![
        sql_id(key.ticket.0),
        sql_id(key.version),
        key.step,
        time.as_millis(),
        error,
    ])?;
    Ok(changed > 0)
}

fn save_guild_config(connection: &mut Connection, config: &GuildConfig) -> Result<GuildConfig> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let guild = sql_id(config.guild_id.get());
    let current: Option<i64> = transaction
        .prepare_cached("SELECT version FROM guild_configs WHERE guild_id = ?1")?
        .query_row([guild], |row| row.get(0))
        .optional()?;
    let current = current.map(|v| v as u64);
    if current.unwrap_or(0) != config.version {
        return Err(Error::Conflict {
            what: "guild configuration",
            expected: config.version,
            actual: current,
        });
    }
    let mut saved = config.clone();
    saved.version = config.version + 1;
    transaction
        .prepare_cached(
            "INSERT INTO guild_configs (guild_id, version, data) VALUES (?1, ?2, ?3)
             ON CONFLICT (guild_id) DO UPDATE SET version = excluded.version, data = excluded.data",
        )?
        .execute(params![guild, sql_id(saved.version), encode(&saved)?])?;
    transaction.commit()?;
    Ok(saved)
}

/// Reads a transcript message, changes it with `change`, and writes it back if it changed.
/// A stored text or blob column's bytes (plain records are text, sealed ones blobs).
fn column_bytes(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Vec<u8>> {
    match row.get_ref(index)? {
        rusqlite::types::ValueRef::Text(bytes) | rusqlite::types::ValueRef::Blob(bytes) => {
            Ok(bytes.to_vec())
        }
        other => Err(rusqlite::types::FromSqlError::InvalidType).map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(index, other.data_type(), Box::new(error))
        }),
    }
}

fn key_id(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Option<u32>> {
    row.get(index)
}

/// A transcript message as stored: its record (`crate::record`), sealed with the store's keys
/// when it has some.
fn seal_message(
    keys: &Keys,
    ticket: TicketId,
    message: &TranscriptMessage,
) -> Result<(Option<u32>, Vec<u8>)> {
    let data = crate::record::encode_message(message);
    if !keys.seals() {
        return Ok((None, data));
    }
    keys.seal(Record::Message, ticket.0, message.message_id.get(), data)
}

/// A stored transcript message, opened and decoded.
fn open_message(
    keys: &Keys,
    ticket: TicketId,
    message: u64,
    key: Option<u32>,
    stored: Vec<u8>,
) -> Result<TranscriptMessage> {
    let plain = keys.open(Record::Message, ticket.0, message, key, stored)?;
    crate::record::decode_message(&plain)
}

fn change_message(
    connection: &mut Connection,
    keys: &Keys,
    ticket: TicketId,
    message: MessageId,
    change: impl FnOnce(&mut TranscriptMessage) -> bool,
) -> Result<bool> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let ids = params![sql_id(ticket.0), sql_id(message.get())];
    let row = transaction
        .prepare_cached(
            "SELECT data, key_id FROM transcript_messages WHERE ticket_id = ?1 AND message_id = ?2",
        )?
        .query_row(ids, |row| Ok((column_bytes(row, 0)?, key_id(row, 1)?)))
        .optional()?;
    let Some((data, key)) = row else {
        return Ok(false);
    };
    let mut stored = open_message(keys, ticket, message.get(), key, data)?;
    if !change(&mut stored) {
        return Ok(false);
    }
    let (key, data) = seal_message(keys, ticket, &stored)?;
    transaction
        .prepare_cached(
            "UPDATE transcript_messages SET data = ?3, key_id = ?4 WHERE ticket_id = ?1 AND message_id = ?2",
        )?
        .execute(params![sql_id(ticket.0), sql_id(message.get()), data, key])?;
    transaction.commit()?;
    Ok(true)
}

impl SqliteStore {
    /// Gives up every pending effect whose `column` (`ticket_id` or `guild_id`) is `id`, as the
    /// store operation `operation`.
    async fn give_up_pending(
        &self,
        operation: &'static str,
        column: &'static str,
        id: i64,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        let error = error.to_owned();
        self.write(operation, move |connection| {
            let sql = format!(
                "UPDATE effects SET status = 'given_up', finished_at = ?2, last_error = ?3
                 WHERE {column} = ?1 AND status = 'pending'"
            );
            let changed =
                connection
                    .prepare_cached(&sql)?
                    .execute(params![id, at.as_millis(), error])?;
            Ok(changed as u64)
        })
        .await
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn guild_config(&self, guild: GuildId) -> Result<Option<GuildConfig>> {
        self.read("guild_config", move |connection| {
            let data: Option<String> = connection
                .prepare_cached("SELECT data FROM guild_configs WHERE guild_id = ?1")?
                .query_row([sql_id(guild.get())], |row| row.get(0))
                .optional()?;
            data.map(|data| decode("guild configuration", &data))
                .transpose()
        })
        .await
    }

    async fn save_guild_config(&self, config: &GuildConfig) -> Result<GuildConfig> {
        let config = config.clone();
        self.write("save_guild_config", move |connection| {
            save_guild_config(connection, &config)
        })
        .await
    }

    async fn delete_guild_config(&self, guild: GuildId) -> Result<bool> {
        self.write("delete_guild_config", move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM guild_configs WHERE guild_id = ?1")?
                .execute([sql_id(guild.get())])?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn open_ticket(
        &self,
        ticket: Ticket,
        limits: OpenLimits,
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<OpenOutcome> {
        self.write("open_ticket", move |connection| {
            open_ticket(connection, ticket, limits, now, fence)
        })
        .await
    }

    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        self.read("ticket", move |connection| ticket_by_id(connection, id))
            .await
    }

    async fn ticket_by_channel(&self, channel: ChannelId) -> Result<Option<Ticket>> {
        self.read("ticket_by_channel", move |connection| {
            Ok(tickets(
                connection,
                "SELECT data FROM tickets WHERE channel_id = ?1",
                [sql_id(channel.get())],
            )?
            .pop())
        })
        .await
    }

    async fn tickets_by_guild(
        &self,
        guild: GuildId,
        states: &[TicketState],
        page: Page<u32>,
    ) -> Result<Vec<Ticket>> {
        let states: Vec<&'static str> = states.iter().map(|s| s.name()).collect();
        self.read("tickets_by_guild", move |connection| {
            let mut sql =
                String::from("SELECT data FROM tickets WHERE guild_id = ? AND number < ?");
            if !states.is_empty() {
                sql.push_str(" AND state IN (");
                sql.push_str(&vec!["?"; states.len()].join(", "));
                sql.push(')');
            }
            sql.push_str(" ORDER BY number DESC LIMIT ?");
            let mut values: Vec<rusqlite::types::Value> = vec![
                sql_id(guild.get()).into(),
                i64::from(page.before.unwrap_or(u32::MAX)).into(),
            ];
            values.extend(
                states
                    .iter()
                    .map(|s| rusqlite::types::Value::Text((*s).to_owned())),
            );
            values.push(i64::from(page.limit).into());
            tickets(connection, &sql, params_from_iter(values))
        })
        .await
    }

    async fn tickets_by_member(&self, user: UserId, page: Page<TicketId>) -> Result<Vec<Ticket>> {
        self.read("tickets_by_member", move |connection| {
            tickets(
                connection,
                "SELECT data FROM tickets WHERE opener_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
                params![sql_id(user.get()), page.before.map_or(i64::MAX, |t| sql_id(t.0)), page.limit],
            )
        })
        .await
    }

    async fn tickets_of_participant(
        &self,
        user: UserId,
        page: Page<TicketId>,
    ) -> Result<Vec<Ticket>> {
        self.read("tickets_of_participant", move |connection| {
            tickets(
                connection,
                "SELECT data FROM tickets WHERE id IN (
                     SELECT p.ticket_id FROM ticket_participants p JOIN tickets t ON t.id = p.ticket_id
                     WHERE p.user_id = ?1 AND p.ticket_id < ?2 AND t.opener_id != ?1
                     GROUP BY p.ticket_id ORDER BY p.ticket_id DESC LIMIT ?3)
                 ORDER BY id DESC",
                params![sql_id(user.get()), page.before.map_or(i64::MAX, |t| sql_id(t.0)), page.limit],
            )
        })
        .await
    }

    async fn update_ticket(&self, ticket: &Ticket, expected_version: u64) -> Result<()> {
        let ticket = ticket.clone();
        self.write("update_ticket", move |connection| {
            update_ticket(connection, &ticket, expected_version)
        })
        .await
    }

    async fn commit_ticket(
        &self,
        ticket: &Ticket,
        expected_version: u64,
        effects: &[Effect],
        now: Timestamp,
        fence: Option<Fence>,
    ) -> Result<()> {
        let ticket = ticket.clone();
        let effects = effects.to_vec();
        self.write("commit_ticket", move |connection| {
            commit_ticket(connection, &ticket, expected_version, &effects, now, fence)
        })
        .await
    }

    async fn advance_fence(&self, fence: Fence) -> Result<()> {
        self.write("advance_fence", move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            fenced(&transaction, Some(fence), Fencing::Grant)?;
            transaction.commit()?;
            Ok(())
        })
        .await
    }

    async fn check_fence(&self, fence: Fence) -> Result<()> {
        self.read("check_fence", move |connection| {
            fenced(connection, Some(fence), Fencing::Check)
        })
        .await
    }

    async fn pending_effects(&self, ticket: TicketId) -> Result<Vec<PendingEffect>> {
        self.read("pending_effects", move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT data, guild_id, attempts, next_attempt_at, created_at, last_error FROM effects
                 WHERE ticket_id = ?1 AND status = 'pending' ORDER BY version, step",
            )?;
            let rows = statement.query_map([sql_id(ticket.0)], pending_from_row)?;
            let mut pending = Vec::new();
            for row in rows {
                let (data, guild, attempts, next, created, last_error) = row?;
                pending.push(PendingEffect {
                    effect: decode("effect", &data)?,
                    guild_id: Id::new(guild as u64),
                    attempts,
                    next_attempt_at: Timestamp::from_millis(next),
                    created_at: Timestamp::from_millis(created),
                    last_error,
                });
            }
            Ok(pending)
        })
        .await
    }

    async fn due_tickets(&self, now: Timestamp, limit: u32) -> Result<Vec<(TicketId, GuildId)>> {
        self.read("due_tickets", move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT ticket_id, MIN(guild_id), MIN(next_attempt_at) AS due FROM effects
                 WHERE status = 'pending' AND next_attempt_at <= ?1
                 GROUP BY ticket_id ORDER BY due LIMIT ?2",
            )?;
            let rows = statement.query_map(params![now.as_millis(), limit], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
            })?;
            let mut due = Vec::new();
            for row in rows {
                let (ticket, guild) = row?;
                due.push((TicketId(ticket as u64), Id::new(guild as u64)));
            }
            Ok(due)
        })
        .await
    }

    async fn due_timers(
        &self,
        now: Timestamp,
        after: Option<(Timestamp, TicketId)>,
        limit: u32,
    ) -> Result<Vec<(TicketId, GuildId, Timestamp)>> {
        let (after_at, after_id) = after.map_or((i64::MIN, i64::MIN), |(at, id)| {
            (at.as_millis(), sql_id(id.0))
        });
        self.read("due_timers", move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id, guild_id, timer_at FROM tickets
                 WHERE timer_at IS NOT NULL AND timer_at <= ?1 AND (timer_at, id) > (?2, ?3)
                 ORDER BY timer_at, id LIMIT ?4",
            )?;
            let rows = statement.query_map(
                params![now.as_millis(), after_at, after_id, limit],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                },
            )?;
            let mut due = Vec::new();
            for row in rows {
                let (ticket, guild, at) = row?;
                due.push((
                    TicketId(ticket as u64),
                    Id::new(guild as u64),
                    Timestamp::from_millis(at),
                ));
            }
            Ok(due)
        })
        .await
    }

    async fn due_purges(&self, now: Timestamp, limit: u32) -> Result<Vec<TicketId>> {
        self.read("due_purges", move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT id FROM tickets
                 WHERE purge_at IS NOT NULL AND purge_at <= ?1 ORDER BY purge_at LIMIT ?2",
            )?;
            let rows =
                statement.query_map(params![now.as_millis(), limit], |row| row.get::<_, i64>(0))?;
            let mut due = Vec::new();
            for row in rows {
                due.push(TicketId(row? as u64));
            }
            Ok(due)
        })
        .await
    }

    async fn purge_transcript(&self, ticket: TicketId, now: Timestamp) -> Result<u64> {
        self.write("purge_transcript", move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(mut stored) = ticket_by_id(&transaction, ticket)? else {
                return Ok(0);
            };
            // Still due: a reopen since (purge_at cleared) or a later retention keeps it.
            if stored.purge_at.is_none_or(|at| at > now) {
                return Ok(0);
            }
            let id = sql_id(ticket.0);
            let messages = transaction
                .prepare_cached("DELETE FROM transcript_messages WHERE ticket_id = ?1")?
                .execute([id])?;
            let attachments = transaction
                .prepare_cached("DELETE FROM attachments WHERE ticket_id = ?1")?
                .execute([id])?;
            // What the ticket record itself holds of the conversation goes too: the form's
            // answers, the reasons written, the feedback comment.
            stored.transcript_purged = true;
            stored.purge_at = None;
            stored.answers.clear();
            stored.open_reason = None;
            if matches!(stored.close_reason, Some(CloseReason::Given(_))) {
                stored.close_reason = Some(CloseReason::NoneGiven);
            }
            if let Some(feedback) = stored.feedback.as_mut() {
                feedback.comment = None;
            }
            stored.version += 1;
            transaction
                .prepare_cached(
                    "UPDATE tickets SET version = ?2, data = ?3, purge_at = NULL WHERE id = ?1",
                )?
                .execute(params![id, sql_id(stored.version), encode(&stored)?])?;
            transaction.commit()?;
            Ok((messages + attachments) as u64)
        })
        .await
    }

    async fn finish_effect(&self, key: EffectKey, at: Timestamp) -> Result<bool> {
        self.write("finish_effect", move |connection| {
            settle_effect(
                connection,
                key,
                "UPDATE effects SET status = 'done', finished_at = ?4, last_error = coalesce(?5, last_error)
                 WHERE ticket_id = ?1 AND version = ?2 AND step = ?3 AND status = 'pending'",
                at,
                None,
            )
        })
        .await
    }

    async fn retry_effect(
        &self,
        key: EffectKey,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<bool> {
        let error = error.to_owned();
        self.write("retry_effect", move |connection| {
            settle_effect(
                connection,
                key,
                "UPDATE effects SET attempts = attempts + 1, next_attempt_at = ?4, last_error = ?5
                 WHERE ticket_id = ?1 AND version = ?2 AND step = ?3 AND status = 'pending'",
                next_attempt_at,
                Some(&error),
            )
        })
        .await
    }

    async fn give_up_effect(&self, key: EffectKey, at: Timestamp, error: &str) -> Result<bool> {
        let error = error.to_owned();
        self.write("give_up_effect", move |connection| {
            settle_effect(
                connection,
                key,
                "UPDATE effects SET status = 'given_up', finished_at = ?4, last_error = ?5
                 WHERE ticket_id = ?1 AND version = ?2 AND step = ?3 AND status = 'pending'",
                at,
                Some(&error),
            )
        })
        .await
    }

    async fn give_up_ticket_effects(
        &self,
        ticket: TicketId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        self.give_up_pending(
            "give_up_ticket_effects",
            "ticket_id",
            sql_id(ticket.0),
            at,
            error,
        )
        .await
    }

    async fn give_up_guild_effects(
        &self,
        guild: GuildId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        self.give_up_pending(
            "give_up_guild_effects",
            "guild_id",
            sql_id(guild.get()),
            at,
            error,
        )
        .await
    }

    async fn outbox_depth(&self) -> Result<OutboxDepth> {
        self.read("outbox_depth", move |connection| {
            let (pending, oldest): (i64, Option<i64>) = connection
                .prepare_cached(
                    "SELECT COUNT(*), MIN(created_at) FROM effects WHERE status = 'pending'",
                )?
                .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(OutboxDepth {
                pending: pending as u64,
                oldest: oldest.map(Timestamp::from_millis),
            })
        })
        .await
    }

    async fn count_active_tickets(&self) -> Result<Vec<(TicketState, u64)>> {
        self.read("count_active_tickets", move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT state, COUNT(*) FROM tickets
                 WHERE state IN ('requested', 'open', 'claimed') GROUP BY state",
            )?;
            let counted: Vec<(String, i64)> = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<std::result::Result<_, _>>()?;
            Ok(TicketState::ACTIVE
                .iter()
                .map(|state| {
                    let count = counted
                        .iter()
                        .find(|(name, _)| name == state.name())
                        .map_or(0, |(_, count)| *count);
                    (*state, u64::try_from(count).unwrap_or(0))
                })
                .collect())
        })
        .await
    }

    async fn purge_effects(&self, before: Timestamp) -> Result<u64> {
        self.write("purge_effects", move |connection| {
            let purged = connection
                .prepare_cached(
                    "DELETE FROM effects WHERE status != 'pending' AND finished_at < ?1",
                )?
                .execute([before.as_millis()])?;
            Ok(purged as u64)
        })
        .await
    }

    async fn stalled_tickets(&self, before: Timestamp, limit: u32) -> Result<Vec<Ticket>> {
        self.read("stalled_tickets", move |connection| {
            tickets(
                connection,
                "SELECT data FROM tickets INDEXED BY tickets_unsettled
                 WHERE state IN ('requested', 'open', 'claimed') AND (version = 0 OR channel_id IS NULL)
                   AND created_at < ?1
                   AND (version = 0 OR state != 'requested')
                   AND NOT EXISTS (SELECT 1 FROM effects WHERE effects.ticket_id = tickets.id AND status = 'pending')
                 ORDER BY created_at LIMIT ?2",
                params![before.as_millis(), limit],
            )
        })
        .await
    }

    async fn set_ticket_message(
        &self,
        ticket: TicketId,
        slot: TicketMessage,
        message: MessageId,
    ) -> Result<()> {
        self.write("set_ticket_message", move |connection| {
            connection
                .prepare_cached(
                    "INSERT INTO ticket_messages (ticket_id, slot, message_id) VALUES (?1, ?2, ?3)
                     ON CONFLICT (ticket_id, slot) DO UPDATE SET message_id = excluded.message_id",
                )?
                .execute(params![
                    sql_id(ticket.0),
                    slot.name(),
                    sql_id(message.get())
                ])?;
            Ok(())
        })
        .await
    }

    async fn ticket_message(
        &self,
        ticket: TicketId,
        slot: TicketMessage,
    ) -> Result<Option<MessageId>> {
        self.read("ticket_message", move |connection| {
            let id: Option<i64> = connection
                .prepare_cached(
                    "SELECT message_id FROM ticket_messages WHERE ticket_id = ?1 AND slot = ?2",
                )?
                .query_row(params![sql_id(ticket.0), slot.name()], |row| row.get(0))
                .optional()?;
            Ok(id.map(|id| Id::new(id as u64)))
        })
        .await
    }

    async fn append_message(&self, ticket: TicketId, message: &TranscriptMessage) -> Result<bool> {
        let message_id = message.message_id;
        let author = (!message.author_is_bot).then(|| sql_id(message.author_id.get()));
        let (key, data) = seal_message(&self.keys(), ticket, message)?;
        self.write("append_message", move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = transaction
                .prepare_cached(
                    "INSERT INTO transcript_messages (ticket_id, message_id, data, key_id)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    sql_id(ticket.0),
                    sql_id(message_id.get()),
                    data,
                    key
                ])?;
            record_author(&transaction, sql_id(ticket.0), author)?;
            transaction.commit()?;
            Ok(inserted > 0)
        })
        .await
    }

    async fn append_messages(
        &self,
        messages: &[(TicketId, TranscriptMessage)],
    ) -> Result<Vec<bool>> {
        let keys = self.keys();
        let rows = messages
            .iter()
            .map(|(ticket, message)| {
                let (key, data) = seal_message(&keys, *ticket, message)?;
                Ok((
                    sql_id(ticket.0),
                    sql_id(message.message_id.get()),
                    data,
                    key,
                    (!message.author_is_bot).then(|| sql_id(message.author_id.get())),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.write("append_messages", move |connection| {
            let transaction =
                connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut inserted = Vec::with_capacity(rows.len());
            // Each author of a ticket once: a batch is mostly a few people's messages.
            let mut authors: Vec<(i64, i64)> = Vec::new();
            {
                let mut statement = transaction.prepare_cached(
                    "INSERT INTO transcript_messages (ticket_id, message_id, data, key_id)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                )?;
                for (ticket, message, data, key, author) in rows {
                    inserted.push(statement.execute(params![ticket, message, data, key])? > 0);
                    if let Some(author) = author
                        && !authors.contains(&(ticket, author))
                    {
                        authors.push((ticket, author));
                    }
                }
            }
            for (ticket, author) in authors {
                record_author(&transaction, ticket, Some(author))?;
            }
            transaction.commit()?;
            Ok(inserted)
        })
        .await
    }

    async fn record_edit(
        &self,
        ticket: TicketId,
        message: MessageId,
        content: String,
        at: Timestamp,
    ) -> Result<bool> {
        let keys = self.keys();
        self.write("record_edit", move |connection| {
            change_message(connection, &keys, ticket, message, |stored| {
                stored.apply_edit(content, at)
            })
        })
        .await
    }

    async fn record_deletion(
        &self,
        ticket: TicketId,
        message: MessageId,
        at: Timestamp,
    ) -> Result<bool> {
        let keys = self.keys();
        self.write("record_deletion", move |connection| {
            change_message(connection, &keys, ticket, message, |stored| {
                if stored.deleted_at.is_some() {
                    return false;
                }
                stored.deleted_at = Some(at);
                true
            })
        })
        .await
    }

    async fn store_attachment(
        &self,
        ticket: TicketId,
        message: MessageId,
        attachment_id: u64,
        bytes: Vec<u8>,
    ) -> Result<bool> {
        let limits = self.limits();
        if bytes.len() as u64 > limits.max_attachment_bytes {
            return Ok(false);
        }
        let ticket_budget = i64::try_from(limits.max_ticket_attachment_bytes).unwrap_or(i64::MAX);
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        let (key, bytes) = self
            .keys()
            .seal(Record::Attachment, ticket.0, attachment_id, bytes)?;
        self.write("store_attachment", move |connection| {
            // One statement on the one writer: the budget check and the insert cannot be split by
            // another attachment of the same ticket. Sizes are the plain ones (sealed bytes are
            // longer); `length` of a blob, for rows written before sizes were kept, reads no
            // blob content.
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO attachments (ticket_id, attachment_id, message_id, bytes, key_id, size)
                     SELECT ?1, ?2, ?3, ?4, ?6, ?7 WHERE EXISTS
                       (SELECT 1 FROM transcript_messages WHERE ticket_id = ?1 AND message_id = ?3)
                     AND (SELECT COALESCE(SUM(COALESCE(size, length(bytes))), 0) FROM attachments
                          WHERE ticket_id = ?1) + ?7 <= ?5
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    sql_id(ticket.0),
                    sql_id(attachment_id),
                    sql_id(message.get()),
                    bytes,
                    ticket_budget,
                    key,
                    size
                ])?;
            if inserted > 0 {
                return Ok(true);
            }
            let exists: bool = connection
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM attachments WHERE ticket_id = ?1 AND attachment_id = ?2)")?
                .query_row(params![sql_id(ticket.0), sql_id(attachment_id)], |row| row.get(0))?;
            Ok(exists)
        })
        .await
    }

    async fn attachment(&self, ticket: TicketId, attachment_id: u64) -> Result<Option<Vec<u8>>> {
        let keys = self.keys();
        let stored = self
            .read("attachment", move |connection| {
                Ok(connection
                    .prepare_cached(
                        "SELECT bytes, key_id FROM attachments WHERE ticket_id = ?1 AND attachment_id = ?2",
                    )?
                    .query_row(params![sql_id(ticket.0), sql_id(attachment_id)], |row| {
                        Ok((row.get::<_, Vec<u8>>(0)?, key_id(row, 1)?))
                    })
                    .optional()?)
            })
            .await?;
        stored
            .map(|(bytes, key)| keys.open(Record::Attachment, ticket.0, attachment_id, key, bytes))
            .transpose()
    }

    async fn attachment_sizes(&self, ticket: TicketId) -> Result<Vec<(u64, u64)>> {
        self.read("attachment_sizes", move |connection| {
            Ok(connection
                .prepare_cached(
                    "SELECT attachment_id, COALESCE(size, length(bytes)) FROM attachments
                     WHERE ticket_id = ?1 ORDER BY attachment_id",
                )?
                .query_map([sql_id(ticket.0)], |row| {
                    Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn transcript(&self, ticket: TicketId) -> Result<Vec<TranscriptMessage>> {
        let keys = self.keys();
        self.read("transcript", move |connection| {
            let stored: HashSet<u64> = connection
                .prepare_cached("SELECT attachment_id FROM attachments WHERE ticket_id = ?1")?
                .query_map([sql_id(ticket.0)], |row| row.get::<_, i64>(0))?
                .map(|id| id.map(|id| id as u64))
                .collect::<rusqlite::Result<_>>()?;
            let mut statement = connection.prepare_cached(
                "SELECT message_id, data, key_id FROM transcript_messages WHERE ticket_id = ?1
                 ORDER BY message_id",
            )?;
            let rows = statement.query_map([sql_id(ticket.0)], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    column_bytes(row, 1)?,
                    key_id(row, 2)?,
                ))
            })?;
            let mut messages = Vec::new();
            for row in rows {
                let (id, data, key) = row?;
                let mut message = open_message(&keys, ticket, id as u64, key, data)?;
                for attachment in &mut message.attachments {
                    attachment.stored = stored.contains(&attachment.id);
                }
                messages.push(message);
            }
            Ok(messages)
        })
        .await
    }

    async fn grant_panel_access(
        &self,
        guild: GuildId,
        user: UserId,
        granted_by: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        self.write("grant_panel_access", move |connection| {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO panel_access (guild_id, user_id, granted_by, granted_at) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![sql_id(guild.get()), sql_id(user.get()), sql_id(granted_by.get()), at.as_millis()])?;
            Ok(inserted > 0)
        })
        .await
    }

    async fn revoke_panel_access(&self, guild: GuildId, user: UserId) -> Result<bool> {
        self.write("revoke_panel_access", move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM panel_access WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![sql_id(guild.get()), sql_id(user.get())])?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn panel_access(&self, guild: GuildId) -> Result<Vec<PanelAccess>> {
        self.read("panel_access", move |connection| {
            let mut statement = connection.prepare_cached(
                "SELECT user_id, granted_by, granted_at FROM panel_access WHERE guild_id = ?1
                 ORDER BY granted_at, user_id",
            )?;
            let rows = statement.query_map([sql_id(guild.get())], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, i64>(1)?,
                    row.get::<_, i64>(2)?,
                ))
            })?;
            let mut grants = Vec::new();
            for row in rows {
                let (user, by, at) = row?;
                let (Some(user_id), Some(granted_by)) =
                    (Id::new_checked(user as u64), Id::new_checked(by as u64))
                else {
                    return Err(Error::Invalid("a panel access grant names user 0".into()));
                };
                grants.push(PanelAccess {
                    guild_id: guild,
                    user_id,
                    granted_by,
                    granted_at: Timestamp::from_millis(at),
                });
            }
            Ok(grants)
        })
        .await
    }

    async fn has_panel_access(&self, guild: GuildId, user: UserId) -> Result<bool> {
        self.read("has_panel_access", move |connection| {
            Ok(connection
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM panel_access WHERE guild_id = ?1 AND user_id = ?2)")?
                .query_row(params![sql_id(guild.get()), sql_id(user.get())], |row| row.get(0))?)
        })
        .await
    }

    async fn end_panel_sessions(&self, user: UserId, at: Timestamp) -> Result<()> {
        self.write("end_panel_sessions", move |connection| {
            connection
                .prepare_cached(
                    "INSERT INTO panel_sign_outs (user_id, at) VALUES (?1, ?2)
                     ON CONFLICT (user_id) DO UPDATE SET at = max(at, excluded.at)",
                )?
                .execute(params![sql_id(user.get()), at.as_millis()])?;
            Ok(())
        })
        .await
    }

    async fn panel_sessions_ended(&self, user: UserId) -> Result<Option<Timestamp>> {
        self.read("panel_sessions_ended", move |connection| {
            Ok(connection
                .prepare_cached("SELECT at FROM panel_sign_outs WHERE user_id = ?1")?
                .query_row([sql_id(user.get())], |row| row.get::<_, i64>(0))
                .optional()?
                .map(Timestamp::from_millis))
        })
        .await
    }

    async fn submit_guild_job(&self, job: &GuildJob) -> Result<bool> {
        let task = encode(&job.task)?;
        let state = encode(&job.state)?;
        let job = job.clone();
        self.write("submit_guild_job", move |connection| {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO guild_jobs (id, guild_id, task, requested_by, requested_at, state,
                         pending, attempts, due_at, ended_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    sql_id(job.id),
                    sql_id(job.guild_id.get()),
                    task,
                    sql_id(job.requested_by.get()),
                    job.requested_at.as_millis(),
                    state,
                    i64::from(!job.state.ended()),
                    i64::from(job.attempts),
                    job.due_at.as_millis(),
                    job.ended_at.map(Timestamp::as_millis),
                ])?;
            Ok(inserted > 0)
        })
        .await
    }

    async fn guild_jobs(&self, guild: GuildId, limit: u32) -> Result<Vec<GuildJob>> {
        self.read("guild_jobs", move |connection| {
            jobs(
                connection,
                "SELECT id, guild_id, task, requested_by, requested_at, state, attempts, due_at, ended_at
                 FROM guild_jobs WHERE guild_id = ?1 ORDER BY id DESC LIMIT ?2",
                params![sql_id(guild.get()), limit],
            )
        })
        .await
    }

    async fn due_guild_jobs(&self, now: Timestamp, limit: u32) -> Result<Vec<GuildJob>> {
        self.read("due_guild_jobs", move |connection| {
            jobs(
                connection,
                "SELECT id, guild_id, task, requested_by, requested_at, state, attempts, due_at, ended_at
                 FROM guild_jobs WHERE pending = 1 AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2",
                params![now.as_millis(), limit],
            )
        })
        .await
    }

    async fn retry_guild_job(&self, guild: GuildId, id: u64, due_at: Timestamp) -> Result<bool> {
        self.write("retry_guild_job", move |connection| {
            let changed = connection
                .prepare_cached(
                    "UPDATE guild_jobs SET attempts = attempts + 1, due_at = ?3
                     WHERE id = ?1 AND guild_id = ?2 AND pending = 1",
                )?
                .execute(params![sql_id(id), sql_id(guild.get()), due_at.as_millis()])?;
            Ok(changed > 0)
        })
        .await
    }

    async fn end_guild_job(
        &self,
        guild: GuildId,
        id: u64,
        state: JobState,
        at: Timestamp,
    ) -> Result<bool> {
        if !state.ended() {
            return Err(Error::Invalid("a job cannot end pending".into()));
        }
        let encoded = encode(&state)?;
        self.write("end_guild_job", move |connection| {
            let changed = connection
                .prepare_cached(
                    "UPDATE guild_jobs SET state = ?3, pending = 0, ended_at = ?4
                     WHERE id = ?1 AND guild_id = ?2 AND pending = 1",
                )?
                .execute(params![
                    sql_id(id),
                    sql_id(guild.get()),
                    encoded,
                    at.as_millis()
                ])?;
            Ok(changed > 0)
        })
        .await
    }

    async fn purge_guild_jobs(&self, before: Timestamp) -> Result<u64> {
        self.write("purge_guild_jobs", move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM guild_jobs WHERE pending = 0 AND ended_at < ?1")?
                .execute([before.as_millis()])?;
            Ok(deleted as u64)
        })
        .await
    }

    async fn begin_interaction(
        &self,
        interaction_id: u64,
        now: Timestamp,
    ) -> Result<InteractionClaim> {
        self.write("begin_interaction", move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inserted = transaction
                .prepare_cached(
                    "INSERT INTO interactions (interaction_id, started_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                )?
                .execute(params![sql_id(interaction_id), now.as_millis()])?;
            let claim = if inserted > 0 {
                InteractionClaim::New
            } else {
                let (started_at, outcome): (i64, Option<String>) = transaction
                    .prepare_cached("SELECT started_at, outcome FROM interactions WHERE interaction_id = ?1")?
                    .query_row([sql_id(interaction_id)], |row| Ok((row.get(0)?, row.get(1)?)))?;
                match outcome {
                    Some(outcome) => InteractionClaim::Done { outcome },
                    None => InteractionClaim::InProgress { started_at: Timestamp::from_millis(started_at) },
                }
            };
            transaction.commit()?;
            Ok(claim)
        })
        .await
    }

    async fn finish_interaction(&self, interaction_id: u64, outcome: &str) -> Result<()> {
        let outcome = outcome.to_owned();
        self.write("finish_interaction", move |connection| {
            let updated = connection
                .prepare_cached("UPDATE interactions SET outcome = ?2 WHERE interaction_id = ?1")?
                .execute(params![sql_id(interaction_id), outcome])?;
            if updated == 0 {
                return Err(Error::Invalid(format!(
                    "interaction {interaction_id} was never begun"
                )));
            }
            Ok(())
        })
        .await
    }

    async fn purge_interactions(&self, before: Timestamp) -> Result<u64> {
        self.write("purge_interactions", move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM interactions WHERE started_at < ?1")?
                .execute([before.as_millis()])?;
            Ok(deleted as u64)
        })
        .await
    }
}
