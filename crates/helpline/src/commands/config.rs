//! `helpline config`: print the effective settings so an operator can check what was loaded.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::cli::ConfigFormat;
use crate::settings::{Loaded, Source, VARIABLES};

pub(crate) fn run(loaded: &Loaded, format: ConfigFormat) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(render(loaded, format).as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// The `config` output. Secrets show as `[redacted]`: they go through [`VARIABLES`]' `show`
/// and `Debug`, neither of which can reach a secret's value.
pub(crate) fn render(loaded: &Loaded, format: ConfigFormat) -> String {
    match format {
        ConfigFormat::Toml => render_toml(loaded),
        ConfigFormat::Debug => format!("{:#?}\n", loaded.settings),
    }
}

/// TOML that parses back into the same settings (but for secrets), each value annotated with
/// its source and each unset setting present as a comment, so nothing is hidden.
fn render_toml(loaded: &Loaded) -> String {
    // Writing to a String cannot fail, hence the ignored results.
    let mut out = String::from("# effective helpline settings; secrets are shown as [redacted]\n");
    match &loaded.file {
        Some(path) => _ = writeln!(out, "# config file: {}", path.display()),
        None => out.push_str("# config file: none\n"),
    }
    let mut current_section = "";
    for variable in VARIABLES {
        let (section, name) = variable.key.split_once('.').unwrap_or(("", variable.key));
        if section != current_section {
            _ = write!(out, "\n[{section}]\n");
            current_section = section;
        }
        let source = loaded
            .sources
            .get(variable.key)
            .copied()
            .unwrap_or(Source::Default);
        match variable.value(&loaded.settings) {
            Some(value) => _ = writeln!(out, "{name} = {value}  # {source}"),
            None => _ = writeln!(out, "# {name}: unset ({source})"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;
    use crate::settings::{Settings, load};

    const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh1JkL.very-secret-token-value";
    const SCYLLA_PASSWORD: &str = "scylla-very-secret-password";
    const CLIENT_SECRET: &str = "oauth2-very-secret-client-secret";
    const SESSION_KEY: &str = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

    fn loaded_with_token() -> Loaded {
        let environment: Vec<(OsString, OsString)> = vec![
            ("DISCORD_TOKEN".into(), TOKEN.into()),
            (
                "HELPLINE_STORE_SCYLLA_PASSWORD".into(),
                SCYLLA_PASSWORD.into(),
            ),
            ("HELPLINE_PANEL_CLIENT_SECRET".into(), CLIENT_SECRET.into()),
            ("HELPLINE_PANEL_SESSION_KEY".into(), SESSION_KEY.into()),
            (
                "HELPLINE_STORE_SQLITE_PATH".into(),
                "/data/with \"quotes\".sqlite3".into(),
            ),
        ];
        load(
            None,
            environment,
            &[("log.filter".to_owned(), "debug".to_owned())],
        )
        .unwrap()
    }

    #[test]
    fn token_never_appears_in_config_output() {
        let loaded = loaded_with_token();
        for format in [ConfigFormat::Toml, ConfigFormat::Debug] {
            let output = render(&loaded, format);
            assert!(!output.contains(TOKEN), "{output}");
            assert!(!output.contains(SCYLLA_PASSWORD), "{output}");
            assert!(!output.contains(CLIENT_SECRET), "{output}");
            assert!(!output.contains(SESSION_KEY), "{output}");
            assert!(!output.contains("very-secret"), "{output}");
            assert!(output.contains("[redacted]"), "{output}");
        }
    }

    #[test]
    fn toml_output_shows_sources_and_unset_values() {
        let output = render(&loaded_with_token(), ConfigFormat::Toml);
        assert!(output.contains("token = \"[redacted]\"  # environment DISCORD_TOKEN\n"));
        assert!(output.contains(
            "scylla_password = \"[redacted]\"  # environment HELPLINE_STORE_SCYLLA_PASSWORD\n"
        ));
        assert!(
            output.contains(
                "scylla_replication = \"{'class': 'NetworkTopologyStrategy', \
                 'replication_factor': 3}\"  # default\n"
            ),
            "{output}"
        );
        assert!(output.contains("# api_url: unset (default)\n"), "{output}");
        assert!(output.contains("filter = \"debug\"  # --set\n"), "{output}");
        assert!(
            output.contains("max_attachment_bytes = 10485760  # default\n"),
            "{output}"
        );
        assert!(output.contains("# config file: none\n"), "{output}");
    }

    #[test]
    fn toml_output_parses_back_into_the_same_settings() {
        let loaded = loaded_with_token();
        let output = render(&loaded, ConfigFormat::Toml);
        let mut parsed: Settings = toml::from_str(&output).unwrap();
        // The redacted secrets are the only values that cannot round-trip.
        assert_eq!(
            parsed.discord.token.as_ref().map(|token| token.expose()),
            Some("[redacted]")
        );
        assert_eq!(
            parsed
                .store
                .scylla_password
                .as_ref()
                .map(|password| password.expose()),
            Some("[redacted]")
        );
        parsed
            .discord
            .token
            .clone_from(&loaded.settings.discord.token);
        parsed
            .store
            .scylla_password
            .clone_from(&loaded.settings.store.scylla_password);
        assert_eq!(
            parsed
                .panel
                .client_secret
                .as_ref()
                .map(|secret| secret.expose()),
            Some("[redacted]")
        );
        parsed
            .panel
            .client_secret
            .clone_from(&loaded.settings.panel.client_secret);
        parsed
            .panel
            .session_key
            .clone_from(&loaded.settings.panel.session_key);
        assert_eq!(parsed, loaded.settings);
    }
}
