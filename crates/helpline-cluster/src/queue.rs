//! twilight-gateway's `Queue` over a [`Coordinator`]: one identify per bucket
//! (`shard % max_concurrency`) per interval across the whole cluster, each paid from the daily
//! session budget, which is never spent below its reserve.

use crate::{Coordinator, Spend};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How identifies are paced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdentifyPacing {
    /// Discord's `max_concurrency` (`/gateway/bot`).
    pub max_concurrency: u32,
    /// Between two identifies of one bucket: Discord's 5 s plus a margin for the time between
    /// a slot and the gateway receiving the identify.
    pub interval: Duration,
    /// Identifies never spent from the daily budget (kept for an operator's restarts).
    pub reserve: u32,
}

/// Where the budget comes from when none is stored: Discord's `/gateway/bot`.
#[async_trait::async_trait]
pub trait BudgetSource: Send + Sync + std::fmt::Debug + 'static {
    /// Asks Discord and records the answer with [`Coordinator::observe_budget`].
    async fn refresh(&self, coordinator: &dyn Coordinator);
}

/// The queue. Cloned into every shard's configuration.
#[derive(Clone, Debug)]
pub struct ClusterQueue {
    coordinator: Arc<dyn Coordinator>,
    pacing: IdentifyPacing,
    source: Arc<dyn BudgetSource>,
}

/// Waiting after a coordination failure before trying again.
const RETRY: Duration = Duration::from_secs(1);

impl ClusterQueue {
    /// A queue pacing identifies through `coordinator`; `source` gives the budget from
    /// Discord when none is stored.
    pub fn new(
        coordinator: Arc<dyn Coordinator>,
        pacing: IdentifyPacing,
        source: Arc<dyn BudgetSource>,
    ) -> Self {
        Self {
            coordinator,
            pacing: IdentifyPacing {
                max_concurrency: pacing.max_concurrency.max(1),
                ..pacing
            },
            source,
        }
    }

    /// Waits until `shard` may identify: budget spent, slot reserved and reached.
    pub async fn wait_turn(&self, shard: u32) {
        loop {
            match self.coordinator.spend_identify(self.pacing.reserve).await {
                Ok(Spend::Spent { remaining }) => {
                    record_budget(remaining);
                    break;
                }
                Ok(Spend::Exhausted { resets_in }) => {
                    tracing::warn!(
                        shard,
                        resets_in_secs = resets_in.as_secs(),
                        reserve = self.pacing.reserve,
                        "the daily identify budget is spent down to its reserve; waiting for it to reset"
                    );
                    metrics::counter!(crate::metrics::IDENTIFY_BUDGET_WAITS).increment(1);
                    record_budget(self.pacing.reserve);
                    tokio::time::sleep(resets_in.clamp(RETRY, Duration::from_secs(60))).await;
                }
                Ok(Spend::Unknown) => {
                    self.source.refresh(self.coordinator.as_ref()).await;
                    // Whatever it gave, do not ask Discord in a loop.
                    if matches!(self.coordinator.budget().await, Ok(None)) {
                        tokio::time::sleep(RETRY).await;
                    }
                }
                Err(error) => {
                    tracing::warn!(shard, %error, "cannot spend an identify; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
        let bucket = shard % self.pacing.max_concurrency;
        loop {
            match self
                .coordinator
                .identify_slot(bucket, self.pacing.interval)
                .await
            {
                Ok(wait) => {
                    metrics::histogram!(crate::metrics::IDENTIFY_WAIT).record(wait.as_secs_f64());
                    tokio::time::sleep(wait).await;
                    return;
                }
                Err(error) => {
                    tracing::warn!(shard, %error, "cannot reserve an identify slot; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }
}

fn record_budget(remaining: u32) {
    metrics::gauge!(crate::metrics::IDENTIFY_BUDGET).set(f64::from(remaining));
}

impl twilight_gateway_queue::Queue for ClusterQueue {
    fn enqueue(&self, shard: u32) -> oneshot::Receiver<()> {
        let (go, wait) = oneshot::channel();
        let queue = self.clone();
        tokio::spawn(async move {
            queue.wait_turn(shard).await;
            let _ = go.send(());
        });
        wait
    }
}
