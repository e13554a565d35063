//! Reading the TOML settings file and turning its errors into `path:line:column (key …)`.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use anyhow::Context as _;
use toml::de::{DeTable, DeValue};

use super::Settings;

/// A settings file that parsed: the settings and the dotted keys it set.
#[derive(Debug)]
pub(super) struct ParsedFile {
    pub(super) settings: Settings,
    /// Every leaf key the file sets, dotted (`store.sqlite_path`), to report where a value
    /// came from.
    pub(super) keys: BTreeSet<String>,
}

/// Reads and parses the settings file at `path`.
///
/// Every error names the file; a TOML or type error also names the line, the column and, when
/// the document is well-formed enough to tell, the dotted key.
pub(super) fn read(path: &Path) -> anyhow::Result<ParsedFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config file {}", path.display()))?;
    parse(path, &text)
}

/// Parses settings file text; `path` is used only in error messages.
pub(super) fn parse(path: &Path, text: &str) -> anyhow::Result<ParsedFile> {
    let settings: Settings =
        toml::from_str(text).map_err(|error| anyhow::anyhow!(describe(path, text, &error)))?;
    // The document deserialised, so it is well-formed and this parse cannot fail; should it
    // ever, the only loss is the "from file" note in the `config` output.
    let keys = DeTable::parse(text)
        .map(|table| {
            let mut keys = BTreeSet::new();
            collect_leaf_keys(table.get_ref(), "", &mut keys);
            keys
        })
        .unwrap_or_default();
    Ok(ParsedFile { settings, keys })
}

/// Formats a TOML error as `invalid config file PATH:LINE:COLUMN (key `KEY`): MESSAGE`.
///
/// toml's own `Display` prints a snippet of the offending line; that line may hold the
/// Discord token, so the snippet is left out and only its position is given.
fn describe(path: &Path, text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    let Some(span) = error.span() else {
        return format!("invalid config file {}: {message}", path.display());
    };
    let (line, column) = line_and_column(text, span.start);
    match key_at(text, &span) {
        Some(key) => format!(
            "invalid config file {}:{line}:{column} (key `{key}`): {message}",
            path.display()
        ),
        None => format!(
            "invalid config file {}:{line}:{column}: {message}",
            path.display()
        ),
    }
}

/// The 1-based line and column (counted in characters) of byte offset `offset` in `text`.
pub(super) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    // Spans from the toml crate fall on character boundaries; this guards against a future
    // version that does not, rather than panicking while reporting an error.
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The dotted key whose name or value contains `span`, the innermost one if several do.
///
/// toml's error keeps its key path private, so the document is parsed again without types
/// (spans kept) and searched. A syntax error makes that parse fail too: then there is no key
/// to name, and the line and column have to do.
fn key_at(text: &str, span: &Range<usize>) -> Option<String> {
    let table = DeTable::parse(text).ok()?;
    let mut best: Option<(usize, String)> = None;
    find_key(table.get_ref(), "", span, &mut best);
    best.map(|(_, key)| key)
}

fn find_key(
    table: &DeTable<'_>,
    prefix: &str,
    span: &Range<usize>,
    best: &mut Option<(usize, String)>,
) {
    for (name, value) in table.iter() {
        let key = dotted(prefix, name.get_ref());
        // The value of a `[section]` table spans its header only, not its keys, so it is not
        // a useful match; its name is, and its children are searched either way.
        let candidates = match value.get_ref() {
            DeValue::Table(_) => vec![name.span()],
            _ => vec![name.span(), value.span()],
        };
        for candidate in candidates {
            if contains(&candidate, span) {
                let width = candidate.end - candidate.start;
                if best
                    .as_ref()
                    .is_none_or(|(best_width, _)| width <= *best_width)
                {
                    *best = Some((width, key.clone()));
                }
            }
        }
        if let DeValue::Table(inner) = value.get_ref() {
            find_key(inner, &key, span, best);
        }
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end.max(outer.start + 1)
}

fn collect_leaf_keys(table: &DeTable<'_>, prefix: &str, keys: &mut BTreeSet<String>) {
    for (name, value) in table.iter() {
        let key = dotted(prefix, name.get_ref());
        match value.get_ref() {
            DeValue::Table(inner) => collect_leaf_keys(inner, &key, keys),
            _ => {
                keys.insert(key);
            }
        }
    }
}

fn dotted(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_for(text: &str) -> String {
        let error = parse(Path::new("/etc/helpline/helpline.toml"), text).unwrap_err();
        format!("{error:#}")
    }

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 4), (1, 5));
        assert_eq!(line_and_column(text, 6), (2, 1));
        // "é" is two bytes but one column.
        assert_eq!(line_and_column(text, 10), (2, 4));
        assert_eq!(line_and_column(text, text.len() + 10), (3, 1));
    }

    #[test]
    fn misspelled_key_names_file_line_column_and_key() {
        let text = "[store]\nbackend = \"sqlite\"\nsqlite_pth = \"x.sqlite3\"\n";
        assert_eq!(
            error_for(text),
            "invalid config file /etc/helpline/helpline.toml:3:1 (key `store.sqlite_pth`): \
             unknown field `sqlite_pth`, expected one of `backend`, `sqlite_path`, \
             `max_attachment_bytes`, `max_ticket_attachment_bytes`, `encryption_keys`, \
             `scylla_contact_points`, `scylla_keyspace`, `scylla_local_datacenter`, \
             `scylla_username`, `scylla_password`, `scylla_tls`, `scylla_tls_ca_file`, \
             `scylla_replication`"
        );
    }

    #[test]
    fn misspelled_section_is_reported() {
        let message = error_for("[stor]\nsqlite_path = \"x\"\n");
        assert!(
            message.contains("helpline.toml:1:2 (key `stor`)"),
            "{message}"
        );
        assert!(message.contains("unknown field `stor`"), "{message}");
    }

    #[test]
    fn wrong_type_names_the_key_and_the_expected_type() {
        let text = "[store]\n  max_attachment_bytes = \"ten\"\n";
        let message = error_for(text);
        assert!(
            message.starts_with(
                "invalid config file /etc/helpline/helpline.toml:2:26 \
                 (key `store.max_attachment_bytes`): invalid type: string \"ten\""
            ),
            "{message}"
        );
        assert!(message.contains("expected u64"), "{message}");
    }

    #[test]
    fn inline_and_dotted_tables_name_the_key_too() {
        let message = error_for("store = { max_attachment_bytes = -1 }\n");
        assert!(
            message.contains(":1:34 (key `store.max_attachment_bytes`)"),
            "{message}"
        );
        let message = error_for("log.filter = 3\n");
        assert!(message.contains(":1:14 (key `log.filter`)"), "{message}");
    }

    #[test]
    fn invalid_value_gives_the_validation_message() {
        let message = error_for("[store]\nbackend = \"postgres\"\n");
        assert!(message.contains(":2:11 (key `store.backend`)"), "{message}");
        assert!(
            message.contains("unknown store backend `postgres`"),
            "{message}"
        );
        assert!(message.contains("sqlite"), "{message}");
    }

    #[test]
    fn syntax_error_gives_line_and_column() {
        let message = error_for("[store]\nsqlite_path = \"unterminated\n");
        assert!(message.starts_with("invalid config file /etc/helpline/helpline.toml:2:"));
        assert!(!message.contains("(key"), "{message}");
    }

    #[test]
    fn errors_never_quote_the_token_line() {
        // An unquoted token is a syntax error on the token's own line; the message must give
        // its position without echoing it.
        let message = error_for("[discord]\ntoken = abc.DEF-secret\n");
        assert!(message.contains("helpline.toml:2:"), "{message}");
        assert!(!message.contains("DEF-secret"), "{message}");
    }

    #[test]
    fn keys_set_by_the_file_are_collected() {
        let parsed = parse(
            Path::new("x.toml"),
            "log.filter = \"debug\"\n[store]\nsqlite_path = \"a\"\n",
        )
        .unwrap();
        let keys: Vec<_> = parsed.keys.iter().map(String::as_str).collect();
        assert_eq!(keys, ["log.filter", "store.sqlite_path"]);
    }

    #[test]
    fn unreadable_file_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.toml");
        let message = format!("{:#}", read(&path).unwrap_err());
        assert!(
            message.starts_with(&format!("cannot read config file {}: ", path.display())),
            "{message}"
        );
    }
}
