//! Typed settings for every subcommand, and [`VARIABLES`], the one list of every setting.
//!
//! Layers, lowest precedence first: the defaults in the `Default` impls below, the TOML file
//! (`--config FILE` or `HELPLINE_CONFIG`), `HELPLINE_*` environment variables (plus the
//! conventional `DISCORD_TOKEN` and `RUST_LOG`), and `--set KEY=VALUE` flags. `main` loads them
//! once with [`load`] and passes the sections each subcommand needs down by reference; nothing
//! else reads the environment or the file.
//!
//! [`VARIABLES`] drives the environment and `--set` layers, the `--help` listing and the
//! `config` subcommand's output. A field added to the structs but not to the table, or the
//! reverse, fails the tests. The Helm chart's values mirror the table.

mod file;
mod secret;

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::fmt::{self, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context as _, bail};
use serde::Deserialize;

pub(crate) use secret::Secret;

/// The environment variable naming the settings file when `--config` is not given.
pub(crate) const CONFIG_FILE_ENV: &str = "HELPLINE_CONFIG";

/// Where `store.sqlite_path` points when nothing says otherwise: the working directory.
pub(crate) const DEFAULT_SQLITE_PATH: &str = "helpline.sqlite3";
pub(crate) const DEFAULT_LOG_FILTER: &str = "info";
/// A ScyllaDB node on this machine (the CQL stand-in's `--listen` too).
pub(crate) const DEFAULT_SCYLLA_CONTACT_POINTS: &str = "127.0.0.1:9042";
pub(crate) const DEFAULT_SCYLLA_KEYSPACE: &str = "helpline";
/// Three replicas in every datacenter, what a production cluster wants; a single test node
/// needs `{'class': 'SimpleStrategy', 'replication_factor': 1}`.
pub(crate) const DEFAULT_SCYLLA_REPLICATION: &str =
    "{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}";

/// Everything the binary can be configured with, after all layers are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Settings {
    pub(crate) discord: DiscordSettings,
    pub(crate) store: StoreSettings,
    pub(crate) log: LogSettings,
    pub(crate) metrics: MetricsSettings,
    pub(crate) bot: BotSettings,
    pub(crate) cluster: ClusterSettings,
    pub(crate) proxy: ProxySettings,
    pub(crate) panel: PanelSettings,
    pub(crate) interactions: InteractionsSettings,
}

/// Discord's interactions endpoint, served by `helpline run` beside its gateway shards, or by
/// `helpline interactions` alone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct InteractionsSettings {
    /// Where `POST /interactions` is served; off when unset.
    pub(crate) listen: Option<SocketAddr>,
    /// The application's public key (64 hexadecimal digits); Discord's `verify_key` for the
    /// application when unset.
    #[serde(default, deserialize_with = "public_key")]
    pub(crate) public_key: Option<String>,
}

/// A public key from the settings file, checked as the environment's is.
fn public_key<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value = Option::<String>::deserialize(deserializer)?;
    match value {
        Some(key) => check_public_key(&key)
            .map(Some)
            .map_err(serde::de::Error::custom),
        None => Ok(None),
    }
}

/// The application's public key, lowercased, or why it is not one.
fn check_public_key(value: &str) -> Result<String, String> {
    helpline_bot::PublicKey::from_hex(value)?;
    Ok(value.trim().to_ascii_lowercase())
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ProxySettings {
    /// Where `helpline proxy` listens.
    pub(crate) listen: SocketAddr,
    /// Where it forwards: Discord, or the emulator.
    pub(crate) upstream_url: HttpUrl,
    pub(crate) global_limit: u32,
    pub(crate) hold_deadline_ms: u64,
    pub(crate) invalid_threshold: u64,
    /// The egress IP's name: replicas behind one IP share its invalid-request count.
    pub(crate) egress: String,
}

impl Default for ProxySettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8081)),
            upstream_url: HttpUrl("https://discord.com".to_owned()),
            global_limit: 50,
            hold_deadline_ms: 8_000,
            invalid_threshold: 5_000,
            egress: "default".to_owned(),
        }
    }
}

/// `helpline panel`, the web panel. The bot token and Discord's address are `discord.token`
/// and `discord.api_url`, as for the bot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct PanelSettings {
    /// Where `helpline panel` listens.
    pub(crate) listen: SocketAddr,
    /// The address users reach it at; `/callback` under it is the OAuth2 redirect URI.
    /// Required by `helpline panel`.
    pub(crate) public_url: Option<PublicUrl>,
    /// The Discord application's id (its OAuth2 client id). Required by `helpline panel`:
    /// the bot learns its application from Discord, and the token's first part is the bot
    /// user's id, which older applications do not share.
    pub(crate) client_id: Option<ClientId>,
    /// The application's OAuth2 client secret.
    pub(crate) client_secret: Option<Secret>,
    /// The key sealing session cookies, the same for every replica: the base64 of 32 random
    /// bytes (checked by [`PanelSettings::session_key`]).
    pub(crate) session_key: Option<Secret>,
    /// Seconds a user's standing in a guild (admin, staff, granted) is remembered.
    pub(crate) access_cache_secs: u64,
    /// Hours a sign-in lasts.
    pub(crate) session_hours: u64,
}

impl Default for PanelSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            public_url: None,
            client_id: None,
            client_secret: None,
            session_key: None,
            access_cache_secs: 60,
            session_hours: 12,
        }
    }
}

/// The longest sign-in `panel.session_hours` allows: a year.
pub(crate) const MAX_SESSION_HOURS: u64 = 24 * 366;

impl PanelSettings {
    /// The session key's bytes, when it is set. The error never shows the key.
    pub(crate) fn session_key(&self) -> Result<Option<[u8; 32]>, String> {
        self.session_key
            .as_ref()
            .map(|key| {
                decode_session_key(key.expose()).map_err(|why| format!("panel.session_key: {why}"))
            })
            .transpose()
    }

    /// Refuses what the file let through but the panel cannot use (the environment and
    /// `--set` check the same when they are read).
    pub(crate) fn check(&self) -> Result<(), String> {
        self.session_key()?;
        if self.access_cache_secs == 0 {
            return Err(format!(
                "panel.access_cache_secs: {}",
                positive_seconds_message("0")
            ));
        }
        if !(1..=MAX_SESSION_HOURS).contains(&self.session_hours) {
            return Err(format!(
                "panel.session_hours: {}",
                session_hours_message(&self.session_hours.to_string())
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ClusterSettings {
    /// Redis shared by the processes of a cluster; a single node when unset. May hold a
    /// password, so it is a secret.
    pub(crate) redis_url: Option<Secret>,
    /// This process's name in the cluster, unique (a StatefulSet pod's name); `helpline-<pid>`
    /// when unset.
    pub(crate) process_name: Option<String>,
    pub(crate) lease_ttl_ms: u64,
    pub(crate) renew_interval_ms: u64,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            redis_url: None,
            process_name: None,
            lease_ttl_ms: 15_000,
            renew_interval_ms: 5_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct BotSettings {
    /// Seconds a stop (SIGTERM, ctrl-c) gives in-flight work and sessions to finish.
    pub(crate) shutdown_deadline_secs: u64,
}

impl Default for BotSettings {
    fn default() -> Self {
        Self {
            shutdown_deadline_secs: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct DiscordSettings {
    /// The bot token; required by `run`, not by `migrate` or `config`.
    pub(crate) token: Option<Secret>,
    /// Base URL of Discord's REST API, set to reach the emulator instead.
    pub(crate) api_url: Option<HttpUrl>,
    /// URL of Discord's gateway, set to reach the emulator instead.
    pub(crate) gateway_url: Option<WebSocketUrl>,
    /// A `helpline proxy` every REST call goes through (twilight's own limiter off).
    pub(crate) rest_proxy: Option<HttpUrl>,
    /// How many shards; Discord's recommendation when `auto`.
    pub(crate) shard_count: ShardCount,
    /// The shards this process runs (first and last, inclusive); all when `None`.
    pub(crate) shard_range: ShardRange,
    /// Milliseconds between two identifies of one bucket.
    pub(crate) identify_interval_ms: u64,
}

impl Default for DiscordSettings {
    fn default() -> Self {
        Self {
            token: None,
            api_url: None,
            gateway_url: None,
            rest_proxy: None,
            shard_count: ShardCount(None),
            shard_range: ShardRange(None),
            identify_interval_ms: 5_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct StoreSettings {
    pub(crate) backend: StoreBackend,
    /// Relative paths are relative to the working directory, not to the settings file.
    pub(crate) sqlite_path: PathBuf,
    pub(crate) max_attachment_bytes: u64,
    pub(crate) max_ticket_attachment_bytes: u64,
    /// `id:base64key` entries, comma-separated, the current key first: transcripts are sealed
    /// at rest with it, older records open with the key they name.
    pub(crate) encryption_keys: Option<Secret>,
    /// The ScyllaDB nodes the driver contacts first; it learns the others from them.
    pub(crate) scylla_contact_points: ContactPoints,
    pub(crate) scylla_keyspace: Keyspace,
    /// The datacenter whose nodes are preferred and where LOCAL_QUORUM is counted; any when
    /// unset.
    pub(crate) scylla_local_datacenter: Option<String>,
    pub(crate) scylla_username: Option<String>,
    pub(crate) scylla_password: Option<Secret>,
    pub(crate) scylla_tls: bool,
    /// PEM CA certificates trusted instead of the system's roots.
    pub(crate) scylla_tls_ca_file: Option<PathBuf>,
    /// The replication map `helpline migrate` creates the keyspace with.
    pub(crate) scylla_replication: Replication,
}

impl Default for StoreSettings {
    fn default() -> Self {
        // The store's own defaults, so the two cannot drift apart.
        let limits = helpline_store::StoreLimits::default();
        Self {
            backend: StoreBackend::Sqlite,
            sqlite_path: PathBuf::from(DEFAULT_SQLITE_PATH),
            max_attachment_bytes: limits.max_attachment_bytes,
            max_ticket_attachment_bytes: limits.max_ticket_attachment_bytes,
            encryption_keys: None,
            scylla_contact_points: ContactPoints(vec![DEFAULT_SCYLLA_CONTACT_POINTS.to_owned()]),
            scylla_keyspace: Keyspace(DEFAULT_SCYLLA_KEYSPACE.to_owned()),
            scylla_local_datacenter: None,
            scylla_username: None,
            scylla_password: None,
            scylla_tls: false,
            scylla_tls_ca_file: None,
            scylla_replication: Replication(DEFAULT_SCYLLA_REPLICATION.to_owned()),
        }
    }
}

impl StoreSettings {
    /// The keys transcripts are sealed with (none when the setting is unset).
    pub(crate) fn keys(&self) -> Result<helpline_store::Keys, String> {
        match &self.encryption_keys {
            None => Ok(helpline_store::Keys::none()),
            Some(secret) => parse_keys(secret.expose()),
        }
    }

    /// How to reach the ScyllaDB keyspace. Refuses what the driver would silently ignore: a
    /// user without a password (or the reverse), a CA file without TLS.
    pub(crate) fn scylla_config(&self) -> Result<helpline_store::ScyllaConfig, String> {
        match (&self.scylla_username, &self.scylla_password) {
            (Some(_), None) => {
                return Err(
                    "store.scylla_username is set but store.scylla_password is not: \
                            give both (the password through HELPLINE_STORE_SCYLLA_PASSWORD) or \
                            neither"
                        .to_owned(),
                );
            }
            (None, Some(_)) => {
                return Err(
                    "store.scylla_password is set but store.scylla_username is not: \
                            give both or neither"
                        .to_owned(),
                );
            }
            _ => {}
        }
        if self.scylla_tls_ca_file.is_some() && !self.scylla_tls {
            return Err(
                "store.scylla_tls_ca_file is set but store.scylla_tls is false: set \
                        store.scylla_tls = true to connect with TLS, or unset the CA file"
                    .to_owned(),
            );
        }
        Ok(helpline_store::ScyllaConfig {
            contact_points: self.scylla_contact_points.0.clone(),
            keyspace: self.scylla_keyspace.0.clone(),
            local_datacenter: self.scylla_local_datacenter.clone(),
            username: self.scylla_username.clone(),
            password: self
                .scylla_password
                .as_ref()
                .map(|password| password.expose().to_owned()),
            tls: self.scylla_tls,
            tls_ca_file: self.scylla_tls_ca_file.clone(),
            replication: self.scylla_replication.0.clone(),
        })
    }

    /// `keyspace helpline at 10.0.0.1:9042, 10.0.0.2:9042`: the store named in messages.
    pub(crate) fn scylla_place(&self) -> String {
        format!(
            "keyspace {} at {}",
            self.scylla_keyspace.as_str(),
            self.scylla_contact_points.0.join(", ")
        )
    }

    /// The limits the store enforces, from these settings.
    pub(crate) fn limits(&self) -> helpline_store::StoreLimits {
        helpline_store::StoreLimits {
            max_attachment_bytes: self.max_attachment_bytes,
            max_ticket_attachment_bytes: self.max_ticket_attachment_bytes,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct LogSettings {
    pub(crate) filter: LogFilter,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            filter: LogFilter(DEFAULT_LOG_FILTER.to_owned()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct MetricsSettings {
    /// Where to serve Prometheus' `/metrics`; no endpoint when unset.
    pub(crate) listen: Option<SocketAddr>,
}

/// A shard count: `auto` (Discord's recommendation) or a positive number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub(crate) struct ShardCount(pub(crate) Option<u32>);

impl TryFrom<toml::Value> for ShardCount {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, Self::Error> {
        match value {
            toml::Value::String(text) if text == "auto" => Ok(Self(None)),
            toml::Value::Integer(count) => u32::try_from(count)
                .ok()
                .filter(|count| *count > 0)
                .map(|count| Self(Some(count)))
                .ok_or_else(|| {
                    format!(
                        "the shard count must be from 1 to {}, got {count}",
                        u32::MAX
                    )
                }),
            other => Err(format!(
                "expected `auto` or a number of shards such as 16, got {other}"
            )),
        }
    }
}

/// The shards one process runs: `all`, one shard (`3`) or a range (`0-7`, both ends included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub(crate) struct ShardRange(pub(crate) Option<std::ops::RangeInclusive<u32>>);

impl ShardRange {
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() || text == "all" {
            return Ok(Self(None));
        }
        let number = |part: &str| {
            part.trim().parse::<u32>().map_err(|_| {
                format!("expected `all`, a shard such as 3 or a range such as 0-7, got `{text}`")
            })
        };
        let (first, last) = match text.split_once('-') {
            Some((first, last)) => (number(first)?, number(last)?),
            None => {
                let shard = number(text)?;
                (shard, shard)
            }
        };
        if first > last {
            return Err(format!(
                "the shard range {first}-{last} is backwards: write the first shard first"
            ));
        }
        Ok(Self(Some(first..=last)))
    }

    /// `all`, `3` or `0-7`.
    fn show(&self) -> String {
        match &self.0 {
            None => "all".to_owned(),
            Some(range) if range.start() == range.end() => range.start().to_string(),
            Some(range) => format!("{}-{}", range.start(), range.end()),
        }
    }
}

impl TryFrom<toml::Value> for ShardRange {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, Self::Error> {
        match value {
            toml::Value::String(text) => Self::parse(&text),
            toml::Value::Integer(shard) => Self::parse(&shard.to_string()),
            other => Err(format!(
                "expected `all`, a shard such as 3 or a range such as \"0-7\", got {other}"
            )),
        }
    }
}

/// Which store holds tickets, transcripts and guild config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) enum StoreBackend {
    /// One SQLite file: the single-node default.
    Sqlite,
    /// A ScyllaDB keyspace, shared by the processes of a cluster across machines.
    Scylla,
}

impl StoreBackend {
    const ALL: &[Self] = &[Self::Sqlite, Self::Scylla];

    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Scylla => "scylla",
        }
    }
}

impl fmt::Display for StoreBackend {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

impl FromStr for StoreBackend {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        if let Some(backend) = Self::ALL.iter().find(|backend| backend.name() == value) {
            return Ok(*backend);
        }
        let known: Vec<_> = Self::ALL
            .iter()
            .map(|backend| format!("`{backend}`"))
            .collect();
        Err(format!(
            "unknown store backend `{value}`, expected {}",
            known.join(" or ")
        ))
    }
}

impl TryFrom<String> for StoreBackend {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

/// The ScyllaDB nodes the driver contacts first, `host:port` each: written comma-separated
/// (`10.0.0.1:9042,10.0.0.2:9042`), or as an array of strings in the file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub(crate) struct ContactPoints(Vec<String>);

impl ContactPoints {
    fn parse(text: &str) -> Result<Self, String> {
        Self::checked(
            text.split(',')
                .map(|point| point.trim().to_owned())
                .collect(),
        )
    }

    fn checked(points: Vec<String>) -> Result<Self, String> {
        if points.iter().all(String::is_empty) {
            return Err("expected one or more host:port, comma-separated, such as \
                        10.0.0.1:9042,10.0.0.2:9042"
                .to_owned());
        }
        for point in &points {
            check_contact_point(point)?;
        }
        Ok(Self(points))
    }

    /// `host:port,host:port`, as the setting is written.
    pub(crate) fn show(&self) -> String {
        self.0.join(",")
    }
}

impl TryFrom<toml::Value> for ContactPoints {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, Self::Error> {
        match value {
            toml::Value::String(text) => Self::parse(&text),
            toml::Value::Array(items) => {
                let points = items
                    .into_iter()
                    .map(|item| match item {
                        toml::Value::String(point) => Ok(point.trim().to_owned()),
                        other => Err(format!("expected a host:port string, got {other}")),
                    })
                    .collect::<Result<_, _>>()?;
                Self::checked(points)
            }
            other => Err(format!(
                "expected host:port entries such as \"10.0.0.1:9042,10.0.0.2:9042\", got {other}"
            )),
        }
    }
}

/// One contact point: a host name, an IPv4 address or a bracketed IPv6 address, then a port.
fn check_contact_point(point: &str) -> Result<(), String> {
    let expected = || {
        format!(
            "expected host:port such as 10.0.0.1:9042, scylla-client.scylla:9042 or \
             [::1]:9042, got `{point}`"
        )
    };
    let Some((host, port)) = point.rsplit_once(':') else {
        return Err(expected());
    };
    let host_ok = match host.strip_prefix('[') {
        Some(bracketed) => bracketed
            .strip_suffix(']')
            .is_some_and(|address| address.parse::<std::net::Ipv6Addr>().is_ok()),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }
    };
    if !host_ok {
        return Err(expected());
    }
    if !port.parse::<u16>().is_ok_and(|port| port > 0) {
        return Err(format!(
            "the port of `{point}` must be a number from 1 to 65535"
        ));
    }
    Ok(())
}

/// A keyspace name as CQL takes it unquoted: a letter, then letters, digits and underscores,
/// 48 characters at most (Scylla's limit).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct Keyspace(String);

impl Keyspace {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Keyspace {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let mut chars = value.chars();
        let valid = chars
            .next()
            .is_some_and(|first| first.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && value.len() <= 48;
        if !valid {
            return Err(format!(
                "expected a keyspace name of letters, digits and underscores, starting with a \
                 letter, at most 48 characters, got `{value}`"
            ));
        }
        Ok(Self(value))
    }
}

/// The replication map of the keyspace, as CQL: `{'class': …, …}`. It is written into
/// `CREATE KEYSPACE` as given, so only a single map is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct Replication(String);

impl Replication {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Replication {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let map = value.trim();
        let valid = map.starts_with('{')
            && map.ends_with('}')
            && map.contains("'class'")
            && !map.contains(';');
        if !valid {
            return Err(format!(
                "expected a CQL replication map such as {DEFAULT_SCYLLA_REPLICATION}, got `{value}`"
            ));
        }
        Ok(Self(map.to_owned()))
    }
}

/// A `tracing_subscriber::EnvFilter` directive string, checked when loaded so a typo is a
/// settings error that names its source rather than a failure after startup.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct LogFilter(String);

impl LogFilter {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LogFilter {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        if value.trim().is_empty() {
            return Err("the log filter must not be empty (examples: `info`, \
                        `warn,helpline=debug`)"
                .to_owned());
        }
        tracing_subscriber::EnvFilter::builder()
            .parse(&value)
            .map_err(|error| format!("invalid log filter `{value}`: {error}"))?;
        Ok(Self(value))
    }
}

/// The address users reach the panel at: `http(s)://host[:port]`, no path (a trailing slash
/// is dropped), no query.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct PublicUrl(String);

impl PublicUrl {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PublicUrl {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        let expected = || {
            format!(
                "expected the address users reach the panel at, an http(s) URL without a path \
                 such as https://panel.example.com, got `{value}`"
            )
        };
        let url = checked_url(value.clone(), &["http", "https"]).map_err(|_| expected())?;
        let (_, authority) = url.split_once("://").ok_or_else(expected)?;
        if authority.contains(['/', '?', '#', '@']) || authority.contains(char::is_whitespace) {
            return Err(expected());
        }
        Ok(Self(url))
    }
}

/// A Discord application's id: a snowflake, written as a number or a string (Helm turns long
/// numbers into floats, so the chart gives it as a string).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "toml::Value")]
pub(crate) struct ClientId(pub(crate) u64);

impl ClientId {
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Self)
            .ok_or_else(|| {
                format!(
                    "expected the application's id, a number such as 1234567890123456789 (the \
                     developer portal's Application ID), got `{text}`"
                )
            })
    }
}

impl TryFrom<toml::Value> for ClientId {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, Self::Error> {
        match value {
            toml::Value::String(text) => Self::parse(&text),
            toml::Value::Integer(id) => Self::parse(&id.to_string()),
            other => Err(format!(
                "expected the application's id, such as \"1234567890123456789\", got {other}"
            )),
        }
    }
}

/// The 32 bytes of a session key written in base64 (standard alphabet, padded; surrounding
/// whitespace, such as a Secret file's final newline, ignored). The error never shows the key.
fn decode_session_key(text: &str) -> Result<[u8; 32], String> {
    use base64::Engine as _;
    const EXPECTED: &str =
        "expected the base64 of 32 random bytes, such as `head -c32 /dev/urandom | base64` prints";
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| format!("{EXPECTED}; the value given is not base64"))?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        format!(
            "{EXPECTED}; the value given decodes to {} bytes",
            bytes.len()
        )
    })
}

fn positive_seconds_message(value: &str) -> String {
    format!("expected a whole number of seconds above 0 such as 60, got `{value}`")
}

fn session_hours_message(value: &str) -> String {
    format!(
        "expected a whole number of hours from 1 to {MAX_SESSION_HOURS} such as 12, got `{value}`"
    )
}

/// An `http://` or `https://` base URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct HttpUrl(String);

/// A `ws://` or `wss://` URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub(crate) struct WebSocketUrl(String);

impl TryFrom<String> for HttpUrl {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        checked_url(value, &["http", "https"]).map(Self)
    }
}

impl TryFrom<String> for WebSocketUrl {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        checked_url(value, &["ws", "wss"]).map(Self)
    }
}

impl HttpUrl {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl WebSocketUrl {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Checks the scheme and that a host follows it, and drops a trailing slash so callers can
/// append paths. A full URL parser is not worth a dependency for two optional overrides.
fn checked_url(value: String, schemes: &[&str]) -> Result<String, String> {
    let has_host = value
        .split_once("://")
        .filter(|(scheme, _)| schemes.contains(scheme))
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.starts_with('/'));
    if !has_host {
        let expected: Vec<_> = schemes
            .iter()
            .map(|scheme| format!("{scheme}://HOST"))
            .collect();
        return Err(format!(
            "expected a URL like {}, got `{value}`",
            expected.join(" or ")
        ));
    }
    Ok(value.trim_end_matches('/').to_owned())
}

/// One setting: its key in the TOML file, its environment variables and how to read and show
/// it. See [`VARIABLES`].
pub(crate) struct Variable {
    /// The dotted key, `section.name`, as written in the TOML file and given to `--set`.
    pub(crate) key: &'static str,
    /// Environment variables, the first one set (and not empty) winning.
    pub(crate) env: &'static [&'static str],
    /// Never echoed in errors or output, and refused by `--set`, since command lines are
    /// visible to every user of the machine.
    pub(crate) secret: bool,
    pub(crate) help: &'static str,
    /// Applies a value from the environment or `--set`; an empty value unsets an optional
    /// setting.
    set: fn(&mut Settings, &str) -> Result<(), String>,
    /// The current value as TOML, `None` when unset; a secret shows as `[redacted]`.
    show: fn(&Settings) -> Option<toml::Value>,
}

impl Variable {
    pub(crate) fn value(&self, settings: &Settings) -> Option<toml::Value> {
        (self.show)(settings)
    }
}

impl fmt::Debug for Variable {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Variable")
            .field("key", &self.key)
            .field("env", &self.env)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

/// Every setting, in the order `--help` and `config` list them.
pub(crate) const VARIABLES: &[Variable] = &[
    Variable {
        key: "discord.token",
        env: &["HELPLINE_DISCORD_TOKEN", "DISCORD_TOKEN"],
        secret: true,
        help: "Bot token from the Discord developer portal.",
        set: |settings, value| {
            settings.discord.token = optional(value, Secret::try_from)?;
            Ok(())
        },
        show: |settings| settings.discord.token.as_ref().map(string),
    },
    Variable {
        key: "discord.api_url",
        env: &["HELPLINE_DISCORD_API_URL"],
        secret: false,
        help: "Base URL of Discord's REST API; set it to use the local emulator.",
        set: |settings, value| {
            settings.discord.api_url = optional(value, HttpUrl::try_from)?;
            Ok(())
        },
        show: |settings| {
            settings
                .discord
                .api_url
                .as_ref()
                .map(|url| string(url.as_str()))
        },
    },
    Variable {
        key: "discord.gateway_url",
        env: &["HELPLINE_DISCORD_GATEWAY_URL"],
        secret: false,
        help: "URL of Discord's gateway; set it to use the local emulator.",
        set: |settings, value| {
            settings.discord.gateway_url = optional(value, WebSocketUrl::try_from)?;
            Ok(())
        },
        show: |settings| {
            settings
                .discord
                .gateway_url
                .as_ref()
                .map(|url| string(url.as_str()))
        },
    },
    Variable {
        key: "discord.rest_proxy",
        env: &["HELPLINE_DISCORD_REST_PROXY"],
        secret: false,
        help: "A `helpline proxy` (http://host:port) every REST call goes through, sharing the cluster's rate limits.",
        set: |settings, value| {
            settings.discord.rest_proxy = optional(value, HttpUrl::try_from)?;
            Ok(())
        },
        show: |settings| {
            settings
                .discord
                .rest_proxy
                .as_ref()
                .map(|url| string(url.as_str()))
        },
    },
    Variable {
        key: "discord.shard_count",
        env: &["HELPLINE_DISCORD_SHARD_COUNT"],
        secret: false,
        help: "How many shards: `auto` (Discord's recommendation) or a number.",
        set: |settings, value| {
            settings.discord.shard_count = match value {
                "" | "auto" => ShardCount(None),
                value => {
                    ShardCount::try_from(toml::Value::Integer(value.parse().map_err(|_| {
                        format!("expected `auto` or a number of shards such as 16, got `{value}`")
                    })?))?
                }
            };
            Ok(())
        },
        show: |settings| {
            Some(
                settings
                    .discord
                    .shard_count
                    .0
                    .map_or_else(|| string("auto"), |count| integer(u64::from(count))),
            )
        },
    },
    Variable {
        key: "discord.shard_range",
        env: &["HELPLINE_DISCORD_SHARD_RANGE"],
        secret: false,
        help: "The shards this process runs: `all`, one shard (`3`) or a range (`0-7`); a process given a range runs every shard of it and balances none with the others.",
        set: |settings, value| {
            settings.discord.shard_range = ShardRange::parse(value)?;
            Ok(())
        },
        show: |settings| Some(string(settings.discord.shard_range.show())),
    },
    Variable {
        key: "discord.identify_interval_ms",
        env: &["HELPLINE_DISCORD_IDENTIFY_INTERVAL_MS"],
        secret: false,
        help: "Milliseconds between two identifies of one bucket: Discord's 5000; lower only for an emulator that allows it.",
        set: |settings, value| {
            settings.discord.identify_interval_ms = milliseconds(value)?;
            Ok(())
        },
        show: |settings| Some(integer(settings.discord.identify_interval_ms)),
    },
    Variable {
        key: "store.backend",
        env: &["HELPLINE_STORE_BACKEND"],
        secret: false,
        help: "Where tickets, transcripts and guild config live: `sqlite` (one file, one machine) or `scylla` (a ScyllaDB keyspace, for a cluster across machines; run `helpline migrate` first).",
        set: |settings, value| {
            settings.store.backend = value.parse()?;
            Ok(())
        },
        show: |settings| Some(string(settings.store.backend)),
    },
    Variable {
        key: "store.sqlite_path",
        env: &["HELPLINE_STORE_SQLITE_PATH"],
        secret: false,
        help: "SQLite database file, created if missing; relative to the working directory.",
        set: |settings, value| {
            if value.is_empty() {
                return Err("the SQLite path must not be empty".to_owned());
            }
            settings.store.sqlite_path = PathBuf::from(value);
            Ok(())
        },
        show: |settings| Some(string(settings.store.sqlite_path.to_string_lossy())),
    },
    Variable {
        key: "store.max_attachment_bytes",
        env: &["HELPLINE_STORE_MAX_ATTACHMENT_BYTES"],
        secret: false,
        help: "Largest attachment, in bytes, the store keeps with a transcript.",
        set: |settings, value| {
            settings.store.max_attachment_bytes = value.parse().map_err(|_| {
                format!("expected a whole number of bytes such as 10485760, got `{value}`")
            })?;
            Ok(())
        },
        show: |settings| Some(integer(settings.store.max_attachment_bytes)),
    },
    Variable {
        key: "store.max_ticket_attachment_bytes",
        env: &["HELPLINE_STORE_MAX_TICKET_ATTACHMENT_BYTES"],
        secret: false,
        help: "Most attachment bytes, in total, the store keeps for one ticket.",
        set: |settings, value| {
            settings.store.max_ticket_attachment_bytes = value.parse().map_err(|_| {
                format!("expected a whole number of bytes such as 104857600, got `{value}`")
            })?;
            Ok(())
        },
        show: |settings| Some(integer(settings.store.max_ticket_attachment_bytes)),
    },
    Variable {
        key: "store.encryption_keys",
        env: &["HELPLINE_STORE_ENCRYPTION_KEYS"],
        secret: true,
        help: "Keys that seal transcripts at rest (AES-256-GCM): `id:base64` of 32 random bytes, comma-separated, the current key first; keep older keys listed until their records are purged.",
        set: |settings, value| {
            if !value.is_empty() {
                parse_keys(value)?;
            }
            settings.store.encryption_keys = optional(value, Secret::try_from)?;
            Ok(())
        },
        show: |settings| settings.store.encryption_keys.as_ref().map(string),
    },
    Variable {
        key: "store.scylla_contact_points",
        env: &["HELPLINE_STORE_SCYLLA_CONTACT_POINTS"],
        secret: false,
        help: "ScyllaDB nodes to contact first, host:port, comma-separated; the driver finds the others.",
        set: |settings, value| {
            settings.store.scylla_contact_points = ContactPoints::parse(value)?;
            Ok(())
        },
        show: |settings| Some(string(settings.store.scylla_contact_points.show())),
    },
    Variable {
        key: "store.scylla_keyspace",
        env: &["HELPLINE_STORE_SCYLLA_KEYSPACE"],
        secret: false,
        help: "The ScyllaDB keyspace holding Helpline's tables; `helpline migrate` creates it.",
        set: |settings, value| {
            settings.store.scylla_keyspace = Keyspace::try_from(value.to_owned())?;
            Ok(())
        },
        show: |settings| Some(string(settings.store.scylla_keyspace.as_str())),
    },
    Variable {
        key: "store.scylla_local_datacenter",
        env: &["HELPLINE_STORE_SCYLLA_LOCAL_DATACENTER"],
        secret: false,
        help: "The ScyllaDB datacenter whose nodes are preferred and where LOCAL_QUORUM is counted; any when unset.",
        set: |settings, value| {
            settings.store.scylla_local_datacenter = optional(value, Ok::<_, String>)?;
            Ok(())
        },
        show: |settings| {
            settings
                .store
                .scylla_local_datacenter
                .as_deref()
                .map(string)
        },
    },
    Variable {
        key: "store.scylla_username",
        env: &["HELPLINE_STORE_SCYLLA_USERNAME"],
        secret: false,
        help: "ScyllaDB user (password authentication, with store.scylla_password); none when unset.",
        set: |settings, value| {
            settings.store.scylla_username = optional(value, Ok::<_, String>)?;
            Ok(())
        },
        show: |settings| settings.store.scylla_username.as_deref().map(string),
    },
    Variable {
        key: "store.scylla_password",
        env: &["HELPLINE_STORE_SCYLLA_PASSWORD"],
        secret: true,
        help: "The ScyllaDB user's password.",
        set: |settings, value| {
            settings.store.scylla_password = optional(value, Secret::try_from)?;
            Ok(())
        },
        show: |settings| settings.store.scylla_password.as_ref().map(string),
    },
    Variable {
        key: "store.scylla_tls",
        env: &["HELPLINE_STORE_SCYLLA_TLS"],
        secret: false,
        help: "Connect to ScyllaDB with TLS, verifying the nodes' certificates (the system's roots, or store.scylla_tls_ca_file).",
        set: |settings, value| {
            settings.store.scylla_tls = boolean(value)?;
            Ok(())
        },
        show: |settings| Some(toml::Value::Boolean(settings.store.scylla_tls)),
    },
    Variable {
        key: "store.scylla_tls_ca_file",
        env: &["HELPLINE_STORE_SCYLLA_TLS_CA_FILE"],
        secret: false,
        help: "PEM file of the CA certificates to trust for ScyllaDB's TLS instead of the system's roots.",
        set: |settings, value| {
            settings.store.scylla_tls_ca_file =
                optional(value, |value| Ok::<_, String>(PathBuf::from(value)))?;
            Ok(())
        },
        show: |settings| {
            settings
                .store
                .scylla_tls_ca_file
                .as_ref()
                .map(|path| string(path.to_string_lossy()))
        },
    },
    Variable {
        key: "store.scylla_replication",
        env: &["HELPLINE_STORE_SCYLLA_REPLICATION"],
        secret: false,
        help: "The replication map, in CQL, `helpline migrate` creates the keyspace with; a single test node needs {'class': 'SimpleStrategy', 'replication_factor': 1}.",
        set: |settings, value| {
            settings.store.scylla_replication = Replication::try_from(value.to_owned())?;
            Ok(())
        },
        show: |settings| Some(string(settings.store.scylla_replication.as_str())),
    },
    Variable {
        key: "log.filter",
        env: &["HELPLINE_LOG_FILTER", "RUST_LOG"],
        secret: false,
        help: "Which log lines to keep, in tracing's EnvFilter syntax (`warn,helpline=debug`).",
        set: |settings, value| {
            settings.log.filter = LogFilter::try_from(value.to_owned())?;
            Ok(())
        },
        show: |settings| Some(string(settings.log.filter.as_str())),
    },
    Variable {
        key: "metrics.listen",
        env: &["HELPLINE_METRICS_LISTEN"],
        secret: false,
        help: "Socket address serving Prometheus metrics on /metrics, such as 0.0.0.0:9100.",
        set: |settings, value| {
            settings.metrics.listen = optional(value, |value: String| {
                value.parse::<SocketAddr>().map_err(|_| {
                    format!("expected a socket address such as 0.0.0.0:9100, got `{value}`")
                })
            })?;
            Ok(())
        },
        show: |settings| settings.metrics.listen.map(string),
    },
    Variable {
        key: "bot.shutdown_deadline_secs",
        env: &["HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS"],
        secret: false,
        help: "Seconds a stop gives in-flight work to finish and sessions to close; a second signal exits at once.",
        set: |settings, value| {
            settings.bot.shutdown_deadline_secs = value.parse().map_err(|_| {
                format!("expected a whole number of seconds such as 10, got `{value}`")
            })?;
            Ok(())
        },
        show: |settings| Some(integer(settings.bot.shutdown_deadline_secs)),
    },
    Variable {
        key: "cluster.redis_url",
        env: &["HELPLINE_CLUSTER_REDIS_URL"],
        secret: true,
        help: "Redis shared by the processes of a cluster (redis://host:6379); a single node when unset.",
        set: |settings, value| {
            settings.cluster.redis_url = optional(value, |value: String| {
                if value.starts_with("redis://") {
                    Secret::try_from(value).map_err(str::to_owned)
                } else {
                    Err("expected a URL like redis://HOST:6379".to_owned())
                }
            })?;
            Ok(())
        },
        show: |settings| settings.cluster.redis_url.as_ref().map(string),
    },
    Variable {
        key: "cluster.process_name",
        env: &["HELPLINE_CLUSTER_PROCESS_NAME", "HOSTNAME"],
        secret: false,
        help: "This process's name in the cluster, unique (a pod's name); helpline-<pid> when unset.",
        set: |settings, value| {
            settings.cluster.process_name = optional(value, |value: String| {
                if value.len() <= 128 && !value.contains(char::is_whitespace) {
                    Ok(value)
                } else {
                    Err("expected a name without spaces, at most 128 characters".to_owned())
                }
            })?;
            Ok(())
        },
        show: |settings| settings.cluster.process_name.as_deref().map(string),
    },
    Variable {
        key: "cluster.lease_ttl_ms",
        env: &["HELPLINE_CLUSTER_LEASE_TTL_MS"],
        secret: false,
        help: "Milliseconds a shard lease lasts without renewal; another process takes the shard after it.",
        set: |settings, value| {
            settings.cluster.lease_ttl_ms = milliseconds(value)?;
            Ok(())
        },
        show: |settings| Some(integer(settings.cluster.lease_ttl_ms)),
    },
    Variable {
        key: "cluster.renew_interval_ms",
        env: &["HELPLINE_CLUSTER_RENEW_INTERVAL_MS"],
        secret: false,
        help: "Milliseconds between lease renewals (and rebalancing); at most a third of the lease TTL.",
        set: |settings, value| {
            settings.cluster.renew_interval_ms = milliseconds(value)?;
            Ok(())
        },
        show: |settings| Some(integer(settings.cluster.renew_interval_ms)),
    },
    Variable {
        key: "proxy.listen",
        env: &["HELPLINE_PROXY_LISTEN"],
        secret: false,
        help: "Socket address `helpline proxy` serves on, such as 0.0.0.0:8081.",
        set: |settings, value| {
            settings.proxy.listen = value.parse().map_err(|_| {
                format!("expected a socket address such as 0.0.0.0:8081, got `{value}`")
            })?;
            Ok(())
        },
        show: |settings| Some(string(settings.proxy.listen)),
    },
    Variable {
        key: "proxy.upstream_url",
        env: &["HELPLINE_PROXY_UPSTREAM_URL"],
        secret: false,
        help: "Where `helpline proxy` forwards: https://discord.com, or the emulator's URL.",
        set: |settings, value| {
            settings.proxy.upstream_url = HttpUrl::try_from(value.to_owned())?;
            Ok(())
        },
        show: |settings| Some(string(settings.proxy.upstream_url.as_str())),
    },
    Variable {
        key: "proxy.global_limit",
        env: &["HELPLINE_PROXY_GLOBAL_LIMIT"],
        secret: false,
        help: "REST requests per second of the bot across the cluster (Discord's default: 50).",
        set: |settings, value| {
            settings.proxy.global_limit = value
                .parse()
                .ok()
                .filter(|limit| *limit > 0)
                .ok_or_else(|| {
                    format!("expected a number of requests such as 50, got `{value}`")
                })?;
            Ok(())
        },
        show: |settings| Some(integer(u64::from(settings.proxy.global_limit))),
    },
    Variable {
        key: "proxy.hold_deadline_ms",
        env: &["HELPLINE_PROXY_HOLD_DEADLINE_MS"],
        secret: false,
        help: "Milliseconds a request may wait for its turn before the proxy answers 503.",
        set: |settings, value| {
            settings.proxy.hold_deadline_ms = milliseconds(value)?;
            Ok(())
        },
        show: |settings| Some(integer(settings.proxy.hold_deadline_ms)),
    },
    Variable {
        key: "proxy.invalid_threshold",
        env: &["HELPLINE_PROXY_INVALID_THRESHOLD"],
        secret: false,
        help: "Invalid requests (401, 403, 429) in ten minutes at which the proxy stops forwarding; Discord bans at 10000.",
        set: |settings, value| {
            settings.proxy.invalid_threshold = value
                .parse()
                .ok()
                .filter(|limit| *limit > 0 && *limit < 10_000)
                .ok_or_else(|| {
                    format!("expected a number below 10000 such as 5000, got `{value}`")
                })?;
            Ok(())
        },
        show: |settings| Some(integer(settings.proxy.invalid_threshold)),
    },
    Variable {
        key: "proxy.egress",
        env: &["HELPLINE_PROXY_EGRESS"],
        secret: false,
        help: "Name of the IP the proxy reaches Discord from: replicas behind one IP share its invalid-request count.",
        set: |settings, value| {
            if value.is_empty() || value.contains(char::is_whitespace) {
                return Err("expected a name without spaces".to_owned());
            }
            settings.proxy.egress = value.to_owned();
            Ok(())
        },
        show: |settings| Some(string(&settings.proxy.egress)),
    },
    Variable {
        key: "interactions.listen",
        env: &["HELPLINE_INTERACTIONS_LISTEN"],
        secret: false,
        help: "Socket address `helpline run` (beside its shards) and `helpline interactions` (alone, required) serve Discord's interactions endpoint on (POST /interactions), such as 0.0.0.0:8443; off for `run` when unset. Put it behind HTTPS and register https://<host>/interactions as the application's Interactions Endpoint URL.",
        set: |settings, value| {
            settings.interactions.listen = optional(value, |value: String| {
                value.parse::<SocketAddr>().map_err(|_| {
                    format!("expected a socket address such as 0.0.0.0:8443, got `{value}`")
                })
            })?;
            Ok(())
        },
        show: |settings| settings.interactions.listen.map(string),
    },
    Variable {
        key: "interactions.public_key",
        env: &["HELPLINE_INTERACTIONS_PUBLIC_KEY"],
        secret: false,
        help: "The application's public key (developer portal, General Information, Public Key: 64 hexadecimal digits) the endpoint verifies requests with; unset: the one Discord gives for the application.",
        set: |settings, value| {
            settings.interactions.public_key =
                optional(value, |value: String| check_public_key(&value))?;
            Ok(())
        },
        show: |settings| settings.interactions.public_key.as_deref().map(string),
    },
    Variable {
        key: "panel.listen",
        env: &["HELPLINE_PANEL_LISTEN"],
        secret: false,
        help: "Socket address `helpline panel` serves on, such as 0.0.0.0:8080.",
        set: |settings, value| {
            settings.panel.listen = value.parse().map_err(|_| {
                format!("expected a socket address such as 0.0.0.0:8080, got `{value}`")
            })?;
            Ok(())
        },
        show: |settings| Some(string(settings.panel.listen)),
    },
    Variable {
        key: "panel.public_url",
        env: &["HELPLINE_PANEL_PUBLIC_URL"],
        secret: false,
        help: "The address users reach the panel at, without a path (https://panel.example.com); required by `helpline panel`. Register <public_url>/callback as a redirect URI of the Discord application.",
        set: |settings, value| {
            settings.panel.public_url = optional(value, PublicUrl::try_from)?;
            Ok(())
        },
        show: |settings| {
            settings
                .panel
                .public_url
                .as_ref()
                .map(|url| string(url.as_str()))
        },
    },
    Variable {
        key: "panel.client_id",
        env: &["HELPLINE_PANEL_CLIENT_ID"],
        secret: false,
        help: "The Discord application's id (its OAuth2 client id, the developer portal's Application ID); required by `helpline panel`.",
        set: |settings, value| {
            settings.panel.client_id = optional(value, |value: String| ClientId::parse(&value))?;
            Ok(())
        },
        show: |settings| settings.panel.client_id.map(|id| string(id.0)),
    },
    Variable {
        key: "panel.client_secret",
        env: &["HELPLINE_PANEL_CLIENT_SECRET"],
        secret: true,
        help: "The Discord application's OAuth2 client secret; required by `helpline panel`.",
        set: |settings, value| {
            settings.panel.client_secret = optional(value, Secret::try_from)?;
            Ok(())
        },
        show: |settings| settings.panel.client_secret.as_ref().map(string),
    },
    Variable {
        key: "panel.session_key",
        env: &["HELPLINE_PANEL_SESSION_KEY"],
        secret: true,
        help: "The key sealing the panel's session cookies: base64 of 32 random bytes (`head -c32 /dev/urandom | base64`), the same for every replica; required by `helpline panel`. Changing it signs everyone out.",
        set: |settings, value| {
            if !value.is_empty() {
                decode_session_key(value)?;
            }
            settings.panel.session_key = optional(value, Secret::try_from)?;
            Ok(())
        },
        show: |settings| settings.panel.session_key.as_ref().map(string),
    },
    Variable {
        key: "panel.access_cache_secs",
        env: &["HELPLINE_PANEL_ACCESS_CACHE_SECS"],
        secret: false,
        help: "Seconds the panel remembers a user's standing in a server (asked of Discord with the bot's token) before asking again.",
        set: |settings, value| {
            settings.panel.access_cache_secs = value
                .parse()
                .ok()
                .filter(|secs| *secs > 0)
                .ok_or_else(|| positive_seconds_message(value))?;
            Ok(())
        },
        show: |settings| Some(integer(settings.panel.access_cache_secs)),
    },
    Variable {
        key: "panel.session_hours",
        env: &["HELPLINE_PANEL_SESSION_HOURS"],
        secret: false,
        help: "Hours a sign-in to the panel lasts.",
        set: |settings, value| {
            settings.panel.session_hours = value
                .parse()
                .ok()
                .filter(|hours| (1..=MAX_SESSION_HOURS).contains(hours))
                .ok_or_else(|| session_hours_message(value))?;
            Ok(())
        },
        show: |settings| Some(integer(settings.panel.session_hours)),
    },
];

fn milliseconds(value: &str) -> Result<u64, String> {
    value
        .parse()
        .ok()
        .filter(|millis| *millis > 0)
        .ok_or_else(|| {
            format!("expected a whole number of milliseconds such as 5000, got `{value}`")
        })
}

fn boolean(value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("expected true or false, got `{value}`")),
    }
}

/// The keys of `store.encryption_keys`; an error names the entry by its position, never the
/// key.
fn parse_keys(value: &str) -> Result<helpline_store::Keys, String> {
    let mut keys = Vec::new();
    for (index, entry) in value.split(',').enumerate() {
        keys.push(
            helpline_store::StoreKey::parse(entry)
                .map_err(|why| format!("key {} of store.encryption_keys: {why}", index + 1))?,
        );
    }
    let mut keys = keys.into_iter();
    let current = keys.next().ok_or("store.encryption_keys lists no key")?;
    helpline_store::Keys::new(current, keys.collect())
        .map_err(|why| format!("store.encryption_keys: {why}"))
}

fn optional<T, E: fmt::Display>(
    value: &str,
    parse: impl FnOnce(String) -> Result<T, E>,
) -> Result<Option<T>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    parse(value.to_owned())
        .map(Some)
        .map_err(|error| error.to_string())
}

fn string(value: impl fmt::Display) -> toml::Value {
    toml::Value::String(value.to_string())
}

fn integer(value: u64) -> toml::Value {
    // TOML integers are i64; a larger value can only have come from the environment, and a
    // string keeps it readable.
    i64::try_from(value).map_or_else(|_| string(value), toml::Value::Integer)
}

/// Where the effective value of a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Default,
    File,
    Environment(&'static str),
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => formatter.write_str("default"),
            Self::File => formatter.write_str("config file"),
            Self::Environment(name) => write!(formatter, "environment {name}"),
            Self::Flag => formatter.write_str("--set"),
        }
    }
}

/// The settings and how they came to be.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) settings: Settings,
    /// The settings file, if one was read.
    pub(crate) file: Option<PathBuf>,
    /// The source of every key in [`VARIABLES`].
    pub(crate) sources: BTreeMap<&'static str, Source>,
    /// `HELPLINE_*` environment variables that no setting reads, most likely misspelled; the
    /// caller logs them once logging is up.
    pub(crate) unknown_env: Vec<String>,
}

/// Builds the settings from the defaults, the file at `file` (if any), `environment` and the
/// `--set` overrides, in that order of precedence. Every error names the file and line, the
/// variable or the flag at fault, and never contains a secret.
pub(crate) fn load(
    config_flag: Option<&Path>,
    environment: impl IntoIterator<Item = (OsString, OsString)>,
    overrides: &[(String, String)],
) -> anyhow::Result<Loaded> {
    // Variable names that are not UTF-8 cannot be ours.
    let environment: HashMap<String, OsString> = environment
        .into_iter()
        .filter_map(|(name, value)| Some((name.into_string().ok()?, value)))
        .collect();

    let mut settings = Settings::default();
    let mut sources: BTreeMap<&'static str, Source> = VARIABLES
        .iter()
        .map(|variable| (variable.key, Source::Default))
        .collect();

    // HELPLINE_CONFIG is read here rather than by clap's `env`, which would reject an empty
    // value instead of treating it as unset like every other variable.
    let file = config_flag.map(Path::to_path_buf).or_else(|| {
        environment
            .get(CONFIG_FILE_ENV)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = &file {
        let parsed = file::read(path)?;
        settings = parsed.settings;
        for variable in VARIABLES {
            if parsed.keys.contains(variable.key) {
                sources.insert(variable.key, Source::File);
            }
        }
    }

    for variable in VARIABLES {
        for &name in variable.env {
            let Some(value) = environment.get(name) else {
                continue;
            };
            let Some(value) = value.to_str() else {
                bail!("invalid environment variable {name}: the value is not valid UTF-8");
            };
            // An empty variable counts as unset, as a blank Helm value or `FOO=` in a shell
            // script usually means "not configured".
            if value.is_empty() {
                continue;
            }
            (variable.set)(&mut settings, value).map_err(|message| {
                anyhow::anyhow!(
                    "invalid environment variable {name} (setting `{}`): {message}",
                    variable.key
                )
            })?;
            sources.insert(variable.key, Source::Environment(name));
            break;
        }
    }
    let mut unknown_env: Vec<String> = environment
        .into_keys()
        .filter(|name| name.starts_with("HELPLINE_") && !is_known_env(name))
        .collect();
    unknown_env.sort();

    for (key, value) in overrides {
        let Some(variable) = VARIABLES.iter().find(|variable| variable.key == key) else {
            bail!(
                "--set {key}: unknown setting; the settings are {}",
                known_keys()
            );
        };
        if variable.secret {
            bail!(
                "--set {key}: `{key}` is a secret and cannot be given on the command line, \
                 where other users can read it; set {} or put it in the config file",
                variable.env.join(" or ")
            );
        }
        (variable.set)(&mut settings, value)
            .map_err(|message| anyhow::anyhow!("invalid --set {key}: {message}"))?;
        sources.insert(variable.key, Source::Flag);
    }

    Ok(Loaded {
        settings,
        file,
        sources,
        unknown_env,
    })
}

/// Loads the settings from the process environment.
pub(crate) fn load_from_process(
    config_flag: Option<&Path>,
    overrides: &[(String, String)],
) -> anyhow::Result<Loaded> {
    load(config_flag, std::env::vars_os(), overrides).context("cannot load settings")
}

fn is_known_env(name: &str) -> bool {
    // `HELPLINE_TEST_*` variables configure the test suites, not the binary.
    name == CONFIG_FILE_ENV
        || name.starts_with("HELPLINE_TEST_")
        || VARIABLES
            .iter()
            .any(|variable| variable.env.contains(&name))
}

fn known_keys() -> String {
    let keys: Vec<_> = VARIABLES.iter().map(|variable| variable.key).collect();
    keys.join(", ")
}

/// Renders a value the way an operator would type it: strings without quotes.
pub(crate) fn plain(value: &toml::Value) -> String {
    match value {
        toml::Value::String(string) => string.clone(),
        other => other.to_string(),
    }
}

/// The settings listing shown after `--help`: every key, its variables and its default.
pub(crate) fn help_listing() -> String {
    let defaults = Settings::default();
    let mut listing = format!(
        "Settings (lowest precedence first: defaults, the --config file, environment \
         variables, --set KEY=VALUE flags; an empty environment variable counts as unset; \
         the file is also named by {CONFIG_FILE_ENV}):\n"
    );
    for variable in VARIABLES {
        let default = variable
            .value(&defaults)
            .map_or_else(|| "unset".to_owned(), |v| plain(&v));
        let secret = if variable.secret {
            " (secret: not accepted by --set)"
        } else {
            ""
        };
        // Writing to a String cannot fail.
        let _ = write!(
            listing,
            "\n  {key}{secret}\n      env: {env}\n      default: {default}\n      {help}\n",
            key = variable.key,
            env = variable.env.join(", "),
            help = variable.help,
        );
    }
    listing
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh1JkL.very-secret-token-value";
    /// The base64 of 32 `B`s.
    const SESSION_KEY: &str = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=";

    fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(name, value)| (name.into(), value.into()))
            .collect()
    }

    fn load_env(pairs: &[(&str, &str)]) -> anyhow::Result<Loaded> {
        load(None, env(pairs), &[])
    }

    fn write_file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("helpline.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn defaults() {
        let loaded = load_env(&[]).unwrap();
        let settings = &loaded.settings;
        assert_eq!(settings.discord.token, None);
        assert_eq!(settings.store.backend, StoreBackend::Sqlite);
        assert_eq!(settings.store.sqlite_path, Path::new("helpline.sqlite3"));
        assert_eq!(settings.store.max_attachment_bytes, 10 * 1024 * 1024);
        assert_eq!(
            settings.store.max_ticket_attachment_bytes,
            100 * 1024 * 1024
        );
        assert_eq!(
            settings.store.limits(),
            helpline_store::StoreLimits::default()
        );
        assert_eq!(settings.log.filter.as_str(), "info");
        assert_eq!(settings.metrics.listen, None);
        let store = &settings.store;
        assert_eq!(store.scylla_contact_points.show(), "127.0.0.1:9042");
        assert_eq!(store.scylla_keyspace.as_str(), "helpline");
        assert_eq!(store.scylla_local_datacenter, None);
        assert_eq!(store.scylla_username, None);
        assert_eq!(store.scylla_password, None);
        assert!(!store.scylla_tls);
        assert_eq!(store.scylla_tls_ca_file, None);
        assert_eq!(
            store.scylla_replication.as_str(),
            "{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}"
        );
        assert!(
            loaded
                .sources
                .values()
                .all(|source| *source == Source::Default)
        );
    }

    #[test]
    fn layers_apply_in_order_file_env_flag() {
        let (_dir, path) = write_file(
            "[store]\nsqlite_path = \"from-file.sqlite3\"\nmax_attachment_bytes = 1\n\
             [log]\nfilter = \"debug\"\n",
        );
        let loaded = load(
            Some(&path),
            env(&[
                ("HELPLINE_STORE_MAX_ATTACHMENT_BYTES", "2"),
                ("HELPLINE_STORE_MAX_TICKET_ATTACHMENT_BYTES", "5"),
                ("HELPLINE_LOG_FILTER", "warn"),
            ]),
            &[("log.filter".to_owned(), "error".to_owned())],
        )
        .unwrap();
        let settings = &loaded.settings;
        assert_eq!(settings.store.sqlite_path, Path::new("from-file.sqlite3"));
        assert_eq!(settings.store.max_attachment_bytes, 2);
        assert_eq!(settings.store.max_ticket_attachment_bytes, 5);
        assert_eq!(settings.log.filter.as_str(), "error");
        assert_eq!(loaded.sources["store.sqlite_path"], Source::File);
        assert_eq!(
            loaded.sources["store.max_attachment_bytes"],
            Source::Environment("HELPLINE_STORE_MAX_ATTACHMENT_BYTES")
        );
        assert_eq!(loaded.sources["log.filter"], Source::Flag);
        assert_eq!(loaded.sources["store.backend"], Source::Default);
    }

    #[test]
    fn shard_ranges_are_read_from_the_file_and_the_environment() {
        let range = |value: &str| {
            load_env(&[("HELPLINE_DISCORD_SHARD_RANGE", value)])
                .map(|l| l.settings.discord.shard_range.0)
        };
        assert_eq!(range("0-7").unwrap(), Some(0..=7));
        assert_eq!(range("3").unwrap(), Some(3..=3));
        assert_eq!(range("all").unwrap(), None);
        assert!(
            range("7-2").unwrap_err().to_string().contains("backwards"),
            "{:?}",
            range("7-2")
        );
        assert!(
            range("a-b")
                .unwrap_err()
                .to_string()
                .contains("a range such as 0-7")
        );
        let (_dir, path) = write_file("[discord]\nshard_range = \"8-15\"\n");
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        assert_eq!(loaded.settings.discord.shard_range.0, Some(8..=15));
        let (_dir, path) = write_file("[discord]\nshard_range = 4\n");
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        assert_eq!(loaded.settings.discord.shard_range.0, Some(4..=4));
    }

    #[test]
    fn token_comes_from_either_variable_and_helpline_wins() {
        let loaded = load_env(&[("DISCORD_TOKEN", TOKEN)]).unwrap();
        assert_eq!(loaded.settings.discord.token.unwrap().expose(), TOKEN);
        assert_eq!(
            loaded.sources["discord.token"],
            Source::Environment("DISCORD_TOKEN")
        );

        let loaded = load_env(&[
            ("DISCORD_TOKEN", "other"),
            ("HELPLINE_DISCORD_TOKEN", TOKEN),
        ])
        .unwrap();
        assert_eq!(loaded.settings.discord.token.unwrap().expose(), TOKEN);
    }

    #[test]
    fn rust_log_is_honoured_below_helpline_log_filter() {
        let loaded = load_env(&[("RUST_LOG", "helpline=trace")]).unwrap();
        assert_eq!(loaded.settings.log.filter.as_str(), "helpline=trace");
        let loaded = load_env(&[
            ("RUST_LOG", "helpline=trace"),
            ("HELPLINE_LOG_FILTER", "warn"),
        ])
        .unwrap();
        assert_eq!(loaded.settings.log.filter.as_str(), "warn");
    }

    #[test]
    fn config_file_comes_from_the_flag_or_helpline_config() {
        let (_dir, path) = write_file("[log]\nfilter = \"debug\"\n");
        let from_env = path.to_str().unwrap();
        let loaded = load(None, env(&[(CONFIG_FILE_ENV, from_env)]), &[]).unwrap();
        assert_eq!(loaded.file.as_deref(), Some(path.as_path()));
        assert_eq!(loaded.settings.log.filter.as_str(), "debug");

        // The flag wins over the variable, and an empty variable names no file.
        let (_other_dir, other) = write_file("[log]\nfilter = \"warn\"\n");
        let loaded = load(Some(&other), env(&[(CONFIG_FILE_ENV, from_env)]), &[]).unwrap();
        assert_eq!(loaded.settings.log.filter.as_str(), "warn");
        let loaded = load(None, env(&[(CONFIG_FILE_ENV, "")]), &[]).unwrap();
        assert_eq!(loaded.file, None);
    }

    #[test]
    fn empty_environment_variable_counts_as_unset() {
        let (_dir, path) = write_file("[log]\nfilter = \"debug\"\n");
        let loaded = load(Some(&path), env(&[("HELPLINE_LOG_FILTER", "")]), &[]).unwrap();
        assert_eq!(loaded.settings.log.filter.as_str(), "debug");
    }

    #[test]
    fn invalid_environment_value_names_the_variable() {
        let error = load_env(&[("HELPLINE_STORE_MAX_ATTACHMENT_BYTES", "abc")]).unwrap_err();
        assert_eq!(
            format!("{error:#}"),
            "invalid environment variable HELPLINE_STORE_MAX_ATTACHMENT_BYTES \
             (setting `store.max_attachment_bytes`): expected a whole number of bytes such as \
             10485760, got `abc`"
        );

        let error = load_env(&[("HELPLINE_STORE_BACKEND", "postgres")]).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.starts_with("invalid environment variable HELPLINE_STORE_BACKEND"));
        assert!(
            message.contains("unknown store backend `postgres`, expected `sqlite` or `scylla`"),
            "{message}"
        );

        let error = load_env(&[("HELPLINE_METRICS_LISTEN", "localhost")]).unwrap_err();
        assert!(format!("{error:#}").contains("HELPLINE_METRICS_LISTEN"));

        let error = load_env(&[("HELPLINE_DISCORD_API_URL", "discord.com/api")]).unwrap_err();
        assert!(format!("{error:#}").contains("expected a URL like http://HOST or https://HOST"));

        let error = load_env(&[("RUST_LOG", "helpline=notalevel")]).unwrap_err();
        assert!(format!("{error:#}").contains("invalid environment variable RUST_LOG"));
    }

    #[test]
    fn every_setting_round_trips_through_the_environment() {
        let loaded = load_env(&[
            ("HELPLINE_DISCORD_TOKEN", TOKEN),
            ("HELPLINE_DISCORD_API_URL", "http://127.0.0.1:3000/api/v10/"),
            ("HELPLINE_DISCORD_GATEWAY_URL", "ws://127.0.0.1:3001"),
            ("HELPLINE_STORE_BACKEND", "scylla"),
            ("HELPLINE_STORE_SQLITE_PATH", "/var/lib/helpline/db.sqlite3"),
            (
                "HELPLINE_STORE_SCYLLA_CONTACT_POINTS",
                "scylla-0.scylla:9042, 10.0.0.7:19042,[::1]:9042",
            ),
            ("HELPLINE_STORE_SCYLLA_KEYSPACE", "helpline_prod"),
            ("HELPLINE_STORE_SCYLLA_LOCAL_DATACENTER", "eu-west"),
            ("HELPLINE_STORE_SCYLLA_USERNAME", "helpline"),
            ("HELPLINE_STORE_SCYLLA_PASSWORD", "scylla-hunter2"),
            ("HELPLINE_STORE_SCYLLA_TLS", "true"),
            ("HELPLINE_STORE_SCYLLA_TLS_CA_FILE", "/etc/scylla/ca.pem"),
            (
                "HELPLINE_STORE_SCYLLA_REPLICATION",
                "{'class': 'NetworkTopologyStrategy', 'eu-west': 3}",
            ),
            ("HELPLINE_STORE_MAX_ATTACHMENT_BYTES", "42"),
            ("HELPLINE_STORE_MAX_TICKET_ATTACHMENT_BYTES", "420"),
            ("HELPLINE_STORE_ENCRYPTION_KEYS", "2:QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=,1:QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="),
            ("HELPLINE_LOG_FILTER", "warn,helpline=debug"),
            ("HELPLINE_METRICS_LISTEN", "0.0.0.0:9100"),
            ("HELPLINE_BOT_SHUTDOWN_DEADLINE_SECS", "3"),
            ("HELPLINE_DISCORD_SHARD_COUNT", "16"),
            ("HELPLINE_DISCORD_SHARD_RANGE", "8-15"),
            ("HELPLINE_DISCORD_IDENTIFY_INTERVAL_MS", "1000"),
            (
                "HELPLINE_CLUSTER_REDIS_URL",
                "redis://:hunter2@redis:6379/0",
            ),
            ("HELPLINE_CLUSTER_PROCESS_NAME", "helpline-shards-2"),
            ("HELPLINE_CLUSTER_LEASE_TTL_MS", "9000"),
            ("HELPLINE_CLUSTER_RENEW_INTERVAL_MS", "3000"),
            ("HELPLINE_DISCORD_REST_PROXY", "http://proxy:8081"),
            ("HELPLINE_PROXY_LISTEN", "0.0.0.0:8082"),
            ("HELPLINE_PROXY_UPSTREAM_URL", "http://127.0.0.1:3000"),
            ("HELPLINE_PROXY_GLOBAL_LIMIT", "120"),
            ("HELPLINE_PROXY_HOLD_DEADLINE_MS", "4000"),
            ("HELPLINE_PROXY_INVALID_THRESHOLD", "4000"),
            ("HELPLINE_PROXY_EGRESS", "nat-a"),
            ("HELPLINE_PANEL_LISTEN", "0.0.0.0:8443"),
            ("HELPLINE_PANEL_PUBLIC_URL", "https://panel.example.com/"),
            ("HELPLINE_PANEL_CLIENT_ID", "1234567890123456789"),
            ("HELPLINE_PANEL_CLIENT_SECRET", "oauth2-client-secret"),
            ("HELPLINE_PANEL_SESSION_KEY", SESSION_KEY),
            ("HELPLINE_PANEL_ACCESS_CACHE_SECS", "30"),
            ("HELPLINE_PANEL_SESSION_HOURS", "24"),
            ("HELPLINE_INTERACTIONS_LISTEN", "0.0.0.0:8443"),
            ("HELPLINE_INTERACTIONS_PUBLIC_KEY", &"AB".repeat(32)),
        ])
        .unwrap();
        let settings = &loaded.settings;
        assert_eq!(settings.discord.token.as_ref().unwrap().expose(), TOKEN);
        assert_eq!(
            settings.discord.api_url.as_ref().unwrap().as_str(),
            "http://127.0.0.1:3000/api/v10"
        );
        assert_eq!(
            settings.discord.gateway_url.as_ref().unwrap().as_str(),
            "ws://127.0.0.1:3001"
        );
        assert_eq!(
            settings.store.sqlite_path,
            Path::new("/var/lib/helpline/db.sqlite3")
        );
        assert_eq!(settings.store.max_attachment_bytes, 42);
        assert_eq!(settings.store.max_ticket_attachment_bytes, 420);
        assert!(settings.store.keys().unwrap().seals());
        let store = &settings.store;
        assert_eq!(store.backend, StoreBackend::Scylla);
        assert_eq!(
            store.scylla_contact_points.0,
            ["scylla-0.scylla:9042", "10.0.0.7:19042", "[::1]:9042"]
        );
        assert_eq!(store.scylla_keyspace.as_str(), "helpline_prod");
        assert_eq!(store.scylla_local_datacenter.as_deref(), Some("eu-west"));
        assert_eq!(store.scylla_username.as_deref(), Some("helpline"));
        assert_eq!(
            store.scylla_password.as_ref().unwrap().expose(),
            "scylla-hunter2"
        );
        assert!(store.scylla_tls);
        assert_eq!(
            store.scylla_tls_ca_file.as_deref(),
            Some(Path::new("/etc/scylla/ca.pem"))
        );
        assert_eq!(
            store.scylla_replication.as_str(),
            "{'class': 'NetworkTopologyStrategy', 'eu-west': 3}"
        );
        assert_eq!(settings.log.filter.as_str(), "warn,helpline=debug");
        assert_eq!(
            settings.metrics.listen,
            Some("0.0.0.0:9100".parse().unwrap())
        );
        assert_eq!(settings.bot.shutdown_deadline_secs, 3);
        assert_eq!(settings.discord.shard_count, ShardCount(Some(16)));
        assert_eq!(settings.discord.shard_range, ShardRange(Some(8..=15)));
        assert_eq!(settings.discord.identify_interval_ms, 1000);
        assert_eq!(
            settings.cluster.redis_url.as_ref().unwrap().expose(),
            "redis://:hunter2@redis:6379/0"
        );
        assert_eq!(
            settings.cluster.process_name.as_deref(),
            Some("helpline-shards-2")
        );
        assert_eq!(settings.cluster.lease_ttl_ms, 9000);
        assert_eq!(settings.cluster.renew_interval_ms, 3000);
        assert_eq!(
            settings.discord.rest_proxy.as_ref().unwrap().as_str(),
            "http://proxy:8081"
        );
        assert_eq!(settings.proxy.listen, "0.0.0.0:8082".parse().unwrap());
        assert_eq!(
            settings.proxy.upstream_url.as_str(),
            "http://127.0.0.1:3000"
        );
        assert_eq!(settings.proxy.global_limit, 120);
        assert_eq!(settings.proxy.hold_deadline_ms, 4000);
        assert_eq!(settings.proxy.invalid_threshold, 4000);
        assert_eq!(settings.proxy.egress, "nat-a");
        let panel = &settings.panel;
        assert_eq!(panel.listen, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(
            panel.public_url.as_ref().unwrap().as_str(),
            "https://panel.example.com"
        );
        assert_eq!(panel.client_id, Some(ClientId(1_234_567_890_123_456_789)));
        assert_eq!(
            panel.client_secret.as_ref().unwrap().expose(),
            "oauth2-client-secret"
        );
        assert_eq!(panel.session_key().unwrap(), Some([b'B'; 32]));
        assert_eq!(panel.access_cache_secs, 30);
        assert_eq!(panel.session_hours, 24);
        assert_eq!(
            settings.interactions.listen,
            Some("0.0.0.0:8443".parse().unwrap())
        );
        assert_eq!(
            settings.interactions.public_key.as_deref(),
            Some("ab".repeat(32).as_str()),
            "kept lowercased"
        );
        // Every setting was given, so none is left at its default.
        assert!(
            loaded
                .sources
                .values()
                .all(|source| *source != Source::Default)
        );
    }

    #[test]
    fn every_table_key_is_read_from_the_file() {
        // A file setting every key in the table must parse, and each key must change the
        // settings away from the default; a struct field missing from the table, or a table
        // entry missing from the structs, fails one of the two.
        for variable in VARIABLES {
            assert_eq!(
                variable.key.matches('.').count(),
                1,
                "{} is section.name",
                variable.key
            );
            assert!(
                !variable.env.is_empty(),
                "{} has an environment variable",
                variable.key
            );
        }
        let text = "[discord]\ntoken = \"t\"\napi_url = \"https://example.com\"\n\
                    gateway_url = \"wss://example.com\"\nrest_proxy = \"http://p\"\n\
                    shard_count = 4\nshard_range = \"0-1\"\nidentify_interval_ms = 6000\n\
                    [store]\nbackend = \"scylla\"\nsqlite_path = \"x\"\nmax_attachment_bytes = 3\n\
                    max_ticket_attachment_bytes = 30\nencryption_keys = \"k\"\n\
                    scylla_contact_points = [\"a:1\", \"b:2\"]\nscylla_keyspace = \"k\"\n\
                    scylla_local_datacenter = \"dc\"\nscylla_username = \"u\"\n\
                    scylla_password = \"p\"\nscylla_tls = true\nscylla_tls_ca_file = \"ca\"\n\
                    scylla_replication = \"{'class': 'SimpleStrategy', 'replication_factor': 1}\"\n\
                    [log]\nfilter = \"warn\"\n[metrics]\nlisten = \"127.0.0.1:1\"\n\
                    [bot]\nshutdown_deadline_secs = 1\n\
                    [cluster]\nredis_url = \"redis://r:6379\"\nprocess_name = \"p\"\n\
                    lease_ttl_ms = 9\nrenew_interval_ms = 3\n\
                    [proxy]\nlisten = \"0.0.0.0:1\"\nupstream_url = \"http://u\"\n\
                    global_limit = 5\nhold_deadline_ms = 7\ninvalid_threshold = 9\n\
                    egress = \"e\"\n\
                    [panel]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"http://p:8080\"\n\
                    client_id = 7\nclient_secret = \"s\"\n\
                    session_key = \"QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI=\"\n\
                    access_cache_secs = 5\nsession_hours = 1\n\
                    [interactions]\nlisten = \"0.0.0.0:8443\"\n\
                    public_key = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n";
        let (_dir, path) = write_file(text);
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        let file_keys: Vec<_> = loaded
            .sources
            .iter()
            .filter(|(_, source)| **source == Source::File)
            .map(|(key, _)| *key)
            .collect();
        assert_eq!(file_keys.len(), VARIABLES.len(), "{file_keys:?}");
        let defaults = Settings::default();
        for variable in VARIABLES {
            assert_ne!(
                variable.value(&loaded.settings),
                variable.value(&defaults),
                "{} did not change",
                variable.key
            );
        }
    }

    /// The names serde lists after "expected" in an unknown-field error, which are every
    /// field of the struct at that place in the file.
    fn fields_expected_at(section: Option<&str>) -> Vec<String> {
        let text = match section {
            Some(section) => format!("[{section}]\nnot_a_field = 1\n"),
            None => "not_a_field = 1\n".to_owned(),
        };
        let error = toml::from_str::<Settings>(&text).unwrap_err();
        let (_, expected) = error.message().split_once("expected").unwrap();
        expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn table_lists_every_field_of_the_structs() {
        let mut from_structs = Vec::new();
        for section in fields_expected_at(None) {
            for field in fields_expected_at(Some(&section)) {
                from_structs.push(format!("{section}.{field}"));
            }
        }
        let mut from_table: Vec<_> = VARIABLES.iter().map(|v| v.key.to_owned()).collect();
        from_structs.sort();
        from_table.sort();
        assert_eq!(from_structs, from_table);
    }

    #[test]
    fn unknown_helpline_variables_are_reported() {
        let loaded = load_env(&[
            ("HELPLINE_STORE_SQLITE_PTH", "x"),
            ("HELPLINE_CONFIG", ""),
            ("HELPLINE_TEST_SCYLLA", "127.0.0.1"),
            ("PATH", "/bin"),
        ])
        .unwrap();
        assert_eq!(loaded.unknown_env, ["HELPLINE_STORE_SQLITE_PTH"]);
    }

    #[test]
    fn encryption_keys_are_checked_and_never_echoed() {
        let good = format!("7:{}QUE=", "QUFB".repeat(10));
        assert!(parse_keys(&good).unwrap().seals());
        for (bad, why) in [
            (
                "7:QUFBQUFB",
                "key 1 of store.encryption_keys: a key is 32 bytes",
            ),
            (
                "QUFBQUFB",
                "key 1 of store.encryption_keys: a key is written id:base64",
            ),
        ] {
            let error = parse_keys(bad).unwrap_err();
            assert!(error.starts_with(why), "{error}");
            assert!(!error.contains("QUFB"), "the key is not echoed: {error}");
        }
        let twice = format!("{good},{good}");
        assert!(parse_keys(&twice).unwrap_err().contains("given twice"));
        let mut settings = Settings::default();
        assert!(
            settings.store.keys().is_ok_and(|keys| !keys.seals()),
            "none by default"
        );
        settings.store.encryption_keys = Some(Secret::try_from(good.clone()).unwrap());
        assert!(!format!("{settings:?}").contains(&good));
    }

    #[test]
    fn set_flag_errors_name_the_flag_and_never_echo_secrets() {
        let set = |key: &str, value: &str| {
            let error = load(None, env(&[]), &[(key.to_owned(), value.to_owned())]).unwrap_err();
            format!("{error:#}")
        };
        let message = set("store.max_attachment_bytes", "lots");
        assert!(
            message.starts_with("invalid --set store.max_attachment_bytes: "),
            "{message}"
        );

        let message = set("store.sqlite_pth", TOKEN);
        assert!(
            message.starts_with("--set store.sqlite_pth: unknown setting"),
            "{message}"
        );
        assert!(!message.contains(TOKEN), "{message}");

        let message = set("discord.token", TOKEN);
        assert!(message.contains("is a secret"), "{message}");
        assert!(
            message.contains("HELPLINE_DISCORD_TOKEN or DISCORD_TOKEN"),
            "{message}"
        );
        assert!(!message.contains(TOKEN), "{message}");
    }

    #[test]
    fn set_flag_with_empty_value_unsets_an_optional_setting() {
        let loaded = load(
            None,
            env(&[("HELPLINE_METRICS_LISTEN", "127.0.0.1:9100")]),
            &[("metrics.listen".to_owned(), String::new())],
        )
        .unwrap();
        assert_eq!(loaded.settings.metrics.listen, None);
    }

    #[test]
    fn token_never_appears_in_debug_of_the_settings() {
        let (_dir, path) = write_file(&format!("[discord]\ntoken = \"{TOKEN}\"\n"));
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        assert_eq!(
            loaded.settings.discord.token.as_ref().unwrap().expose(),
            TOKEN
        );
        for rendered in [format!("{:?}", loaded.settings), format!("{loaded:#?}")] {
            assert!(!rendered.contains(TOKEN), "{rendered}");
            assert!(!rendered.contains("very-secret"), "{rendered}");
            assert!(rendered.contains("[redacted]"), "{rendered}");
        }
    }

    #[test]
    fn empty_token_in_file_is_an_error_that_names_the_key() {
        let (_dir, path) = write_file("[discord]\ntoken = \"\"\n");
        let message = format!("{:#}", load(Some(&path), env(&[]), &[]).unwrap_err());
        assert!(
            message.contains("helpline.toml:2:9 (key `discord.token`)"),
            "{message}"
        );
        assert!(message.contains("must not be empty"), "{message}");
    }

    #[test]
    fn scylla_settings_are_checked_with_messages_that_say_what_is_expected() {
        let error =
            |name: &str, value: &str| format!("{:#}", load_env(&[(name, value)]).unwrap_err());
        for (value, message) in [
            (
                "scylla",
                "expected host:port such as 10.0.0.1:9042, scylla-client.scylla:9042 or \
                 [::1]:9042, got `scylla`",
            ),
            (
                "a:9042,,b:9042",
                "expected host:port such as 10.0.0.1:9042, scylla-client.scylla:9042 or \
                 [::1]:9042, got ``",
            ),
            (
                "::1:9042",
                "expected host:port such as 10.0.0.1:9042, scylla-client.scylla:9042 or \
                 [::1]:9042, got `::1:9042`",
            ),
            (
                "scylla db:9042",
                "expected host:port such as 10.0.0.1:9042, scylla-client.scylla:9042 or \
                 [::1]:9042, got `scylla db:9042`",
            ),
            (
                "scylla:0",
                "the port of `scylla:0` must be a number from 1 to 65535",
            ),
            (
                "scylla:cql",
                "the port of `scylla:cql` must be a number from 1 to 65535",
            ),
            (
                " , ",
                "expected one or more host:port, comma-separated, such as \
                 10.0.0.1:9042,10.0.0.2:9042",
            ),
        ] {
            assert_eq!(
                error("HELPLINE_STORE_SCYLLA_CONTACT_POINTS", value),
                format!(
                    "invalid environment variable HELPLINE_STORE_SCYLLA_CONTACT_POINTS \
                     (setting `store.scylla_contact_points`): {message}"
                )
            );
        }
        for keyspace in ["1helpline", "help-line", "_helpline", &"k".repeat(49)] {
            assert_eq!(
                error("HELPLINE_STORE_SCYLLA_KEYSPACE", keyspace),
                format!(
                    "invalid environment variable HELPLINE_STORE_SCYLLA_KEYSPACE \
                     (setting `store.scylla_keyspace`): expected a keyspace name of letters, \
                     digits and underscores, starting with a letter, at most 48 characters, \
                     got `{keyspace}`"
                )
            );
        }
        let longest = "k".repeat(48);
        let loaded = load_env(&[("HELPLINE_STORE_SCYLLA_KEYSPACE", &longest)]).unwrap();
        assert_eq!(loaded.settings.store.scylla_keyspace.as_str(), longest);
        assert_eq!(
            error("HELPLINE_STORE_SCYLLA_TLS", "yes"),
            "invalid environment variable HELPLINE_STORE_SCYLLA_TLS (setting \
             `store.scylla_tls`): expected true or false, got `yes`"
        );
        for replication in [
            "3",
            "{'replication_factor': 3}",
            "{'class': 'SimpleStrategy', 'replication_factor': 1}; DROP KEYSPACE system",
        ] {
            assert_eq!(
                error("HELPLINE_STORE_SCYLLA_REPLICATION", replication),
                format!(
                    "invalid environment variable HELPLINE_STORE_SCYLLA_REPLICATION (setting \
                     `store.scylla_replication`): expected a CQL replication map such as \
                     {{'class': 'NetworkTopologyStrategy', 'replication_factor': 3}}, \
                     got `{replication}`"
                )
            );
        }

        // The file is checked the same way, and names the key.
        let (_dir, path) = write_file("[store]\nscylla_contact_points = [\"a:1\", \"b\"]\n");
        let message = format!("{:#}", load(Some(&path), env(&[]), &[]).unwrap_err());
        assert!(
            message.contains("(key `store.scylla_contact_points`): expected host:port"),
            "{message}"
        );
        let (_dir, path) = write_file("[store]\nscylla_keyspace = \"my-keyspace\"\n");
        let message = format!("{:#}", load(Some(&path), env(&[]), &[]).unwrap_err());
        assert!(
            message.contains("(key `store.scylla_keyspace`): expected a keyspace name"),
            "{message}"
        );
        let (_dir, path) = write_file("[store]\nscylla_contact_points = \"a:1, b:2\"\n");
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        assert_eq!(
            loaded.settings.store.scylla_contact_points.0,
            ["a:1", "b:2"]
        );
    }

    #[test]
    fn scylla_config_carries_every_setting_and_refuses_half_given_pairs() {
        let loaded = load_env(&[
            ("HELPLINE_STORE_SCYLLA_CONTACT_POINTS", "a:1,b:2"),
            ("HELPLINE_STORE_SCYLLA_KEYSPACE", "tickets"),
            ("HELPLINE_STORE_SCYLLA_LOCAL_DATACENTER", "dc1"),
            ("HELPLINE_STORE_SCYLLA_USERNAME", "helpline"),
            ("HELPLINE_STORE_SCYLLA_PASSWORD", "hunter2"),
            ("HELPLINE_STORE_SCYLLA_TLS", "true"),
            ("HELPLINE_STORE_SCYLLA_TLS_CA_FILE", "/ca.pem"),
            (
                "HELPLINE_STORE_SCYLLA_REPLICATION",
                "{'class': 'SimpleStrategy', 'replication_factor': 1}",
            ),
        ])
        .unwrap();
        let config = loaded.settings.store.scylla_config().unwrap();
        assert_eq!(config.contact_points, ["a:1", "b:2"]);
        assert_eq!(config.keyspace, "tickets");
        assert_eq!(config.local_datacenter.as_deref(), Some("dc1"));
        assert_eq!(config.username.as_deref(), Some("helpline"));
        assert_eq!(config.password.as_deref(), Some("hunter2"));
        assert!(config.tls);
        assert_eq!(config.tls_ca_file.as_deref(), Some(Path::new("/ca.pem")));
        assert_eq!(
            config.replication,
            "{'class': 'SimpleStrategy', 'replication_factor': 1}"
        );
        assert_eq!(
            loaded.settings.store.scylla_place(),
            "keyspace tickets at a:1, b:2"
        );

        let defaults = Settings::default().store.scylla_config().unwrap();
        assert_eq!(defaults.contact_points, ["127.0.0.1:9042"]);
        assert_eq!(defaults.keyspace, "helpline");
        assert_eq!(
            (defaults.username, defaults.password, defaults.tls),
            (None, None, false)
        );

        let problem = |pairs: &[(&str, &str)]| {
            load_env(pairs)
                .unwrap()
                .settings
                .store
                .scylla_config()
                .unwrap_err()
        };
        assert_eq!(
            problem(&[("HELPLINE_STORE_SCYLLA_USERNAME", "helpline")]),
            "store.scylla_username is set but store.scylla_password is not: give both (the \
             password through HELPLINE_STORE_SCYLLA_PASSWORD) or neither"
        );
        let message = problem(&[("HELPLINE_STORE_SCYLLA_PASSWORD", "hunter2")]);
        assert_eq!(
            message,
            "store.scylla_password is set but store.scylla_username is not: give both or neither"
        );
        assert_eq!(
            problem(&[("HELPLINE_STORE_SCYLLA_TLS_CA_FILE", "/ca.pem")]),
            "store.scylla_tls_ca_file is set but store.scylla_tls is false: set \
             store.scylla_tls = true to connect with TLS, or unset the CA file"
        );
    }

    #[test]
    fn the_scylla_password_is_a_secret_never_shown() {
        const PASSWORD: &str = "scylla-very-secret-password";
        let (_dir, path) = write_file(&format!("[store]\nscylla_password = \"{PASSWORD}\"\n"));
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        assert_eq!(
            loaded
                .settings
                .store
                .scylla_password
                .as_ref()
                .unwrap()
                .expose(),
            PASSWORD
        );
        let rendered = format!("{loaded:#?}");
        assert!(!rendered.contains(PASSWORD), "{rendered}");
        let variable = VARIABLES
            .iter()
            .find(|variable| variable.key == "store.scylla_password")
            .unwrap();
        assert!(variable.secret);
        assert_eq!(variable.value(&loaded.settings), Some(string("[redacted]")));
        let error = load(
            None,
            env(&[]),
            &[("store.scylla_password".to_owned(), PASSWORD.to_owned())],
        )
        .unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("is a secret"), "{message}");
        assert!(
            message.contains("HELPLINE_STORE_SCYLLA_PASSWORD"),
            "{message}"
        );
        assert!(!message.contains(PASSWORD), "{message}");
    }

    #[test]
    fn panel_settings_default_and_are_checked_with_messages_that_never_echo_secrets() {
        let panel = load_env(&[]).unwrap().settings.panel;
        assert_eq!(panel.listen, "0.0.0.0:8080".parse().unwrap());
        assert_eq!(
            (panel.public_url, panel.client_id, panel.client_secret),
            (None, None, None)
        );
        assert_eq!(panel.session_key, None);
        assert_eq!((panel.access_cache_secs, panel.session_hours), (60, 12));

        let error =
            |name: &str, value: &str| format!("{:#}", load_env(&[(name, value)]).unwrap_err());
        for url in [
            "panel.example.com",
            "https://panel.example.com/panel",
            "https://panel.example.com?x=1",
            "https://user@panel.example.com",
            "ftp://panel.example.com",
            "https://",
        ] {
            assert_eq!(
                error("HELPLINE_PANEL_PUBLIC_URL", url),
                format!(
                    "invalid environment variable HELPLINE_PANEL_PUBLIC_URL (setting \
                     `panel.public_url`): expected the address users reach the panel at, an \
                     http(s) URL without a path such as https://panel.example.com, got `{url}`"
                )
            );
        }
        for url in ["http://127.0.0.1:8080", "https://panel.example.com/"] {
            let loaded = load_env(&[("HELPLINE_PANEL_PUBLIC_URL", url)]).unwrap();
            assert_eq!(
                loaded.settings.panel.public_url.unwrap().as_str(),
                url.trim_end_matches('/')
            );
        }
        for id in ["0", "-1", "app", "99999999999999999999"] {
            assert_eq!(
                error("HELPLINE_PANEL_CLIENT_ID", id),
                format!(
                    "invalid environment variable HELPLINE_PANEL_CLIENT_ID (setting \
                     `panel.client_id`): expected the application's id, a number such as \
                     1234567890123456789 (the developer portal's Application ID), got `{id}`"
                )
            );
        }
        // Short, long and not base64 at all: the message says which, never the key.
        for (key, why) in [
            ("QUFBQUFBQUFBQUFB", "decodes to 12 bytes"),
            (
                "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
                "decodes to 35 bytes",
            ),
            ("not a key at all!", "is not base64"),
        ] {
            let message = error("HELPLINE_PANEL_SESSION_KEY", key);
            assert_eq!(
                message,
                format!(
                    "invalid environment variable HELPLINE_PANEL_SESSION_KEY (setting \
                     `panel.session_key`): expected the base64 of 32 random bytes, such as \
                     `head -c32 /dev/urandom | base64` prints; the value given {why}"
                )
            );
            assert!(!message.contains(key));
        }
        assert_eq!(
            error("HELPLINE_PANEL_ACCESS_CACHE_SECS", "0"),
            "invalid environment variable HELPLINE_PANEL_ACCESS_CACHE_SECS (setting \
             `panel.access_cache_secs`): expected a whole number of seconds above 0 such as 60, \
             got `0`"
        );
        assert_eq!(
            error("HELPLINE_PANEL_SESSION_HOURS", "9000"),
            "invalid environment variable HELPLINE_PANEL_SESSION_HOURS (setting \
             `panel.session_hours`): expected a whole number of hours from 1 to 8784 such as \
             12, got `9000`"
        );

        // The file: the key (with its final newline) and the id as a string, as the chart
        // writes them; a bad key is named, never shown.
        let (_dir, path) = write_file(&format!(
            "[panel]\nclient_id = \"1234567890123456789\"\nsession_key = \"{SESSION_KEY}\\n\"\n"
        ));
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        assert_eq!(
            loaded.settings.panel.client_id,
            Some(ClientId(1_234_567_890_123_456_789))
        );
        assert_eq!(
            loaded.settings.panel.session_key().unwrap(),
            Some([b'B'; 32])
        );
        let rendered = format!("{loaded:#?}");
        assert!(!rendered.contains(SESSION_KEY), "{rendered}");
        let (_dir, path) = write_file("[panel]\nsession_key = \"c2hvcnQ=\"\n");
        let loaded = load(Some(&path), env(&[]), &[]).unwrap();
        let message = loaded.settings.panel.check().unwrap_err();
        assert_eq!(
            message,
            "panel.session_key: expected the base64 of 32 random bytes, such as `head -c32 \
             /dev/urandom | base64` prints; the value given decodes to 5 bytes"
        );

        // Both secrets are refused on the command line and shown redacted.
        for key in ["panel.client_secret", "panel.session_key"] {
            let variable = VARIABLES.iter().find(|v| v.key == key).unwrap();
            assert!(variable.secret, "{key}");
            let message = format!(
                "{:#}",
                load(None, env(&[]), &[(key.to_owned(), SESSION_KEY.to_owned())]).unwrap_err()
            );
            assert!(message.contains("is a secret"), "{message}");
            assert!(!message.contains(SESSION_KEY), "{message}");
        }
    }

    #[test]
    fn help_listing_names_every_key_and_variable_with_defaults() {
        let listing = help_listing();
        for variable in VARIABLES {
            assert!(listing.contains(variable.key), "{}", variable.key);
            for name in variable.env {
                assert!(listing.contains(name), "{name}");
            }
        }
        assert!(listing.contains("default: helpline.sqlite3"));
        assert!(listing.contains("default: 10485760"));
        assert!(listing.contains("default: info"));
        assert!(listing.contains("default: 127.0.0.1:9042"));
        assert!(
            listing
                .contains("default: {'class': 'NetworkTopologyStrategy', 'replication_factor': 3}")
        );
        assert!(listing.contains(CONFIG_FILE_ENV));
    }
}
