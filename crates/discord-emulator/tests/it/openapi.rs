//! A small validator of JSON values against Discord's published OpenAPI description
//! (`discord-api-spec/openapi.json` next to the repository), for the wire tests.
//!
//! It walks `$ref`, `oneOf`/`anyOf` (one matching branch is enough: Discord's branches
//! overlap), `allOf`, `type` (arrays of types and `nullable`), `required`, `properties`,
//! `additionalProperties`, `items`, `enum`/`const`, integer bounds, string lengths and the
//! snowflake format. Keys the spec does not know are errors unless the schema allows
//! them: the emulator must not invent keys. Where Discord's practice is stricter than the
//! spec, [`Spec::strict`] adds the rule, with the reason.

use std::{collections::BTreeMap, path::PathBuf, sync::OnceLock};

use serde_json::Value;

/// Discord's OpenAPI description, loaded once.
pub(crate) fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/discord-api-spec/openapi.json");
        let path = std::env::var_os("DISCORD_API_SPEC").map_or(path, PathBuf::from);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!(
                "Discord's OpenAPI spec is needed at {} ({error}); clone \
                 https://github.com/discord/discord-api-spec next to the repository or set \
                 DISCORD_API_SPEC",
                path.display()
            )
        });
        Spec {
            root: serde_json::from_str(&text).expect("the spec is JSON"),
        }
    })
}

#[derive(Debug)]
pub(crate) struct Spec {
    root: Value,
}

/// Keys Discord sends that the spec does not list, per schema: allowed, not required.
const UNLISTED: &[(&str, &[&str])] = &[
    // GUILD_CREATE's extra keys (the spec describes only the REST guild).
    (
        "GuildResponse",
        &[
            "joined_at",
            "large",
            "member_count",
            "members",
            "channels",
            "threads",
            "voice_states",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
            "unavailable",
            "embedded_activities",
            "hub_type",
            "inventory_settings",
            "latest_onboarding_question_id",
            "lazy",
            "application_command_counts",
            "version",
        ],
    ),
    // Messages in gateway events carry the guild and the author's member.
    ("MessageResponse", &["guild_id", "member", "channel_type"]),
    ("BasicMessageResponse", &["guild_id", "member"]),
];

impl Spec {
    fn resolve<'a>(&'a self, reference: &str) -> &'a Value {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("only local references: {reference}"));
        self.root
            .pointer(pointer)
            .unwrap_or_else(|| panic!("unknown reference {reference}"))
    }

    /// A component schema by name.
    pub(crate) fn schema(&self, name: &str) -> Value {
        serde_json::json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// The response schema of `method path` for `status`, or an error when the spec has no
    /// such route or status. `path` is the emulator's route (parameter names may differ).
    pub(crate) fn response(&self, method: &str, path: &str, status: u16) -> Result<Value, String> {
        let operation = self.operation(method, path)?;
        let responses = &operation["responses"];
        let class = format!("{}XX", status / 100);
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get(&class))
            .ok_or_else(|| format!("{method} {path}: the spec has no {status} answer"))?;
        let response = match response.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(reference),
            None => response,
        };
        Ok(response
            .pointer("/content/application~1json/schema")
            .cloned()
            .unwrap_or(Value::Null))
    }

    fn operation(&self, method: &str, path: &str) -> Result<&Value, String> {
        let paths = self.root["paths"].as_object().expect("paths");
        let wanted: Vec<&str> = path.trim_matches('/').split('/').collect();
        let matches = |pattern: &str| {
            let segments: Vec<&str> = pattern.trim_matches('/').split('/').collect();
            segments.len() == wanted.len()
                && segments.iter().zip(&wanted).all(|(spec, ours)| {
                    spec == ours || (spec.starts_with('{') && ours.starts_with('{'))
                })
        };
        // Literal segments (`@original`, `@me`) win over parameters.
        let pattern = paths
            .keys()
            .find(|pattern| pattern.as_str() == path)
            .or_else(|| paths.keys().find(|pattern| matches(pattern)))
            .ok_or_else(|| format!("the spec has no route {path}"))?;
        paths[pattern]
            .get(method.to_lowercase())
            .ok_or_else(|| format!("the spec has no {method} {pattern}"))
    }

    /// The errors of `value` against `schema`, each with its JSON path.
    pub(crate) fn validate(&self, schema: &Value, value: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.walk(schema, value, "$", None, true, &mut errors);
        errors
    }

    /// Every property name of an object schema, through `$ref` and `allOf`; `None` when it
    /// allows any key.
    fn property_names(&self, schema: &Value, names: &mut Vec<String>) -> bool {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            return self.property_names(self.resolve(reference), names);
        }
        if schema.get("additionalProperties").is_some() {
            return false;
        }
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            names.extend(properties.keys().cloned());
        }
        schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_none_or(|branches| {
                branches
                    .iter()
                    .all(|branch| self.property_names(branch, names))
            })
    }

    #[allow(clippy::too_many_lines)]
    fn walk(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        name: Option<&str>,
        unknown_keys: bool,
        errors: &mut Vec<String>,
    ) {
        let Some(schema) = schema.as_object() else {
            return;
        };
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let target = reference.rsplit('/').next();
            return self.walk(
                self.resolve(reference),
                value,
                at,
                target,
                unknown_keys,
                errors,
            );
        }
        let all_of = schema.get("allOf").and_then(Value::as_array);
        if let Some(branches) = all_of {
            for branch in branches {
                self.walk(branch, value, at, name, false, errors);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = schema.get(key).and_then(Value::as_array) {
                let mut best: Option<Vec<String>> = None;
                for branch in branches {
                    let mut branch_errors = Vec::new();
                    self.walk(branch, value, at, name, unknown_keys, &mut branch_errors);
                    if branch_errors.is_empty() {
                        best = None;
                        break;
                    }
                    if best
                        .as_ref()
                        .is_none_or(|best| branch_errors.len() < best.len())
                    {
                        best = Some(branch_errors);
                    }
                }
                if let Some(best) = best {
                    errors.push(format!("{at}: matches no branch of {key}; closest:"));
                    errors.extend(best.into_iter().map(|error| format!("  {error}")));
                }
            }
        }
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        if let Some(types) = schema.get("type") {
            let types: Vec<&str> = match types {
                Value::String(one) => vec![one.as_str()],
                Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            let fits = |kind: &str| match kind {
                "null" => value.is_null(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                _ => true,
            };
            if !(types.iter().any(|kind| fits(kind)) || (nullable && value.is_null())) {
                errors.push(format!("{at}: {value} is not of type {types:?}"));
                return;
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(value)
        {
            errors.push(format!("{at}: {value} is not one of {allowed:?}"));
        }
        if let Some(constant) = schema.get("const")
            && constant != value
        {
            errors.push(format!("{at}: {value} is not {constant}"));
        }
        match value {
            Value::String(text) => {
                let snowflake = text == "0"
                    || (!text.is_empty()
                        && !text.starts_with('0')
                        && text.bytes().all(|byte| byte.is_ascii_digit()));
                if schema.get("format").and_then(Value::as_str) == Some("snowflake") && !snowflake {
                    errors.push(format!("{at}: {text:?} is not a snowflake"));
                }
                let length = text.chars().count() as u64;
                if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
                    && length > max
                {
                    errors.push(format!("{at}: longer than {max}"));
                }
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                    && length < min
                {
                    errors.push(format!("{at}: shorter than {min}"));
                }
            }
            Value::Number(number) => {
                if let (Some(min), Some(number)) = (
                    schema.get("minimum").and_then(Value::as_f64),
                    number.as_f64(),
                ) && number < min
                {
                    errors.push(format!("{at}: {number} < {min}"));
                }
                if let (Some(max), Some(number)) = (
                    schema.get("maximum").and_then(Value::as_f64),
                    number.as_f64(),
                ) && number > max
                {
                    errors.push(format!("{at}: {number} > {max}"));
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        self.walk(
                            item_schema,
                            item,
                            &format!("{at}[{index}]"),
                            None,
                            true,
                            errors,
                        );
                    }
                }
            }
            Value::Object(object) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                if let Some(required) = schema.get("required").and_then(Value::as_array) {
                    for key in required.iter().filter_map(Value::as_str) {
                        if !object.contains_key(key) {
                            errors.push(format!("{at}: missing required key {key:?}"));
                        }
                    }
                }
                let mut known = Vec::new();
                let open = !self.property_names(&Value::Object(schema.clone()), &mut known);
                let unlisted = UNLISTED
                    .iter()
                    .find(|(schema, _)| Some(*schema) == name)
                    .map_or(&[][..], |(_, keys)| keys);
                for (key, item) in object {
                    let at = format!("{at}.{key}");
                    // The spec gives a field error's `code` the integer type of an API error;
                    // Discord sends field errors' codes as strings (`BASE_TYPE_REQUIRED`).
                    if name == Some("Error") && key == "code" && at.contains("._errors[") {
                        if !item.is_string() {
                            errors.push(format!("{at}: a field error's code is a string"));
                        }
                        continue;
                    }
                    if let Some(property) = properties.and_then(|properties| properties.get(key)) {
                        self.walk(property, item, &at, None, true, errors);
                    } else if let Some(extra) = schema.get("additionalProperties") {
                        if extra == &Value::Bool(false) {
                            errors.push(format!("{at}: not allowed"));
                        } else {
                            self.walk(extra, item, &at, None, true, errors);
                        }
                    } else if unknown_keys
                        && !open
                        && (properties.is_some() || all_of.is_some())
                        && !known.contains(key)
                        && !unlisted.contains(&key.as_str())
                    {
                        errors.push(format!("{at}: a key the spec does not know"));
                    }
                }
                if let Some(name) = name {
                    strict(name, object, at, errors);
                }
            }
            _ => {}
        }
    }
}

/// Rules stricter than the spec: keys it marks optional that Discord always sends (or never
/// sends), as seen from Discord and from client libraries that rely on them.
fn strict(name: &str, object: &serde_json::Map<String, Value>, at: &str, errors: &mut Vec<String>) {
    let kind = object.get("type").and_then(Value::as_u64);
    let mut require = |keys: &[&str], why: &str| {
        for key in keys {
            if !object.contains_key(*key) {
                errors.push(format!("{at}: missing {key:?} ({why})"));
            }
        }
    };
    match name {
        // Text and announcement channels: Discord sends these as `null` when unset.
        "GuildChannelResponse" if matches!(kind, Some(0 | 5)) => require(
            &[
                "topic",
                "last_message_id",
                "parent_id",
                "rate_limit_per_user",
                "nsfw",
                "permission_overwrites",
            ],
            "Discord sends them for text channels, `null` when unset",
        ),
        "GuildChannelResponse" => require(
            &["parent_id", "permission_overwrites"],
            "Discord sends them for every guild channel",
        ),
        "ThreadResponse" => require(
            &["last_message_id", "parent_id", "rate_limit_per_user"],
            "Discord sends them for every thread",
        ),
        "PrivateChannelResponse" => require(
            &["last_message_id", "recipients"],
            "Discord sends them for DMs",
        ),
        "UserResponse" => require(
            &[
                "banner",
                "accent_color",
                "avatar_decoration_data",
                "collectibles",
            ],
            "Discord sends them for every user, `null` when unset",
        ),
        "GuildMemberResponse" if object.contains_key("user") => {}
        "GuildResponse" if object.contains_key("channels") => require(
            &[
                "stickers",
                "stage_instances",
                "guild_scheduled_events",
                "soundboard_sounds",
                "threads",
                "members",
                "voice_states",
                "presences",
                "joined_at",
                "member_count",
                "large",
            ],
            "GUILD_CREATE always carries them, empty or not",
        ),
        _ => {}
    }
}

/// Errors collected over many values, reported together.
#[derive(Debug, Default)]
pub(crate) struct Report {
    errors: BTreeMap<String, Vec<String>>,
    checked: usize,
}

impl Report {
    pub(crate) fn check(&mut self, what: &str, schema: &Value, value: &Value) {
        self.checked += 1;
        let errors = spec().validate(schema, value);
        if !errors.is_empty() {
            self.errors
                .entry(what.to_owned())
                .or_default()
                .extend(errors);
        }
    }

    pub(crate) fn check_named(&mut self, what: &str, schema: &str, value: &Value) {
        let schema = spec().schema(schema);
        self.check(what, &schema, value);
    }

    pub(crate) fn fail(&mut self, what: &str, error: String) {
        self.errors.entry(what.to_owned()).or_default().push(error);
    }

    pub(crate) fn checked(&self) -> usize {
        self.checked
    }

    #[track_caller]
    pub(crate) fn assert_clean(&self) {
        if self.errors.is_empty() {
            return;
        }
        let mut text = String::new();
        for (what, errors) in &self.errors {
            text.push_str(&format!("{what}:\n"));
            for error in errors {
                text.push_str(&format!("  {error}\n"));
            }
        }
        panic!(
            "{} of {} values do not match the spec:\n{text}",
            self.errors.len(),
            self.checked
        );
    }
}
