//! Several `helpline run` processes, one emulator, one `redis-server`, one shared SQLite file:
//! the shards are split between the processes, identified once each within Discord's identify
//! buckets, resumed — never identified again — through a rolling restart and a crash loop; a
//! process paused past its lease is fenced; Redis lost and restarted empty never runs a shard
//! twice; scaling out and back under clicks loses and duplicates no ticket.

use discord_emulator::{Emulator, EmulatorConfig};
use helpline_cluster::{Coordinator, RedisCoordinator, RedisServer};
use helpline_loadtest::{Button, open_button};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use twilight_model::id::Id;
use twilight_model::id::marker::{GuildMarker, UserMarker};

const IDENTIFY_WINDOW: Duration = Duration::from_millis(1000);
const LEASE_TTL_MS: u64 = 3000;

pub(crate) struct Cluster {
    pub(crate) runtime: tokio::runtime::Runtime,
    pub(crate) emulator: Emulator,
    redis: RedisServer,
    coordinator: RedisCoordinator,
    pub(crate) dir: tempfile::TempDir,
    shards: u32,
    max_concurrency: u32,
    processes: Vec<Option<Child>>,
    metrics_ports: Vec<u16>,
    /// Settings given to every bot process (a REST proxy, …).
    env: Vec<(String, String)>,
    proxies: Vec<Child>,
    /// The `/metrics` port of each proxy replica.
    proxy_metrics: Vec<u16>,
}

impl Cluster {
    pub(crate) fn start(shards: u32, processes: usize, max_concurrency: u32) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(Emulator::start(EmulatorConfig {
                recommended_shards: shards,
                max_concurrency,
                identify_window: IDENTIFY_WINDOW,
                ..EmulatorConfig::default()
            }))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let redis = RedisServer::start(dir.path()).unwrap();
        let prefix = format!("helpline:{}:", emulator.bot_user_id());
        let coordinator = runtime
            .block_on(RedisCoordinator::connect(
                &redis.url(),
                &prefix,
                Duration::from_secs(2),
            ))
            .unwrap();
        let metrics_ports = (0..processes)
            .map(|_| {
                std::net::TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port()
            })
            .collect();
        Self {
            runtime,
            emulator,
            redis,
            coordinator,
            dir,
            shards,
            max_concurrency,
            processes: (0..processes).map(|_| None).collect(),
            metrics_ports,
            env: Vec::new(),
            proxies: Vec::new(),
            proxy_metrics: Vec::new(),
        }
    }

    fn name(index: usize) -> String {
        format!("helpline-shards-{index}")
    }

    pub(crate) fn spawn(&mut self, index: usize) {
        self.spawn_as(index, "run");
    }

    /// Starts process `index` as `helpline interactions` serving the endpoint on `listen`.
    fn spawn_interactions(&mut self, index: usize, listen: &str) {
        let env = self.env.clone();
        self.env
            .push(("HELPLINE_INTERACTIONS_LISTEN".to_owned(), listen.to_owned()));
        self.spawn_as(index, "interactions");
        self.env = env;
    }

    /// Starts process `index` with the subcommand `command` (`run`, `interactions`).
    fn spawn_as(&mut self, index: usize, command: &str) {
        // A port picked just now, not when the cluster was made: another test binding a free
        // port meanwhile could have taken it (the process would fail to listen).
        self.metrics_ports[index] = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let api = format!("http://{}", self.emulator.http_host());
        let child = Command::new(env!("CARGO_BIN_EXE_helpline"))
            .arg(command)
            .current_dir(self.dir.path())
            .env_clear()
            .env("DISCORD_TOKEN", self.emulator.bot_token())
            .env("HELPLINE_DISCORD_API_URL", &api)
            .env("HELPLINE_DISCORD_GATEWAY_URL", self.emulator.gateway_url())
            .env(
                "HELPLINE_DISCORD_IDENTIFY_INTERVAL_MS",
                IDENTIFY_WINDOW.as_millis().to_string(),
            )
            .env("HELPLINE_CLUSTER_REDIS_URL", self.redis.url())
            .env("HELPLINE_CLUSTER_PROCESS_NAME", Self::name(index))
            .env("HELPLINE_CLUSTER_LEASE_TTL_MS", LEASE_TTL_MS.to_string())
            .env("HELPLINE_CLUSTER_RENEW_INTERVAL_MS", "500")
            .env("HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS", "5")
            .env(
                "HELPLINE_METRICS_LISTEN",
                format!("127.0.0.1:{}", self.metrics_ports[index]),
            )
            .env("RUST_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(self.log(index))
            .spawn()
            .unwrap();
        self.processes[index] = Some(child);
    }

    /// Starts a `helpline proxy` replica towards the emulator, sharing this cluster's Redis;
    /// returns its URL.
    fn spawn_proxy(&mut self) -> String {
        let free_port = || {
            std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port()
        };
        let (port, metrics) = (free_port(), free_port());
        let child = Command::new(env!("CARGO_BIN_EXE_helpline"))
            .arg("proxy")
            .current_dir(self.dir.path())
            .env_clear()
            .env("HELPLINE_PROXY_LISTEN", format!("127.0.0.1:{port}"))
            .env(
                "HELPLINE_PROXY_UPSTREAM_URL",
                format!("http://{}", self.emulator.http_host()),
            )
            .env("HELPLINE_CLUSTER_REDIS_URL", self.redis.url())
            .env("HELPLINE_METRICS_LISTEN", format!("127.0.0.1:{metrics}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        wait_for(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        self.proxies.push(child);
        self.proxy_metrics.push(metrics);
        format!("http://127.0.0.1:{port}")
    }

    /// Where process `index` logs (appended across its restarts).
    fn log(&self, index: usize) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("{}.log", Self::name(index))))
            .unwrap()
    }

    /// Every process's log, for a failure message.
    pub(crate) fn logs(&self) -> String {
        (0..self.processes.len())
            .map(|index| {
                let path = self.dir.path().join(format!("{}.log", Self::name(index)));
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                format!(
                    "--- {}:\n{}",
                    Self::name(index),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn signal(&self, index: usize, name: &str) {
        let child = self.processes[index].as_ref().unwrap();
        let status = Command::new("kill")
            .args([&format!("-{name}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Starts bot process `index` with its REST calls through the proxy at `url`.
    fn spawn_with_proxy(&mut self, index: usize, url: &str) {
        let env = std::mem::take(&mut self.env);
        self.env = vec![("HELPLINE_DISCORD_REST_PROXY".to_owned(), url.to_owned())];
        self.spawn(index);
        self.env = env;
    }

    /// SIGTERM, and the exit waited for.
    fn stop(&mut self, index: usize) {
        self.signal(index, "TERM");
        let exit = self.processes[index].take().unwrap().wait().unwrap();
        assert!(exit.success(), "{} exited with {exit:?}", Self::name(index));
    }

    /// SIGKILL: a crash.
    fn kill(&mut self, index: usize) {
        let mut child = self.processes[index].take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    /// Who holds each shard's lease (`None` for all while Redis is down).
    fn holders(&self) -> Option<Vec<Option<String>>> {
        self.runtime
            .block_on(self.coordinator.holders(self.shards))
            .ok()
    }

    /// The shards with a connected session, one entry per session.
    fn connected(&self) -> Vec<u32> {
        self.emulator
            .sessions()
            .iter()
            .filter(|session| session.connected)
            .map(|session| session.shard[0])
            .collect()
    }

    /// No shard has two connected sessions.
    fn assert_one_session_per_shard(&self) {
        let mut connected = self.connected();
        let total = connected.len();
        connected.sort_unstable();
        connected.dedup();
        assert_eq!(
            connected.len(),
            total,
            "a shard runs twice: {:?}",
            self.connected()
        );
        assert_eq!(self.emulator.duplicate_shard_sessions(), 0);
    }

    /// Waits until every shard is held by one of `members`, each holding its fair share, and
    /// every shard has exactly one connected session; checks on the way that no shard ever
    /// has two.
    pub(crate) fn wait_settled(&self, members: &[usize], timeout: Duration) -> Duration {
        let started = Instant::now();
        loop {
            self.assert_one_session_per_shard();
            let holders = self.holders().unwrap_or_default();
            let share = self.shards as usize / members.len();
            let even = holders.len() == self.shards as usize
                && holders.iter().all(Option::is_some)
                && members.iter().all(|&index| {
                    let name = Self::name(index);
                    let held = holders
                        .iter()
                        .filter(|h| h.as_deref() == Some(&name))
                        .count();
                    held == share || held == share + 1
                });
            if even && self.connected().len() == self.shards as usize {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < timeout,
                "not settled after {timeout:?}: holders {holders:?}, connected shards {:?}\n{}",
                self.connected(),
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Identifies the emulator admitted (sessions started) so far.
    fn identifies(&self) -> u32 {
        self.emulator.config().session_start_limit - self.emulator.session_starts_remaining()
    }

    fn shard_of(&self, guild: Id<GuildMarker>) -> u32 {
        u32::try_from((guild.get() >> 22) % u64::from(self.shards)).unwrap()
    }

    /// A counter of a process's `/metrics`, summed over its labels matching `labels`.
    fn counter(&self, index: usize, name: &str, labels: &str) -> f64 {
        use std::io::{Read as _, Write as _};
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", self.metrics_ports[index])).unwrap();
        write!(stream, "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut body = String::new();
        stream.read_to_string(&mut body).unwrap();
        body.lines()
            .filter(|line| line.starts_with(name) && line.contains(labels))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// A guild with an admin who ran `/setup`, and `members` members; returns the guild, the
    /// members and the panel's open button.
    pub(crate) fn guild_with_panel(
        &self,
        members: usize,
    ) -> (Id<GuildMarker>, Vec<Id<UserMarker>>, Button) {
        let emulator = &self.emulator;
        let admin = emulator.create_user("Ada", "en-US");
        let guild = emulator
            .create_guild("Cluster Server", admin, "en-US")
            .unwrap();
        emulator
            .set_bot_permissions(guild, helpline_domain::permissions::BOT_REQUIRED)
            .unwrap();
        let general = emulator
            .create_text_channel(guild, "general", None)
            .unwrap();
        let users: Vec<_> = (0..members)
            .map(|i| {
                let user = emulator.create_user(&format!("member{i}"), "en-US");
                emulator.add_member(guild, user, &[]).unwrap();
                user
            })
            .collect();
        let outcome = self.runtime.block_on(async {
            // The guild's shard may be moving: an admin tries again as a person would.
            for _ in 0..20 {
                let outcome = emulator
                    .as_user(admin)
                    .run_command(guild, general, "setup", &[])
                    .await
                    .unwrap();
                if !outcome.failed() {
                    return outcome;
                }
            }
            panic!("/setup never answered");
        });
        let text = outcome.expect_message().text();
        assert!(text.contains("is ready"), "{text}");
        let button = wait_for(Duration::from_secs(20), || open_button(emulator, guild));
        (guild, users, button)
    }

    /// A member clicks the open button until Helpline answers (a click can fail while its
    /// shard moves: the person sees "This interaction failed" and clicks again).
    pub(crate) fn open(&self, user: Id<UserMarker>, button: &Button) -> u32 {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let outcome = self
                .runtime
                .block_on(self.emulator.as_user(user).click_button(
                    button.channel,
                    button.message,
                    &button.custom_id,
                ));
            if outcome.is_ok_and(|outcome| !outcome.failed()) {
                return attempts;
            }
            assert!(attempts < 30, "the click never answered");
        }
    }

    /// Ticket channels of `guild`, by name, sorted (the log channel is not one).
    fn ticket_channels(&self, guild: Id<GuildMarker>) -> Vec<String> {
        let mut names: Vec<String> = self
            .emulator
            .channels(guild)
            .into_iter()
            .filter_map(|channel| channel.name)
            .filter(|name| {
                name.strip_prefix("ticket-")
                    .is_some_and(|number| number.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        names.sort();
        names
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self
            .processes
            .iter_mut()
            .flatten()
            .chain(self.proxies.iter_mut())
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn four_processes_split_sixteen_shards_and_a_rolling_restart_resumes_every_session() {
    const SHARDS: u32 = 16;
    let mut cluster = Cluster::start(SHARDS, 4, 4);
    let started = Instant::now();
    for index in 0..4 {
        cluster.spawn(index);
    }
    let all: Vec<usize> = (0..4).collect();
    cluster.wait_settled(&all, Duration::from_secs(60));
    let cold_start = started.elapsed();
    let ideal = IDENTIFY_WINDOW * SHARDS.div_ceil(cluster.max_concurrency);
    eprintln!(
        "cold start of {SHARDS} shards over 4 processes: {cold_start:?}, {:.2}x the identify floor of {ideal:?}",
        cold_start.as_secs_f64() / ideal.as_secs_f64()
    );
    assert_eq!(cluster.identifies(), SHARDS, "each shard identified once");
    assert_eq!(
        cluster.emulator.identify_concurrency_refusals(),
        0,
        "no identify bucket breached"
    );
    let holders = cluster.holders().unwrap();
    for index in 0..4 {
        let name = Cluster::name(index);
        assert_eq!(
            holders
                .iter()
                .filter(|h| h.as_deref() == Some(&name))
                .count(),
            4,
            "{holders:?}"
        );
    }

    // A member's ticket, whose messages during the roll must all reach its transcript.
    let (guild, members, button) = cluster.guild_with_panel(1);
    cluster.open(members[0], &button);
    let channel = wait_for(Duration::from_secs(20), || {
        cluster
            .emulator
            .channels(guild)
            .into_iter()
            .find(|channel| channel.name.as_deref() == Some("ticket-0001"))
    })
    .id;
    let mut sent = Vec::new();
    let mut say = |cluster: &Cluster, text: String| {
        let message = cluster
            .runtime
            .block_on(cluster.emulator.as_user(members[0]).send_message(
                channel,
                &text,
                Vec::<(String, Vec<u8>)>::new(),
            ))
            .unwrap();
        sent.push(message.id.get());
    };

    // Rolling restart: each process in turn stops (closing its sessions with 4000 and handing
    // its leases back) and starts again. The others resume its shards, then hand a share back.
    let resumes_before = cluster.emulator.resumes();
    let mut takeovers = Vec::new();
    for index in 0..4 {
        say(&cluster, format!("before stopping {index}"));
        cluster.stop(index);
        say(&cluster, format!("while {index} is stopped"));
        let others: Vec<usize> = all.iter().copied().filter(|&i| i != index).collect();
        takeovers.push(cluster.wait_settled(&others, Duration::from_secs(60)));
        cluster.spawn(index);
        say(&cluster, format!("while {index} starts"));
        cluster.wait_settled(&all, Duration::from_secs(60));
    }
    let store = cluster
        .runtime
        .block_on(helpline_store::SqliteStore::open_shared(
            cluster.dir.path().join("helpline.sqlite3"),
            helpline_store::StoreLimits::default(),
        ))
        .unwrap();
    // Generous: a machine busy with other tests (a browser, say) delivers late, not never.
    let kept = wait_for(Duration::from_secs(30), || {
        use helpline_store::Store as _;
        let ticket = cluster
            .runtime
            .block_on(store.ticket_by_channel(channel))
            .unwrap()?;
        let transcript = cluster
            .runtime
            .block_on(store.transcript(ticket.id))
            .unwrap();
        let kept: Vec<u64> = transcript
            .iter()
            .map(|message| message.message_id.get())
            .filter(|id| sent.contains(id))
            .collect();
        (kept.len() == sent.len()).then_some(kept)
    });
    assert_eq!(
        kept, sent,
        "every message sent during the roll, once, in order"
    );
    drop(store);
    eprintln!("time for the others to take a stopped process's shards: {takeovers:?}");
    assert_eq!(
        cluster.identifies(),
        SHARDS,
        "a rolling restart identifies nothing: every shard resumed"
    );
    assert!(
        cluster.emulator.resumes() - resumes_before >= u64::from(SHARDS),
        "every shard moved at least once, by resuming"
    );
    assert_eq!(cluster.emulator.identify_concurrency_refusals(), 0);
    for index in 0..4 {
        cluster.stop(index);
    }
    assert_eq!(
        cluster.holders().unwrap(),
        vec![None; SHARDS as usize],
        "a process leaving hands its shards back"
    );
}

#[test]
fn a_process_paused_past_its_lease_is_fenced_and_clicks_during_the_pause_make_one_ticket() {
    let mut cluster = Cluster::start(4, 2, 4);
    cluster.spawn(0);
    cluster.spawn(1);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    let (guild, members, button) = cluster.guild_with_panel(1);
    let shard = cluster.shard_of(guild);
    let holder = cluster.holders().unwrap()[shard as usize].clone().unwrap();
    let paused = usize::from(holder != Cluster::name(0));
    let other = Cluster::name(1 - paused);

    cluster.signal(paused, "STOP");
    let stopped = Instant::now();
    // The member clicks during the pause. The paused process will find the click waiting when
    // it wakes; the new holder may answer it from the replay if it resumes within Discord's
    // 3 s, or the member sees "This interaction failed" and clicks again below.
    let first = cluster
        .runtime
        .block_on(cluster.emulator.as_user(members[0]).click_button(
            button.channel,
            button.message,
            &button.custom_id,
        ));
    let answered_from_the_replay = first.is_ok_and(|outcome| !outcome.failed());
    wait_for(Duration::from_secs(20), || {
        let holders = cluster.holders()?;
        (holders[shard as usize].as_deref() == Some(other.as_str())
            && cluster.connected().contains(&shard))
        .then_some(())
    });
    let takeover = stopped.elapsed();
    // The member tries again and is answered by the new holder.
    cluster.open(members[0], &button);
    cluster.signal(paused, "CONT");
    // The woken process finds its lease gone: it acts on nothing it had buffered.
    let fenced = wait_for(Duration::from_secs(10), || {
        let fenced = cluster.counter(paused, "helpline_cluster_fencing_rejections_total", "")
            + cluster.counter(
                paused,
                "helpline_cluster_lease_renewals_total",
                "outcome=\"lost\"",
            );
        (fenced > 0.0).then_some(fenced)
    });
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(1));
    eprintln!(
        "takeover of a paused process's shard: {takeover:?}; fenced acts: {fenced}; the click during the pause answered from the replay: {answered_from_the_replay}"
    );
    assert_eq!(
        cluster.ticket_channels(guild),
        ["ticket-0001"],
        "exactly one ticket for the clicks"
    );
    cluster.assert_one_session_per_shard();
}

#[test]
fn redis_lost_and_restarted_empty_never_runs_a_shard_twice() {
    let mut cluster = Cluster::start(4, 2, 4);
    cluster.spawn(0);
    cluster.spawn(1);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    for outage in [Duration::from_secs(5), Duration::from_millis(1000)] {
        cluster.redis.stop();
        let down = Instant::now();
        while down.elapsed() < outage {
            cluster.assert_one_session_per_shard();
            std::thread::sleep(Duration::from_millis(50));
        }
        if outage > Duration::from_millis(LEASE_TTL_MS) {
            assert!(
                cluster.connected().is_empty(),
                "past their leases, the processes stop acting: {:?}",
                cluster.connected()
            );
        }
        cluster.redis.restart().unwrap();
        let back = cluster.wait_settled(&[0, 1], Duration::from_secs(60));
        eprintln!("redis down for {outage:?}: shards back {back:?} after it restarted empty");
    }
    cluster.assert_one_session_per_shard();
    assert_eq!(cluster.emulator.identify_concurrency_refusals(), 0);
}

#[test]
fn a_process_crash_looping_fifty_times_resumes_instead_of_identifying() {
    let mut cluster = Cluster::start(4, 2, 2);
    cluster.spawn(0);
    cluster.spawn(1);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    let before = cluster.identifies();
    for _ in 0..50 {
        cluster.kill(1);
        cluster.spawn(1);
        cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    }
    let spent = cluster.identifies() - before;
    eprintln!(
        "50 crashes of a process holding 2 shards spent {spent} identifies of the day's {}",
        cluster.emulator.config().session_start_limit
    );
    assert_eq!(cluster.emulator.identify_concurrency_refusals(), 0);
    assert!(
        spent <= 10,
        "crashes resume their saved sessions: {spent} identifies"
    );
}

#[test]
fn scaling_out_and_back_under_clicks_loses_and_duplicates_no_ticket() {
    let mut cluster = Cluster::start(4, 4, 4);
    cluster.spawn(0);
    cluster.spawn(1);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    let guilds: Vec<_> = (0..3).map(|_| cluster.guild_with_panel(8)).collect();
    let mut clicks = guilds
        .iter()
        .flat_map(|(_, members, button)| members.iter().map(move |member| (*member, button)));
    let mut retries = 0;
    let mut click = |cluster: &Cluster, count: usize| {
        for (member, button) in clicks.by_ref().take(count) {
            retries += cluster.open(member, button) - 1;
        }
    };
    click(&cluster, 4);
    cluster.spawn(2);
    cluster.spawn(3);
    click(&cluster, 8);
    cluster.wait_settled(&[0, 1, 2, 3], Duration::from_secs(30));
    cluster.stop(2);
    click(&cluster, 4);
    cluster.stop(3);
    click(&cluster, 8);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    eprintln!("clicks answered after a retry while shards moved: {retries}");
    for (guild, members, _) in &guilds {
        let expected: Vec<String> = (1..=members.len())
            .map(|n| format!("ticket-{n:04}"))
            .collect();
        assert_eq!(
            cluster.ticket_channels(*guild),
            expected,
            "one ticket per member, numbered without gaps"
        );
    }
    cluster.assert_one_session_per_shard();
}

#[test]
fn bot_processes_behind_two_proxy_replicas_open_tickets_without_a_429() {
    let mut cluster = Cluster::start(4, 2, 4);
    let first = cluster.spawn_proxy();
    let second = cluster.spawn_proxy();
    // Each bot process reaches one replica (a Service would spread them).
    cluster.spawn_with_proxy(0, &first);
    cluster.spawn_with_proxy(1, &second);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));
    let cpu_before: f64 = cluster
        .proxies
        .iter()
        .map(|p| helpline_loadtest::cpu_seconds(p.id()))
        .sum();
    let requests_before = cluster.emulator.requests().len();
    let guilds: Vec<_> = (0..3).map(|_| cluster.guild_with_panel(6)).collect();
    let mut retries = 0;
    for (_, members, button) in &guilds {
        for member in members {
            retries += cluster.open(*member, button) - 1;
        }
    }
    for (guild, members, _) in &guilds {
        let expected: Vec<String> = (1..=members.len())
            .map(|n| format!("ticket-{n:04}"))
            .collect();
        wait_for(Duration::from_secs(30), || {
            (cluster.ticket_channels(*guild) == expected).then_some(())
        });
    }
    // Every ticket's effects done: channel, welcome, pin, log.
    std::thread::sleep(Duration::from_secs(2));
    let requests = cluster.emulator.requests().len() - requests_before;
    let cpu: f64 = cluster
        .proxies
        .iter()
        .map(|p| helpline_loadtest::cpu_seconds(p.id()))
        .sum::<f64>()
        - cpu_before;
    eprintln!(
        "18 tickets through 2 proxy replicas: {requests} REST requests, proxy CPU {:.0} ms per 1,000 requests, {retries} retried clicks",
        cpu * 1000.0 / requests as f64 * 1000.0
    );
    assert_eq!(
        (
            cluster.emulator.rate_limited_count("user"),
            cluster.emulator.rate_limited_count("global")
        ),
        (0, 0),
        "no 429 reached Discord's budget"
    );
    // A replica is ready once it listens; its exposition passes promtool too.
    let get = |path: &str| -> String {
        use std::io::{Read as _, Write as _};
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", cluster.proxy_metrics[0])).unwrap();
        write!(stream, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    };
    let ready = get("/readyz");
    assert!(
        ready.starts_with("HTTP/1.0 200") && ready.ends_with("ready: listening\n"),
        "{ready}"
    );
    let metrics = get("/metrics");
    assert!(
        metrics.contains("helpline_proxy_global_permits_total"),
        "{metrics}"
    );
    crate::promtool_accepts(metrics.split("\r\n\r\n").nth(1).unwrap_or_default());
}

/// A process given a shard range (`discord.shard_range`) runs every shard of it and no other,
/// balancing nothing: two processes with a half each split the bot's shards; a third with the
/// first half waits while that range is held, and takes it over when its holder stops. A range
/// past the shard count is refused before the process connects.
#[test]
fn processes_given_shard_ranges_run_exactly_their_ranges() {
    let mut cluster = Cluster::start(4, 4, 4);
    let range = |cluster: &mut Cluster, range: &str| {
        cluster.env = vec![("HELPLINE_DISCORD_SHARD_RANGE".to_owned(), range.to_owned())];
    };
    range(&mut cluster, "0-1");
    cluster.spawn(0);
    range(&mut cluster, "2-3");
    cluster.spawn(1);
    let name = |index: usize| Some(Cluster::name(index));
    let split = vec![name(0), name(0), name(1), name(1)];
    wait_for(Duration::from_secs(30), || {
        (cluster.holders()? == split && cluster.connected().len() == 4).then_some(())
    });

    range(&mut cluster, "0-1");
    cluster.spawn(2);
    let waited = Instant::now();
    while waited.elapsed() < Duration::from_secs(2) {
        assert_eq!(cluster.holders(), Some(split.clone()), "{}", cluster.logs());
        cluster.assert_one_session_per_shard();
        std::thread::sleep(Duration::from_millis(100));
    }
    cluster.stop(0);
    let taken_over = vec![name(2), name(2), name(1), name(1)];
    wait_for(Duration::from_secs(30), || {
        (cluster.holders()? == taken_over && cluster.connected().len() == 4).then_some(())
    });
    cluster.assert_one_session_per_shard();

    cluster.env = vec![
        ("HELPLINE_DISCORD_SHARD_COUNT".to_owned(), "4".to_owned()),
        ("HELPLINE_DISCORD_SHARD_RANGE".to_owned(), "2-5".to_owned()),
    ];
    cluster.spawn(3);
    let exit = cluster.processes[3].take().unwrap().wait().unwrap();
    assert!(!exit.success());
    assert!(
        cluster
            .logs()
            .contains("discord.shard_range: the shard range 2-5 is not within the 4 shards (0-3)"),
        "{}",
        cluster.logs()
    );
}

/// The cluster on ScyllaDB: `helpline migrate` creates the keyspace, two `helpline run`
/// processes share it (and Redis). An admin runs `/setup`, three members open tickets (numbered
/// without a gap), one writes with a file, the process holding half the shards crashes, and the
/// member closes once the other took them over: the transcript, file included, reaches the log
/// channel, and the keyspace holds the closed ticket and its transcript.
#[test]
fn two_processes_on_one_scylla_keyspace_play_the_ticket_story() {
    use helpline_store::Store as _;
    let mut cluster = Cluster::start(4, 2, 4);
    let node = cluster
        .runtime
        .block_on(cql_emulator::CqlEmulator::start(
            cql_emulator::Config::default(),
        ))
        .unwrap();
    let address = node.addr().to_string();
    let replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
    let store_env = [
        ("HELPLINE_STORE_BACKEND", "scylla"),
        ("HELPLINE_STORE_SCYLLA_CONTACT_POINTS", address.as_str()),
        ("HELPLINE_STORE_SCYLLA_KEYSPACE", "helpline"),
        ("HELPLINE_STORE_SCYLLA_REPLICATION", replication),
    ];
    let migrated = Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("migrate")
        .current_dir(cluster.dir.path())
        .env_clear()
        .envs(store_env)
        .output()
        .unwrap();
    assert!(migrated.status.success(), "{migrated:?}");
    cluster
        .env
        .extend(store_env.map(|(key, value)| (key.to_owned(), value.to_owned())));
    cluster.spawn(0);
    cluster.spawn(1);
    cluster.wait_settled(&[0, 1], Duration::from_secs(30));

    let (guild, members, button) = cluster.guild_with_panel(3);
    for member in &members {
        cluster.open(*member, &button);
    }
    let expected = ["ticket-0001", "ticket-0002", "ticket-0003"];
    wait_for(Duration::from_secs(20), || {
        (cluster.ticket_channels(guild) == expected).then_some(())
    });
    let mia = members[0];
    let channel = cluster
        .emulator
        .channels(guild)
        .into_iter()
        .find(|c| {
            c.name.as_deref().is_some_and(|n| n.starts_with("ticket-"))
                && cluster.emulator.can_view(mia, c.id)
                && !cluster.emulator.can_view(members[1], c.id)
        })
        .expect("Mia's ticket channel")
        .id;
    let said = cluster
        .runtime
        .block_on(cluster.emulator.as_user(mia).send_message(
            channel,
            "My invoice is wrong",
            [("invoice.txt", b"total: 42".to_vec())],
        ))
        .unwrap();

    // The process holding the guild's shard (or the other: either way half the shards) dies.
    cluster.kill(0);
    cluster.wait_settled(&[1], Duration::from_secs(30));

    // Mia closes: `/close reason:` shows the form, submitting it closes (clicked again while
    // the shard was moving, as a person would).
    let mut closed = false;
    for _ in 0..30 {
        let person = cluster.emulator.as_user(mia);
        let form = cluster.runtime.block_on(person.run_command(
            guild,
            channel,
            "close",
            &[(
                "reason",
                discord_emulator::OptionValue::String("Solved, thank you".into()),
            )],
        ));
        let Some(custom_id) = form
            .ok()
            .and_then(|outcome| outcome.modal().map(|m| m.custom_id.clone()))
        else {
            continue;
        };
        let submitted = cluster
            .runtime
            .block_on(person.submit_modal(channel, &custom_id, &[]));
        if submitted.is_ok_and(|outcome| !outcome.failed()) {
            closed = true;
            break;
        }
    }
    assert!(closed, "the close never answered");
    let html = wait_for(Duration::from_secs(20), || {
        cluster.emulator.channels(guild).into_iter().find_map(|c| {
            let messages = cluster.emulator.messages(c.id);
            let file = messages
                .iter()
                .flat_map(|m| m.attachments.iter())
                .find(|a| a.filename.starts_with("transcript-") && a.filename.ends_with(".html"))?;
            cluster.emulator.attachment_bytes(&file.url)
        })
    });
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("My invoice is wrong"), "{html}");
    assert!(html.contains("invoice.txt"), "{html}");

    // What the keyspace holds, read as another process of the cluster would.
    let settings = helpline_store::ScyllaConfig {
        contact_points: vec![address.clone()],
        keyspace: "helpline".into(),
        local_datacenter: None,
        username: None,
        password: None,
        tls: false,
        tls_ca_file: None,
        replication: replication.into(),
    };
    let store = cluster
        .runtime
        .block_on(helpline_store::ScyllaStore::connect(
            &settings,
            helpline_store::StoreLimits::default(),
        ))
        .unwrap();
    let ticket = cluster
        .runtime
        .block_on(store.ticket_by_channel(channel))
        .unwrap()
        .expect("the ticket of Mia's channel");
    assert_eq!(ticket.opener, mia);
    assert_eq!(ticket.state, helpline_domain::TicketState::Closed);
    let transcript = cluster
        .runtime
        .block_on(store.transcript(ticket.id))
        .unwrap();
    let kept = transcript
        .iter()
        .find(|m| m.message_id.get() == said.id.get())
        .expect("Mia's message is in the transcript");
    assert_eq!(kept.attachments.len(), 1);
    assert!(kept.attachments[0].stored, "the file's bytes were kept");
    let numbers: Vec<u32> = cluster
        .runtime
        .block_on(store.tickets_by_guild(
            helpline_domain::Id::new(guild.get()),
            &[],
            helpline_store::Page::first(10),
        ))
        .unwrap()
        .iter()
        .map(|t| t.number)
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    let stats = node.stats();
    eprintln!("the story's statements on the keyspace: {stats:?}");
    assert!(stats.lwts > 0 && stats.writes > 0);
    cluster.assert_one_session_per_shard();
}

#[test]
fn an_interactions_process_without_shards_plays_the_story_over_http() {
    let mut cluster = Cluster::start(2, 2, 2);
    cluster.spawn(0);
    cluster.wait_settled(&[0], Duration::from_secs(30));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    cluster.spawn_interactions(1, &format!("127.0.0.1:{port}"));
    let ready = || {
        use std::io::{Read as _, Write as _};
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", cluster.metrics_ports[1])).ok()?;
        write!(stream, "GET /readyz HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        answer.starts_with("HTTP/1.0 200").then_some(())
    };
    wait_for(Duration::from_secs(20), ready);
    let url = format!("http://127.0.0.1:{port}/interactions");
    cluster
        .runtime
        .block_on(cluster.emulator.set_interactions_endpoint(Some(&url)))
        .expect("the interactions process passes Discord's check");
    // The shard's process and the interactions process, each its own.
    assert_eq!(
        cluster.holders().unwrap(),
        [Some(Cluster::name(0)), Some(Cluster::name(0))]
    );

    // Setup, open from the panel's button, close: every interaction over HTTP.
    let (guild, members, button) = cluster.guild_with_panel(1);
    let mia = members[0];
    cluster.open(mia, &button);
    wait_for(Duration::from_secs(20), || {
        (cluster.ticket_channels(guild) == ["ticket-0001"]).then_some(())
    });
    let channel = cluster
        .emulator
        .channels(guild)
        .into_iter()
        .find(|c| c.name.as_deref() == Some("ticket-0001"))
        .unwrap()
        .id;
    let person = cluster.emulator.as_user(mia);
    let form = cluster
        .runtime
        .block_on(person.run_command(
            guild,
            channel,
            "close",
            &[(
                "reason",
                discord_emulator::OptionValue::String("Solved".into()),
            )],
        ))
        .unwrap();
    let custom_id = form.modal().expect("the close form").custom_id.clone();
    let submitted = cluster
        .runtime
        .block_on(person.submit_modal(channel, &custom_id, &[]))
        .unwrap();
    assert!(!submitted.failed(), "{:?}", submitted.answer());
    wait_for(Duration::from_secs(20), || {
        cluster.emulator.channels(guild).into_iter().find_map(|c| {
            cluster
                .emulator
                .messages(c.id)
                .iter()
                .flat_map(|m| m.attachments.iter())
                .any(|a| a.filename.starts_with("transcript-"))
                .then_some(())
        })
    });
    // Nothing came over the gateway; the interactions process answered every one, and the
    // shard's process none.
    let dispatched = cluster
        .emulator
        .gateway_log()
        .iter()
        .filter(|frame| frame.event.as_deref() == Some("INTERACTION_CREATE"))
        .count();
    assert_eq!(dispatched, 0);
    let answered = |index| {
        cluster.counter(
            index,
            "helpline_bot_endpoint_requests_total",
            "outcome=\"answered\"",
        )
    };
    assert!(answered(1) >= 4.0, "{}\n{}", answered(1), cluster.logs());
    assert!(answered(0) == 0.0);
    cluster.stop(1);
    cluster.stop(0);
}
