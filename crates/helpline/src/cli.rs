//! The command line: global options shared by every subcommand, and the subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::settings;

/// Helpline, a Discord ticket-support bot.
///
/// One binary: it runs single-node with SQLite or as a cluster, depending on the subcommand
/// and the settings.
#[derive(Debug, Parser)]
#[command(
    name = "helpline",
    version,
    after_help = "Run `helpline --help` for every setting and its environment variables.",
    after_long_help = settings::help_listing(),
)]
pub(crate) struct Cli {
    /// TOML settings file; without one, the defaults and the environment apply [env:
    /// HELPLINE_CONFIG]
    // Not clap's `env`: `settings::load` reads HELPLINE_CONFIG, so that empty means unset as it
    // does for every other variable, where clap would reject the empty value.
    #[arg(long, short = 'c', global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,

    /// Override one setting, above the file and the environment (repeatable); an empty VALUE
    /// unsets an optional setting. Secrets are refused here.
    #[arg(long = "set", short = 's', global = true, value_name = "KEY=VALUE",
          value_parser = parse_key_value)]
    pub(crate) overrides: Vec<(String, String)>,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run Helpline against a local Discord emulator with a seeded Demo Server: no token needed.
    Demo(DemoArgs),
    /// Run the bot against Discord: single node, SQLite, every shard in this process. Needs
    /// the bot token (DISCORD_TOKEN).
    Run,
    /// Serve Discord's interactions endpoint (POST /interactions on interactions.listen)
    /// without gateway shards: the same handlers and store as `run`, for a cluster whose
    /// interaction handling scales apart from its gateway connections. Needs the bot token.
    Interactions,
    /// Serve the REST egress proxy every bot process of a cluster sends its Discord calls
    /// through: one rate-limit budget for all (shared through cluster.redis_url).
    Proxy,
    /// Serve the web panel: members sign in with Discord and read their tickets and
    /// transcripts; a server's admins see its tickets. Reads the bot's store; needs
    /// panel.public_url, panel.client_id, panel.client_secret, panel.session_key and the bot
    /// token.
    Panel,
    /// Run the Kubernetes operator: it sizes the shard group of every HelplineCluster in its
    /// namespace from Discord's recommendation and rolls its processes one at a time when the
    /// shard count changes. Needs the bot token and a service account (or a kubeconfig).
    Operator(OperatorArgs),
    /// Bring the store to this build's schema and print its version: the SQLite file created
    /// or upgraded, or the ScyllaDB keyspace created and migrated (run before `run` on scylla).
    Migrate,
    /// Print the effective settings, secrets redacted, and where each value came from.
    Config(ConfigArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Play the whole story unattended, one line per step; exit non-zero naming a failed step.
    #[arg(long)]
    pub(crate) script: bool,
    /// Where the emulator listens (its REST API, gateway and admin routes).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub(crate) listen: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub(crate) struct OperatorArgs {
    /// Print the HelplineCluster CustomResourceDefinition (YAML) and exit.
    #[arg(long)]
    pub(crate) print_crd: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ConfigArgs {
    /// Output format: TOML usable as a settings file, or Rust's Debug of the settings.
    #[arg(long, value_enum, default_value_t = ConfigFormat::Toml)]
    pub(crate) format: ConfigFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ConfigFormat {
    Toml,
    Debug,
}

fn parse_key_value(argument: &str) -> Result<(String, String), String> {
    let (key, value) = argument
        .split_once('=')
        .ok_or("expected KEY=VALUE, such as store.sqlite_path=/data/helpline.sqlite3")?;
    Ok((key.trim().to_owned(), value.to_owned()))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli = Cli::try_parse_from([
            "helpline",
            "migrate",
            "--config",
            "x.toml",
            "--set",
            "store.sqlite_path=a=b",
        ])
        .unwrap();
        assert_eq!(cli.config, Some(PathBuf::from("x.toml")));
        assert_eq!(
            cli.overrides,
            [("store.sqlite_path".to_owned(), "a=b".to_owned())]
        );
        assert!(matches!(cli.command, Command::Migrate));
    }

    #[test]
    fn config_format_defaults_to_toml() {
        let cli = Cli::try_parse_from(["helpline", "config"]).unwrap();
        let Command::Config(arguments) = cli.command else {
            panic!("not config")
        };
        assert_eq!(arguments.format, ConfigFormat::Toml);
    }

    #[test]
    fn set_without_equals_is_refused() {
        let error = Cli::try_parse_from(["helpline", "--set", "store.sqlite_path", "config"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("expected KEY=VALUE"), "{error}");
    }

    #[test]
    fn long_help_lists_the_settings() {
        let help = Cli::command().render_long_help().to_string();
        assert!(
            help.contains("HELPLINE_STORE_MAX_ATTACHMENT_BYTES"),
            "{help}"
        );
        assert!(help.contains("DISCORD_TOKEN"), "{help}");
    }
}
