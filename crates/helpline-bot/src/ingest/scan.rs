//! A borrowed scan of a gateway dispatch for what the ingest decision reads: the envelope's `op`
//! and `t`, and `d`'s own `channel_id` — the top-level one of `d`, never that of a nested object
//! (a reply's reference names another channel).
//!
//! It finds the JSON's structure 64 bytes at a time: SIMD compares give the positions of quotes,
//! braces and backslashes as bit masks; bit arithmetic on them tells escaped quotes from the
//! others and which bytes are inside strings (simdjson's method), so the braces that count are
//! known without a byte-by-byte walk. Only those positions are visited, and quotes only in the
//! envelope and in `d` itself: nested objects are crossed brace to brace. On anything it is not sure of (a
//! duplicate key, a value of an odd form or written with escapes, JSON that does not close) it
//! answers `None`, and the caller parses the payload in full: the scan may decline, never guess.

use helpline_domain::ChannelId;
use wide::u8x16;

/// What the scan found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Scanned<'a> {
    pub(super) op: Option<u64>,
    /// The event type, as written (it has no escapes).
    pub(super) kind: Option<&'a str>,
    /// `d.channel_id` when it is a string of a non-zero `u64`; `None` when `d` has none or it is
    /// `null`, an empty string, or not a snowflake.
    pub(super) channel_id: Option<ChannelId>,
}

/// The keys the scan reads: the envelope's `op`, `t` and `d`, and `d`'s own `channel_id`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Op,
    Kind,
    D,
    ChannelId,
}

impl Key {
    /// The key `text` names at `depth` (1: the envelope; 2: `d`), if the scan reads it.
    fn at(depth: u32, text: &[u8]) -> Option<Self> {
        Some(match (depth, text) {
            (1, b"op") => Self::Op,
            (1, b"t") => Self::Kind,
            (1, b"d") => Self::D,
            (2, b"channel_id") => Self::ChannelId,
            _ => return None,
        })
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

const BLOCK: usize = 64;

/// Bit masks of the quotes, the braces and the backslashes in `block` (bit `i` for byte `i`).
#[inline]
fn masks(block: &[u8; BLOCK]) -> (u64, u64, u64) {
    let quote = u8x16::splat(b'"');
    let open = u8x16::splat(b'{');
    let close = u8x16::splat(b'}');
    let backslash = u8x16::splat(b'\\');
    let (mut quotes, mut braces, mut backslashes) = (0_u64, 0_u64, 0_u64);
    for (lane, bytes) in block.chunks_exact(16).enumerate() {
        let mut array = [0_u8; 16];
        array.copy_from_slice(bytes);
        let v = u8x16::new(array);
        // `move_mask` sets the low 16 bits of an i32.
        let bits = |m: u8x16| u64::from(m.move_mask() as u16) << (lane * 16);
        quotes |= bits(v.cmp_eq(quote));
        braces |= bits(v.cmp_eq(open) | v.cmp_eq(close));
        backslashes |= bits(v.cmp_eq(backslash));
    }
    (quotes, braces, backslashes)
}

/// The bytes escaped by a backslash in a block whose backslashes are `backslashes`, a run of
/// them escaping every other one (simdjson's branchless method); `carried` is 1 when the
/// block's first byte is escaped by the previous block, and is set for the next.
fn escaped(backslashes: u64, carried: &mut u64) -> u64 {
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let backslashes = backslashes & !*carried;
    let follows_escape = (backslashes << 1) | *carried;
    // Runs of backslashes starting on an odd bit, then the sum turns each run's parity into
    // its end's.
    let odd_starts = backslashes & !EVEN & !follows_escape;
    let (even_runs, overflow) = odd_starts.overflowing_add(backslashes);
    *carried = u64::from(overflow);
    (EVEN ^ (even_runs << 1)) & follows_escape
}

/// Each bit the parity of the bits up to it: 1 from an opening quote to the byte before its
/// closing one.
fn prefix_xor(mut bits: u64) -> u64 {
    for shift in [1, 2, 4, 8, 16, 32] {
        bits ^= bits << shift;
    }
    bits
}

/// Whether the scan reads the strings at `depth` (the envelope's, and `d`'s own).
fn reads(depth: u32, in_d: bool) -> bool {
    depth <= 1 || (depth == 2 && in_d)
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first non-space byte at or after `at`.
fn skip_space(json: &[u8], mut at: usize) -> usize {
    while json.get(at).copied().is_some_and(is_space) {
        at += 1;
    }
    at
}

/// An unsigned integer standing at `at` and ending where JSON lets a value end; `Err` for
/// anything else but `null`.
fn number(json: &[u8], at: usize) -> Result<Option<u64>, ()> {
    if json[at..].starts_with(b"null") {
        return Ok(None);
    }
    let digits = json[at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let end = at + digits;
    let ends = json
        .get(end)
        .is_some_and(|&b| is_space(b) || b == b',' || b == b'}');
    // A leading zero is JSON only for zero itself.
    if digits == 0 || !ends || (digits > 1 && json[at] == b'0') {
        return Err(());
    }
    let text = std::str::from_utf8(&json[at..end]).map_err(|_| ())?;
    text.parse().map(Some).map_err(|_| ())
}

/// Where a string value standing at `at` starts (its quote), `None` for `null`; `Err` for
/// anything else.
fn string_or_null(json: &[u8], at: usize) -> Result<Option<usize>, ()> {
    match json[at] {
        b'"' => Ok(Some(at)),
        _ if json[at..].starts_with(b"null") => Ok(None),
        _ => Err(()),
    }
}

/// Scans `json`; `None` when it declines (see the module).
pub(super) fn scan(json: &str) -> Option<Scanned<'_>> {
    let bytes = json.as_bytes();
    if bytes.get(skip_space(bytes, 0)) != Some(&b'{') {
        return None;
    }
    let mut found = Scanned::default();
    // The keys read so far (a bit each).
    let mut seen = 0_u8;
    // The depth of objects around the position (the envelope is 1, `d` is 2).
    let mut depth = 0_u32;
    // Whether the object at depth 2 is `d` (and not another top-level value's).
    let mut in_d = false;
    // Where `d`'s object opens, once its key was read.
    let mut d_opens_at = None;
    let mut string_start: Option<usize> = None;
    // The key whose string value the scan waits for, and where that value starts.
    let mut wanted: Option<(Key, usize)> = None;
    let mut tail = [b' '; BLOCK];
    // Whether the previous block ended inside a string (all ones) or not, and after an odd
    // run of backslashes (1: its first byte is escaped).
    let (mut carried_inside, mut carried_escape) = (0_u64, 0_u64);
    // The last backslash of the blocks before this one: a string holds one when it is there or
    // in this block before its closing quote.
    let mut backslash_before: Option<usize> = None;
    for base in (0..bytes.len()).step_by(BLOCK) {
        let block: &[u8; BLOCK] = match bytes.get(base..base + BLOCK) {
            Some(block) => block.try_into().ok()?,
            None => {
                tail[..bytes.len() - base].copy_from_slice(&bytes[base..]);
                &tail
            }
        };
        let (quotes, braces, backslashes) = masks(block);
        // The quotes that open or close a string (not escaped), and which bytes are inside
        // one: the braces that count are those outside.
        let quotes = quotes & !escaped(backslashes, &mut carried_escape);
        let inside = prefix_xor(quotes) ^ carried_inside;
        carried_inside = if inside >> 63 == 1 { u64::MAX } else { 0 };
        let structure = braces & !inside;
        // Strings are visited only where the scan reads them (the envelope and `d`): deeper
        // objects are crossed brace to brace.
        let mut events = if reads(depth, in_d) {
            structure | quotes
        } else {
            structure
        };
        while events != 0 {
            let bit = events.trailing_zeros();
            let at = base + bit as usize;
            events &= events - 1;
            let byte = bytes[at];
            if let Some(start) = string_start {
                // Only a closing quote can come inside a string.
                string_start = None;
                let below = backslashes & ((1_u64 << bit) - 1);
                let last_backslash = if below != 0 {
                    Some(base + 63 - below.leading_zeros() as usize)
                } else {
                    backslash_before
                };
                let escapes = last_backslash.is_some_and(|b| b >= start);
                let text = &bytes[start..at];
                let next = skip_space(bytes, at + 1);
                if bytes.get(next) != Some(&b':') {
                    // A value: the one the scan waits for?
                    match wanted.take() {
                        Some((Key::Kind, from)) if from == start - 1 => {
                            if escapes {
                                return None;
                            }
                            found.kind = Some(std::str::from_utf8(text).ok()?);
                        }
                        Some((Key::ChannelId, from)) if from == start - 1 => {
                            found.channel_id = std::str::from_utf8(text)
                                .ok()
                                .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
                                .and_then(|t| t.parse::<u64>().ok())
                                .and_then(ChannelId::new_checked);
                        }
                        _ => {}
                    }
                    continue;
                }
                // A key of the envelope, or of `d`: read what its value is.
                // A key written with escapes (never by Discord) is read as a full parse reads it.
                let decoded;
                let text = if escapes {
                    decoded = serde_json::from_str::<String>(&json[start - 1..=at]).ok()?;
                    decoded.as_bytes()
                } else {
                    text
                };
                let Some(key) = Key::at(depth, text) else {
                    continue;
                };
                // A second one is declined: a full parse refuses a duplicate field.
                if seen & key.bit() != 0 {
                    return None;
                }
                seen |= key.bit();
                let value = skip_space(bytes, next + 1);
                if value >= bytes.len() {
                    return None;
                }
                match key {
                    Key::Op => found.op = number(bytes, value).ok()?,
                    Key::Kind | Key::ChannelId => {
                        wanted = string_or_null(bytes, value).ok()?.map(|from| (key, from));
                    }
                    Key::D => d_opens_at = (bytes[value] == b'{').then_some(value),
                }
            } else if byte == b'"' {
                if depth == 0 {
                    return None;
                }
                string_start = Some(at + 1);
            } else if byte == b'{' {
                depth += 1;
                if depth == 2 {
                    in_d = d_opens_at == Some(at);
                }
                if !reads(depth, in_d) {
                    events &= structure;
                }
            } else {
                let read = reads(depth, in_d);
                depth = depth.checked_sub(1)?;
                if !read && reads(depth, in_d) {
                    // Back where strings are read: this block's next quotes count again.
                    events |= quotes & u64::MAX.checked_shl(bit + 1).unwrap_or(0);
                }
                if depth == 0 {
                    // The envelope closed: only space may follow.
                    if bytes[at + 1..].iter().all(|&b| is_space(b)) {
                        return Some(found);
                    }
                    return None;
                }
            }
        }
        if backslashes != 0 {
            backslash_before = Some(base + 63 - backslashes.leading_zeros() as usize);
        }
    }
    // The envelope never closed.
    None
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// What a full parse reads from the same payload, in the scan's terms.
    fn reference(envelope: &Value) -> Scanned<'_> {
        let d = &envelope["d"];
        Scanned {
            op: envelope["op"].as_u64(),
            kind: envelope["t"].as_str(),
            channel_id: d["channel_id"]
                .as_str()
                .filter(|t| t.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|t| t.parse().ok())
                .and_then(ChannelId::new_checked),
        }
    }

    /// Any JSON value, with keys and strings that look like what the scan looks for (the peek's
    /// tests use it too).
    pub(in crate::ingest) fn value() -> impl Strategy<Value = Value> {
        let text = prop_oneof![
            Just("channel_id".to_owned()),
            Just("channel_type".to_owned()),
            Just("d".to_owned()),
            Just("op".to_owned()),
            Just("t".to_owned()),
            Just("\"channel_id\":\"9\"".to_owned()),
            Just("\\\"}{".to_owned()),
            "[a-z_\"\\\\{}\\[\\]:, \u{e9}\n]{0,12}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u8>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |x| x.is_finite())
                .prop_map(Value::from),
            (1_u64..).prop_map(|id| Value::from(id.to_string())),
            text.clone().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                proptest::collection::vec((text.clone(), inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// An envelope: `op`, `t`, `s` and `d` (an object of any values, its own channel fields
    /// among them or not) in any order, with other keys beside them.
    fn envelope() -> impl Strategy<Value = Value> {
        let channel = prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            (0_u64..).prop_map(|id| Some(Value::from(id.to_string()))),
            value().prop_map(Some),
        ];
        let channel_type = prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            any::<u8>().prop_map(|t| Some(Value::from(t))),
            value().prop_map(Some),
        ];
        let d = (
            proptest::collection::vec(("[a-z_]{1,12}", value()), 0..8),
            channel,
            channel_type,
        )
            .prop_map(|(members, channel, channel_type)| {
                let mut d: serde_json::Map<String, Value> = members.into_iter().collect();
                if let Some(channel) = channel {
                    d.insert("channel_id".to_owned(), channel);
                }
                if let Some(channel_type) = channel_type {
                    d.insert("channel_type".to_owned(), channel_type);
                }
                Value::Object(d)
            });
        let d = prop_oneof![4 => d, 1 => value()];
        let op = prop_oneof![Just(json!(0)), Just(json!(11)), value()];
        let kind = prop_oneof![
            Just(json!("MESSAGE_CREATE")),
            Just(json!("GUILD_CREATE")),
            Just(Value::Null),
            value()
        ];
        (
            op,
            kind,
            d,
            proptest::collection::vec(("[a-z]{2,6}", value()), 0..3),
        )
            .prop_map(|(op, kind, d, others)| {
                let mut envelope: serde_json::Map<String, Value> = others.into_iter().collect();
                envelope.insert("op".to_owned(), op);
                envelope.insert("t".to_owned(), kind);
                envelope.insert("s".to_owned(), json!(42));
                envelope.insert("d".to_owned(), d);
                Value::Object(envelope)
            })
    }

    /// Whether a full parse would find nothing the scan must decline on: the fields it reads are
    /// of the forms it reads.
    fn plain(envelope: &Value) -> bool {
        let number_or_null = |v: &Value| v.is_null() || v.as_u64().is_some();
        let string_or_null = |v: &Value| v.is_null() || v.is_string();
        let d = &envelope["d"];
        // A type written without escapes.
        let kind = envelope["t"].is_null()
            || envelope["t"]
                .as_str()
                .is_some_and(|t| !t.contains(|c: char| c == '"' || c == '\\' || c < ' '));
        number_or_null(&envelope["op"])
            && kind
            && (!d.is_object() || string_or_null(&d["channel_id"]))
    }

    #[test]
    fn runs_of_backslashes_and_nested_objects_across_block_boundaries() {
        // A string ending in 0 to 5 backslashes (escaped, so 0 to 10 in the JSON), then a
        // nested object holding look-alike keys, shifted byte by byte across 64-byte blocks.
        for pad in 0..140 {
            for run in 0..6 {
                let text = format!("{}{}\"}}{{", "x".repeat(pad), "\\".repeat(run));
                let envelope = json!({
                    "op": 0,
                    "d": {
                        "content": text,
                        "author": {"channel_id": "1", "name": text, "deep": {"channel_type": 4}},
                        "channel_id": "5",
                        "channel_type": 0,
                    },
                    "t": "MESSAGE_CREATE",
                });
                let payload = envelope.to_string();
                assert_eq!(scan(&payload), Some(reference(&envelope)), "{payload}");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The scan reads what a full parse reads, compact or pretty-printed; it declines only
        /// a field of another form than it reads.
        #[test]
        fn the_scan_reads_what_a_full_parse_reads(envelope in envelope(), pretty: bool) {
            let json = if pretty {
                serde_json::to_string_pretty(&envelope).unwrap()
            } else {
                serde_json::to_string(&envelope).unwrap()
            };
            match scan(&json) {
                Some(scanned) => prop_assert_eq!(scanned, reference(&envelope)),
                None => prop_assert!(!plain(&envelope), "declined {}", json),
            }
        }

        /// A payload cut short is never read.
        #[test]
        fn a_cut_payload_is_declined(envelope in envelope(), cut in any::<prop::sample::Index>()) {
            let json = serde_json::to_string(&envelope).unwrap();
            let end = cut.index(json.len());
            if let Some(prefix) = json.get(..end) {
                prop_assert_eq!(scan(prefix), None);
            }
        }
    }

    #[test]
    fn values_with_escapes_duplicates_and_odd_envelopes_are_declined() {
        for json in [
            r#"{"op":0,"t":"MESSAGE_\u0043REATE","d":{"channel_id":"5"}}"#,
            // Escapes at a string's first and last byte, and a string across blocks.
            r#"{"op":0,"t":"\u004dESSAGE_CREATE","d":{"channel_id":"5"}}"#,
            r#"{"op":0,"t":"MESSAGE_CREAT\u0045","d":{"channel_id":"5"}}"#,
            r#"{"op":0,"d":{"channel_id":"5"},"__________________________________________":0,"t":"MESSAGE_CREATE\n"}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5","channel_id":"6"}}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5"},"d":{"channel_id":"6"}}"#,
            r#"{"op":0,"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5"}}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":5}}"#,
            r#"{"op":01,"t":"MESSAGE_CREATE","d":{"channel_id":"5"}}"#,
            r#"x{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5"}}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5"}} x"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5"}}}"#,
            r#""op""#,
            "",
        ] {
            assert_eq!(scan(json), None, "{json}");
        }
        // A key written with escapes is the key it spells, wherever the escape stands.
        for json in [
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"\u0063hannel_id":"5"}}"#,
            r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_i\u0064":"5"}}"#,
        ] {
            assert_eq!(
                scan(json).and_then(|scanned| scanned.channel_id),
                Some(ChannelId::new(5)),
                "{json}"
            );
        }
        assert_eq!(
            scan(r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel\u005fid":"5"}}"#)
                .and_then(|scanned| scanned.channel_id),
            Some(ChannelId::new(5))
        );
        // Escapes elsewhere are only text.
        let json = r#"{"op":0,"t":"MESSAGE_CREATE","d":{"content":"\\\"channel_id\":\"7\\\\","nested":{"channel\u005fid":"8"},"channel_id":"9","channel_type":11}}"#;
        assert_eq!(
            scan(json),
            Some(Scanned {
                op: Some(0),
                kind: Some("MESSAGE_CREATE"),
                channel_id: Some(ChannelId::new(9)),
            })
        );
        // `d`'s other keys are not read, whatever their values.
        assert_eq!(
            scan(r#"{"op":0,"t":"MESSAGE_CREATE","d":{"channel_id":"5","channel_type":256}}"#)
                .and_then(|scanned| scanned.channel_id),
            Some(ChannelId::new(5))
        );
    }
}
