//! The ScyllaDB backend, for a cluster: every process of it talks to the same keyspace.
//!
//! What SQLite gets from one transaction, this backend gets from Scylla's primitives, each used
//! only where an invariant needs it:
//! - **Lightweight transactions** (Paxos, per partition) for what must not race: the guild's
//!   number sequence (a compare-and-set that records the ticket it numbers, so no number is
//!   given without its ticket), a member's opens on a panel (a compare-and-set on a sequence,
//!   which is how the open limit and the cooldown hold), versions of tickets and configuration,
//!   the effect outbox (a ticket's effects live in its partition, so a ticket write and the
//!   effects it decided are one conditional batch), a ticket's attachment budget, interaction
//!   claims and fencing tokens. A lightweight transaction that times out may have been applied:
//!   the outcome is read at SERIAL before anything is tried again.
//! - **Hint tables** for every other access path (a guild's tickets, a member's, a channel's,
//!   due timers, due effects…): entries are written before the record they point to and removed
//!   after it moves on, with write timestamps derived from the record's version, so that the
//!   newest version's entries win whatever order writers land in. Readers check every entry
//!   against its record, and remove those they prove stale.
//! - Plain writes at LOCAL_QUORUM for what is idempotent by nature: transcript messages (written
//!   at their own creation time, so a redelivered create cannot overwrite an edit), attachment
//!   chunks, the messages a ticket's buttons live on.
//!
//! Statements are prepared once per process (the driver's caching session); listings page.

mod index;
mod jobs;
mod outbox;
mod records;
mod tickets;
mod transcripts;

use crate::{Error, Keys, Result, StoreLimits};
use futures_util::TryStreamExt as _;
use helpline_domain::lifecycle::OpenLimits;
use helpline_domain::{
    ChannelId, Effect, EffectKey, GuildConfig, GuildId, MessageId, Ticket, TicketId, TicketState,
    Timestamp, TranscriptMessage, UserId,
};
use scylla::client::caching_session::CachingSession;
use scylla::client::execution_profile::ExecutionProfile;
use scylla::client::session_builder::SessionBuilder;
use scylla::deserialize::row::DeserializeRow;
use scylla::errors::{ExecutionError, RequestAttemptError};
use scylla::response::query_result::QueryResult;
use scylla::serialize::row::SerializeRow;
use scylla::statement::batch::Batch;
use scylla::statement::{Consistency, SerialConsistency, Statement};
use scylla::value::{CqlValue, Row};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The schema version this build creates and expects.
pub const SCYLLA_SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Migrations, in order; `schema_migrations` records those applied.
const MIGRATIONS: &[&str] = &[include_str!("schema_1.cql"), include_str!("schema_2.cql")];

/// How to reach the cluster. Its `Debug` never shows the password.
#[derive(Clone)]
pub struct ScyllaConfig {
    /// `host:port` of one or more nodes.
    pub contact_points: Vec<String>,
    pub keyspace: String,
    /// The datacenter whose nodes are preferred (LOCAL_QUORUM is counted there); `None`: any.
    pub local_datacenter: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Connect with TLS; `tls_ca_file`: a PEM file of CA certificates to trust instead of the
    /// system's roots.
    pub tls: bool,
    pub tls_ca_file: Option<PathBuf>,
    /// The replication map `migrate` creates the keyspace with, in CQL
    /// (`{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}`).
    pub replication: String,
}

impl std::fmt::Debug for ScyllaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScyllaConfig")
            .field("contact_points", &self.contact_points)
            .field("keyspace", &self.keyspace)
            .field("local_datacenter", &self.local_datacenter)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .field("tls_ca_file", &self.tls_ca_file)
            .field("replication", &self.replication)
            .finish()
    }
}

/// The ScyllaDB store. Cheap to clone: clones share the session.
#[derive(Clone, Debug)]
pub struct ScyllaStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    session: CachingSession,
    keyspace: String,
    limits: StoreLimits,
    keys: std::sync::OnceLock<Keys>,
}

/// Prepared statements kept per process: every statement Helpline runs, with room to spare.
const PREPARED_CACHE: usize = 256;

/// How often a compare-and-set that lost a race is tried again before the store gives up.
const CAS_ATTEMPTS: u32 = 64;

/// How often a plain write that timed out is sent again.
const WRITE_RETRIES: u32 = 10;

fn backend(error: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Backend(Box::new(error))
}

fn invalid(what: String) -> Error {
    Error::Invalid(what)
}

fn unreachable_because(why: String) -> Error {
    Error::Open(crate::OpenProblem::Unreachable(why))
}

fn schema(what: String) -> Error {
    Error::Open(crate::OpenProblem::Schema(what))
}

/// Snowflakes and times fit in a bigint.
pub(super) fn big(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl ScyllaStore {
    /// Connects to the keyspace `config` names, which `migrate` must have brought to this
    /// build's schema.
    pub async fn connect(config: &ScyllaConfig, limits: StoreLimits) -> Result<Self> {
        let session = session(config).await?;
        let store = Self::on(session, config.keyspace.clone(), limits).await?;
        let version = store.schema_version().await?;
        if version < SCYLLA_SCHEMA_VERSION {
            return Err(schema(format!(
                "the ScyllaDB keyspace {} is at schema version {version}, this build needs {SCYLLA_SCHEMA_VERSION}: run `helpline migrate`",
                config.keyspace
            )));
        }
        if version > SCYLLA_SCHEMA_VERSION {
            return Err(schema(format!(
                "the ScyllaDB keyspace {} is at schema version {version}, newer than this build's {SCYLLA_SCHEMA_VERSION}",
                config.keyspace
            )));
        }
        Ok(store)
    }

    /// Creates the keyspace if it is missing and applies the migrations it has not seen;
    /// returns its schema version. Refuses a keyspace newer than this build.
    pub async fn migrate(config: &ScyllaConfig) -> Result<u32> {
        check_identifier(&config.keyspace)?;
        let session = session(config).await?;
        let create = format!(
            "CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {}",
            config.keyspace, config.replication
        );
        session.query_unpaged(create, ()).await.map_err(backend)?;
        let store = Self::on(session, config.keyspace.clone(), StoreLimits::DEFAULT).await?;
        store
            .run_ddl("CREATE TABLE IF NOT EXISTS schema_migrations (scope text, version int, applied_at bigint, PRIMARY KEY (scope, version))")
            .await?;
        let current = store.schema_version().await?;
        if current > SCYLLA_SCHEMA_VERSION {
            return Err(schema(format!(
                "the ScyllaDB keyspace {} is at schema version {current}, newer than this build's {SCYLLA_SCHEMA_VERSION}",
                config.keyspace
            )));
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            // Every statement is `IF NOT EXISTS`: processes migrating together, or a migration
            // stopped halfway, end in the same schema.
            for statement in statements(migration) {
                store.run_ddl(&statement).await?;
            }
            let version = i32::try_from(index + 1).unwrap_or(i32::MAX);
            store
                .exec(
                    "INSERT INTO schema_migrations (scope, version, applied_at) VALUES ('helpline', ?, ?) IF NOT EXISTS",
                    (version, now_millis()),
                )
                .await?;
            tracing::info!(version, keyspace = %config.keyspace, "applied scylla migration");
        }
        store.schema_version().await
    }

    /// A store on a session, in `keyspace`.
    async fn on(
        session: scylla::client::session::Session,
        keyspace: String,
        limits: StoreLimits,
    ) -> Result<Self> {
        check_identifier(&keyspace)?;
        session
            .use_keyspace(&keyspace, false)
            .await
            .map_err(|error| {
                schema(format!(
                    "cannot use the ScyllaDB keyspace {keyspace} ({error}): run `helpline migrate` to create it"
                ))
            })?;
        let session = CachingSession::from(session, PREPARED_CACHE);
        Ok(Self {
            inner: Arc::new(Inner {
                session,
                keyspace,
                limits,
                keys: std::sync::OnceLock::new(),
            }),
        })
    }

    /// The keyspace's schema version (0: never migrated).
    pub async fn schema_version(&self) -> Result<u32> {
        let rows: Vec<(i32,)> = match self
            .rows(
                "SELECT version FROM schema_migrations WHERE scope = 'helpline'",
                (),
            )
            .await
        {
            Ok(rows) => rows,
            // No migrations table: a keyspace created by hand, never migrated.
            Err(Error::Backend(error)) if error.to_string().contains("unconfigured table") => {
                return Ok(0);
            }
            Err(error) => return Err(error),
        };
        Ok(rows
            .into_iter()
            .map(|(version,)| u32::try_from(version).unwrap_or(0))
            .max()
            .unwrap_or(0))
    }

    /// Seals transcript messages and attachments at rest with `keys` from now on. Set once,
    /// before use.
    pub fn with_keys(self, keys: Keys) -> Result<Self> {
        self.inner
            .keys
            .set(keys)
            .map_err(|_| invalid("the store's keys are set once".into()))?;
        Ok(self)
    }

    pub(crate) fn keys(&self) -> Keys {
        self.inner.keys.get().cloned().unwrap_or_default()
    }

    pub(crate) fn limits(&self) -> StoreLimits {
        self.inner.limits
    }

    /// The keyspace this store works in.
    pub fn keyspace(&self) -> &str {
        &self.inner.keyspace
    }

    async fn run_ddl(&self, cql: &str) -> Result<()> {
        self.inner
            .session
            .get_session()
            .query_unpaged(cql, ())
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Runs one plain write (prepared once) at LOCAL_QUORUM. Every plain write of this store is
    /// idempotent (explicit timestamps, or values that do not depend on what is stored), so
    /// one that timed out is sent again.
    pub(crate) async fn exec(
        &self,
        cql: &'static str,
        values: impl SerializeRow,
    ) -> Result<QueryResult> {
        let mut attempt = 0;
        loop {
            let result = self
                .inner
                .session
                .execute_unpaged(statement(cql, Consistency::LocalQuorum), &values)
                .await;
            match result {
                Err(error) if uncertain(&error) && attempt < WRITE_RETRIES => {
                    back_off(attempt).await;
                    attempt += 1;
                }
                other => return other.map_err(backend),
            }
        }
    }

    /// Every row of a query, paging through them.
    pub(crate) async fn rows<R>(
        &self,
        cql: &'static str,
        values: impl SerializeRow,
    ) -> Result<Vec<R>>
    where
        R: for<'f, 'm> DeserializeRow<'f, 'm> + 'static,
    {
        self.rows_at(cql, values, Consistency::LocalQuorum).await
    }

    /// Every row of a query read at LOCAL_SERIAL: what lightweight transactions decided,
    /// including one in flight.
    pub(crate) async fn serial_rows<R>(
        &self,
        cql: &'static str,
        values: impl SerializeRow,
    ) -> Result<Vec<R>>
    where
        R: for<'f, 'm> DeserializeRow<'f, 'm> + 'static,
    {
        self.rows_at(cql, values, Consistency::LocalSerial).await
    }

    async fn rows_at<R>(
        &self,
        cql: &'static str,
        values: impl SerializeRow,
        consistency: Consistency,
    ) -> Result<Vec<R>>
    where
        R: for<'f, 'm> DeserializeRow<'f, 'm> + 'static,
    {
        let pager = self
            .inner
            .session
            .execute_iter(statement(cql, consistency), values)
            .await
            .map_err(backend)?;
        pager
            .rows_stream::<R>()
            .map_err(backend)?
            .try_collect()
            .await
            .map_err(backend)
    }

    /// Runs a lightweight transaction (a conditional statement).
    pub(crate) async fn cas(&self, cql: &'static str, values: impl SerializeRow) -> Result<Cas> {
        let result = self
            .inner
            .session
            .execute_unpaged(statement(cql, Consistency::LocalQuorum), values)
            .await;
        Cas::from_result(result)
    }

    /// Runs a conditional batch (its statements in one partition).
    pub(crate) async fn cas_batch(
        &self,
        statements: &[&'static str],
        values: impl scylla::serialize::batch::BatchValues,
    ) -> Result<Cas> {
        let mut batch = Batch::default();
        for cql in statements {
            batch.append_statement(statement(cql, Consistency::LocalQuorum));
        }
        batch.set_consistency(Consistency::LocalQuorum);
        batch.set_serial_consistency(Some(SerialConsistency::LocalSerial));
        let result = self.inner.session.batch(&batch, values).await;
        Cas::from_result(result)
    }

    /// Runs plain statements together, each as its own request.
    pub(crate) async fn exec_all<V: SerializeRow>(
        &self,
        writes: impl IntoIterator<Item = (&'static str, V)>,
    ) -> Result<()> {
        futures_util::future::try_join_all(
            writes
                .into_iter()
                .map(|(cql, values)| async move { self.exec(cql, values).await.map(|_| ()) }),
        )
        .await?;
        Ok(())
    }
}

/// A statement at `consistency`, lightweight transactions at LOCAL_SERIAL. Nothing here is
/// marked idempotent: the driver never sends a write twice on its own.
fn statement(cql: &str, consistency: Consistency) -> Statement {
    let mut statement = Statement::new(cql);
    statement.set_consistency(consistency);
    statement.set_serial_consistency(Some(SerialConsistency::LocalSerial));
    statement
}

/// What a lightweight transaction did.
#[derive(Debug)]
pub(crate) enum Cas {
    Applied,
    /// Not applied; the values it found (of its first row), by column name.
    Refused(Vec<(String, Option<CqlValue>)>),
    /// It timed out or its connection broke: it may or may not have been applied. Read at
    /// SERIAL to know.
    Uncertain,
}

impl Cas {
    fn from_result(result: std::result::Result<QueryResult, ExecutionError>) -> Result<Self> {
        let result = match result {
            Ok(result) => result,
            Err(error) if uncertain(&error) => return Ok(Self::Uncertain),
            Err(error) => return Err(backend(error)),
        };
        let rows = result.into_rows_result().map_err(backend)?;
        let names: Vec<String> = rows
            .column_specs()
            .iter()
            .map(|spec| spec.name().to_owned())
            .collect();
        let first = rows.rows::<Row>().map_err(backend)?.next();
        let Some(first) = first else {
            return Err(invalid("a conditional write answered no row".into()));
        };
        let columns = first.map_err(backend)?.columns;
        let applied = matches!(columns.first(), Some(Some(CqlValue::Boolean(true))));
        if applied {
            return Ok(Self::Applied);
        }
        Ok(Self::Refused(names.into_iter().zip(columns).collect()))
    }

    /// A bigint column of a refused transaction's row.
    pub(crate) fn big(&self, name: &str) -> Option<i64> {
        match self {
            Self::Refused(columns) => {
                columns
                    .iter()
                    .find(|(n, _)| n == name)
                    .and_then(|(_, v)| match v {
                        Some(CqlValue::BigInt(value)) => Some(*value),
                        _ => None,
                    })
            }
            _ => None,
        }
    }
}

/// Whether a failed write may have been applied all the same.
fn uncertain(error: &ExecutionError) -> bool {
    use scylla::errors::DbError;
    match error {
        ExecutionError::RequestTimeout(_) => true,
        ExecutionError::LastAttemptError(attempt) => matches!(
            attempt,
            RequestAttemptError::DbError(DbError::WriteTimeout { .. }, _)
                | RequestAttemptError::BrokenConnectionError(_)
        ),
        _ => false,
    }
}

/// A short pause before a compare-and-set that lost a race is tried again, growing with the
/// attempts and spread so that racing writers do not meet again at once.
pub(crate) async fn back_off(attempt: u32) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEED: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let mut x = SEED.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed)
        ^ u64::from(std::process::id())
        ^ u64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos()),
        );
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    let ceiling = 1u64 << attempt.min(6);
    tokio::time::sleep(Duration::from_micros(200 + x % (ceiling * 500))).await;
}

/// Milliseconds since the epoch, by this machine's clock.
fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A migration file's statements (split at `;` ending a line; comments dropped).
fn statements(migration: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    for line in migration.lines() {
        let line = line.trim_end();
        if line.trim_start().starts_with("--") || line.trim().is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.ends_with(';') {
            let text = current.trim().trim_end_matches(';').to_owned();
            statements.push(text);
            current.clear();
        }
    }
    statements
}

fn check_identifier(keyspace: &str) -> Result<()> {
    let valid = keyspace.len() <= 48
        && keyspace.starts_with(|c: char| c.is_ascii_alphabetic())
        && keyspace
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{keyspace}` is not a keyspace name: letters, digits and underscores, starting with a letter, at most 48"
        )))
    }
}

/// The driver's session for `config`.
async fn session(config: &ScyllaConfig) -> Result<scylla::client::session::Session> {
    use scylla::policies::load_balancing::DefaultPolicy;
    let mut policy = DefaultPolicy::builder().token_aware(true);
    if let Some(dc) = &config.local_datacenter {
        policy = policy
            .prefer_datacenter(dc.clone())
            .permit_dc_failover(false);
    }
    let profile = ExecutionProfile::builder()
        .consistency(Consistency::LocalQuorum)
        .serial_consistency(Some(SerialConsistency::LocalSerial))
        .request_timeout(Some(Duration::from_secs(10)))
        .load_balancing_policy(policy.build())
        .build();
    let mut builder = SessionBuilder::new()
        .known_nodes(&config.contact_points)
        .default_execution_profile_handle(profile.into_handle())
        .connection_timeout(Duration::from_secs(5));
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        builder = builder.user(user, password);
    }
    if config.tls {
        builder = builder.tls_context(Some(Arc::new(tls(config)?)));
    }
    builder.build().await.map_err(|error| {
        Error::Open(crate::OpenProblem::Unreachable(format!(
            "cannot connect to ScyllaDB at {}: {error}",
            config.contact_points.join(", ")
        )))
    })
}

/// The TLS client configuration: the system's roots, or the CA file's.
fn tls(config: &ScyllaConfig) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(backend)?;
    let config = match &config.tls_ca_file {
        Some(path) => {
            // The CA file is an operator's to fix: said as why the cluster cannot be reached.
            let mut roots = rustls::RootCertStore::empty();
            let certificates = CertificateDer::pem_file_iter(path).map_err(|error| {
                unreachable_because(format!(
                    "cannot read the CA file {}: {error}",
                    path.display()
                ))
            })?;
            for certificate in certificates {
                let certificate = certificate.map_err(|error| {
                    unreachable_because(format!(
                        "cannot read the CA file {}: {error}",
                        path.display()
                    ))
                })?;
                roots.add(certificate).map_err(backend)?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        None => {
            use rustls_platform_verifier::BuilderVerifierExt as _;
            builder
                .with_platform_verifier()
                .map_err(backend)?
                .with_no_client_auth()
        }
    };
    Ok(config)
}

#[async_trait::async_trait]
impl crate::Store for ScyllaStore {
    async fn guild_config(&self, guild: GuildId) -> Result<Option<GuildConfig>> {
        timed("guild_config", self.config(guild)).await
    }

    async fn save_guild_config(&self, config: &GuildConfig) -> Result<GuildConfig> {
        timed("save_guild_config", self.save_config(config)).await
    }

    async fn delete_guild_config(&self, guild: GuildId) -> Result<bool> {
        timed("delete_guild_config", self.delete_config(guild)).await
    }

    async fn open_ticket(
        &self,
        ticket: Ticket,
        limits: OpenLimits,
        now: Timestamp,
        fence: Option<crate::Fence>,
    ) -> Result<crate::OpenOutcome> {
        timed("open_ticket", self.open(ticket, limits, now, fence)).await
    }

    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        timed("ticket", self.read_ticket(id)).await
    }

    async fn ticket_by_channel(&self, channel: ChannelId) -> Result<Option<Ticket>> {
        timed("ticket_by_channel", self.by_channel(channel)).await
    }

    async fn tickets_by_guild(
        &self,
        guild: GuildId,
        states: &[TicketState],
        page: crate::Page<u32>,
    ) -> Result<Vec<Ticket>> {
        timed("tickets_by_guild", self.by_guild(guild, states, page)).await
    }

    async fn tickets_by_member(
        &self,
        user: UserId,
        page: crate::Page<TicketId>,
    ) -> Result<Vec<Ticket>> {
        timed("tickets_by_member", self.by_member(user, page)).await
    }

    async fn tickets_of_participant(
        &self,
        user: UserId,
        page: crate::Page<TicketId>,
    ) -> Result<Vec<Ticket>> {
        timed("tickets_of_participant", self.of_participant(user, page)).await
    }

    async fn update_ticket(&self, ticket: &Ticket, expected_version: u64) -> Result<()> {
        let now = Timestamp::from_millis(now_millis());
        timed(
            "update_ticket",
            self.commit(ticket, expected_version, &[], now, None),
        )
        .await
    }

    async fn commit_ticket(
        &self,
        ticket: &Ticket,
        expected_version: u64,
        effects: &[Effect],
        now: Timestamp,
        fence: Option<crate::Fence>,
    ) -> Result<()> {
        timed(
            "commit_ticket",
            self.commit(ticket, expected_version, effects, now, fence),
        )
        .await
    }

    async fn advance_fence(&self, fence: crate::Fence) -> Result<()> {
        timed(
            "advance_fence",
            self.fence(Some(fence), tickets::Fencing::Grant),
        )
        .await
    }

    async fn check_fence(&self, fence: crate::Fence) -> Result<()> {
        timed(
            "check_fence",
            self.fence(Some(fence), tickets::Fencing::Check),
        )
        .await
    }

    async fn pending_effects(&self, ticket: TicketId) -> Result<Vec<crate::PendingEffect>> {
        timed("pending_effects", self.pending(ticket)).await
    }

    async fn due_tickets(&self, now: Timestamp, limit: u32) -> Result<Vec<(TicketId, GuildId)>> {
        timed("due_tickets", self.due(now, limit)).await
    }

    async fn due_timers(
        &self,
        now: Timestamp,
        after: Option<(Timestamp, TicketId)>,
        limit: u32,
    ) -> Result<Vec<(TicketId, GuildId, Timestamp)>> {
        timed("due_timers", self.timers(now, after, limit)).await
    }

    async fn due_purges(&self, now: Timestamp, limit: u32) -> Result<Vec<TicketId>> {
        timed("due_purges", self.purges(now, limit)).await
    }

    async fn purge_transcript(&self, ticket: TicketId, now: Timestamp) -> Result<u64> {
        timed("purge_transcript", self.purge(ticket, now)).await
    }

    async fn finish_effect(&self, key: EffectKey, at: Timestamp) -> Result<bool> {
        timed("finish_effect", self.finish(key, at)).await
    }

    async fn retry_effect(
        &self,
        key: EffectKey,
        next_attempt_at: Timestamp,
        error: &str,
    ) -> Result<bool> {
        timed("retry_effect", self.retry(key, next_attempt_at, error)).await
    }

    async fn give_up_effect(&self, key: EffectKey, at: Timestamp, error: &str) -> Result<bool> {
        timed("give_up_effect", self.give_up(key, at, error)).await
    }

    async fn give_up_ticket_effects(
        &self,
        ticket: TicketId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        timed(
            "give_up_ticket_effects",
            self.give_up_ticket(ticket, at, error),
        )
        .await
    }

    async fn give_up_guild_effects(
        &self,
        guild: GuildId,
        at: Timestamp,
        error: &str,
    ) -> Result<u64> {
        timed(
            "give_up_guild_effects",
            self.give_up_guild(guild, at, error),
        )
        .await
    }

    async fn outbox_depth(&self) -> Result<crate::OutboxDepth> {
        timed("outbox_depth", self.depth()).await
    }

    async fn count_active_tickets(&self) -> Result<Vec<(TicketState, u64)>> {
        timed("count_active_tickets", self.count_active()).await
    }

    async fn purge_effects(&self, before: Timestamp) -> Result<u64> {
        timed("purge_effects", self.purge_settled(before)).await
    }

    async fn stalled_tickets(&self, before: Timestamp, limit: u32) -> Result<Vec<Ticket>> {
        timed("stalled_tickets", self.stalled(before, limit)).await
    }

    async fn set_ticket_message(
        &self,
        ticket: TicketId,
        slot: crate::TicketMessage,
        message: MessageId,
    ) -> Result<()> {
        timed(
            "set_ticket_message",
            self.set_message(ticket, slot, message),
        )
        .await
    }

    async fn ticket_message(
        &self,
        ticket: TicketId,
        slot: crate::TicketMessage,
    ) -> Result<Option<MessageId>> {
        timed("ticket_message", self.message(ticket, slot)).await
    }

    async fn append_message(&self, ticket: TicketId, message: &TranscriptMessage) -> Result<bool> {
        let batch = [(ticket, message.clone())];
        let inserted = timed("append_message", self.append(&batch)).await?;
        Ok(inserted.first().copied().unwrap_or(false))
    }

    async fn append_messages(
        &self,
        messages: &[(TicketId, TranscriptMessage)],
    ) -> Result<Vec<bool>> {
        timed("append_messages", self.append(messages)).await
    }

    async fn record_edit(
        &self,
        ticket: TicketId,
        message: MessageId,
        content: String,
        at: Timestamp,
    ) -> Result<bool> {
        timed(
            "record_edit",
            self.change_message(ticket, message, |stored| {
                stored.apply_edit(content.clone(), at)
            }),
        )
        .await
    }

    async fn record_deletion(
        &self,
        ticket: TicketId,
        message: MessageId,
        at: Timestamp,
    ) -> Result<bool> {
        timed(
            "record_deletion",
            self.change_message(ticket, message, |stored| {
                if stored.deleted_at.is_some() {
                    return false;
                }
                stored.deleted_at = Some(at);
                true
            }),
        )
        .await
    }

    async fn store_attachment(
        &self,
        ticket: TicketId,
        message: MessageId,
        attachment_id: u64,
        bytes: Vec<u8>,
    ) -> Result<bool> {
        timed(
            "store_attachment",
            self.keep_attachment(ticket, message, attachment_id, bytes),
        )
        .await
    }

    async fn attachment(&self, ticket: TicketId, attachment_id: u64) -> Result<Option<Vec<u8>>> {
        timed("attachment", self.attachment_bytes(ticket, attachment_id)).await
    }

    async fn attachment_sizes(&self, ticket: TicketId) -> Result<Vec<(u64, u64)>> {
        timed("attachment_sizes", self.sizes(ticket)).await
    }

    async fn transcript(&self, ticket: TicketId) -> Result<Vec<TranscriptMessage>> {
        timed("transcript", self.read_transcript(ticket)).await
    }

    async fn grant_panel_access(
        &self,
        guild: GuildId,
        user: UserId,
        granted_by: UserId,
        at: Timestamp,
    ) -> Result<bool> {
        timed(
            "grant_panel_access",
            self.grant(guild, user, granted_by, at),
        )
        .await
    }

    async fn revoke_panel_access(&self, guild: GuildId, user: UserId) -> Result<bool> {
        timed("revoke_panel_access", self.revoke(guild, user)).await
    }

    async fn panel_access(&self, guild: GuildId) -> Result<Vec<crate::PanelAccess>> {
        timed("panel_access", self.access(guild)).await
    }

    async fn has_panel_access(&self, guild: GuildId, user: UserId) -> Result<bool> {
        timed("has_panel_access", self.has_access(guild, user)).await
    }

    async fn begin_interaction(
        &self,
        interaction_id: u64,
        now: Timestamp,
    ) -> Result<crate::InteractionClaim> {
        timed("begin_interaction", self.begin(interaction_id, now)).await
    }

    async fn finish_interaction(&self, interaction_id: u64, outcome: &str) -> Result<()> {
        timed(
            "finish_interaction",
            self.finish_claim(interaction_id, outcome),
        )
        .await
    }

    async fn purge_interactions(&self, before: Timestamp) -> Result<u64> {
        timed("purge_interactions", self.purge_claims(before)).await
    }

    async fn end_panel_sessions(&self, user: UserId, at: Timestamp) -> Result<()> {
        // Written at the sign-out's own time: the latest sign-out wins whatever the order.
        let micros = at.as_millis().saturating_mul(1000);
        timed(
            "end_panel_sessions",
            self.exec(
                "INSERT INTO panel_sign_outs (user_id, at) VALUES (?, ?) USING TIMESTAMP ?",
                (big(user.get()), at.as_millis(), micros),
            ),
        )
        .await
        .map(|_| ())
    }

    async fn panel_sessions_ended(&self, user: UserId) -> Result<Option<Timestamp>> {
        timed("panel_sessions_ended", async {
            let rows: Vec<(Option<i64>,)> = self
                .rows(
                    "SELECT at FROM panel_sign_outs WHERE user_id = ?",
                    (big(user.get()),),
                )
                .await?;
            Ok(rows
                .into_iter()
                .next()
                .and_then(|(at,)| at)
                .map(Timestamp::from_millis))
        })
        .await
    }

    async fn submit_guild_job(&self, job: &crate::GuildJob) -> Result<bool> {
        timed("submit_guild_job", self.submit_job(job)).await
    }

    async fn guild_jobs(&self, guild: GuildId, limit: u32) -> Result<Vec<crate::GuildJob>> {
        timed("guild_jobs", self.jobs_of(guild, limit)).await
    }

    async fn due_guild_jobs(&self, now: Timestamp, limit: u32) -> Result<Vec<crate::GuildJob>> {
        timed("due_guild_jobs", self.due_jobs(now, limit)).await
    }

    async fn retry_guild_job(&self, guild: GuildId, id: u64, due_at: Timestamp) -> Result<bool> {
        timed("retry_guild_job", self.retry_job(guild, id, due_at)).await
    }

    async fn end_guild_job(
        &self,
        guild: GuildId,
        id: u64,
        state: crate::JobState,
        at: Timestamp,
    ) -> Result<bool> {
        timed("end_guild_job", self.end_job(guild, id, state, at)).await
    }

    async fn purge_guild_jobs(&self, before: Timestamp) -> Result<u64> {
        timed("purge_guild_jobs", self.purge_jobs(before)).await
    }
}

/// Runs a store operation, recording its duration and outcome as SQLite's are.
async fn timed<T>(
    operation: &'static str,
    work: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    let started = std::time::Instant::now();
    let result = work.await;
    crate::metrics::record(operation, started, &result);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_split_into_statements_without_comments() {
        let statements = statements(MIGRATIONS[0]);
        assert!(statements.len() >= 10, "{statements:?}");
        assert!(
            statements
                .iter()
                .all(|s| s.starts_with("CREATE TABLE IF NOT EXISTS"))
        );
        assert!(
            statements
                .iter()
                .all(|s| !s.contains("--") && !s.ends_with(';'))
        );
    }

    #[test]
    fn keyspace_names_are_identifiers() {
        assert!(check_identifier("helpline_prod").is_ok());
        for bad in ["", "1abc", "a-b", "a;DROP", &"k".repeat(49)] {
            assert!(check_identifier(bad).is_err(), "{bad}");
        }
    }
}
