//! Keyspaces, tables and their data: partitions by partition key, rows by clustering key, each
//! cell with its write timestamp and expiry, tombstones for deletions (last write wins).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::types::{CqlType, Value};

/// Where a column sits in its table's primary key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Partition(usize),
    Clustering(usize),
    Static,
    Regular,
}

#[derive(Clone, Debug)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) kind: CqlType,
    pub(crate) role: Role,
}

/// A table's definition.
#[derive(Debug)]
pub(crate) struct TableDef {
    pub(crate) keyspace: String,
    pub(crate) name: String,
    pub(crate) id: [u8; 16],
    /// Partition key, clustering key, static columns by name, regular columns by name (Scylla's
    /// order): the order of `SELECT *`.
    pub(crate) columns: Vec<Column>,
    pub(crate) partition: Vec<usize>,
    pub(crate) clustering: Vec<usize>,
    /// Per clustering column: stored in descending order.
    pub(crate) descending: Vec<bool>,
    /// `default_time_to_live` in seconds (0: none).
    pub(crate) default_ttl: i32,
}

impl TableDef {
    pub(crate) fn column(&self, name: &str) -> Option<(usize, &Column)> {
        self.columns
            .iter()
            .enumerate()
            .find(|(_, c)| c.name == name)
    }

    /// Whether `name` is one of the table's static columns.
    pub(crate) fn is_static(&self, name: &str) -> bool {
        self.column(name)
            .is_some_and(|(_, column)| column.role == Role::Static)
    }

    pub(crate) fn is_key(&self, index: usize) -> bool {
        matches!(
            self.columns[index].role,
            Role::Partition(_) | Role::Clustering(_)
        )
    }

    /// Compares two clustering keys in the table's order.
    pub(crate) fn cmp_clustering(&self, a: &[Value], b: &[Value]) -> std::cmp::Ordering {
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            let order = x.cmp_cql(y);
            let order = if self.descending.get(i).copied().unwrap_or(false) {
                order.reverse()
            } else {
                order
            };
            if order.is_ne() {
                return order;
            }
        }
        a.len().cmp(&b.len())
    }
}

/// A cell: a value (or a tombstone) written at a timestamp, expiring or not.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    pub(crate) value: Option<Value>,
    /// Microseconds.
    pub(crate) timestamp: i64,
    /// Milliseconds since the epoch, on the node's clock.
    pub(crate) expires_at: Option<i64>,
}

impl Cell {
    pub(crate) fn live(&self, now_ms: i64, deleted_at: i64) -> bool {
        self.value.is_some()
            && self.timestamp > deleted_at
            && self.expires_at.is_none_or(|at| at > now_ms)
    }
}

/// A row's liveness of its own (INSERT writes one; UPDATE does not).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Marker {
    pub(crate) timestamp: i64,
    pub(crate) expires_at: Option<i64>,
}

#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) clustering: Vec<Value>,
    pub(crate) marker: Option<Marker>,
    /// Row tombstone's timestamp (`i64::MIN`: none).
    pub(crate) deleted_at: i64,
    /// By column index.
    pub(crate) cells: BTreeMap<usize, Cell>,
}

impl Row {
    pub(crate) fn new(clustering: Vec<Value>) -> Self {
        Self {
            clustering,
            marker: None,
            deleted_at: i64::MIN,
            cells: BTreeMap::new(),
        }
    }

    /// The deletion that shadows this row's data: its own or its partition's.
    pub(crate) fn shadow(&self, partition_deleted_at: i64) -> i64 {
        self.deleted_at.max(partition_deleted_at)
    }

    /// Whether the row exists: a live marker or a live regular cell.
    pub(crate) fn live(&self, now_ms: i64, partition_deleted_at: i64) -> bool {
        let shadow = self.shadow(partition_deleted_at);
        self.marker
            .is_some_and(|m| m.timestamp > shadow && m.expires_at.is_none_or(|at| at > now_ms))
            || self.cells.values().any(|cell| cell.live(now_ms, shadow))
    }

    /// A column's live value.
    pub(crate) fn value(
        &self,
        column: usize,
        now_ms: i64,
        partition_deleted_at: i64,
    ) -> Option<&Cell> {
        let shadow = self.shadow(partition_deleted_at);
        self.cells
            .get(&column)
            .filter(|cell| cell.live(now_ms, shadow))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Partition {
    pub(crate) key: Vec<Value>,
    pub(crate) deleted_at: i64,
    pub(crate) statics: BTreeMap<usize, Cell>,
    /// Sorted by clustering key in the table's order.
    pub(crate) rows: Vec<Row>,
    /// Range tombstones: a clustering prefix deleted at a timestamp (rows written later under
    /// that prefix with a timestamp not above it stay deleted).
    pub(crate) range_tombstones: Vec<(Vec<Value>, i64)>,
}

impl Partition {
    pub(crate) fn new(key: Vec<Value>) -> Self {
        Self {
            key,
            deleted_at: i64::MIN,
            statics: BTreeMap::new(),
            rows: Vec::new(),
            range_tombstones: Vec::new(),
        }
    }

    /// Whether a static cell is live.
    pub(crate) fn has_live_statics(&self, now_ms: i64) -> bool {
        self.statics
            .values()
            .any(|cell| cell.live(now_ms, self.deleted_at))
    }

    /// Whether some row of the partition is live.
    pub(crate) fn has_live_rows(&self, now_ms: i64) -> bool {
        self.rows
            .iter()
            .any(|row| row.live(now_ms, self.deleted_at))
    }

    /// Deletes the rows under a clustering prefix at `timestamp`, those to come included.
    pub(crate) fn delete_range(&mut self, prefix: Vec<Value>, timestamp: i64) {
        for row in &mut self.rows {
            if row.clustering.starts_with(&prefix) {
                row.deleted_at = row.deleted_at.max(timestamp);
            }
        }
        match self.range_tombstones.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, at)) => *at = (*at).max(timestamp),
            None => self.range_tombstones.push((prefix, timestamp)),
        }
    }

    pub(crate) fn find(&self, def: &TableDef, clustering: &[Value]) -> Result<usize, usize> {
        self.rows
            .binary_search_by(|row| def.cmp_clustering(&row.clustering, clustering))
    }

    /// The row at `clustering`, created if absent.
    pub(crate) fn row_mut(&mut self, def: &TableDef, clustering: Vec<Value>) -> &mut Row {
        let index = match self.find(def, &clustering) {
            Ok(index) => index,
            Err(index) => {
                let mut row = Row::new(clustering);
                for (prefix, at) in &self.range_tombstones {
                    if row.clustering.starts_with(prefix) {
                        row.deleted_at = row.deleted_at.max(*at);
                    }
                }
                self.rows.insert(index, row);
                index
            }
        };
        &mut self.rows[index]
    }
}

/// A table and its data.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) def: Arc<TableDef>,
    /// By the partition key's serialized bytes.
    pub(crate) partitions: BTreeMap<Vec<u8>, Partition>,
}

#[derive(Debug)]
pub(crate) struct Keyspace {
    pub(crate) name: String,
    pub(crate) replication: Vec<(String, String)>,
    pub(crate) durable_writes: bool,
    pub(crate) tables: BTreeMap<String, Table>,
}

/// A partition key as bytes: each component's length and bytes (a composite key, as Cassandra
/// serializes one).
pub(crate) fn partition_bytes(key: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for value in key {
        let bytes = crate::codec::encode(value);
        out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
        out.extend_from_slice(&bytes);
    }
    out
}
