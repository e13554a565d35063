//! ScyllaDB: the conformance suite on the local CQL stand-in (and on a real node when
//! `HELPLINE_TEST_SCYLLA=host:port` is set), and what only this backend has: migrations, many
//! store clients racing, lightweight transactions that time out, statements per operation.

use crate::conformance::{Backend, config, new_ticket};
use cql_emulator::{Config, CqlEmulator, Stats};
use helpline_domain::{Id, TicketId, TicketState, Timestamp};
use helpline_store::{
    Keys, OpenOutcome, Page, SCYLLA_SCHEMA_VERSION, ScyllaConfig, ScyllaStore, Store, StoreKey,
    StoreLimits,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

const LIMITS: StoreLimits = StoreLimits {
    max_attachment_bytes: 1 << 20,
    max_ticket_attachment_bytes: 3 << 20,
};

fn settings(contact_point: String, keyspace: &str) -> ScyllaConfig {
    ScyllaConfig {
        contact_points: vec![contact_point],
        keyspace: keyspace.to_owned(),
        local_datacenter: None,
        username: None,
        password: None,
        tls: false,
        tls_ca_file: None,
        replication: "{'class': 'SimpleStrategy', 'replication_factor': 1}".into(),
    }
}

fn sealing() -> Keys {
    Keys::new(
        StoreKey {
            id: 3,
            bytes: [9; 32],
        },
        Vec::new(),
    )
    .unwrap()
}

/// A stand-in node with a migrated keyspace.
async fn node(config: Config) -> (CqlEmulator, ScyllaConfig) {
    let node = CqlEmulator::start(config)
        .await
        .expect("the CQL node starts");
    let settings = settings(node.addr().to_string(), "helpline");
    let version = ScyllaStore::migrate(&settings).await.expect("migrate");
    assert_eq!(version, SCYLLA_SCHEMA_VERSION);
    (node, settings)
}

async fn connect(settings: &ScyllaConfig) -> ScyllaStore {
    ScyllaStore::connect(settings, LIMITS)
        .await
        .expect("connect")
}

/// The stand-in backend seals transcripts at rest.
pub(crate) async fn stand_in_backend() -> Backend {
    let (node, settings) = node(Config::default()).await;
    let store = connect(&settings).await.with_keys(sealing()).unwrap();
    Backend {
        store: Arc::new(store),
        _keep: Some(Box::new(node)),
    }
}

/// A real node's backend, in a keyspace of its own per test; `None` (said loudly) when
/// `HELPLINE_TEST_SCYLLA` is not set.
async fn real_backend() -> Option<Backend> {
    static KEYSPACES: AtomicU32 = AtomicU32::new(0);
    let Ok(address) = std::env::var("HELPLINE_TEST_SCYLLA") else {
        eprintln!(
            "\n*** SKIPPED: the conformance suite on a real ScyllaDB node: set HELPLINE_TEST_SCYLLA=host:port to run it ***\n"
        );
        return None;
    };
    let keyspace = format!(
        "helpline_test_{}_{}",
        std::process::id(),
        KEYSPACES.fetch_add(1, Ordering::Relaxed)
    );
    let settings = settings(address, &keyspace);
    ScyllaStore::migrate(&settings).await.expect("migrate");
    let store = connect(&settings).await.with_keys(sealing()).unwrap();
    Some(Backend {
        store: Arc::new(store),
        _keep: None,
    })
}

conformance_suite!(scylla_stand_in, crate::scylla::stand_in_backend());
conformance_suite!(sequential scylla_real_node, crate::scylla::real_backend());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_create_the_keyspace_once_and_connect_checks_the_schema() {
    let node = CqlEmulator::start(Config::default()).await.unwrap();
    let settings = settings(node.addr().to_string(), "helpline");
    // Never migrated: refused, saying what to do.
    let error = ScyllaStore::connect(&settings, LIMITS).await.unwrap_err();
    assert!(
        error.to_string().contains("run `helpline migrate`"),
        "{error}"
    );
    assert_eq!(
        ScyllaStore::migrate(&settings).await.unwrap(),
        SCYLLA_SCHEMA_VERSION
    );
    assert_eq!(
        ScyllaStore::migrate(&settings).await.unwrap(),
        SCYLLA_SCHEMA_VERSION,
        "a second migrate changes nothing"
    );
    let store = connect(&settings).await;
    assert_eq!(store.schema_version().await.unwrap(), SCYLLA_SCHEMA_VERSION);

    // A keyspace migrated by a newer build is refused by this one, by migrate too.
    let session = scylla::client::session_builder::SessionBuilder::new()
        .known_node_addr(node.addr())
        .build()
        .await
        .unwrap();
    session
        .query_unpaged(
            "INSERT INTO helpline.schema_migrations (scope, version, applied_at) VALUES ('helpline', 99, 0)",
            (),
        )
        .await
        .unwrap();
    for error in [
        ScyllaStore::connect(&settings, LIMITS).await.unwrap_err(),
        ScyllaStore::migrate(&settings).await.unwrap_err(),
    ] {
        assert!(
            error
                .to_string()
                .contains("at schema version 99, newer than this build's"),
            "{error}"
        );
    }
    // A keyspace name that is not one is refused before anything is sent.
    let error = ScyllaStore::migrate(&self::settings(node.addr().to_string(), "a;b"))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("is not a keyspace name"),
        "{error}"
    );
}

/// Two hundred members open at once through four store clients (four processes of a
/// cluster): numbers 1 to 200, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_opens_across_four_clients_are_numbered_one_to_two_hundred() {
    let (_node, settings) = node(Config::default()).await;
    let mut clients = Vec::new();
    for _ in 0..4 {
        clients.push(Arc::new(connect(&settings).await));
    }
    let config = Arc::new(config(1_000, 1, 60));
    let now = Timestamp::from_secs(5_000);
    let mut tasks = Vec::new();
    for n in 0..200u64 {
        let store = clients[(n % 4) as usize].clone();
        let config = config.clone();
        tasks.push(tokio::spawn(async move {
            let (ticket, limits) = new_ticket(&config, 1_000 + n, 10_000 + n, now);
            match store.open_ticket(ticket, limits, now, None).await.unwrap() {
                OpenOutcome::Created(ticket) => ticket.number,
                other => panic!("unexpected outcome {other:?}"),
            }
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=200).collect::<Vec<u32>>());
    let stored: BTreeSet<u32> = clients[0]
        .tickets_by_guild(Id::new(1_000), &[], Page::first(500))
        .await
        .unwrap()
        .iter()
        .map(|t| t.number)
        .collect();
    assert_eq!(stored, (1..=200).collect());
}

/// Writes time out (a third of them), applied or not: every open still ends with one ticket
/// per member, numbered without a gap or a duplicate, and one member's fifty clicks still make
/// one ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn timed_out_lightweight_transactions_leave_no_gap_and_no_duplicate() {
    for applied in [true, false] {
        let (node, settings) = node(Config {
            write_timeout_rate: 0.3,
            timeout_applied: applied,
            ..Config::default()
        })
        .await;
        let store = Arc::new(connect(&settings).await);
        let config = Arc::new(config(1_000, 1, 0));
        let now = Timestamp::from_secs(9_000);
        let mut tasks = Vec::new();
        for n in 0..60u64 {
            let (store, config) = (store.clone(), config.clone());
            // Members 0..10 click five times each; members 10..20 once.
            let member = if n < 50 { n % 10 } else { n - 40 };
            tasks.push(tokio::spawn(async move {
                let (ticket, limits) = new_ticket(&config, 1_000 + n, 20_000 + member, now);
                store.open_ticket(ticket, limits, now, None).await
            }));
        }
        let mut created = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(OpenOutcome::Created(_)) => created += 1,
                Ok(OpenOutcome::LimitReached { .. } | OpenOutcome::Existing(_)) => {}
                Ok(other) => panic!("unexpected outcome {other:?}"),
                Err(error) => panic!("an open failed (applied: {applied}): {error}"),
            }
        }
        assert_eq!(created, 20, "one ticket per member (applied: {applied})");
        let tickets = store
            .tickets_by_guild(Id::new(1_000), &[], Page::first(500))
            .await
            .unwrap();
        let numbers: Vec<u32> = tickets.iter().rev().map(|t| t.number).collect();
        assert_eq!(
            numbers,
            (1..=20).collect::<Vec<u32>>(),
            "applied: {applied}"
        );
        let members: BTreeSet<u64> = tickets.iter().map(|t| t.opener.get()).collect();
        assert_eq!(members.len(), 20);
        assert!(node.stats().timeouts > 0, "timeouts were injected");
    }
}

/// What one ticket's life costs in statements: the figure that carries over to a real
/// cluster (the stand-in's own speed does not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_per_operation() {
    use helpline_domain::lifecycle::{Context, opened};
    let (node, settings) = node(Config::default()).await;
    let store = connect(&settings).await;
    let config = config(1_000, 3, 0);
    let now = Timestamp::from_secs(100_000);
    // Warm: the guild's counter exists and statements are prepared.
    let (warm, limits) = new_ticket(&config, 1, 50, now);
    store.open_ticket(warm, limits, now, None).await.unwrap();

    let delta = |before: Stats, after: Stats| {
        (
            after.reads - before.reads,
            after.writes - before.writes,
            after.lwts - before.lwts,
        )
    };
    let before = node.stats();
    let (ticket, limits) = new_ticket(&config, 2, 51, now);
    let OpenOutcome::Created(ticket) = store.open_ticket(ticket, limits, now, None).await.unwrap()
    else {
        panic!("created");
    };
    let open = delta(before, node.stats());

    let before = node.stats();
    let transition = opened(
        &ticket,
        &Context {
            config: &config,
            bot_id: Id::new(1),
            now,
        },
    );
    store
        .commit_ticket(
            &transition.ticket,
            ticket.version,
            &transition.effects,
            now,
            None,
        )
        .await
        .unwrap();
    let commit = delta(before, node.stats());

    let before = node.stats();
    let pending = store.pending_effects(ticket.id).await.unwrap();
    for effect in &pending {
        store.finish_effect(effect.effect.key, now).await.unwrap();
    }
    let settle = delta(before, node.stats());
    let per_effect = (
        settle.0 as f64 / pending.len() as f64,
        settle.1 as f64 / pending.len() as f64,
        settle.2 as f64 / pending.len() as f64,
    );

    let before = node.stats();
    let message = crate::conformance::message(7 << 22, "hello", Vec::new());
    store.append_message(ticket.id, &message).await.unwrap();
    let append = delta(before, node.stats());

    let before = node.stats();
    let mut closed = transition.ticket.clone();
    closed.state = TicketState::Closed;
    closed.closed_at = Some(now);
    closed.close_reason = Some(helpline_domain::CloseReason::NoneGiven);
    closed.version += 1;
    store
        .update_ticket(&closed, transition.ticket.version)
        .await
        .unwrap();
    let close = delta(before, node.stats());

    eprintln!(
        "statements (reads, writes, LWTs): open {open:?}, opening commit with {} effects {commit:?}, \
         per settled effect {per_effect:?}, transcript append {append:?}, close {close:?}",
        transition.effects.len() - 1
    );
    // Lightweight transactions only where an invariant needs one: the member's place, the
    // guild's number and the ticket itself on an open; one conditional batch per commit;
    // none for a transcript message.
    assert_eq!(open.2, 3, "LWTs per open");
    assert_eq!(commit.2, 1, "LWTs per commit");
    assert_eq!(close.2, 1, "LWTs per close");
    assert_eq!(append.2, 0, "LWTs per appended message");
    assert_eq!(per_effect.2, 1.0, "LWTs per settled effect");
    assert_eq!(store.ticket(TicketId(2)).await.unwrap(), Some(closed));
}

/// A process numbered a member's ticket and died before writing it (the ticket is only in its
/// guild's counter). The member's next click, minutes later, finds it, writes it and is told
/// about it: the open limit holds; the next member's ticket takes the next number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_numbered_by_a_process_that_died_is_written_and_counted() {
    let (node, settings) = node(Config::default()).await;
    let store = connect(&settings).await;
    let config = config(1_000, 1, 0);
    let then = Timestamp::from_secs(50_000);
    let (mut crashed, _) = new_ticket(&config, 77, 9, then);
    crashed.number = 1;
    let session = scylla::client::session_builder::SessionBuilder::new()
        .known_node_addr(node.addr())
        .build()
        .await
        .unwrap();
    session
        .query_unpaged(
            "INSERT INTO helpline.member_opens (guild_id, panel_id, opener_id, ticket_id, created_at, seq) VALUES (1000, 1, 9, 77, ?, 1)",
            (then.as_millis(),),
        )
        .await
        .unwrap();
    session
        .query_unpaged(
            "INSERT INTO helpline.guild_numbers (guild_id, last, pending_id, pending) VALUES (1000, 1, 77, ?)",
            (serde_json::to_string(&crashed).unwrap(),),
        )
        .await
        .unwrap();

    let later = then.plus(std::time::Duration::from_secs(300));
    let (again, limits) = new_ticket(&config, 78, 9, later);
    match store.open_ticket(again, limits, later, None).await.unwrap() {
        OpenOutcome::LimitReached { limit: 1, open } => {
            assert_eq!(
                open.iter().map(|t| (t.id, t.number)).collect::<Vec<_>>(),
                [(TicketId(77), 1)]
            );
        }
        other => panic!("expected the limit, got {other:?}"),
    }
    assert_eq!(store.ticket(TicketId(77)).await.unwrap(), Some(crashed));
    let (other, limits) = new_ticket(&config, 79, 10, later);
    let OpenOutcome::Created(other) = store.open_ticket(other, limits, later, None).await.unwrap()
    else {
        panic!("created");
    };
    assert_eq!(other.number, 2);
}
