//! The `HelplineCluster` custom resource: what an operator of the bot asks for (spec) and what
//! the controller found and did (status). The CRD is generated from these types
//! ([`crd_yaml`]) and committed as `helm/helpline/crds/helplinecluster.yaml`.

use std::borrow::Cow;

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Helpline shard group, sized by the operator.
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "helpline.dev",
    version = "v1alpha1",
    kind = "HelplineCluster",
    namespaced,
    status = "HelplineClusterStatus",
    shortname = "hlc",
    doc = "A Helpline shard group: the operator sizes its StatefulSet from Discord's shard recommendation and rolls it one process at a time when the shard count changes.",
    // Raw JSON: the attribute form repeats `type_`, which clippy reads as duplicated.
    printcolumn = r#"{"name":"Shards","type":"integer","jsonPath":".status.shards"}"#,
    printcolumn = r#"{"name":"Recommended","type":"integer","jsonPath":".status.recommendation.shards"}"#,
    printcolumn = r#"{"name":"Processes","type":"integer","jsonPath":".spec.processes"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct HelplineClusterSpec {
    /// The shard group's StatefulSet (`helpline run` pods), in this resource's namespace.
    pub stateful_set: String,
    /// The StatefulSet's container that runs `helpline run`.
    #[serde(default = "default_container")]
    pub container: String,
    /// The shard count: `auto` follows Discord's recommendation (never lowering the count on its
    /// own), a number fixes it.
    #[serde(default)]
    pub shards: ShardCount,
    /// With `shards: auto`, at most this many guilds per shard (Discord's approximate guild
    /// count of the application): more shards than Discord recommends when it is exceeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 2500))]
    pub guilds_per_shard: Option<u32>,
    /// How many `helpline run` processes (the StatefulSet's replicas) share the shards.
    #[serde(default = "default_processes")]
    #[schemars(range(min = 1, max = 1000))]
    pub processes: u32,
    /// How often Discord's recommendation is read again, in seconds.
    #[serde(default = "default_interval")]
    #[schemars(range(min = 10))]
    pub recommendation_interval_seconds: u32,
}

fn default_container() -> String {
    "helpline".to_owned()
}

fn default_processes() -> u32 {
    1
}

fn default_interval() -> u32 {
    900
}

/// `auto`, or a fixed number of shards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShardCount {
    #[default]
    Auto,
    Fixed(u32),
}

impl Serialize for ShardCount {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Auto => serializer.serialize_str("auto"),
            Self::Fixed(count) => serializer.serialize_u32(*count),
        }
    }
}

impl<'de> Deserialize<'de> for ShardCount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u32),
            Text(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Number(0) => Err(serde::de::Error::custom("shards: at least 1")),
            Raw::Number(count) => Ok(Self::Fixed(count)),
            Raw::Text(text) if text == "auto" => Ok(Self::Auto),
            Raw::Text(text) => match text.parse::<u32>() {
                Ok(count) if count > 0 => Ok(Self::Fixed(count)),
                _ => Err(serde::de::Error::custom(format!(
                    "shards: `auto` or a number of shards, not `{text}`"
                ))),
            },
        }
    }
}

impl JsonSchema for ShardCount {
    fn schema_name() -> Cow<'static, str> {
        "ShardCount".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // A structural schema may not say "integer or string" with `type`: Kubernetes' own
        // int-or-string marker, narrowed by the two shapes accepted.
        schemars::json_schema!({
            "description": "`auto` or a number of shards (at least 1).",
            "x-kubernetes-int-or-string": true,
            "anyOf": [
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": "^(auto|[1-9][0-9]*)$"}
            ]
        })
    }
}

/// What the controller found and did.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelplineClusterStatus {
    /// The spec generation this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The shard count published to the processes (their `HELPLINE_DISCORD_SHARD_COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shards: Option<u32>,
    /// Discord's recommendation as last read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<Recommendation>,
    /// The StatefulSet's replicas, and how many run the published shard count and are ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_processes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready_processes: Option<u32>,
    /// `Ready`, `Progressing` and `Degraded`.
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// What Discord recommended, and when it was asked.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    /// `GET /gateway/bot`'s `shards`.
    pub shards: u32,
    /// `GET /gateway/bot`'s `session_start_limit.max_concurrency`.
    pub max_concurrency: u32,
    /// The application's approximate guild count, when Discord gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approximate_guilds: Option<u64>,
    /// When it was read (RFC 3339).
    pub checked_at: String,
}

/// A condition, as Kubernetes' own resources report them.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// `Ready`, `Progressing` or `Degraded`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// One word, in PascalCase.
    pub reason: String,
    pub message: String,
    /// When `status` last changed (RFC 3339).
    pub last_transition_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// The CRD as YAML, as committed under `helm/helpline/crds/` (`helpline operator --print-crd`).
pub fn crd_yaml() -> String {
    use kube::CustomResourceExt as _;
    let crd = HelplineCluster::crd();
    let yaml = serde_saphyr::to_string(&crd).expect("a CRD serializes");
    format!(
        "# Generated from the HelplineCluster type of crates/helpline-operator by `cargo xtask crd`\n\
         # (`helpline operator --print-crd`): do not edit.\n{yaml}"
    )
}
