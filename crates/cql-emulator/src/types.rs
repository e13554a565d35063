//! CQL types and values: what a column holds, as the native protocol (v4) encodes it.

use std::fmt;
use std::net::IpAddr;

/// A column's type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CqlType {
    Ascii,
    /// `text` and `varchar` (one type).
    Text,
    BigInt,
    Int,
    SmallInt,
    TinyInt,
    Boolean,
    Blob,
    Uuid,
    TimeUuid,
    Timestamp,
    Double,
    Float,
    Inet,
    Counter,
    List(Box<CqlType>),
    Set(Box<CqlType>),
    Map(Box<CqlType>, Box<CqlType>),
    /// `frozen<…>`: the collection is one value, written whole.
    Frozen(Box<CqlType>),
}

impl CqlType {
    /// The type without `frozen<…>`.
    pub(crate) fn unfrozen(&self) -> &Self {
        match self {
            Self::Frozen(inner) => inner.unfrozen(),
            other => other,
        }
    }

    /// Whether values of this type are collections (lists, sets and maps, frozen or not).
    pub(crate) fn is_collection(&self) -> bool {
        matches!(
            self.unfrozen(),
            Self::List(_) | Self::Set(_) | Self::Map(..)
        )
    }

    /// Whether this is a collection that is not frozen (not allowed in a primary key).
    pub(crate) fn is_multi_cell(&self) -> bool {
        matches!(self, Self::List(_) | Self::Set(_) | Self::Map(..))
    }

    /// The protocol's option id (the `[option]` of a column spec, §6 of the v4 spec).
    pub(crate) fn option_id(&self) -> u16 {
        match self.unfrozen() {
            Self::Ascii => 0x0001,
            Self::BigInt => 0x0002,
            Self::Blob => 0x0003,
            Self::Boolean => 0x0004,
            Self::Counter => 0x0005,
            Self::Double => 0x0007,
            Self::Float => 0x0008,
            Self::Int => 0x0009,
            Self::Timestamp => 0x000B,
            Self::Uuid => 0x000C,
            Self::Text => 0x000D,
            Self::TimeUuid => 0x000F,
            Self::Inet => 0x0010,
            Self::SmallInt => 0x0013,
            Self::TinyInt => 0x0014,
            Self::List(_) => 0x0020,
            Self::Map(..) => 0x0021,
            Self::Set(_) => 0x0022,
            Self::Frozen(_) => unreachable!("unfrozen above"),
        }
    }
}

impl fmt::Display for CqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ascii => f.write_str("ascii"),
            Self::Text => f.write_str("text"),
            Self::BigInt => f.write_str("bigint"),
            Self::Int => f.write_str("int"),
            Self::SmallInt => f.write_str("smallint"),
            Self::TinyInt => f.write_str("tinyint"),
            Self::Boolean => f.write_str("boolean"),
            Self::Blob => f.write_str("blob"),
            Self::Uuid => f.write_str("uuid"),
            Self::TimeUuid => f.write_str("timeuuid"),
            Self::Timestamp => f.write_str("timestamp"),
            Self::Double => f.write_str("double"),
            Self::Float => f.write_str("float"),
            Self::Inet => f.write_str("inet"),
            Self::Counter => f.write_str("counter"),
            Self::List(t) => write!(f, "list<{t}>"),
            Self::Set(t) => write!(f, "set<{t}>"),
            Self::Map(k, v) => write!(f, "map<{k}, {v}>"),
            Self::Frozen(t) => write!(f, "frozen<{t}>"),
        }
    }
}

/// A value of some [`CqlType`]. Collections are kept in their CQL order: sets and maps sorted
/// by element (key), lists as written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Text(String),
    BigInt(i64),
    Int(i32),
    SmallInt(i16),
    TinyInt(i8),
    Boolean(bool),
    Blob(Vec<u8>),
    /// uuid and timeuuid, big-endian bytes.
    Uuid([u8; 16]),
    /// Milliseconds since the epoch.
    Timestamp(i64),
    Double(f64),
    Float(f32),
    Inet(IpAddr),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// The order CQL sorts values of one type in (clustering columns, set elements, map keys):
    /// numbers by value, text and blobs by bytes, uuids as bytes (timeuuids are compared so
    /// here too, a simplification no Helpline query depends on).
    pub(crate) fn cmp_cql(&self, other: &Self) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        match (self, other) {
            (Self::Text(a), Self::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Self::BigInt(a), Self::BigInt(b)) | (Self::Timestamp(a), Self::Timestamp(b)) => {
                a.cmp(b)
            }
            (Self::Int(a), Self::Int(b)) => a.cmp(b),
            (Self::SmallInt(a), Self::SmallInt(b)) => a.cmp(b),
            (Self::TinyInt(a), Self::TinyInt(b)) => a.cmp(b),
            (Self::Boolean(a), Self::Boolean(b)) => a.cmp(b),
            (Self::Blob(a), Self::Blob(b)) => a.cmp(b),
            (Self::Uuid(a), Self::Uuid(b)) => a.cmp(b),
            (Self::Double(a), Self::Double(b)) => a.total_cmp(b),
            (Self::Float(a), Self::Float(b)) => a.total_cmp(b),
            (Self::Inet(a), Self::Inet(b)) => a.cmp(b),
            (Self::List(a), Self::List(b)) | (Self::Set(a), Self::Set(b)) => {
                for (x, y) in a.iter().zip(b) {
                    match x.cmp_cql(y) {
                        Ordering::Equal => {}
                        other => return other,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Self::Map(a), Self::Map(b)) => {
                for ((ka, va), (kb, vb)) in a.iter().zip(b) {
                    match ka.cmp_cql(kb).then_with(|| va.cmp_cql(vb)) {
                        Ordering::Equal => {}
                        other => return other,
                    }
                }
                a.len().cmp(&b.len())
            }
            // Values of different types are never compared by a valid statement.
            _ => Ordering::Equal,
        }
    }
}
