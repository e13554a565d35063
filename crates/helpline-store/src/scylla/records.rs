//! Guild configuration, web-panel access, interaction claims and the messages a ticket's
//! buttons live on.

use super::index::{self, Hint, Kind};
use super::tickets::{contended, decode, encode};
use super::{CAS_ATTEMPTS, Cas, ScyllaStore, back_off, big, invalid};
use crate::{Error, InteractionClaim, PanelAccess, Result, TicketMessage};
use helpline_domain::{GuildConfig, GuildId, Id, MessageId, TicketId, Timestamp, UserId};

/// How long an interaction's record (and its entry) is kept whatever happens: the bot purges
/// them after a day; the table's own time to live says the same.
const INTERACTION_TTL: i32 = 7 * 24 * 3600;

fn conflict(expected: u64, actual: Option<u64>) -> Error {
    Error::Conflict {
        what: "guild configuration",
        expected,
        actual,
    }
}

/// Microseconds since the epoch by this machine's clock: the write timestamp of interaction
/// entries (whose records are never written twice but after a purge).
fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn interaction_hint(id: u64, started: Timestamp) -> Hint {
    Hint {
        kind: Kind::Interaction,
        part: index::bucket(id),
        sort: started.as_millis(),
        ticket: big(id),
        sub: 0,
        guild: 0,
    }
}

impl ScyllaStore {
    pub(super) async fn config(&self, guild: GuildId) -> Result<Option<GuildConfig>> {
        let rows: Vec<(Option<String>,)> = self
            .rows(
                "SELECT data FROM guild_configs WHERE guild_id = ?",
                (big(guild.get()),),
            )
            .await?;
        match rows.into_iter().next() {
            Some((Some(data),)) => Ok(Some(decode("guild configuration", &data)?)),
            _ => Ok(None),
        }
    }

    pub(super) async fn save_config(&self, config: &GuildConfig) -> Result<GuildConfig> {
        let mut saved = config.clone();
        saved.version = config.version + 1;
        let data = encode(&saved)?;
        let guild = big(config.guild_id.get());
        for attempt in 0..CAS_ATTEMPTS {
            let cas = if config.version == 0 {
                self.cas(
                    "INSERT INTO guild_configs (guild_id, version, data) VALUES (?, ?, ?) IF NOT EXISTS",
                    (guild, big(saved.version), data.clone()),
                )
                .await?
            } else {
                self.cas(
                    "UPDATE guild_configs SET version = ?, data = ? WHERE guild_id = ? IF version = ?",
                    (big(saved.version), data.clone(), guild, big(config.version)),
                )
                .await?
            };
            match cas {
                Cas::Applied => return Ok(saved),
                refused @ Cas::Refused(_) => {
                    let actual = refused.big("version").and_then(|v| u64::try_from(v).ok());
                    return Err(conflict(config.version, actual));
                }
                Cas::Uncertain => {
                    let rows: Vec<(Option<i64>, Option<String>)> = self
                        .serial_rows(
                            "SELECT version, data FROM guild_configs WHERE guild_id = ?",
                            (guild,),
                        )
                        .await?;
                    let (version, stored) = rows.into_iter().next().unwrap_or_default();
                    let version = version.and_then(|v| u64::try_from(v).ok());
                    if stored.as_deref() == Some(data.as_str()) {
                        return Ok(saved);
                    }
                    if version.unwrap_or(0) != config.version {
                        return Err(conflict(config.version, version));
                    }
                    back_off(attempt).await;
                }
            }
        }
        Err(contended("a guild configuration"))
    }

    pub(super) async fn delete_config(&self, guild: GuildId) -> Result<bool> {
        let guild = big(guild.get());
        for attempt in 0..CAS_ATTEMPTS {
            match self
                .cas(
                    "DELETE FROM guild_configs WHERE guild_id = ? IF EXISTS",
                    (guild,),
                )
                .await?
            {
                Cas::Applied => return Ok(true),
                Cas::Refused(_) => return Ok(false),
                Cas::Uncertain => {
                    let rows: Vec<(i64,)> = self
                        .serial_rows(
                            "SELECT guild_id FROM guild_configs WHERE guild_id = ?",
                            (guild,),
                        )
                        .await?;
                    if rows.is_empty() {
                        return Ok(true);
                    }
                    back_off(attempt).await;
                }
            }
        }
        Err(contended("a guild configuration"))
    }

    pub(super) async fn grant(
        &self,
        guild: GuildId,
        user: UserId,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        let key = (big(guild.get()), big(user.get()));
        for attempt in 0..CAS_ATTEMPTS {
            match self
                .cas(
                    "INSERT INTO panel_access (guild_id, user_id, granted_by, granted_at) VALUES (?, ?, ?, ?) IF NOT EXISTS",
                    (key.0, key.1, big(by.get()), at.as_millis()),
                )
                .await?
            {
                Cas::Applied => return Ok(true),
                Cas::Refused(_) => return Ok(false),
                Cas::Uncertain => {
                    let rows: Vec<(i64, i64)> = self
                        .serial_rows(
                            "SELECT granted_by, granted_at FROM panel_access WHERE guild_id = ? AND user_id = ?",
                            key,
                        )
                        .await?;
                    match rows.first() {
                        Some(row) => return Ok(*row == (big(by.get()), at.as_millis())),
                        None => back_off(attempt).await,
                    }
                }
            }
        }
        Err(contended("a panel access grant"))
    }

    pub(super) async fn revoke(&self, guild: GuildId, user: UserId) -> Result<bool> {
        let key = (big(guild.get()), big(user.get()));
        for attempt in 0..CAS_ATTEMPTS {
            match self
                .cas(
                    "DELETE FROM panel_access WHERE guild_id = ? AND user_id = ? IF EXISTS",
                    key,
                )
                .await?
            {
                Cas::Applied => return Ok(true),
                Cas::Refused(_) => return Ok(false),
                Cas::Uncertain => {
                    let rows: Vec<(i64,)> = self
                        .serial_rows(
                            "SELECT user_id FROM panel_access WHERE guild_id = ? AND user_id = ?",
                            key,
                        )
                        .await?;
                    if rows.is_empty() {
                        return Ok(true);
                    }
                    back_off(attempt).await;
                }
            }
        }
        Err(contended("a panel access grant"))
    }

    pub(super) async fn access(&self, guild: GuildId) -> Result<Vec<PanelAccess>> {
        let rows: Vec<(i64, i64, i64)> = self
            .rows(
                "SELECT user_id, granted_by, granted_at FROM panel_access WHERE guild_id = ?",
                (big(guild.get()),),
            )
            .await?;
        let mut grants = Vec::with_capacity(rows.len());
        for (user, by, at) in rows {
            let (Some(user_id), Some(granted_by)) = (
                u64::try_from(user).ok().and_then(Id::new_checked),
                u64::try_from(by).ok().and_then(Id::new_checked),
            ) else {
                return Err(invalid("a panel access grant names user 0".into()));
            };
            grants.push(PanelAccess {
                guild_id: guild,
                user_id,
                granted_by,
                granted_at: Timestamp::from_millis(at),
            });
        }
        grants.sort_by_key(|grant| (grant.granted_at, grant.user_id));
        Ok(grants)
    }

    pub(super) async fn has_access(&self, guild: GuildId, user: UserId) -> Result<bool> {
        let rows: Vec<(i64,)> = self
            .rows(
                "SELECT user_id FROM panel_access WHERE guild_id = ? AND user_id = ?",
                (big(guild.get()), big(user.get())),
            )
            .await?;
        Ok(!rows.is_empty())
    }

    pub(super) async fn begin(&self, id: u64, now: Timestamp) -> Result<InteractionClaim> {
        let hint = interaction_hint(id, now);
        self.put_hints_expiring(&[hint], now_micros(), INTERACTION_TTL)
            .await?;
        for attempt in 0..CAS_ATTEMPTS {
            let cas = self
                .cas(
                    "INSERT INTO interactions (interaction_id, started_at) VALUES (?, ?) IF NOT EXISTS",
                    (big(id), now.as_millis()),
                )
                .await?;
            let (started, outcome) = match cas {
                Cas::Applied => return Ok(InteractionClaim::New),
                Cas::Refused(_) | Cas::Uncertain => {
                    let rows: Vec<(Option<i64>, Option<String>)> = self
                        .serial_rows(
                            "SELECT started_at, outcome FROM interactions WHERE interaction_id = ?",
                            (big(id),),
                        )
                        .await?;
                    match rows.into_iter().next() {
                        Some((Some(started), outcome)) => (started, outcome),
                        // Not there (an uncertain write that was not applied): again.
                        _ => {
                            back_off(attempt).await;
                            continue;
                        }
                    }
                }
            };
            if matches!(cas, Cas::Uncertain) && started == now.as_millis() && outcome.is_none() {
                // The timed-out claim was this one's.
                return Ok(InteractionClaim::New);
            }
            if started != now.as_millis() {
                self.drop_hints(&[hint], now_micros()).await?;
            }
            return Ok(match outcome {
                Some(outcome) => InteractionClaim::Done { outcome },
                None => InteractionClaim::InProgress {
                    started_at: Timestamp::from_millis(started),
                },
            });
        }
        Err(contended("an interaction claim"))
    }

    pub(super) async fn finish_claim(&self, id: u64, outcome: &str) -> Result<()> {
        for attempt in 0..CAS_ATTEMPTS {
            match self
                .cas(
                    "UPDATE interactions SET outcome = ? WHERE interaction_id = ? IF EXISTS",
                    (outcome, big(id)),
                )
                .await?
            {
                Cas::Applied => return Ok(()),
                Cas::Refused(_) => {
                    return Err(invalid(format!("interaction {id} was never begun")));
                }
                Cas::Uncertain => {
                    let rows: Vec<(Option<String>,)> = self
                        .serial_rows(
                            "SELECT outcome FROM interactions WHERE interaction_id = ?",
                            (big(id),),
                        )
                        .await?;
                    if rows
                        .first()
                        .is_some_and(|(o,)| o.as_deref() == Some(outcome))
                    {
                        return Ok(());
                    }
                    back_off(attempt).await;
                }
            }
        }
        Err(contended("an interaction claim"))
    }

    pub(super) async fn purge_claims(&self, before: Timestamp) -> Result<u64> {
        let entries = self
            .due_entries(Kind::Interaction, i64::MIN, before.as_millis() - 1)
            .await?;
        let mut purged = 0;
        for (bucket, entry) in entries {
            let rows: Vec<(Option<i64>,)> = self
                .rows(
                    "SELECT started_at FROM interactions WHERE interaction_id = ?",
                    (entry.1,),
                )
                .await?;
            if rows.first().and_then(|(s,)| *s) == Some(entry.0) {
                self.exec(
                    "DELETE FROM interactions WHERE interaction_id = ?",
                    (entry.1,),
                )
                .await?;
                purged += 1;
            }
            let hint = Self::entry_hint(Kind::Interaction, bucket, entry);
            self.drop_hints(&[hint], now_micros()).await?;
        }
        Ok(purged)
    }

    pub(super) async fn set_message(
        &self,
        ticket: TicketId,
        slot: TicketMessage,
        message: MessageId,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO ticket_messages (ticket_id, slot, message_id) VALUES (?, ?, ?)",
            (big(ticket.0), slot.name(), big(message.get())),
        )
        .await?;
        Ok(())
    }

    pub(super) async fn message(
        &self,
        ticket: TicketId,
        slot: TicketMessage,
    ) -> Result<Option<MessageId>> {
        let rows: Vec<(i64,)> = self
            .rows(
                "SELECT message_id FROM ticket_messages WHERE ticket_id = ? AND slot = ?",
                (big(ticket.0), slot.name()),
            )
            .await?;
        Ok(rows
            .first()
            .and_then(|(id,)| u64::try_from(*id).ok())
            .and_then(Id::new_checked))
    }
}
