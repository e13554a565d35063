//! The node: a listener, a task per connection, a task per request (streams are answered out of
//! order, as a real node does), and the fault knobs.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, watch};

use crate::ast::{BatchKind, BatchStatement, Parsed, Statement};
use crate::error::{CqlError, Extra, code};
use crate::exec::{BindSpec, Data, Outcome, Paging, Rows, SchemaChange};
use crate::frame::{self, Bound, Reader, Writer, op};
use crate::system::{self, Identity, SYSTEM_KEYSPACES};

/// How the node runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where it listens (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Added before every answer.
    pub latency: Duration,
    /// The share of writes (0.0 to 1.0) answered with a write timeout.
    pub write_timeout_rate: f64,
    /// Whether a write answered with a timeout was applied all the same.
    pub timeout_applied: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            write_timeout_rate: 0.0,
            timeout_applied: false,
        }
    }
}

/// What the node was asked, for figures (statements per operation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// QUERY and EXECUTE requests of SELECT statements.
    pub reads: u64,
    /// QUERY and EXECUTE requests of INSERT, UPDATE and DELETE statements without conditions.
    pub writes: u64,
    /// Conditional statements and conditional batches (lightweight transactions).
    pub lwts: u64,
    /// BATCH requests and BEGIN BATCH queries without conditions.
    pub batches: u64,
    /// PREPARE requests.
    pub prepares: u64,
    /// Writes answered with a timeout.
    pub timeouts: u64,
}

#[derive(Debug, Default)]
struct Counters {
    reads: AtomicU64,
    writes: AtomicU64,
    lwts: AtomicU64,
    batches: AtomicU64,
    prepares: AtomicU64,
    timeouts: AtomicU64,
}

/// A prepared statement.
#[derive(Debug)]
struct Prepared {
    parsed: Parsed,
    keyspace: Option<String>,
    specs: Vec<BindSpec>,
    /// The tables it was prepared on (keyspace, name, id): a schema change of one of them
    /// unprepares it, as on Scylla, so that the driver prepares it again.
    tables: Vec<(String, String, [u8; 16])>,
}

/// Shared by every connection.
#[derive(Debug)]
struct Node {
    data: Mutex<Data>,
    prepared: Mutex<HashMap<Vec<u8>, Arc<Prepared>>>,
    identity: Identity,
    config: Config,
    clock_offset_ms: AtomicI64,
    /// Writes still to time out: (count, applied).
    forced_timeouts: Mutex<(u32, bool)>,
    random: AtomicU64,
    counters: Counters,
    events: broadcast::Sender<SchemaChange>,
    connections: AtomicU32,
}

/// A running node; dropped, it stops.
#[derive(Debug)]
pub struct CqlEmulator {
    addr: SocketAddr,
    node: Arc<Node>,
    shutdown: watch::Sender<bool>,
}

impl CqlEmulator {
    /// Starts a node on `config.listen`.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let mut data = Data::default();
        system::create(&mut data);
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
        let mut host_id = [0u8; 16];
        host_id[..8].copy_from_slice(&crate::exec::fnv(addr.to_string().as_bytes()).to_be_bytes());
        host_id[8..].copy_from_slice(&seed.to_be_bytes());
        host_id[6] = (host_id[6] & 0x0f) | 0x40;
        host_id[8] = (host_id[8] & 0x3f) | 0x80;
        let (events, _) = broadcast::channel(256);
        let node = Arc::new(Node {
            data: Mutex::new(data),
            prepared: Mutex::default(),
            identity: Identity {
                host_id,
                address: addr.ip(),
            },
            config,
            clock_offset_ms: AtomicI64::new(0),
            forced_timeouts: Mutex::new((0, false)),
            random: AtomicU64::new(seed),
            counters: Counters::default(),
            events,
            connections: AtomicU32::new(0),
        });
        let (shutdown, mut stopped) = watch::channel(false);
        let accepting = node.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let node = accepting.clone();
                        let stopped = stopped.clone();
                        tokio::spawn(async move { connection(node, stream, stopped).await });
                    }
                    _ = stopped.changed() => break,
                }
            }
        });
        Ok(Self {
            addr,
            node,
            shutdown,
        })
    }

    /// Where the node listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The next `count` writes answer a write timeout; `applied`: they were applied all the
    /// same (the uncertain outcome a client must resolve by reading at SERIAL).
    pub fn fail_writes(&self, count: u32, applied: bool) {
        *self
            .node
            .forced_timeouts
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = (count, applied);
    }

    /// Moves the node's clock forward (TTLs expire sooner).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.node.clock_offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    /// What the node was asked so far.
    pub fn stats(&self) -> Stats {
        let c = &self.node.counters;
        Stats {
            reads: c.reads.load(Ordering::Relaxed),
            writes: c.writes.load(Ordering::Relaxed),
            lwts: c.lwts.load(Ordering::Relaxed),
            batches: c.batches.load(Ordering::Relaxed),
            prepares: c.prepares.load(Ordering::Relaxed),
            timeouts: c.timeouts.load(Ordering::Relaxed),
        }
    }

    /// Connections open now.
    pub fn connections(&self) -> u32 {
        self.node.connections.load(Ordering::Relaxed)
    }

    /// Stops listening and closes every connection.
    pub fn shutdown(&self) {
        let _ = self.shutdown.send(true);
    }
}

impl Drop for CqlEmulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Node {
    fn now_ms(&self) -> i64 {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        now + self.clock_offset_ms.load(Ordering::Relaxed)
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.data.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The prepared statement whose id comes next in a request body (EXECUTE, or a BATCH's
    /// statement); UNPREPARED when unknown, or when a table it was prepared on has changed
    /// since (dropped, recreated), which forgets it.
    fn read_prepared(&self, body: &mut Reader<'_>) -> Result<Arc<Prepared>, CqlError> {
        let id = body.short_bytes().map_err(malformed)?;
        let id = id.as_slice();
        let unprepared = || CqlError {
            code: code::UNPREPARED,
            message: "Prepared query with ID not found".to_owned(),
            extra: Extra::Unprepared(id.to_vec()),
        };
        let mut cache = self.prepared.lock().unwrap_or_else(|e| e.into_inner());
        let prepared = cache.get(id).cloned().ok_or_else(unprepared)?;
        if !self.data().tables_unchanged(&prepared.tables) {
            cache.remove(id);
            return Err(unprepared());
        }
        Ok(prepared)
    }

    /// Whether this write answers a timeout, and whether it is applied all the same.
    fn timeout_due(&self) -> Option<bool> {
        {
            let mut forced = self
                .forced_timeouts
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if forced.0 > 0 {
                forced.0 -= 1;
                return Some(forced.1);
            }
        }
        if self.config.write_timeout_rate <= 0.0 {
            return None;
        }
        // xorshift64: a share of writes without a dependency.
        let mut x = self.random.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.random.store(x, Ordering::Relaxed);
        #[allow(clippy::cast_precision_loss)]
        let draw = (x >> 11) as f64 / (1u64 << 53) as f64;
        (draw < self.config.write_timeout_rate).then_some(self.config.timeout_applied)
    }
}

/// A connection's state.
#[derive(Debug, Default)]
struct Session {
    keyspace: Option<String>,
    started: bool,
}

async fn connection(node: Arc<Node>, stream: TcpStream, mut stopped: watch::Receiver<bool>) {
    node.connections.fetch_add(1, Ordering::Relaxed);
    let (mut reader, mut writer) = stream.into_split();
    let (answers, mut outgoing) = mpsc::unbounded_channel::<(i16, u8, Vec<u8>)>();
    let writing = tokio::spawn(async move {
        while let Some((stream, opcode, body)) = outgoing.recv().await {
            if frame::write_frame(&mut writer, stream, opcode, &body)
                .await
                .is_err()
            {
                break;
            }
        }
    });
    let session = Arc::new(tokio::sync::Mutex::new(Session::default()));
    let mut events: Option<broadcast::Receiver<SchemaChange>> = None;
    loop {
        let request = tokio::select! {
            request = frame::read_frame(&mut reader) => request,
            event = async {
                match events.as_mut() {
                    Some(events) => events.recv().await.ok(),
                    None => std::future::pending().await,
                }
            } => {
                if let Some(change) = event {
                    let _ = answers.send((-1, op::EVENT, event_body(&change)));
                }
                continue;
            }
            _ = stopped.changed() => break,
        };
        let request = match request {
            Ok(request) => request,
            Err(frame::FrameError::Closed) => break,
            Err(error) => {
                let _ = answers.send((0, op::ERROR, CqlError::protocol(error.to_string()).body()));
                break;
            }
        };
        if request.version & 0x7f != frame::VERSION {
            // Drivers probe versions: answer in the version they asked, naming the one spoken.
            let body = CqlError::protocol(format!(
                "Invalid or unsupported protocol version ({}); supported versions are (4/v4)",
                request.version & 0x7f
            ))
            .body();
            let _ = answers.send((request.stream, op::ERROR, body));
            continue;
        }
        if request.flags & 0x01 != 0 {
            let body = CqlError::protocol("Compression was not negotiated").body();
            let _ = answers.send((request.stream, op::ERROR, body));
            continue;
        }
        if request.opcode == op::REGISTER {
            let answer = match register(&request.body, session.lock().await.started) {
                Ok(schema_changes) => {
                    // Only SCHEMA_CHANGE events are ever sent (one node: no topology or status
                    // change), and only to a connection that registered for them.
                    if schema_changes {
                        events.get_or_insert_with(|| node.events.subscribe());
                    }
                    (op::READY, Vec::new())
                }
                Err(error) => (op::ERROR, error.body()),
            };
            let _ = answers.send((request.stream, answer.0, answer.1));
            continue;
        }
        let node = node.clone();
        let session = session.clone();
        let answers = answers.clone();
        tokio::spawn(async move {
            if !node.config.latency.is_zero() {
                tokio::time::sleep(node.config.latency).await;
            }
            let (opcode, body) = match handle(&node, &session, &request).await {
                Ok(answer) => answer,
                Err(error) => (op::ERROR, error.body()),
            };
            let _ = answers.send((request.stream, opcode, body));
        });
    }
    drop(answers);
    let _ = writing.await;
    node.connections.fetch_sub(1, Ordering::Relaxed);
}

/// A REGISTER request: refused before STARTUP; its event types checked. Whether it registers
/// for SCHEMA_CHANGE.
fn register(body: &[u8], started: bool) -> Result<bool, CqlError> {
    if !started {
        return Err(CqlError::protocol(
            "Unexpected message REGISTER, expecting STARTUP or OPTIONS",
        ));
    }
    let types = Reader::new(body).string_list().map_err(malformed)?;
    let mut schema_changes = false;
    for kind in &types {
        match kind.as_str() {
            "SCHEMA_CHANGE" => schema_changes = true,
            "TOPOLOGY_CHANGE" | "STATUS_CHANGE" => {}
            other => {
                return Err(CqlError::protocol(format!(
                    "Invalid value '{other}' for Event.Type"
                )));
            }
        }
    }
    Ok(schema_changes)
}

fn malformed(error: frame::Malformed) -> CqlError {
    CqlError::protocol(error.0)
}

async fn handle(
    node: &Node,
    session: &tokio::sync::Mutex<Session>,
    request: &frame::Request,
) -> Result<(u8, Vec<u8>), CqlError> {
    let mut body = Reader::new(&request.body);
    match request.opcode {
        op::OPTIONS => {
            let mut out = Writer::default();
            out.string_multimap(&[
                ("CQL_VERSION", &["3.3.1"]),
                ("COMPRESSION", &[]),
                ("PROTOCOL_VERSIONS", &["4/v4"]),
            ]);
            Ok((op::SUPPORTED, out.bytes))
        }
        op::STARTUP => {
            let options = body.string_map().map_err(malformed)?;
            if let Some(compression) = options.get("COMPRESSION") {
                return Err(CqlError::protocol(format!(
                    "Unknown compression algorithm: {compression}"
                )));
            }
            session.lock().await.started = true;
            Ok((op::READY, Vec::new()))
        }
        op::AUTH_RESPONSE => Err(CqlError::protocol(
            "Authentication is not enabled on this node",
        )),
        op::QUERY | op::PREPARE | op::EXECUTE | op::BATCH if !session.lock().await.started => Err(
            CqlError::protocol("Unexpected message, expecting STARTUP or OPTIONS"),
        ),
        op::QUERY => {
            let text = body.long_string().map_err(malformed)?;
            let params = QueryParams::read(&mut body)?;
            let parsed = parse(&text)?;
            let keyspace = session.lock().await.keyspace.clone();
            let specs = {
                let data = node.data();
                bind_specs_for(&data, &parsed, keyspace.as_deref(), params.values.len())?
            };
            let values = params.ordered_values(&parsed)?;
            run(
                node,
                session,
                &parsed,
                &specs,
                &values,
                keyspace.as_deref(),
                &params,
            )
            .await
        }
        op::PREPARE => {
            let text = body.long_string().map_err(malformed)?;
            let parsed = parse(&text)?;
            node.counters.prepares.fetch_add(1, Ordering::Relaxed);
            let keyspace = session.lock().await.keyspace.clone();
            let data = node.data();
            let specs = data.bind_specs(&parsed, keyspace.as_deref())?;
            let result = data.result_columns(&parsed, keyspace.as_deref())?;
            let pk_indexes = data.partition_key_markers(&parsed, keyspace.as_deref());
            let tables = data.statement_tables(&parsed, keyspace.as_deref());
            drop(data);
            let mut id_bytes = Vec::new();
            id_bytes.extend_from_slice(&crate::exec::fnv(text.as_bytes()).to_be_bytes());
            id_bytes.extend_from_slice(
                &crate::exec::fnv(keyspace.as_deref().unwrap_or_default().as_bytes()).to_be_bytes(),
            );
            let body = prepared_body(&id_bytes, &pk_indexes, &specs, result.as_ref());
            node.prepared
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(
                    id_bytes,
                    Arc::new(Prepared {
                        parsed,
                        keyspace,
                        specs,
                        tables,
                    }),
                );
            Ok((op::RESULT, body))
        }
        op::EXECUTE => {
            let prepared = node.read_prepared(&mut body)?;
            let params = QueryParams::read(&mut body)?;
            let values = params.ordered_values(&prepared.parsed)?;
            run(
                node,
                session,
                &prepared.parsed,
                &prepared.specs,
                &values,
                prepared.keyspace.as_deref(),
                &params,
            )
            .await
        }
        op::BATCH => batch(node, session, &mut body).await,
        other => Err(CqlError::protocol(format!("Unknown opcode {other:#04x}"))),
    }
}

fn parse(text: &str) -> Result<Parsed, CqlError> {
    crate::parse::parse(text).map_err(|error| CqlError::new(code::SYNTAX, error.message))
}

/// The specs of a QUERY's markers: typed by the statement when values are sent.
fn bind_specs_for(
    data: &Data,
    parsed: &Parsed,
    keyspace: Option<&str>,
    values: usize,
) -> Result<Vec<BindSpec>, CqlError> {
    if parsed.binds.is_empty() && values == 0 {
        return Ok(Vec::new());
    }
    data.bind_specs(parsed, keyspace)
}

/// A request's query parameters (v4 §4.1.4).
#[derive(Debug, Default)]
struct QueryParams {
    consistency: u16,
    values: Vec<Bound>,
    names: Option<Vec<String>>,
    paging: Paging,
    timestamp: Option<i64>,
}

impl QueryParams {
    fn read(body: &mut Reader<'_>) -> Result<Self, CqlError> {
        let consistency = body.short().map_err(malformed)?;
        let flags = body.byte().map_err(malformed)?;
        let mut params = Self {
            consistency,
            ..Self::default()
        };
        if flags & 0x01 != 0 {
            let count = body.short().map_err(malformed)?;
            let mut names = Vec::new();
            for _ in 0..count {
                if flags & 0x40 != 0 {
                    names.push(body.string().map_err(malformed)?);
                }
                params.values.push(body.value().map_err(malformed)?);
            }
            if flags & 0x40 != 0 {
                params.names = Some(names);
            }
        }
        if flags & 0x04 != 0 {
            params.paging.page_size = Some(body.int().map_err(malformed)?);
        }
        if flags & 0x08 != 0 {
            params.paging.state = body.bytes().map_err(malformed)?;
        }
        if flags & 0x10 != 0 {
            body.short().map_err(malformed)?;
        }
        if flags & 0x20 != 0 {
            params.timestamp = Some(body.long().map_err(malformed)?);
        }
        Ok(params)
    }

    /// The values in marker order (named values matched to the markers' names).
    fn ordered_values(&self, parsed: &Parsed) -> Result<Vec<Bound>, CqlError> {
        let Some(names) = &self.names else {
            return Ok(self.values.clone());
        };
        parsed
            .binds
            .iter()
            .map(|bind| {
                let name = bind.as_deref().ok_or_else(|| {
                    CqlError::invalid("Named values given for positional markers")
                })?;
                names
                    .iter()
                    .position(|n| n == name)
                    .map(|i| self.values[i].clone())
                    .ok_or_else(|| {
                        CqlError::invalid(format!("No value for the named marker {name}"))
                    })
            })
            .collect()
    }
}

/// Whether a statement writes to a system keyspace (refused) and what kind of write it is.
fn write_type(statement: &Statement) -> Option<&'static str> {
    match statement {
        Statement::Insert(i) if i.if_not_exists => Some("CAS"),
        Statement::Update(u) if u.condition.is_some() => Some("CAS"),
        Statement::Delete(d) if d.condition.is_some() => Some("CAS"),
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => Some("SIMPLE"),
        Statement::Batch(b) if is_conditional_batch(b) => Some("CAS"),
        Statement::Batch(b) if b.kind == BatchKind::Logged => Some("BATCH"),
        Statement::Batch(b) if b.kind == BatchKind::Counter => Some("COUNTER"),
        Statement::Batch(_) => Some("UNLOGGED_BATCH"),
        _ => None,
    }
}

fn is_conditional_batch(batch: &crate::ast::Batch) -> bool {
    batch.statements.iter().any(|s| match s {
        BatchStatement::Insert(i) => i.if_not_exists,
        BatchStatement::Update(u) => u.condition.is_some(),
        BatchStatement::Delete(d) => d.condition.is_some(),
    })
}

fn touches_system(statement: &Statement, session: Option<&str>) -> bool {
    let in_system = |table: &crate::ast::QualifiedName| {
        table
            .keyspace
            .as_deref()
            .or(session)
            .is_some_and(|ks| SYSTEM_KEYSPACES.contains(&ks))
    };
    match statement {
        Statement::Insert(i) => in_system(&i.table),
        Statement::Update(u) => in_system(&u.table),
        Statement::Delete(d) => in_system(&d.table),
        Statement::Batch(b) => b.statements.iter().any(|s| match s {
            BatchStatement::Insert(i) => in_system(&i.table),
            BatchStatement::Update(u) => in_system(&u.table),
            BatchStatement::Delete(d) => in_system(&d.table),
        }),
        Statement::CreateTable(c) => in_system(&c.table),
        Statement::DropTable { table, .. } | Statement::Truncate(table) => in_system(table),
        Statement::DropKeyspace { name, .. } => SYSTEM_KEYSPACES.contains(&name.as_str()),
        Statement::CreateKeyspace(c) => SYSTEM_KEYSPACES.contains(&c.name.as_str()),
        _ => false,
    }
}

fn reads_system(statement: &Statement, session: Option<&str>) -> bool {
    matches!(statement, Statement::Select(s) if s.table.keyspace.as_deref().or(session).is_some_and(|ks| SYSTEM_KEYSPACES.contains(&ks)))
}

/// Executes one statement for QUERY or EXECUTE, with the fault knobs and counters.
async fn run(
    node: &Node,
    session: &tokio::sync::Mutex<Session>,
    parsed: &Parsed,
    specs: &[BindSpec],
    values: &[Bound],
    keyspace: Option<&str>,
    params: &QueryParams,
) -> Result<(u8, Vec<u8>), CqlError> {
    if touches_system(&parsed.statement, keyspace) {
        return Err(CqlError::new(
            0x2100,
            "system keyspace is not user-modifiable.",
        ));
    }
    let kind = write_type(&parsed.statement);
    match kind {
        Some("CAS") => node.counters.lwts.fetch_add(1, Ordering::Relaxed),
        Some("SIMPLE") => node.counters.writes.fetch_add(1, Ordering::Relaxed),
        Some(_) => node.counters.batches.fetch_add(1, Ordering::Relaxed),
        None if matches!(parsed.statement, Statement::Select(_)) => {
            node.counters.reads.fetch_add(1, Ordering::Relaxed)
        }
        None => 0,
    };
    let timeout = kind.and_then(|_| node.timeout_due());
    let now = node.now_ms();
    let outcome = {
        let mut data = node.data();
        if reads_system(&parsed.statement, keyspace) {
            system::refresh(&mut data, node.identity);
        }
        if timeout == Some(false) {
            None
        } else {
            Some(data.execute(&crate::exec::Request {
                parsed,
                specs,
                values,
                session: keyspace,
                paging: &params.paging,
                now_ms: now,
                client_timestamp: params.timestamp,
            })?)
        }
    };
    if let (Some(_), Some(write_type)) = (timeout, kind) {
        node.counters.timeouts.fetch_add(1, Ordering::Relaxed);
        return Err(write_timeout(params.consistency, write_type));
    }
    let Some(outcome) = outcome else {
        return Err(write_timeout(params.consistency, kind.unwrap_or("SIMPLE")));
    };
    if let Outcome::SetKeyspace(keyspace) = &outcome {
        session.lock().await.keyspace = Some(keyspace.clone());
    }
    if let Outcome::SchemaChange(change) = &outcome {
        let _ = node.events.send(change.clone());
    }
    Ok((op::RESULT, result_body(&outcome)))
}

fn write_timeout(consistency: u16, write_type: &'static str) -> CqlError {
    CqlError {
        code: code::WRITE_TIMEOUT,
        message: format!(
            "Operation timed out - received only 0 responses from 1 CL={}.",
            consistency_name(consistency)
        ),
        extra: Extra::WriteTimeout {
            consistency,
            write_type,
        },
    }
}

fn consistency_name(consistency: u16) -> &'static str {
    match consistency {
        0x0000 => "ANY",
        0x0001 => "ONE",
        0x0002 => "TWO",
        0x0003 => "THREE",
        0x0004 => "QUORUM",
        0x0005 => "ALL",
        0x0006 => "LOCAL_QUORUM",
        0x0007 => "EACH_QUORUM",
        0x0008 => "SERIAL",
        0x0009 => "LOCAL_SERIAL",
        0x000A => "LOCAL_ONE",
        _ => "UNKNOWN",
    }
}

/// A BATCH request: its statements (query strings or prepared ids) with their values, run as
/// one batch.
async fn batch(
    node: &Node,
    session: &tokio::sync::Mutex<Session>,
    body: &mut Reader<'_>,
) -> Result<(u8, Vec<u8>), CqlError> {
    let kind = match body.byte().map_err(malformed)? {
        0 => BatchKind::Logged,
        1 => BatchKind::Unlogged,
        2 => BatchKind::Counter,
        other => return Err(CqlError::protocol(format!("Invalid BATCH type {other}"))),
    };
    let count = body.short().map_err(malformed)?;
    let keyspace = session.lock().await.keyspace.clone();
    let mut statements = Vec::new();
    let mut all_values = Vec::new();
    let mut all_specs = Vec::new();
    let mut binds = Vec::new();
    for _ in 0..count {
        let (parsed, specs, statement_keyspace) = match body.byte().map_err(malformed)? {
            0 => {
                let text = body.long_string().map_err(malformed)?;
                let parsed = parse(&text)?;
                let specs = {
                    let data = node.data();
                    data.bind_specs(&parsed, keyspace.as_deref())?
                };
                (parsed, specs, keyspace.clone())
            }
            1 => {
                let prepared = node.read_prepared(body)?;
                (
                    prepared.parsed.clone(),
                    prepared.specs.clone(),
                    prepared.keyspace.clone(),
                )
            }
            other => {
                return Err(CqlError::protocol(format!(
                    "Invalid BATCH statement kind {other}"
                )));
            }
        };
        let value_count = body.short().map_err(malformed)?;
        let mut values = Vec::new();
        for _ in 0..value_count {
            values.push(body.value().map_err(malformed)?);
        }
        if values.len() != specs.len() {
            return Err(CqlError::invalid(format!(
                "There were {} markers(?) in CQL but {} bound variables",
                specs.len(),
                values.len()
            )));
        }
        // Each statement's markers renumbered after the previous statements'.
        let offset = binds.len();
        let statement = match parsed.statement {
            Statement::Insert(i) => BatchStatement::Insert(i),
            Statement::Update(u) => BatchStatement::Update(u),
            Statement::Delete(d) => BatchStatement::Delete(d),
            _ => {
                return Err(CqlError::invalid(
                    "Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.",
                ));
            }
        };
        let statement = statement.shift_binds(offset);
        let statement = qualify(statement, statement_keyspace.as_deref());
        binds.extend(parsed.binds);
        statements.push(statement);
        all_values.extend(values);
        all_specs.extend(specs);
    }
    let consistency = body.short().map_err(malformed)?;
    let flags = body.byte().map_err(malformed)?;
    if flags & 0x10 != 0 {
        body.short().map_err(malformed)?;
    }
    let timestamp = if flags & 0x20 != 0 {
        Some(body.long().map_err(malformed)?)
    } else {
        None
    };
    let parsed = Parsed {
        statement: Statement::Batch(crate::ast::Batch {
            kind,
            using: crate::ast::Using::default(),
            statements,
        }),
        binds,
    };
    let params = QueryParams {
        consistency,
        values: Vec::new(),
        names: None,
        paging: Paging::default(),
        timestamp,
    };
    run(
        node,
        session,
        &parsed,
        &all_specs,
        &all_values,
        keyspace.as_deref(),
        &params,
    )
    .await
}

/// A statement's table named with the keyspace it was prepared in.
fn qualify(statement: BatchStatement, keyspace: Option<&str>) -> BatchStatement {
    let fill = |table: &mut crate::ast::QualifiedName| {
        if table.keyspace.is_none() {
            table.keyspace = keyspace.map(str::to_owned);
        }
    };
    match statement {
        BatchStatement::Insert(mut i) => {
            fill(&mut i.table);
            BatchStatement::Insert(i)
        }
        BatchStatement::Update(mut u) => {
            fill(&mut u.table);
            BatchStatement::Update(u)
        }
        BatchStatement::Delete(mut d) => {
            fill(&mut d.table);
            BatchStatement::Delete(d)
        }
    }
}

/// A RESULT body.
fn result_body(outcome: &Outcome) -> Vec<u8> {
    let mut out = Writer::default();
    match outcome {
        Outcome::Void => {
            out.int(0x0001);
        }
        Outcome::SetKeyspace(keyspace) => {
            out.int(0x0003).string(keyspace);
        }
        Outcome::SchemaChange(change) => {
            out.int(0x0005);
            write_change(&mut out, change);
        }
        Outcome::Rows(rows) => {
            out.int(0x0002);
            write_metadata(&mut out, rows, rows.paging_state.as_deref());
            out.int(i32::try_from(rows.rows.len()).unwrap_or(i32::MAX));
            for row in &rows.rows {
                for cell in row {
                    match cell {
                        Some(value) => out.bytes(Some(&crate::codec::encode(value))),
                        None => out.bytes(None),
                    };
                }
            }
        }
    }
    out.bytes
}

fn write_change(out: &mut Writer, change: &SchemaChange) {
    out.string(change.change)
        .string(change.target)
        .string(&change.keyspace);
    if let Some(table) = &change.table {
        out.string(table);
    }
}

fn event_body(change: &SchemaChange) -> Vec<u8> {
    let mut out = Writer::default();
    out.string("SCHEMA_CHANGE");
    write_change(&mut out, change);
    out.bytes
}

/// Rows metadata with a global table spec.
fn write_metadata(out: &mut Writer, rows: &Rows, paging_state: Option<&[u8]>) {
    let mut flags = 0x0001;
    if paging_state.is_some() {
        flags |= 0x0002;
    }
    out.int(flags)
        .int(i32::try_from(rows.columns.len()).unwrap_or(i32::MAX));
    if let Some(state) = paging_state {
        out.bytes(Some(state));
    }
    out.string(&rows.keyspace).string(&rows.table);
    for (name, kind) in &rows.columns {
        out.string(name);
        crate::codec::write_type(out, kind);
    }
}

/// A Prepared result: the id, the markers' metadata (with the partition key's markers, for
/// token-aware routing) and the result's.
fn prepared_body(
    id: &[u8],
    pk_indexes: &[u16],
    specs: &[BindSpec],
    result: Option<&Rows>,
) -> Vec<u8> {
    let mut out = Writer::default();
    out.int(0x0004).short_bytes(id);
    let global = specs.first().filter(|first| {
        specs
            .iter()
            .all(|s| s.keyspace == first.keyspace && s.table == first.table)
    });
    out.int(i32::from(global.is_some()))
        .int(i32::try_from(specs.len()).unwrap_or(i32::MAX))
        .int(i32::try_from(pk_indexes.len()).unwrap_or(0));
    for index in pk_indexes {
        out.short(*index);
    }
    if let Some(first) = global {
        out.string(&first.keyspace).string(&first.table);
    }
    for spec in specs {
        if global.is_none() {
            out.string(&spec.keyspace).string(&spec.table);
        }
        out.string(&spec.name);
        crate::codec::write_type(&mut out, &spec.kind);
    }
    match result {
        Some(rows) => write_metadata(&mut out, rows, None),
        None => {
            out.int(0x0004).int(0);
        }
    }
    out.bytes
}
