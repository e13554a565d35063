//! The identify queue on the in-memory coordinator, on tokio's paused clock: slots per bucket
//! an interval apart, the budget learned when unknown, spent down to its reserve and then
//! waited for.

use helpline_cluster::{
    BudgetSource, ClusterQueue, Coordinator, IdentifyPacing, MemoryCoordinator,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Discord's answer: `remaining` identifies for the next hour; counts how often it was asked.
#[derive(Debug)]
struct Discord {
    remaining: u32,
    asked: AtomicU32,
}

#[async_trait::async_trait]
impl BudgetSource for Discord {
    async fn refresh(&self, coordinator: &dyn Coordinator) {
        self.asked.fetch_add(1, Ordering::SeqCst);
        coordinator
            .observe_budget(self.remaining, Duration::from_secs(3600))
            .await
            .unwrap();
    }
}

fn queue(remaining: u32, reserve: u32) -> (ClusterQueue, Arc<Discord>, Arc<MemoryCoordinator>) {
    let coordinator = Arc::new(MemoryCoordinator::new());
    let discord = Arc::new(Discord {
        remaining,
        asked: AtomicU32::new(0),
    });
    let queue = ClusterQueue::new(
        coordinator.clone(),
        IdentifyPacing {
            max_concurrency: 2,
            interval: Duration::from_secs(5),
            reserve,
        },
        discord.clone(),
    );
    (queue, discord, coordinator)
}

#[tokio::test(start_paused = true)]
async fn shards_of_one_bucket_identify_an_interval_apart() {
    let (queue, discord, _) = queue(100, 10);
    let start = Instant::now();
    let mut turns = Vec::new();
    for shard in 0..6 {
        let queue = queue.clone();
        turns.push(tokio::spawn(async move {
            queue.wait_turn(shard).await;
            (shard, Instant::now() - start)
        }));
    }
    let mut at = Vec::new();
    for turn in turns {
        at.push(turn.await.unwrap());
    }
    at.sort_by_key(|(shard, _)| *shard);
    // Buckets 0 (shards 0, 2, 4) and 1 (1, 3, 5) each admit one identify per 5 s.
    let mut bucket0: Vec<Duration> = at
        .iter()
        .filter(|(s, _)| s % 2 == 0)
        .map(|(_, t)| *t)
        .collect();
    let mut bucket1: Vec<Duration> = at
        .iter()
        .filter(|(s, _)| s % 2 == 1)
        .map(|(_, t)| *t)
        .collect();
    bucket0.sort();
    bucket1.sort();
    let secs = |times: &[Duration]| times.iter().map(Duration::as_secs).collect::<Vec<_>>();
    assert_eq!(secs(&bucket0), [0, 5, 10]);
    assert_eq!(secs(&bucket1), [0, 5, 10]);
    assert_eq!(
        discord.asked.load(Ordering::SeqCst),
        1,
        "the budget was learned once"
    );
}

#[tokio::test(start_paused = true)]
async fn the_budget_is_never_spent_below_its_reserve() {
    let (queue, _, coordinator) = queue(3, 1);
    queue.wait_turn(0).await;
    queue.wait_turn(1).await;
    let budget = coordinator.budget().await.unwrap().unwrap();
    assert_eq!(budget.remaining, 1, "two spent, the reserve kept");
    // A crash loop's next identify waits for the budget to reset instead of spending it.
    let waiting = tokio::spawn({
        let queue = queue.clone();
        async move { queue.wait_turn(2).await }
    });
    tokio::time::sleep(Duration::from_secs(1800)).await;
    assert!(!waiting.is_finished(), "no identify below the reserve");
    waiting.abort();
}
