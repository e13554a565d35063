//! Helpline's load-test runner. A scenario (`loadtest/scenarios/*.toml`) names a world, Discord's
//! limits, a cluster shape, a load, faults and figures; [`run`] starts the Discord emulator in
//! this process, `redis-server` when the processes coordinate, `helpline proxy` replicas and
//! `helpline run` shard groups as child processes (the binary an operator runs), optionally a
//! real Prometheus scraping them, plays the scenario through the emulator as members and admins
//! would, and returns a [`Report`] of what it measured.

mod bare;
mod drive;
mod fleet;
mod http;
mod memory;
pub mod prometheus;
pub mod report;
pub mod scenario;

pub use memory::{TOKEN as TWILIGHT_CACHE_TOKEN, measure_twilight_cache};

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use discord_emulator::{Emulator, EmulatorConfig, RateLimitConfig, WorldShape};
use twilight_model::guild::Permissions;

pub use drive::{Button, open_button};
pub use fleet::cpu_seconds;
pub use report::Report;
pub use scenario::Scenario;

/// How a run is made.
#[derive(Clone, Debug)]
pub struct Options {
    /// The `helpline` binary the processes run.
    pub helpline: PathBuf,
    /// Where the run keeps its logs, store, Prometheus data and report (emptied first).
    pub dir: PathBuf,
    /// Check every panel query of these Grafana dashboards against a real Prometheus scraping
    /// the run.
    pub dashboards: Option<PathBuf>,
    /// Progress on stderr.
    pub progress: bool,
    /// This runner's own executable, which measures twilight's cache for P4 in a child
    /// (`--twilight-cache`); without it the figure is not taken.
    pub runner: Option<PathBuf>,
}

const MIB: f64 = 1024.0 * 1024.0;

/// The proxy's histogram of the time it held a request for the budget.
const PROXY_WAIT: &str = "helpline_proxy_wait_seconds";

/// The file that marks a directory as a run's, so a later run may empty it.
const MARKER: &str = ".helpline-loadtest";

/// Plays `scenario` and reports what it measured; the report is also written to
/// `report.json` and `report.md` in the run's directory.
pub fn run(scenario: &Scenario, options: &Options) -> Result<Report> {
    scenario.check()?;
    let dir = &options.dir;
    let marker = dir.join(MARKER);
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .next()
            .is_none();
        if !empty && !marker.is_file() {
            bail!(
                "{} is not empty and holds no earlier run: name a new directory",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot empty {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(
        &marker,
        "a helpline-loadtest run: emptied by the next run\n",
    )?;
    let progress = Progress::new(&scenario.name, options.progress);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("loadtest")
        .enable_all()
        .build()?;
    let identify_window = Duration::from_millis(scenario.discord.identify_window_ms);
    let emulator = runtime.block_on(Emulator::start(EmulatorConfig {
        recommended_shards: scenario.discord.shards,
        max_concurrency: scenario.discord.max_concurrency,
        identify_window,
        rate_limit: RateLimitConfig {
            global_limit: scenario.discord.global_limit,
            ..RateLimitConfig::default()
        },
        // The people wait 3 s for what follows a deferral, then move on.
        answer_wait: Duration::from_secs(3),
        ..EmulatorConfig::default()
    }))?;
    let mut report = Report {
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        guilds: scenario.world.guilds,
        shards: scenario.discord.shards,
        max_concurrency: scenario.discord.max_concurrency,
        processes: scenario.cluster.processes,
        proxies: scenario.cluster.proxies,
        ..Report::default()
    };

    progress.say(&format!("building {} guilds", scenario.world.guilds));
    let started = Instant::now();
    let guilds = emulator.populate(WorldShape {
        guilds: scenario.world.guilds,
        channels: scenario.world.channels,
        roles: scenario.world.roles,
        members: scenario.world.members,
        bot_permissions: Permissions::ADMINISTRATOR,
    })?;
    report.startup.populate_secs = started.elapsed().as_secs_f64();

    let redis = if scenario.needs_redis() {
        Some(helpline_cluster::RedisServer::start(dir).context("cannot start redis-server")?)
    } else {
        None
    };
    let redis_url = redis.as_ref().map(helpline_cluster::RedisServer::url);
    let mut fleet = fleet::Fleet::new(&options.helpline, dir)?;
    let mut proxy_urls = Vec::new();
    for _ in 0..scenario.cluster.proxies {
        let url = fleet.spawn_proxy(&emulator, redis_url.as_deref().unwrap_or_default())?;
        proxy_urls.push(url);
    }
    progress.say(&format!(
        "starting {} bot processes for {} shards",
        scenario.cluster.processes, scenario.discord.shards
    ));
    let started = Instant::now();
    for index in 0..scenario.cluster.processes {
        let proxy = (!proxy_urls.is_empty()).then(|| proxy_urls[index % proxy_urls.len()].as_str());
        fleet.spawn_bot(&emulator, identify_window, redis_url.as_deref(), proxy)?;
    }
    let mut baseline = vec![None; fleet.bots.len()];
    loop {
        fleet.check_alive()?;
        for (index, process) in fleet.bots.iter().enumerate() {
            if baseline[index].is_none()
                && http::get(process.metrics_port, "/healthz").is_ok_and(|(s, _)| s == 200)
            {
                baseline[index] = Some(process.memory().0);
            }
        }
        let connected = emulator.sessions().iter().filter(|s| s.connected).count();
        if connected == scenario.discord.shards as usize
            && fleet.bots.iter().all(fleet::Process::ready)
        {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            bail!(
                "not ready after 10 minutes: {connected} of {} shards connected\n{}",
                scenario.discord.shards,
                fleet
                    .bots
                    .iter()
                    .map(|p| format!("--- {}\n{}", p.name, p.log_tail(15)))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    report.startup.ready_secs = started.elapsed().as_secs_f64();
    report.startup.floor_secs = scenario.identify_floor().as_secs_f64();
    report.startup.ratio = report.startup.ready_secs / report.startup.floor_secs.max(f64::EPSILON);
    progress.say(&format!("ready in {:.1} s", report.startup.ready_secs));

    let prometheus = match &options.dashboards {
        Some(_) => {
            let targets: Vec<(String, u16)> = fleet
                .bots
                .iter()
                .chain(fleet.proxies.iter())
                .map(|p| (p.name.clone(), p.metrics_port))
                .collect();
            Some(prometheus::Prometheus::start(dir, &targets)?)
        }
        None => None,
    };

    let driver = Arc::new(drive::Driver::new(&emulator, &guilds));
    let started = Instant::now();
    runtime.block_on(driver.set_up(scenario.world.active_guilds))?;
    report.startup.setup_secs = started.elapsed().as_secs_f64();
    // Whatever the setup cost is not the load's.
    driver.take_acks();
    let ready_memory: Vec<(u64, u64)> = fleet.bots.iter().map(fleet::Process::memory).collect();
    // A process's guilds: the world's share of the shards it runs (guilds spread evenly over
    // shards by id), as its `helpline_bot_shards` gauge says now.
    let guilds_held: Vec<f64> = fleet
        .bots
        .iter()
        .map(|p| {
            let ready = http::sum_samples(&p.metrics(), "helpline_bot_shards", "state=\"ready\"");
            scenario.world.guilds as f64 * ready / f64::from(scenario.discord.shards)
        })
        .collect();

    if scenario.load.secs > 0 {
        report.load = Some(play_load(
            scenario, &runtime, &emulator, &fleet, &driver, &progress,
        )?);
    }
    fleet.check_alive()?;
    if scenario.ingest.messages > 0 {
        report.ingest = Some(ingest(
            &scenario.ingest,
            &runtime,
            &fleet,
            &driver,
            &progress,
        )?);
    }
    let mut helpline_clicks = None;
    if scenario.ack.secs > 0 {
        progress.say(&format!(
            "{} clicks/s acknowledged by Helpline",
            scenario.ack.clicks_per_sec
        ));
        helpline_clicks =
            Some(runtime.block_on(driver.clicks(scenario.ack.clicks_per_sec, scenario.ack.secs)));
    }
    fleet.check_alive()?;
    if let (Some(prometheus), Some(dashboards)) = (&prometheus, &options.dashboards) {
        progress.say("checking every dashboard query against Prometheus");
        let targets = fleet.bots.len() + fleet.proxies.len();
        let started = Instant::now();
        while !prometheus.scraped(targets, 5) {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("Prometheus did not scrape every process five times within 30 s");
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        report.dashboards = prometheus.check_dashboards(dashboards)?;
    }

    for (index, process) in fleet.bots.iter().enumerate() {
        let (end, peak) = process.memory();
        let base = baseline[index].unwrap_or(0) as f64;
        let ready = ready_memory[index].0 as f64;
        let guilds = guilds_held[index];
        report.resources.push(report::ProcessFigures {
            name: process.name.clone(),
            baseline_rss_mib: base / MIB,
            ready_rss_mib: ready / MIB,
            end_rss_mib: end as f64 / MIB,
            peak_rss_mib: peak as f64 / MIB,
            rss_per_guild_kib: (guilds > 0.0 && base > 0.0)
                .then(|| (ready - base) / guilds / 1024.0),
            guilds,
            cpu_secs: process.cpu_seconds(),
        });
    }
    for process in &fleet.proxies {
        let (end, peak) = process.memory();
        report.resources.push(report::ProcessFigures {
            name: process.name.clone(),
            end_rss_mib: end as f64 / MIB,
            peak_rss_mib: peak as f64 / MIB,
            cpu_secs: process.cpu_seconds(),
            ..report::ProcessFigures::default()
        });
    }

    for process in &mut fleet.bots {
        let status = process.stop(Duration::from_secs(20))?;
        if !status.success() {
            bail!(
                "{} exited with {status} when stopped:\n{}",
                process.name,
                process.log_tail(30)
            );
        }
    }
    if let Some(helpline) = helpline_clicks {
        progress.say(&format!(
            "{} clicks/s acknowledged by a bare twilight bot",
            scenario.ack.clicks_per_sec
        ));
        // It reads messages too when the ingest figures want its cost beside Helpline's.
        let reads_messages = report.ingest.is_some() && scenario.ingest.as_sent_rounds > 0;
        let bare = bare::BareBot::start(
            &emulator,
            scenario.discord.shards,
            scenario.discord.max_concurrency,
            reads_messages,
        )?;
        let bare_clicks =
            runtime.block_on(driver.clicks(scenario.ack.clicks_per_sec, scenario.ack.secs));
        if reads_messages && let Some(ingest) = report.ingest.as_mut() {
            ingest.bare_twilight = Some(bare_ingest(
                &bare,
                scenario.ingest.messages,
                &runtime,
                &driver,
                &progress,
            )?);
        }
        drop(bare);
        let figures = |clicks: &drive::Clicks| report::ClickFigures {
            clicks: clicks.latencies.len(),
            failed: clicks.failed,
            p50_ms: report::quantile_ms(&clicks.latencies, 0.5),
            p99_ms: report::quantile_ms(&clicks.latencies, 0.99),
        };
        let (ours, theirs) = (figures(&helpline), figures(&bare_clicks));
        report.ack = Some(report::AckFigures {
            clicks_per_sec: scenario.ack.clicks_per_sec,
            secs: scenario.ack.secs,
            ratio: if theirs.p99_ms > 0.0 {
                ours.p99_ms / theirs.p99_ms
            } else {
                f64::NAN
            },
            helpline: ours,
            bare_twilight: theirs,
        });
    }
    drop(prometheus);
    drop(fleet);
    drop(redis);
    if let (true, Some(runner)) = (scenario.memory.twilight_cache, &options.runner) {
        progress.say("twilight's default cache fed the same guilds, in a process of its own");
        let twilight = memory::twilight_cache(
            runner,
            &emulator,
            scenario.discord.shards,
            scenario.discord.max_concurrency,
            scenario.world.guilds,
        )?;
        let bot_per_guild = report
            .resources
            .iter()
            .filter_map(|p| p.rss_per_guild_kib)
            .sum::<f64>()
            / report
                .resources
                .iter()
                .filter(|p| p.rss_per_guild_kib.is_some())
                .count()
                .max(1) as f64;
        report.memory = Some(report::MemoryFigures {
            bot_rss_per_guild_kib: bot_per_guild,
            ratio: bot_per_guild / twilight.rss_per_guild_kib.max(f64::EPSILON),
            twilight_cache: twilight,
        });
    }
    emulator.shutdown();
    std::fs::write(
        dir.join("report.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    std::fs::write(dir.join("report.md"), report.markdown())?;
    progress.say(&format!(
        "report written to {}",
        dir.join("report.md").display()
    ));
    Ok(report)
}

/// REST requests Discord answered, by route, from the emulator's exposition.
fn rest_requests(emulator: &Emulator) -> BTreeMap<String, u64> {
    let mut by_route = BTreeMap::new();
    for line in emulator.render_metrics().lines() {
        let Some(rest) = line.strip_prefix("discord_emulator_rest_requests_total{route=\"") else {
            continue;
        };
        let Some((route, tail)) = rest.split_once('"') else {
            continue;
        };
        let count = tail
            .rsplit(' ')
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        *by_route.entry(route.to_owned()).or_insert(0) += count;
    }
    by_route
}

/// Requests that count against the global budget: everything but interaction callbacks and
/// webhook-token routes (interaction follow-ups).
fn budgeted(by_route: &BTreeMap<String, u64>) -> u64 {
    by_route
        .iter()
        .filter(|(route, _)| {
            // The emulator's route label is `METHOD /template`.
            let path = route
                .split_once(' ')
                .map_or(route.as_str(), |(_, path)| path);
            !path.starts_with("/interactions/")
                && !path.starts_with("/webhooks/")
                && !path.starts_with("/gateway")
        })
        .map(|(_, count)| count)
        .sum()
}

fn play_load(
    scenario: &Scenario,
    runtime: &tokio::runtime::Runtime,
    emulator: &Emulator,
    fleet: &fleet::Fleet,
    driver: &Arc<drive::Driver>,
    progress: &Progress,
) -> Result<report::LoadFigures> {
    let faults = &scenario.faults;
    let mut latency = BTreeMap::new();
    if faults.rest_latency_ms > 0 || faults.rest_jitter_ms > 0 {
        latency.insert(
            "*".to_owned(),
            discord_emulator::Latency {
                fixed_ms: faults.rest_latency_ms,
                jitter_ms: faults.rest_jitter_ms,
            },
        );
    }
    emulator.set_faults(discord_emulator::Faults {
        rest_latency: latency,
        error_rate: faults.rest_error_rate,
        error_status: 503,
        gateway_drop_rate: faults.gateway_drop_rate,
        ..discord_emulator::Faults::default()
    });
    let scopes = ["user", "global", "shared"];
    let limited_before: Vec<u64> = scopes
        .iter()
        .map(|s| emulator.rate_limited_count(s))
        .collect();
    let routes_before = rest_requests(emulator);
    let rest_before = budgeted(&routes_before);
    let cpu_before = fleet.bots_cpu();
    let proxy_cpu_before: f64 = fleet.proxies.iter().map(fleet::Process::cpu_seconds).sum();
    let proxy_holds = || {
        let expositions: String = fleet.proxies.iter().map(fleet::Process::metrics).collect();
        http::buckets(&expositions, PROXY_WAIT)
    };
    let holds_before = proxy_holds();
    let started = Instant::now();
    let storms = (faults.reconnect_every_secs > 0).then(|| {
        let emulator = emulator.clone();
        let every = Duration::from_secs(faults.reconnect_every_secs);
        let secs = scenario.load.secs;
        runtime.spawn(async move {
            let started = Instant::now();
            loop {
                tokio::time::sleep(every).await;
                if started.elapsed() >= Duration::from_secs(secs) {
                    break;
                }
                emulator.reconnect_shards(None);
            }
        })
    });
    let in_flight = runtime.block_on(driver.play(&scenario.load, |played, counts| {
        use std::sync::atomic::Ordering::Relaxed;
        progress.tick(&format!(
            "load {}/{} s: {} opens, {} tickets, {} ticket messages, {} chat messages, {} closes",
            played.as_secs(),
            scenario.load.secs,
            counts.opens.load(Relaxed),
            counts.tickets_seen.load(Relaxed),
            counts.ticket_messages.load(Relaxed),
            counts.chat_messages.load(Relaxed),
            counts.closes.load(Relaxed),
        ));
    }));
    // The figures over the load's own time; what is still in flight finishes after.
    let secs = started.elapsed().as_secs_f64();
    let routes_after = rest_requests(emulator);
    let cpu = fleet.bots_cpu() - cpu_before;
    let holds_after = proxy_holds();
    let proxy_cpu = fleet
        .proxies
        .iter()
        .map(fleet::Process::cpu_seconds)
        .sum::<f64>()
        - proxy_cpu_before;
    if let Some(storms) = storms {
        storms.abort();
    }
    emulator.set_faults(discord_emulator::Faults::default());
    runtime.block_on(driver.drain(in_flight));
    progress.done();
    let rest = budgeted(&routes_after) - rest_before;
    let mut rest_by_route: Vec<(String, u64)> = routes_after
        .into_iter()
        .map(|(route, count)| {
            let before = routes_before.get(&route).copied().unwrap_or(0);
            (route, count - before)
        })
        .filter(|(_, count)| *count > 0)
        .collect();
    rest_by_route.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let clicks = driver.take_acks();
    let counts = &driver.counts;
    use std::sync::atomic::Ordering::Relaxed;
    let rate_limited = [0, 1, 2].map(|i| {
        (
            scopes[i].to_owned(),
            emulator.rate_limited_count(scopes[i]) - limited_before[i],
        )
    });
    Ok(report::LoadFigures {
        secs,
        opens: counts.opens.load(Relaxed),
        opens_failed: counts.opens_failed.load(Relaxed),
        tickets_seen: counts.tickets_seen.load(Relaxed),
        ticket_messages: counts.ticket_messages.load(Relaxed),
        staff_messages: counts.staff_messages.load(Relaxed),
        chat_messages: counts.chat_messages.load(Relaxed),
        closes: counts.closes.load(Relaxed),
        closes_failed: counts.closes_failed.load(Relaxed),
        opens_without_ticket: counts.opens_without_ticket.load(Relaxed),
        skipped: counts.behind.load(Relaxed),
        ack_p50_ms: report::quantile_ms(&clicks.latencies, 0.5),
        ack_p99_ms: report::quantile_ms(&clicks.latencies, 0.99),
        ack_max_ms: report::quantile_ms(&clicks.latencies, 1.0),
        rest_requests: rest,
        rest_per_sec: rest as f64 / secs,
        rest_by_route,
        budget_ratio: rest as f64 / secs / f64::from(scenario.discord.global_limit),
        rate_limited,
        bot_cpu_cores: cpu / secs,
        proxy_hold_p99_ms: http::quantile_between(&holds_before, &holds_after, 0.99)
            .map(|secs| secs * 1000.0),
        proxy_cpu_ms_per_1000: (!fleet.proxies.is_empty() && rest > 0)
            .then(|| proxy_cpu * 1000.0 / rest as f64 * 1000.0),
    })
}

/// P2: bursts of MESSAGE_CREATE handled by the bot processes, per CPU-second, against
/// twilight's raw parse of the same payload in this process.
fn ingest(
    scenario: &scenario::Ingest,
    runtime: &tokio::runtime::Runtime,
    fleet: &fleet::Fleet,
    driver: &drive::Driver,
    progress: &Progress,
) -> Result<report::IngestFigures> {
    let messages = scenario.messages;
    let rounds = scenario.rounds.max(1);
    // Helpline's bot processes: their MESSAGE_CREATE counters (handled or skipped), from one
    // look at each exposition, and /proc.
    let handled = || {
        fleet.bots_sums(&[
            (
                "helpline_bot_gateway_events_total",
                "type=\"MESSAGE_CREATE\"",
            ),
            (
                "helpline_bot_gateway_events_skipped_total",
                "type=\"MESSAGE_CREATE\"",
            ),
        ])
    };
    let usage = || fleet.bots_usage();
    let meter = Meter {
        handled: &handled,
        usage: &usage,
    };
    let mut payload = String::new();
    let mut play = |count: usize, held: bool, name: &str| -> Result<(Vec<f64>, f64)> {
        let (mut rates, mut switches) = (Vec::new(), Vec::new());
        for round in 1..=count {
            progress.say(&format!(
                "ingest burst {round} of {count} ({name}): {messages} messages"
            ));
            let burst = burst(messages, held, runtime, driver, &meter)?;
            rates.push(burst.handled_per_cpu_sec);
            switches.push(burst.context_switches_per_message);
            payload = burst.payload;
        }
        Ok((rates, report::median(&switches)))
    };
    let (by_round, context_switches_per_message) = play(rounds, true, "held, then a flood")?;
    let (as_sent, as_sent_context_switches_per_message) =
        play(scenario.as_sent_rounds, false, "dispatched as sent")?;
    // The raw rate, on a thread of its own so its CPU time is its alone.
    let raw_parse_per_cpu_sec = std::thread::spawn(move || {
        let rounds = 100_000;
        let before = fleet::thread_cpu_seconds();
        for _ in 0..rounds {
            let event =
                twilight_gateway::parse(payload.clone(), twilight_gateway::EventTypeFlags::all());
            assert!(matches!(event, Ok(Some(_))), "the payload parses");
        }
        f64::from(rounds) / (fleet::thread_cpu_seconds() - before).max(0.01)
    })
    .join()
    .map_err(|_| anyhow::anyhow!("the raw parse panicked"))?;
    let handled_per_cpu_sec = report::median(&by_round);
    Ok(report::IngestFigures {
        messages,
        handled_per_cpu_sec,
        handled_per_cpu_sec_by_round: by_round,
        context_switches_per_message,
        as_sent_per_cpu_sec_by_round: as_sent,
        as_sent_context_switches_per_message,
        bare_twilight: None,
        raw_parse_per_cpu_sec,
        ratio: handled_per_cpu_sec / raw_parse_per_cpu_sec,
    })
}

/// What one burst measured.
struct Burst {
    handled_per_cpu_sec: f64,
    context_switches_per_message: f64,
    /// The last message's MESSAGE_CREATE, for the raw parse.
    payload: String,
}

/// How a burst is watched: the messages the bots took so far, and their CPU seconds and context
/// switches so far.
struct Meter<'a> {
    handled: &'a dyn Fn() -> f64,
    usage: &'a dyn Fn() -> fleet::Usage,
}

/// One burst, `held` by the gateway while it is sent and then released at once, or dispatched
/// as it is sent.
fn burst(
    messages: usize,
    held: bool,
    runtime: &tokio::runtime::Runtime,
    driver: &drive::Driver,
    meter: &Meter<'_>,
) -> Result<Burst> {
    let handled = meter.handled;
    // The bot's own messages (effects still draining) are MESSAGE_CREATE too: wait until none
    // arrives for a second, so the burst is counted alone.
    let mut before = handled();
    let quiet = Instant::now();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let now = handled();
        if now == before || quiet.elapsed() > Duration::from_secs(30) {
            break;
        }
        before = now;
    }
    let usage_before = (meter.usage)();
    let started = Instant::now();
    if held {
        driver.emulator().hold_dispatches();
    }
    let sent = runtime.block_on(driver.burst(messages));
    // Released whatever happened, so a failed burst leaves the gateway as it found it.
    driver.emulator().release_dispatches();
    let payload = sent?;
    while handled() < before + messages as f64 {
        if started.elapsed() > Duration::from_secs(300) {
            bail!(
                "the bots handled {} of {messages} messages in 5 minutes",
                handled() - before
            );
        }
        // Each look renders the processes' expositions: not so often that it weighs.
        std::thread::sleep(Duration::from_millis(250));
    }
    let (cpu, switches) = (meter.usage)().since(&usage_before);
    Ok(Burst {
        handled_per_cpu_sec: messages as f64 / cpu.max(0.01),
        context_switches_per_message: switches as f64 / messages as f64,
        payload,
    })
}

/// The bare twilight bot's cost for the same bursts, held and as sent: what any gateway client
/// that parses every message pays, beside what Helpline pays.
fn bare_ingest(
    bare: &bare::BareBot,
    messages: usize,
    runtime: &tokio::runtime::Runtime,
    driver: &drive::Driver,
    progress: &Progress,
) -> Result<report::BareIngestFigures> {
    let handled = || bare.messages() as f64;
    let usage = bare::BareBot::usage;
    let meter = Meter {
        handled: &handled,
        usage: &usage,
    };
    progress.say(&format!(
        "ingest bursts of {messages} messages read by the bare twilight bot"
    ));
    let held = burst(messages, true, runtime, driver, &meter)?;
    let as_sent = burst(messages, false, runtime, driver, &meter)?;
    Ok(report::BareIngestFigures {
        held_per_cpu_sec: held.handled_per_cpu_sec,
        held_context_switches_per_message: held.context_switches_per_message,
        as_sent_per_cpu_sec: as_sent.handled_per_cpu_sec,
        as_sent_context_switches_per_message: as_sent.context_switches_per_message,
    })
}

/// Progress on stderr: a line rewritten in place on a terminal, a line every 5 s otherwise.
struct Progress {
    name: String,
    enabled: bool,
    terminal: bool,
    last: std::sync::Mutex<Instant>,
}

impl Progress {
    fn new(name: &str, enabled: bool) -> Self {
        Self {
            name: name.to_owned(),
            enabled,
            terminal: std::io::stderr().is_terminal(),
            last: std::sync::Mutex::new(Instant::now()),
        }
    }

    fn say(&self, line: &str) {
        if self.enabled {
            eprintln!("[{}] {line}", self.name);
        }
    }

    fn tick(&self, line: &str) {
        if !self.enabled {
            return;
        }
        if self.terminal {
            eprint!("\r\x1b[2K[{}] {line}", self.name);
            let _ = std::io::stderr().flush();
        } else {
            let mut last = self
                .last
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.elapsed() >= Duration::from_secs(5) {
                *last = Instant::now();
                eprintln!("[{}] {line}", self.name);
            }
        }
    }

    fn done(&self) {
        if self.enabled && self.terminal {
            eprintln!();
        }
    }
}

/// The default run directory for a scenario: `target/loadtest/<name>` beside the workspace.
pub fn default_dir(workspace: &Path, scenario: &Scenario) -> PathBuf {
    workspace
        .join("target")
        .join("loadtest")
        .join(&scenario.name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_global_budget_leaves_out_interaction_webhook_and_gateway_routes() {
        let by_route: std::collections::BTreeMap<String, u64> = [
            ("POST /channels/{channel_id}/messages", 7),
            ("POST /interactions/{interaction_id}/{token}/callback", 100),
            (
                "PATCH /webhooks/{application_id}/{token}/messages/{message_id}",
                50,
            ),
            ("GET /gateway/bot", 3),
            ("POST /guilds/{guild_id}/channels", 5),
        ]
        .into_iter()
        .map(|(route, count)| (route.to_owned(), count))
        .collect();
        assert_eq!(super::budgeted(&by_route), 12);
    }

    #[test]
    fn a_directory_that_holds_no_earlier_run_is_never_emptied() {
        let dir = std::env::temp_dir().join(format!("helpline-loadtest-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("precious.txt"), "keep me").unwrap();
        let scenario: super::Scenario = toml::from_str("description = \"x\"").unwrap();
        let error = super::run(
            &scenario,
            &super::Options {
                helpline: "/nonexistent/helpline".into(),
                dir: dir.clone(),
                dashboards: None,
                progress: false,
                runner: None,
            },
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("holds no earlier run"),
            "{error}"
        );
        assert!(dir.join("precious.txt").is_file());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
