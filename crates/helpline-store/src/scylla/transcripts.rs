//! Transcripts and attachments.

use super::tickets::contended;
use super::{CAS_ATTEMPTS, Cas, ScyllaStore, back_off, big, invalid};
use crate::Result;
use crate::seal::{Keys, Record};
use helpline_domain::{MessageId, TicketId, TranscriptMessage};
use std::collections::{BTreeMap, HashSet};

/// Attachment bytes per chunk: a quarter of the 1 MiB Scylla recommends a cell stays under.
const CHUNK: usize = 256 * 1024;

/// Keys asked for at once in an `IN` (Scylla's default limit is 100).
const IN_LIMIT: usize = 100;

/// A transcript message as stored: its record (`crate::record`), sealed with the store's keys
/// when it has some.
fn seal_message(
    keys: &Keys,
    ticket: TicketId,
    message: &TranscriptMessage,
) -> Result<(Option<i32>, Vec<u8>)> {
    let data = crate::record::encode_message(message);
    if !keys.seals() {
        return Ok((None, data));
    }
    let (key, sealed) = keys.seal(Record::Message, ticket.0, message.message_id.get(), data)?;
    Ok((key.map(|k| i32::try_from(k).unwrap_or(i32::MAX)), sealed))
}

fn open_message(
    keys: &Keys,
    ticket: TicketId,
    message: i64,
    key: Option<i32>,
    stored: Vec<u8>,
) -> Result<TranscriptMessage> {
    let key = key.and_then(|k| u32::try_from(k).ok());
    let plain = keys.open(
        Record::Message,
        ticket.0,
        u64::try_from(message).unwrap_or(0),
        key,
        stored,
    )?;
    crate::record::decode_message(&plain)
}

/// The write timestamp of a message: its creation time, in microseconds.
fn created_micros(message: &TranscriptMessage) -> i64 {
    message.created_at.as_millis().saturating_mul(1000)
}

const INSERT_MESSAGE: &str = "INSERT INTO transcript_messages (ticket_id, message_id, data, key_id) VALUES (?, ?, ?, ?) USING TIMESTAMP ?";

impl ScyllaStore {
    /// Which of `messages` a ticket's transcript has.
    async fn known_messages(&self, ticket: i64, messages: &[i64]) -> Result<HashSet<i64>> {
        let mut known = HashSet::new();
        for chunk in messages.chunks(IN_LIMIT) {
            let rows: Vec<(i64,)> = self
                .rows(
                    "SELECT message_id FROM transcript_messages WHERE ticket_id = ? AND message_id IN ?",
                    (ticket, chunk.to_vec()),
                )
                .await?;
            known.extend(rows.into_iter().map(|(id,)| id));
        }
        Ok(known)
    }

    pub(super) async fn append(
        &self,
        messages: &[(TicketId, TranscriptMessage)],
    ) -> Result<Vec<bool>> {
        let keys = self.keys();
        let mut by_ticket: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (ticket, message) in messages {
            by_ticket
                .entry(big(ticket.0))
                .or_default()
                .push(big(message.message_id.get()));
        }
        let mut known: HashSet<(i64, i64)> = HashSet::new();
        for (ticket, ids) in by_ticket {
            for id in self.known_messages(ticket, &ids).await? {
                known.insert((ticket, id));
            }
        }
        let mut inserted = Vec::with_capacity(messages.len());
        let mut writes = Vec::new();
        let mut authors = Vec::new();
        for (ticket, message) in messages {
            let key = (big(ticket.0), big(message.message_id.get()));
            // Once per message: a later copy in the same batch is not new either.
            let new = known.insert(key);
            inserted.push(new);
            if new {
                if !message.author_is_bot {
                    let hint = super::index::Hint {
                        kind: super::index::Kind::Participant,
                        part: big(message.author_id.get()),
                        sort: key.0,
                        ticket: key.0,
                        sub: 1,
                        guild: 0,
                    };
                    if !authors.iter().any(|(h, _)| *h == hint) {
                        authors.push((hint, *ticket));
                    }
                }
                let (key_id, data) = seal_message(&keys, *ticket, message)?;
                writes.push((
                    INSERT_MESSAGE,
                    (key.0, key.1, data, key_id, created_micros(message)),
                ));
            }
        }
        // Who wrote, before what they wrote: the list of a user's tickets never misses one.
        for (hint, ticket) in authors {
            self.put_hints(&[hint], super::index::written_at(ticket, 0))
                .await?;
        }
        self.exec_all(writes).await?;
        Ok(inserted)
    }

    /// Reads a message, changes it with `change`, and writes it back (compare-and-set on the
    /// bytes read) if it changed.
    pub(super) async fn change_message(
        &self,
        ticket: TicketId,
        message: MessageId,
        change: impl Fn(&mut TranscriptMessage) -> bool,
    ) -> Result<bool> {
        let keys = self.keys();
        let ids = (big(ticket.0), big(message.get()));
        for attempt in 0..CAS_ATTEMPTS {
            let rows: Vec<(Vec<u8>, Option<i32>)> = if attempt == 0 {
                self.rows(READ_MESSAGE, ids).await?
            } else {
                self.serial_rows(READ_MESSAGE, ids).await?
            };
            let Some((stored, key)) = rows.into_iter().next() else {
                return Ok(false);
            };
            let mut decoded = open_message(&keys, ticket, ids.1, key, stored.clone())?;
            if !change(&mut decoded) {
                return Ok(false);
            }
            let (key, data) = seal_message(&keys, ticket, &decoded)?;
            match self
                .cas(
                    "UPDATE transcript_messages SET data = ?, key_id = ? WHERE ticket_id = ? AND message_id = ? IF data = ?",
                    (data.clone(), key, ids.0, ids.1, stored),
                )
                .await?
            {
                Cas::Applied => return Ok(true),
                Cas::Refused(_) => back_off(attempt).await,
                Cas::Uncertain => {
                    let rows: Vec<(Vec<u8>,)> = self
                        .serial_rows(
                            "SELECT data FROM transcript_messages WHERE ticket_id = ? AND message_id = ?",
                            ids,
                        )
                        .await?;
                    if rows.first().is_some_and(|(now,)| *now == data) {
                        return Ok(true);
                    }
                }
            }
        }
        Err(contended("a transcript message"))
    }

    pub(super) async fn keep_attachment(
        &self,
        ticket: TicketId,
        message: MessageId,
        attachment: u64,
        bytes: Vec<u8>,
    ) -> Result<bool> {
        let limits = self.limits();
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if size > limits.max_attachment_bytes {
            return Ok(false);
        }
        let (tid, aid) = (big(ticket.0), big(attachment));
        if self
            .known_messages(tid, &[big(message.get())])
            .await?
            .is_empty()
        {
            return Ok(false);
        }
        if self.attachment_meta(tid, aid, false).await?.is_some() {
            return Ok(true);
        }
        let (key, sealed) = self
            .keys()
            .seal(Record::Attachment, ticket.0, attachment, bytes)?;
        let key = key.map(|k| i32::try_from(k).unwrap_or(i32::MAX));
        let upload = upload_id();
        let chunks: Vec<Vec<u8>> = sealed.chunks(CHUNK).map(<[u8]>::to_vec).collect();
        let count = i32::try_from(chunks.len()).unwrap_or(i32::MAX);
        self.exec_all(chunks.into_iter().enumerate().map(|(index, chunk)| {
            (
                "INSERT INTO attachment_chunks (ticket_id, attachment_id, upload, chunk, bytes) VALUES (?, ?, ?, ?, ?)",
                (tid, aid, upload, i32::try_from(index).unwrap_or(i32::MAX), chunk),
            )
        }))
        .await?;
        let budget = big(limits.max_ticket_attachment_bytes);
        let size = big(size);
        let row = (tid, aid, big(message.get()), size, upload, count, key);
        for attempt in 0..CAS_ATTEMPTS {
            let used: Vec<(Option<i64>,)> = self
                .serial_rows(
                    "SELECT used FROM attachments WHERE ticket_id = ? LIMIT 1",
                    (tid,),
                )
                .await?;
            let used = used.first().and_then(|(used,)| *used);
            if let Some(meta) = self.attachment_meta(tid, aid, true).await? {
                // Kept meanwhile (by this very call, if an answer was lost).
                if meta.0 != upload {
                    self.drop_upload(tid, aid, upload).await?;
                }
                return Ok(true);
            }
            if used.unwrap_or(0).saturating_add(size) > budget {
                self.drop_upload(tid, aid, upload).await?;
                return Ok(false);
            }
            let total = used.unwrap_or(0) + size;
            let cas = match used {
                Some(used) => {
                    self.cas_batch(
                        &[
                            "UPDATE attachments SET used = ? WHERE ticket_id = ? IF used = ?",
                            INSERT_ATTACHMENT,
                        ],
                        ((total, tid, used), row),
                    )
                    .await?
                }
                None => {
                    self.cas_batch(
                        &[
                            "UPDATE attachments SET used = ? WHERE ticket_id = ? IF used = null",
                            INSERT_ATTACHMENT,
                        ],
                        ((total, tid), row),
                    )
                    .await?
                }
            };
            match cas {
                Cas::Applied => return Ok(true),
                Cas::Refused(_) => back_off(attempt).await,
                // Applied or not: the next pass reads at SERIAL.
                Cas::Uncertain => {}
            }
        }
        Err(contended("a ticket's attachments"))
    }

    /// An attachment's (upload, chunks, key, size), if kept.
    async fn attachment_meta(
        &self,
        ticket: i64,
        attachment: i64,
        serial: bool,
    ) -> Result<Option<(i64, i32, Option<i32>, i64)>> {
        const READ: &str = "SELECT upload, chunks, key_id, size FROM attachments WHERE ticket_id = ? AND attachment_id = ?";
        let rows: Vec<(i64, i32, Option<i32>, i64)> = if serial {
            self.serial_rows(READ, (ticket, attachment)).await?
        } else {
            self.rows(READ, (ticket, attachment)).await?
        };
        Ok(rows.into_iter().next())
    }

    async fn drop_upload(&self, ticket: i64, attachment: i64, upload: i64) -> Result<()> {
        self.exec(
            "DELETE FROM attachment_chunks WHERE ticket_id = ? AND attachment_id = ? AND upload = ?",
            (ticket, attachment, upload),
        )
        .await?;
        Ok(())
    }

    pub(super) async fn attachment_bytes(
        &self,
        ticket: TicketId,
        attachment: u64,
    ) -> Result<Option<Vec<u8>>> {
        let (tid, aid) = (big(ticket.0), big(attachment));
        let Some((upload, chunks, key, _)) = self.attachment_meta(tid, aid, false).await? else {
            return Ok(None);
        };
        let rows: Vec<(i32, Vec<u8>)> = self
            .rows(
                "SELECT chunk, bytes FROM attachment_chunks WHERE ticket_id = ? AND attachment_id = ? AND upload = ?",
                (tid, aid, upload),
            )
            .await?;
        if rows.len() != usize::try_from(chunks).unwrap_or(0)
            || rows
                .iter()
                .enumerate()
                .any(|(i, (chunk, _))| usize::try_from(*chunk).ok() != Some(i))
        {
            return Err(invalid(format!(
                "attachment {attachment} of ticket {ticket} is missing chunks"
            )));
        }
        let sealed: Vec<u8> = rows.into_iter().flat_map(|(_, bytes)| bytes).collect();
        let key = key.and_then(|k| u32::try_from(k).ok());
        self.keys()
            .open(Record::Attachment, ticket.0, attachment, key, sealed)
            .map(Some)
    }

    pub(super) async fn sizes(&self, ticket: TicketId) -> Result<Vec<(u64, u64)>> {
        let rows: Vec<(Option<i64>, Option<i64>)> = self
            .rows(
                "SELECT attachment_id, size FROM attachments WHERE ticket_id = ?",
                (big(ticket.0),),
            )
            .await?;
        let mut sizes: Vec<(u64, u64)> = rows
            .into_iter()
            .filter_map(|(id, size)| Some((u64::try_from(id?).ok()?, u64::try_from(size?).ok()?)))
            .collect();
        sizes.sort_unstable();
        Ok(sizes)
    }

    pub(super) async fn read_transcript(&self, ticket: TicketId) -> Result<Vec<TranscriptMessage>> {
        let keys = self.keys();
        let stored: HashSet<u64> = self
            .sizes(ticket)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let rows: Vec<(i64, Vec<u8>, Option<i32>)> = self
            .rows(
                "SELECT message_id, data, key_id FROM transcript_messages WHERE ticket_id = ?",
                (big(ticket.0),),
            )
            .await?;
        let mut messages = Vec::with_capacity(rows.len());
        for (id, data, key) in rows {
            let mut message = open_message(&keys, ticket, id, key, data)?;
            for attachment in &mut message.attachments {
                attachment.stored = stored.contains(&attachment.id);
            }
            messages.push(message);
        }
        Ok(messages)
    }

    /// Deletes a ticket's transcript messages, attachments and their bytes; returns how many
    /// messages and attachments went.
    pub(super) async fn delete_transcript(&self, ticket: TicketId) -> Result<u64> {
        let tid = big(ticket.0);
        let messages: Vec<(i64, Vec<u8>, Option<i32>)> = self
            .rows(
                "SELECT message_id, data, key_id FROM transcript_messages WHERE ticket_id = ?",
                (tid,),
            )
            .await?;
        let kept = self.sizes(ticket).await?;
        // Bytes are under (ticket, attachment): those kept, and those a message names (an
        // upload interrupted before it was recorded).
        let keys = self.keys();
        let mut attachments: HashSet<u64> = kept.iter().map(|(id, _)| *id).collect();
        for (id, data, key) in &messages {
            if let Ok(message) = open_message(&keys, ticket, *id, *key, data.clone()) {
                attachments.extend(message.attachments.iter().map(|a| a.id));
            }
        }
        self.exec_all(attachments.iter().map(|attachment| {
            (
                "DELETE FROM attachment_chunks WHERE ticket_id = ? AND attachment_id = ?",
                (tid, big(*attachment)),
            )
        }))
        .await?;
        self.exec("DELETE FROM attachments WHERE ticket_id = ?", (tid,))
            .await?;
        self.exec(
            "DELETE FROM transcript_messages WHERE ticket_id = ?",
            (tid,),
        )
        .await?;
        Ok((messages.len() + kept.len()) as u64)
    }
}

const READ_MESSAGE: &str =
    "SELECT data, key_id FROM transcript_messages WHERE ticket_id = ? AND message_id = ?";
const INSERT_ATTACHMENT: &str = "INSERT INTO attachments (ticket_id, attachment_id, message_id, size, upload, chunks, key_id) VALUES (?, ?, ?, ?, ?, ?, ?) IF NOT EXISTS";

/// A random id for one upload of an attachment's bytes (or one write of a ticket).
pub(super) fn upload_id() -> i64 {
    let mut bytes = [0u8; 8];
    if ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes).is_err() {
        // No system randomness: the clock's nanoseconds still tell two uploads apart.
        return std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_nanos() % (1 << 62)).unwrap_or(0));
    }
    i64::from_le_bytes(bytes)
}
