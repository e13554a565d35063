//! The contract of `Limits`, once, against both backends; "two replicas" are two handles.

use helpline_cluster::RedisServer;
use helpline_proxy::{Learned, Limits, MemoryLimits, Permit, RedisLimits};
use std::sync::Arc;
use std::time::Duration;

pub(crate) struct Backend {
    one: Arc<dyn Limits>,
    two: Arc<dyn Limits>,
    _server: Option<(RedisServer, tempfile::TempDir)>,
}

impl Backend {
    async fn memory() -> Self {
        let limits: Arc<dyn Limits> = Arc::new(MemoryLimits::new());
        Self {
            one: limits.clone(),
            two: limits,
            _server: None,
        }
    }

    async fn redis() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let server = RedisServer::start(dir.path()).unwrap();
        let url = server.url();
        let connect = || RedisLimits::connect(&url, "test:", Duration::from_secs(2));
        let one = Arc::new(connect().await.unwrap());
        let two = Arc::new(connect().await.unwrap());
        Self {
            one,
            two,
            _server: Some((server, dir)),
        }
    }
}

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
    an_unknown_bucket_admits_one_probe,
    a_probe_answered_without_headers_frees_the_next,
    a_known_bucket_admits_its_remaining_then_waits_for_its_reset,
    after_a_reset_one_probe_learns_the_new_window,
    answers_out_of_order_keep_the_lower_remaining,
    routes_discord_puts_in_one_bucket_share_it,
    the_global_budget_holds_in_any_second,
    a_global_block_stops_everything_of_the_bot,
    invalid_requests_are_counted_per_egress,
    a_revoked_token_is_remembered,
);

const ROUTE: &str = "POST /channels/1/messages";
const MAJOR: &str = "channels/1";

fn learned(bucket: &str, limit: u32, remaining: u32, reset_after_ms: u64) -> Learned {
    Learned {
        bucket: bucket.to_owned(),
        limit,
        remaining,
        reset_after: Duration::from_millis(reset_after_ms),
    }
}

fn waits(permit: Permit) -> Duration {
    match permit {
        Permit::Wait(wait) => wait,
        Permit::Go => panic!("expected a wait"),
    }
}

async fn an_unknown_bucket_admits_one_probe(backend: Backend) {
    assert_eq!(
        backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    let wait = waits(backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
    assert!(
        wait <= Duration::from_millis(20),
        "held for the probe's answer, looking again soon: {wait:?}"
    );
    waits(backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
    assert_eq!(
        backend
            .two
            .take_bucket("bot", ROUTE, "channels/2")
            .await
            .unwrap(),
        Permit::Go,
        "another channel is another bucket"
    );
    assert_eq!(
        backend
            .two
            .take_bucket("other bot", ROUTE, MAJOR)
            .await
            .unwrap(),
        Permit::Go,
        "another bot too"
    );
    backend
        .one
        .learn("bot", ROUTE, MAJOR, Some(&learned("h", 5, 4, 5000)))
        .await
        .unwrap();
    for _ in 0..4 {
        assert_eq!(
            backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
            Permit::Go
        );
    }
    let wait = waits(backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
    assert!(
        wait > Duration::from_secs(4) && wait <= Duration::from_secs(5),
        "{wait:?}"
    );
}

async fn a_probe_answered_without_headers_frees_the_next(backend: Backend) {
    assert_eq!(
        backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    backend.one.learn("bot", ROUTE, MAJOR, None).await.unwrap();
    assert_eq!(
        backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
}

async fn a_known_bucket_admits_its_remaining_then_waits_for_its_reset(backend: Backend) {
    backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap();
    backend
        .one
        .learn("bot", ROUTE, MAJOR, Some(&learned("h", 3, 2, 300)))
        .await
        .unwrap();
    assert_eq!(
        backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    assert_eq!(
        backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    let wait = waits(backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
    assert!(wait <= Duration::from_millis(300), "{wait:?}");
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    assert_eq!(
        backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
}

async fn after_a_reset_one_probe_learns_the_new_window(backend: Backend) {
    backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap();
    backend
        .one
        .learn("bot", ROUTE, MAJOR, Some(&learned("h", 3, 0, 200)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(
        backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    // Requests admitted at the end of the last window may count in this one: only the
    // probe's answer says what is left.
    let wait = waits(backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
    assert!(wait <= Duration::from_millis(20), "{wait:?}");
    backend
        .two
        .learn("bot", ROUTE, MAJOR, Some(&learned("h", 3, 1, 1000)))
        .await
        .unwrap();
    assert_eq!(
        backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    waits(backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
}

async fn answers_out_of_order_keep_the_lower_remaining(backend: Backend) {
    backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap();
    backend
        .one
        .learn("bot", ROUTE, MAJOR, Some(&learned("h", 5, 2, 2000)))
        .await
        .unwrap();
    // A slower answer from earlier in the window still says 4 left.
    backend
        .two
        .learn("bot", ROUTE, MAJOR, Some(&learned("h", 5, 4, 1990)))
        .await
        .unwrap();
    assert_eq!(
        backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    assert_eq!(
        backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap(),
        Permit::Go
    );
    waits(backend.two.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
}

async fn routes_discord_puts_in_one_bucket_share_it(backend: Backend) {
    const OTHER: &str = "PATCH /channels/1/messages/:id";
    backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap();
    backend
        .one
        .learn(
            "bot",
            ROUTE,
            MAJOR,
            Some(&learned("shared-hash", 2, 1, 5000)),
        )
        .await
        .unwrap();
    backend.two.take_bucket("bot", OTHER, MAJOR).await.unwrap();
    backend
        .two
        .learn(
            "bot",
            OTHER,
            MAJOR,
            Some(&learned("shared-hash", 2, 0, 5000)),
        )
        .await
        .unwrap();
    waits(backend.one.take_bucket("bot", ROUTE, MAJOR).await.unwrap());
    waits(backend.one.take_bucket("bot", OTHER, MAJOR).await.unwrap());
}

async fn the_global_budget_holds_in_any_second(backend: Backend) {
    for _ in 0..5 {
        assert_eq!(backend.one.take_global("bot", 5).await.unwrap(), Permit::Go);
    }
    let wait = waits(backend.two.take_global("bot", 5).await.unwrap());
    assert!(wait <= Duration::from_secs(1), "{wait:?}");
    assert_eq!(
        backend.two.take_global("other bot", 5).await.unwrap(),
        Permit::Go
    );
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    assert_eq!(backend.two.take_global("bot", 5).await.unwrap(), Permit::Go);
}

async fn a_global_block_stops_everything_of_the_bot(backend: Backend) {
    backend
        .one
        .block_global("bot", Duration::from_millis(400))
        .await
        .unwrap();
    let wait = waits(backend.two.take_global("bot", 50).await.unwrap());
    assert!(wait <= Duration::from_millis(400), "{wait:?}");
    tokio::time::sleep(wait + Duration::from_millis(20)).await;
    assert_eq!(
        backend.two.take_global("bot", 50).await.unwrap(),
        Permit::Go
    );
}

async fn invalid_requests_are_counted_per_egress(backend: Backend) {
    assert_eq!(backend.one.invalid("nat").await.unwrap(), 0);
    assert_eq!(backend.one.count_invalid("nat").await.unwrap(), 1);
    assert_eq!(backend.two.count_invalid("nat").await.unwrap(), 2);
    assert_eq!(backend.two.count_invalid("other").await.unwrap(), 1);
    assert_eq!(backend.one.invalid("nat").await.unwrap(), 2);
    assert_eq!(backend.one.count_forbidden("bot", ROUTE).await.unwrap(), 1);
    assert_eq!(backend.two.count_forbidden("bot", ROUTE).await.unwrap(), 2);
}

async fn a_revoked_token_is_remembered(backend: Backend) {
    assert!(!backend.one.revoked("bot").await.unwrap());
    backend
        .one
        .revoke("bot", Duration::from_millis(300))
        .await
        .unwrap();
    assert!(backend.two.revoked("bot").await.unwrap());
    assert!(!backend.two.revoked("other bot").await.unwrap());
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        !backend.two.revoked("bot").await.unwrap(),
        "tried again later"
    );
}
