//! The errors a node answers, with the protocol's codes and Scylla's wording.

use crate::frame::Writer;

/// Error codes (native protocol v4 §9).
pub(crate) mod code {
    pub(crate) const SERVER: i32 = 0x0000;
    pub(crate) const PROTOCOL: i32 = 0x000A;
    pub(crate) const WRITE_TIMEOUT: i32 = 0x1100;
    pub(crate) const SYNTAX: i32 = 0x2000;
    pub(crate) const INVALID: i32 = 0x2200;
    pub(crate) const CONFIG: i32 = 0x2300;
    pub(crate) const ALREADY_EXISTS: i32 = 0x2400;
    pub(crate) const UNPREPARED: i32 = 0x2500;
}

/// What an ERROR frame carries after its code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Extra {
    None,
    /// The consistency asked, and the kind of write (`SIMPLE`, `BATCH`, `CAS`…).
    WriteTimeout {
        consistency: u16,
        write_type: &'static str,
    },
    Unprepared(Vec<u8>),
    AlreadyExists {
        keyspace: String,
        table: String,
    },
}

/// An error answered to a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CqlError {
    pub(crate) code: i32,
    pub(crate) message: String,
    pub(crate) extra: Extra,
}

impl CqlError {
    pub(crate) fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            extra: Extra::None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(code::INVALID, message)
    }

    pub(crate) fn protocol(message: impl Into<String>) -> Self {
        Self::new(code::PROTOCOL, message)
    }

    /// The ERROR frame's body.
    pub(crate) fn body(&self) -> Vec<u8> {
        let mut out = Writer::default();
        out.int(self.code).string(&self.message);
        match &self.extra {
            Extra::None => {}
            Extra::WriteTimeout {
                consistency,
                write_type,
            } => {
                out.short(*consistency).int(0).int(1).string(write_type);
            }
            Extra::Unprepared(id) => {
                out.short_bytes(id);
            }
            Extra::AlreadyExists { keyspace, table } => {
                out.string(keyspace).string(table);
            }
        }
        out.bytes
    }
}

/// Scylla's answer to a query that would read more than its restrictions select.
pub(crate) const NEEDS_FILTERING: &str = "Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING";
