//! Guild jobs: a row per job in its guild's partition, its state moved by lightweight
//! transactions, found when due through `job` entries of `ticket_index`.
//!
//! A pending job's entry for attempt `a` is written at `t + 2a + 2` (`t` the time in the job's
//! id, in microseconds) before the row says `a`, and removed at `t + 2a + 3` once the row has
//! moved past it, so a reader that finds an entry of an older attempt may remove it without
//! hiding a newer one. Entries whose row never came (a submit that died between the two
//! writes) are removed once they are old enough that no submit can still be under way.

use super::index::{self, Entry, Hint, Kind};
use super::tickets::{contended, decode, encode};
use super::{CAS_ATTEMPTS, Cas, ScyllaStore, back_off, big};
use crate::{Error, GuildJob, JobState, Result};
use helpline_domain::{GuildId, Id, Timestamp};

/// An entry without its row is removed once this old (milliseconds): a submit writes its row
/// right after its entry.
const ORPHAN_AFTER_MS: i64 = 10 * 60 * 1000;

type JobRow = (
    i64,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i32>,
    Option<i64>,
    Option<i64>,
);

fn base_micros(id: u64) -> i64 {
    big(id >> 22).saturating_mul(1000)
}

fn written_at(id: u64, attempt: u32) -> i64 {
    base_micros(id) + 2 * i64::from(attempt) + 2
}

fn removed_at(id: u64, attempt: u32) -> i64 {
    base_micros(id) + 2 * i64::from(attempt) + 3
}

fn due_hint(guild: GuildId, id: u64, attempt: u32, due: Timestamp) -> Hint {
    Hint {
        kind: Kind::Job,
        part: index::bucket(id),
        sort: due.as_millis(),
        ticket: big(id),
        sub: i64::from(attempt),
        guild: big(guild.get()),
    }
}

fn ended_hint(guild: GuildId, id: u64, at: Timestamp) -> Hint {
    Hint {
        kind: Kind::JobEnded,
        part: index::bucket(id),
        sort: at.as_millis(),
        ticket: big(id),
        sub: 0,
        guild: big(guild.get()),
    }
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn job_from_row(guild: GuildId, row: JobRow) -> Result<GuildJob> {
    let (id, task, by, at, state, attempts, due_at, ended_at) = row;
    let missing = || Error::Invalid(format!("guild job {id} is missing a column"));
    let requested_by = by
        .and_then(|by| Id::new_checked(by as u64))
        .ok_or_else(missing)?;
    Ok(GuildJob {
        id: id as u64,
        guild_id: guild,
        task: decode("guild job", task.as_deref().ok_or_else(missing)?)?,
        requested_by,
        requested_at: Timestamp::from_millis(at.ok_or_else(missing)?),
        state: decode("guild job state", state.as_deref().ok_or_else(missing)?)?,
        attempts: u32::try_from(attempts.unwrap_or(0)).unwrap_or(0),
        due_at: Timestamp::from_millis(due_at.ok_or_else(missing)?),
        ended_at: ended_at.map(Timestamp::from_millis),
    })
}

impl ScyllaStore {
    async fn job(&self, guild: GuildId, id: u64, serial: bool) -> Result<Option<GuildJob>> {
        let cql = "SELECT job_id, task, requested_by, requested_at, state, attempts, due_at, ended_at FROM guild_jobs WHERE guild_id = ? AND job_id = ?";
        let values = (big(guild.get()), big(id));
        let rows: Vec<JobRow> = if serial {
            self.serial_rows(cql, values).await?
        } else {
            self.rows(cql, values).await?
        };
        rows.into_iter()
            .next()
            .map(|row| job_from_row(guild, row))
            .transpose()
    }

    pub(super) async fn submit_job(&self, job: &GuildJob) -> Result<bool> {
        let task = encode(&job.task)?;
        let state = encode(&job.state)?;
        let hint = if job.state.ended() {
            ended_hint(
                job.guild_id,
                job.id,
                job.ended_at.unwrap_or(job.requested_at),
            )
        } else {
            due_hint(job.guild_id, job.id, job.attempts, job.due_at)
        };
        self.put_hints(&[hint], written_at(job.id, job.attempts))
            .await?;
        let values = (
            big(job.guild_id.get()),
            big(job.id),
            task.as_str(),
            big(job.requested_by.get()),
            job.requested_at.as_millis(),
            state.as_str(),
            i32::try_from(job.attempts).unwrap_or(i32::MAX),
            job.due_at.as_millis(),
            job.ended_at.map(Timestamp::as_millis),
        );
        for attempt in 0..CAS_ATTEMPTS {
            match self
                .cas(
                    "INSERT INTO guild_jobs (guild_id, job_id, task, requested_by, requested_at, state, attempts, due_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS",
                    values,
                )
                .await?
            {
                Cas::Applied => return Ok(true),
                Cas::Refused(_) => return Ok(false),
                Cas::Uncertain => match self.job(job.guild_id, job.id, true).await? {
                    // Ours if it is what was written (a job id is random in its millisecond).
                    Some(found) => return Ok(found.task == job.task && found.requested_by == job.requested_by && found.requested_at == job.requested_at),
                    None => back_off(attempt).await,
                },
            }
        }
        Err(contended("a guild job"))
    }

    pub(super) async fn jobs_of(&self, guild: GuildId, limit: u32) -> Result<Vec<GuildJob>> {
        let rows: Vec<JobRow> = self
            .rows(
                "SELECT job_id, task, requested_by, requested_at, state, attempts, due_at, ended_at FROM guild_jobs WHERE guild_id = ? ORDER BY job_id DESC LIMIT ?",
                (big(guild.get()), i32::try_from(limit).unwrap_or(i32::MAX)),
            )
            .await?;
        rows.into_iter()
            .map(|row| job_from_row(guild, row))
            .collect()
    }

    pub(super) async fn due_jobs(&self, now: Timestamp, limit: u32) -> Result<Vec<GuildJob>> {
        let entries = self
            .due_entries(Kind::Job, i64::MIN, now.as_millis())
            .await?;
        let mut due = Vec::new();
        for (bucket, entry) in entries {
            if due.len() >= limit as usize {
                break;
            }
            let (sort, id, attempt, guild) = entry;
            let Some(guild) = Id::new_checked(guild as u64) else {
                continue;
            };
            let id = id as u64;
            let attempt = u32::try_from(attempt).unwrap_or(0);
            let stale = |hint: Entry| Self::entry_hint(Kind::Job, bucket, hint);
            match self.job(guild, id, false).await? {
                Some(job)
                    if !job.state.ended()
                        && job.attempts == attempt
                        && job.due_at.as_millis() == sort =>
                {
                    due.push(job);
                }
                Some(job) if job.state.ended() || job.attempts > attempt => {
                    self.drop_hints(&[stale(entry)], removed_at(id, attempt))
                        .await?;
                }
                Some(_) => {}
                None if now.as_millis() - sort > ORPHAN_AFTER_MS => {
                    self.drop_hints(&[stale(entry)], removed_at(id, attempt))
                        .await?;
                }
                None => {}
            }
        }
        due.sort_by_key(|job| (job.due_at, job.id));
        Ok(due)
    }

    pub(super) async fn retry_job(
        &self,
        guild: GuildId,
        id: u64,
        due_at: Timestamp,
    ) -> Result<bool> {
        let pending = encode(&JobState::Pending)?;
        self.change_pending_job(
            guild,
            id,
            |job| {
                let next = job.attempts + 1;
                (due_hint(guild, id, next, due_at), written_at(id, next))
            },
            "UPDATE guild_jobs SET attempts = ?, due_at = ? WHERE guild_id = ? AND job_id = ? IF state = ? AND attempts = ?",
            |job| {
                (
                    i32::try_from(job.attempts + 1).unwrap_or(i32::MAX),
                    due_at.as_millis(),
                    big(guild.get()),
                    big(id),
                    pending.as_str(),
                    i32::try_from(job.attempts).unwrap_or(i32::MAX),
                )
            },
            |job, found| found.attempts == job.attempts + 1 && found.due_at == due_at,
        )
        .await
    }

    pub(super) async fn end_job(
        &self,
        guild: GuildId,
        id: u64,
        state: JobState,
        at: Timestamp,
    ) -> Result<bool> {
        if !state.ended() {
            return Err(Error::Invalid("a job cannot end pending".into()));
        }
        let pending = encode(&JobState::Pending)?;
        let encoded = encode(&state)?;
        self.change_pending_job(
            guild,
            id,
            |_| (ended_hint(guild, id, at), now_micros()),
            "UPDATE guild_jobs SET state = ?, ended_at = ? WHERE guild_id = ? AND job_id = ? IF state = ? AND attempts = ?",
            |job| {
                (
                    encoded.as_str(),
                    at.as_millis(),
                    big(guild.get()),
                    big(id),
                    pending.as_str(),
                    i32::try_from(job.attempts).unwrap_or(i32::MAX),
                )
            },
            |_, found| found.state == state && found.ended_at == Some(at),
        )
        .await
    }

    /// Changes a pending job by `cql`, conditional on it being pending at the attempt read:
    /// reads the job (`false` when it is gone or ended), writes the entry `hint` gives for the
    /// change, runs the conditional update with `values`, and once it applied (or, when the
    /// answer was lost, once a read shows `landed(job, found)`) removes the entry of the attempt
    /// read. Refused because the job moved on meanwhile (retried or ended by another process):
    /// read again and decide again, a few times.
    async fn change_pending_job<V: scylla::serialize::row::SerializeRow>(
        &self,
        guild: GuildId,
        id: u64,
        hint: impl Fn(&GuildJob) -> (Hint, i64),
        cql: &'static str,
        values: impl Fn(&GuildJob) -> V,
        landed: impl Fn(&GuildJob, &GuildJob) -> bool,
    ) -> Result<bool> {
        for attempt in 0..CAS_ATTEMPTS {
            let Some(job) = self.job(guild, id, true).await? else {
                return Ok(false);
            };
            if job.state.ended() {
                return Ok(false);
            }
            let (entry, written) = hint(&job);
            self.put_hints(&[entry], written).await?;
            let applied = match self.cas(cql, values(&job)).await? {
                Cas::Applied => true,
                Cas::Refused(_) => false,
                Cas::Uncertain => self
                    .job(guild, id, true)
                    .await?
                    .is_some_and(|found| landed(&job, &found)),
            };
            if applied {
                let old = due_hint(guild, id, job.attempts, job.due_at);
                self.drop_hints(&[old], removed_at(id, job.attempts))
                    .await?;
                return Ok(true);
            }
            back_off(attempt).await;
        }
        Err(contended("a guild job"))
    }

    pub(super) async fn purge_jobs(&self, before: Timestamp) -> Result<u64> {
        let entries = self
            .due_entries(Kind::JobEnded, i64::MIN, before.as_millis() - 1)
            .await?;
        let mut purged = 0;
        for (bucket, entry) in entries {
            let (_, id, _, guild) = entry;
            let Some(guild) = Id::new_checked(guild as u64) else {
                continue;
            };
            match self.job(guild, id as u64, false).await? {
                Some(job) if job.ended_at.is_some_and(|ended| ended < before) => {
                    self.exec(
                        "DELETE FROM guild_jobs WHERE guild_id = ? AND job_id = ?",
                        (big(guild.get()), id),
                    )
                    .await?;
                    purged += 1;
                }
                // Still pending (an ended entry written by an end that lost its race), or
                // ended later: its own entry says when.
                Some(job) if !job.state.ended() => continue,
                _ => {}
            }
            self.drop_hints(
                &[Self::entry_hint(Kind::JobEnded, bucket, entry)],
                now_micros(),
            )
            .await?;
        }
        Ok(purged)
    }
}
