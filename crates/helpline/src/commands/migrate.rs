//! `helpline migrate`: bring the configured store to this build's schema and print its version
//! — open the SQLite file (which migrates it), or create the ScyllaDB keyspace if it is missing
//! and apply its pending migrations.

use std::io::Write as _;

use anyhow::Context as _;
use helpline_store::{ScyllaStore, SqliteStore};

use crate::settings::{StoreBackend, StoreSettings};

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
        StoreBackend::Scylla => {
            let config = store.scylla_config().map_err(anyhow::Error::msg)?;
            let keyspace = store.scylla_keyspace.as_str();
            let contact_points = store.scylla_contact_points.show();
            tracing::info!(%keyspace, %contact_points, "migrating scylla keyspace");
            let version = ScyllaStore::migrate(&config)
                .await
                .with_context(|| format!("cannot migrate the ScyllaDB {}", store.scylla_place()))?;
            tracing::info!(%keyspace, %contact_points, schema_version = version, "scylla keyspace migrated");
            Ok(version)
        }
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
        StoreBackend::Scylla => {
            format!("scylla {}: schema version {version}", store.scylla_place())
        }
    }
}
