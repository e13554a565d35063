//! Store throughput on a SQLite file: atomic ticket opens per second from one task and from 8
//! concurrent tasks, and transcript appends per second. Run with
//! `cargo bench -p helpline-store --bench store_throughput`; it prints one line per figure.

#![allow(clippy::print_stdout)]

use helpline_domain::lifecycle::{OpenRequest, prepare_open};
use helpline_domain::permissions::Permissions;
use helpline_domain::{GuildConfig, Id, Member, Panel, TicketId, Timestamp, TranscriptMessage};
use helpline_store::{OpenOutcome, SqliteStore, Store, StoreLimits};
use std::sync::Arc;
use std::time::Instant;

const OPENS: u64 = 20_000;
const APPENDS: u64 = 50_000;

fn config() -> GuildConfig {
    let mut config = GuildConfig::new(Id::new(1));
    config
        .add_panel(|id| Panel::new(id, Id::new(2)))
        .expect("valid panel");
    config
}

async fn open_many(store: Arc<dyn Store>, config: Arc<GuildConfig>, ids: std::ops::Range<u64>) {
    let now = Timestamp::from_secs(1_800_000_000);
    for n in ids {
        let request = OpenRequest {
            ticket_id: TicketId(n),
            panel_id: config.panels[0].id,
            topic_id: None,
            opener: Id::new(n),
            opener_name: "member".into(),
            requested_by: Member {
                user_id: Id::new(n),
                roles: vec![],
                permissions: Permissions::empty(),
            },
            reason: None,
            answers: vec![],
        };
        let (ticket, limits) = prepare_open(&config, request, now).expect("valid open");
        let outcome = store
            .open_ticket(ticket, limits, now, None)
            .await
            .expect("store works");
        assert!(matches!(outcome, OpenOutcome::Created(_)));
    }
}

async fn append_many(store: Arc<dyn Store>, ticket: u64, ids: std::ops::Range<u64>) {
    for n in ids {
        let message = TranscriptMessage {
            message_id: Id::new(n << 22 | 1),
            author_id: Id::new(5),
            author_name: "member".into(),
            author_is_bot: false,
            content: "I still cannot log in after resetting my password, what should I try next?"
                .into(),
            created_at: Timestamp::of_snowflake(n << 22),
            edits: vec![],
            deleted_at: None,
            embeds: vec![],
            attachments: vec![],
            staff_note: false,
        };
        assert!(
            store
                .append_message(TicketId(ticket), &message)
                .await
                .expect("store works")
        );
    }
}

fn report(what: &str, count: u64, started: Instant) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{what:<42} {count:>7} in {seconds:>6.2} s = {:>9.0} /s",
        count as f64 / seconds
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(dir.path().join("bench.sqlite3"), StoreLimits::default())
                .await
                .expect("open"),
        );
        let config = Arc::new(config());

        let started = Instant::now();
        open_many(store.clone(), config.clone(), 1..OPENS + 1).await;
        report("ticket opens, 1 task", OPENS, started);

        let started = Instant::now();
        let per_task = OPENS / 8;
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let first = OPENS + 1 + t * per_task;
                tokio::spawn(open_many(
                    store.clone(),
                    config.clone(),
                    first..first + per_task,
                ))
            })
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        report("ticket opens, 8 concurrent tasks", per_task * 8, started);

        let started = Instant::now();
        append_many(store.clone(), 1, 1..APPENDS + 1).await;
        report("transcript appends, 1 task", APPENDS, started);

        let started = Instant::now();
        let per_task = APPENDS / 8;
        let tasks: Vec<_> = (0..8)
            .map(|t| tokio::spawn(append_many(store.clone(), 100 + t, 1..per_task + 1)))
            .collect();
        for task in tasks {
            task.await.expect("task");
        }
        report(
            "transcript appends, 8 concurrent tasks",
            per_task * 8,
            started,
        );
    });
}
