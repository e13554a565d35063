//! The `helpline` binary: the command line, the settings, logging and one subcommand per way of
//! running Helpline (`run`, `interactions`, `proxy`, `panel`, `operator`, `demo`, `migrate`, `config`). It owns loading the
//! settings, once, from defaults, the TOML file, the environment and flags, and passing each
//! subcommand the sections it needs; and it owns turning errors into one `error:` line and an exit code. It does not
//! own behaviour: tickets, storage and Discord live in the library crates, which never read
//! the environment or the settings file themselves.

mod cli;
mod commands;
mod settings;
mod telemetry;

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole chain on one line: "cannot load settings: invalid …".
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let loaded = settings::load_from_process(cli.config.as_deref(), &cli.overrides)?;
    telemetry::init(&loaded.settings.log)?;
    for variable in &loaded.unknown_env {
        tracing::warn!(variable = %variable, "ignoring unknown helpline environment variable");
    }
    if let Some(path) = &loaded.file {
        tracing::debug!(path = %path.display(), "settings loaded");
    }

    match cli.command {
        Command::Demo(arguments) => runtime()?.block_on(commands::demo::run(
            &loaded.settings,
            arguments.listen,
            arguments.script,
        )),
        Command::Run => runtime()?.block_on(commands::run::run(&loaded.settings)),
        Command::Interactions => runtime()?.block_on(commands::interactions::run(&loaded.settings)),
        Command::Proxy => runtime()?.block_on(commands::proxy::run(&loaded.settings)),
        Command::Panel => runtime()?.block_on(commands::panel::run(&loaded.settings)),
        Command::Operator(arguments) if arguments.print_crd => commands::operator::print_crd(),
        Command::Operator(_) => runtime()?.block_on(commands::operator::run(&loaded.settings)),
        Command::Migrate => runtime()?.block_on(commands::migrate::run(&loaded.settings.store)),
        Command::Config(arguments) => commands::config::run(&loaded, arguments.format),
    }
}

/// The runtime for subcommands that do I/O; `config` needs none and starts no threads.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| anyhow::anyhow!("cannot start the async runtime: {error}"))
}
