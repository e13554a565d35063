//! SQLite: the conformance suite on a file and in memory, and what only SQLite has (migrations,
//! the file surviving a restart).

use crate::conformance::Backend;
use helpline_domain::{GuildConfig, Id};
use helpline_store::{Keys, SCHEMA_VERSION, SqliteStore, Store, StoreKey, StoreLimits};
use std::sync::Arc;

const LIMITS: StoreLimits = StoreLimits {
    max_attachment_bytes: 1 << 20,
    max_ticket_attachment_bytes: 3 << 20,
};

fn key(id: u32, fill: u8) -> StoreKey {
    StoreKey {
        id,
        bytes: [fill; 32],
    }
}

/// The file backend seals transcripts at rest, the memory backend does not: the suite runs
/// both ways.
pub(crate) async fn file_backend() -> Backend {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::open(dir.path().join("helpline.sqlite3"), LIMITS)
        .await
        .expect("open sqlite file")
        .with_keys(Keys::new(key(1, 7), Vec::new()).unwrap())
        .unwrap();
    Backend {
        store: Arc::new(store),
        _keep: Some(Box::new(dir)),
    }
}

pub(crate) async fn memory_backend() -> Backend {
    let store = SqliteStore::open_in_memory(LIMITS)
        .await
        .expect("open sqlite in memory");
    Backend {
        store: Arc::new(store),
        _keep: None,
    }
}

conformance_suite!(sqlite_file, crate::sqlite::file_backend());
conformance_suite!(sqlite_memory, crate::sqlite::memory_backend());

#[tokio::test]
async fn migrations_apply_once_and_data_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("helpline.sqlite3");
    let store = SqliteStore::open(&path, LIMITS).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), SCHEMA_VERSION);
    let saved = store
        .save_guild_config(&GuildConfig::new(Id::new(9)))
        .await
        .unwrap();
    drop(store);

    let reopened = SqliteStore::open(&path, LIMITS).await.unwrap();
    assert_eq!(reopened.schema_version().await.unwrap(), SCHEMA_VERSION);
    assert_eq!(
        reopened.guild_config(Id::new(9)).await.unwrap(),
        Some(saved)
    );
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite3");
    let connection = rusqlite::Connection::open(&path).unwrap();
    connection
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(connection);
    let error = SqliteStore::open(&path, LIMITS).await.unwrap_err();
    assert!(
        error.to_string().contains("newer than this build"),
        "{error}"
    );
}

#[tokio::test]
async fn open_errors_say_what_is_wrong() {
    use helpline_store::{Error, OpenProblem};
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-dir").join("db.sqlite3");
    let error = SqliteStore::open(&missing, LIMITS).await.unwrap_err();
    assert!(
        matches!(&error, Error::Open(OpenProblem::MissingDirectory(d)) if d == &dir.path().join("missing-dir")),
        "{error:?}"
    );
    assert!(error.to_string().contains("does not exist"), "{error}");

    let error = SqliteStore::open(dir.path(), LIMITS).await.unwrap_err();
    assert!(
        matches!(error, Error::Open(OpenProblem::NotAFile(_))),
        "{error:?}"
    );

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database, just some notes that are long enough",
    )
    .unwrap();
    let error = SqliteStore::open(&text, LIMITS).await.unwrap_err();
    assert!(
        matches!(error, Error::Open(OpenProblem::NotADatabase(_))),
        "{error:?}"
    );

    let path = dir.path().join("helpline.sqlite3");
    let store = SqliteStore::open(&path, LIMITS).await.unwrap();
    let error = SqliteStore::open(&path, LIMITS).await.unwrap_err();
    assert!(
        matches!(error, Error::Open(OpenProblem::Locked(_))),
        "a second process on the same file is refused: {error:?}"
    );
    drop(store);
    // Mode bits, not access checks: this holds even when the tests run as root.
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let error = SqliteStore::open(&path, LIMITS).await.unwrap_err();
    assert!(
        matches!(error, Error::Open(OpenProblem::ReadOnly(_))),
        "{error:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_of_a_cluster_share_the_file_and_a_single_node_is_refused_beside_them() {
    use helpline_domain::Timestamp;
    use helpline_store::{Error, OpenOutcome, OpenProblem};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("helpline.sqlite3");
    // Two processes start together: the migrations are applied once.
    let (one, two) = tokio::join!(
        SqliteStore::open_shared(&path, LIMITS),
        SqliteStore::open_shared(&path, LIMITS)
    );
    let (one, two) = (Arc::new(one.unwrap()), Arc::new(two.unwrap()));
    assert_eq!(one.schema_version().await.unwrap(), SCHEMA_VERSION);
    let error = SqliteStore::open(&path, LIMITS).await.unwrap_err();
    assert!(
        matches!(error, Error::Open(OpenProblem::Locked(_))),
        "a single node wants the file alone: {error:?}"
    );
    let config = Arc::new(crate::conformance::config(1, 1, 0));
    let now = Timestamp::from_secs(1_000_000);
    let mut opens = tokio::task::JoinSet::new();
    for member in 1..=100u64 {
        let store: Arc<dyn Store> = if member % 2 == 0 {
            one.clone()
        } else {
            two.clone()
        };
        let config = config.clone();
        opens.spawn(async move {
            let (ticket, limits) =
                crate::conformance::new_ticket(&config, 1_000 + member, member, now);
            match store.open_ticket(ticket, limits, now, None).await.unwrap() {
                OpenOutcome::Created(ticket) => ticket.number,
                other => panic!("{other:?}"),
            }
        });
    }
    let mut numbers = opens.join_all().await;
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        (1..=100).collect::<Vec<u32>>(),
        "gapless across both writers"
    );
    drop((one, two));
    let single = SqliteStore::open(&path, LIMITS).await.unwrap();
    let error = SqliteStore::open_shared(&path, LIMITS).await.unwrap_err();
    assert!(
        matches!(error, Error::Open(OpenProblem::Locked(_))),
        "{error:?}"
    );
    drop(single);
}

/// A message `id` of Mia's, saying `content`.
fn mias_message(id: u64, content: &str) -> helpline_domain::TranscriptMessage {
    helpline_domain::TranscriptMessage {
        message_id: Id::new(id),
        author_id: Id::new(9),
        author_name: "Mia".into(),
        author_is_bot: false,
        content: content.into(),
        created_at: helpline_domain::Timestamp::of_snowflake(id),
        edits: Vec::new(),
        deleted_at: None,
        embeds: Vec::new(),
        attachments: Vec::new(),
        staff_note: false,
    }
}

/// Sealed at rest: nothing of a message or an attachment is readable in the file; records
/// written before a key rotation open with the older key; without it, or with another key,
/// reading fails instead of returning garbage; plain records written before sealing still read.
#[tokio::test]
async fn transcripts_are_sealed_at_rest_and_keys_rotate() {
    use helpline_domain::{TicketId, Timestamp, TranscriptAttachment, TranscriptMessage};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("helpline.sqlite3");
    let message = |id: u64, content: &str| TranscriptMessage {
        attachments: vec![TranscriptAttachment {
            id: id + 1,
            filename: "id.txt".into(),
            content_type: None,
            size: 12,
            stored: true,
        }],
        ..mias_message(id, content)
    };
    let ticket = TicketId(5);
    {
        // A plain record from before encryption was turned on.
        let plain = SqliteStore::open(&path, LIMITS).await.unwrap();
        plain
            .append_message(ticket, &message(1 << 22, "plain hello"))
            .await
            .unwrap();
    }
    {
        let store = SqliteStore::open(&path, LIMITS)
            .await
            .unwrap()
            .with_keys(Keys::new(key(1, 7), Vec::new()).unwrap())
            .unwrap();
        store
            .append_message(ticket, &message(2 << 22, "my passport number is X1234"))
            .await
            .unwrap();
        store
            .record_edit(
                ticket,
                Id::new(2 << 22),
                "my passport number is X9999".into(),
                Timestamp::from_secs(1),
            )
            .await
            .unwrap();
        assert!(
            store
                .store_attachment(
                    ticket,
                    Id::new(2 << 22),
                    (2 << 22) + 1,
                    b"secret bytes".to_vec()
                )
                .await
                .unwrap()
        );
        assert_eq!(
            store.attachment_sizes(ticket).await.unwrap(),
            [((2 << 22) + 1, 12)]
        );
    }
    let raw = std::fs::read(&path).unwrap();
    let wal = std::fs::read(path.with_extension("sqlite3-wal")).unwrap_or_default();
    for secret in [&b"passport"[..], b"X1234", b"X9999", b"secret bytes"] {
        let found = |bytes: &[u8]| bytes.windows(secret.len()).any(|w| w == secret);
        assert!(
            !found(&raw) && !found(&wal),
            "{} readable at rest",
            String::from_utf8_lossy(secret)
        );
    }
    assert!(
        raw.windows(11).any(|w| w == b"plain hello")
            || wal.windows(11).any(|w| w == b"plain hello")
    );

    // Rotated: key 2 is current, key 1 still opens what it sealed.
    let rotated = SqliteStore::open(&path, LIMITS)
        .await
        .unwrap()
        .with_keys(Keys::new(key(2, 8), vec![key(1, 7)]).unwrap())
        .unwrap();
    let transcript = rotated.transcript(ticket).await.unwrap();
    assert_eq!(transcript[0].content, "plain hello");
    assert_eq!(transcript[1].content, "my passport number is X9999");
    assert_eq!(
        transcript[1].edits[0].previous_content,
        "my passport number is X1234"
    );
    assert_eq!(
        rotated
            .attachment(ticket, (2 << 22) + 1)
            .await
            .unwrap()
            .as_deref(),
        Some(&b"secret bytes"[..])
    );
    drop(rotated);
    // Without key 1 (or with no keys at all), the sealed records do not open.
    let forgotten = SqliteStore::open(&path, LIMITS)
        .await
        .unwrap()
        .with_keys(Keys::new(key(2, 8), Vec::new()).unwrap())
        .unwrap();
    assert!(forgotten.transcript(ticket).await.is_err());
    assert!(forgotten.attachment(ticket, (2 << 22) + 1).await.is_err());
    drop(forgotten);
    let keyless = SqliteStore::open(&path, LIMITS).await.unwrap();
    assert!(keyless.transcript(ticket).await.is_err());
}

/// Transcript messages written as JSON by earlier versions read as before; what is written now
/// is the binary record, and an edit rewrites an old message in it.
#[tokio::test]
async fn json_transcript_messages_of_earlier_versions_still_read_and_edit() {
    use helpline_domain::{TicketId, Timestamp};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("helpline.sqlite3");
    let message = mias_message;
    let ticket = TicketId(5);
    let old = message(1 << 22, "written by an earlier version");
    drop(SqliteStore::open(&path, LIMITS).await.unwrap());
    {
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute(
            "INSERT INTO transcript_messages (ticket_id, message_id, data) VALUES (?1, ?2, ?3)",
            rusqlite::params![5, 1i64 << 22, serde_json::to_string(&old).unwrap()],
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, LIMITS).await.unwrap();
    let new = message(2 << 22, "written now");
    assert!(store.append_message(ticket, &new).await.unwrap());
    assert!(
        !store.append_message(ticket, &old).await.unwrap(),
        "the old message is known: not appended twice"
    );
    assert_eq!(
        store.transcript(ticket).await.unwrap(),
        [old.clone(), new.clone()]
    );
    assert!(
        store
            .record_edit(
                ticket,
                old.message_id,
                "edited".into(),
                Timestamp::from_secs(1)
            )
            .await
            .unwrap()
    );
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let stored: Vec<(String, Vec<u8>)> = raw
        .prepare(
            "SELECT typeof(data), CAST(data AS BLOB) FROM transcript_messages ORDER BY message_id",
        )
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored.len(), 2);
    for (kind, bytes) in &stored {
        assert_eq!(kind, "blob", "both are binary records now");
        assert_eq!(bytes[0], 1);
    }
    assert!(
        stored[1].1.len() * 5 < serde_json::to_vec(&new).unwrap().len() * 2,
        "a record takes less than 2/5 of the JSON it replaces"
    );
    let store = SqliteStore::open(&path, LIMITS).await.unwrap();
    let transcript = store.transcript(ticket).await.unwrap();
    assert_eq!(transcript[0].content, "edited");
    assert_eq!(transcript[0].edits[0].previous_content, old.content);
    assert_eq!(transcript[1], new);
}
