//! `helpline migrate` and `helpline run` on the ScyllaDB store, against the local CQL stand-in
//! (`cql-emulator`) on a loopback port: the keyspace created and migrated once, then left as it
//! is; settings mistakes and an unreachable node named without the password; a run refused on a
//! keyspace never migrated, and connected on a migrated one.

use cql_emulator::{Config, CqlEmulator};
use helpline_store::SCYLLA_SCHEMA_VERSION;

use crate::{RunAgainstEmulator, emulator_on_its_own_runtime, helpline, stderr, stdout};

const SINGLE_NODE: &str = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
const PASSWORD: &str = "scylla-very-secret-password";

/// A CQL node serving from a runtime of its own while the test runs the binary.
fn cql_node() -> (tokio::runtime::Runtime, CqlEmulator) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let node = runtime
        .block_on(CqlEmulator::start(Config::default()))
        .expect("the CQL stand-in starts");
    (runtime, node)
}

/// The settings of the scylla backend on `contact_points`, in `keyspace`.
fn scylla_env<'a>(contact_points: &'a str, keyspace: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("HELPLINE_STORE_BACKEND", "scylla"),
        ("HELPLINE_STORE_SCYLLA_CONTACT_POINTS", contact_points),
        ("HELPLINE_STORE_SCYLLA_KEYSPACE", keyspace),
        ("HELPLINE_STORE_SCYLLA_REPLICATION", SINGLE_NODE),
    ]
}

#[test]
fn migrate_creates_the_scylla_keyspace_and_is_idempotent() {
    let (_runtime, node) = cql_node();
    let dir = tempfile::tempdir().unwrap();
    let address = node.addr().to_string();
    let env = scylla_env(&address, "tickets");

    let first = helpline(dir.path(), &["migrate"], &env);
    assert!(first.status.success(), "{first:?}");
    assert_eq!(
        stdout(&first),
        format!("scylla keyspace tickets at {address}: schema version {SCYLLA_SCHEMA_VERSION}\n")
    );
    assert!(
        stderr(&first).contains("scylla keyspace migrated"),
        "{first:?}"
    );
    let writes = node.stats().writes + node.stats().lwts;

    let second = helpline(dir.path(), &["migrate"], &env);
    assert!(second.status.success(), "{second:?}");
    assert_eq!(stdout(&second), stdout(&first));
    assert_eq!(
        node.stats().writes + node.stats().lwts,
        writes,
        "a migrated keyspace is left as it is"
    );
    assert!(
        !dir.path().join("helpline.sqlite3").exists(),
        "no SQLite file on the scylla backend"
    );
}

#[test]
fn migrate_names_settings_mistakes_and_the_unreachable_node_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let mut env = scylla_env(&closed, "helpline");
    env.push(("HELPLINE_STORE_SCYLLA_USERNAME", "helpline"));
    let output = helpline(dir.path(), &["migrate"], &env);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr(&output),
        "error: store.scylla_username is set but store.scylla_password is not: give both (the \
         password through HELPLINE_STORE_SCYLLA_PASSWORD) or neither\n"
    );

    env.push(("HELPLINE_STORE_SCYLLA_PASSWORD", PASSWORD));
    env.push(("RUST_LOG", "trace"));
    let output = helpline(dir.path(), &["migrate"], &env);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "error: cannot migrate the ScyllaDB keyspace helpline at {closed}: "
        )),
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");
}

#[test]
fn run_refuses_a_keyspace_never_migrated_and_says_what_to_do() {
    let (_runtime, node) = cql_node();
    let (_discord_runtime, emulator) = emulator_on_its_own_runtime();
    let dir = tempfile::tempdir().unwrap();
    let address = node.addr().to_string();
    let api = format!("http://{}", emulator.http_host());
    let mut env = scylla_env(&address, "helpline");
    let token = emulator.bot_token();
    let gateway = emulator.gateway_url();
    env.extend([
        ("DISCORD_TOKEN", token),
        ("HELPLINE_DISCORD_API_URL", api.as_str()),
        ("HELPLINE_DISCORD_GATEWAY_URL", gateway),
        ("RUST_LOG", "warn"),
    ]);
    let output = helpline(dir.path(), &["run"], &env);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "error: cannot open the ScyllaDB keyspace helpline at {address}: "
        )),
        "{err}"
    );
    assert!(err.contains("run `helpline migrate`"), "{err}");
    assert!(emulator.sessions().is_empty(), "no shard was started");
}

#[test]
fn run_on_a_migrated_keyspace_connects_and_stops_resumably() {
    let (_runtime, node) = cql_node();
    let address = node.addr().to_string();
    let env = scylla_env(&address, "helpline");
    let dir = tempfile::tempdir().unwrap();
    let migrated = helpline(dir.path(), &["migrate"], &env);
    assert!(migrated.status.success(), "{migrated:?}");
    let reads = node.stats().reads;

    let mut run = RunAgainstEmulator::start(&env);
    assert!(node.stats().reads > reads, "the bot reads its store");
    run.signal("TERM");
    let (exit, _, err) = run.wait();
    assert!(exit.success(), "{exit:?}\n{err}");
    assert!(
        err.contains("store.backend scylla without cluster.redis_url"),
        "a lone process on a shared store is warned about: {err}"
    );
    assert!(!run.dir.path().join("helpline.sqlite3").exists());
}
