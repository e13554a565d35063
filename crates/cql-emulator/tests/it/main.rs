//! The CQL stand-in driven by the real `scylla` driver over the native protocol: what it keeps,
//! how it answers, and what it refuses as Scylla does.

use std::time::Duration;

use cql_emulator::{Config, CqlEmulator};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::query_result::QueryResult;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
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
    run(
        &session,
        "CREATE KEYSPACE helpline WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
    )
    .await;
    session.use_keyspace("helpline", false).await.expect("use");
    (node, session)
}

async fn refused(session: &Session, text: &str) -> String {
    match session.query_unpaged(text, &[]).await {
        Ok(_) => panic!("{text} was accepted"),
        Err(error) => error.to_string(),
    }
}

/// A result's column names, as the driver sees them, and its rows as `R`.
fn named<R>(result: QueryResult) -> (Vec<String>, Vec<R>)
where
    R: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    let rows = result.into_rows_result().expect("a result with rows");
    let names = rows
        .column_specs()
        .iter()
        .map(|spec| spec.name().to_owned())
        .collect();
    let read = rows.rows::<R>().unwrap().map(Result::unwrap).collect();
    (names, read)
}

/// Runs a statement; its result's column names and rows as `R`.
async fn query<R>(session: &Session, statement: impl Into<Statement>) -> (Vec<String>, Vec<R>)
where
    R: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    let statement = statement.into();
    let text = statement.contents.clone();
    named(
        session
            .query_unpaged(statement, &[])
            .await
            .unwrap_or_else(|error| panic!("{text}: {error}")),
    )
}

/// Runs a statement and reads its rows as `R`.
async fn all<R>(session: &Session, statement: impl Into<Statement>) -> Vec<R>
where
    R: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    query(session, statement).await.1
}

/// Runs a statement and reads its one row as `R`.
async fn one<R>(session: &Session, statement: impl Into<Statement>) -> R
where
    R: for<'f, 'm> DeserializeRow<'f, 'm>,
{
    let statement = statement.into();
    let text = statement.contents.clone();
    let mut rows = all::<R>(session, statement).await;
    assert_eq!(rows.len(), 1, "{text}: one row expected");
    rows.remove(0)
}

/// The column names of a prepared statement's result, as PREPARE gave them.
fn result_names(prepared: &PreparedStatement) -> Vec<String> {
    prepared
        .get_current_result_set_col_specs()
        .get()
        .iter()
        .map(|spec| spec.name().to_owned())
        .collect()
}

/// Column names from literals.
fn names(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_connects_reads_its_metadata_and_round_trips_rows() {
    let (node, session) = node().await;
    run(
        &session,
        "CREATE TABLE tickets (guild bigint, number int, id bigint, state text, tags set<text>, \
             data blob, PRIMARY KEY (guild, number)) WITH CLUSTERING ORDER BY (number DESC)",
    )
    .await;
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
    let read: Vec<(i32, i64, Vec<String>)> = all(
        &session,
        "SELECT number, id, tags FROM tickets WHERE guild = 7 LIMIT 3",
    )
    .await;
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
    run(
        &session,
        "CREATE TABLE counters (guild bigint PRIMARY KEY, next int)",
    )
    .await;
    // IF NOT EXISTS: `[applied]` and every column of the row as it was, applied or not (nulls
    // where there was none); PREPARE already names them.
    let create = session
        .prepare("INSERT INTO counters (guild, next) VALUES (?, 1) IF NOT EXISTS")
        .await
        .unwrap();
    let every = names(&["[applied]", "guild", "next"]);
    assert_eq!(result_names(&create), every);
    let execute = async |statement: &PreparedStatement, values| {
        named::<(bool, Option<i64>, Option<i32>)>(
            session.execute_unpaged(statement, values).await.unwrap(),
        )
    };
    assert_eq!(
        execute(&create, (1i64,)).await,
        (every.clone(), vec![(true, None, None)])
    );
    assert_eq!(
        execute(&create, (1i64,)).await,
        (every.clone(), vec![(false, Some(1), Some(1))]),
        "not applied: the row as it is"
    );
    // IF conditions: `[applied]` and the columns the conditions name, no key.
    let bump = session
        .prepare("UPDATE counters SET next = ? WHERE guild = ? IF next = ?")
        .await
        .unwrap();
    let condition = names(&["[applied]", "next"]);
    assert_eq!(result_names(&bump), condition);
    let execute = async |values| {
        named::<(bool, Option<i32>)>(session.execute_unpaged(&bump, values).await.unwrap())
    };
    assert_eq!(
        execute((2i32, 1i64, 1i32)).await,
        (condition.clone(), vec![(true, Some(1))])
    );
    assert_eq!(
        execute((3i32, 1i64, 1i32)).await,
        (condition.clone(), vec![(false, Some(2))])
    );
    assert_eq!(
        query::<(bool, Option<i32>)>(
            &session,
            "UPDATE counters SET next = 9 WHERE guild = 2 IF next > 0 AND next < 5"
        )
        .await,
        (condition.clone(), vec![(false, None)]),
        "a column named twice shows once; no row: null"
    );
    assert_eq!(
        query::<(bool, Option<i64>, Option<i32>)>(
            &session,
            "UPDATE counters SET next = 9 WHERE guild = 2 IF EXISTS"
        )
        .await,
        (every.clone(), vec![(false, None, None)])
    );
    assert_eq!(
        query::<(bool, Option<i32>)>(
            &session,
            "DELETE FROM counters WHERE guild = 2 IF next = null"
        )
        .await,
        (condition.clone(), vec![(true, None)])
    );
    // A statement without condition answers no rows, and PREPARE names none.
    let plain = session
        .prepare("UPDATE counters SET next = ? WHERE guild = ?")
        .await
        .unwrap();
    assert!(result_names(&plain).is_empty());

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
    let (next,): (i32,) = one(&session, read.clone()).await;
    assert_eq!(next, 3, "applied despite the timeout");
    // One not applied.
    node.fail_writes(1, false);
    assert!(
        session
            .execute_unpaged(&bump, (4i32, 1i64, 3i32))
            .await
            .is_err()
    );
    let (next,): (i32,) = one(&session, read).await;
    assert_eq!(next, 3, "not applied");
    assert_eq!(node.stats().timeouts, 2);

    // A conditional batch on one partition applies whole, answering a row per statement: the
    // primary key columns and the union of the conditions' columns (all of them with IF NOT
    // EXISTS), in the table's order.
    run(
        &session,
        "CREATE TABLE slots (panel bigint, member bigint, ticket bigint, note text, \
         PRIMARY KEY (panel, member))",
    )
    .await;
    let mut batch = Batch::new(BatchType::Logged);
    batch.append_statement(
        "INSERT INTO slots (panel, member, ticket) VALUES (1, 10, 100) IF NOT EXISTS",
    );
    batch.append_statement(
        "INSERT INTO slots (panel, member, ticket) VALUES (1, 11, 101) IF NOT EXISTS",
    );
    batch.set_serial_consistency(Some(SerialConsistency::Serial));
    type SlotRow = (bool, Option<i64>, Option<i64>, Option<String>, Option<i64>);
    let every = names(&["[applied]", "panel", "member", "note", "ticket"]);
    assert_eq!(
        named::<SlotRow>(session.batch(&batch, ((), ())).await.unwrap()),
        (
            every.clone(),
            vec![
                (true, None, None, None, None),
                (true, None, None, None, None)
            ]
        )
    );
    // Conditions on columns, and a statement without any: its row is not read (nulls).
    let mut batch = Batch::new(BatchType::Logged);
    batch.append_statement(
        "UPDATE slots SET ticket = 200 WHERE panel = 1 AND member = 10 IF ticket = 100 AND note = null",
    );
    batch.append_statement("UPDATE slots SET ticket = 111 WHERE panel = 1 AND member = 11");
    let (columns, found) = named::<SlotRow>(session.batch(&batch, ((), ())).await.unwrap());
    assert_eq!(columns, every);
    assert_eq!(
        found,
        vec![
            (true, Some(1), Some(10), None, Some(100)),
            (true, None, None, None, None)
        ]
    );
    let mut batch = Batch::new(BatchType::Logged);
    batch.append_statement(
        "UPDATE slots SET note = 'x' WHERE panel = 1 AND member = 11 IF ticket = 0",
    );
    batch.append_statement("DELETE FROM slots WHERE panel = 1 AND member = 10 IF ticket = 200");
    assert_eq!(
        named::<(bool, i64, i64, Option<i64>)>(session.batch(&batch, ((), ())).await.unwrap()),
        (
            names(&["[applied]", "panel", "member", "ticket"]),
            vec![(false, 1, 11, Some(111)), (false, 1, 10, Some(200))]
        ),
        "not applied: every statement's row as it is"
    );
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
    let (count,): (i64,) = one(&session, "SELECT COUNT(*) FROM slots WHERE panel = 1").await;
    assert_eq!(count, 2, "the refused batch wrote nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttls_expire_and_the_latest_write_wins() {
    let (node, session) = node().await;
    run(
        &session,
        "CREATE TABLE messages (ticket bigint, id bigint, body text, PRIMARY KEY (ticket, id)) \
             WITH default_time_to_live = 3600",
    )
    .await;
    run(
        &session,
        "INSERT INTO messages (ticket, id, body) VALUES (1, 1, 'kept a day') USING TTL 86400",
    )
    .await;
    run(
        &session,
        "INSERT INTO messages (ticket, id, body) VALUES (1, 2, 'the table default')",
    )
    .await;
    let (ttl,): (Option<i32>,) = one(
        &session,
        "SELECT ttl(body) FROM messages WHERE ticket = 1 AND id = 2",
    )
    .await;
    assert!(ttl.is_some_and(|t| t > 3590 && t <= 3600), "{ttl:?}");
    node.advance(Duration::from_secs(2 * 3600));
    let ids: Vec<(i64,)> = all(&session, "SELECT id FROM messages WHERE ticket = 1").await;
    assert_eq!(
        ids,
        vec![(1,)],
        "the default TTL's row expired, the day's did not"
    );

    // USING TIMESTAMP: an older write never overwrites a newer one.
    run(
        &session,
        "UPDATE messages USING TIMESTAMP 2000 SET body = 'newer' WHERE ticket = 2 AND id = 1",
    )
    .await;
    run(
        &session,
        "UPDATE messages USING TIMESTAMP 1000 SET body = 'older' WHERE ticket = 2 AND id = 1",
    )
    .await;
    run(
        &session,
        "DELETE FROM messages USING TIMESTAMP 1500 WHERE ticket = 2 AND id = 1",
    )
    .await;
    let (body,): (String,) = one(
        &session,
        "SELECT body FROM messages WHERE ticket = 2 AND id = 1",
    )
    .await;
    assert_eq!(body, "newer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_scylla_refuses_is_refused() {
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE tickets (guild bigint, number int, state text, opener bigint, PRIMARY KEY ((guild), number))",
    )
    .await;
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
    run(
        &session,
        "INSERT INTO tickets (guild, number, state) VALUES (1, 1, 'open')",
    )
    .await;
    let read: Vec<(i32,)> = all(
        &session,
        "SELECT number FROM tickets WHERE state = 'open' ALLOW FILTERING",
    )
    .await;
    assert_eq!(read, vec![(1,)]);
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

async fn run(session: &Session, text: &str) {
    session
        .query_unpaged(text, &[])
        .await
        .unwrap_or_else(|error| panic!("{text}: {error}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_writes_at_one_timestamp_and_tombstones_win_ties() {
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE t (pk int, ck int, v int, PRIMARY KEY (pk, ck))",
    )
    .await;
    run(&session, "INSERT INTO t (pk, ck, v) VALUES (1, 1, 10)").await;
    // The deletion and the insertion share the batch's timestamp: the tombstone wins.
    run(
        &session,
        "BEGIN BATCH DELETE FROM t WHERE pk = 1 AND ck = 1; \
         INSERT INTO t (pk, ck, v) VALUES (1, 1, 20); APPLY BATCH",
    )
    .await;
    assert!(
        all::<(i32,)>(&session, "SELECT v FROM t WHERE pk = 1")
            .await
            .is_empty()
    );
    // One timestamp for every row of a batch, and of a statement touching several rows.
    run(
        &session,
        "BEGIN UNLOGGED BATCH INSERT INTO t (pk, ck, v) VALUES (2, 1, 1); \
         INSERT INTO t (pk, ck, v) VALUES (2, 2, 1); APPLY BATCH",
    )
    .await;
    let times = all::<(i64,)>(&session, "SELECT writetime(v) FROM t WHERE pk = 2").await;
    assert_eq!(times.len(), 2);
    assert_eq!(times[0], times[1]);
    run(
        &session,
        "UPDATE t SET v = 5 WHERE pk = 3 AND ck IN (1, 2, 3)",
    )
    .await;
    let times = all::<(i64,)>(&session, "SELECT writetime(v) FROM t WHERE pk = 3").await;
    assert_eq!(times.len(), 3);
    assert!(times.iter().all(|t| *t == times[0]), "{times:?}");

    // Two live values at one timestamp: the greater value wins, whatever the order.
    run(
        &session,
        "UPDATE t USING TIMESTAMP 100 SET v = 7 WHERE pk = 4 AND ck = 1",
    )
    .await;
    run(
        &session,
        "UPDATE t USING TIMESTAMP 100 SET v = 3 WHERE pk = 4 AND ck = 1",
    )
    .await;
    assert_eq!(
        all::<(i32,)>(&session, "SELECT v FROM t WHERE pk = 4").await,
        vec![(7,)]
    );
    run(
        &session,
        "UPDATE t USING TIMESTAMP 100 SET v = 9 WHERE pk = 4 AND ck = 1",
    )
    .await;
    assert_eq!(
        all::<(i32,)>(&session, "SELECT v FROM t WHERE pk = 4").await,
        vec![(9,)]
    );
    // A cell tombstone wins a tie with a live value.
    run(
        &session,
        "INSERT INTO t (pk, ck, v) VALUES (5, 1, 0) USING TIMESTAMP 299",
    )
    .await;
    run(
        &session,
        "DELETE v FROM t USING TIMESTAMP 300 WHERE pk = 5 AND ck = 1",
    )
    .await;
    run(
        &session,
        "UPDATE t USING TIMESTAMP 300 SET v = 1 WHERE pk = 5 AND ck = 1",
    )
    .await;
    assert_eq!(
        all::<(i32, Option<i32>)>(&session, "SELECT ck, v FROM t WHERE pk = 5").await,
        vec![(1, None)]
    );
    // A row tombstone shadows the row written at its timestamp, not one written after.
    run(
        &session,
        "DELETE FROM t USING TIMESTAMP 200 WHERE pk = 6 AND ck = 1",
    )
    .await;
    run(
        &session,
        "INSERT INTO t (pk, ck, v) VALUES (6, 1, 1) USING TIMESTAMP 200",
    )
    .await;
    assert!(
        all::<(i32,)>(&session, "SELECT v FROM t WHERE pk = 6")
            .await
            .is_empty()
    );
    run(
        &session,
        "INSERT INTO t (pk, ck, v) VALUES (6, 1, 2) USING TIMESTAMP 201",
    )
    .await;
    assert_eq!(
        all::<(i32,)>(&session, "SELECT v FROM t WHERE pk = 6").await,
        vec![(2,)]
    );
    // A partition deletion, and a range deletion shadowing the rows a batch writes under it.
    run(&session, "DELETE FROM t WHERE pk = 3").await;
    assert!(
        all::<(i32,)>(&session, "SELECT v FROM t WHERE pk = 3")
            .await
            .is_empty()
    );
    run(
        &session,
        "CREATE TABLE r (pk int, c1 int, c2 int, v int, PRIMARY KEY (pk, c1, c2))",
    )
    .await;
    run(
        &session,
        "BEGIN BATCH DELETE FROM r WHERE pk = 1 AND c1 = 1; \
         INSERT INTO r (pk, c1, c2, v) VALUES (1, 1, 5, 1); \
         INSERT INTO r (pk, c1, c2, v) VALUES (1, 2, 5, 1); APPLY BATCH",
    )
    .await;
    assert_eq!(
        all::<(i32, i32)>(&session, "SELECT c1, c2 FROM r WHERE pk = 1").await,
        vec![(2, 5)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_columns_read_write_and_condition_as_scylla_does() {
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE s (pk int, ck int, v int, st int static, PRIMARY KEY (pk, ck))",
    )
    .await;
    // Only static columns: no clustering key needed, none taken.
    run(&session, "UPDATE s SET st = 5 WHERE pk = 2").await;
    let error = refused(&session, "UPDATE s SET st = 1 WHERE pk = 2 AND ck = 1").await;
    assert!(
        error.contains("Invalid restrictions on clustering columns since the UPDATE statement modifies only static columns"),
        "{error}"
    );
    // A partition of static cells only reads as one row, clustering and regular columns null.
    let all_columns = "SELECT pk, ck, st, v FROM s WHERE pk = 2";
    assert_eq!(
        all::<(i32, Option<i32>, Option<i32>, Option<i32>)>(&session, all_columns).await,
        vec![(2, None, Some(5), None)]
    );
    assert_eq!(
        all::<(i32, Option<i32>, Option<i32>, Option<i32>)>(
            &session,
            "SELECT * FROM s WHERE pk = 2"
        )
        .await,
        vec![(2, None, Some(5), None)]
    );
    assert_eq!(
        all::<(i32, i32)>(&session, "SELECT DISTINCT pk, st FROM s").await,
        vec![(2, 5)]
    );
    assert_eq!(
        all::<(i64,)>(&session, "SELECT COUNT(*) FROM s WHERE pk = 2").await,
        vec![(1,)]
    );
    assert!(
        all::<(i32,)>(&session, "SELECT st FROM s WHERE pk = 2 AND ck = 1")
            .await
            .is_empty(),
        "a clustering restriction reads rows only"
    );

    // Scylla's column order: partition key, clustering key, static columns, regular columns.
    run(
        &session,
        "CREATE TABLE so (pk int, ck int, a int, z int static, PRIMARY KEY (pk, ck))",
    )
    .await;
    run(
        &session,
        "INSERT INTO so (pk, ck, a, z) VALUES (1, 1, 2, 3)",
    )
    .await;
    assert_eq!(
        query::<(i32, i32, i32, i32)>(&session, "SELECT * FROM so").await,
        (names(&["pk", "ck", "z", "a"]), vec![(1, 1, 3, 2)])
    );

    // Conditions on static columns read the partition's static cells; the answer shows the
    // conditions' columns.
    let condition = names(&["[applied]", "st"]);
    let cas = "UPDATE s SET st = 8 WHERE pk = 2 IF st = 5";
    assert_eq!(
        query::<(bool, Option<i32>)>(&session, cas).await,
        (condition.clone(), vec![(true, Some(5))])
    );
    assert_eq!(
        query::<(bool, Option<i32>)>(&session, cas).await,
        (condition.clone(), vec![(false, Some(8))])
    );
    assert_eq!(
        query::<(bool, Option<i32>)>(&session, "UPDATE s SET st = 9 WHERE pk = 3 IF st = 7").await,
        (condition.clone(), vec![(false, None)])
    );
    // A row's update conditioned on a static column: the static row stands in for the absent row.
    assert_eq!(
        query::<(bool, Option<i32>)>(
            &session,
            "UPDATE s SET v = 1 WHERE pk = 2 AND ck = 1 IF st = 8"
        )
        .await,
        (condition.clone(), vec![(true, Some(8))])
    );
    assert_eq!(
        all::<(i32, Option<i32>, Option<i32>, Option<i32>)>(&session, all_columns).await,
        vec![(2, Some(1), Some(8), Some(1))]
    );
    // IF NOT EXISTS on the static row only: every column, clustering and regular ones null.
    type LwtRow = (bool, Option<i32>, Option<i32>, Option<i32>, Option<i32>);
    let every = names(&["[applied]", "pk", "ck", "st", "v"]);
    let insert = "INSERT INTO s (pk, st) VALUES (4, 1) IF NOT EXISTS";
    assert_eq!(
        query::<LwtRow>(&session, insert).await,
        (every.clone(), vec![(true, None, None, None, None)])
    );
    assert_eq!(
        query::<LwtRow>(&session, insert).await,
        (every.clone(), vec![(false, Some(4), None, Some(1), None)])
    );
    run(&session, "INSERT INTO s (pk, ck, v) VALUES (5, 1, 1)").await;
    assert_eq!(
        query::<LwtRow>(
            &session,
            "INSERT INTO s (pk, st) VALUES (5, 1) IF NOT EXISTS"
        )
        .await,
        (every.clone(), vec![(true, Some(5), None, None, None)]),
        "rows without static cells are no static row (the partition's, all null, is shown)"
    );

    // A per-partition counter kept with the rows: a static condition and a row's IF NOT EXISTS
    // in one conditional batch, one result row per statement, the key columns and the union of
    // the statements' columns.
    let batch = "BEGIN BATCH \
                 UPDATE s SET st = 9 WHERE pk = 2 IF st = 8; \
                 INSERT INTO s (pk, ck, v) VALUES (2, 2, 20) IF NOT EXISTS; \
                 APPLY BATCH";
    assert_eq!(
        query::<LwtRow>(&session, batch).await,
        (
            every.clone(),
            vec![
                (true, Some(2), None, Some(8), None),
                (true, None, None, None, None)
            ]
        )
    );
    assert_eq!(
        query::<LwtRow>(&session, batch).await,
        (
            every.clone(),
            vec![
                (false, Some(2), None, Some(9), None),
                (false, Some(2), Some(2), Some(9), Some(20))
            ]
        )
    );
    let read = all::<(i32, Option<i32>, Option<i32>, Option<i32>)>(&session, all_columns).await;
    assert_eq!(
        read,
        vec![
            (2, Some(1), Some(9), Some(1)),
            (2, Some(2), Some(9), Some(20))
        ]
    );
    // A batch of conditions on static columns only: the key columns and the static column.
    let batch = "BEGIN BATCH \
                 UPDATE s SET st = 10 WHERE pk = 2 IF st = 9; \
                 UPDATE s SET v = 21 WHERE pk = 2 AND ck = 2; \
                 APPLY BATCH";
    assert_eq!(
        query::<(bool, Option<i32>, Option<i32>, Option<i32>)>(&session, batch).await,
        (
            names(&["[applied]", "pk", "ck", "st"]),
            vec![
                (true, Some(2), None, Some(9)),
                (true, Some(2), None, Some(9))
            ]
        ),
        "the unconditional update's row is not read: the static row stands in"
    );

    // Deleting a static column takes no clustering key either.
    run(&session, "DELETE st FROM s WHERE pk = 4").await;
    assert!(
        all::<(i32,)>(&session, "SELECT pk FROM s WHERE pk = 4")
            .await
            .is_empty()
    );
}

/// Reads every page of `text` (page size `size`), giving each page's rows.
async fn pages<T>(session: &Session, text: &str, size: i32) -> Vec<Vec<T>>
where
    T: for<'f, 'm> scylla::deserialize::row::DeserializeRow<'f, 'm>,
{
    use scylla::response::{PagingState, PagingStateResponse};
    let mut statement = Statement::new(text);
    statement.set_page_size(size);
    let mut state = PagingState::start();
    let mut out = Vec::new();
    loop {
        let (result, response) = session
            .query_single_page(statement.clone(), &[], state)
            .await
            .unwrap_or_else(|error| panic!("{text}: {error}"));
        out.push(named::<T>(result).1);
        match response {
            PagingStateResponse::HasMorePages { state: next } => state = next,
            PagingStateResponse::NoMorePages => return out,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_resumes_after_the_last_row_returned() {
    use scylla::response::{PagingState, PagingStateResponse};
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE p (pk int, ck int, v int, PRIMARY KEY (pk, ck))",
    )
    .await;
    let insert = session
        .prepare("INSERT INTO p (pk, ck, v) VALUES (?, ?, 0)")
        .await
        .unwrap();
    for pk in 1..=4 {
        for ck in 1..=10 {
            session.execute_unpaged(&insert, (pk, ck)).await.unwrap();
        }
    }
    let mut statement = Statement::new("SELECT ck FROM p WHERE pk = 1");
    statement.set_page_size(3);
    let page = |state| {
        let statement = statement.clone();
        let session = &session;
        async move {
            let (result, response) = session
                .query_single_page(statement, &[], state)
                .await
                .unwrap();
            let cks: Vec<i32> = named::<(i32,)>(result)
                .1
                .into_iter()
                .map(|(ck,)| ck)
                .collect();
            (cks, response)
        }
    };
    let (first, response) = page(PagingState::start()).await;
    assert_eq!(first, vec![1, 2, 3]);
    let PagingStateResponse::HasMorePages { state } = response else {
        panic!("more pages expected");
    };
    // Rows deleted around the cursor, then one inserted before it: the next pages resume
    // after ck = 3, skipping nothing and repeating nothing.
    run(
        &session,
        "DELETE FROM p WHERE pk = 1 AND ck IN (1, 2, 3, 4)",
    )
    .await;
    let (second, response) = page(state).await;
    assert_eq!(second, vec![5, 6, 7]);
    let PagingStateResponse::HasMorePages { state } = response else {
        panic!("more pages expected");
    };
    run(&session, "INSERT INTO p (pk, ck, v) VALUES (1, 0, 0)").await;
    let (third, response) = page(state).await;
    assert_eq!(third, vec![8, 9, 10]);
    assert!(matches!(response, PagingStateResponse::NoMorePages));

    // LIMIT counts over the whole query, not per page.
    let limited = pages::<(i32,)>(&session, "SELECT ck FROM p WHERE pk = 2 LIMIT 5", 2).await;
    assert_eq!(
        limited,
        vec![vec![(1,), (2,)], vec![(3,), (4,)], vec![(5,)]]
    );
    // PER PARTITION LIMIT holds across pages too.
    let per = pages::<(i32, i32)>(
        &session,
        "SELECT pk, ck FROM p WHERE pk IN (3, 4) PER PARTITION LIMIT 3",
        2,
    )
    .await;
    assert_eq!(
        per.concat(),
        vec![(3, 1), (3, 2), (3, 3), (4, 1), (4, 2), (4, 3)]
    );
    // Reversed order, and a whole-table scan across partitions.
    let desc = pages::<(i32,)>(
        &session,
        "SELECT ck FROM p WHERE pk = 2 ORDER BY ck DESC",
        4,
    )
    .await;
    assert_eq!(
        desc.concat(),
        (1..=10).rev().map(|ck| (ck,)).collect::<Vec<_>>()
    );
    let scan = pages::<(i32, i32)>(&session, "SELECT pk, ck FROM p", 7).await;
    assert_eq!(scan.concat().len(), 7 + 30, "pk 1 holds ck 0 and 5 to 10");
    let distinct = pages::<(i32,)>(&session, "SELECT DISTINCT pk FROM p", 1).await;
    assert_eq!(distinct.concat().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_cartesian_products_are_bounded_as_scylla_bounds_them() {
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE k (a int, b int, c int, d int, v int, PRIMARY KEY ((a, b), c, d))",
    )
    .await;
    let list = |n: i32| (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    run(
        &session,
        &format!(
            "SELECT * FROM k WHERE a IN ({}) AND b IN ({})",
            list(10),
            list(10)
        ),
    )
    .await;
    let error = refused(
        &session,
        &format!(
            "SELECT * FROM k WHERE a IN ({}) AND b IN ({})",
            list(11),
            list(10)
        ),
    )
    .await;
    assert!(
        error.contains("partition-key cartesian product size 110 is greater than maximum 100"),
        "{error}"
    );
    let error = refused(
        &session,
        &format!(
            "SELECT * FROM k WHERE a = 1 AND b = 1 AND c IN ({}) AND d IN ({})",
            list(11),
            list(10)
        ),
    )
    .await;
    assert!(
        error.contains("clustering-key cartesian product size 110 is greater than maximum 100"),
        "{error}"
    );
    // Writes too.
    let error = refused(
        &session,
        &format!(
            "UPDATE k SET v = 1 WHERE a IN ({}) AND b = 1 AND c = 1 AND d = 1",
            list(101)
        ),
    )
    .await;
    assert!(
        error.contains("partition-key cartesian product size 101"),
        "{error}"
    );
    let error = refused(
        &session,
        &format!(
            "DELETE FROM k WHERE a = 1 AND b = 1 AND c IN ({})",
            list(101)
        ),
    )
    .await;
    assert!(
        error.contains("clustering-key cartesian product size 101"),
        "{error}"
    );
    // A value repeated counts once; a bound list counts its values.
    let repeated = vec!["7"; 150].join(", ");
    run(
        &session,
        &format!("SELECT * FROM k WHERE a IN ({repeated}) AND b = 1"),
    )
    .await;
    let prepared = session
        .prepare("SELECT * FROM k WHERE a IN ? AND b = 1")
        .await
        .unwrap();
    let many: Vec<i32> = (0..150).collect();
    let error = session
        .execute_unpaged(&prepared, (many,))
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("is greater than maximum 100"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_writes_scylla_refuses_are_refused() {
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE c (pk int, c1 int, c2 int, v int, st int static, PRIMARY KEY (pk, c1, c2))",
    )
    .await;
    let cases = [
        (
            "UPDATE c USING TIMESTAMP 5 SET v = 1 WHERE pk = 1 AND c1 = 1 AND c2 = 1 IF v = 2",
            "Cannot provide custom timestamp for conditional updates",
        ),
        (
            "INSERT INTO c (pk, c1, c2, v) VALUES (1, 1, 1, 1) IF NOT EXISTS USING TIMESTAMP 5",
            "Cannot provide custom timestamp for conditional updates",
        ),
        (
            "DELETE FROM c USING TIMESTAMP 5 WHERE pk = 1 AND c1 = 1 AND c2 = 1 IF EXISTS",
            "Cannot provide custom timestamp for conditional updates",
        ),
        (
            "UPDATE c SET v = 1 WHERE pk = 1 AND c1 = 1 AND c2 IN (1, 2) IF v = 2",
            "IN on the clustering key columns is not supported with conditional updates",
        ),
        (
            "UPDATE c SET v = 1 WHERE pk IN (1, 2) AND c1 = 1 AND c2 = 1 IF v = 2",
            "IN on the partition key is not supported with conditional updates",
        ),
        (
            "DELETE FROM c WHERE pk = 1 AND c1 = 1 IF v = 2",
            "DELETE statements must restrict all PRIMARY KEY columns with equality relations",
        ),
        (
            "DELETE FROM c WHERE pk = 1 IF EXISTS",
            "DELETE statements must restrict all PRIMARY KEY columns with equality relations",
        ),
        (
            "DELETE st FROM c WHERE pk = 1 IF v = 2",
            "DELETE statements must restrict all PRIMARY KEY columns with equality relations in order to use IF condition on non static columns",
        ),
        (
            "BEGIN BATCH USING TIMESTAMP 5 \
             INSERT INTO c (pk, c1, c2, v) VALUES (1, 1, 1, 1) IF NOT EXISTS; APPLY BATCH",
            "Cannot provide custom timestamp for conditional BATCH",
        ),
        (
            "BEGIN BATCH USING TIMESTAMP 5 \
             INSERT INTO c (pk, c1, c2, v) VALUES (1, 1, 1, 1) USING TIMESTAMP 6; APPLY BATCH",
            "Timestamp must be set either on BATCH or individual statements",
        ),
    ];
    for (text, expected) in cases {
        let error = refused(&session, text).await;
        assert!(error.contains(expected), "{text}: {error}");
    }
    // A static column deleted under a static condition needs no clustering key.
    run(&session, "UPDATE c SET st = 1 WHERE pk = 1").await;
    assert_eq!(
        query::<(bool, Option<i32>)>(&session, "DELETE st FROM c WHERE pk = 1 IF st = 1").await,
        (names(&["[applied]", "st"]), vec![(true, Some(1))])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_by_with_in_merges_partitions_before_the_limit() {
    let (_node, session) = node().await;
    run(
        &session,
        "CREATE TABLE o (pk int, ck int, PRIMARY KEY (pk, ck))",
    )
    .await;
    for pk in 1..=3 {
        for step in 0..3 {
            run(
                &session,
                &format!("INSERT INTO o (pk, ck) VALUES ({pk}, {})", pk + 3 * step),
            )
            .await;
        }
    }
    assert_eq!(
        all::<(i32, i32)>(
            &session,
            "SELECT pk, ck FROM o WHERE pk IN (1, 2, 3) ORDER BY ck DESC LIMIT 4"
        )
        .await,
        vec![(3, 9), (2, 8), (1, 7), (3, 6)]
    );
    assert_eq!(
        all::<(i32, i32)>(
            &session,
            "SELECT pk, ck FROM o WHERE pk IN (3, 2, 1) ORDER BY ck ASC LIMIT 4"
        )
        .await,
        vec![(1, 1), (2, 2), (3, 3), (1, 4)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_schema_change_unprepares_the_statements_prepared_on_it() {
    let (node, session) = node().await;
    run(&session, "CREATE TABLE u (pk int PRIMARY KEY, v int)").await;
    let insert = session
        .prepare("INSERT INTO u (pk, v) VALUES (?, ?)")
        .await
        .unwrap();
    let select = session
        .prepare("SELECT * FROM u WHERE pk = ?")
        .await
        .unwrap();
    session.execute_unpaged(&insert, (1, 1)).await.unwrap();
    let prepares = node.stats().prepares;
    run(&session, "DROP TABLE u").await;
    run(
        &session,
        "CREATE TABLE u (pk int PRIMARY KEY, v int, w int)",
    )
    .await;
    // UNPREPARED: the driver prepares the statement again and runs it on the new table.
    session.execute_unpaged(&insert, (2, 2)).await.unwrap();
    let (_, read) = named::<(i32, Option<i32>, Option<i32>)>(
        session.execute_unpaged(&select, (2,)).await.unwrap(),
    );
    assert_eq!(read, vec![(2, Some(2), None)], "the new table's columns");
    assert!(node.stats().prepares >= prepares + 2, "prepared again");
    // In a batch too; and after the keyspace is dropped the statement is refused.
    let mut batch = Batch::new(BatchType::Logged);
    batch.append_statement(insert.clone());
    run(&session, "DROP TABLE u").await;
    run(&session, "CREATE TABLE u (pk int PRIMARY KEY, v int)").await;
    session.batch(&batch, ((3, 3),)).await.unwrap();
    assert_eq!(
        all::<(i32, Option<i32>)>(&session, "SELECT pk, v FROM u").await,
        vec![(3, Some(3))]
    );
    run(&session, "DROP KEYSPACE helpline").await;
    let error = session.execute_unpaged(&insert, (4, 4)).await.unwrap_err();
    assert!(error.to_string().contains("helpline"), "{error}");
}

/// A raw connection speaking frames: sends a request, reads the next frame.
struct Raw(tokio::net::TcpStream);

impl Raw {
    async fn send(&mut self, stream: i16, opcode: u8, body: &[u8]) {
        use tokio::io::AsyncWriteExt as _;
        let mut frame = vec![0x04, 0];
        frame.extend_from_slice(&stream.to_be_bytes());
        frame.push(opcode);
        frame.extend_from_slice(&u32::try_from(body.len()).unwrap().to_be_bytes());
        frame.extend_from_slice(body);
        self.0.write_all(&frame).await.unwrap();
    }

    /// The next frame's stream, opcode and body, if one comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(i16, u8, Vec<u8>)> {
        use tokio::io::AsyncReadExt as _;
        let mut header = [0u8; 9];
        tokio::time::timeout(wait, self.0.read_exact(&mut header))
            .await
            .ok()?
            .unwrap();
        let length = u32::from_be_bytes([header[5], header[6], header[7], header[8]]) as usize;
        let mut body = vec![0; length];
        self.0.read_exact(&mut body).await.unwrap();
        Some((i16::from_be_bytes([header[2], header[3]]), header[4], body))
    }
}

fn string_list(items: &[&str]) -> Vec<u8> {
    let mut out = u16::try_from(items.len()).unwrap().to_be_bytes().to_vec();
    for item in items {
        out.extend_from_slice(&u16::try_from(item.len()).unwrap().to_be_bytes());
        out.extend_from_slice(item.as_bytes());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_go_only_to_connections_registered_for_them() {
    const ERROR: u8 = 0x00;
    const STARTUP: u8 = 0x01;
    const READY: u8 = 0x02;
    const REGISTER: u8 = 0x0B;
    const EVENT: u8 = 0x0C;
    let (node, session) = node().await;
    let mut raw = Raw(tokio::net::TcpStream::connect(node.addr()).await.unwrap());
    let wait = Duration::from_secs(2);
    raw.send(1, REGISTER, &string_list(&["SCHEMA_CHANGE"]))
        .await;
    let (_, opcode, body) = raw.next(wait).await.expect("an answer");
    assert_eq!(opcode, ERROR, "REGISTER before STARTUP");
    assert!(String::from_utf8_lossy(&body).contains("STARTUP"));
    let mut startup = 1u16.to_be_bytes().to_vec();
    for text in ["CQL_VERSION", "3.0.0"] {
        startup.extend_from_slice(&u16::try_from(text.len()).unwrap().to_be_bytes());
        startup.extend_from_slice(text.as_bytes());
    }
    raw.send(2, STARTUP, &startup).await;
    assert_eq!(raw.next(wait).await.expect("ready").1, READY);
    raw.send(3, REGISTER, &string_list(&["STATUS_CHANGE"]))
        .await;
    assert_eq!(raw.next(wait).await.expect("ready").1, READY);
    run(&session, "CREATE TABLE e1 (pk int PRIMARY KEY)").await;
    assert!(
        raw.next(Duration::from_millis(300)).await.is_none(),
        "no SCHEMA_CHANGE event without registering for it"
    );
    raw.send(4, REGISTER, &string_list(&["SCHEMA_CHANGE"]))
        .await;
    assert_eq!(raw.next(wait).await.expect("ready").1, READY);
    run(&session, "CREATE TABLE e2 (pk int PRIMARY KEY)").await;
    let (stream, opcode, body) = raw.next(wait).await.expect("an event");
    assert_eq!((stream, opcode), (-1, EVENT));
    assert!(String::from_utf8_lossy(&body).contains("e2"));
    raw.send(5, REGISTER, &string_list(&["NOPE"])).await;
    assert_eq!(raw.next(wait).await.expect("an answer").1, ERROR);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_literal_is_a_syntax_error_and_the_node_lives_on() {
    let (_node, session) = node().await;
    run(&session, "CREATE TABLE n (pk int PRIMARY KEY, l list<int>)").await;
    let text = format!("INSERT INTO n (pk, l) VALUES (1, {})", "[".repeat(200_000));
    let error = refused(&session, &text).await;
    assert!(error.contains("nested too deeply"), "{error}");
    run(&session, "INSERT INTO n (pk, l) VALUES (1, [1, 2])").await;
    assert_eq!(
        all::<(Vec<i32>,)>(&session, "SELECT l FROM n WHERE pk = 1").await,
        vec![(vec![1, 2],)]
    );
}
