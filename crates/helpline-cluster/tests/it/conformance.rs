//! The contract of `Coordinator`, written once and run against both backends. "Two processes"
//! are two handles: two Redis connections, or the same in-memory coordinator.

use helpline_cluster::{
    Coordinator, Grant, MemoryCoordinator, RedisCoordinator, RedisServer, SavedSession, Spend,
};
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Backend {
    one: Arc<dyn Coordinator>,
    two: Arc<dyn Coordinator>,
    _server: Option<(RedisServer, tempfile::TempDir)>,
}

impl Backend {
    async fn memory() -> Self {
        let coordinator: Arc<dyn Coordinator> = Arc::new(MemoryCoordinator::new());
        Self {
            one: coordinator.clone(),
            two: coordinator,
            _server: None,
        }
    }

    async fn redis() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = RedisServer::start(dir.path()).unwrap();
        let url = server.url();
        let connect = || RedisCoordinator::connect(&url, "test:", Duration::from_secs(2));
        let one = Arc::new(connect().await.unwrap());
        let two = Arc::new(connect().await.unwrap());
        Self {
            one,
            two,
            _server: Some((server, dir)),
        }
    }
}

const TTL: Duration = Duration::from_secs(30);
const SHORT: Duration = Duration::from_millis(300);

macro_rules! conformance {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $check() {
                super::$check(super::Backend::memory().await).await;
            })*
        }
        mod redis {
            $(#[tokio::test]
            async fn $check() {
                super::$check(super::Backend::redis().await).await;
            })*
        }
    };
}

conformance!(
    a_lease_is_granted_to_one_holder,
    tokens_grow_across_holders,
    renewing_and_releasing_need_the_current_grant,
    an_expired_lease_is_lost_and_granted_again,
    holders_name_each_shard,
    members_expire_and_leave,
    sessions_are_saved_only_by_the_latest_grant,
    identify_slots_are_an_interval_apart,
    the_budget_is_spent_down_to_its_reserve,
    concurrent_acquires_have_one_winner,
    tokens_can_be_raised_but_never_lowered,
);

async fn tokens_can_be_raised_but_never_lowered(backend: Backend) {
    backend.one.raise_token(6, 41).await.unwrap();
    let grant = backend.two.acquire(6, "a", TTL).await.unwrap().unwrap();
    assert_eq!(grant.token, 42, "the next token is above the floor");
    backend.one.raise_token(6, 3).await.unwrap();
    assert_eq!(
        backend.one.current_token(6).await.unwrap(),
        42,
        "never lowered"
    );
    assert!(
        backend.two.renew(grant, "a", TTL).await.unwrap(),
        "raising does not touch the lease"
    );
}

async fn a_lease_is_granted_to_one_holder(backend: Backend) {
    let grant = backend.one.acquire(3, "a", TTL).await.unwrap();
    assert_eq!(grant, Some(Grant { shard: 3, token: 1 }));
    assert_eq!(backend.two.acquire(3, "b", TTL).await.unwrap(), None);
    let again = backend.one.acquire(3, "a", TTL).await.unwrap();
    assert_eq!(
        again,
        Some(Grant { shard: 3, token: 2 }),
        "its holder, restarted under the same name, takes it back with a new token"
    );
    assert!(
        !backend.one.renew(grant.unwrap(), "a", TTL).await.unwrap(),
        "the former self's grant is stale"
    );
    assert_eq!(backend.two.acquire(3, "b", TTL).await.unwrap(), None);
    assert_eq!(
        backend.two.acquire(4, "b", TTL).await.unwrap(),
        Some(Grant { shard: 4, token: 1 }),
        "tokens are per shard"
    );
    assert_eq!(backend.two.current_token(3).await.unwrap(), 2);
    assert_eq!(backend.two.current_token(9).await.unwrap(), 0);
}

async fn tokens_grow_across_holders(backend: Backend) {
    let mut last = 0;
    for round in 0..5 {
        let (coordinator, holder) = if round % 2 == 0 {
            (&backend.one, "a")
        } else {
            (&backend.two, "b")
        };
        let grant = coordinator.acquire(0, holder, TTL).await.unwrap().unwrap();
        assert!(grant.token > last, "{grant:?} after {last}");
        last = grant.token;
        assert!(coordinator.release(grant, holder).await.unwrap());
    }
    assert_eq!(backend.one.current_token(0).await.unwrap(), last);
}

async fn renewing_and_releasing_need_the_current_grant(backend: Backend) {
    let grant = backend.one.acquire(1, "a", TTL).await.unwrap().unwrap();
    assert!(backend.one.renew(grant, "a", TTL).await.unwrap());
    assert!(
        !backend.two.renew(grant, "b", TTL).await.unwrap(),
        "another holder's name"
    );
    let stale = Grant {
        token: grant.token + 1,
        ..grant
    };
    assert!(
        !backend.one.renew(stale, "a", TTL).await.unwrap(),
        "another token"
    );
    assert!(!backend.two.release(grant, "b").await.unwrap());
    assert_eq!(
        backend.two.holders(2).await.unwrap(),
        vec![None, Some("a".into())]
    );
    assert!(backend.one.release(grant, "a").await.unwrap());
    assert!(
        !backend.one.release(grant, "a").await.unwrap(),
        "released once"
    );
    assert!(!backend.one.renew(grant, "a", TTL).await.unwrap());
    assert_eq!(backend.two.holders(2).await.unwrap(), vec![None, None]);
}

async fn an_expired_lease_is_lost_and_granted_again(backend: Backend) {
    let old = backend.one.acquire(2, "a", SHORT).await.unwrap().unwrap();
    tokio::time::sleep(SHORT * 2).await;
    let new = backend.two.acquire(2, "b", TTL).await.unwrap().unwrap();
    assert!(new.token > old.token);
    assert!(
        !backend.one.renew(old, "a", TTL).await.unwrap(),
        "the woken holder learns it lost the lease"
    );
    assert!(!backend.one.release(old, "a").await.unwrap());
    assert_eq!(
        backend.one.holders(3).await.unwrap()[2].as_deref(),
        Some("b")
    );
}

async fn holders_name_each_shard(backend: Backend) {
    assert_eq!(
        backend.one.holders(0).await.unwrap(),
        Vec::<Option<String>>::new()
    );
    backend.one.acquire(0, "pod-0", TTL).await.unwrap().unwrap();
    backend.two.acquire(2, "pod-1", TTL).await.unwrap().unwrap();
    assert_eq!(
        backend.one.holders(4).await.unwrap(),
        vec![Some("pod-0".into()), None, Some("pod-1".into()), None]
    );
}

async fn members_expire_and_leave(backend: Backend) {
    backend.one.heartbeat("b", TTL).await.unwrap();
    backend.two.heartbeat("a", TTL).await.unwrap();
    backend.two.heartbeat("c", SHORT).await.unwrap();
    assert_eq!(backend.one.members().await.unwrap(), ["a", "b", "c"]);
    tokio::time::sleep(SHORT * 2).await;
    assert_eq!(
        backend.one.members().await.unwrap(),
        ["a", "b"],
        "c stopped beating"
    );
    backend.one.leave("b").await.unwrap();
    assert_eq!(backend.two.members().await.unwrap(), ["a"]);
    backend.one.heartbeat("a", TTL).await.unwrap();
    assert_eq!(
        backend.two.members().await.unwrap(),
        ["a"],
        "one entry per member"
    );
}

async fn sessions_are_saved_only_by_the_latest_grant(backend: Backend) {
    let session = |sequence| SavedSession {
        id: "session-1".into(),
        sequence,
        resume_url: Some("wss://resume.example/?v=10".into()),
    };
    assert_eq!(backend.one.session(5).await.unwrap(), None);
    let old = backend.one.acquire(5, "a", SHORT).await.unwrap().unwrap();
    assert!(backend.one.save_session(old, &session(10)).await.unwrap());
    assert_eq!(backend.two.session(5).await.unwrap(), Some(session(10)));
    tokio::time::sleep(SHORT * 2).await;
    let new = backend.two.acquire(5, "b", TTL).await.unwrap().unwrap();
    assert!(backend.two.save_session(new, &session(20)).await.unwrap());
    assert!(
        !backend.one.save_session(old, &session(11)).await.unwrap(),
        "a woken old holder cannot overwrite the new holder's session"
    );
    assert!(!backend.one.clear_session(old).await.unwrap());
    assert_eq!(backend.one.session(5).await.unwrap(), Some(session(20)));
    let without_url = SavedSession {
        resume_url: None,
        ..session(21)
    };
    assert!(backend.two.save_session(new, &without_url).await.unwrap());
    assert_eq!(backend.one.session(5).await.unwrap(), Some(without_url));
    assert!(backend.two.clear_session(new).await.unwrap());
    assert_eq!(backend.one.session(5).await.unwrap(), None);
}

async fn identify_slots_are_an_interval_apart(backend: Backend) {
    let interval = Duration::from_millis(400);
    let first = backend.one.identify_slot(0, interval).await.unwrap();
    let second = backend.two.identify_slot(0, interval).await.unwrap();
    let third = backend.one.identify_slot(0, interval).await.unwrap();
    let other_bucket = backend.two.identify_slot(1, interval).await.unwrap();
    assert_eq!(first, Duration::ZERO);
    assert_eq!(other_bucket, Duration::ZERO, "buckets are independent");
    // Reserved back to back (a few ms apart): each slot an interval after the one before.
    let near = |wait: Duration, expected: Duration| {
        wait <= expected && expected - wait < Duration::from_millis(100)
    };
    assert!(near(second, interval), "{second:?}");
    assert!(near(third, interval * 2), "{third:?}");
    tokio::time::sleep(interval * 3).await;
    assert_eq!(
        backend.one.identify_slot(0, interval).await.unwrap(),
        Duration::ZERO,
        "an idle bucket admits at once"
    );
}

async fn the_budget_is_spent_down_to_its_reserve(backend: Backend) {
    assert_eq!(backend.one.spend_identify(0).await.unwrap(), Spend::Unknown);
    assert_eq!(backend.one.budget().await.unwrap(), None);
    backend
        .one
        .observe_budget(5, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        backend.two.spend_identify(2).await.unwrap(),
        Spend::Spent { remaining: 4 }
    );
    // A stale answer from Discord (still 5) does not refill what the cluster spent.
    backend
        .two
        .observe_budget(5, Duration::from_secs(3600))
        .await
        .unwrap();
    assert_eq!(
        backend.one.spend_identify(2).await.unwrap(),
        Spend::Spent { remaining: 3 }
    );
    assert_eq!(
        backend.one.spend_identify(2).await.unwrap(),
        Spend::Spent { remaining: 2 }
    );
    let Spend::Exhausted { resets_in } = backend.two.spend_identify(2).await.unwrap() else {
        panic!("the reserve is kept");
    };
    assert!(resets_in > Duration::from_secs(3500), "{resets_in:?}");
    let budget = backend.one.budget().await.unwrap().unwrap();
    assert_eq!(budget.remaining, 2);
    // A lower figure from Discord is believed.
    backend
        .one
        .observe_budget(1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(backend.two.budget().await.unwrap().unwrap().remaining, 1);
    // An expired budget is unknown again: Discord refilled it.
    backend.one.observe_budget(0, SHORT).await.unwrap();
    assert!(matches!(
        backend.two.spend_identify(0).await.unwrap(),
        Spend::Exhausted { .. }
    ));
    tokio::time::sleep(SHORT * 2).await;
    assert_eq!(backend.two.spend_identify(0).await.unwrap(), Spend::Unknown);
}

async fn concurrent_acquires_have_one_winner(backend: Backend) {
    let mut attempts = tokio::task::JoinSet::new();
    for attempt in 0..40 {
        let coordinator = if attempt % 2 == 0 {
            backend.one.clone()
        } else {
            backend.two.clone()
        };
        attempts.spawn(async move {
            coordinator
                .acquire(7, &format!("p{attempt}"), TTL)
                .await
                .unwrap()
        });
    }
    let mut winners = Vec::new();
    while let Some(result) = attempts.join_next().await {
        winners.extend(result.unwrap());
    }
    assert_eq!(winners, vec![Grant { shard: 7, token: 1 }]);
}
