//! Transcript messages as both stores keep them: a compact binary record, a third of the JSON
//! they were written as before (which still reads). A ticket's messages are most of what a
//! store writes, so their size is most of its write-ahead log, its pages and its checksums.
//!
//! The record (integers little-endian, lengths and counts as LEB128 varints, strings UTF-8):
//! `FORMAT` · flags (author is a bot, staff note, deleted) · message id, author id, created at
//! (8 bytes each) · deleted at (8 bytes, when flagged) · author name · content · edits (count,
//! then previous content and edited at) · embeds (count, then a byte saying which optional
//! parts follow, the parts, the fields as name/value pairs) · attachments (count, then id,
//! filename, content type or none, size, stored).

use crate::{Error, Result};
use helpline_domain::transcript::{
    TranscriptAttachment, TranscriptEdit, TranscriptEmbed, TranscriptMessage,
};
use helpline_domain::{Id, Timestamp};

/// The first byte of a binary record; a JSON record starts with `{`.
const FORMAT: u8 = 1;

const BOT: u8 = 1;
const STAFF_NOTE: u8 = 2;
const DELETED: u8 = 4;

// Which optional parts of an embed follow.
const TITLE: u8 = 1;
const DESCRIPTION: u8 = 2;
const URL: u8 = 4;
const COLOR: u8 = 8;
const FOOTER: u8 = 16;
const IMAGE: u8 = 32;

/// The stored form of a transcript message.
pub(crate) fn encode_message(message: &TranscriptMessage) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 + message.author_name.len() + message.content.len());
    out.push(FORMAT);
    let flags = if message.author_is_bot { BOT } else { 0 }
        | if message.staff_note { STAFF_NOTE } else { 0 }
        | if message.deleted_at.is_some() {
            DELETED
        } else {
            0
        };
    out.push(flags);
    out.extend_from_slice(&message.message_id.get().to_le_bytes());
    out.extend_from_slice(&message.author_id.get().to_le_bytes());
    out.extend_from_slice(&message.created_at.as_millis().to_le_bytes());
    if let Some(deleted) = message.deleted_at {
        out.extend_from_slice(&deleted.as_millis().to_le_bytes());
    }
    put_str(&mut out, &message.author_name);
    put_str(&mut out, &message.content);
    put_len(&mut out, message.edits.len());
    for edit in &message.edits {
        put_str(&mut out, &edit.previous_content);
        out.extend_from_slice(&edit.edited_at.as_millis().to_le_bytes());
    }
    put_len(&mut out, message.embeds.len());
    for embed in &message.embeds {
        let parts = [
            (TITLE, embed.title.is_some()),
            (DESCRIPTION, embed.description.is_some()),
            (URL, embed.url.is_some()),
            (COLOR, embed.color.is_some()),
            (FOOTER, embed.footer.is_some()),
            (IMAGE, embed.image_url.is_some()),
        ];
        out.push(
            parts
                .iter()
                .filter(|(_, some)| *some)
                .fold(0, |b, (bit, _)| b | bit),
        );
        for text in [&embed.title, &embed.description, &embed.url]
            .into_iter()
            .flatten()
        {
            put_str(&mut out, text);
        }
        if let Some(color) = embed.color {
            out.extend_from_slice(&color.to_le_bytes());
        }
        for text in [&embed.footer, &embed.image_url].into_iter().flatten() {
            put_str(&mut out, text);
        }
        put_len(&mut out, embed.fields.len());
        for (name, value) in &embed.fields {
            put_str(&mut out, name);
            put_str(&mut out, value);
        }
    }
    put_len(&mut out, message.attachments.len());
    for attachment in &message.attachments {
        out.extend_from_slice(&attachment.id.to_le_bytes());
        put_str(&mut out, &attachment.filename);
        match &attachment.content_type {
            Some(kind) => {
                out.push(1);
                put_str(&mut out, kind);
            }
            None => out.push(0),
        }
        put_varint(&mut out, attachment.size);
        out.push(u8::from(attachment.stored));
    }
    out
}

/// A stored transcript message: a binary record, or the JSON of records written before it.
pub(crate) fn decode_message(stored: &[u8]) -> Result<TranscriptMessage> {
    match stored.first() {
        Some(b'{') => serde_json::from_slice(stored).map_err(|source| Error::Corrupt {
            what: "transcript message",
            source,
        }),
        Some(&FORMAT) => Reader(&stored[1..]).message(),
        _ => Err(Error::Malformed {
            what: "transcript message",
            why: "unknown record format",
        }),
    }
}

fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    put_varint(out, len as u64);
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

/// Reads a record from the front; every read checks what is left, so a cut or damaged record
/// is an error, never a panic.
struct Reader<'a>(&'a [u8]);

fn malformed(why: &'static str) -> Error {
    Error::Malformed {
        what: "transcript message",
        why,
    }
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return Err(malformed("the record is cut short"));
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut array = [0; N];
        array.copy_from_slice(self.bytes(N)?);
        Ok(array)
    }

    fn u64(&mut self) -> Result<u64> {
        self.fixed().map(u64::from_le_bytes)
    }

    fn id<T>(&mut self) -> Result<Id<T>> {
        Id::new_checked(self.u64()?).ok_or_else(|| malformed("an id is zero"))
    }

    fn time(&mut self) -> Result<Timestamp> {
        self.fixed()
            .map(|b| Timestamp::from_millis(i64::from_le_bytes(b)))
    }

    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("a number is too long"))
    }

    /// A count of items that each take at least one byte: never more than the bytes left, so
    /// a damaged count cannot reserve memory for nothing.
    fn count(&mut self) -> Result<usize> {
        let count = self.varint()?;
        if count > self.0.len() as u64 {
            return Err(malformed("a count exceeds the record"));
        }
        Ok(count as usize)
    }

    fn string(&mut self) -> Result<String> {
        let len = self.count()?;
        let bytes = self.bytes(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| malformed("a text is not UTF-8"))
    }

    /// An embed's optional text, there when its bit is set in `parts`.
    fn part(&mut self, parts: u8, bit: u8) -> Result<Option<String>> {
        if parts & bit != 0 {
            self.string().map(Some)
        } else {
            Ok(None)
        }
    }

    fn message(mut self) -> Result<TranscriptMessage> {
        let flags = self.byte()?;
        let message_id = self.id()?;
        let author_id = self.id()?;
        let created_at = self.time()?;
        let deleted_at = if flags & DELETED != 0 {
            Some(self.time()?)
        } else {
            None
        };
        let author_name = self.string()?;
        let content = self.string()?;
        let edits = (0..self.count()?)
            .map(|_| {
                Ok(TranscriptEdit {
                    previous_content: self.string()?,
                    edited_at: self.time()?,
                })
            })
            .collect::<Result<_>>()?;
        let embeds = (0..self.count()?)
            .map(|_| self.embed())
            .collect::<Result<_>>()?;
        let attachments = (0..self.count()?)
            .map(|_| {
                Ok(TranscriptAttachment {
                    id: self.u64()?,
                    filename: self.string()?,
                    content_type: match self.byte()? {
                        0 => None,
                        1 => Some(self.string()?),
                        _ => return Err(malformed("a content type marker is neither 0 nor 1")),
                    },
                    size: self.varint()?,
                    stored: self.byte()? != 0,
                })
            })
            .collect::<Result<_>>()?;
        if !self.0.is_empty() {
            return Err(malformed("bytes follow the record"));
        }
        Ok(TranscriptMessage {
            message_id,
            author_id,
            author_name,
            author_is_bot: flags & BOT != 0,
            content,
            created_at,
            edits,
            deleted_at,
            embeds,
            attachments,
            staff_note: flags & STAFF_NOTE != 0,
        })
    }

    fn embed(&mut self) -> Result<TranscriptEmbed> {
        let parts = self.byte()?;
        let title = self.part(parts, TITLE)?;
        let description = self.part(parts, DESCRIPTION)?;
        let url = self.part(parts, URL)?;
        let color = if parts & COLOR != 0 {
            Some(u32::from_le_bytes(self.fixed()?))
        } else {
            None
        };
        let footer = self.part(parts, FOOTER)?;
        let image_url = self.part(parts, IMAGE)?;
        let fields = (0..self.count()?)
            .map(|_| Ok((self.string()?, self.string()?)))
            .collect::<Result<_>>()?;
        Ok(TranscriptEmbed {
            title,
            description,
            url,
            color,
            fields,
            footer,
            image_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn message() -> TranscriptMessage {
        TranscriptMessage {
            message_id: Id::new(1_447_000_000_000_000_001),
            author_id: Id::new(1_447_000_000_000_000_002),
            author_name: "Zoé".into(),
            author_is_bot: false,
            content: "I still cannot log in, what should I try next?".into(),
            created_at: Timestamp::from_millis(1_796_665_614_112),
            edits: Vec::new(),
            deleted_at: None,
            embeds: Vec::new(),
            attachments: Vec::new(),
            staff_note: false,
        }
    }

    #[test]
    fn a_plain_message_takes_a_third_of_its_json() {
        let message = message();
        let binary = encode_message(&message);
        let json = serde_json::to_vec(&message).unwrap();
        assert_eq!(decode_message(&binary).unwrap(), message);
        assert_eq!(
            decode_message(&json).unwrap(),
            message,
            "JSON records still read"
        );
        assert!(
            binary.len() * 5 < json.len() * 2,
            "{} vs {}",
            binary.len(),
            json.len()
        );
    }

    #[test]
    fn every_cut_of_a_full_record_is_an_error() {
        let mut message = message();
        message.deleted_at = Some(Timestamp::from_millis(5));
        message.staff_note = true;
        message.edits.push(TranscriptEdit {
            previous_content: "before".into(),
            edited_at: Timestamp::from_millis(3),
        });
        message.embeds.push(TranscriptEmbed {
            title: Some("t".into()),
            color: Some(0xff00aa),
            fields: vec![("n".into(), "v".into())],
            image_url: Some("https://x/y.png".into()),
            ..TranscriptEmbed::default()
        });
        message.attachments.push(TranscriptAttachment {
            id: 9,
            filename: "a.txt".into(),
            content_type: None,
            size: 300,
            stored: true,
        });
        let record = encode_message(&message);
        assert_eq!(decode_message(&record).unwrap(), message);
        for len in 0..record.len() {
            assert!(decode_message(&record[..len]).is_err(), "cut at {len}");
        }
        let mut longer = record.clone();
        longer.push(0);
        assert!(decode_message(&longer).is_err(), "a trailing byte");
        let mut zero_id = record;
        zero_id[2..10].fill(0);
        assert!(decode_message(&zero_id).is_err(), "a zero message id");
        assert!(decode_message(&[2, 0]).is_err(), "an unknown format");
    }

    fn text() -> impl Strategy<Value = String> {
        proptest::string::string_regex("(.|\n){0,40}").unwrap()
    }

    prop_compose! {
        fn any_message()(
            ids in (1..=u64::MAX, 1..=u64::MAX),
            times in (any::<i64>(), proptest::option::of(any::<i64>())),
            flags in (any::<bool>(), any::<bool>()),
            texts in (text(), text()),
            edits in proptest::collection::vec((text(), any::<i64>()), 0..3),
            embeds in proptest::collection::vec((
                proptest::option::of(text()), proptest::option::of(text()),
                proptest::option::of(text()), proptest::option::of(any::<u32>()),
                proptest::collection::vec((text(), text()), 0..3),
                proptest::option::of(text()), proptest::option::of(text()),
            ), 0..3),
            attachments in proptest::collection::vec(
                (any::<u64>(), text(), proptest::option::of(text()), any::<u64>(), any::<bool>()),
                0..3,
            ),
        ) -> TranscriptMessage {
            TranscriptMessage {
                message_id: Id::new(ids.0),
                author_id: Id::new(ids.1),
                author_name: texts.0,
                author_is_bot: flags.0,
                content: texts.1,
                created_at: Timestamp::from_millis(times.0),
                edits: edits.into_iter().map(|(previous_content, at)| TranscriptEdit {
                    previous_content,
                    edited_at: Timestamp::from_millis(at),
                }).collect(),
                deleted_at: times.1.map(Timestamp::from_millis),
                embeds: embeds.into_iter().map(|(title, description, url, color, fields, footer, image_url)| {
                    TranscriptEmbed { title, description, url, color, fields, footer, image_url }
                }).collect(),
                attachments: attachments.into_iter().map(|(id, filename, content_type, size, stored)| {
                    TranscriptAttachment { id, filename, content_type, size, stored }
                }).collect(),
                staff_note: flags.1,
            }
        }
    }

    proptest! {
        #[test]
        fn any_message_reads_back_as_written(message in any_message()) {
            let record = encode_message(&message);
            prop_assert_eq!(decode_message(&record).unwrap(), message);
        }

        #[test]
        fn damaged_records_are_errors_not_panics(
            message in any_message(),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
        ) {
            let mut record = encode_message(&message);
            let at = at.index(record.len());
            record[at] = byte;
            let _ = decode_message(&record);
        }
    }
}
