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
const MIGRATIONS: &[&str] = &[include_str!("schema.sql"), include_str!("schema_2.sql")];

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
    pub async fn open(path: impl AsRef<Path>, limits: StoreLimits) -> Result<Self> {
        let path = path.as_ref().to_owned();
        let writer_path = path.clone();
        let jobs = spawn_writer(move || {
            let mut connection = Connection::open(&writer_path)?;
            connection.pragma_update(None, "journal_mode", "WAL")?;
            connection.pragma_update(None, "synchronous", "NORMAL")?;
            configure(&connection)?;
            migrate(&mut connection)?;
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
            }),
        })
    }

    /// The schema version of the open database.
    pub async fn schema_version(&self) -> Result<u32> {
        self.read(|connection| Ok(user_version(connection)?)).await
    }

    pub(crate) fn limits(&self) -> StoreLimits {
        self.inner.limits
    }

    /// Runs `job` on the writer thread.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (reply, result) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let _ = reply.send(job(connection));
        });
        self.inner.jobs.send(job).map_err(|_| Error::Closed)?;
        result.await.map_err(|_| Error::Closed)?
    }

    /// Runs `job` on a read connection (the writer's, for an in-memory database).
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if self.inner.readers.is_none() {
            return self.write(move |connection| job(connection)).await;
        }
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let pool = inner.readers.as_ref().ok_or(Error::Closed)?;
            let connection = pool.take()?;
            let result = job(&connection);
            pool.put(connection);
            result
        })
        .await
        .map_err(|_| Error::Closed)?
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
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
        tracing::info!(version = index + 1, "applied sqlite migration");
    }
    Ok(())
}
