//! The embedded SQLite backend: one file in WAL mode (or one in-memory database), migrations
//! embedded in the binary.
//!
//! SQLite allows one writer at a time, so every write runs on one dedicated thread that owns
//! the write connection and takes jobs from a queue: writers never contend for the lock, never
//! see SQLITE_BUSY, and a burst of concurrent opens queues instead of spawning a blocking thread
//! each. Reads of a file database run on tokio's blocking pool with read-only connections, which
//! WAL lets proceed beside the writer. An in-memory database has a single connection, so its
//! reads go through the writer thread too. Nothing here blocks the async runtime.

mod queries;

use crate::{Error, Result, StoreLimits};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// The schema version this build creates and expects.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Migrations, in order; the database's `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    include_str!("schema.sql"),
    include_str!("schema_2.sql"),
    include_str!("schema_3.sql"),
    include_str!("schema_4.sql"),
    include_str!("schema_5.sql"),
    include_str!("schema_6.sql"),
];

/// Idle read connections kept for reuse.
const MAX_IDLE_READERS: usize = 8;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The SQLite store. Cheap to clone: clones share the writer thread and the reader pool.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    jobs: mpsc::Sender<Job>,
    readers: Option<ReaderPool>,
    limits: StoreLimits,
    /// The keys transcript records are sealed with at rest (none: stored as given).
    keys: std::sync::OnceLock<crate::Keys>,
    /// The database file, held with an advisory lock: exclusive for a single node (a second
    /// bot on the same file would act twice on every event), shared by the processes of a
    /// cluster on one machine (which coordinate through leases and fencing tokens).
    _lock: Option<std::fs::File>,
}

#[derive(Debug)]
struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl ReaderPool {
    fn take(&self) -> Result<Connection> {
        if let Some(connection) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(connection);
        }
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(connection)
    }

    fn put(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(connection);
        }
    }
}

impl SqliteStore {
    /// Opens (creating it if needed) the database file at `path` and applies pending
    /// migrations.
    ///
    /// A file that cannot be used fails with [`Error::Open`] saying why: its directory is
    /// missing, it is not a file, it is read-only, another process holds it, or it is not a
    /// SQLite database.
    pub async fn open(path: impl AsRef<Path>, limits: StoreLimits) -> Result<Self> {
        Self::open_with(path.as_ref(), limits, Sharing::Exclusive).await
    }

    /// Opens the database as [`open`](Self::open) does, shared with the other processes of a
    /// cluster on this machine: they all hold a shared lock, so a single-node process (which
    /// wants the file alone) is refused while they run, and they are refused while it runs.
    /// Writers then take turns on SQLite's own file lock (with a busy timeout).
    pub async fn open_shared(path: impl AsRef<Path>, limits: StoreLimits) -> Result<Self> {
        Self::open_with(path.as_ref(), limits, Sharing::Shared).await
    }

    async fn open_with(path: &Path, limits: StoreLimits, sharing: Sharing) -> Result<Self> {
        let path = path.to_owned();
        check_path(&path)?;
        let lock = lock_file(&path, sharing)?;
        let writer_path = path.clone();
        let jobs = spawn_writer(move || {
            let explain = |error: rusqlite::Error| explain_open_error(&writer_path, error);
            let mut connection = Connection::open(&writer_path).map_err(explain)?;
            // Before anything takes a lock: processes of a cluster open the file together.
            connection
                .busy_timeout(std::time::Duration::from_secs(5))
                .map_err(explain)?;
            // Switching a new file to WAL needs it alone, and SQLite answers a second process
            // doing the same at that moment with SQLITE_BUSY at once (its deadlock guard skips
            // the busy timeout): a shared file's setup is tried again for a while.
            let attempts = if sharing == Sharing::Shared { 100 } else { 1 };
            let mut attempt = 0;
            loop {
                attempt += 1;
                let setup = (|| -> Result<()> {
                    connection.pragma_update(None, "journal_mode", "WAL")?;
                    connection.pragma_update(None, "synchronous", "NORMAL")?;
                    // A checkpoint copies each page once however often it was rewritten
                    // since the last one: the pages of busy tickets' transcripts are rewritten
                    // by every append, and checkpointing every 1,000 pages (SQLite's default)
                    // took a third of the writer's time under a message stream. A log that
                    // outgrew twice that (readers holding back a checkpoint) is cut back after
                    // one; the usual log is kept and written over, not grown again.
                    connection.pragma_update(None, "wal_autocheckpoint", WAL_CHECKPOINT_PAGES)?;
                    connection.pragma_update(
                        None,
                        "journal_size_limit",
                        WAL_CHECKPOINT_PAGES * 2 * 4096,
                    )?;
                    configure(&connection)?;
                    migrate(&mut connection)
                })();
                let error = match setup {
                    Ok(()) => break,
                    Err(Error::Backend(source)) => match source.downcast::<rusqlite::Error>() {
                        Ok(error) => explain(*error),
                        Err(source) => Error::Backend(source),
                    },
                    Err(other) => other,
                };
                let busy = matches!(error, Error::Open(crate::OpenProblem::Locked(_)));
                if !busy || attempt >= attempts {
                    return Err(error);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Ok(connection)
        })
        .await?;
        let readers = Some(ReaderPool {
            path,
            idle: Mutex::new(Vec::new()),
        });
        Ok(Self {
            inner: Arc::new(Inner {
                jobs,
                readers,
                limits,
                keys: std::sync::OnceLock::new(),
                _lock: Some(lock),
            }),
        })
    }

    /// Opens a private in-memory database, for tests and the demo.
    pub async fn open_in_memory(limits: StoreLimits) -> Result<Self> {
        let jobs = spawn_writer(|| {
            let mut connection = Connection::open_in_memory()?;
            configure(&connection)?;
            migrate(&mut connection)?;
            Ok(connection)
        })
        .await?;
        Ok(Self {
            inner: Arc::new(Inner {
                jobs,
                readers: None,
                limits,
                keys: std::sync::OnceLock::new(),
                _lock: None,
            }),
        })
    }

    /// The schema version of the open database.
    pub async fn schema_version(&self) -> Result<u32> {
        self.read("schema_version", |connection| Ok(user_version(connection)?))
            .await
    }

    pub(crate) fn limits(&self) -> StoreLimits {
        self.inner.limits
    }

    /// Seals transcript messages and attachments at rest with `keys` from now on (records
    /// written before keep the key id, or none, they were written with). Set once, before use.
    pub fn with_keys(self, keys: crate::Keys) -> Result<Self> {
        self.inner
            .keys
            .set(keys)
            .map_err(|_| crate::Error::Invalid("the store's keys are set once".into()))?;
        Ok(self)
    }

    pub(crate) fn keys(&self) -> crate::Keys {
        self.inner.keys.get().cloned().unwrap_or_default()
    }

    /// Runs `job`, the store operation `operation`, on the writer thread.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        operation: &'static str,
        job: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let started = std::time::Instant::now();
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let _ = reply.send(job(connection));
        });
        let result = match self.inner.jobs.send(job) {
            Ok(()) => answer
                .await
                .map_err(|_| Error::Closed)
                .and_then(|result| result),
            Err(_) => Err(Error::Closed),
        };
        crate::metrics::record(operation, started, &result);
        result
    }

    /// Runs `job`, the store operation `operation`, on a read connection (the writer's, for
    /// an in-memory database).
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        operation: &'static str,
        job: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if self.inner.readers.is_none() {
            return self
                .write(operation, move |connection| job(connection))
                .await;
        }
        let started = std::time::Instant::now();
        let inner = Arc::clone(&self.inner);
        let result = tokio::task::spawn_blocking(move || {
            let pool = inner.readers.as_ref().ok_or(Error::Closed)?;
            let connection = pool.take()?;
            let result = job(&connection);
            pool.put(connection);
            result
        })
        .await
        .map_err(|_| Error::Closed)
        .and_then(|result| result);
        crate::metrics::record(operation, started, &result);
        result
    }
}

/// Says what is wrong with a path before SQLite tries it (its own message would be "unable to
/// open database file" for all of these).
fn check_path(path: &Path) -> Result<()> {
    use crate::OpenProblem;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::Open(OpenProblem::MissingDirectory(parent)));
    }
    match std::fs::metadata(path) {
        Ok(metadata) if !metadata.is_file() => {
            return Err(Error::Open(OpenProblem::NotAFile(path.to_owned())));
        }
        Ok(metadata) if metadata.permissions().readonly() => {
            return Err(Error::Open(OpenProblem::ReadOnly(path.to_owned())));
        }
        Ok(_) => {}
        Err(_) => {
            let readonly = std::fs::metadata(&parent).is_ok_and(|m| m.permissions().readonly());
            if readonly {
                return Err(Error::Open(OpenProblem::ReadOnly(parent)));
            }
        }
    }
    Ok(())
}

/// SQLite's errors on opening, in an operator's words where they have some.
fn explain_open_error(path: &Path, error: rusqlite::Error) -> Error {
    use crate::OpenProblem;
    use rusqlite::ErrorCode;
    match error.sqlite_error_code() {
        Some(ErrorCode::ReadOnly) => Error::Open(OpenProblem::ReadOnly(path.to_owned())),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Error::Open(OpenProblem::Locked(path.to_owned()))
        }
        Some(ErrorCode::NotADatabase) => Error::Open(OpenProblem::NotADatabase(path.to_owned())),
        Some(ErrorCode::CannotOpen) if path.is_dir() => {
            Error::Open(OpenProblem::NotAFile(path.to_owned()))
        }
        _ => error.into(),
    }
}

/// Who else may hold the database file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sharing {
    Exclusive,
    Shared,
}

/// Takes the advisory lock on the database file.
fn lock_file(path: &Path, sharing: Sharing) -> Result<std::fs::File> {
    use crate::OpenProblem;
    // An empty file is what SQLite makes of a new database anyway.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|error| Error::Backend(Box::new(error)))?;
    let locked = match sharing {
        Sharing::Exclusive => file.try_lock(),
        Sharing::Shared => file.try_lock_shared(),
    };
    match locked {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(Error::Open(OpenProblem::Locked(path.to_owned())))
        }
        Err(std::fs::TryLockError::Error(error)) => Err(Error::Backend(Box::new(error))),
    }
}

/// Starts the writer thread with the connection `open` makes, once it is ready.
async fn spawn_writer(
    open: impl FnOnce() -> Result<Connection> + Send + 'static,
) -> Result<mpsc::Sender<Job>> {
    let (jobs, queue) = mpsc::channel::<Job>();
    let (ready, opened) = oneshot::channel();
    std::thread::Builder::new()
        .name("helpline-sqlite-writer".into())
        .spawn(move || {
            let mut connection = match open() {
                Ok(connection) => {
                    let _ = ready.send(Ok(()));
                    connection
                }
                Err(error) => {
                    let _ = ready.send(Err(error));
                    return;
                }
            };
            // Ends when every sender (every clone of the store) is gone.
            for job in queue {
                job(&mut connection);
            }
        })
        .map_err(|error| Error::Backend(Box::new(error)))?;
    opened.await.map_err(|_| Error::Closed)??;
    Ok(jobs)
}

/// Pages (4 KiB) the write-ahead log grows to before it is copied into the database: 32 MiB
/// (and the frames' headers).
const WAL_CHECKPOINT_PAGES: i64 = 8192;

fn configure(connection: &Connection) -> Result<()> {
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

fn user_version(connection: &Connection) -> rusqlite::Result<u32> {
    connection.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies the migrations the database has not seen, each in its own transaction.
fn migrate(connection: &mut Connection) -> Result<()> {
    let current = user_version(connection)? as usize;
    if current > MIGRATIONS.len() {
        return Err(Error::Invalid(format!(
            "the database is at schema version {current}, newer than this build's {}",
            MIGRATIONS.len()
        )));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        // Immediate, and the version read again inside: processes of a cluster sharing the
        // file may start together, and only one of them applies each migration.
        let transaction =
            connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if user_version(&transaction)? as usize > index {
            continue;
        }
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
        tracing::info!(version = index + 1, "applied sqlite migration");
    }
    Ok(())
}
