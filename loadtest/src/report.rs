//! What a run measured: JSON for machines, a Markdown table for the note.

use serde::Serialize;

use crate::prometheus::PanelCheck;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub scenario: String,
    pub description: String,
    pub guilds: usize,
    pub shards: u32,
    pub max_concurrency: u32,
    pub processes: usize,
    pub proxies: usize,
    pub startup: Startup,
    pub load: Option<LoadFigures>,
    pub ingest: Option<IngestFigures>,
    pub ack: Option<AckFigures>,
    pub resources: Vec<ProcessFigures>,
    /// P4: the bot's resident memory per guild against twilight's default cache's.
    pub memory: Option<MemoryFigures>,
    /// Every dashboard panel query run against Prometheus (empty when not checked).
    pub dashboards: Vec<PanelCheck>,
}

/// P4 (scenarios with `[memory] twilight_cache = true`).
#[derive(Debug, Default, Serialize)]
pub struct MemoryFigures {
    /// The bot processes' resident memory growth per guild held, averaged.
    pub bot_rss_per_guild_kib: f64,
    pub twilight_cache: crate::memory::TwilightCacheFigures,
    /// bot ÷ twilight.
    pub ratio: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct Startup {
    /// Building the world in the emulator.
    pub populate_secs: f64,
    /// From the processes' start until every shard is connected and every process ready.
    pub ready_secs: f64,
    /// Discord's identify floor: one window per `max_concurrency` shards.
    pub floor_secs: f64,
    /// ready ÷ floor.
    pub ratio: f64,
    /// The owners' `/setup` in the active guilds, all at once.
    pub setup_secs: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct LoadFigures {
    pub secs: f64,
    pub opens: u64,
    pub opens_failed: u64,
    pub tickets_seen: u64,
    pub ticket_messages: u64,
    pub staff_messages: u64,
    pub chat_messages: u64,
    pub closes: u64,
    pub closes_failed: u64,
    /// Opens acknowledged whose ticket channel never appeared within 15 s (refused or lost).
    pub opens_without_ticket: u64,
    /// Actions the driver skipped: too many in flight, or every member holding a ticket.
    pub skipped: u64,
    pub ack_p50_ms: f64,
    pub ack_p99_ms: f64,
    pub ack_max_ms: f64,
    /// REST requests Discord counted against the global budget (interaction callbacks and
    /// webhook-token routes are exempt).
    pub rest_requests: u64,
    pub rest_per_sec: f64,
    /// REST requests during the load by route (Discord's route template), most first.
    pub rest_by_route: Vec<(String, u64)>,
    /// REST requests per second ÷ the global budget.
    pub budget_ratio: f64,
    /// 429s Discord answered, by scope (`user`, `global`, `shared`).
    pub rate_limited: [(String, u64); 3],
    /// The bot processes' CPU over the load, in cores.
    pub bot_cpu_cores: f64,
    /// The 99th percentile of the time the proxies held a request for the budget during the
    /// load (what they add to a REST call's latency), in milliseconds.
    pub proxy_hold_p99_ms: Option<f64>,
    /// The proxies' CPU per 1,000 REST requests, in milliseconds.
    pub proxy_cpu_ms_per_1000: Option<f64>,
}

#[derive(Debug, Default, Serialize)]
pub struct IngestFigures {
    /// Messages in each burst.
    pub messages: usize,
    /// MESSAGE_CREATE handled per CPU-second of the bot processes, the median of the bursts.
    pub handled_per_cpu_sec: f64,
    /// Each burst's, in the order they were played.
    pub handled_per_cpu_sec_by_round: Vec<f64>,
    /// The bots' context switches per message, the median of the bursts.
    pub context_switches_per_message: f64,
    /// Bursts dispatched as they were sent (not P2): handled per bot CPU-second, each.
    pub as_sent_per_cpu_sec_by_round: Vec<f64>,
    /// Their context switches per message, the median.
    pub as_sent_context_switches_per_message: f64,
    /// The bare twilight bot (P3's yardstick) reading one burst of each kind, when the scenario
    /// plays bursts as sent and measures P3.
    pub bare_twilight: Option<BareIngestFigures>,
    /// `twilight_gateway::parse` of the same payload per CPU-second.
    pub raw_parse_per_cpu_sec: f64,
    /// P2: handled ÷ raw.
    pub ratio: f64,
}

/// A bare twilight bot that parses every MESSAGE_CREATE, on one held burst and one burst as sent.
#[derive(Debug, Default, Serialize)]
pub struct BareIngestFigures {
    pub held_per_cpu_sec: f64,
    pub held_context_switches_per_message: f64,
    pub as_sent_per_cpu_sec: f64,
    pub as_sent_context_switches_per_message: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct AckFigures {
    pub clicks_per_sec: f64,
    pub secs: u64,
    pub helpline: ClickFigures,
    pub bare_twilight: ClickFigures,
    /// P3: Helpline's p99 ÷ the bare bot's.
    pub ratio: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct ClickFigures {
    pub clicks: usize,
    pub failed: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Default, Serialize)]
pub struct ProcessFigures {
    pub name: String,
    /// Resident memory once it answered /healthz, before its shards identified.
    pub baseline_rss_mib: f64,
    /// After startup and the active guilds' setup.
    pub ready_rss_mib: f64,
    /// At the end of the run.
    pub end_rss_mib: f64,
    pub peak_rss_mib: f64,
    /// (ready − baseline) ÷ the guilds its shards hold, in KiB.
    pub rss_per_guild_kib: Option<f64>,
    pub guilds: f64,
    pub cpu_secs: f64,
}

/// The middle value (the mean of the two middle ones for an even count); 0 for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// The `q` quantile (0–1) of `values`, by nearest rank, in milliseconds.
pub fn quantile_ms(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1] * 1000.0
}

impl Report {
    /// The report as a Markdown table, one figure per row.
    pub fn markdown(&self) -> String {
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut row = |what: &str, value: String| rows.push((what.to_owned(), value));
        row(
            "world",
            format!(
                "{} guilds, {} shards (max_concurrency {}), {} bot processes, {} proxies",
                self.guilds, self.shards, self.max_concurrency, self.processes, self.proxies
            ),
        );
        let s = &self.startup;
        row("populate", format!("{:.1} s", s.populate_secs));
        row(
            "startup ÷ identify floor",
            format!(
                "{:.1} s ÷ {:.1} s = {:.2}",
                s.ready_secs, s.floor_secs, s.ratio
            ),
        );
        row(
            "setup of the active guilds",
            format!("{:.1} s", s.setup_secs),
        );
        if let Some(l) = &self.load {
            row(
                "load",
                format!(
                    "{:.0} s: {} opens ({} failed, {} without a ticket), {} tickets seen, {} ticket messages, {} staff answers, {} chat messages, {} closes ({} failed), {} skipped",
                    l.secs,
                    l.opens,
                    l.opens_failed,
                    l.opens_without_ticket,
                    l.tickets_seen,
                    l.ticket_messages,
                    l.staff_messages,
                    l.chat_messages,
                    l.closes,
                    l.closes_failed,
                    l.skipped
                ),
            );
            row(
                "click acknowledgement",
                format!(
                    "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                    l.ack_p50_ms, l.ack_p99_ms, l.ack_max_ms
                ),
            );
            row(
                "REST budget used",
                format!(
                    "{} requests, {:.1}/s = {:.2} of the budget",
                    l.rest_requests, l.rest_per_sec, l.budget_ratio
                ),
            );
            row(
                "429s by scope",
                l.rate_limited
                    .iter()
                    .map(|(scope, count)| format!("{scope} {count}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            row(
                "bot CPU under load",
                format!("{:.2} cores", l.bot_cpu_cores),
            );
            if let Some(ms) = l.proxy_hold_p99_ms {
                row("proxy hold p99", format!("{ms:.1} ms"));
            }
            if let Some(ms) = l.proxy_cpu_ms_per_1000 {
                row("proxy CPU per 1,000 requests", format!("{ms:.0} ms"));
            }
        }
        if let Some(i) = &self.ingest {
            // Each burst's rate as a ratio to the raw parse.
            let ratios = |rates: &[f64]| {
                rates
                    .iter()
                    .map(|rate| format!("{:.2}", rate / i.raw_parse_per_cpu_sec))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            row(
                "P2 ingest",
                format!(
                    "{}: {:.0} handled per bot CPU-second ÷ {:.0} raw parses = {:.2}",
                    match i.handled_per_cpu_sec_by_round.as_slice() {
                        [_] => format!("{} messages", i.messages),
                        rounds => format!(
                            "{} bursts of {} messages (ratios {}; the median)",
                            rounds.len(),
                            i.messages,
                            ratios(rounds)
                        ),
                    },
                    i.handled_per_cpu_sec,
                    i.raw_parse_per_cpu_sec,
                    i.ratio
                ),
            );
            row(
                "P2 bursts, context switches",
                format!(
                    "{:.3} per message, each burst held by the gateway while sent and read as a flood",
                    i.context_switches_per_message
                ),
            );
            if !i.as_sent_per_cpu_sec_by_round.is_empty() {
                row(
                    "ingest as sent (not P2)",
                    format!(
                        "{} bursts dispatched as each message was made: ratios {} to the raw parse, {:.2} context switches per message",
                        i.as_sent_per_cpu_sec_by_round.len(),
                        ratios(&i.as_sent_per_cpu_sec_by_round),
                        i.as_sent_context_switches_per_message
                    ),
                );
            }
            if let Some(b) = &i.bare_twilight {
                let (held, as_sent) = (
                    i.handled_per_cpu_sec,
                    median(&i.as_sent_per_cpu_sec_by_round),
                );
                row(
                    "bare twilight bot, same bursts",
                    format!(
                        "held: {:.0} per CPU-second ({:.2} context switches per message), Helpline {:.2}x; as sent: {:.0} per CPU-second ({:.2}), Helpline {:.2}x",
                        b.held_per_cpu_sec,
                        b.held_context_switches_per_message,
                        held / b.held_per_cpu_sec,
                        b.as_sent_per_cpu_sec,
                        b.as_sent_context_switches_per_message,
                        as_sent / b.as_sent_per_cpu_sec,
                    ),
                );
            }
        }
        if let Some(a) = &self.ack {
            row(
                "P3 acknowledgement",
                format!(
                    "{:.0} clicks/s for {} s: Helpline p50 {:.1} / p99 {:.1} ms ({} failed), bare twilight p50 {:.1} / p99 {:.1} ms ({} failed): {:.2}",
                    a.clicks_per_sec,
                    a.secs,
                    a.helpline.p50_ms,
                    a.helpline.p99_ms,
                    a.helpline.failed,
                    a.bare_twilight.p50_ms,
                    a.bare_twilight.p99_ms,
                    a.bare_twilight.failed,
                    a.ratio
                ),
            );
        }
        if let Some(m) = &self.memory {
            row(
                "P4 memory per guild",
                format!(
                    "bot {:.1} KiB ÷ twilight's default cache {:.1} KiB ({} guilds, RSS {:.0} → {:.0} MiB) = {:.3}",
                    m.bot_rss_per_guild_kib,
                    m.twilight_cache.rss_per_guild_kib,
                    m.twilight_cache.guilds,
                    m.twilight_cache.baseline_rss_mib,
                    m.twilight_cache.ready_rss_mib,
                    m.ratio
                ),
            );
        }
        for p in &self.resources {
            row(
                &p.name,
                format!(
                    "{:.0} guilds, RSS {:.0} → {:.0} → {:.0} MiB (peak {:.0}){}, CPU {:.1} s",
                    p.guilds,
                    p.baseline_rss_mib,
                    p.ready_rss_mib,
                    p.end_rss_mib,
                    p.peak_rss_mib,
                    p.rss_per_guild_kib
                        .map(|kib| format!(", {kib:.1} KiB per guild"))
                        .unwrap_or_default(),
                    p.cpu_secs
                ),
            );
        }
        if !self.dashboards.is_empty() {
            let passed = self.dashboards.iter().filter(|c| c.passed()).count();
            row(
                "dashboard queries with series",
                format!("{passed} of {}", self.dashboards.len()),
            );
        }
        let mut out = format!(
            "# Load test `{}`\n\n{}\n\n| figure | value |\n| --- | --- |\n",
            self.scenario, self.description
        );
        for (what, value) in rows {
            out.push_str(&format!("| {what} | {} |\n", value.replace('|', "\\|")));
        }
        for check in self.dashboards.iter().filter(|c| !c.passed()) {
            out.push_str(&format!(
                "\n- `{}` \"{}\": {} — `{}`",
                check.dashboard,
                check.panel,
                check.error.as_deref().unwrap_or("no series"),
                check.expr
            ));
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_of_odd_and_even_counts() {
        assert_eq!(super::median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(super::median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(super::median(&[]), 0.0);
    }

    #[test]
    fn quantiles_are_by_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(|ms| f64::from(ms) / 1000.0).collect();
        assert_eq!(super::quantile_ms(&values, 0.5), 50.0);
        assert_eq!(super::quantile_ms(&values, 0.99), 99.0);
        assert_eq!(super::quantile_ms(&values, 1.0), 100.0);
        assert!(super::quantile_ms(&[], 0.5).is_nan());
    }
}
