//! The processes a scenario runs: `helpline run` shard groups and `helpline proxy` replicas,
//! each a child of the runner with its own `/metrics` port and log file, and what /proc says
//! about each (CPU time, resident memory).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use discord_emulator::Emulator;

use crate::http;

/// One child process.
pub(crate) struct Process {
    /// Its name: `helpline-shards-N` or `helpline-proxy-N` (the pod name it would have).
    pub(crate) name: String,
    pub(crate) metrics_port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Process {
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// CPU seconds (user + system) the process used so far.
    pub(crate) fn cpu_seconds(&self) -> f64 {
        self.pid().map_or(0.0, cpu_seconds)
    }

    /// Resident memory now, and its peak, in bytes.
    pub(crate) fn memory(&self) -> (u64, u64) {
        self.pid().map_or((0, 0), memory_of)
    }

    /// Its `/metrics` exposition (empty when it does not answer).
    pub(crate) fn metrics(&self) -> String {
        http::get(self.metrics_port, "/metrics")
            .map(|(_, body)| body)
            .unwrap_or_default()
    }

    /// Whether `/readyz` answers 200.
    pub(crate) fn ready(&self) -> bool {
        http::get(self.metrics_port, "/readyz").is_ok_and(|(status, _)| status == 200)
    }

    /// The last lines of its log.
    pub(crate) fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(lines).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Whether it exited (and how), without waiting.
    pub(crate) fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.as_mut()?.try_wait().ok().flatten()
    }

    /// SIGTERM, then waits up to `deadline` for the exit (SIGKILL past it).
    pub(crate) fn stop(&mut self, deadline: Duration) -> Result<std::process::ExitStatus> {
        let Some(mut child) = self.child.take() else {
            bail!("{} is not running", self.name);
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if started.elapsed() > deadline {
                let _ = child.kill();
                let status = child.wait()?;
                bail!("{} did not stop within {deadline:?} ({status})", self.name);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// CPU seconds (user + system) process `pid` used so far, from /proc (ticks of 1/100 s).
pub fn cpu_seconds(pid: u32) -> f64 {
    stat_ticks(&format!("/proc/{pid}/stat"))
}

/// Context switches so far of every thread of process `pid`, by thread id (none when it is
/// gone).
fn context_switches(pid: u32) -> Usage {
    let Ok(threads) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Usage::default();
    };
    Usage {
        process_cpu: 0.0,
        threads: threads
            .flatten()
            .filter_map(|thread| {
                let tid = thread.file_name().to_str()?.parse().ok()?;
                Some((tid, (0.0, thread_switches(&thread.path()))))
            })
            .collect(),
    }
}

/// CPU seconds and context switches so far: of whole processes (which keep what their ended
/// threads used) and thread by thread (a thread that ends takes its counts with it, so
/// differences are taken thread by thread).
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    process_cpu: f64,
    /// By thread id: CPU seconds (0 when the process's are counted instead) and context
    /// switches.
    threads: std::collections::BTreeMap<u64, (f64, u64)>,
}

impl Usage {
    /// CPU seconds and context switches since `earlier`, by the threads alive now (a thread
    /// started since counts from zero).
    pub(crate) fn since(&self, earlier: &Self) -> (f64, u64) {
        let mut used = (self.process_cpu - earlier.process_cpu, 0);
        for (tid, (cpu, switches)) in &self.threads {
            let (cpu_then, switches_then) = earlier.threads.get(tid).copied().unwrap_or_default();
            used.0 += (cpu - cpu_then).max(0.0);
            used.1 += switches.saturating_sub(switches_then);
        }
        used
    }

    fn merge(mut self, other: Self) -> Self {
        self.process_cpu += other.process_cpu;
        self.threads.extend(other.threads);
        self
    }
}

/// A thread's context switches, voluntary or not, from its `/proc/…/task/<tid>` directory.
fn thread_switches(thread: &Path) -> u64 {
    std::fs::read_to_string(thread.join("status"))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("ctxt_switches:"))
        .filter_map(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// The CPU seconds and context switches so far of this process's threads named `name`.
pub(crate) fn threads_usage(name: &str) -> Usage {
    let Ok(threads) = std::fs::read_dir("/proc/self/task") else {
        return Usage::default();
    };
    let mut usage = Usage::default();
    for thread in threads.flatten() {
        let path = thread.path();
        let named =
            std::fs::read_to_string(path.join("comm")).is_ok_and(|comm| comm.trim_end() == name);
        let Some(tid) = thread.file_name().to_str().and_then(|tid| tid.parse().ok()) else {
            continue;
        };
        if named {
            let cpu = stat_ticks(&path.join("stat").to_string_lossy());
            usage.threads.insert(tid, (cpu, thread_switches(&path)));
        }
    }
    usage
}

/// CPU seconds the calling thread used so far.
pub(crate) fn thread_cpu_seconds() -> f64 {
    stat_ticks("/proc/thread-self/stat")
}

fn stat_ticks(path: &str) -> f64 {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks: f64 = fields.get(11..13).map_or(0.0, |f| {
        f.iter().filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    ticks / 100.0
}

/// Where the children run and what they are given.
pub(crate) struct Fleet {
    helpline: PathBuf,
    dir: PathBuf,
    pub(crate) bots: Vec<Process>,
    pub(crate) proxies: Vec<Process>,
}

impl Fleet {
    pub(crate) fn new(helpline: &Path, dir: &Path) -> Result<Self> {
        if !helpline.is_file() {
            bail!(
                "no helpline binary at {}: build it first (cargo build --release -p helpline) or name it with --helpline",
                helpline.display()
            );
        }
        Ok(Self {
            helpline: helpline.to_owned(),
            dir: dir.to_owned(),
            bots: Vec::new(),
            proxies: Vec::new(),
        })
    }

    fn spawn(&self, name: String, subcommand: &str, env: Vec<(String, String)>) -> Result<Process> {
        let metrics_port = http::free_port()?;
        let log = self.dir.join(format!("{name}.log"));
        let file = std::fs::File::create(&log)
            .with_context(|| format!("cannot write {}", log.display()))?;
        let child = Command::new(&self.helpline)
            .arg(subcommand)
            .current_dir(&self.dir)
            .env_clear()
            .env(
                "HELPLINE_METRICS_LISTEN",
                format!("127.0.0.1:{metrics_port}"),
            )
            .env("RUST_LOG", "warn")
            .envs(env)
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .with_context(|| format!("cannot start {}", self.helpline.display()))?;
        Ok(Process {
            name,
            metrics_port,
            child: Some(child),
            log,
        })
    }

    /// Starts a `helpline proxy` replica towards the emulator; it answers once listening.
    pub(crate) fn spawn_proxy(&mut self, emulator: &Emulator, redis: &str) -> Result<String> {
        let port = http::free_port()?;
        let index = self.proxies.len();
        let process = self.spawn(
            format!("helpline-proxy-{index}"),
            "proxy",
            vec![
                ("HELPLINE_PROXY_LISTEN".into(), format!("127.0.0.1:{port}")),
                (
                    "HELPLINE_PROXY_UPSTREAM_URL".into(),
                    format!("http://{}", emulator.http_host()),
                ),
                ("HELPLINE_CLUSTER_REDIS_URL".into(), redis.to_owned()),
            ],
        )?;
        self.proxies.push(process);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(15) {
                bail!(
                    "helpline proxy did not listen within 15 s:\n{}",
                    self.proxies[index].log_tail(20)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(format!("http://127.0.0.1:{port}"))
    }

    /// Starts a `helpline run` shard group against the emulator.
    pub(crate) fn spawn_bot(
        &mut self,
        emulator: &Emulator,
        identify_window: Duration,
        redis: Option<&str>,
        proxy: Option<&str>,
    ) -> Result<()> {
        let index = self.bots.len();
        let name = format!("helpline-shards-{index}");
        let mut env: Vec<(String, String)> = vec![
            ("DISCORD_TOKEN".into(), emulator.bot_token().to_owned()),
            (
                "HELPLINE_DISCORD_API_URL".into(),
                format!("http://{}", emulator.http_host()),
            ),
            (
                "HELPLINE_DISCORD_GATEWAY_URL".into(),
                emulator.gateway_url().to_owned(),
            ),
            (
                "HELPLINE_DISCORD_IDENTIFY_INTERVAL_MS".into(),
                identify_window.as_millis().to_string(),
            ),
            ("HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS".into(), "10".into()),
        ];
        if let Some(redis) = redis {
            env.extend([
                ("HELPLINE_CLUSTER_REDIS_URL".into(), redis.to_owned()),
                ("HELPLINE_CLUSTER_PROCESS_NAME".into(), name.clone()),
            ]);
        }
        if let Some(proxy) = proxy {
            env.push(("HELPLINE_DISCORD_REST_PROXY".into(), proxy.to_owned()));
        }
        let process = self.spawn(name, "run", env)?;
        self.bots.push(process);
        Ok(())
    }

    /// Fails naming the process and its log when one exited.
    pub(crate) fn check_alive(&mut self) -> Result<()> {
        for process in self.bots.iter_mut().chain(self.proxies.iter_mut()) {
            if let Some(status) = process.exited() {
                bail!(
                    "{} exited ({status}):\n{}",
                    process.name,
                    process.log_tail(30)
                );
            }
        }
        Ok(())
    }

    /// The bot processes' CPU seconds together.
    pub(crate) fn bots_cpu(&self) -> f64 {
        self.bots.iter().map(Process::cpu_seconds).sum()
    }

    /// The bot processes' CPU seconds and context switches (every thread's, voluntary or
    /// not) so far.
    pub(crate) fn bots_usage(&self) -> Usage {
        self.bots
            .iter()
            .filter_map(Process::pid)
            .map(|pid| Usage {
                process_cpu: cpu_seconds(pid),
                ..context_switches(pid)
            })
            .fold(Usage::default(), Usage::merge)
    }

    /// The sum of several series over the bot processes, from one look at each exposition.
    pub(crate) fn bots_sums(&self, series: &[(&str, &str)]) -> f64 {
        self.bots
            .iter()
            .map(|process| {
                let exposition = process.metrics();
                series
                    .iter()
                    .map(|(name, labels)| http::sum_samples(&exposition, name, labels))
                    .sum::<f64>()
            })
            .sum()
    }
}

/// A process's resident memory now, and its peak, in bytes (0 when it is gone).
pub(crate) fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[cfg(test)]
mod tests {
    use super::Usage;

    #[test]
    fn usage_is_counted_thread_by_thread() {
        let earlier = Usage {
            process_cpu: 2.0,
            threads: [(1, (0.5, 10)), (2, (1.0, 50)), (3, (0.25, 7))]
                .into_iter()
                .collect(),
        };
        // Thread 3 ended (its counts are gone), thread 4 started: neither makes the total
        // shrink or wrap.
        let now = Usage {
            process_cpu: 2.5,
            threads: [(1, (0.75, 15)), (2, (1.0, 52)), (4, (0.125, 4))]
                .into_iter()
                .collect(),
        };
        assert_eq!(now.since(&earlier), (0.5 + 0.25 + 0.125, 5 + 2 + 4));
    }

    #[test]
    fn this_process_threads_are_told_apart_by_name() {
        let thread = std::thread::Builder::new()
            .name("usage-probe".to_owned())
            .spawn(|| {
                let mut x = 0_u64;
                // Work until this thread has been charged a 10 ms tick (5 s at most).
                let started = std::time::Instant::now();
                while super::thread_cpu_seconds() == 0.0
                    && started.elapsed() < std::time::Duration::from_secs(5)
                {
                    for _ in 0..10_000 {
                        x = std::hint::black_box(x.wrapping_add(1));
                    }
                }
                super::threads_usage("usage-probe")
            })
            .unwrap();
        let usage = thread.join().unwrap();
        assert_eq!(usage.threads.len(), 1);
        assert!(usage.since(&Usage::default()).0 > 0.0, "{usage:?}");
        assert!(super::threads_usage("no-such-thread").threads.is_empty());
    }
}
