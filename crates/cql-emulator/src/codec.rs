//! Values on the wire and in statements: a value's bytes by its type (native protocol v4 §6),
//! a literal of a statement read as a column's type, and a type as a result's `[option]`.

use std::net::IpAddr;

use crate::ast::Term;
use crate::frame::Writer;
use crate::types::{CqlType, Value};

/// Why a value is not one of its column's type: the InvalidRequest message Scylla sends.
pub(crate) type Invalid = String;

/// A value's bytes.
pub(crate) fn encode(value: &Value) -> Vec<u8> {
    match value {
        Value::Text(text) => text.as_bytes().to_vec(),
        Value::BigInt(n) | Value::Timestamp(n) => n.to_be_bytes().to_vec(),
        Value::Int(n) => n.to_be_bytes().to_vec(),
        Value::SmallInt(n) => n.to_be_bytes().to_vec(),
        Value::TinyInt(n) => n.to_be_bytes().to_vec(),
        Value::Boolean(b) => vec![u8::from(*b)],
        Value::Blob(bytes) => bytes.clone(),
        Value::Uuid(bytes) => bytes.to_vec(),
        Value::Double(x) => x.to_be_bytes().to_vec(),
        Value::Float(x) => x.to_be_bytes().to_vec(),
        Value::Inet(IpAddr::V4(ip)) => ip.octets().to_vec(),
        Value::Inet(IpAddr::V6(ip)) => ip.octets().to_vec(),
        Value::List(items) | Value::Set(items) => {
            let mut out = Writer::default();
            out.int(i32::try_from(items.len()).unwrap_or(i32::MAX));
            for item in items {
                out.bytes(Some(&encode(item)));
            }
            out.bytes
        }
        Value::Map(entries) => {
            let mut out = Writer::default();
            out.int(i32::try_from(entries.len()).unwrap_or(i32::MAX));
            for (key, value) in entries {
                out.bytes(Some(&encode(key)));
                out.bytes(Some(&encode(value)));
            }
            out.bytes
        }
    }
}

fn fixed<const N: usize>(bytes: &[u8], kind: &CqlType) -> Result<[u8; N], Invalid> {
    bytes
        .try_into()
        .map_err(|_| format!("Expected {N} or 0 byte long for {kind} ({})", bytes.len()))
}

/// Reads a bound value of `kind`; `None` for an empty value of a type that has no empty form
/// (Cassandra's "empty" numbers, read as null).
pub(crate) fn decode(bytes: &[u8], kind: &CqlType) -> Result<Option<Value>, Invalid> {
    let kind_shown = kind;
    let kind = kind.unfrozen();
    let empty_allowed = matches!(kind, CqlType::Text | CqlType::Ascii | CqlType::Blob);
    if bytes.is_empty() && !empty_allowed {
        return Ok(None);
    }
    Ok(Some(match kind {
        CqlType::Text => Value::Text(
            String::from_utf8(bytes.to_vec()).map_err(|_| "String didn't validate.".to_owned())?,
        ),
        CqlType::Ascii => {
            if !bytes.is_ascii() {
                return Err("Invalid byte for ascii".to_owned());
            }
            Value::Text(String::from_utf8_lossy(bytes).into_owned())
        }
        CqlType::BigInt | CqlType::Counter => {
            Value::BigInt(i64::from_be_bytes(fixed(bytes, kind_shown)?))
        }
        CqlType::Timestamp => Value::Timestamp(i64::from_be_bytes(fixed(bytes, kind_shown)?)),
        CqlType::Int => Value::Int(i32::from_be_bytes(fixed(bytes, kind_shown)?)),
        CqlType::SmallInt => Value::SmallInt(i16::from_be_bytes(fixed(bytes, kind_shown)?)),
        CqlType::TinyInt => Value::TinyInt(i8::from_be_bytes(fixed(bytes, kind_shown)?)),
        CqlType::Boolean => Value::Boolean(fixed::<1>(bytes, kind_shown)?[0] != 0),
        CqlType::Blob => Value::Blob(bytes.to_vec()),
        CqlType::Uuid | CqlType::TimeUuid => Value::Uuid(fixed(bytes, kind_shown)?),
        CqlType::Double => Value::Double(f64::from_be_bytes(fixed(bytes, kind_shown)?)),
        CqlType::Float => Value::Float(f32::from_be_bytes(fixed(bytes, kind_shown)?)),
        CqlType::Inet => match bytes.len() {
            4 => Value::Inet(IpAddr::from(fixed::<4>(bytes, kind_shown)?)),
            16 => Value::Inet(IpAddr::from(fixed::<16>(bytes, kind_shown)?)),
            n => return Err(format!("Invalid length for inet ({n})")),
        },
        CqlType::List(item) | CqlType::Set(item) => {
            let mut reader = crate::frame::Reader::new(bytes);
            let count = reader.int().map_err(|m| m.0)?;
            let mut items = Vec::new();
            for _ in 0..count.max(0) {
                let element = reader
                    .bytes()
                    .map_err(|m| m.0)?
                    .ok_or_else(|| "null is not supported inside collections".to_owned())?;
                items.push(
                    decode(&element, item)?.ok_or_else(|| "empty collection element".to_owned())?,
                );
            }
            if matches!(kind, CqlType::Set(_)) {
                sort_set(&mut items);
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        CqlType::Map(key_kind, value_kind) => {
            let mut reader = crate::frame::Reader::new(bytes);
            let count = reader.int().map_err(|m| m.0)?;
            let mut entries = Vec::new();
            for _ in 0..count.max(0) {
                let key = reader
                    .bytes()
                    .map_err(|m| m.0)?
                    .ok_or_else(|| "null is not supported inside collections".to_owned())?;
                let value = reader
                    .bytes()
                    .map_err(|m| m.0)?
                    .ok_or_else(|| "null is not supported inside collections".to_owned())?;
                entries.push((
                    decode(&key, key_kind)?.ok_or_else(|| "empty map key".to_owned())?,
                    decode(&value, value_kind)?.ok_or_else(|| "empty map value".to_owned())?,
                ));
            }
            sort_map(&mut entries);
            Value::Map(entries)
        }
        CqlType::Frozen(_) => unreachable!("unfrozen above"),
    }))
}

/// A set's elements in CQL order, each once.
pub(crate) fn sort_set(items: &mut Vec<Value>) {
    items.sort_by(Value::cmp_cql);
    items.dedup_by(|a, b| a.cmp_cql(b).is_eq());
}

/// A map's entries in key order, the later of two with one key kept.
pub(crate) fn sort_map(entries: &mut Vec<(Value, Value)>) {
    entries.reverse();
    entries.sort_by(|(a, _), (b, _)| a.cmp_cql(b));
    entries.dedup_by(|(a, _), (b, _)| a.cmp_cql(b).is_eq());
}

/// Writes a type as a result's `[option]`.
pub(crate) fn write_type(out: &mut Writer, kind: &CqlType) {
    out.short(kind.option_id());
    match kind.unfrozen() {
        CqlType::List(item) | CqlType::Set(item) => write_type(out, item),
        CqlType::Map(key, value) => {
            write_type(out, key);
            write_type(out, value);
        }
        _ => {}
    }
}

fn term_name(term: &Term) -> &'static str {
    match term {
        Term::String(_) => "STRING",
        Term::Integer(_) => "INTEGER",
        Term::Float(_) => "FLOAT",
        Term::Boolean(_) => "BOOLEAN",
        Term::Hex(_) => "HEX",
        Term::Uuid(_) => "UUID",
        Term::Null => "NULL",
        Term::Bind(_) | Term::NamedBind(..) => "BIND",
        Term::List(_) => "LIST",
        Term::Set(_) => "SET",
        Term::Map(_) => "MAP",
    }
}

fn literal_text(term: &Term) -> String {
    match term {
        Term::String(s) | Term::Integer(s) | Term::Float(s) | Term::Uuid(s) => s.clone(),
        Term::Hex(s) => format!("0x{s}"),
        Term::Boolean(b) => b.to_string(),
        _ => term_name(term).to_lowercase(),
    }
}

/// A literal read as `kind` for `column`; `Ok(None)` for `null`. Bind markers are resolved by
/// the caller before.
pub(crate) fn literal(term: &Term, kind: &CqlType, column: &str) -> Result<Option<Value>, Invalid> {
    let invalid = || {
        format!(
            "Invalid {} constant ({}) for \"{column}\" of type {kind}",
            term_name(term),
            literal_text(term)
        )
    };
    let integer = |text: &str| text.parse::<i128>().map_err(|_| invalid());
    let value = match (term, kind.unfrozen()) {
        (Term::Null, _) => return Ok(None),
        (Term::String(s), CqlType::Text) => Value::Text(s.clone()),
        (Term::String(s), CqlType::Ascii) if s.is_ascii() => Value::Text(s.clone()),
        (Term::String(s), CqlType::Inet) => Value::Inet(s.parse().map_err(|_| invalid())?),
        (Term::Integer(n), CqlType::BigInt | CqlType::Counter) => {
            Value::BigInt(i64::try_from(integer(n)?).map_err(|_| invalid())?)
        }
        (Term::Integer(n), CqlType::Timestamp) => {
            Value::Timestamp(i64::try_from(integer(n)?).map_err(|_| invalid())?)
        }
        (Term::Integer(n), CqlType::Int) => {
            Value::Int(i32::try_from(integer(n)?).map_err(|_| invalid())?)
        }
        (Term::Integer(n), CqlType::SmallInt) => {
            Value::SmallInt(i16::try_from(integer(n)?).map_err(|_| invalid())?)
        }
        (Term::Integer(n), CqlType::TinyInt) => {
            Value::TinyInt(i8::try_from(integer(n)?).map_err(|_| invalid())?)
        }
        (Term::Integer(n) | Term::Float(n), CqlType::Double) => {
            Value::Double(n.parse().map_err(|_| invalid())?)
        }
        (Term::Integer(n) | Term::Float(n), CqlType::Float) => {
            Value::Float(n.parse().map_err(|_| invalid())?)
        }
        (Term::Boolean(b), CqlType::Boolean) => Value::Boolean(*b),
        (Term::Hex(hex), CqlType::Blob) => Value::Blob(from_hex(hex).ok_or_else(invalid)?),
        (Term::Uuid(text), CqlType::Uuid | CqlType::TimeUuid) => {
            Value::Uuid(parse_uuid(text).ok_or_else(invalid)?)
        }
        (Term::List(items), CqlType::List(item)) => Value::List(elements(items, item, column)?),
        (Term::Set(items), CqlType::Set(item)) => {
            let mut items = elements(items, item, column)?;
            sort_set(&mut items);
            Value::Set(items)
        }
        (Term::Map(entries), CqlType::Set(_)) if entries.is_empty() => Value::Set(Vec::new()),
        (Term::Map(entries), CqlType::List(_)) if entries.is_empty() => Value::List(Vec::new()),
        (Term::Map(entries), CqlType::Map(key, value)) => {
            let mut read = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let k = literal(k, key, column)?
                    .ok_or_else(|| "null is not supported inside collections".to_owned())?;
                let v = literal(v, value, column)?
                    .ok_or_else(|| "null is not supported inside collections".to_owned())?;
                read.push((k, v));
            }
            sort_map(&mut read);
            Value::Map(read)
        }
        _ => return Err(invalid()),
    };
    Ok(Some(value))
}

fn elements(items: &[Term], kind: &CqlType, column: &str) -> Result<Vec<Value>, Invalid> {
    items
        .iter()
        .map(|item| {
            literal(item, kind, column)?
                .ok_or_else(|| "null is not supported inside collections".to_owned())
        })
        .collect()
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A uuid's 16 bytes from its 8-4-4-4-12 text.
pub(crate) fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || text.len() != 36 {
        return None;
    }
    from_hex(&hex)?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_their_bytes() {
        let cases = [
            (CqlType::Text, Value::Text("héllo".into())),
            (CqlType::BigInt, Value::BigInt(-42)),
            (CqlType::Int, Value::Int(7)),
            (CqlType::Boolean, Value::Boolean(true)),
            (CqlType::Blob, Value::Blob(vec![0, 1, 255])),
            (CqlType::Timestamp, Value::Timestamp(1_700_000_000_000)),
            (CqlType::Double, Value::Double(1.5)),
            (CqlType::Inet, Value::Inet("127.0.0.1".parse().unwrap())),
            (
                CqlType::Set(Box::new(CqlType::Text)),
                Value::Set(vec![Value::Text("a".into()), Value::Text("b".into())]),
            ),
            (
                CqlType::Map(Box::new(CqlType::Text), Box::new(CqlType::BigInt)),
                Value::Map(vec![(Value::Text("k".into()), Value::BigInt(1))]),
            ),
        ];
        for (kind, value) in cases {
            assert_eq!(decode(&encode(&value), &kind), Ok(Some(value)), "{kind}");
        }
    }

    #[test]
    fn a_value_of_the_wrong_length_is_refused() {
        assert_eq!(
            decode(&[0, 0, 0, 1], &CqlType::BigInt),
            Err("Expected 8 or 0 byte long for bigint (4)".to_owned())
        );
        assert_eq!(decode(&[], &CqlType::BigInt), Ok(None));
        assert_eq!(
            decode(&[], &CqlType::Text),
            Ok(Some(Value::Text(String::new())))
        );
    }

    #[test]
    fn literals_are_read_as_their_column_type() {
        assert_eq!(
            literal(&Term::Integer("5".into()), &CqlType::BigInt, "n"),
            Ok(Some(Value::BigInt(5)))
        );
        assert_eq!(
            literal(&Term::String("abc".into()), &CqlType::BigInt, "n"),
            Err("Invalid STRING constant (abc) for \"n\" of type bigint".to_owned())
        );
        assert_eq!(
            literal(&Term::Integer("300".into()), &CqlType::TinyInt, "n").map_err(|_| ()),
            Err(())
        );
        let set = CqlType::Set(Box::new(CqlType::Text));
        assert_eq!(
            literal(
                &Term::Set(vec![
                    Term::String("b".into()),
                    Term::String("a".into()),
                    Term::String("b".into())
                ]),
                &set,
                "s"
            ),
            Ok(Some(Value::Set(vec![
                Value::Text("a".into()),
                Value::Text("b".into())
            ])))
        );
        assert_eq!(
            literal(&Term::Map(vec![]), &set, "s"),
            Ok(Some(Value::Set(vec![])))
        );
        assert_eq!(
            parse_uuid("123e4567-e89b-12d3-a456-426614174000").map(|b| b[0]),
            Some(0x12)
        );
    }
}
