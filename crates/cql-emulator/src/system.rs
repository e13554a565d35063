//! The system tables a driver reads: `system.local` and `system.peers` (who the node is, its
//! tokens, its schema version) and `system_schema.*` (keyspaces, tables, columns), kept as real
//! tables of the node and refreshed from its schema before each read of them.

use std::net::IpAddr;

use crate::exec::{Data, Paging, Request};
use crate::schema::Role;
use crate::types::Value;

/// Keyspaces users may read but not write.
pub(crate) const SYSTEM_KEYSPACES: [&str; 2] = ["system", "system_schema"];

const DEFINITIONS: &[&str] = &[
    "CREATE KEYSPACE system WITH replication = {'class': 'LocalStrategy'}",
    "CREATE KEYSPACE system_schema WITH replication = {'class': 'LocalStrategy'}",
    "CREATE TABLE system.local (key text PRIMARY KEY, bootstrapped text, broadcast_address inet, \
     cluster_name text, cql_version text, data_center text, host_id uuid, listen_address inet, \
     native_protocol_version text, partitioner text, rack text, release_version text, \
     rpc_address inet, schema_version uuid, tokens set<text>)",
    "CREATE TABLE system.peers (peer inet PRIMARY KEY, data_center text, host_id uuid, \
     preferred_ip inet, rack text, release_version text, rpc_address inet, schema_version uuid, \
     tokens set<text>)",
    "CREATE TABLE system_schema.keyspaces (keyspace_name text PRIMARY KEY, durable_writes boolean, \
     replication map<text, text>)",
    "CREATE TABLE system_schema.tables (keyspace_name text, table_name text, \
     default_time_to_live int, id uuid, PRIMARY KEY (keyspace_name, table_name))",
    "CREATE TABLE system_schema.columns (keyspace_name text, table_name text, column_name text, \
     clustering_order text, column_name_bytes blob, kind text, position int, type text, \
     PRIMARY KEY (keyspace_name, table_name, column_name))",
    "CREATE TABLE system_schema.types (keyspace_name text, type_name text, field_names list<text>, \
     field_types list<text>, PRIMARY KEY (keyspace_name, type_name))",
    "CREATE TABLE system_schema.views (keyspace_name text, view_name text, base_table_id uuid, \
     base_table_name text, include_all_columns boolean, where_clause text, \
     PRIMARY KEY (keyspace_name, view_name))",
];

/// Who the node says it is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Identity {
    pub(crate) host_id: [u8; 16],
    pub(crate) address: IpAddr,
}

/// Creates the system keyspaces and tables.
pub(crate) fn create(data: &mut Data) {
    for text in DEFINITIONS {
        let parsed = crate::parse::parse(text).unwrap_or_else(|e| panic!("{text}: {}", e.message));
        let request = Request {
            parsed: &parsed,
            specs: &[],
            values: &[],
            session: None,
            paging: &Paging::default(),
            now_ms: 0,
            client_timestamp: None,
        };
        if let Err(error) = data.execute(&request) {
            panic!("{text}: {}", error.message);
        }
    }
}

/// The schema version: a uuid that changes with every schema change.
pub(crate) fn schema_version(data: &Data) -> [u8; 16] {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&crate::exec::fnv(b"schema").to_be_bytes());
    id[8..].copy_from_slice(&data.schema_generation.to_be_bytes());
    // A version 1 uuid's variant bits, so drivers read it as a uuid.
    id[6] = (id[6] & 0x0f) | 0x10;
    id[8] = (id[8] & 0x3f) | 0x80;
    id
}

/// Fills the system tables from the node's identity and schema.
pub(crate) fn refresh(data: &mut Data, identity: Identity) {
    let text = |s: &str| Some(Value::Text(s.to_owned()));
    let version = Some(Value::Uuid(schema_version(data)));
    // Columns in the table's order: key, then the others by name.
    data.replace_rows(
        "system",
        "local",
        vec![vec![
            text("local"),
            text("COMPLETED"),
            Some(Value::Inet(identity.address)),
            text("cql-emulator"),
            text("3.3.1"),
            text("datacenter1"),
            Some(Value::Uuid(identity.host_id)),
            Some(Value::Inet(identity.address)),
            text("4"),
            text("org.apache.cassandra.dht.Murmur3Partitioner"),
            text("rack1"),
            text("3.0.8"),
            Some(Value::Inet(identity.address)),
            version,
            Some(Value::Set(vec![Value::Text("0".to_owned())])),
        ]],
    );
    let mut keyspaces = Vec::new();
    let mut tables = Vec::new();
    let mut columns = Vec::new();
    for keyspace in data.keyspaces.values() {
        keyspaces.push(vec![
            text(&keyspace.name),
            Some(Value::Boolean(keyspace.durable_writes)),
            Some(Value::Map(
                keyspace
                    .replication
                    .iter()
                    .map(|(k, v)| (Value::Text(k.clone()), Value::Text(v.clone())))
                    .collect(),
            )),
        ]);
        for table in keyspace.tables.values() {
            let def = &table.def;
            tables.push(vec![
                text(&keyspace.name),
                text(&def.name),
                Some(Value::Int(def.default_ttl)),
                Some(Value::Uuid(def.id)),
            ]);
            for column in &def.columns {
                let (kind, position, order) = match column.role {
                    Role::Partition(p) => ("partition_key", p, "none"),
                    Role::Clustering(p) => (
                        "clustering",
                        p,
                        if def.descending[p] { "desc" } else { "asc" },
                    ),
                    Role::Static => ("static", usize::MAX, "none"),
                    Role::Regular => ("regular", usize::MAX, "none"),
                };
                columns.push(vec![
                    text(&keyspace.name),
                    text(&def.name),
                    text(&column.name),
                    text(order),
                    Some(Value::Blob(column.name.as_bytes().to_vec())),
                    text(kind),
                    Some(Value::Int(i32::try_from(position).unwrap_or(-1))),
                    text(&column.kind.to_string()),
                ]);
            }
        }
    }
    data.replace_rows("system_schema", "keyspaces", keyspaces);
    data.replace_rows("system_schema", "tables", tables);
    data.replace_rows("system_schema", "columns", columns);
}
