//! `helpline-loadtest SCENARIO`: plays a load-test scenario and prints its report.

// The report is the command's output.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Plays a load-test scenario against the Discord emulator with real `helpline` processes, and
/// prints the figures it measured (also written as report.json and report.md).
#[derive(Parser)]
#[command(name = "helpline-loadtest")]
struct Cli {
    /// The scenario file, e.g. loadtest/scenarios/smoke.toml.
    #[arg(required_unless_present = "twilight_cache")]
    scenario: Option<PathBuf>,
    /// The helpline binary the processes run [default: beside this one].
    #[arg(long)]
    helpline: Option<PathBuf>,
    /// The run's directory (logs, store, report) [default: target/loadtest/<scenario>].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Check every panel query of the dashboards in this folder against a real Prometheus
    /// scraping the run (Debian's `prometheus` on the PATH).
    #[arg(long, value_name = "FOLDER")]
    check_dashboards: Option<PathBuf>,
    /// P4's yardstick, run by the runner in a child: twilight's default cache fed every shard of
    /// this gateway, its memory printed as JSON.
    #[arg(long, value_name = "GATEWAY_URL", hide = true)]
    twilight_cache: Option<String>,
    #[arg(long, hide = true, default_value_t = 1)]
    shards: u32,
    #[arg(long, hide = true, default_value_t = 1)]
    max_concurrency: u32,
    #[arg(long, hide = true, default_value_t = 0)]
    guilds: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = (|| {
        if let Some(gateway) = &cli.twilight_cache {
            let token = std::env::var(helpline_loadtest::TWILIGHT_CACHE_TOKEN).map_err(|_| {
                anyhow::anyhow!("{} is not set", helpline_loadtest::TWILIGHT_CACHE_TOKEN)
            })?;
            let figures = helpline_loadtest::measure_twilight_cache(
                gateway,
                token,
                cli.shards,
                cli.max_concurrency,
                cli.guilds,
            )?;
            println!("{}", serde_json::to_string(&figures)?);
            return Ok(());
        }
        let Some(path) = &cli.scenario else {
            anyhow::bail!("name a scenario file");
        };
        let scenario = helpline_loadtest::Scenario::load(path)?;
        let here = std::env::current_exe()?;
        let helpline = cli
            .helpline
            .unwrap_or_else(|| here.with_file_name("helpline"));
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = cli
            .dir
            .unwrap_or_else(|| helpline_loadtest::default_dir(&workspace, &scenario));
        let report = helpline_loadtest::run(
            &scenario,
            &helpline_loadtest::Options {
                helpline,
                dir,
                dashboards: cli.check_dashboards,
                progress: true,
                runner: Some(here),
            },
        )?;
        print!("{}", report.markdown());
        let failed = report.dashboards.iter().filter(|c| !c.passed()).count();
        if failed > 0 {
            anyhow::bail!("{failed} dashboard queries returned no series or failed");
        }
        anyhow::Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("helpline-loadtest: {error:#}");
            ExitCode::FAILURE
        }
    }
}
