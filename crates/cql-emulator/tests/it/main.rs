//! The CQL stand-in driven by the real `scylla` driver over the native protocol: what it keeps,
//! how it answers, and what it refuses as Scylla does.

use std::time::Duration;

use cql_emulator::{Config, CqlEmulator};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::{Consistency, SerialConsistency, Statement};

async fn node() -> (CqlEmulator, Session) {
    let node = CqlEmulator::start(Config::default())
        .await
        .expect("the node starts");
    let session = SessionBuilder::new()
        .known_node_addr(node.addr())
        .build()
        .await
        .expect("the driver connects");
    session
        .query_unpaged(
            "CREATE KEYSPACE helpline WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
            &[],
        )
        .await
        .expect("keyspace");
    session.use_keyspace("helpline", false).await.expect("use");
    (node, session)
}

async fn refused(session: &Session, text: &str) -> String {
    match session.query_unpaged(text, &[]).await {
        Ok(_) => panic!("{text} was accepted"),
        Err(error) => error.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_connects_reads_its_metadata_and_round_trips_rows() {
    let (node, session) = node().await;
    session
        .query_unpaged(
            "CREATE TABLE tickets (guild bigint, number int, id bigint, state text, tags set<text>, \
             data blob, PRIMARY KEY (guild, number)) WITH CLUSTERING ORDER BY (number DESC)",
            &[],
        )
        .await
        .unwrap();
    session
        .await_schema_agreement()
        .await
        .expect("schema agreement");
    // The driver learnt the table from system_schema.
    session.refresh_metadata().await.expect("metadata");
    let state = session.get_cluster_state();
    let keyspace = state
        .get_keyspace("helpline")
        .expect("keyspace in metadata");
    assert!(
        keyspace.tables.contains_key("tickets"),
        "{:?}",
        keyspace.tables.keys()
    );

    let insert = session
        .prepare(
            "INSERT INTO tickets (guild, number, id, state, tags, data) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .await
        .unwrap();
    for number in 1..=25i32 {
        let tags: Vec<String> = vec!["b".into(), "a".into()];
        session
            .execute_unpaged(
                &insert,
                (
                    7i64,
                    number,
                    i64::from(number) * 100,
                    "open",
                    tags,
                    vec![number as u8; 3],
                ),
            )
            .await
            .unwrap();
    }
    let rows = session
        .query_unpaged(
            "SELECT number, id, tags FROM tickets WHERE guild = 7 LIMIT 3",
            &[],
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    let read: Vec<(i32, i64, Vec<String>)> = rows.rows().unwrap().map(Result::unwrap).collect();
    assert_eq!(
        read,
        vec![
            (25, 2500, vec!["a".to_owned(), "b".to_owned()]),
            (24, 2400, vec!["a".to_owned(), "b".to_owned()]),
            (23, 2300, vec!["a".to_owned(), "b".to_owned()])
        ],
        "clustering order DESC, sets sorted"
    );

    // Paging: the driver follows the paging state across pages.
    let mut select = Statement::new(
        "SELECT number FROM tickets WHERE guild = ? AND number > ? ORDER BY number ASC",
    );
    select.set_page_size(4);
    let prepared = session.prepare(select).await.unwrap();
    let pager = session.execute_iter(prepared, (7i64, 10i32)).await.unwrap();
    let numbers: Vec<i32> = {
        use futures_util::TryStreamExt as _;
        pager
            .rows_stream::<(i32,)>()
            .unwrap()
            .map_ok(|(n,)| n)
            .try_collect()
            .await
            .unwrap()
    };
    assert_eq!(numbers, (11..=25).collect::<Vec<_>>());
    assert!(node.stats().reads >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lightweight_transactions_apply_once_and_say_what_they_found() {
    let (node, session) = node().await;
    session
        .query_unpaged(
            "CREATE TABLE counters (guild bigint PRIMARY KEY, next int)",
            &[],
        )
        .await
        .unwrap();
    let create = session
        .prepare("INSERT INTO counters (guild, next) VALUES (?, 1) IF NOT EXISTS")
        .await
        .unwrap();
    let applied = |result: scylla::response::query_result::QueryResult| {
        let rows = result.into_rows_result().unwrap();
        let (applied, _guild, next): (bool, Option<i64>, Option<i32>) = rows.single_row().unwrap();
        (applied, next)
    };
    assert_eq!(
        applied(session.execute_unpaged(&create, (1i64,)).await.unwrap()),
        (true, None)
    );
    assert_eq!(
        applied(session.execute_unpaged(&create, (1i64,)).await.unwrap()),
        (false, Some(1)),
        "not applied: the row as it is"
    );
    let bump = session
        .prepare("UPDATE counters SET next = ? WHERE guild = ? IF next = ?")
        .await
        .unwrap();
    assert_eq!(
        applied(
            session
                .execute_unpaged(&bump, (2i32, 1i64, 1i32))
                .await
                .unwrap()
        ),
        (true, Some(1))
    );
    assert_eq!(
        applied(
            session
                .execute_unpaged(&bump, (3i32, 1i64, 1i32))
                .await
                .unwrap()
        ),
        (false, Some(2))
    );

    // A timeout whose write was applied: the client reads at SERIAL to learn the outcome.
    node.fail_writes(1, true);
    let error = session
        .execute_unpaged(&bump, (3i32, 1i64, 2i32))
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("timed out")
            || error.to_string().to_lowercase().contains("timeout"),
        "{error}"
    );
    let mut read = Statement::new("SELECT next FROM counters WHERE guild = 1");
    read.set_consistency(Consistency::Serial);
    let (next,): (i32,) = session
        .query_unpaged(read.clone(), &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row()
        .unwrap();
    assert_eq!(next, 3, "applied despite the timeout");
    // One not applied.
    node.fail_writes(1, false);
    assert!(
        session
            .execute_unpaged(&bump, (4i32, 1i64, 3i32))
            .await
            .is_err()
    );
    let (next,): (i32,) = session
        .query_unpaged(read, &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row()
        .unwrap();
    assert_eq!(next, 3, "not applied");
    assert_eq!(node.stats().timeouts, 2);

    // A conditional batch on one partition applies whole; across partitions it is refused.
    session
        .query_unpaged("CREATE TABLE slots (panel bigint, member bigint, ticket bigint, PRIMARY KEY (panel, member))", &[])
        .await
        .unwrap();
    let mut batch = Batch::new(BatchType::Logged);
    batch.append_statement(
        "INSERT INTO slots (panel, member, ticket) VALUES (1, 10, 100) IF NOT EXISTS",
    );
    batch.append_statement(
        "INSERT INTO slots (panel, member, ticket) VALUES (1, 11, 101) IF NOT EXISTS",
    );
    batch.set_serial_consistency(Some(SerialConsistency::Serial));
    session.batch(&batch, ((), ())).await.unwrap();
    let mut across = Batch::new(BatchType::Logged);
    across.append_statement(
        "INSERT INTO slots (panel, member, ticket) VALUES (1, 12, 102) IF NOT EXISTS",
    );
    across.append_statement(
        "INSERT INTO slots (panel, member, ticket) VALUES (2, 12, 103) IF NOT EXISTS",
    );
    let error = session.batch(&across, ((), ())).await.unwrap_err();
    assert!(
        error
            .to_string()
            .contains("cannot span multiple partitions"),
        "{error}"
    );
    let (count,): (i64,) = session
        .query_unpaged("SELECT COUNT(*) FROM slots WHERE panel = 1", &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row()
        .unwrap();
    assert_eq!(count, 2, "the refused batch wrote nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttls_expire_and_the_latest_write_wins() {
    let (node, session) = node().await;
    session
        .query_unpaged(
            "CREATE TABLE messages (ticket bigint, id bigint, body text, PRIMARY KEY (ticket, id)) \
             WITH default_time_to_live = 3600",
            &[],
        )
        .await
        .unwrap();
    session
        .query_unpaged(
            "INSERT INTO messages (ticket, id, body) VALUES (1, 1, 'kept a day') USING TTL 86400",
            &[],
        )
        .await
        .unwrap();
    session
        .query_unpaged(
            "INSERT INTO messages (ticket, id, body) VALUES (1, 2, 'the table default')",
            &[],
        )
        .await
        .unwrap();
    let (ttl,): (Option<i32>,) = session
        .query_unpaged(
            "SELECT ttl(body) FROM messages WHERE ticket = 1 AND id = 2",
            &[],
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row()
        .unwrap();
    assert!(ttl.is_some_and(|t| t > 3590 && t <= 3600), "{ttl:?}");
    node.advance(Duration::from_secs(2 * 3600));
    let ids: Vec<(i64,)> = session
        .query_unpaged("SELECT id FROM messages WHERE ticket = 1", &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows()
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        ids,
        vec![(1,)],
        "the default TTL's row expired, the day's did not"
    );

    // USING TIMESTAMP: an older write never overwrites a newer one.
    session
        .query_unpaged(
            "UPDATE messages USING TIMESTAMP 2000 SET body = 'newer' WHERE ticket = 2 AND id = 1",
            &[],
        )
        .await
        .unwrap();
    session
        .query_unpaged(
            "UPDATE messages USING TIMESTAMP 1000 SET body = 'older' WHERE ticket = 2 AND id = 1",
            &[],
        )
        .await
        .unwrap();
    session
        .query_unpaged(
            "DELETE FROM messages USING TIMESTAMP 1500 WHERE ticket = 2 AND id = 1",
            &[],
        )
        .await
        .unwrap();
    let (body,): (String,) = session
        .query_unpaged("SELECT body FROM messages WHERE ticket = 2 AND id = 1", &[])
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row()
        .unwrap();
    assert_eq!(body, "newer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_scylla_refuses_is_refused() {
    let (_node, session) = node().await;
    session
        .query_unpaged(
            "CREATE TABLE tickets (guild bigint, number int, state text, opener bigint, PRIMARY KEY ((guild), number))",
            &[],
        )
        .await
        .unwrap();
    let cases = [
        (
            "SELECT * FROM tickets WHERE state = 'open'",
            "ALLOW FILTERING",
        ),
        ("SELECT * FROM tickets WHERE number = 3", "ALLOW FILTERING"),
        (
            "SELECT * FROM tickets WHERE guild > 3",
            "Only EQ and IN relation are supported on the partition key",
        ),
        (
            "INSERT INTO tickets (number, state) VALUES (1, 'open')",
            "Some partition key parts are missing: guild",
        ),
        (
            "INSERT INTO tickets (guild, state) VALUES (1, 'open')",
            "Some clustering keys are missing: number",
        ),
        (
            "INSERT INTO tickets (guild, number, nope) VALUES (1, 1, 2)",
            "Unrecognized name nope",
        ),
        (
            "INSERT INTO tickets (guild, number, state) VALUES ('x', 1, 'open')",
            "Invalid STRING constant (x) for \"guild\" of type bigint",
        ),
        (
            "UPDATE tickets SET state = 'open' WHERE guild = 1",
            "Some clustering keys are missing: number",
        ),
        (
            "UPDATE tickets SET number = 2 WHERE guild = 1 AND number = 1",
            "PRIMARY KEY part number found in SET part",
        ),
        (
            "UPDATE tickets SET state = 'x' WHERE guild = 1 AND number = 1 IF guild = 1",
            "cannot have IF conditions",
        ),
        (
            "SELECT * FROM tickets ORDER BY number DESC",
            "ORDER BY is only supported when the partition key is restricted",
        ),
        ("SELECT * FROM missing", "unconfigured table missing"),
        ("CREATE INDEX ON tickets (state)", "no secondary index"),
        ("SELEC * FROM tickets", "line 1:0"),
        (
            "INSERT INTO system.local (key) VALUES ('x')",
            "not user-modifiable",
        ),
    ];
    for (text, expected) in cases {
        let error = refused(&session, text).await;
        assert!(error.contains(expected), "{text}: {error}");
    }
    // With ALLOW FILTERING the same read is served.
    session
        .query_unpaged(
            "INSERT INTO tickets (guild, number, state) VALUES (1, 1, 'open')",
            &[],
        )
        .await
        .unwrap();
    let rows = session
        .query_unpaged(
            "SELECT number FROM tickets WHERE state = 'open' ALLOW FILTERING",
            &[],
        )
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    assert_eq!(rows.rows_num(), 1);
    // A bound value of the wrong size is refused too.
    let prepared = session
        .prepare("SELECT state FROM tickets WHERE guild = ? AND number = ?")
        .await
        .unwrap();
    assert!(
        session
            .execute_unpaged(&prepared, (1i32, 1i32))
            .await
            .is_err(),
        "an int for a bigint"
    );
}
