//! Tasks the bot starts and must account for at shutdown: interaction and event handlers (given
//! time to finish), and timers (retries, the reconciler) that are simply dropped, since what
//! they would do is in the outbox.

use helpline_domain::GuildId;
use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// A set of running tasks.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tasks {
    set: Arc<Mutex<JoinSet<()>>>,
}

impl Tasks {
    /// Starts `task`, forgetting the tasks that ended.
    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(ended) = set.try_join_next() {
            if let Err(error) = ended
                && error.is_panic()
            {
                tracing::error!(%error, "a handler panicked");
                ::metrics::counter!(crate::metrics::PANICS).increment(1);
            }
        }
        set.spawn(task);
    }

    /// How many are still running.
    pub(crate) fn len(&self) -> usize {
        let mut set = self.set.lock().unwrap_or_else(|e| e.into_inner());
        while set.try_join_next().is_some() {}
        set.len()
    }

    /// Waits until every task ended or `deadline` passed; `true` when they all ended.
    pub(crate) async fn wait(&self, deadline: Instant) -> bool {
        loop {
            if self.len() == 0 {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Ends every task at its next await.
    pub(crate) fn abort_all(&self) {
        self.set
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .abort_all();
    }
}

/// Guilds the bot was removed from: no work is done for them until Discord sends them again.
#[derive(Debug, Default)]
pub(crate) struct Departed {
    guilds: Mutex<HashSet<GuildId>>,
}

impl Departed {
    pub(crate) fn contains(&self, guild: GuildId) -> bool {
        self.guilds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&guild)
    }

    pub(crate) fn insert(&self, guild: GuildId) {
        self.guilds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(guild);
    }

    pub(crate) fn remove(&self, guild: GuildId) {
        self.guilds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&guild);
    }
}
