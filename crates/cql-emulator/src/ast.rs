//! CQL statements as the parser (`parse.rs`) gives them to the executor (`exec.rs`). Names are
//! kept as written, lowercased unless they were double-quoted (CQL's rule).

use crate::types::CqlType;

/// A table or keyspace name with its optional keyspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QualifiedName {
    pub(crate) keyspace: Option<String>,
    pub(crate) name: String,
}

/// A term: a literal, a bind marker or a collection of terms.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Term {
    /// A quoted string, `'it''s'` read as `it's`.
    String(String),
    /// An integer literal, as written (sign included), typed against its column later.
    Integer(String),
    /// A float literal, as written.
    Float(String),
    Boolean(bool),
    /// `0xcafe`, without the `0x`.
    Hex(String),
    /// An unquoted uuid literal.
    Uuid(String),
    Null,
    /// `?`: positional bind marker; its index among the statement's markers.
    Bind(usize),
    /// `:name`: named bind marker; its index among the statement's markers, and its name.
    NamedBind(usize, String),
    /// `[a, b]`.
    List(Vec<Term>),
    /// `{a, b}` (an empty `{}` is parsed as a map and read as whichever its column needs).
    Set(Vec<Term>),
    /// `{k: v, …}`.
    Map(Vec<(Term, Term)>),
}

/// `col op term` in a WHERE clause.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Relation {
    /// `col = t`, `col < t`, …
    Compare {
        column: String,
        op: Operator,
        value: Term,
    },
    /// `col IN (t, …)` or `col IN ?`.
    In { column: String, values: InValues },
    /// `(c1, c2) > (t1, t2)`: a multi-column relation on clustering columns.
    Tuple {
        columns: Vec<String>,
        op: Operator,
        values: Vec<Term>,
    },
    /// `token(pk, …) > t`.
    Token {
        columns: Vec<String>,
        op: Operator,
        value: Term,
    },
}

/// The values of an IN.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum InValues {
    Terms(Vec<Term>),
    /// `IN ?`: one bind marker holding a list.
    Bind(Term),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operator {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Ne,
}

/// A condition of a lightweight transaction: `IF col = t`, `IF col > t`, `IF col IN (…)`,
/// `IF col != t`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Condition {
    Compare {
        column: String,
        op: Operator,
        value: Term,
    },
    In {
        column: String,
        values: InValues,
    },
}

/// The IF of UPDATE and DELETE (INSERT's `IF NOT EXISTS` is [`Insert::if_not_exists`]).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum IfClause {
    /// `IF EXISTS` (UPDATE, DELETE).
    Exists,
    /// `IF c AND c …`.
    Conditions(Vec<Condition>),
}

/// `USING TTL t AND TIMESTAMP t`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Using {
    pub(crate) ttl: Option<Term>,
    pub(crate) timestamp: Option<Term>,
}

/// One assignment of an UPDATE's SET.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Assignment {
    /// `col = t`.
    Set { column: String, value: Term },
    /// `col = col + t` (collections: add; counters: increment).
    Add { column: String, value: Term },
    /// `col = col - t`.
    Remove { column: String, value: Term },
    /// `col[key] = t` (maps; lists by index).
    SetElement {
        column: String,
        key: Term,
        value: Term,
    },
}

/// What a SELECT returns.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Selection {
    /// `*`.
    All,
    /// `COUNT(*)` or `COUNT(1)`, optionally `AS name`.
    Count { alias: Option<String> },
    /// Columns (or `ttl(col)`, `writetime(col)`), each optionally `AS name`.
    Columns(Vec<Selector>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Selector {
    pub(crate) kind: SelectorKind,
    pub(crate) alias: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SelectorKind {
    Column(String),
    Ttl(String),
    WriteTime(String),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Select {
    pub(crate) table: QualifiedName,
    pub(crate) distinct: bool,
    pub(crate) selection: Selection,
    pub(crate) relations: Vec<Relation>,
    /// `ORDER BY col ASC|DESC, …`: `true` for DESC.
    pub(crate) order_by: Vec<(String, bool)>,
    pub(crate) per_partition_limit: Option<Term>,
    pub(crate) limit: Option<Term>,
    pub(crate) allow_filtering: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Insert {
    pub(crate) table: QualifiedName,
    pub(crate) columns: Vec<String>,
    pub(crate) values: Vec<Term>,
    pub(crate) if_not_exists: bool,
    pub(crate) using: Using,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Update {
    pub(crate) table: QualifiedName,
    pub(crate) using: Using,
    pub(crate) assignments: Vec<Assignment>,
    pub(crate) relations: Vec<Relation>,
    pub(crate) condition: Option<IfClause>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Delete {
    pub(crate) table: QualifiedName,
    /// Columns to delete (empty: the whole row or partition).
    pub(crate) columns: Vec<String>,
    pub(crate) using: Using,
    pub(crate) relations: Vec<Relation>,
    pub(crate) condition: Option<IfClause>,
}

/// A column definition of CREATE TABLE.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ColumnDef {
    pub(crate) name: String,
    pub(crate) kind: CqlType,
    /// `static`.
    pub(crate) is_static: bool,
    /// `col type PRIMARY KEY`.
    pub(crate) primary_key: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CreateTable {
    pub(crate) table: QualifiedName,
    pub(crate) if_not_exists: bool,
    pub(crate) columns: Vec<ColumnDef>,
    /// From `PRIMARY KEY ((a, b), c, d)`; empty when a column says `PRIMARY KEY` itself.
    pub(crate) partition_key: Vec<String>,
    pub(crate) clustering_key: Vec<String>,
    /// `WITH CLUSTERING ORDER BY (c DESC, …)`: `true` for DESC.
    pub(crate) clustering_order: Vec<(String, bool)>,
    /// Other `WITH` options, by name, as written (e.g. `default_time_to_live`).
    pub(crate) options: Vec<(String, OptionValue)>,
}

/// The value of a `WITH` option.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum OptionValue {
    Term(Term),
    /// A map literal such as `{'class': 'SimpleStrategy', 'replication_factor': 1}`.
    Map(Vec<(Term, Term)>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CreateKeyspace {
    pub(crate) name: String,
    pub(crate) if_not_exists: bool,
    /// `replication = {…}` and `durable_writes = …`, by name.
    pub(crate) options: Vec<(String, OptionValue)>,
}

/// One statement of a BATCH.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum BatchStatement {
    Insert(Insert),
    Update(Update),
    Delete(Delete),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatchKind {
    Logged,
    Unlogged,
    Counter,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Batch {
    pub(crate) kind: BatchKind,
    pub(crate) using: Using,
    pub(crate) statements: Vec<BatchStatement>,
}

/// A statement.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Statement {
    Use(String),
    CreateKeyspace(CreateKeyspace),
    DropKeyspace {
        name: String,
        if_exists: bool,
    },
    CreateTable(CreateTable),
    DropTable {
        table: QualifiedName,
        if_exists: bool,
    },
    Truncate(QualifiedName),
    /// `CREATE INDEX …` and `CREATE MATERIALIZED VIEW …`: parsed only to be refused (the
    /// emulator keeps Helpline to tables keyed for each access path).
    Unsupported(String),
    Select(Select),
    Insert(Insert),
    Update(Update),
    Delete(Delete),
    Batch(Batch),
}

/// A parsed statement and its bind markers in order (each with its name when it is `:name`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Parsed {
    pub(crate) statement: Statement,
    pub(crate) binds: Vec<Option<String>>,
}

impl BatchStatement {
    /// The statement with every bind marker's index moved by `offset` (a batch numbers the
    /// markers of its statements one after the other).
    pub(crate) fn shift_binds(self, offset: usize) -> Self {
        let mut statement = self;
        let shift = &mut |term: &mut Term| shift_term(term, offset);
        match &mut statement {
            Self::Insert(insert) => {
                insert.values.iter_mut().for_each(&mut *shift);
                shift_using(&mut insert.using, shift);
            }
            Self::Update(update) => {
                shift_using(&mut update.using, shift);
                for assignment in &mut update.assignments {
                    match assignment {
                        Assignment::Set { value, .. }
                        | Assignment::Add { value, .. }
                        | Assignment::Remove { value, .. } => shift(value),
                        Assignment::SetElement { key, value, .. } => {
                            shift(key);
                            shift(value);
                        }
                    }
                }
                update
                    .relations
                    .iter_mut()
                    .for_each(|r| shift_relation(r, shift));
                shift_condition(update.condition.as_mut(), shift);
            }
            Self::Delete(delete) => {
                shift_using(&mut delete.using, shift);
                delete
                    .relations
                    .iter_mut()
                    .for_each(|r| shift_relation(r, shift));
                shift_condition(delete.condition.as_mut(), shift);
            }
        }
        statement
    }
}

fn shift_term(term: &mut Term, offset: usize) {
    match term {
        Term::Bind(index) | Term::NamedBind(index, _) => *index += offset,
        Term::List(items) | Term::Set(items) => {
            items.iter_mut().for_each(|t| shift_term(t, offset));
        }
        Term::Map(entries) => {
            for (k, v) in entries {
                shift_term(k, offset);
                shift_term(v, offset);
            }
        }
        _ => {}
    }
}

fn shift_using(using: &mut Using, shift: &mut impl FnMut(&mut Term)) {
    if let Some(ttl) = &mut using.ttl {
        shift(ttl);
    }
    if let Some(timestamp) = &mut using.timestamp {
        shift(timestamp);
    }
}

fn shift_in(values: &mut InValues, shift: &mut impl FnMut(&mut Term)) {
    match values {
        InValues::Terms(terms) => terms.iter_mut().for_each(shift),
        InValues::Bind(term) => shift(term),
    }
}

fn shift_relation(relation: &mut Relation, shift: &mut impl FnMut(&mut Term)) {
    match relation {
        Relation::Compare { value, .. } | Relation::Token { value, .. } => shift(value),
        Relation::In { values, .. } => shift_in(values, shift),
        Relation::Tuple { values, .. } => values.iter_mut().for_each(shift),
    }
}

fn shift_condition(clause: Option<&mut IfClause>, shift: &mut impl FnMut(&mut Term)) {
    if let Some(IfClause::Conditions(conditions)) = clause {
        for condition in conditions {
            match condition {
                Condition::Compare { value, .. } => shift(value),
                Condition::In { values, .. } => shift_in(values, shift),
            }
        }
    }
}
