//! The [`Store`] implementation: each method is one job on the writer thread (one transaction)
//! or one read.

use super::SqliteStore;
use crate::{Error, InteractionClaim, OpenOutcome, Page, PanelAccess, Result, Store};
use async_trait::async_trait;
use helpline_domain::lifecycle::OpenLimits;
use helpline_domain::{
    ChannelId, GuildConfig, GuildId, Id, MessageId, Ticket, TicketId, TicketState, Timestamp,
    TranscriptMessage, UserId,
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
            "INSERT INTO tickets (id, guild_id, number, panel_id, opener_id, channel_id, state, version, created_at, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
        ])?;
    Ok(())
}

fn open_ticket(
    connection: &mut Connection,
    mut ticket: Ticket,
    limits: OpenLimits,
    now: Timestamp,
) -> Result<OpenOutcome> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
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
                "SELECT MAX(created_at) FROM tickets WHERE guild_id = ?1 AND panel_id = ?2 AND opener_id = ?3",
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
    if ticket.version != expected + 1 {
        return Err(Error::Invalid(format!(
            "ticket {} is written at version {} but expected at {expected}: versions go up by one",
            ticket.id, ticket.version
        )));
    }
    let data = encode(ticket)?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = transaction
        .prepare_cached(
            "UPDATE tickets SET channel_id = ?3, state = ?4, version = ?5, data = ?6
             WHERE id = ?1 AND version = ?2",
        )?
        .execute(params![
            sql_id(ticket.id.0),
            sql_id(expected),
            ticket.channel.map(|c| sql_id(c.id.get())),
            ticket.state.name(),
            sql_id(ticket.version),
            data,
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
    transaction.commit()?;
    Ok(())
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
fn change_message(
    connection: &mut Connection,
    ticket: TicketId,
    message: MessageId,
    change: impl FnOnce(&mut TranscriptMessage) -> bool,
) -> Result<bool> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let keys = params![sql_id(ticket.0), sql_id(message.get())];
    let data: Option<String> = transaction
        .prepare_cached(
            "SELECT data FROM transcript_messages WHERE ticket_id = ?1 AND message_id = ?2",
        )?
        .query_row(keys, |row| row.get(0))
        .optional()?;
    let Some(data) = data else { return Ok(false) };
    let mut stored: TranscriptMessage = decode("transcript message", &data)?;
    if !change(&mut stored) {
        return Ok(false);
    }
    transaction
        .prepare_cached(
            "UPDATE transcript_messages SET data = ?3 WHERE ticket_id = ?1 AND message_id = ?2",
        )?
        .execute(params![
            sql_id(ticket.0),
            sql_id(message.get()),
            encode(&stored)?
        ])?;
    transaction.commit()?;
    Ok(true)
}

#[async_trait]
impl Store for SqliteStore {
    async fn guild_config(&self, guild: GuildId) -> Result<Option<GuildConfig>> {
        self.read(move |connection| {
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
        self.write(move |connection| save_guild_config(connection, &config))
            .await
    }

    async fn delete_guild_config(&self, guild: GuildId) -> Result<bool> {
        self.write(move |connection| {
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
    ) -> Result<OpenOutcome> {
        self.write(move |connection| open_ticket(connection, ticket, limits, now))
            .await
    }

    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        self.read(move |connection| ticket_by_id(connection, id))
            .await
    }

    async fn ticket_by_channel(&self, channel: ChannelId) -> Result<Option<Ticket>> {
        self.read(move |connection| {
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
        self.read(move |connection| {
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
        self.read(move |connection| {
            tickets(
                connection,
                "SELECT data FROM tickets WHERE opener_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
                params![sql_id(user.get()), page.before.map_or(i64::MAX, |t| sql_id(t.0)), page.limit],
            )
        })
        .await
    }

    async fn update_ticket(&self, ticket: &Ticket, expected_version: u64) -> Result<()> {
        let ticket = ticket.clone();
        self.write(move |connection| update_ticket(connection, &ticket, expected_version))
            .await
    }

    async fn append_message(&self, ticket: TicketId, message: &TranscriptMessage) -> Result<bool> {
        let message_id = message.message_id;
        let data = encode(message)?;
        self.write(move |connection| {
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO transcript_messages (ticket_id, message_id, data) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![sql_id(ticket.0), sql_id(message_id.get()), data])?;
            Ok(inserted > 0)
        })
        .await
    }

    async fn append_messages(
        &self,
        messages: &[(TicketId, TranscriptMessage)],
    ) -> Result<Vec<bool>> {
        let rows = messages
            .iter()
            .map(|(ticket, message)| {
                Ok((
                    sql_id(ticket.0),
                    sql_id(message.message_id.get()),
                    encode(message)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.write(move |connection| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut inserted = Vec::with_capacity(rows.len());
            {
                let mut statement = transaction.prepare_cached(
                    "INSERT INTO transcript_messages (ticket_id, message_id, data) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                )?;
                for (ticket, message, data) in rows {
                    inserted.push(statement.execute(params![ticket, message, data])? > 0);
                }
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
        self.write(move |connection| {
            change_message(connection, ticket, message, |stored| {
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
        self.write(move |connection| {
            change_message(connection, ticket, message, |stored| {
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
        self.write(move |connection| {
            // One statement on the one writer: the budget check and the insert cannot be split by
            // another attachment of the same ticket. `length` of a blob reads no blob content.
            let inserted = connection
                .prepare_cached(
                    "INSERT INTO attachments (ticket_id, attachment_id, message_id, bytes)
                     SELECT ?1, ?2, ?3, ?4 WHERE EXISTS
                       (SELECT 1 FROM transcript_messages WHERE ticket_id = ?1 AND message_id = ?3)
                     AND (SELECT COALESCE(SUM(length(bytes)), 0) FROM attachments WHERE ticket_id = ?1)
                         + length(?4) <= ?5
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![
                    sql_id(ticket.0),
                    sql_id(attachment_id),
                    sql_id(message.get()),
                    bytes,
                    ticket_budget
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
        self.read(move |connection| {
            Ok(connection
                .prepare_cached(
                    "SELECT bytes FROM attachments WHERE ticket_id = ?1 AND attachment_id = ?2",
                )?
                .query_row(params![sql_id(ticket.0), sql_id(attachment_id)], |row| {
                    row.get(0)
                })
                .optional()?)
        })
        .await
    }

    async fn attachment_sizes(&self, ticket: TicketId) -> Result<Vec<(u64, u64)>> {
        self.read(move |connection| {
            Ok(connection
                .prepare_cached(
                    "SELECT attachment_id, length(bytes) FROM attachments WHERE ticket_id = ?1
                     ORDER BY attachment_id",
                )?
                .query_map([sql_id(ticket.0)], |row| {
                    Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn transcript(&self, ticket: TicketId) -> Result<Vec<TranscriptMessage>> {
        self.read(move |connection| {
            let stored: HashSet<u64> = connection
                .prepare_cached("SELECT attachment_id FROM attachments WHERE ticket_id = ?1")?
                .query_map([sql_id(ticket.0)], |row| row.get::<_, i64>(0))?
                .map(|id| id.map(|id| id as u64))
                .collect::<rusqlite::Result<_>>()?;
            let mut statement = connection.prepare_cached(
                "SELECT data FROM transcript_messages WHERE ticket_id = ?1 ORDER BY message_id",
            )?;
            let rows = statement.query_map([sql_id(ticket.0)], |row| row.get::<_, String>(0))?;
            let mut messages = Vec::new();
            for data in rows {
                let mut message: TranscriptMessage = decode("transcript message", &data?)?;
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
        self.write(move |connection| {
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
        self.write(move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM panel_access WHERE guild_id = ?1 AND user_id = ?2")?
                .execute(params![sql_id(guild.get()), sql_id(user.get())])?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn panel_access(&self, guild: GuildId) -> Result<Vec<PanelAccess>> {
        self.read(move |connection| {
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
        self.read(move |connection| {
            Ok(connection
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM panel_access WHERE guild_id = ?1 AND user_id = ?2)")?
                .query_row(params![sql_id(guild.get()), sql_id(user.get())], |row| row.get(0))?)
        })
        .await
    }

    async fn begin_interaction(
        &self,
        interaction_id: u64,
        now: Timestamp,
    ) -> Result<InteractionClaim> {
        self.write(move |connection| {
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
        self.write(move |connection| {
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
        self.write(move |connection| {
            let deleted = connection
                .prepare_cached("DELETE FROM interactions WHERE started_at < ?1")?
                .execute([before.as_millis()])?;
            Ok(deleted as u64)
        })
        .await
    }
}
