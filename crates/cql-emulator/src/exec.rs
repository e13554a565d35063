//! Executes statements against the node's keyspaces, refusing what Scylla refuses.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::ast::{
    Assignment, BatchKind, BatchStatement, Condition, CreateKeyspace, CreateTable, Delete,
    IfClause, InValues, Insert, Operator, OptionValue, Parsed, Relation, Select, Selection,
    SelectorKind, Statement, Term, Update, Using,
};
use crate::codec;
use crate::error::{CqlError, Extra, NEEDS_FILTERING, code};
use crate::frame::Bound;
use crate::schema::{
    Cell, Column, Keyspace, Marker, Partition, Role, Row, Table, TableDef, partition_bytes,
};
use crate::types::{CqlType, Value};

/// The largest TTL Scylla takes: 20 years.
const MAX_TTL: i64 = 630_720_000;

/// What a statement returned.
#[derive(Debug)]
pub(crate) enum Outcome {
    Void,
    Rows(Rows),
    SetKeyspace(String),
    SchemaChange(SchemaChange),
}

/// A result set.
#[derive(Debug)]
pub(crate) struct Rows {
    pub(crate) keyspace: String,
    pub(crate) table: String,
    pub(crate) columns: Vec<(String, CqlType)>,
    pub(crate) rows: Vec<Vec<Option<Value>>>,
    pub(crate) paging_state: Option<Vec<u8>>,
}

#[derive(Clone, Debug)]
pub(crate) struct SchemaChange {
    pub(crate) change: &'static str,
    pub(crate) target: &'static str,
    pub(crate) keyspace: String,
    pub(crate) table: Option<String>,
}

/// What a statement binds, in marker order, as a prepared statement's metadata gives it.
#[derive(Clone, Debug)]
pub(crate) struct BindSpec {
    pub(crate) keyspace: String,
    pub(crate) table: String,
    pub(crate) name: String,
    pub(crate) kind: CqlType,
}

/// A statement to run, with what came with it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Request<'a> {
    pub(crate) parsed: &'a Parsed,
    /// The bind markers' types, in order.
    pub(crate) specs: &'a [BindSpec],
    pub(crate) values: &'a [Bound],
    /// The connection's keyspace (or the one the statement was prepared in).
    pub(crate) session: Option<&'a str>,
    pub(crate) paging: &'a Paging,
    pub(crate) now_ms: i64,
    /// The request's default timestamp, for writes that give none.
    pub(crate) client_timestamp: Option<i64>,
}

/// Paging asked by the client.
#[derive(Clone, Debug, Default)]
pub(crate) struct Paging {
    pub(crate) page_size: Option<i32>,
    pub(crate) state: Option<Vec<u8>>,
}

/// The node's data.
#[derive(Debug, Default)]
pub(crate) struct Data {
    pub(crate) keyspaces: BTreeMap<String, Keyspace>,
    /// The latest write timestamp given, so that writes of one node never tie.
    last_timestamp: i64,
    /// Bumped by every schema change (`schema_version` in `system.local`).
    pub(crate) schema_generation: u64,
}

type Result<T> = std::result::Result<T, CqlError>;

/// A result row: each selected column's value.
pub(crate) type ResultRow = Vec<Option<Value>>;

/// A row a write names: its partition key, and its clustering key (or a prefix of it; `None`
/// for the partition).
type RowKey = (Vec<Value>, Option<Vec<Value>>);

/// A bound value once typed.
#[derive(Clone, Debug, PartialEq)]
enum Resolved {
    Value(Value),
    Null,
    Unset,
}

impl Resolved {
    fn into_option(self) -> Option<Value> {
        match self {
            Self::Value(value) => Some(value),
            Self::Null | Self::Unset => None,
        }
    }
}

/// One execution: the bound values typed, the session's keyspace, the clock.
struct Ctx<'a> {
    binds: &'a [Resolved],
    keyspace: Option<&'a str>,
    now_ms: i64,
    /// The request's default timestamp, for writes that give none.
    client_timestamp: Option<i64>,
}

impl Data {
    /// A write timestamp in microseconds: the node's clock, never twice the same.
    pub(crate) fn timestamp(&mut self, now_ms: i64) -> i64 {
        let next = (now_ms * 1000).max(self.last_timestamp + 1);
        self.last_timestamp = next;
        next
    }

    fn keyspace_of<'q>(
        &self,
        name: &'q crate::ast::QualifiedName,
        session: Option<&'q str>,
    ) -> Result<&'q str> {
        name.keyspace
            .as_deref()
            .or(session)
            .ok_or_else(|| CqlError::invalid("No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename"))
    }

    pub(crate) fn table_def(
        &self,
        name: &crate::ast::QualifiedName,
        session: Option<&str>,
    ) -> Result<Arc<TableDef>> {
        let keyspace = self.keyspace_of(name, session)?;
        let ks = self
            .keyspaces
            .get(keyspace)
            .ok_or_else(|| CqlError::invalid(format!("Keyspace {keyspace} does not exist")))?;
        ks.tables
            .get(&name.name)
            .map(|table| table.def.clone())
            .ok_or_else(|| CqlError::invalid(format!("unconfigured table {}", name.name)))
    }

    fn table_mut(&mut self, def: &TableDef) -> Result<&mut Table> {
        self.keyspaces
            .get_mut(&def.keyspace)
            .and_then(|ks| ks.tables.get_mut(&def.name))
            .ok_or_else(|| CqlError::invalid(format!("unconfigured table {}", def.name)))
    }

    fn table(&self, def: &TableDef) -> Result<&Table> {
        self.keyspaces
            .get(&def.keyspace)
            .and_then(|ks| ks.tables.get(&def.name))
            .ok_or_else(|| CqlError::invalid(format!("unconfigured table {}", def.name)))
    }

    /// The bind markers' specs of a statement (its table must exist, as Scylla checks at
    /// PREPARE).
    pub(crate) fn bind_specs(
        &self,
        parsed: &Parsed,
        session: Option<&str>,
    ) -> Result<Vec<BindSpec>> {
        let mut statements: Vec<(Arc<TableDef>, StatementRef<'_>)> = Vec::new();
        let mut found: Vec<Found> = Vec::new();
        for statement in StatementRef::all(&parsed.statement) {
            statements.push((self.table_def(statement.table(), session)?, statement));
        }
        if let Statement::Batch(batch) = &parsed.statement
            && let Some((def, _)) = statements.first()
        {
            using_binds(&batch.using, &mut |term, name, kind| {
                found.push(Found::new(def, term, name, kind));
            });
        }
        for (def, statement) in &statements {
            let column_kind = |name: &str| def.column(name).map(|(_, c)| c.kind.clone());
            let mut push = |term: &Term, name: &str, kind: &CqlType| {
                found.push(Found::new(def, term, name, kind));
            };
            match statement {
                StatementRef::Select(select) => {
                    for relation in &select.relations {
                        relation_binds(relation, &column_kind, &mut push);
                    }
                    if let Some(limit) = &select.limit {
                        push(limit, "[limit]", &CqlType::Int);
                    }
                    if let Some(limit) = &select.per_partition_limit {
                        push(limit, "[per_partition_limit]", &CqlType::Int);
                    }
                }
                StatementRef::Insert(insert) => {
                    for (column, value) in insert.columns.iter().zip(&insert.values) {
                        if let Some(kind) = column_kind(column) {
                            push(value, column, &kind);
                        }
                    }
                    using_binds(&insert.using, &mut push);
                }
                StatementRef::Update(update) => {
                    using_binds(&update.using, &mut push);
                    for assignment in &update.assignments {
                        match assignment {
                            Assignment::Set { column, value }
                            | Assignment::Add { column, value } => {
                                if let Some(kind) = column_kind(column) {
                                    push(value, column, &kind);
                                }
                            }
                            Assignment::Remove { column, value } => {
                                if let Some(kind) = column_kind(column) {
                                    let kind = match kind {
                                        CqlType::Map(key, _) => CqlType::Set(key),
                                        other => other,
                                    };
                                    push(value, column, &kind);
                                }
                            }
                            Assignment::SetElement { column, key, value } => {
                                if let Some(kind) = column_kind(column) {
                                    let (key_kind, value_kind) = match kind.unfrozen() {
                                        CqlType::Map(k, v) => ((**k).clone(), (**v).clone()),
                                        CqlType::List(v) => (CqlType::Int, (**v).clone()),
                                        other => (other.clone(), other.clone()),
                                    };
                                    push(key, &format!("key({column})"), &key_kind);
                                    push(value, &format!("value({column})"), &value_kind);
                                }
                            }
                        }
                    }
                    for relation in &update.relations {
                        relation_binds(relation, &column_kind, &mut push);
                    }
                    condition_binds(update.condition.as_ref(), &column_kind, &mut push);
                }
                StatementRef::Delete(delete) => {
                    using_binds(&delete.using, &mut push);
                    for relation in &delete.relations {
                        relation_binds(relation, &column_kind, &mut push);
                    }
                    condition_binds(delete.condition.as_ref(), &column_kind, &mut push);
                }
            }
        }
        let mut specs: Vec<Option<BindSpec>> = vec![None; parsed.binds.len()];
        for found in found {
            walk_binds(
                &found.term,
                &found.name,
                &found.kind,
                &mut |index, name, kind| {
                    if let Some(slot) = specs.get_mut(index) {
                        *slot = Some(BindSpec {
                            keyspace: found.keyspace.clone(),
                            table: found.table.clone(),
                            name: name.to_owned(),
                            kind: kind.clone(),
                        });
                    }
                },
            );
        }
        specs
            .into_iter()
            .enumerate()
            .map(|(index, spec)| {
                spec.ok_or_else(|| {
                    CqlError::invalid(format!("Cannot infer the type of bind marker {index}"))
                })
            })
            .collect()
    }

    /// The tables a statement reads or writes, each with its keyspace and id (a prepared
    /// statement stands only as long as they do, unchanged).
    pub(crate) fn statement_tables(
        &self,
        parsed: &Parsed,
        session: Option<&str>,
    ) -> Vec<(String, String, [u8; 16])> {
        StatementRef::all(&parsed.statement)
            .into_iter()
            .filter_map(|statement| self.table_def(statement.table(), session).ok())
            .map(|def| (def.keyspace.clone(), def.name.clone(), def.id))
            .collect()
    }

    /// Whether every table (from [`Self::statement_tables`]) still stands as it was.
    pub(crate) fn tables_unchanged(&self, tables: &[(String, String, [u8; 16])]) -> bool {
        tables.iter().all(|(keyspace, table, id)| {
            self.keyspaces
                .get(keyspace)
                .and_then(|ks| ks.tables.get(table))
                .is_some_and(|t| t.def.id == *id)
        })
    }

    /// For each partition key column in order, the marker that binds it alone (`col = ?`), when
    /// every one has such a marker; empty otherwise (the driver then routes without the token).
    pub(crate) fn partition_key_markers(&self, parsed: &Parsed, session: Option<&str>) -> Vec<u16> {
        let marker = |term: &Term| match term {
            Term::Bind(index) | Term::NamedBind(index, _) => u16::try_from(*index).ok(),
            _ => None,
        };
        let from_relations = |relations: &[Relation]| -> Vec<(String, u16)> {
            relations
                .iter()
                .filter_map(|relation| match relation {
                    Relation::Compare {
                        column,
                        op: Operator::Eq,
                        value,
                    } => Some((column.clone(), marker(value)?)),
                    _ => None,
                })
                .collect()
        };
        let (table, bound) = match &parsed.statement {
            Statement::Select(s) => (&s.table, from_relations(&s.relations)),
            Statement::Update(u) => (&u.table, from_relations(&u.relations)),
            Statement::Delete(d) => (&d.table, from_relations(&d.relations)),
            Statement::Insert(i) => (
                &i.table,
                i.columns
                    .iter()
                    .zip(&i.values)
                    .filter_map(|(column, value)| Some((column.clone(), marker(value)?)))
                    .collect(),
            ),
            _ => return Vec::new(),
        };
        let Ok(def) = self.table_def(table, session) else {
            return Vec::new();
        };
        def.partition
            .iter()
            .map(|index| {
                let name = &def.columns[*index].name;
                bound
                    .iter()
                    .find(|(column, _)| column == name)
                    .map(|(_, marker)| *marker)
            })
            .collect::<Option<Vec<u16>>>()
            .unwrap_or_default()
    }

    /// The columns a statement returns (for a prepared statement's result metadata): a
    /// SELECT's, or a conditional statement's or batch's LWT answer (see [`lwt_result`]).
    pub(crate) fn result_columns(
        &self,
        parsed: &Parsed,
        session: Option<&str>,
    ) -> Result<Option<Rows>> {
        let Statement::Select(select) = &parsed.statement else {
            let statements = StatementRef::all(&parsed.statement);
            let Some(first) = statements.first() else {
                return Ok(None);
            };
            let def = self.table_def(first.table(), session)?;
            let shown: Vec<Vec<usize>> = statements
                .iter()
                .filter_map(|statement| statement.cas_columns(&def))
                .collect();
            if shown.is_empty() {
                return Ok(None);
            }
            let batch = matches!(parsed.statement, Statement::Batch(_));
            let columns = lwt_columns(&def, shown.into_iter().flatten(), batch);
            return Ok(Some(lwt_metadata(&def, &columns)));
        };
        let def = self.table_def(&select.table, session)?;
        Ok(Some(Rows {
            keyspace: def.keyspace.clone(),
            table: def.name.clone(),
            columns: selected_columns(&def, select)?
                .into_iter()
                .map(|(name, kind, _)| (name, kind))
                .collect(),
            rows: Vec::new(),
            paging_state: None,
        }))
    }

    /// Runs a statement with its bound values (already matched to `specs`).
    pub(crate) fn execute(&mut self, request: &Request<'_>) -> Result<Outcome> {
        let Request {
            parsed,
            specs,
            values,
            session,
            paging,
            now_ms,
            client_timestamp,
        } = *request;
        if values.len() != specs.len() {
            return Err(CqlError::invalid(format!(
                "There were {} markers(?) in CQL but {} bound variables",
                specs.len(),
                values.len()
            )));
        }
        let mut binds = Vec::with_capacity(values.len());
        for (value, spec) in values.iter().zip(specs) {
            binds.push(match value {
                Bound::Null => Resolved::Null,
                Bound::Unset => Resolved::Unset,
                Bound::Value(bytes) => match codec::decode(bytes, &spec.kind) {
                    Ok(Some(value)) => Resolved::Value(value),
                    Ok(None) => Resolved::Null,
                    Err(message) => {
                        return Err(CqlError::invalid(format!(
                            "Exception while binding column {}: {message}",
                            spec.name
                        )));
                    }
                },
            });
        }
        let ctx = Ctx {
            binds: &binds,
            keyspace: session,
            now_ms,
            client_timestamp,
        };
        match &parsed.statement {
            Statement::Use(keyspace) => {
                if !self.keyspaces.contains_key(keyspace) {
                    return Err(CqlError::invalid(format!(
                        "Keyspace '{keyspace}' does not exist"
                    )));
                }
                Ok(Outcome::SetKeyspace(keyspace.clone()))
            }
            Statement::CreateKeyspace(create) => self.create_keyspace(create),
            Statement::DropKeyspace { name, if_exists } => {
                if self.keyspaces.remove(name).is_none() {
                    if *if_exists {
                        return Ok(Outcome::Void);
                    }
                    return Err(CqlError::new(
                        code::CONFIG,
                        format!("Cannot drop non existing keyspace '{name}'."),
                    ));
                }
                self.schema_generation += 1;
                Ok(Outcome::SchemaChange(SchemaChange {
                    change: "DROPPED",
                    target: "KEYSPACE",
                    keyspace: name.clone(),
                    table: None,
                }))
            }
            Statement::CreateTable(create) => self.create_table(create, session),
            Statement::DropTable { table, if_exists } => {
                let keyspace = self.keyspace_of(table, session)?.to_owned();
                let Some(ks) = self.keyspaces.get_mut(&keyspace) else {
                    return Err(CqlError::invalid(format!(
                        "Keyspace {keyspace} does not exist"
                    )));
                };
                if ks.tables.remove(&table.name).is_none() {
                    if *if_exists {
                        return Ok(Outcome::Void);
                    }
                    return Err(CqlError::new(
                        code::CONFIG,
                        format!(
                            "Cannot drop non existing table '{}' in keyspace '{keyspace}'.",
                            table.name
                        ),
                    ));
                }
                self.schema_generation += 1;
                Ok(Outcome::SchemaChange(SchemaChange {
                    change: "DROPPED",
                    target: "TABLE",
                    keyspace,
                    table: Some(table.name.clone()),
                }))
            }
            Statement::Truncate(table) => {
                let def = self.table_def(table, session)?;
                self.table_mut(&def)?.partitions.clear();
                Ok(Outcome::Void)
            }
            Statement::Unsupported(text) => Err(CqlError::invalid(format!(
                "Not supported by this node, which keeps to tables keyed for each access path (no secondary index or materialized view): {text}"
            ))),
            Statement::Select(select) => self.select(select, &ctx, paging),
            Statement::Insert(insert) => {
                let write = self.plan_insert(insert, &ctx)?;
                self.apply_writes(vec![write], &ctx, false)
            }
            Statement::Update(update) => {
                let writes = self.plan_update(update, &ctx, None)?;
                self.apply_writes(writes, &ctx, false)
            }
            Statement::Delete(delete) => {
                let writes = self.plan_delete(delete, &ctx, None)?;
                self.apply_writes(writes, &ctx, false)
            }
            Statement::Batch(batch) => {
                if batch.using.ttl.is_some() {
                    return Err(CqlError::invalid(
                        "Global TTL on the BATCH statement is not supported.",
                    ));
                }
                let conditional = batch.statements.iter().any(|statement| match statement {
                    BatchStatement::Insert(i) => i.if_not_exists,
                    BatchStatement::Update(u) => u.condition.is_some(),
                    BatchStatement::Delete(d) => d.condition.is_some(),
                });
                let timestamp = match &batch.using.timestamp {
                    Some(term) => {
                        if conditional {
                            return Err(CqlError::invalid(
                                "Cannot provide custom timestamp for conditional BATCH",
                            ));
                        }
                        if batch.kind == BatchKind::Counter {
                            return Err(CqlError::invalid(
                                "Cannot provide custom timestamp for counter BATCH",
                            ));
                        }
                        if batch.statements.iter().any(|statement| {
                            match statement {
                                BatchStatement::Insert(i) => &i.using,
                                BatchStatement::Update(u) => &u.using,
                                BatchStatement::Delete(d) => &d.using,
                            }
                            .timestamp
                            .is_some()
                        }) {
                            return Err(CqlError::invalid(
                                "Timestamp must be set either on BATCH or individual statements",
                            ));
                        }
                        Some(int_of(term, &ctx, "timestamp")?)
                    }
                    None => None,
                };
                let mut writes = Vec::new();
                for (index, statement) in batch.statements.iter().enumerate() {
                    let planned = match statement {
                        BatchStatement::Insert(insert) => {
                            let mut write = self.plan_insert(insert, &ctx)?;
                            write.timestamp = write.timestamp.or(timestamp);
                            vec![write]
                        }
                        BatchStatement::Update(update) => {
                            self.plan_update(update, &ctx, timestamp)?
                        }
                        BatchStatement::Delete(delete) => {
                            self.plan_delete(delete, &ctx, timestamp)?
                        }
                    };
                    writes.extend(planned.into_iter().map(|mut write| {
                        write.statement = index;
                        write
                    }));
                }
                if batch.kind == BatchKind::Counter
                    && writes
                        .iter()
                        .any(|w| !w.def.columns.iter().any(|c| c.kind == CqlType::Counter))
                {
                    return Err(CqlError::invalid(
                        "Cannot include non-counter statement in a counter batch",
                    ));
                }
                self.apply_writes(writes, &ctx, true)
            }
        }
    }

    fn create_keyspace(&mut self, create: &CreateKeyspace) -> Result<Outcome> {
        if self.keyspaces.contains_key(&create.name) {
            if create.if_not_exists {
                return Ok(Outcome::Void);
            }
            return Err(CqlError {
                code: code::ALREADY_EXISTS,
                message: format!("Keyspace {} already exists", create.name),
                extra: Extra::AlreadyExists {
                    keyspace: create.name.clone(),
                    table: String::new(),
                },
            });
        }
        let mut replication = Vec::new();
        let mut durable_writes = true;
        for (name, value) in &create.options {
            match (name.as_str(), value) {
                ("replication", OptionValue::Map(entries)) => {
                    for (key, value) in entries {
                        replication.push((term_text(key)?, term_text(value)?));
                    }
                }
                ("durable_writes", OptionValue::Term(Term::Boolean(b))) => durable_writes = *b,
                (other, _) => {
                    return Err(CqlError::new(
                        code::SYNTAX,
                        format!("Unknown property '{other}'"),
                    ));
                }
            }
        }
        let class = replication
            .iter()
            .find(|(k, _)| k == "class")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| {
                CqlError::new(code::CONFIG, "Missing mandatory replication strategy class")
            })?;
        let class = match class.as_str() {
            "SimpleStrategy" | "org.apache.cassandra.locator.SimpleStrategy" => {
                if !replication.iter().any(|(k, _)| k == "replication_factor") {
                    return Err(CqlError::new(
                        code::CONFIG,
                        "SimpleStrategy requires a replication_factor strategy option.",
                    ));
                }
                "org.apache.cassandra.locator.SimpleStrategy"
            }
            "NetworkTopologyStrategy" | "org.apache.cassandra.locator.NetworkTopologyStrategy" => {
                "org.apache.cassandra.locator.NetworkTopologyStrategy"
            }
            "LocalStrategy" | "org.apache.cassandra.locator.LocalStrategy" => {
                "org.apache.cassandra.locator.LocalStrategy"
            }
            other => {
                return Err(CqlError::new(
                    code::CONFIG,
                    format!("Unable to find replication strategy class '{other}'"),
                ));
            }
        };
        for (key, value) in &mut replication {
            if key == "class" {
                *value = class.to_owned();
            }
        }
        self.keyspaces.insert(
            create.name.clone(),
            Keyspace {
                name: create.name.clone(),
                replication,
                durable_writes,
                tables: BTreeMap::new(),
            },
        );
        self.schema_generation += 1;
        Ok(Outcome::SchemaChange(SchemaChange {
            change: "CREATED",
            target: "KEYSPACE",
            keyspace: create.name.clone(),
            table: None,
        }))
    }

    fn create_table(&mut self, create: &CreateTable, session: Option<&str>) -> Result<Outcome> {
        let keyspace = self.keyspace_of(&create.table, session)?.to_owned();
        let generation = self.schema_generation;
        let ks = self
            .keyspaces
            .get_mut(&keyspace)
            .ok_or_else(|| CqlError::invalid(format!("Keyspace {keyspace} does not exist")))?;
        if ks.tables.contains_key(&create.table.name) {
            if create.if_not_exists {
                return Ok(Outcome::Void);
            }
            return Err(CqlError {
                code: code::ALREADY_EXISTS,
                message: format!(
                    "Cannot add already existing table \"{}\" to keyspace \"{keyspace}\"",
                    create.table.name
                ),
                extra: Extra::AlreadyExists {
                    keyspace: keyspace.clone(),
                    table: create.table.name.clone(),
                },
            });
        }
        let def = table_def(&keyspace, create, generation)?;
        ks.tables.insert(
            create.table.name.clone(),
            Table {
                def: Arc::new(def),
                partitions: BTreeMap::new(),
            },
        );
        self.schema_generation += 1;
        Ok(Outcome::SchemaChange(SchemaChange {
            change: "CREATED",
            target: "TABLE",
            keyspace,
            table: Some(create.table.name.clone()),
        }))
    }

    fn select(&self, select: &Select, ctx: &Ctx<'_>, paging: &Paging) -> Result<Outcome> {
        let def = self.table_def(&select.table, ctx.keyspace)?;
        let plan = plan_read(&def, &select.relations, select.allow_filtering, ctx)?;
        let reversed = order_by(&def, select, &plan)?;
        // ORDER BY over several partitions: their rows are merged in clustering order.
        let merge =
            !select.order_by.is_empty() && plan.partitions.as_ref().is_some_and(|k| k.len() > 1);
        if paging.page_size.is_some_and(|size| size > 0) && merge {
            return Err(CqlError::invalid(
                "Cannot page queries with both ORDER BY and a IN restriction on the partition key; you must either remove the ORDER BY or the IN and sort client side, or disable paging for this query",
            ));
        }
        if select.distinct {
            for relation in &select.relations {
                if let Some(column) = relation_columns(relation).into_iter().find(|c| {
                    def.column(c).is_some_and(|(_, col)| {
                        matches!(col.role, Role::Clustering(_) | Role::Regular)
                    })
                }) {
                    return Err(CqlError::invalid(format!(
                        "SELECT DISTINCT with WHERE clause only supports restriction by partition key and/or static columns. Restricted: {column}"
                    )));
                }
            }
        }
        let limit = match &select.limit {
            Some(term) => Some(positive_limit(term, ctx, "LIMIT")?),
            None => None,
        };
        let per_partition = match &select.per_partition_limit {
            Some(term) => Some(positive_limit(term, ctx, "PER PARTITION LIMIT")?),
            None => None,
        };
        let table = self.table(&def)?;
        let selection = selected_columns(&def, select)?;
        let counting = matches!(select.selection, Selection::Count { .. });
        let now = ctx.now_ms;
        // Where the previous page ended (a page resumes strictly after its last row), and what
        // is left of the LIMIT.
        let resume = match &paging.state {
            Some(state) if !counting && !merge => Some(Cursor::decode(state, &def)?),
            _ => None,
        };
        let remaining = resume.as_ref().map_or(limit, |cursor| cursor.remaining);
        let page_size = paging
            .page_size
            .filter(|size| *size > 0 && !counting && !merge)
            .map(|size| usize::try_from(size).unwrap_or(usize::MAX));
        // The rows to read at most (merged rows are all read, then sorted and limited).
        let take = match (page_size, remaining) {
            _ if merge => None,
            (Some(page), Some(left)) => Some(page.min(left)),
            (page, left) => page.or(left),
        };
        // The partitions in the order they are read, each with its key's bytes, and how one
        // stands to the cursor's partition.
        let order: Vec<(Vec<u8>, &Partition)> = match &plan.partitions {
            Some(keys) => keys
                .iter()
                .filter_map(|key| {
                    let bytes = partition_bytes(key);
                    table.partitions.get(&bytes).map(|p| (bytes, p))
                })
                .collect(),
            None => table
                .partitions
                .iter()
                .map(|(bytes, p)| (bytes.clone(), p))
                .collect(),
        };
        let planned: Option<Vec<Vec<u8>>> = plan
            .partitions
            .as_ref()
            .map(|keys| keys.iter().map(|key| partition_bytes(key)).collect());
        let cursor_rank = match (&resume, &planned) {
            (Some(cursor), Some(planned)) => Some(
                planned
                    .iter()
                    .position(|bytes| *bytes == cursor.partition)
                    .ok_or_else(|| CqlError::protocol("Invalid value for the paging state"))?,
            ),
            _ => None,
        };
        let against_cursor = |bytes: &[u8], cursor: &Cursor| match (&planned, cursor_rank) {
            (Some(planned), Some(rank)) => planned
                .iter()
                .position(|b| b == bytes)
                .unwrap_or(usize::MAX)
                .cmp(&rank),
            _ => bytes.cmp(&cursor.partition),
        };
        // A partition holding only static cells reads as one row when the clustering columns
        // are not restricted (as Scylla returns it).
        let restricts_clustering = select.relations.iter().any(|relation| {
            relation_columns(relation).into_iter().any(|c| {
                def.column(c)
                    .is_some_and(|(_, col)| matches!(col.role, Role::Clustering(_)))
            })
        });
        let has_statics = def.columns.iter().any(|c| c.role == Role::Static);
        let placeholder = Row::new(Vec::new());
        let mut rows: Vec<(Vec<Value>, ResultRow)> = Vec::new();
        let mut counted = 0u64;
        let mut last: Option<Cursor> = None;
        let mut more = false;
        'partitions: for (bytes, partition) in &order {
            let (mut in_partition, after) = match &resume {
                Some(cursor) => match against_cursor(bytes, cursor) {
                    std::cmp::Ordering::Less => continue,
                    std::cmp::Ordering::Equal => match &cursor.clustering {
                        None => continue,
                        Some(clustering) => (cursor.in_partition, Some(clustering)),
                    },
                    std::cmp::Ordering::Greater => (0, None),
                },
                None => (0, None),
            };
            let live_rows = partition.has_live_rows(now);
            let whole = select.distinct
                || (!live_rows
                    && has_statics
                    && !restricts_clustering
                    && after.is_none()
                    && partition.has_live_statics(now));
            let candidates: Box<dyn Iterator<Item = &Row>> = if whole {
                Box::new(
                    (live_rows || partition.has_live_statics(now))
                        .then_some(&placeholder)
                        .into_iter(),
                )
            } else if reversed {
                Box::new(partition.rows.iter().rev())
            } else {
                Box::new(partition.rows.iter())
            };
            for row in candidates {
                if !whole {
                    if !row.live(now, partition.deleted_at) {
                        continue;
                    }
                    if let Some(after) = after {
                        let order = def.cmp_clustering(&row.clustering, after);
                        let past = if reversed {
                            order.is_lt()
                        } else {
                            order.is_gt()
                        };
                        if !past {
                            continue;
                        }
                    }
                }
                let values = row_values(&def, partition, row, now);
                if !matches_all(&def, &select.relations, &values, ctx)? {
                    continue;
                }
                if per_partition.is_some_and(|n| in_partition >= n) {
                    break;
                }
                let emitted = if counting {
                    usize::try_from(counted).unwrap_or(usize::MAX)
                } else {
                    rows.len()
                };
                if take.is_some_and(|n| emitted >= n) {
                    // The page is full; rows remain unless the LIMIT is reached.
                    more = remaining.is_none_or(|left| emitted < left);
                    break 'partitions;
                }
                in_partition += 1;
                if counting {
                    counted += 1;
                } else {
                    rows.push((
                        row.clustering.clone(),
                        project(&selection, partition, row, &values, now),
                    ));
                }
                last = Some(Cursor {
                    partition: bytes.clone(),
                    clustering: (!whole).then(|| row.clustering.clone()),
                    remaining: None,
                    in_partition,
                });
            }
        }
        if let Selection::Count { alias } = &select.selection {
            #[allow(clippy::cast_possible_wrap)]
            let count = counted as i64;
            return Ok(Outcome::Rows(Rows {
                keyspace: def.keyspace.clone(),
                table: def.name.clone(),
                columns: vec![(
                    alias.clone().unwrap_or_else(|| "count".to_owned()),
                    CqlType::BigInt,
                )],
                rows: vec![vec![Some(Value::BigInt(count))]],
                paging_state: None,
            }));
        }
        if merge {
            // Stable: rows equal on the ORDER BY columns keep their partitions' order.
            let ordered = select.order_by.len();
            rows.sort_by(|(a, _), (b, _)| {
                let order =
                    def.cmp_clustering(&a[..ordered.min(a.len())], &b[..ordered.min(b.len())]);
                if reversed { order.reverse() } else { order }
            });
            if let Some(limit) = limit {
                rows.truncate(limit);
            }
        }
        let returned = rows.len();
        let paging_state = last.filter(|_| more).map(|mut cursor| {
            cursor.remaining = remaining.map(|left| left.saturating_sub(returned));
            cursor.encode()
        });
        Ok(Outcome::Rows(Rows {
            keyspace: def.keyspace.clone(),
            table: def.name.clone(),
            columns: selection
                .into_iter()
                .map(|(name, kind, _)| (name, kind))
                .collect(),
            rows: rows.into_iter().map(|(_, row)| row).collect(),
            paging_state,
        }))
    }

    fn plan_insert(&self, insert: &Insert, ctx: &Ctx<'_>) -> Result<Write> {
        let def = self.table_def(&insert.table, ctx.keyspace)?;
        if insert.columns.len() != insert.values.len() {
            return Err(CqlError::invalid("Unmatched column names/values"));
        }
        if insert.if_not_exists && insert.using.timestamp.is_some() {
            return Err(CqlError::invalid(
                "Cannot provide custom timestamp for conditional updates",
            ));
        }
        let mut given: Vec<Option<Resolved>> = vec![None; def.columns.len()];
        for (name, term) in insert.columns.iter().zip(&insert.values) {
            let (index, column) = def
                .column(name)
                .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {name}")))?;
            if given[index].is_some() {
                return Err(CqlError::invalid(format!(
                    "Multiple definitions found for column {name}"
                )));
            }
            if column.kind == CqlType::Counter {
                return Err(CqlError::invalid(
                    "INSERT statements are not allowed on counter tables, use UPDATE instead",
                ));
            }
            given[index] = Some(resolve(term, &column.kind, name, ctx)?);
        }
        let key_of = |indices: &[usize], what: &str| -> Result<Vec<Value>> {
            all_given(&def, indices, |i| given[i].is_some(), what)?;
            indices
                .iter()
                .map(|i| match &given[*i] {
                    Some(Resolved::Value(value)) => Ok(value.clone()),
                    _ => Err(CqlError::invalid(format!(
                        "Invalid null value in condition for column {}",
                        def.columns[*i].name
                    ))),
                })
                .collect()
        };
        let partition = key_of(&def.partition, "partition key parts")?;
        // Only static columns and no clustering key: the partition's static row alone.
        let sets = |role: Role| {
            given
                .iter()
                .enumerate()
                .any(|(index, value)| value.is_some() && def.columns[index].role == role)
        };
        let static_only = sets(Role::Static)
            && !sets(Role::Regular)
            && def.clustering.iter().all(|index| given[*index].is_none());
        let clustering = if static_only {
            None
        } else {
            Some(key_of(&def.clustering, "clustering keys")?)
        };
        let cells = given
            .iter()
            .enumerate()
            .filter(|(index, _)| !def.is_key(*index))
            .filter_map(|(index, value)| match value {
                Some(Resolved::Unset) | None => None,
                Some(value) => Some((index, CellOp::Set(value.clone().into_option()))),
            })
            .collect();
        Ok(Write {
            def: def.clone(),
            partition,
            clustering,
            kind: WriteKind::Upsert {
                cells,
                marker: true,
            },
            timestamp: using_timestamp(&insert.using, ctx)?,
            ttl: using_ttl(&insert.using, ctx, &def)?,
            condition: insert.if_not_exists.then_some(Cond::NotExists),
            statement: 0,
        })
    }

    fn plan_update(
        &self,
        update: &Update,
        ctx: &Ctx<'_>,
        batch_timestamp: Option<i64>,
    ) -> Result<Vec<Write>> {
        let def = self.table_def(&update.table, ctx.keyspace)?;
        // Assigning only static columns needs no clustering key (and takes none).
        let static_only = !update.assignments.is_empty()
            && update.assignments.iter().all(|assignment| {
                let (Assignment::Set { column, .. }
                | Assignment::Add { column, .. }
                | Assignment::Remove { column, .. }
                | Assignment::SetElement { column, .. }) = assignment;
                def.is_static(column)
            });
        if static_only {
            refuse_clustering_restrictions(&def, &update.relations, "UPDATE")?;
        }
        if update.condition.is_some() {
            conditional_checks(&def, &update.relations, &update.using, "updates")?;
        }
        let keys = write_keys(&def, &update.relations, ctx, !static_only)?;
        let mut cells = Vec::new();
        for assignment in &update.assignments {
            let column_name = match assignment {
                Assignment::Set { column, .. }
                | Assignment::Add { column, .. }
                | Assignment::Remove { column, .. }
                | Assignment::SetElement { column, .. } => column,
            };
            let (index, column) = def
                .column(column_name)
                .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column_name}")))?;
            if def.is_key(index) {
                return Err(CqlError::invalid(format!(
                    "PRIMARY KEY part {column_name} found in SET part"
                )));
            }
            let op = match assignment {
                Assignment::Set { value, .. } => {
                    if column.kind == CqlType::Counter {
                        return Err(CqlError::invalid(format!(
                            "Cannot set the value of counter column {column_name} (counters can only be incremented/decremented, not set)"
                        )));
                    }
                    match resolve(value, &column.kind, column_name, ctx)? {
                        Resolved::Unset => continue,
                        other => CellOp::Set(other.into_option()),
                    }
                }
                Assignment::Add { value, .. } => match (
                    resolve(value, &column.kind, column_name, ctx)?,
                    column.kind.unfrozen(),
                ) {
                    (
                        Resolved::Value(v),
                        CqlType::List(_) | CqlType::Set(_) | CqlType::Map(..) | CqlType::Counter,
                    ) if column.kind.is_multi_cell() || column.kind == CqlType::Counter => {
                        CellOp::Add(v)
                    }
                    (Resolved::Unset, _) => continue,
                    _ => {
                        return Err(CqlError::invalid(format!(
                            "Invalid operation ({column_name} = {column_name} + ?) for non collection column {column_name}"
                        )));
                    }
                },
                Assignment::Remove { value, .. } => {
                    let kind = match column.kind.unfrozen() {
                        CqlType::Map(key, _) => CqlType::Set(key.clone()),
                        other => other.clone(),
                    };
                    match resolve(value, &kind, column_name, ctx)? {
                        Resolved::Value(v)
                            if column.kind.is_multi_cell() || column.kind == CqlType::Counter =>
                        {
                            CellOp::Remove(v)
                        }
                        Resolved::Unset => continue,
                        _ => {
                            return Err(CqlError::invalid(format!(
                                "Invalid operation ({column_name} = {column_name} - ?) for non collection column {column_name}"
                            )));
                        }
                    }
                }
                Assignment::SetElement { key, value, .. } => {
                    let CqlType::Map(key_kind, value_kind) = &column.kind else {
                        return Err(CqlError::invalid(format!(
                            "Invalid operation ({column_name}[?] = ?) for non map column {column_name}"
                        )));
                    };
                    let key = resolve(key, key_kind, column_name, ctx)?
                        .into_option()
                        .ok_or_else(|| CqlError::invalid("Invalid null map key"))?;
                    CellOp::SetElement(
                        key,
                        resolve(value, value_kind, column_name, ctx)?.into_option(),
                    )
                }
            };
            cells.push((index, op));
        }
        let condition = condition(&def, update.condition.as_ref(), ctx)?;
        let timestamp = using_timestamp(&update.using, ctx)?.or(batch_timestamp);
        let ttl = using_ttl(&update.using, ctx, &def)?;
        Ok(keys
            .into_iter()
            .map(|(partition, clustering)| Write {
                def: def.clone(),
                partition,
                clustering: if static_only { None } else { clustering },
                kind: WriteKind::Upsert {
                    cells: cells.clone(),
                    marker: false,
                },
                timestamp,
                ttl,
                condition: condition.clone(),
                statement: 0,
            })
            .collect())
    }

    fn plan_delete(
        &self,
        delete: &Delete,
        ctx: &Ctx<'_>,
        batch_timestamp: Option<i64>,
    ) -> Result<Vec<Write>> {
        let def = self.table_def(&delete.table, ctx.keyspace)?;
        if delete.using.ttl.is_some() {
            return Err(CqlError::invalid(
                "TTL attribute is not allowed for deletes",
            ));
        }
        // Deleting only static columns needs no clustering key (and takes none); deleting
        // regular columns needs the whole key; a row, range or partition deletion a prefix.
        let static_only =
            !delete.columns.is_empty() && delete.columns.iter().all(|name| def.is_static(name));
        if static_only {
            refuse_clustering_restrictions(&def, &delete.relations, "DELETE")?;
        }
        if delete.condition.is_some() {
            conditional_checks(&def, &delete.relations, &delete.using, "deletions")?;
        }
        let whole_rows = !delete.columns.is_empty() && !static_only;
        let keys = write_keys(&def, &delete.relations, ctx, whole_rows)?;
        if delete.condition.is_some()
            && keys.iter().any(|(_, clustering)| {
                clustering
                    .as_ref()
                    .is_none_or(|c| c.len() < def.clustering.len())
            })
        {
            if !static_only {
                return Err(CqlError::invalid(
                    "DELETE statements must restrict all PRIMARY KEY columns with equality relations in order to delete non static columns",
                ));
            }
            if let Some(IfClause::Conditions(conditions)) = &delete.condition
                && conditions.iter().any(|condition| {
                    let (Condition::Compare { column, .. } | Condition::In { column, .. }) =
                        condition;
                    def.column(column)
                        .is_some_and(|(_, c)| c.role == Role::Regular)
                })
            {
                return Err(CqlError::invalid(
                    "DELETE statements must restrict all PRIMARY KEY columns with equality relations in order to use IF condition on non static columns",
                ));
            }
        }
        let mut columns = Vec::new();
        for name in &delete.columns {
            let (index, _) = def
                .column(name)
                .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {name}")))?;
            if def.is_key(index) {
                return Err(CqlError::invalid(format!(
                    "Invalid identifier {name} for deletion (should not be a PRIMARY KEY part)"
                )));
            }
            columns.push(index);
        }
        let condition = condition(&def, delete.condition.as_ref(), ctx)?;
        let timestamp = using_timestamp(&delete.using, ctx)?.or(batch_timestamp);
        Ok(keys
            .into_iter()
            .map(|(partition, clustering)| Write {
                def: def.clone(),
                partition,
                clustering,
                kind: if columns.is_empty() {
                    WriteKind::Delete
                } else {
                    WriteKind::Upsert {
                        cells: columns.iter().map(|i| (*i, CellOp::Set(None))).collect(),
                        marker: false,
                    }
                },
                timestamp,
                ttl: None,
                condition: condition.clone(),
                statement: 0,
            })
            .collect())
    }

    /// Applies writes atomically: the conditions of a conditional batch all hold or nothing is
    /// written. Every write giving no timestamp of its own gets the execution's one, as Scylla
    /// gives a statement or a batch one timestamp: the request's default timestamp, or one the
    /// node draws once (a conditional write always takes the node's, as Scylla's Paxos ballot).
    /// `batch`: the writes are a BATCH's (a conditional one answers as a batch, see
    /// [`lwt_result`]).
    fn apply_writes(
        &mut self,
        mut writes: Vec<Write>,
        ctx: &Ctx<'_>,
        batch: bool,
    ) -> Result<Outcome> {
        let conditional = writes.iter().any(|w| w.condition.is_some());
        if conditional {
            if let Some(first) = writes.first()
                && writes
                    .iter()
                    .any(|w| w.def.name != first.def.name || w.def.keyspace != first.def.keyspace)
            {
                return Err(CqlError::invalid(
                    "Batch with conditions cannot span multiple tables",
                ));
            }
            if let Some(first) = writes.first()
                && writes.iter().any(|w| w.partition != first.partition)
            {
                return Err(CqlError::invalid(
                    "Batch with conditions cannot span multiple partitions",
                ));
            }
        }
        let now = ctx.now_ms;
        if writes.iter().any(|w| w.timestamp.is_none()) {
            let timestamp = match ctx.client_timestamp.filter(|_| !conditional) {
                Some(timestamp) => timestamp,
                None => self.timestamp(now),
            };
            for write in &mut writes {
                write.timestamp.get_or_insert(timestamp);
            }
        }
        if !conditional {
            for write in writes {
                self.apply(write, now)?;
            }
            return Ok(Outcome::Void);
        }
        let def = writes[0].def.clone();
        let columns = lwt_columns(
            &def,
            writes
                .iter()
                .filter_map(|write| write.condition.as_ref())
                .flat_map(|condition| condition.columns(&def)),
            batch,
        );
        let (applied, found) = {
            let table = self.table(&def)?;
            let partition = table.partitions.get(&partition_bytes(&writes[0].partition));
            let read = CasRead::new(partition, &writes, now);
            let applied = writes.iter().all(|write| read.applies(write));
            // One row per statement, in statement order (conditional or not): what it found,
            // as it was.
            let mut found = Vec::new();
            let mut last = None;
            for write in &writes {
                if last != Some(write.statement) {
                    last = Some(write.statement);
                    found.push(read.old_row(write).map(|row| row.values));
                }
            }
            (applied, found)
        };
        if applied {
            for write in writes {
                self.apply(write, now)?;
            }
        }
        Ok(Outcome::Rows(lwt_result(&def, &columns, applied, found)))
    }

    fn apply(&mut self, write: Write, now_ms: i64) -> Result<()> {
        let timestamp = match write.timestamp {
            Some(ts) => ts,
            None => self.timestamp(now_ms),
        };
        let expires_at = write.ttl.map(|ttl| now_ms + i64::from(ttl) * 1000);
        let table = self.table_mut(&write.def)?;
        let def = write.def.clone();
        let partition = table
            .partitions
            .entry(partition_bytes(&write.partition))
            .or_insert_with(|| Partition::new(write.partition.clone()));
        match write.kind {
            WriteKind::Delete => match write.clustering {
                Some(clustering) if clustering.len() == def.clustering.len() => {
                    let row = partition.row_mut(&def, clustering);
                    row.deleted_at = row.deleted_at.max(timestamp);
                }
                Some(prefix) => partition.delete_range(prefix, timestamp),
                None => partition.deleted_at = partition.deleted_at.max(timestamp),
            },
            WriteKind::Upsert { cells, marker } => {
                let partition_deleted = partition.deleted_at;
                let stamp = Stamp {
                    timestamp,
                    expires_at,
                    now_ms,
                };
                for (index, op) in &cells {
                    let column = &def.columns[*index];
                    if column.role == Role::Static {
                        let current = partition
                            .statics
                            .get(index)
                            .filter(|c| c.live(now_ms, partition_deleted))
                            .and_then(|c| c.value.clone());
                        let value = op.apply(current, column)?;
                        write_cell(&mut partition.statics, *index, op, column, value, stamp);
                    }
                }
                if let Some(clustering) = write.clustering {
                    let row = partition.row_mut(&def, clustering);
                    if marker {
                        let newer = row.marker.is_none_or(|m| m.timestamp <= timestamp);
                        if newer {
                            row.marker = Some(Marker {
                                timestamp,
                                expires_at,
                            });
                        }
                    }
                    let shadow = row.shadow(partition_deleted);
                    for (index, op) in &cells {
                        let column = &def.columns[*index];
                        if column.role == Role::Static {
                            continue;
                        }
                        let current = row
                            .cells
                            .get(index)
                            .filter(|c| c.live(now_ms, shadow))
                            .and_then(|c| c.value.clone());
                        let value = op.apply(current, column)?;
                        write_cell(&mut row.cells, *index, op, column, value, stamp);
                    }
                }
            }
        }
        Ok(())
    }
}

/// A write's timestamp and expiry, and the node's clock.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    timestamp: i64,
    expires_at: Option<i64>,
    now_ms: i64,
}

/// Writes a cell, reconciled with the one there as Scylla reconciles two cells: the greater
/// timestamp wins; on a tie a tombstone wins over a live value, and between two live values the
/// greater serialized value wins (then the expiring one, then the later expiry). A value computed
/// from the live one there (counters, collection additions and removals) replaces it at an equal
/// timestamp unless that is a tombstone; a non-frozen collection written whole at the same
/// timestamp as a live one keeps the elements of both (Scylla writes it as its elements and a
/// tombstone just older than them).
fn write_cell(
    cells: &mut BTreeMap<usize, Cell>,
    index: usize,
    op: &CellOp,
    column: &Column,
    value: Option<Value>,
    stamp: Stamp,
) {
    let expires_at = if value.is_some() {
        stamp.expires_at
    } else {
        None
    };
    let mut incoming = Cell {
        value,
        timestamp: stamp.timestamp,
        expires_at,
    };
    if let Some(existing) = cells.get(&index) {
        let existing_live =
            existing.value.is_some() && existing.expires_at.is_none_or(|at| at > stamp.now_ms);
        let derived = !matches!(op, CellOp::Set(_)) || column.kind == CqlType::Counter;
        let replace = if derived {
            incoming.timestamp > existing.timestamp
                || (incoming.timestamp == existing.timestamp && existing_live)
        } else if incoming.timestamp == existing.timestamp
            && existing_live
            && column.kind.is_multi_cell()
            && let (Some(there), Some(written)) = (&existing.value, &incoming.value)
        {
            incoming.value = Some(merge_collections(there, written));
            true
        } else {
            supersedes(&incoming, existing, existing_live)
        };
        if !replace {
            return;
        }
    }
    cells.insert(index, incoming);
}

/// Whether `incoming` wins over `existing` (Scylla's `compare_atomic_cell_for_merge`).
fn supersedes(incoming: &Cell, existing: &Cell, existing_live: bool) -> bool {
    if incoming.timestamp != existing.timestamp {
        return incoming.timestamp > existing.timestamp;
    }
    match (&incoming.value, existing_live) {
        // A tombstone wins a tie; of two tombstones either will do.
        (None, _) => true,
        (Some(_), false) => false,
        (Some(written), true) => {
            let there = existing
                .value
                .as_ref()
                .map(codec::encode)
                .unwrap_or_default();
            match codec::encode(written).cmp(&there) {
                std::cmp::Ordering::Greater => true,
                std::cmp::Ordering::Less => false,
                std::cmp::Ordering::Equal => match (incoming.expires_at, existing.expires_at) {
                    (Some(a), Some(b)) => a >= b,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => true,
                },
            }
        }
    }
}

/// Two values of a non-frozen collection written at the same timestamp: the elements of both
/// (a map key in both keeps the greater serialized value).
fn merge_collections(there: &Value, written: &Value) -> Value {
    match (there, written) {
        (Value::Set(a), Value::Set(b)) => {
            let mut items: Vec<Value> = a.iter().chain(b).cloned().collect();
            codec::sort_set(&mut items);
            Value::Set(items)
        }
        (Value::List(a), Value::List(b)) => Value::List(a.iter().chain(b).cloned().collect()),
        (Value::Map(a), Value::Map(b)) => {
            let mut entries = a.clone();
            for (key, value) in b {
                match entries.iter_mut().find(|(k, _)| k == key) {
                    Some((_, v)) => {
                        if codec::encode(value) > codec::encode(v) {
                            v.clone_from(value);
                        }
                    }
                    None => entries.push((key.clone(), value.clone())),
                }
            }
            entries.sort_by(|(a, _), (b, _)| a.cmp_cql(b));
            Value::Map(entries)
        }
        _ => written.clone(),
    }
}

/// A row as a conditional statement reads it: every column's value, and whether the partition
/// has a live static cell.
struct OldRow {
    values: Vec<Option<Value>>,
    has_static: bool,
}

/// What a conditional statement or batch reads of its partition before deciding (Scylla's
/// prefetched rows, `cas_request::read_command`): the live rows in the clustering ranges of the
/// statements that check a row or need it to apply (conditions on static columns only need no
/// row); when none does, the partition's first live row. And the partition's static row, when
/// the table has static columns and the read returned the partition (live static cells, or live
/// rows read).
struct CasRead<'a> {
    partition: Option<&'a Partition>,
    /// Per row of the partition: whether the read returned it.
    read: Vec<bool>,
    static_row: bool,
    now_ms: i64,
}

impl<'a> CasRead<'a> {
    fn new(partition: Option<&'a Partition>, writes: &[Write], now_ms: i64) -> Self {
        let Some((p, def)) = partition.zip(writes.first().map(|w| &w.def)) else {
            return Self {
                partition,
                read: Vec::new(),
                static_row: false,
                now_ms,
            };
        };
        // Each range as a clustering prefix (`None`: the whole partition).
        let ranges: Vec<Option<&[Value]>> = writes
            .iter()
            .filter(|w| w.requires_read() || (w.condition.is_some() && !w.only_static_conditions()))
            .map(|w| w.clustering.as_deref())
            .collect();
        let mut read: Vec<bool> = p
            .rows
            .iter()
            .map(|row| {
                row.live(now_ms, p.deleted_at)
                    && ranges
                        .iter()
                        .any(|range| range.is_none_or(|prefix| row.clustering.starts_with(prefix)))
            })
            .collect();
        if ranges.is_empty()
            && let Some(index) = p.rows.iter().position(|row| row.live(now_ms, p.deleted_at))
        {
            read[index] = true;
        }
        let static_row = !def.clustering.is_empty()
            && def.columns.iter().any(|c| c.role == Role::Static)
            && (p.has_live_statics(now_ms) || read.contains(&true));
        Self {
            partition,
            read,
            static_row,
            now_ms,
        }
    }

    fn static_row(&self, def: &TableDef) -> Option<OldRow> {
        let partition = self.partition.filter(|_| self.static_row)?;
        Some(OldRow {
            values: row_values(def, partition, &Row::new(Vec::new()), self.now_ms),
            has_static: partition.has_live_statics(self.now_ms),
        })
    }

    /// The row a statement finds (Scylla's `find_old_row`): the row read at its clustering key,
    /// else (unless it is `IF [NOT] EXISTS`) the partition's static row. A statement naming no
    /// clustering key finds the static row (the row itself in a table without clustering key).
    fn old_row(&self, write: &Write) -> Option<OldRow> {
        let def = &write.def;
        let partition = self.partition?;
        let clustering = write
            .clustering
            .as_deref()
            .or_else(|| def.clustering.is_empty().then_some(&[][..]));
        if let Some(clustering) = clustering.filter(|c| c.len() == def.clustering.len()) {
            if let Ok(index) = partition.find(def, clustering)
                && self.read[index]
            {
                return Some(OldRow {
                    values: row_values(def, partition, &partition.rows[index], self.now_ms),
                    has_static: partition.has_live_statics(self.now_ms),
                });
            }
            if def.clustering.is_empty()
                || matches!(write.condition, Some(Cond::Exists | Cond::NotExists))
            {
                return None;
            }
        }
        self.static_row(def)
    }

    /// Whether a statement's conditions hold.
    fn applies(&self, write: &Write) -> bool {
        let Some(condition) = &write.condition else {
            return true;
        };
        let mut row = self.old_row(write);
        // Conditions on static columns only: a partition without static cells has no such row.
        if write.only_static_conditions() && row.as_ref().is_some_and(|r| !r.has_static) {
            row = None;
        }
        match condition {
            Cond::NotExists => row.is_none(),
            Cond::Exists => row.is_some(),
            Cond::Compare(checks) => {
                let values = row.map_or_else(|| vec![None; write.def.columns.len()], |r| r.values);
                checks.iter().all(|check| check.holds(&values))
            }
        }
    }
}

/// Refuses clustering restrictions on a statement that writes only static columns.
fn refuse_clustering_restrictions(
    def: &TableDef,
    relations: &[Relation],
    kind: &str,
) -> Result<()> {
    let restricts = relations.iter().any(|relation| {
        relation_columns(relation).into_iter().any(|c| {
            def.column(c)
                .is_some_and(|(_, col)| matches!(col.role, Role::Clustering(_)))
        })
    });
    if restricts {
        return Err(CqlError::invalid(format!(
            "Invalid restrictions on clustering columns since the {kind} statement modifies only static columns"
        )));
    }
    Ok(())
}

/// What Scylla refuses of a conditional UPDATE or DELETE (`kind`: "updates" or "deletions"):
/// a custom timestamp, a counter table, IN on the primary key.
fn conditional_checks(
    def: &TableDef,
    relations: &[Relation],
    using: &Using,
    kind: &str,
) -> Result<()> {
    if def.columns.iter().any(|c| c.kind == CqlType::Counter) {
        return Err(CqlError::invalid(
            "Conditional updates are not supported on counter tables",
        ));
    }
    if using.timestamp.is_some() {
        return Err(CqlError::invalid(
            "Cannot provide custom timestamp for conditional updates",
        ));
    }
    for relation in relations {
        let Relation::In { column, .. } = relation else {
            continue;
        };
        match def.column(column).map(|(_, c)| c.role) {
            Some(Role::Partition(_)) => {
                return Err(CqlError::invalid(format!(
                    "IN on the partition key is not supported with conditional {kind}"
                )));
            }
            Some(Role::Clustering(_)) => {
                return Err(CqlError::invalid(format!(
                    "IN on the clustering key columns is not supported with conditional {kind}"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// A term that may hold bind markers, with the column (and type) it is compared or assigned to.
struct Found {
    keyspace: String,
    table: String,
    term: Term,
    name: String,
    kind: CqlType,
}

impl Found {
    fn new(def: &TableDef, term: &Term, name: &str, kind: &CqlType) -> Self {
        Self {
            keyspace: def.keyspace.clone(),
            table: def.name.clone(),
            term: term.clone(),
            name: name.to_owned(),
            kind: kind.clone(),
        }
    }
}

/// The markers of `column op value`: the column's type.
fn compare_binds(
    column: &str,
    value: &Term,
    column_kind: &impl Fn(&str) -> Option<CqlType>,
    push: &mut impl FnMut(&Term, &str, &CqlType),
) {
    if let Some(kind) = column_kind(column) {
        push(value, column, &kind);
    }
}

/// The markers of `column IN (…)` (each the column's type) or `column IN ?` (a list of it).
fn in_binds(
    column: &str,
    values: &InValues,
    column_kind: &impl Fn(&str) -> Option<CqlType>,
    push: &mut impl FnMut(&Term, &str, &CqlType),
) {
    let Some(kind) = column_kind(column) else {
        return;
    };
    match values {
        InValues::Terms(terms) => terms.iter().for_each(|t| push(t, column, &kind)),
        InValues::Bind(term) => push(
            term,
            &format!("in({column})"),
            &CqlType::List(Box::new(kind)),
        ),
    }
}

fn relation_binds(
    relation: &Relation,
    column_kind: &impl Fn(&str) -> Option<CqlType>,
    push: &mut impl FnMut(&Term, &str, &CqlType),
) {
    match relation {
        Relation::Compare { column, value, .. } => compare_binds(column, value, column_kind, push),
        Relation::In { column, values } => in_binds(column, values, column_kind, push),
        Relation::Tuple {
            columns, values, ..
        } => {
            for (column, value) in columns.iter().zip(values) {
                if let Some(kind) = column_kind(column) {
                    push(value, column, &kind);
                }
            }
        }
        Relation::Token { value, .. } => push(value, "partition key token", &CqlType::BigInt),
    }
}

/// A statement that reads or writes a table: a lone one, or one of a batch.
#[derive(Clone, Copy)]
enum StatementRef<'a> {
    Select(&'a Select),
    Insert(&'a Insert),
    Update(&'a Update),
    Delete(&'a Delete),
}

impl<'a> StatementRef<'a> {
    /// The statements that name a table, in order: the statement itself, or a batch's.
    fn all(statement: &'a Statement) -> Vec<Self> {
        match statement {
            Statement::Select(select) => vec![Self::Select(select)],
            Statement::Insert(insert) => vec![Self::Insert(insert)],
            Statement::Update(update) => vec![Self::Update(update)],
            Statement::Delete(delete) => vec![Self::Delete(delete)],
            Statement::Batch(batch) => batch.statements.iter().map(Self::from).collect(),
            _ => Vec::new(),
        }
    }

    /// The columns its LWT answer shows, when it is conditional (see [`Cond::columns`]).
    fn cas_columns(self, def: &TableDef) -> Option<Vec<usize>> {
        let condition = match self {
            Self::Select(_) => return None,
            Self::Insert(insert) => insert.if_not_exists.then_some(&IfClause::Exists),
            Self::Update(update) => update.condition.as_ref(),
            Self::Delete(delete) => delete.condition.as_ref(),
        }?;
        Some(match condition {
            IfClause::Exists => (0..def.columns.len()).collect(),
            IfClause::Conditions(conditions) => conditions
                .iter()
                .filter_map(|condition| {
                    let (Condition::Compare { column, .. } | Condition::In { column, .. }) =
                        condition;
                    def.column(column).map(|(index, _)| index)
                })
                .collect(),
        })
    }

    fn table(self) -> &'a crate::ast::QualifiedName {
        match self {
            Self::Select(select) => &select.table,
            Self::Insert(insert) => &insert.table,
            Self::Update(update) => &update.table,
            Self::Delete(delete) => &delete.table,
        }
    }
}

impl<'a> From<&'a BatchStatement> for StatementRef<'a> {
    fn from(statement: &'a BatchStatement) -> Self {
        match statement {
            BatchStatement::Insert(insert) => Self::Insert(insert),
            BatchStatement::Update(update) => Self::Update(update),
            BatchStatement::Delete(delete) => Self::Delete(delete),
        }
    }
}

fn walk_binds(
    term: &Term,
    name: &str,
    kind: &CqlType,
    found: &mut impl FnMut(usize, &str, &CqlType),
) {
    match term {
        Term::Bind(index) | Term::NamedBind(index, _) => found(*index, name, kind),
        Term::List(items) | Term::Set(items) => {
            if let CqlType::List(item) | CqlType::Set(item) = kind.unfrozen() {
                for term in items {
                    walk_binds(term, name, item, found);
                }
            }
        }
        Term::Map(entries) => {
            if let CqlType::Map(key, value) = kind.unfrozen() {
                for (k, v) in entries {
                    walk_binds(k, name, key, found);
                    walk_binds(v, name, value, found);
                }
            }
        }
        _ => {}
    }
}

fn using_binds(using: &Using, found: &mut impl FnMut(&Term, &str, &CqlType)) {
    if let Some(ttl) = &using.ttl {
        found(ttl, "[ttl]", &CqlType::Int);
    }
    if let Some(timestamp) = &using.timestamp {
        found(timestamp, "[timestamp]", &CqlType::BigInt);
    }
}

fn condition_binds(
    clause: Option<&IfClause>,
    column_kind: &impl Fn(&str) -> Option<CqlType>,
    found: &mut impl FnMut(&Term, &str, &CqlType),
) {
    let Some(IfClause::Conditions(conditions)) = clause else {
        return;
    };
    for condition in conditions {
        match condition {
            Condition::Compare { column, value, .. } => {
                compare_binds(column, value, column_kind, found);
            }
            Condition::In { column, values } => in_binds(column, values, column_kind, found),
        }
    }
}

/// A table definition from CREATE TABLE, checked as Scylla checks it.
pub(crate) fn table_def(keyspace: &str, create: &CreateTable, generation: u64) -> Result<TableDef> {
    let mut seen = std::collections::HashSet::new();
    for column in &create.columns {
        if !seen.insert(column.name.as_str()) {
            return Err(CqlError::invalid(format!(
                "Multiple definition of identifier {}",
                column.name
            )));
        }
    }
    let inline: Vec<&str> = create
        .columns
        .iter()
        .filter(|c| c.primary_key)
        .map(|c| c.name.as_str())
        .collect();
    let (partition, clustering): (Vec<&str>, Vec<&str>) = if inline.is_empty() {
        (
            create.partition_key.iter().map(String::as_str).collect(),
            create.clustering_key.iter().map(String::as_str).collect(),
        )
    } else if inline.len() > 1
        || !create.clustering_key.is_empty()
        || create.partition_key.len() > 1
    {
        return Err(CqlError::invalid(
            "Multiple PRIMARY KEYs specified (exactly one required)",
        ));
    } else {
        (inline, Vec::new())
    };
    if partition.is_empty() {
        return Err(CqlError::invalid(
            "No PRIMARY KEY specifed (exactly one required)",
        ));
    }
    let find = |name: &str| {
        create
            .columns
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                CqlError::invalid(format!(
                    "Unknown definition {name} referenced in PRIMARY KEY"
                ))
            })
    };
    let mut columns = Vec::new();
    for (position, name) in partition.iter().enumerate() {
        let column = find(name)?;
        if column.kind.is_multi_cell() {
            return Err(CqlError::invalid(format!(
                "Invalid non-frozen collection type for PRIMARY KEY component {name}"
            )));
        }
        if column.kind == CqlType::Counter {
            return Err(CqlError::invalid(format!(
                "counter type is not supported for PRIMARY KEY part {name}"
            )));
        }
        columns.push(Column {
            name: column.name.clone(),
            kind: column.kind.clone(),
            role: Role::Partition(position),
        });
    }
    for (position, name) in clustering.iter().enumerate() {
        let column = find(name)?;
        if column.kind.is_multi_cell() {
            return Err(CqlError::invalid(format!(
                "Invalid non-frozen collection type for PRIMARY KEY component {name}"
            )));
        }
        if columns.iter().any(|c: &Column| c.name == column.name) {
            return Err(CqlError::invalid(format!(
                "Multiple definition of identifier {name}"
            )));
        }
        columns.push(Column {
            name: column.name.clone(),
            kind: column.kind.clone(),
            role: Role::Clustering(position),
        });
    }
    let mut others: Vec<&crate::ast::ColumnDef> = create
        .columns
        .iter()
        .filter(|c| !partition.contains(&c.name.as_str()) && !clustering.contains(&c.name.as_str()))
        .collect();
    // Scylla's column order: static columns, then regular ones, each kind by name.
    others.sort_by(|a, b| (!a.is_static, &a.name).cmp(&(!b.is_static, &b.name)));
    let counters = others.iter().filter(|c| c.kind == CqlType::Counter).count();
    if counters > 0 && counters != others.len() {
        return Err(CqlError::invalid(
            "Cannot mix counter and non counter columns in the same table",
        ));
    }
    for column in others {
        if column.is_static && clustering.is_empty() {
            return Err(CqlError::invalid(
                "Static columns are only useful (and thus allowed) if the table has at least one clustering column",
            ));
        }
        if column.is_static && (partition.contains(&column.name.as_str())) {
            return Err(CqlError::invalid(format!(
                "Static column {} cannot be part of the PRIMARY KEY",
                column.name
            )));
        }
        columns.push(Column {
            name: column.name.clone(),
            kind: column.kind.clone(),
            role: if column.is_static {
                Role::Static
            } else {
                Role::Regular
            },
        });
    }
    let mut descending = vec![false; clustering.len()];
    if !create.clustering_order.is_empty() {
        for (i, (name, desc)) in create.clustering_order.iter().enumerate() {
            let Some(position) = clustering.iter().position(|c| c == name) else {
                return Err(CqlError::invalid(format!(
                    "Missing CLUSTERING ORDER for column {name}"
                )));
            };
            if position != i {
                return Err(CqlError::invalid(
                    "The order of columns in the CLUSTERING ORDER directive must be the one of the clustering key",
                ));
            }
            descending[position] = *desc;
        }
        if create.clustering_order.len() != clustering.len()
            && let Some(missing) = clustering.get(create.clustering_order.len())
        {
            return Err(CqlError::invalid(format!(
                "Missing CLUSTERING ORDER for column {missing}"
            )));
        }
    }
    let mut default_ttl = 0;
    for (name, value) in &create.options {
        match name.as_str() {
            "default_time_to_live" => {
                let OptionValue::Term(Term::Integer(n)) = value else {
                    return Err(CqlError::new(
                        code::SYNTAX,
                        "default_time_to_live must be an integer",
                    ));
                };
                default_ttl = n
                    .parse::<i32>()
                    .ok()
                    .filter(|n| *n >= 0 && i64::from(*n) <= MAX_TTL)
                    .ok_or_else(|| {
                        CqlError::new(
                            code::CONFIG,
                            format!(
                                "default_time_to_live must be between 0 and {MAX_TTL}, got {n}"
                            ),
                        )
                    })?;
            }
            "comment"
            | "gc_grace_seconds"
            | "compaction"
            | "compression"
            | "caching"
            | "bloom_filter_fp_chance"
            | "speculative_retry"
            | "crc_check_chance"
            | "memtable_flush_period_in_ms"
            | "min_index_interval"
            | "max_index_interval"
            | "tombstone_gc"
            | "paxos_grace_seconds"
            | "cdc"
            | "read_repair_chance"
            | "dclocal_read_repair_chance" => {}
            other => {
                return Err(CqlError::new(
                    code::SYNTAX,
                    format!("Unknown property '{other}'"),
                ));
            }
        }
    }
    let mut id = [0u8; 16];
    let hash = fnv(format!("{keyspace}.{}.{generation}", create.table.name).as_bytes());
    id[..8].copy_from_slice(&hash.to_be_bytes());
    id[8..].copy_from_slice(&generation.to_be_bytes());
    let partition_indices = (0..partition.len()).collect();
    let clustering_indices = (partition.len()..partition.len() + clustering.len()).collect();
    Ok(TableDef {
        keyspace: keyspace.to_owned(),
        name: create.table.name.clone(),
        id,
        columns,
        partition: partition_indices,
        clustering: clustering_indices,
        descending,
        default_ttl,
    })
}

/// FNV-1a: stable ids without a dependency.
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn term_text(term: &Term) -> Result<String> {
    match term {
        Term::String(s) | Term::Integer(s) | Term::Float(s) => Ok(s.clone()),
        Term::Boolean(b) => Ok(b.to_string()),
        _ => Err(CqlError::new(
            code::SYNTAX,
            "Invalid value in a property map",
        )),
    }
}

/// A term resolved as `kind`: a literal read, a bind marker's value, a collection of both.
fn resolve(term: &Term, kind: &CqlType, column: &str, ctx: &Ctx<'_>) -> Result<Resolved> {
    match term {
        Term::Bind(index) | Term::NamedBind(index, _) => ctx
            .binds
            .get(*index)
            .cloned()
            .ok_or_else(|| CqlError::invalid(format!("No value bound for marker {index}"))),
        Term::List(items) | Term::Set(items) if has_binds(term) => {
            let item_kind = match kind.unfrozen() {
                CqlType::List(item) | CqlType::Set(item) => item,
                _ => {
                    return Err(CqlError::invalid(format!(
                        "Invalid list literal for {column} of type {kind}"
                    )));
                }
            };
            let mut values = Vec::new();
            for item in items {
                values.push(
                    resolve(item, item_kind, column, ctx)?
                        .into_option()
                        .ok_or_else(|| {
                            CqlError::invalid("null is not supported inside collections")
                        })?,
                );
            }
            Ok(Resolved::Value(
                if matches!(kind.unfrozen(), CqlType::Set(_)) {
                    codec::sort_set(&mut values);
                    Value::Set(values)
                } else {
                    Value::List(values)
                },
            ))
        }
        Term::Map(entries) if has_binds(term) => {
            let CqlType::Map(key_kind, value_kind) = kind.unfrozen() else {
                return Err(CqlError::invalid(format!(
                    "Invalid map literal for {column} of type {kind}"
                )));
            };
            let mut values = Vec::new();
            for (k, v) in entries {
                let k = resolve(k, key_kind, column, ctx)?.into_option();
                let v = resolve(v, value_kind, column, ctx)?.into_option();
                match (k, v) {
                    (Some(k), Some(v)) => values.push((k, v)),
                    _ => {
                        return Err(CqlError::invalid(
                            "null is not supported inside collections",
                        ));
                    }
                }
            }
            codec::sort_map(&mut values);
            Ok(Resolved::Value(Value::Map(values)))
        }
        literal => match codec::literal(literal, kind, column).map_err(CqlError::invalid)? {
            Some(value) => Ok(Resolved::Value(value)),
            None => Ok(Resolved::Null),
        },
    }
}

fn has_binds(term: &Term) -> bool {
    match term {
        Term::Bind(_) | Term::NamedBind(..) => true,
        Term::List(items) | Term::Set(items) => items.iter().any(has_binds),
        Term::Map(entries) => entries.iter().any(|(k, v)| has_binds(k) || has_binds(v)),
        _ => false,
    }
}

fn int_of(term: &Term, ctx: &Ctx<'_>, what: &str) -> Result<i64> {
    let kind = if what == "timestamp" {
        CqlType::BigInt
    } else {
        CqlType::Int
    };
    match resolve(term, &kind, what, ctx)? {
        Resolved::Value(Value::BigInt(n)) => Ok(n),
        Resolved::Value(Value::Int(n)) => Ok(i64::from(n)),
        _ => Err(CqlError::invalid(format!("Invalid null value of {what}"))),
    }
}

fn positive_limit(term: &Term, ctx: &Ctx<'_>, what: &str) -> Result<usize> {
    let n = int_of(term, ctx, "limit")?;
    usize::try_from(n)
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| CqlError::invalid(format!("{what} must be strictly positive")))
}

fn using_timestamp(using: &Using, ctx: &Ctx<'_>) -> Result<Option<i64>> {
    using
        .timestamp
        .as_ref()
        .map(|term| int_of(term, ctx, "timestamp"))
        .transpose()
}

fn using_ttl(using: &Using, ctx: &Ctx<'_>, def: &TableDef) -> Result<Option<i32>> {
    let ttl = match &using.ttl {
        Some(term) => {
            let ttl = int_of(term, ctx, "ttl")?;
            if ttl < 0 {
                return Err(CqlError::invalid(
                    "A TTL must be greater or equal to 0, but was ".to_owned() + &ttl.to_string(),
                ));
            }
            if ttl > MAX_TTL {
                return Err(CqlError::invalid(format!(
                    "ttl is too large. requested ({ttl}) maximum ({MAX_TTL})"
                )));
            }
            i32::try_from(ttl).unwrap_or(i32::MAX)
        }
        None => def.default_ttl,
    };
    Ok((ttl > 0).then_some(ttl))
}

/// What a write does to a cell.
#[derive(Clone, Debug)]
enum CellOp {
    Set(Option<Value>),
    Add(Value),
    Remove(Value),
    SetElement(Value, Option<Value>),
}

impl CellOp {
    fn apply(&self, current: Option<Value>, column: &Column) -> Result<Option<Value>> {
        Ok(match (self, current) {
            (Self::Set(value), _) => value.clone(),
            (Self::Add(Value::BigInt(n)), current) if column.kind == CqlType::Counter => {
                let now = match current {
                    Some(Value::BigInt(c)) => c,
                    _ => 0,
                };
                Some(Value::BigInt(now.wrapping_add(*n)))
            }
            (Self::Remove(Value::BigInt(n)), current) if column.kind == CqlType::Counter => {
                let now = match current {
                    Some(Value::BigInt(c)) => c,
                    _ => 0,
                };
                Some(Value::BigInt(now.wrapping_sub(*n)))
            }
            (Self::Add(Value::List(items)), Some(Value::List(mut now))) => {
                now.extend(items.iter().cloned());
                Some(Value::List(now))
            }
            (Self::Add(Value::Set(items)), Some(Value::Set(mut now))) => {
                now.extend(items.iter().cloned());
                codec::sort_set(&mut now);
                Some(Value::Set(now))
            }
            (Self::Add(Value::Map(entries)), Some(Value::Map(mut now))) => {
                now.extend(entries.iter().cloned());
                codec::sort_map(&mut now);
                Some(Value::Map(now))
            }
            (Self::Add(value), None) => Some(value.clone()),
            (Self::Remove(Value::List(items) | Value::Set(items)), Some(Value::List(now))) => Some(
                Value::List(now.into_iter().filter(|v| !items.contains(v)).collect()),
            )
            .filter(|v| !matches!(v, Value::List(l) if l.is_empty())),
            (Self::Remove(Value::Set(items)), Some(Value::Set(now))) => Some(Value::Set(
                now.into_iter().filter(|v| !items.contains(v)).collect(),
            ))
            .filter(|v| !matches!(v, Value::Set(s) if s.is_empty())),
            (Self::Remove(Value::Set(keys)), Some(Value::Map(now))) => Some(Value::Map(
                now.into_iter().filter(|(k, _)| !keys.contains(k)).collect(),
            ))
            .filter(|v| !matches!(v, Value::Map(m) if m.is_empty())),
            (Self::Remove(_), current) => current,
            (Self::SetElement(key, value), current) => {
                let mut entries = match current {
                    Some(Value::Map(entries)) => entries,
                    _ => Vec::new(),
                };
                entries.retain(|(k, _)| k != key);
                if let Some(value) = value {
                    entries.push((key.clone(), value.clone()));
                    codec::sort_map(&mut entries);
                }
                (!entries.is_empty()).then_some(Value::Map(entries))
            }
            (Self::Add(_), Some(_)) => {
                return Err(CqlError::invalid(format!(
                    "Invalid operation for column {}",
                    column.name
                )));
            }
        })
    }
}

#[derive(Clone, Debug)]
enum WriteKind {
    /// Cells written (INSERT with a row marker; UPDATE and column deletions without).
    Upsert {
        cells: Vec<(usize, CellOp)>,
        marker: bool,
    },
    /// The row (full clustering key), the rows of a clustering prefix, or the partition.
    Delete,
}

/// A condition's check on one column.
#[derive(Clone, Debug)]
struct Check {
    column: usize,
    op: Operator,
    values: Vec<Option<Value>>,
}

impl Check {
    fn holds(&self, row: &[Option<Value>]) -> bool {
        let current = &row[self.column];
        match self.op {
            Operator::Eq => self.values.iter().any(|v| v == current),
            Operator::Ne => self.values.first().is_some_and(|v| v != current),
            op => match (current, self.values.first()) {
                (Some(current), Some(Some(wanted))) => {
                    let order = current.cmp_cql(wanted);
                    match op {
                        Operator::Lt => order.is_lt(),
                        Operator::Le => order.is_le(),
                        Operator::Gt => order.is_gt(),
                        _ => order.is_ge(),
                    }
                }
                _ => false,
            },
        }
    }
}

#[derive(Clone, Debug)]
enum Cond {
    NotExists,
    Exists,
    Compare(Vec<Check>),
}

impl Cond {
    /// The columns its statement's LWT result shows (Scylla's `columns_of_cas_result_set`):
    /// every column for `IF [NOT] EXISTS`, else those the conditions name.
    fn columns(&self, def: &TableDef) -> Vec<usize> {
        match self {
            Self::NotExists | Self::Exists => (0..def.columns.len()).collect(),
            Self::Compare(checks) => checks.iter().map(|check| check.column).collect(),
        }
    }
}

#[derive(Clone, Debug)]
struct Write {
    def: Arc<TableDef>,
    partition: Vec<Value>,
    /// The row's clustering key (or a prefix for a range deletion); `None` for the partition.
    clustering: Option<Vec<Value>>,
    kind: WriteKind,
    /// The statement's own timestamp (USING TIMESTAMP, or the batch's); the others get the
    /// execution's one.
    timestamp: Option<i64>,
    ttl: Option<i32>,
    condition: Option<Cond>,
    /// The statement it comes from, in its batch (0 for a lone statement).
    statement: usize,
}

impl Write {
    /// Whether applying it needs the row as it was (Scylla's `requires_read`): removing
    /// elements from a list.
    fn requires_read(&self) -> bool {
        let WriteKind::Upsert { cells, .. } = &self.kind else {
            return false;
        };
        cells.iter().any(|(index, op)| {
            matches!(op, CellOp::Remove(_))
                && matches!(self.def.columns[*index].kind.unfrozen(), CqlType::List(_))
        })
    }

    /// Whether the statement's conditions read only static columns (Scylla then checks them
    /// against the partition's static row): conditions all on static columns, or `IF [NOT]
    /// EXISTS` naming no clustering key in a table with static columns.
    fn only_static_conditions(&self) -> bool {
        match &self.condition {
            Some(Cond::Compare(checks)) => {
                !checks.is_empty()
                    && checks
                        .iter()
                        .all(|check| self.def.columns[check.column].role == Role::Static)
            }
            Some(Cond::Exists | Cond::NotExists) => {
                self.clustering.is_none() && self.def.columns.iter().any(|c| c.role == Role::Static)
            }
            None => false,
        }
    }
}

fn condition(def: &TableDef, clause: Option<&IfClause>, ctx: &Ctx<'_>) -> Result<Option<Cond>> {
    let Some(clause) = clause else {
        return Ok(None);
    };
    Ok(Some(match clause {
        IfClause::Exists => Cond::Exists,
        IfClause::Conditions(conditions) => {
            let mut checks = Vec::new();
            for condition in conditions {
                let (column, op, values) = match condition {
                    Condition::Compare { column, op, value } => (column, *op, vec![value.clone()]),
                    Condition::In { column, values } => match values {
                        InValues::Terms(terms) => (column, Operator::Eq, terms.clone()),
                        InValues::Bind(term) => (column, Operator::Eq, vec![term.clone()]),
                    },
                };
                let (index, col) = def
                    .column(column)
                    .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
                if def.is_key(index) {
                    return Err(CqlError::invalid(format!(
                        "PRIMARY KEY column '{column}' cannot have IF conditions"
                    )));
                }
                let mut resolved = Vec::new();
                let in_bind = matches!(
                    condition,
                    Condition::In {
                        values: InValues::Bind(_),
                        ..
                    }
                );
                for term in &values {
                    if in_bind {
                        let items = bound_list(term, &col.kind, column, ctx)?.ok_or_else(|| {
                            CqlError::invalid(format!(
                                "Invalid null list in IN condition for {column}"
                            ))
                        })?;
                        resolved.extend(items.into_iter().map(Some));
                    } else {
                        resolved.push(resolve(term, &col.kind, column, ctx)?.into_option());
                    }
                }
                checks.push(Check {
                    column: index,
                    op,
                    values: resolved,
                });
            }
            Cond::Compare(checks)
        }
    }))
}

/// The rows a write names: every partition and clustering key its WHERE gives by `=` or `IN`.
/// `whole_rows`: the clustering key must be complete (UPDATE, column deletions); otherwise a
/// prefix (or none) deletes a range or the partition.
fn write_keys(
    def: &TableDef,
    relations: &[Relation],
    ctx: &Ctx<'_>,
    whole_rows: bool,
) -> Result<Vec<RowKey>> {
    let mut per_column: Vec<Option<Vec<Value>>> = vec![None; def.columns.len()];
    for relation in relations {
        let (column, values) = match relation {
            Relation::Compare {
                column,
                op: Operator::Eq,
                value,
            } => (column, vec![value.clone()]),
            Relation::In { column, values } => (
                column,
                match values {
                    InValues::Terms(terms) => terms.clone(),
                    InValues::Bind(term) => vec![term.clone()],
                },
            ),
            Relation::Compare { column, .. } => {
                let (index, _) = def
                    .column(column)
                    .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
                if def.is_key(index) {
                    return Err(CqlError::invalid(format!(
                        "Invalid operator in where clause for PRIMARY KEY column {column}: only = and IN are allowed when writing"
                    )));
                }
                return Err(CqlError::invalid(format!(
                    "Non PRIMARY KEY columns found in where clause: {column} "
                )));
            }
            Relation::Tuple { .. } | Relation::Token { .. } => {
                return Err(CqlError::invalid(
                    "Only EQ and IN relations are supported on the primary key of a write",
                ));
            }
        };
        let (index, col) = def
            .column(column)
            .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
        if !def.is_key(index) {
            return Err(CqlError::invalid(format!(
                "Non PRIMARY KEY columns found in where clause: {column} "
            )));
        }
        if per_column[index].is_some() {
            return Err(CqlError::invalid(format!(
                "{column} cannot be restricted by more than one relation if it includes an Equal"
            )));
        }
        let in_bind = matches!(
            relation,
            Relation::In {
                values: InValues::Bind(_),
                ..
            }
        );
        let mut resolved = Vec::new();
        for term in &values {
            if in_bind {
                resolved.extend(in_restriction(term, &col.kind, column, ctx)?);
            } else {
                resolved.push(key_value(resolve(term, &col.kind, column, ctx)?, column)?);
            }
        }
        per_column[index] = Some(resolved);
    }
    all_given(
        def,
        &def.partition,
        |i| per_column[i].is_some(),
        "partition key parts",
    )?;
    let restricted: Vec<usize> = def
        .clustering
        .iter()
        .copied()
        .take_while(|i| per_column[*i].is_some())
        .collect();
    if let Some(gap) = def
        .clustering
        .iter()
        .skip(restricted.len())
        .find(|i| per_column[**i].is_some())
    {
        let previous = &def.columns[def.clustering[restricted.len()]].name;
        return Err(CqlError::invalid(format!(
            "PRIMARY KEY column \"{}\" cannot be restricted as preceding column \"{previous}\" is not restricted",
            def.columns[*gap].name
        )));
    }
    if whole_rows {
        all_given(
            def,
            &def.clustering,
            |i| per_column[i].is_some(),
            "clustering keys",
        )?;
    }
    let mut partition_values: Vec<Vec<Value>> = def
        .partition
        .iter()
        .map(|i| per_column[*i].clone().unwrap_or_default())
        .collect();
    check_product(&mut partition_values, "partition-key")?;
    let mut clustering_values: Vec<Vec<Value>> = restricted
        .iter()
        .map(|i| per_column[*i].clone().unwrap_or_default())
        .collect();
    check_product(&mut clustering_values, "clustering-key")?;
    let partitions = product(partition_values);
    let clusterings = product(clustering_values);
    let mut keys = Vec::new();
    for partition in &partitions {
        if def.clustering.is_empty() {
            keys.push((partition.clone(), Some(Vec::new())));
            continue;
        }
        if restricted.is_empty() {
            keys.push((partition.clone(), None));
            continue;
        }
        for clustering in &clusterings {
            keys.push((partition.clone(), Some(clustering.clone())));
        }
    }
    Ok(keys)
}

/// Every combination of one value per component.
fn product(components: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for values in components {
        let mut next = Vec::with_capacity(out.len() * values.len());
        for prefix in &out {
            for value in &values {
                let mut key = prefix.clone();
                key.push(value.clone());
                next.push(key);
            }
        }
        out = next;
    }
    out
}

/// How a read finds its rows.
struct ReadPlan {
    /// The partitions it reads, when the partition key is restricted; all otherwise.
    partitions: Option<Vec<Vec<Value>>>,
}

fn relation_columns(relation: &Relation) -> Vec<&str> {
    match relation {
        Relation::Compare { column, .. } | Relation::In { column, .. } => vec![column.as_str()],
        Relation::Tuple { columns, .. } | Relation::Token { columns, .. } => {
            columns.iter().map(String::as_str).collect()
        }
    }
}

/// Checks a read's restrictions as Scylla does and finds the partitions it reads.
fn plan_read(
    def: &TableDef,
    relations: &[Relation],
    allow_filtering: bool,
    ctx: &Ctx<'_>,
) -> Result<ReadPlan> {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        Eq,
        In,
        Slice,
        Other,
    }
    let mut kinds: HashMap<usize, Kind> = HashMap::new();
    let mut needs_filtering = false;
    for relation in relations {
        if let Relation::Token { .. } = relation {
            return Err(CqlError::invalid(
                "token() restrictions are not supported by this node",
            ));
        }
        for column in relation_columns(relation) {
            let (index, col) = def
                .column(column)
                .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
            let kind = match relation {
                Relation::Compare {
                    op: Operator::Eq, ..
                } => Kind::Eq,
                Relation::Compare {
                    op: Operator::Ne, ..
                } => Kind::Other,
                Relation::In { .. } => Kind::In,
                Relation::Tuple {
                    op: Operator::Eq, ..
                } => Kind::Eq,
                _ => Kind::Slice,
            };
            if col.kind.is_multi_cell() {
                return Err(CqlError::invalid(format!(
                    "Collection column '{column}' can only be restricted by CONTAINS, CONTAINS KEY, or map-entry equality"
                )));
            }
            if matches!(relation, Relation::Tuple { .. })
                && !matches!(col.role, Role::Clustering(_))
            {
                return Err(CqlError::invalid(format!(
                    "Multi-column relations can only be applied to clustering columns but was applied to: {column}"
                )));
            }
            if kinds.insert(index, kind).is_some() && kind == Kind::Eq {
                return Err(CqlError::invalid(format!(
                    "{column} cannot be restricted by more than one relation if it includes an Equal"
                )));
            }
            if let Role::Partition(_) = col.role
                && matches!(kind, Kind::Slice | Kind::Other)
            {
                return Err(CqlError::invalid(
                    "Only EQ and IN relation are supported on the partition key (unless you use the token() function)",
                ));
            }
            if matches!(col.role, Role::Regular | Role::Static) || kind == Kind::Other {
                needs_filtering = true;
            }
        }
    }
    let restricted_partition: Vec<bool> = def
        .partition
        .iter()
        .map(|i| kinds.contains_key(i))
        .collect();
    let whole_partition = restricted_partition.iter().all(|r| *r);
    let some_partition = restricted_partition.iter().any(|r| *r);
    if some_partition && !whole_partition {
        needs_filtering = true;
    }
    // Clustering columns: = or IN on a prefix, then at most one slice (or IN) on the next.
    let mut open = true;
    for (position, index) in def.clustering.iter().enumerate() {
        match kinds.get(index) {
            None => open = false,
            Some(kind) if !open => {
                let _ = kind;
                if !allow_filtering {
                    let previous = def.clustering[..position]
                        .iter()
                        .rev()
                        .find(|i| !kinds.contains_key(i))
                        .or_else(|| {
                            def.clustering[..position]
                                .iter()
                                .rev()
                                .find(|i| matches!(kinds.get(i), Some(Kind::Slice)))
                        })
                        .map(|i| def.columns[*i].name.clone())
                        .unwrap_or_default();
                    if def.clustering[..position]
                        .iter()
                        .any(|i| matches!(kinds.get(i), Some(Kind::Slice)))
                    {
                        return Err(CqlError::invalid(format!(
                            "Clustering column \"{}\" cannot be restricted (preceding column \"{previous}\" is restricted by a non-EQ relation)",
                            def.columns[*index].name
                        )));
                    }
                    return Err(CqlError::invalid(format!(
                        "PRIMARY KEY column \"{}\" cannot be restricted as preceding column \"{previous}\" is not restricted",
                        def.columns[*index].name
                    )));
                }
                needs_filtering = true;
            }
            Some(Kind::Slice) => open = false,
            Some(_) => {}
        }
    }
    let restricts_clustering = def.clustering.iter().any(|i| kinds.contains_key(i));
    if restricts_clustering && !whole_partition {
        needs_filtering = true;
    }
    if needs_filtering && !allow_filtering {
        return Err(CqlError::invalid(NEEDS_FILTERING));
    }
    // The clustering columns restricted by = or IN, in order up to the first that is not.
    let mut clustering = Vec::new();
    for index in &def.clustering {
        let column = &def.columns[*index];
        let mut values = Vec::new();
        let mut restricted = false;
        for relation in relations {
            match relation {
                Relation::Compare {
                    column: name,
                    op: Operator::Eq,
                    value,
                } if *name == column.name => {
                    restricted = true;
                    values.extend(resolve(value, &column.kind, name, ctx)?.into_option());
                }
                Relation::In {
                    column: name,
                    values: in_values,
                } if *name == column.name => {
                    restricted = true;
                    match in_values {
                        InValues::Terms(terms) => {
                            for term in terms {
                                values
                                    .extend(resolve(term, &column.kind, name, ctx)?.into_option());
                            }
                        }
                        InValues::Bind(term) => {
                            if let Resolved::Value(Value::List(items)) = resolve(
                                term,
                                &CqlType::List(Box::new(column.kind.clone())),
                                name,
                                ctx,
                            )? {
                                values.extend(items);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !restricted {
            break;
        }
        clustering.push(values);
    }
    // Refused after the partition key's product, as Scylla checks that one first.
    let clustering_product = check_product(&mut clustering, "clustering-key");
    if !whole_partition {
        clustering_product?;
        return Ok(ReadPlan { partitions: None });
    }
    let mut components = Vec::new();
    for index in &def.partition {
        let column = &def.columns[*index];
        let mut values = Vec::new();
        for relation in relations {
            match relation {
                Relation::Compare {
                    column: name,
                    op: Operator::Eq,
                    value,
                } if *name == column.name => {
                    values.push(key_value(resolve(value, &column.kind, name, ctx)?, name)?);
                }
                Relation::In {
                    column: name,
                    values: in_values,
                } if *name == column.name => match in_values {
                    InValues::Terms(terms) => {
                        for term in terms {
                            values.push(key_value(resolve(term, &column.kind, name, ctx)?, name)?);
                        }
                    }
                    InValues::Bind(term) => {
                        values.extend(in_restriction(term, &column.kind, name, ctx)?);
                    }
                },
                _ => {}
            }
        }
        components.push(values);
    }
    check_product(&mut components, "partition-key")?;
    clustering_product?;
    let mut partitions = product(components);
    let mut seen = std::collections::HashSet::new();
    partitions.retain(|key| seen.insert(partition_bytes(key)));
    Ok(ReadPlan {
        partitions: Some(partitions),
    })
}

/// Scylla's default `max_partition_key_restrictions_per_query` and
/// `max_clustering_key_restrictions_per_query`.
const MAX_KEY_RESTRICTIONS: usize = 100;

/// Dedups each key column's values (Scylla reads an IN as a set) and refuses, as Scylla does, a
/// cartesian product of them larger than [`MAX_KEY_RESTRICTIONS`]: a server error naming the
/// size reached (`what`: "partition-key" or "clustering-key").
fn check_product(components: &mut [Vec<Value>], what: &str) -> Result<()> {
    let mut size = 1usize;
    for values in components.iter_mut() {
        let mut seen = std::collections::HashSet::new();
        values.retain(|value| seen.insert(codec::encode(value)));
        if values.is_empty() {
            return Ok(());
        }
        size = size.saturating_mul(values.len());
        if size > MAX_KEY_RESTRICTIONS {
            return Err(CqlError::new(
                code::SERVER,
                format!(
                    "{what} cartesian product size {size} is greater than maximum {MAX_KEY_RESTRICTIONS}"
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a write missing some of `indices` (key parts), naming them as Scylla does:
/// "Some {what} are missing: a, b".
fn all_given(
    def: &TableDef,
    indices: &[usize],
    given: impl Fn(usize) -> bool,
    what: &str,
) -> Result<()> {
    let missing: Vec<&str> = indices
        .iter()
        .filter(|i| !given(**i))
        .map(|i| def.columns[*i].name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(CqlError::invalid(format!(
        "Some {what} are missing: {}",
        missing.join(", ")
    )))
}

/// `IN ?`: the bound list of `kind` values; `None` when it is null or unset.
fn bound_list(
    term: &Term,
    kind: &CqlType,
    column: &str,
    ctx: &Ctx<'_>,
) -> Result<Option<Vec<Value>>> {
    match resolve(term, &CqlType::List(Box::new(kind.clone())), column, ctx)? {
        Resolved::Value(Value::List(items)) => Ok(Some(items)),
        _ => Ok(None),
    }
}

/// `key IN ?` in a WHERE clause: the bound keys, refused when the list is null.
fn in_restriction(term: &Term, kind: &CqlType, column: &str, ctx: &Ctx<'_>) -> Result<Vec<Value>> {
    bound_list(term, kind, column, ctx)?.ok_or_else(|| {
        CqlError::invalid(format!("Invalid null value for IN restriction on {column}"))
    })
}

fn key_value(resolved: Resolved, column: &str) -> Result<Value> {
    match resolved {
        Resolved::Value(value) => Ok(value),
        Resolved::Unset => Err(CqlError::invalid(format!(
            "Invalid unset value for column {column}"
        ))),
        Resolved::Null => Err(CqlError::invalid(format!(
            "Invalid null value in condition for column {column}"
        ))),
    }
}

/// Whether ORDER BY reverses the partition's clustering order; refuses what Scylla refuses.
fn order_by(def: &TableDef, select: &Select, plan: &ReadPlan) -> Result<bool> {
    if select.order_by.is_empty() {
        return Ok(false);
    }
    if plan.partitions.is_none() {
        return Err(CqlError::invalid(
            "ORDER BY is only supported when the partition key is restricted by an EQ or an IN.",
        ));
    }
    let mut reversed = None;
    for (position, (name, desc)) in select.order_by.iter().enumerate() {
        let (index, column) = def
            .column(name)
            .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {name}")))?;
        let Role::Clustering(at) = column.role else {
            return Err(CqlError::invalid(format!(
                "Order by is currently only supported on the clustered columns of the PRIMARY KEY, got {name}"
            )));
        };
        let _ = index;
        if at != position {
            return Err(CqlError::invalid(
                "Order by currently only support the ordering of columns following their declared order in the PRIMARY KEY",
            ));
        }
        let this = *desc != def.descending[at];
        if reversed.is_some_and(|r| r != this) {
            return Err(CqlError::invalid("Unsupported order by relation"));
        }
        reversed = Some(this);
    }
    Ok(reversed.unwrap_or(false))
}

/// The columns a SELECT returns: name, type and what each reads.
fn selected_columns(def: &TableDef, select: &Select) -> Result<Vec<(String, CqlType, Read)>> {
    match &select.selection {
        Selection::All => {
            if select.distinct {
                return Ok(def
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| matches!(c.role, Role::Partition(_) | Role::Static))
                    .map(|(i, c)| (c.name.clone(), c.kind.clone(), Read::Value(i)))
                    .collect());
            }
            Ok(def
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), c.kind.clone(), Read::Value(i)))
                .collect())
        }
        Selection::Count { alias } => Ok(vec![(
            alias.clone().unwrap_or_else(|| "count".to_owned()),
            CqlType::BigInt,
            Read::Value(0),
        )]),
        Selection::Columns(selectors) => {
            let mut out = Vec::new();
            for selector in selectors {
                let name = match &selector.kind {
                    SelectorKind::Column(n) | SelectorKind::Ttl(n) | SelectorKind::WriteTime(n) => {
                        n
                    }
                };
                let (index, column) = def
                    .column(name)
                    .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {name}")))?;
                if select.distinct && !matches!(column.role, Role::Partition(_) | Role::Static) {
                    return Err(CqlError::invalid(format!(
                        "SELECT DISTINCT queries must only request partition key columns and/or static columns (not {name})"
                    )));
                }
                let (shown, kind, read) = match &selector.kind {
                    SelectorKind::Column(_) => {
                        (name.clone(), column.kind.clone(), Read::Value(index))
                    }
                    SelectorKind::Ttl(_) | SelectorKind::WriteTime(_) if def.is_key(index) => {
                        return Err(CqlError::invalid(format!(
                            "Cannot use selection function ttl/writetime on PRIMARY KEY part {name}"
                        )));
                    }
                    SelectorKind::Ttl(_) => {
                        (format!("ttl({name})"), CqlType::Int, Read::Ttl(index))
                    }
                    SelectorKind::WriteTime(_) => (
                        format!("writetime({name})"),
                        CqlType::BigInt,
                        Read::WriteTime(index),
                    ),
                };
                out.push((selector.alias.clone().unwrap_or(shown), kind, read));
            }
            Ok(out)
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Read {
    Value(usize),
    Ttl(usize),
    WriteTime(usize),
}

/// Every column's live value in a row (keys included), by column index.
fn row_values(def: &TableDef, partition: &Partition, row: &Row, now_ms: i64) -> Vec<Option<Value>> {
    def.columns
        .iter()
        .enumerate()
        .map(|(index, column)| match column.role {
            Role::Partition(i) => partition.key.get(i).cloned(),
            Role::Clustering(i) => row.clustering.get(i).cloned(),
            Role::Static => partition
                .statics
                .get(&index)
                .filter(|c| c.live(now_ms, partition.deleted_at))
                .and_then(|c| c.value.clone()),
            Role::Regular => row
                .value(index, now_ms, partition.deleted_at)
                .and_then(|c| c.value.clone()),
        })
        .collect()
}

fn project(
    selection: &[(String, CqlType, Read)],
    partition: &Partition,
    row: &Row,
    values: &[Option<Value>],
    now_ms: i64,
) -> Vec<Option<Value>> {
    selection
        .iter()
        .map(|(_, _, read)| match read {
            Read::Value(index) => values[*index].clone(),
            Read::Ttl(index) => {
                let _ = partition;
                row_cell(row, partition, *index, now_ms)
                    .and_then(|c| c.expires_at)
                    .map(|at| {
                        Value::Int(i32::try_from((at - now_ms + 999) / 1000).unwrap_or(i32::MAX))
                    })
            }
            Read::WriteTime(index) => {
                row_cell(row, partition, *index, now_ms).map(|c| Value::BigInt(c.timestamp))
            }
        })
        .collect()
}

fn row_cell<'a>(
    row: &'a Row,
    partition: &'a Partition,
    index: usize,
    now_ms: i64,
) -> Option<&'a Cell> {
    row.value(index, now_ms, partition.deleted_at).or_else(|| {
        partition
            .statics
            .get(&index)
            .filter(|c| c.live(now_ms, partition.deleted_at))
    })
}

/// Whether a row satisfies every relation of the WHERE clause.
fn matches_all(
    def: &TableDef,
    relations: &[Relation],
    values: &[Option<Value>],
    ctx: &Ctx<'_>,
) -> Result<bool> {
    for relation in relations {
        let holds = match relation {
            Relation::Compare { column, op, value } => {
                let (index, col) = def
                    .column(column)
                    .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
                let wanted = resolve(value, &col.kind, column, ctx)?.into_option();
                Check {
                    column: index,
                    op: *op,
                    values: vec![wanted],
                }
                .holds(values)
                    && values[index].is_some()
            }
            Relation::In {
                column,
                values: in_values,
            } => {
                let (index, col) = def
                    .column(column)
                    .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
                let wanted: Vec<Option<Value>> = match in_values {
                    InValues::Terms(terms) => terms
                        .iter()
                        .map(|t| resolve(t, &col.kind, column, ctx).map(Resolved::into_option))
                        .collect::<Result<_>>()?,
                    // A null list matches nothing.
                    InValues::Bind(term) => bound_list(term, &col.kind, column, ctx)?
                        .unwrap_or_default()
                        .into_iter()
                        .map(Some)
                        .collect(),
                };
                values[index].is_some() && wanted.contains(&values[index])
            }
            Relation::Tuple {
                columns,
                op,
                values: terms,
            } => {
                let mut order = std::cmp::Ordering::Equal;
                for (column, term) in columns.iter().zip(terms) {
                    let (index, col) = def
                        .column(column)
                        .ok_or_else(|| CqlError::invalid(format!("Unrecognized name {column}")))?;
                    let wanted = resolve(term, &col.kind, column, ctx)?.into_option();
                    let (Some(current), Some(wanted)) = (&values[index], wanted) else {
                        order = std::cmp::Ordering::Less;
                        break;
                    };
                    order = current.cmp_cql(&wanted);
                    if order.is_ne() {
                        break;
                    }
                }
                match op {
                    Operator::Eq => order.is_eq(),
                    Operator::Ne => order.is_ne(),
                    Operator::Lt => order.is_lt(),
                    Operator::Le => order.is_le(),
                    Operator::Gt => order.is_gt(),
                    Operator::Ge => order.is_ge(),
                }
            }
            Relation::Token { .. } => false,
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Where a page ended, carried in the paging state: the last row returned (its partition key
/// and clustering key), what is left of the LIMIT and how many rows of that partition were
/// returned (for PER PARTITION LIMIT). The next page resumes strictly after that row, whatever
/// was written or deleted in between.
#[derive(Debug)]
struct Cursor {
    partition: Vec<u8>,
    /// `None`: the whole partition was returned (DISTINCT, or its static row).
    clustering: Option<Vec<Value>>,
    /// Rows still to return under the LIMIT (`None`: no LIMIT).
    remaining: Option<usize>,
    in_partition: usize,
}

impl Cursor {
    const VERSION: u8 = 1;

    fn encode(&self) -> Vec<u8> {
        let mut out = vec![Self::VERSION];
        let mut put = |bytes: &[u8]| {
            out.extend_from_slice(&u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes());
            out.extend_from_slice(bytes);
        };
        put(&self.partition);
        match &self.clustering {
            None => out.push(0),
            Some(values) => {
                out.push(1);
                out.extend_from_slice(&u16::try_from(values.len()).unwrap_or(0).to_be_bytes());
                for value in values {
                    let bytes = codec::encode(value);
                    out.extend_from_slice(
                        &u32::try_from(bytes.len()).unwrap_or(u32::MAX).to_be_bytes(),
                    );
                    out.extend_from_slice(&bytes);
                }
            }
        }
        let remaining = self
            .remaining
            .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        out.extend_from_slice(&remaining.to_be_bytes());
        out.extend_from_slice(&u64::try_from(self.in_partition).unwrap_or(0).to_be_bytes());
        out
    }

    fn decode(state: &[u8], def: &TableDef) -> Result<Self> {
        let invalid = || CqlError::protocol("Invalid value for the paging state");
        let mut reader = crate::frame::Reader::new(state);
        if reader.byte().map_err(|_| invalid())? != Self::VERSION {
            return Err(invalid());
        }
        let partition = reader.bytes().ok().flatten().ok_or_else(invalid)?;
        let clustering = match reader.byte().map_err(|_| invalid())? {
            0 => None,
            1 => {
                let count = usize::from(reader.short().map_err(|_| invalid())?);
                if count != def.clustering.len() {
                    return Err(invalid());
                }
                let mut values = Vec::with_capacity(count);
                for index in &def.clustering {
                    let bytes = reader.bytes().ok().flatten().ok_or_else(invalid)?;
                    let value = codec::decode(&bytes, &def.columns[*index].kind)
                        .ok()
                        .flatten()
                        .ok_or_else(invalid)?;
                    values.push(value);
                }
                Some(values)
            }
            _ => return Err(invalid()),
        };
        let remaining = reader.long().map_err(|_| invalid())?;
        let in_partition = reader.long().map_err(|_| invalid())?;
        Ok(Self {
            partition,
            clustering,
            remaining: usize::try_from(remaining).ok(),
            in_partition: usize::try_from(in_partition).map_err(|_| invalid())?,
        })
    }
}

/// The columns of a lightweight transaction's answer after `[applied]`, as indices in the table's
/// column order: those its conditional statements show (`shown`, see [`Cond::columns`]), and
/// for a batch the primary key columns too. See [`lwt_result`].
fn lwt_columns(def: &TableDef, shown: impl IntoIterator<Item = usize>, batch: bool) -> Vec<usize> {
    let mut wanted = vec![false; def.columns.len()];
    for index in shown {
        wanted[index] = true;
    }
    if batch {
        for index in def.partition.iter().chain(&def.clustering) {
            wanted[*index] = true;
        }
    }
    (0..def.columns.len()).filter(|i| wanted[*i]).collect()
}

/// A lightweight transaction's answer, as Scylla gives it whether applied or not
/// (`modification_statement::build_cas_result_set_metadata`,
/// `batch_statement::build_cas_result_set_metadata`, `cas_request::build_cas_result_set`).
///
/// Columns: `[applied]`, then (see [`lwt_columns`]), in the table's column order (partition
/// key, clustering key, static columns by name, regular columns by name), each once:
/// - a lone statement with `IF NOT EXISTS` or `IF EXISTS`: every column of the table;
/// - a lone statement with `IF col op value AND …`: only the columns its conditions name (no
///   key column: the caller knows the key it wrote);
/// - a batch (even of one statement): the primary key columns, and the union of what its
///   conditional statements would show alone (every column if one is `IF [NOT] EXISTS`).
///
/// Rows: one per statement, in statement order, a batch's unconditional statements included:
/// the row the statement found ([`CasRead::old_row`]; only rows the CAS read covers: an
/// unconditional statement's row only when a conditional one reads it too) as it was before
/// the transaction, key columns included; when the partition's static row stands in for it,
/// clustering and regular columns are null; when it found none, every column is null, the
/// key's too. The result metadata (of the RESULT, and of the PREPARED answer, see
/// [`Data::result_columns`]) names these columns, so a client reads LWT results by name, not
/// by position.
fn lwt_result(
    def: &TableDef,
    columns: &[usize],
    applied: bool,
    found: Vec<Option<Vec<Option<Value>>>>,
) -> Rows {
    let mut rows = lwt_metadata(def, columns);
    rows.rows = found
        .into_iter()
        .map(|row| {
            let mut values = vec![Some(Value::Boolean(applied))];
            match row {
                Some(row) => values.extend(columns.iter().map(|index| row[*index].clone())),
                None => values.resize(columns.len() + 1, None),
            }
            values
        })
        .collect();
    rows
}

/// A lightweight transaction's result metadata, without rows: `[applied]` and `columns`.
fn lwt_metadata(def: &TableDef, columns: &[usize]) -> Rows {
    let mut names = vec![("[applied]".to_owned(), CqlType::Boolean)];
    names.extend(columns.iter().map(|index| {
        let column = &def.columns[*index];
        (column.name.clone(), column.kind.clone())
    }));
    Rows {
        keyspace: def.keyspace.clone(),
        table: def.name.clone(),
        columns: names,
        rows: Vec::new(),
        paging_state: None,
    }
}

impl Data {
    /// Replaces a table's rows (the node's own system tables), each given in column order.
    pub(crate) fn replace_rows(
        &mut self,
        keyspace: &str,
        table: &str,
        rows: Vec<Vec<Option<Value>>>,
    ) {
        let Some(table) = self
            .keyspaces
            .get_mut(keyspace)
            .and_then(|ks| ks.tables.get_mut(table))
        else {
            return;
        };
        table.partitions.clear();
        let def = table.def.clone();
        for values in rows {
            let key: Vec<Value> = def
                .partition
                .iter()
                .filter_map(|i| values[*i].clone())
                .collect();
            let clustering: Vec<Value> = def
                .clustering
                .iter()
                .filter_map(|i| values[*i].clone())
                .collect();
            let partition = table
                .partitions
                .entry(partition_bytes(&key))
                .or_insert_with(|| Partition::new(key));
            let row = partition.row_mut(&def, clustering);
            row.marker = Some(Marker {
                timestamp: 0,
                expires_at: None,
            });
            for (index, value) in values.into_iter().enumerate() {
                if def.is_key(index) || value.is_none() {
                    continue;
                }
                row.cells.insert(
                    index,
                    Cell {
                        value,
                        timestamp: 0,
                        expires_at: None,
                    },
                );
            }
        }
    }
}
