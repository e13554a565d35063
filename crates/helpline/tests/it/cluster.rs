//! Several `helpline run` processes, one emulator, one `redis-server`: the shards are split
//! between the processes, identified once each within Discord's identify buckets, and resumed —
//! never identified again — through a rolling restart.

use helpline_cluster::{Coordinator, RedisCoordinator, RedisServer};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SHARDS: u32 = 16;
const PROCESSES: usize = 4;
const MAX_CONCURRENCY: u32 = 4;
const IDENTIFY_WINDOW: Duration = Duration::from_millis(1000);

struct Cluster {
    runtime: tokio::runtime::Runtime,
    emulator: discord_emulator::Emulator,
    redis: RedisServer,
    coordinator: RedisCoordinator,
    dir: tempfile::TempDir,
    processes: Vec<Option<Child>>,
}

impl Cluster {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(discord_emulator::Emulator::start(
                discord_emulator::EmulatorConfig {
                    recommended_shards: SHARDS,
                    max_concurrency: MAX_CONCURRENCY,
                    identify_window: IDENTIFY_WINDOW,
                    ..discord_emulator::EmulatorConfig::default()
                },
            ))
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
        Self {
            runtime,
            emulator,
            redis,
            coordinator,
            dir,
            processes: (0..PROCESSES).map(|_| None).collect(),
        }
    }

    fn name(index: usize) -> String {
        format!("helpline-shards-{index}")
    }

    fn spawn(&mut self, index: usize) {
        let api = format!("http://{}", self.emulator.http_host());
        let child = Command::new(env!("CARGO_BIN_EXE_helpline"))
            .arg("run")
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
            .env("HELPLINE_CLUSTER_LEASE_TTL_MS", "3000")
            .env("HELPLINE_CLUSTER_RENEW_INTERVAL_MS", "500")
            .env("HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS", "5")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.processes[index] = Some(child);
    }

    /// SIGTERM, and the exit waited for.
    fn stop(&mut self, index: usize) {
        let mut child = self.processes[index].take().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert!(exit.success(), "{} exited with {exit:?}", Self::name(index));
    }

    /// Who holds each shard's lease.
    fn holders(&self) -> Vec<Option<String>> {
        self.runtime
            .block_on(self.coordinator.holders(SHARDS))
            .unwrap()
    }

    /// Waits until every shard is held by one of `members`, each holding its fair share, and
    /// every shard has exactly one connected session.
    fn wait_settled(&self, members: &[usize], timeout: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let holders = self.holders();
            let share = SHARDS as usize / members.len();
            let even = members.iter().all(|&index| {
                let name = Self::name(index);
                let held = holders
                    .iter()
                    .filter(|h| h.as_deref() == Some(&name))
                    .count();
                held == share || held == share + 1
            }) && holders.iter().all(Option::is_some);
            let sessions = self.emulator.sessions();
            let connected: Vec<u32> = sessions
                .iter()
                .filter(|session| session.connected)
                .map(|session| session.shard[0])
                .collect();
            let mut shards = connected.clone();
            shards.sort_unstable();
            shards.dedup();
            if even && connected.len() == SHARDS as usize && shards.len() == SHARDS as usize {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < timeout,
                "not settled after {timeout:?}: holders {holders:?}, connected shards {connected:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Identifies the emulator admitted (sessions started) so far.
    fn identifies(&self) -> u32 {
        self.emulator.config().session_start_limit - self.emulator.session_starts_remaining()
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.processes.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn four_processes_split_sixteen_shards_and_a_rolling_restart_resumes_every_session() {
    let mut cluster = Cluster::start();
    let started = Instant::now();
    for index in 0..PROCESSES {
        cluster.spawn(index);
    }
    let all: Vec<usize> = (0..PROCESSES).collect();
    cluster.wait_settled(&all, Duration::from_secs(60));
    let cold_start = started.elapsed();
    let ideal = IDENTIFY_WINDOW * SHARDS.div_ceil(MAX_CONCURRENCY);
    eprintln!(
        "cold start of {SHARDS} shards over {PROCESSES} processes: {cold_start:?}, {:.2}x the identify floor of {ideal:?}",
        cold_start.as_secs_f64() / ideal.as_secs_f64()
    );
    assert_eq!(cluster.identifies(), SHARDS, "each shard identified once");
    assert_eq!(
        cluster.emulator.identify_concurrency_refusals(),
        0,
        "no identify bucket breached"
    );
    assert_eq!(
        cluster.emulator.duplicate_shard_sessions(),
        0,
        "no shard ran twice"
    );
    let holders = cluster.holders();
    for index in 0..PROCESSES {
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

    // Rolling restart: each process in turn stops (closing its sessions with 4000 and handing
    // its leases back) and starts again. The others resume its shards, then hand a share back.
    let resumes_before = cluster.emulator.resumes();
    let mut takeovers = Vec::new();
    for index in 0..PROCESSES {
        cluster.stop(index);
        let others: Vec<usize> = all.iter().copied().filter(|&i| i != index).collect();
        takeovers.push(cluster.wait_settled(&others, Duration::from_secs(60)));
        cluster.spawn(index);
        cluster.wait_settled(&all, Duration::from_secs(60));
    }
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
    assert_eq!(cluster.emulator.duplicate_shard_sessions(), 0);
    for index in 0..PROCESSES {
        cluster.stop(index);
    }
    assert_eq!(
        cluster.holders(),
        vec![None; SHARDS as usize],
        "a process leaving hands its shards back"
    );
}
