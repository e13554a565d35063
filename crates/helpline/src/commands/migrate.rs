//! `helpline migrate`: open the configured store, which applies pending migrations, and print
//! the schema version.

use std::io::Write as _;

use anyhow::Context as _;
use helpline_store::SqliteStore;

use crate::settings::{StoreBackend, StoreSettings};

/// Until the store crate exports the ScyllaDB backend, the binary names it and refuses it.
pub(crate) const SCYLLA_NOT_YET: &str =
    "store.backend `scylla` is not built into this binary yet: use `sqlite`";

pub(crate) async fn run(store: &StoreSettings) -> anyhow::Result<()> {
    let version = migrate(store).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", describe(store, version))?;
    stdout.flush()?;
    Ok(())
}

/// Opens the store, which creates and migrates it as needed, and returns its schema version.
pub(crate) async fn migrate(store: &StoreSettings) -> anyhow::Result<u32> {
    let limits = store.limits();
    match store.backend {
        StoreBackend::Sqlite => {
            let path = &store.sqlite_path;
            tracing::info!(path = %path.display(), "opening sqlite store");
            let sqlite = SqliteStore::open(path, limits)
                .await
                .with_context(|| format!("cannot open the SQLite store {}", path.display()))?;
            let version = sqlite.schema_version().await.with_context(|| {
                format!(
                    "cannot read the schema version of the SQLite store {}",
                    path.display()
                )
            })?;
            tracing::info!(path = %path.display(), schema_version = version, "sqlite store migrated");
            Ok(version)
        }
        StoreBackend::Scylla => anyhow::bail!(SCYLLA_NOT_YET),
    }
}

fn describe(store: &StoreSettings, version: u32) -> String {
    match store.backend {
        StoreBackend::Sqlite => {
            format!(
                "sqlite store {}: schema version {version}",
                store.sqlite_path.display()
            )
        }
        StoreBackend::Scylla => format!(
            "scylla keyspace {} at {}: schema version {version}",
            store.scylla_keyspace.as_str(),
            store.scylla_contact_points.show()
        ),
    }
}
