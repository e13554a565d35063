//! Transcripts at rest (S8): message contents and attachment bytes sealed with AES-256-GCM.
//! Each record keeps the id of the key that sealed it, so keys rotate: new records use the
//! current key, older ones open with the key they name until they are purged. The associated
//! data binds a sealed record to its ticket and id, so one cannot be moved to another place.
//! Without keys, records are stored as they are (key id `NULL`).

use crate::{Error, Result};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// One key: its id and its 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreKey {
    pub id: u32,
    pub bytes: [u8; 32],
}

impl fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreKey")
            .field("id", &self.id)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

impl StoreKey {
    /// Reads `id:base64` (32 bytes once decoded), as the `store.encryption_keys` setting
    /// lists keys.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let (id, key) = text
            .trim()
            .split_once(':')
            .ok_or("a key is written id:base64")?;
        let id: u32 = id
            .trim()
            .parse()
            .map_err(|_| "a key id is a number".to_owned())?;
        let bytes = decode_base64(key.trim()).ok_or("a key is standard base64")?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "a key is 32 bytes (44 characters of base64)".to_owned())?;
        Ok(Self { id, bytes })
    }
}

/// The keys records are sealed and opened with.
#[derive(Clone, Default)]
pub struct Keys {
    inner: Option<Arc<KeyRing>>,
}

struct KeyRing {
    current: u32,
    keys: HashMap<u32, LessSafeKey>,
    random: SystemRandom,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            None => f.write_str("Keys(none)"),
            Some(ring) => f
                .debug_struct("Keys")
                .field("current", &ring.current)
                .field("count", &ring.keys.len())
                .finish(),
        }
    }
}

/// What a record is, in its associated data.
#[derive(Clone, Copy)]
pub(crate) enum Record {
    Message,
    Attachment,
}

fn aad(record: Record, ticket: u64, id: u64) -> [u8; 17] {
    let mut aad = [0; 17];
    aad[0] = match record {
        Record::Message => b'm',
        Record::Attachment => b'a',
    };
    aad[1..9].copy_from_slice(&ticket.to_be_bytes());
    aad[9..].copy_from_slice(&id.to_be_bytes());
    aad
}

impl Keys {
    /// Records stored as they are.
    pub fn none() -> Self {
        Self::default()
    }

    /// Seals new records with `current`; opens those sealed with it or with one of `older`.
    pub fn new(current: StoreKey, older: Vec<StoreKey>) -> std::result::Result<Self, String> {
        let current_id = current.id;
        let mut keys = HashMap::new();
        for key in std::iter::once(current).chain(older) {
            let unbound = UnboundKey::new(&AES_256_GCM, &key.bytes)
                .map_err(|_| "an AES-256-GCM key is 32 bytes".to_owned())?;
            if keys.insert(key.id, LessSafeKey::new(unbound)).is_some() {
                return Err(format!("key id {} is given twice", key.id));
            }
        }
        Ok(Self {
            inner: Some(Arc::new(KeyRing {
                current: current_id,
                keys,
                random: SystemRandom::new(),
            })),
        })
    }

    /// Whether records are sealed.
    pub fn seals(&self) -> bool {
        self.inner.is_some()
    }

    /// The record as stored, with the id of the key that sealed it (`None`: stored as it is).
    pub(crate) fn seal(
        &self,
        record: Record,
        ticket: u64,
        id: u64,
        mut plain: Vec<u8>,
    ) -> Result<(Option<u32>, Vec<u8>)> {
        let Some(ring) = &self.inner else {
            return Ok((None, plain));
        };
        let key = &ring.keys[&ring.current];
        let mut nonce = [0; NONCE_LEN];
        ring.random
            .fill(&mut nonce)
            .map_err(|_| Error::Seal("no randomness for a nonce"))?;
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad(record, ticket, id)),
            &mut plain,
        )
        .map_err(|_| Error::Seal("sealing failed"))?;
        let mut stored = Vec::with_capacity(NONCE_LEN + plain.len());
        stored.extend_from_slice(&nonce);
        stored.extend_from_slice(&plain);
        Ok((Some(ring.current), stored))
    }

    /// The record as it was given, from what is stored and the key id stored with it.
    pub(crate) fn open(
        &self,
        record: Record,
        ticket: u64,
        id: u64,
        key_id: Option<u32>,
        stored: Vec<u8>,
    ) -> Result<Vec<u8>> {
        let Some(key_id) = key_id else {
            return Ok(stored);
        };
        let key = self
            .inner
            .as_ref()
            .and_then(|ring| ring.keys.get(&key_id))
            .ok_or(Error::Seal(
                "a record is sealed with a key this store was not given",
            ))?;
        if stored.len() < NONCE_LEN {
            return Err(Error::Seal("a sealed record is truncated"));
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| Error::Seal("a sealed record is truncated"))?;
        let mut sealed = sealed.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(aad(record, ticket, id)), &mut sealed)
            .map_err(|_| {
                Error::Seal("a sealed record does not open: altered, moved or another key")
            })?;
        let len = plain.len();
        sealed.truncate(len);
        Ok(sealed)
    }
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = ALPHABET.iter().position(|&c| c == byte)? as u32;
        buffer = buffer << 6 | value;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: u32, fill: u8) -> StoreKey {
        StoreKey {
            id,
            bytes: [fill; 32],
        }
    }

    #[test]
    fn sealed_records_open_only_in_their_place_with_their_key() {
        let keys = Keys::new(key(1, 7), Vec::new()).unwrap();
        let (id, sealed) = keys
            .seal(Record::Message, 5, 9, b"secret".to_vec())
            .unwrap();
        assert_eq!(id, Some(1));
        assert!(
            !sealed.windows(6).any(|w| w == b"secret"),
            "not readable at rest"
        );
        assert_eq!(
            keys.open(Record::Message, 5, 9, id, sealed.clone())
                .unwrap(),
            b"secret"
        );
        for (record, ticket, at) in [
            (Record::Message, 6, 9),
            (Record::Message, 5, 10),
            (Record::Attachment, 5, 9),
        ] {
            assert!(keys.open(record, ticket, at, id, sealed.clone()).is_err());
        }
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(keys.open(Record::Message, 5, 9, id, altered).is_err());
        // Rotation: a new current key opens the old records with the old key.
        let rotated = Keys::new(key(2, 8), vec![key(1, 7)]).unwrap();
        assert_eq!(
            rotated
                .open(Record::Message, 5, 9, id, sealed.clone())
                .unwrap(),
            b"secret"
        );
        assert_eq!(
            rotated
                .seal(Record::Message, 5, 9, b"x".to_vec())
                .unwrap()
                .0,
            Some(2)
        );
        let without_old = Keys::new(key(2, 8), Vec::new()).unwrap();
        assert!(without_old.open(Record::Message, 5, 9, id, sealed).is_err());
        // No keys: stored as given.
        assert_eq!(
            Keys::none()
                .seal(Record::Message, 5, 9, b"plain".to_vec())
                .unwrap(),
            (None, b"plain".to_vec())
        );
    }

    #[test]
    fn keys_are_read_from_settings_and_never_printed() {
        let text = format!("3:{}", "QUFB".repeat(10) + "QUE=");
        let key = StoreKey::parse(&text).unwrap();
        assert_eq!((key.id, key.bytes), (3, [b'A'; 32]));
        assert!(!format!("{key:?}").contains("65"), "{key:?}");
        assert!(StoreKey::parse("3:QUFB").is_err(), "too short");
        assert!(StoreKey::parse("x:QUFB").is_err());
        assert!(StoreKey::parse("QUFB").is_err());
        assert!(Keys::new(key.clone(), vec![key]).is_err(), "one id twice");
    }
}
