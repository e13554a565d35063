//! Load figures against the emulator, printed one per line (figures, not assertions):
//! - interaction acknowledgement latency p50/p99 over 1,000 panel clicks (each opens a ticket);
//! - gateway events handled per second for a MESSAGE_CREATE stream into ticket channels, and
//!   for a realistic one where 1 message in 20 is in a ticket channel, per CPU-second, next to
//!   twilight_gateway::parse's raw rate on the same payload (the P2 ratios);
//! - the time a restarted bot's reconciler takes to finish 1,000 tickets a crash interrupted
//!   (committed with their effects, none performed), under Discord's rate limits.
//!
//! - P5, alone with `HELPLINE_BENCH_ONLY=coldstart`: 16 shards of one process becoming ready at
//!   `max_concurrency` 16 and 1, against the identify floor.
//!
//! Run with `cargo bench -p helpline-bot --bench load` (`HELPLINE_BENCH_ONLY=repair` for the
//! reconciler figure alone, `ingest` for the P2 figures alone: 50 clicks open the streams' tickets
//! rather than 1,000). Each stream also says how many transcript writes it took and how often the
//! bot's threads slept and woke.

#![allow(clippy::print_stdout)]

use discord_emulator::{Emulator, EmulatorConfig};
use helpline_bot::{Bot, BotConfig, RestProxy};
use helpline_domain::permissions::BOT_REQUIRED;
use helpline_domain::{ChannelId, GuildConfig};
use helpline_store::{SqliteStore, Store, StoreLimits};
use std::sync::Arc;
use std::time::{Duration, Instant};
use twilight_gateway::EventTypeFlags;

const GUILDS: usize = 25;
// Discord allows 50 channels in a category: 40 tickets each stay below it.
const MEMBERS_PER_GUILD: usize = 40;
/// Messages in each stream: enough that the bot's CPU time is many of /proc's 10 ms ticks.
const MESSAGES: usize = 200_000;
const CONCURRENT_CLICKS: usize = 16;
/// Ordinary channels of the first guild, for the realistic message stream.
const CHAT_CHANNELS: usize = 19;

/// The /proc directories of this process's threads whose name starts with one of `prefixes`.
fn threads(prefixes: &[&str]) -> Vec<std::path::PathBuf> {
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .map(|task| task.path())
        .filter(|path| {
            let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            prefixes.iter().any(|prefix| comm.starts_with(prefix))
        })
        .collect()
}

/// CPU seconds (user + system) used so far by this process's threads whose name starts with
/// one of `prefixes`, from /proc (clock ticks of 1/100 s).
fn cpu_seconds(prefixes: &[&str]) -> f64 {
    let mut ticks = 0.0;
    for thread in threads(prefixes) {
        let stat = std::fs::read_to_string(thread.join("stat")).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        let field = |n: usize| {
            fields
                .get(n)
                .and_then(|f| f.parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        ticks += field(11) + field(12);
    }
    ticks / 100.0
}

/// Context switches (voluntary and not) so far of this process's threads whose name starts with
/// one of `prefixes`: how often they slept and woke.
fn context_switches(prefixes: &[&str]) -> u64 {
    threads(prefixes)
        .into_iter()
        .map(|thread| {
            std::fs::read_to_string(thread.join("status"))
                .unwrap_or_default()
                .lines()
                .filter(|line| line.contains("ctxt_switches:"))
                .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

/// The bot's threads: its runtime's workers and blocking pool, and the SQLite writer.
const BOT_THREADS: &[&str] = &["bot", "helpline-sqlite"];

/// Now as UNIX seconds, to find a phase in a profile recorded with `perf record -k realtime`.
fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// A counter's value in the rendered metrics (0 before its first increment).
fn counter(rendered: &str, series: &str) -> f64 {
    rendered
        .lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

/// Waits until the bot took at least `parsed` MESSAGE_CREATE past ingest and, with those it
/// dropped unparsed, `parsed + skipped` in all (counted from `before`), and the stream's `last` message is in `ticket`'s transcript (events
/// are handled in order, so every message before it was handled too). It runs on the people's
/// runtime and reads one transcript per check only once the counters are reached, so that
/// waiting costs the bot's threads next to nothing (reading every transcript every 50 ms, as
/// this bench did, cost the bot's store thread more than the appends it measured).
async fn wait_handled(
    people: &tokio::runtime::Handle,
    recorder: &metrics_exporter_prometheus::PrometheusHandle,
    store: &Arc<dyn Store>,
    before: (f64, f64),
    (parsed, skipped): (f64, f64),
    (ticket, last): (helpline_domain::TicketId, helpline_domain::MessageId),
) {
    let recorder = recorder.clone();
    let store = store.clone();
    people
        .spawn(async move {
            loop {
                let rendered = recorder.render();
                let now = (
                    counter(&rendered, PARSED_CREATES) - before.0,
                    counter(&rendered, SKIPPED_CREATES) - before.1,
                );
                if now.0 >= parsed
                    && now.0 + now.1 >= parsed + skipped
                    && store
                        .transcript(ticket)
                        .await
                        .expect("transcript")
                        .iter()
                        .any(|message| message.message_id == last)
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("waiter");
}

const PARSED_CREATES: &str = "helpline_bot_gateway_events_total{type=\"MESSAGE_CREATE\"}";
const APPENDS: &str =
    "helpline_store_operations_total{operation=\"append_messages\",outcome=\"ok\"}";
const SKIPPED_CREATES: &str = "helpline_bot_gateway_events_skipped_total{type=\"MESSAGE_CREATE\"}";

fn quantile(rendered: &str, metric: &str, quantile: &str) -> Option<f64> {
    rendered
        .lines()
        .find(|line| line.starts_with(metric) && line.contains(&format!("quantile=\"{quantile}\"")))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

/// What a MESSAGE_CREATE stream needs: the people's runtime, Discord, the bot's metrics and
/// store, and the tickets whose transcripts the stream fills.
struct Stream<'a> {
    people: &'a tokio::runtime::Handle,
    emulator: &'a Emulator,
    recorder: &'a metrics_exporter_prometheus::PrometheusHandle,
    store: &'a Arc<dyn Store>,
    /// The store's database file.
    database: &'a std::path::Path,
    ticket_ids: &'a [helpline_domain::TicketId],
}

/// A checkpoint of the database's write-ahead log done on a thread named as the bot's, which
/// lives until this is dropped (a thread's CPU time leaves /proc with it).
struct Checkpoint(
    Option<std::sync::mpsc::Sender<()>>,
    Option<std::thread::JoinHandle<()>>,
);

impl Checkpoint {
    fn run(database: &std::path::Path) -> Self {
        let (done, finished) = std::sync::mpsc::channel();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let database = database.to_owned();
        let thread = std::thread::Builder::new()
            .name("bot-checkpoint".to_owned())
            .spawn(move || {
                let connection = rusqlite::Connection::open(database).expect("database");
                // Busy while the store's writer checkpoints itself (its log reached its
                // threshold as the stream ended): this one goes on once that one is done.
                for attempt in 1.. {
                    let (busy, _, _): (i64, i64, i64) = connection
                        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                        })
                        .expect("checkpoint");
                    if busy == 0 {
                        break;
                    }
                    assert!(attempt < 500, "checkpoint blocked for 5 s");
                    std::thread::sleep(Duration::from_millis(10));
                }
                done.send(()).expect("done");
                let _ = stopped.recv();
            })
            .expect("checkpoint thread");
        finished.recv().expect("checkpoint done");
        Self(Some(stop), Some(thread))
    }
}

impl Drop for Checkpoint {
    fn drop(&mut self) {
        drop(self.0.take());
        if let Some(thread) = self.1.take() {
            thread.join().expect("checkpoint thread");
        }
    }
}

/// Where the n-th message of a stream goes, and who writes it.
type Route = Arc<dyn Fn(usize) -> (helpline_domain::UserId, ChannelId) + Send + Sync>;

impl Stream<'_> {
    async fn transcripts(&self) -> usize {
        let mut total = 0;
        for id in self.ticket_ids {
            total += self.store.transcript(*id).await.unwrap().len();
        }
        total
    }

    /// Sends `MESSAGES` MESSAGE_CREATE, the n-th as `route(n)` says, one in `every` of them in
    /// a ticket channel (the last one in `last_ticket`); waits until the bot handled them all and
    /// returns how many it handled per CPU-second of its threads.
    async fn run(
        &self,
        name: &str,
        route: Route,
        every: usize,
        last_ticket: helpline_domain::TicketId,
    ) -> f64 {
        let before = self.transcripts().await;
        let counted = |rendered: &str| {
            (
                counter(rendered, PARSED_CREATES),
                counter(rendered, SKIPPED_CREATES),
            )
        };
        let rendered = self.recorder.render();
        let (counters_before, appends_before) = (counted(&rendered), counter(&rendered, APPENDS));
        let bot_cpu_before = cpu_seconds(BOT_THREADS);
        let switches_before = context_switches(BOT_THREADS);
        let all_cpu_before = cpu_seconds(&[""]);
        let started = Instant::now();
        let phase_start = unix_now();
        let senders = self.emulator.clone();
        let last = self
            .people
            .spawn(async move {
                let mut last = None;
                for n in 0..MESSAGES {
                    let (user, channel) = route(n);
                    let sent = senders
                        .as_user(user)
                        .send_text(channel, "I still cannot log in, what should I try next?")
                        .await
                        .expect("send");
                    last = Some(sent.id);
                }
                last.expect("messages sent")
            })
            .await
            .expect("sender");
        let sent = started.elapsed();
        let split = (
            (MESSAGES / every) as f64,
            (MESSAGES - MESSAGES / every) as f64,
        );
        wait_handled(
            self.people,
            self.recorder,
            self.store,
            counters_before,
            split,
            (last_ticket, last),
        )
        .await;
        // What the stream left in the write-ahead log is copied into the database now, on a
        // thread counted as the bot's: a checkpoint the stream owes is part of its cost.
        let checkpoint = Checkpoint::run(self.database);
        let elapsed = started.elapsed().as_secs_f64();
        let bot_cpu = cpu_seconds(BOT_THREADS) - bot_cpu_before;
        drop(checkpoint);
        let switches = context_switches(BOT_THREADS) - switches_before;
        let all_cpu = cpu_seconds(&[""]) - all_cpu_before;
        assert_eq!(
            self.transcripts().await,
            before + MESSAGES / every,
            "every ticket message captured"
        );
        println!("({name}: UNIX time {phase_start:.3},{:.3})", unix_now());
        let appends = counter(&self.recorder.render(), APPENDS) - appends_before;
        println!(
            "{name}: {appends:.0} transcript writes, {:.1} messages each; the bot's threads slept and woke {switches} times ({:.2} per message)",
            (MESSAGES / every) as f64 / appends,
            switches as f64 / MESSAGES as f64
        );
        let rate = MESSAGES as f64 / bot_cpu;
        println!(
            "{name}: {MESSAGES} MESSAGE_CREATE sent in {:.2} s, handled in {elapsed:.2} s; {rate:.0} per CPU-second of the bot's threads (gateway, parse, cache, transcript append), {:.0} with the emulator's",
            sent.as_secs_f64(),
            MESSAGES as f64 / all_cpu
        );
        rate
    }
}

/// P5: one process identifying 16 shards, at `max_concurrency` 1 and 16 (Discord's identify
/// window of 5 s per bucket): the time until every shard is ready, against the floor of
/// ceil(16 / max_concurrency) windows.
fn cold_start() {
    for max_concurrency in [16_u32, 1] {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let emulator = Emulator::start(EmulatorConfig {
                recommended_shards: 16,
                max_concurrency,
                ..EmulatorConfig::default()
            })
            .await
            .expect("emulator");
            let store: Arc<dyn Store> = Arc::new(
                SqliteStore::open_in_memory(StoreLimits::default()).await.expect("store"),
            );
            let config = BotConfig {
                rest_proxy: Some(RestProxy { host: emulator.http_host().to_owned(), use_http: true }),
                gateway_url: Some(emulator.gateway_url().to_owned()),
                ..BotConfig::new(emulator.bot_token().to_owned())
            };
            let started = Instant::now();
            let running = Bot::start(config, store).await.expect("bot");
            assert!(emulator.wait_for_sessions(16, Duration::from_secs(120)).await, "16 sessions");
            let elapsed = started.elapsed().as_secs_f64();
            let floor = f64::from(16_u32.div_ceil(max_concurrency)) * 5.0;
            println!(
                "cold start, 16 shards at max_concurrency {max_concurrency}: {elapsed:.2} s, {:.2} x the floor of {floor:.0} s ({} identifies refused for concurrency)",
                elapsed / floor,
                emulator.identify_concurrency_refusals()
            );
            running.stop().await;
            emulator.shutdown();
        });
    }
}

fn main() {
    if std::env::var("HELPLINE_BENCH_ONLY").as_deref() == Ok("coldstart") {
        cold_start();
        return;
    }
    // Keep every observation in the latency summary for the whole run.
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_bucket_duration(Duration::from_secs(3600))
        .expect("bucket duration")
        .install_recorder()
        .expect("recorder");
    // The emulator and the people it plays run on their own runtime, so the bot's CPU time can be
    // told apart by thread name.
    let emulator_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("emulator")
        .enable_all()
        .build()
        .expect("emulator runtime");
    let emulator = emulator_runtime
        .block_on(Emulator::start(EmulatorConfig {
            answer_wait: Duration::from_secs(30),
            ..EmulatorConfig::default()
        }))
        .expect("emulator");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bot")
        .enable_all()
        .build()
        .expect("bot runtime");
    let people = emulator_runtime.handle().clone();
    runtime.block_on(async move {
        // `HELPLINE_BENCH_ONLY=repair` runs the reconciler figure alone.
        if std::env::var("HELPLINE_BENCH_ONLY").as_deref() == Ok("repair") {
            repair(&emulator).await;
            return;
        }
        // A database file, as `helpline run` keeps (WAL): an in-memory database commits
        // differently.
        let directory = tempfile::tempdir().expect("temporary directory");
        let database = directory.path().join("helpline.db");
        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open(&database, StoreLimits::default())
                .await
                .expect("store"),
        );
        let mut guilds = Vec::new();
        for g in 0..GUILDS {
            let owner = emulator.create_user(&format!("owner{g}"), "en-US");
            let guild = emulator.create_guild(&format!("Guild {g}"), owner, "en-US").expect("guild");
            emulator.set_bot_permissions(guild, BOT_REQUIRED).expect("bot permissions");
            let general = emulator.create_text_channel(guild, "general", None).expect("general");
            let members: Vec<_> = (0..MEMBERS_PER_GUILD)
                .map(|m| {
                    let user = emulator.create_user(&format!("m{g}-{m}"), "en-US");
                    emulator.add_member(guild, user, &[]).expect("member");
                    user
                })
                .collect();
            store.save_guild_config(&GuildConfig::new(guild)).await.expect("config");
            guilds.push((guild, owner, general, members));
        }
        // The first guild's ordinary channels, for the realistic stream (the bot's clock is a
        // minute ahead, so they are older than a minute when it runs: the bot then knows them
        // to be no ticket's, as it knows a real guild's chat channels).
        let chatter: Vec<ChannelId> = (0..CHAT_CHANNELS)
            .map(|c| emulator.create_text_channel(guilds[0].0, &format!("chat-{c}"), None).expect("chat channel"))
            .collect();
        let config = BotConfig {
            rest_proxy: Some(RestProxy { host: emulator.http_host().to_owned(), use_http: true }),
            gateway_url: Some(emulator.gateway_url().to_owned()),
            store_limits: StoreLimits::default(),
            ..BotConfig::new(emulator.bot_token().to_owned())
        };
        config.clock.advance(Duration::from_secs(61));
        eprintln!("starting the bot");
        let running = Bot::start(config, store.clone()).await.expect("bot");
        assert!(emulator.wait_for_sessions(1, Duration::from_secs(10)).await);
        while !guilds.iter().all(|(guild, ..)| running.bot.knows_guild(*guild)) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        eprintln!("bot connected, setting up {GUILDS} guilds");
        let mut panels = Vec::new();
        for (guild, owner, general, _) in &guilds {
            let outcome = emulator.as_user(*owner).run_command(*guild, *general, "setup", &[]).await.expect("setup");
            assert!(outcome.message().is_some_and(|m| m.text().contains("is ready")));
            let setup = store.guild_config(*guild).await.unwrap().unwrap().setup.unwrap();
            let panel = emulator.messages(setup.panel_channel).into_iter().find(|m| !m.components.is_empty()).unwrap();
            panels.push((setup.panel_channel, panel.id));
        }

        eprintln!("set up, clicking");
        // 1,000 panel clicks, 16 at a time; each opens a ticket (channel, welcome, pin, log).
        // Round-robin over the guilds: Discord limits channel creation per guild (the emulator's
        // bucket is 10 per 10 s), so one guild's burst would only measure that bucket.
        // With `HELPLINE_BENCH_ONLY=ingest`, two per guild: the streams need 40 tickets, not the
        // ack figure.
        let only_ingest = std::env::var("HELPLINE_BENCH_ONLY").as_deref() == Ok("ingest");
        let clicks: Vec<_> = (0..if only_ingest { 2 } else { MEMBERS_PER_GUILD })
            .flat_map(|m| {
                guilds.iter().zip(&panels).map(move |((_, _, _, members), (channel, message))| (members[m], *channel, *message))
            })
            .collect();
        let started = Instant::now();
        let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_CLICKS));
        let mut tasks = Vec::new();
        for (user, channel, message) in clicks {
            let emulator = emulator.clone();
            let permit = semaphore.clone().acquire_owned().await.unwrap();
            tasks.push(tokio::spawn(async move {
                let outcome = emulator.as_user(user).click_button(channel, message, "hl:open:1").await.expect("click");
                drop(permit);
                outcome.message().is_some_and(|m| m.text().starts_with("Your ticket is open"))
            }));
        }
        let mut opened = 0;
        for task in tasks {
            opened += usize::from(task.await.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        let rendered = recorder.render();
        let ack = "helpline_bot_interaction_ack_seconds";
        println!(
            "panel clicks: {opened}/{} opened a ticket in {elapsed:.1} s ({:.0} tickets/s, {CONCURRENT_CLICKS} at a time)",
            GUILDS * if only_ingest { 2 } else { MEMBERS_PER_GUILD },
            opened as f64 / elapsed
        );
        println!(
            "interaction ack latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            quantile(&rendered, ack, "0.5").unwrap_or(f64::NAN) * 1e3,
            quantile(&rendered, ack, "0.99").unwrap_or(f64::NAN) * 1e3,
            quantile(&rendered, ack, "1").unwrap_or(f64::NAN) * 1e3,
        );

        // A MESSAGE_CREATE stream into 40 ticket channels, each written by its opener.
        let (guild, _, _, members) = &guilds[0];
        let mut channels: Vec<(helpline_domain::UserId, ChannelId)> = Vec::new();
        for member in guilds.iter().flat_map(|(.., members)| members) {
            let tickets = store.tickets_by_member(*member, helpline_store::Page::first(1)).await.unwrap();
            if let Some(channel) = tickets.first().and_then(|t| t.channel) {
                channels.push((*member, channel.id));
            }
            if channels.len() == 40 {
                break;
            }
        }
        let ticket_ids: Vec<_> = {
            let mut ids = Vec::new();
            for (_, channel) in &channels {
                ids.push(store.ticket_by_channel(*channel).await.unwrap().unwrap().id);
            }
            ids
        };
        let stream = Stream {
            people: &people,
            emulator: &emulator,
            recorder: &recorder,
            store: &store,
            database: &database,
            ticket_ids: &ticket_ids,
        };
        // Every message in a ticket channel.
        let in_tickets = {
            let channels = channels.clone();
            move |n: usize| channels[n % channels.len()]
        };
        let in_tickets_last = ticket_ids[(MESSAGES - 1) % channels.len()];
        // A realistic stream: 1 message in 20 in a ticket channel, the others in the first
        // guild's ordinary channels, by its members. The last one is a ticket's, so once it is
        // captured (events are handled in order) every message before it was handled too.
        let realistic = {
            let (channels, chat, chatters) = (channels.clone(), chatter.clone(), members.clone());
            move |n: usize| {
                if n % 20 == 19 {
                    channels[(n / 20) % channels.len()]
                } else {
                    (chatters[n % chatters.len()], chat[n % chat.len()])
                }
            }
        };
        let realistic_last = ticket_ids[((MESSAGES - 1) / 20) % channels.len()];
        let in_tickets_rate = stream.run("every message in a ticket", Arc::new(in_tickets), 1, in_tickets_last).await;
        let realistic_rate = stream.run("5 % in tickets", Arc::new(realistic), 20, realistic_last).await;
        running.stop().await;

        // The raw parse rate of the same payload shape.
        let (_, channel) = channels[0];
        let message = emulator.messages(channel).pop().expect("a message");
        let mut data = serde_json::to_value(&message).expect("message serializes");
        data["guild_id"] = serde_json::json!(guild.to_string());
        let payload = serde_json::json!({"op": 0, "s": 42, "t": "MESSAGE_CREATE", "d": data}).to_string();
        let rounds = 200_000;
        let cpu_before = cpu_seconds(&[""]);
        let started = Instant::now();
        for _ in 0..rounds {
            let event = twilight_gateway::parse(payload.clone(), EventTypeFlags::all()).expect("parses");
            assert!(event.is_some());
        }
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds(&[""]) - cpu_before;
        let raw_rate = rounds as f64 / cpu;
        println!(
            "twilight_gateway::parse of that MESSAGE_CREATE: {:.0} events/s on one core ({raw_rate:.0} per CPU-second)",
            rounds as f64 / elapsed,
        );
        println!(
            "P2 ratios (handled per bot CPU-second / raw parse per CPU-second): every message in a ticket {:.2}, 5 % in tickets {:.2}",
            in_tickets_rate / raw_rate,
            realistic_rate / raw_rate
        );

        // `HELPLINE_BENCH_ONLY=ingest` stops after the P2 figures.
        if std::env::var("HELPLINE_BENCH_ONLY").as_deref() != Ok("ingest") {
            repair(&emulator).await;
        }
    });
    drop(emulator_runtime);
}

/// 1,000 tickets whose process died right after committing them: the next process's
/// reconciler creates their channels, posts and pins their welcome messages and logs them.
async fn repair(emulator: &Emulator) {
    use helpline_domain::lifecycle::{Context, OpenRequest, opened, prepare_open};
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open_in_memory(StoreLimits::default())
            .await
            .expect("store"),
    );
    let mut guilds = Vec::new();
    for g in 0..GUILDS {
        let owner = emulator.create_user(&format!("repair-owner{g}"), "en-US");
        let guild = emulator
            .create_guild(&format!("Repair {g}"), owner, "en-US")
            .expect("guild");
        emulator
            .set_bot_permissions(guild, BOT_REQUIRED)
            .expect("bot permissions");
        let general = emulator
            .create_text_channel(guild, "general", None)
            .expect("general");
        let members: Vec<_> = (0..MEMBERS_PER_GUILD)
            .map(|m| {
                let user = emulator.create_user(&format!("r{g}-{m}"), "en-US");
                emulator.add_member(guild, user, &[]).expect("member");
                user
            })
            .collect();
        store
            .save_guild_config(&GuildConfig::new(guild))
            .await
            .expect("config");
        guilds.push((guild, owner, general, members));
    }
    let config = || BotConfig {
        rest_proxy: Some(RestProxy {
            host: emulator.http_host().to_owned(),
            use_http: true,
        }),
        gateway_url: Some(emulator.gateway_url().to_owned()),
        ..BotConfig::new(emulator.bot_token().to_owned())
    };
    let running = Bot::start(config(), store.clone()).await.expect("bot");
    while !guilds
        .iter()
        .all(|(guild, ..)| running.bot.knows_guild(*guild))
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for (guild, owner, general, _) in &guilds {
        let outcome = emulator
            .as_user(*owner)
            .run_command(*guild, *general, "setup", &[])
            .await
            .expect("setup");
        assert!(
            outcome
                .message()
                .is_some_and(|m| m.text().contains("is ready"))
        );
    }
    running.stop().await;
    let now = helpline_domain::Timestamp::from_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    );
    let mut tickets = Vec::new();
    for (guild, _, _, members) in &guilds {
        let config = store.guild_config(*guild).await.unwrap().unwrap();
        for (m, member) in members.iter().enumerate() {
            let request = OpenRequest {
                ticket_id: helpline_domain::TicketId(guild.get() * 100 + m as u64),
                panel_id: config.panels[0].id,
                topic_id: None,
                opener: *member,
                opener_name: format!("member {m}"),
                requested_by: helpline_domain::Member {
                    user_id: *member,
                    roles: Vec::new(),
                    permissions: helpline_domain::permissions::Permissions::empty(),
                },
                reason: None,
                answers: Vec::new(),
            };
            let (ticket, limits) = prepare_open(&config, request, now).expect("valid");
            let helpline_store::OpenOutcome::Created(ticket) =
                store.open_ticket(ticket, limits, now, None).await.unwrap()
            else {
                panic!("created");
            };
            let context = Context {
                config: &config,
                bot_id: emulator.bot_user_id(),
                now,
            };
            let transition = opened(&ticket, &context);
            store
                .commit_ticket(
                    &transition.ticket,
                    ticket.version,
                    &transition.effects,
                    now,
                    None,
                )
                .await
                .unwrap();
            tickets.push(ticket.id);
        }
    }
    let pending = store.outbox_depth().await.unwrap().pending;
    let requests_before = emulator.requests().len();
    eprintln!(
        "{} interrupted tickets, {pending} effects pending; restarting the bot",
        tickets.len()
    );
    let started = Instant::now();
    let running = Bot::start(config(), store.clone()).await.expect("bot");
    loop {
        if store.outbox_depth().await.unwrap().pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut with_channel = 0;
    for id in &tickets {
        with_channel += usize::from(store.ticket(*id).await.unwrap().unwrap().channel.is_some());
    }
    let requests = emulator.requests().len() - requests_before;
    println!(
        "reconciler: {with_channel}/{} interrupted tickets repaired ({pending} effects) in {elapsed:.1} s after restart, {requests} REST requests ({:.1} per ticket, {:.0} requests/s under the emulator's 50/s global limit)",
        tickets.len(),
        requests as f64 / tickets.len() as f64,
        requests as f64 / elapsed,
    );
    running.stop().await;
}
