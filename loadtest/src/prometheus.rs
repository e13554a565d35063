//! A real Prometheus scraping the scenario's processes (Debian's `prometheus`, started as a
//! child on a free port with its data in the run's directory), and every dashboard panel's
//! query run through its HTTP API against what it scraped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use serde::Serialize;

use crate::http;

/// The namespace the scenario's processes are labelled with, as a cluster's would be.
pub const NAMESPACE: &str = "loadtest";

/// A Prometheus child; killed when dropped.
#[derive(Debug)]
pub struct Prometheus {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

/// One panel query's answer.
#[derive(Clone, Debug, Serialize)]
pub struct PanelCheck {
    pub dashboard: String,
    pub panel: String,
    pub expr: String,
    /// Series the query returned.
    pub series: usize,
    /// Prometheus's error, if the query failed.
    pub error: Option<String>,
}

impl PanelCheck {
    pub fn passed(&self) -> bool {
        self.error.is_none() && self.series > 0
    }
}

impl Prometheus {
    /// Starts Prometheus scraping `targets` (pod name, metrics port) every second.
    pub fn start(dir: &Path, targets: &[(String, u16)]) -> Result<Self> {
        let port = http::free_port()?;
        let mut config = String::from(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: helpline\n    static_configs:\n",
        );
        for (pod, metrics) in targets {
            config.push_str(&format!(
                "      - targets: ['127.0.0.1:{metrics}']\n        labels: {{namespace: {NAMESPACE}, pod: {pod}}}\n"
            ));
        }
        let file = dir.join("prometheus.yml");
        std::fs::write(&file, config)?;
        let log = dir.join("prometheus.log");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", file.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("prometheus-data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log)?)
            .spawn()
            .context("cannot start prometheus (Debian's package `prometheus`; `cargo xtask test` installs it)")?;
        let prometheus = Self { child, port, log };
        let started = Instant::now();
        while !http::get(port, "/-/ready").is_ok_and(|(status, _)| status == 200) {
            if started.elapsed() > Duration::from_secs(30) {
                bail!(
                    "prometheus was not ready within 30 s:\n{}",
                    prometheus.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(prometheus)
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().rev().take(10).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Runs an instant query: the number of series, or Prometheus's error.
    pub fn query(&self, expr: &str) -> Result<usize, String> {
        let path = format!("/api/v1/query?query={}", http::encode(expr));
        let (status, body) = http::get(self.port, &path).map_err(|error| format!("{error:#}"))?;
        let answer: serde_json::Value = serde_json::from_str(&body)
            .map_err(|error| format!("HTTP {status}: {error}: {body}"))?;
        if answer["status"] != "success" {
            return Err(answer["error"].as_str().unwrap_or(&body).to_owned());
        }
        Ok(answer["data"]["result"].as_array().map_or(0, Vec::len))
    }

    /// Whether every target was scraped successfully at least `scrapes` times.
    pub fn scraped(&self, targets: usize, scrapes: usize) -> bool {
        let expr = format!("count_over_time(up{{job=\"helpline\"}}[5m]) >= {scrapes}");
        self.query(&expr).is_ok_and(|series| series >= targets)
            && self
                .query("up{job=\"helpline\"} == 0")
                .is_ok_and(|down| down == 0)
    }

    /// Every panel query of every dashboard in `dir`, with the variables filled in for this
    /// namespace and every pod.
    pub fn check_dashboards(&self, dir: &Path) -> Result<Vec<PanelCheck>> {
        let mut checks = Vec::new();
        for (dashboard, panel, expr) in dashboard_queries(dir)? {
            let filled = fill(&expr);
            let (series, error) = match self.query(&filled) {
                Ok(series) => (series, None),
                Err(error) => (0, Some(error)),
            };
            checks.push(PanelCheck {
                dashboard,
                panel,
                expr: filled,
                series,
                error,
            });
        }
        Ok(checks)
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A panel query with Grafana's variables as this run has them.
fn fill(expr: &str) -> String {
    expr.replace("$__rate_interval", "1m")
        .replace("$namespace", NAMESPACE)
        .replace("$pod", ".*")
}

/// Every (dashboard file, panel title, query) of the Grafana dashboards in `dir`.
pub fn dashboard_queries(dir: &Path) -> Result<Vec<(String, String, String)>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the dashboards in {}", dir.display()))?
        .filter_map(|entry| Some(entry.ok()?.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut queries = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dashboard: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file)?)
                .with_context(|| format!("{} is not JSON", file.display()))?;
        for panel in dashboard["panels"].as_array().into_iter().flatten() {
            let title = panel["title"].as_str().unwrap_or_default();
            for target in panel["targets"].as_array().into_iter().flatten() {
                if let Some(expr) = target["expr"].as_str() {
                    queries.push((name.clone(), title.to_owned(), expr.to_owned()));
                }
            }
        }
    }
    Ok(queries)
}
