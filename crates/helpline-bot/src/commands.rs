//! The command registry: every slash command Helpline registers, declared once. A command's
//! identity — the name Discord dispatches by, and its options' names — is a constant here;
//! names and descriptions shown to people come from i18n as localizations only, so a
//! translator editing a French name can never break dispatch. Registered at start with one
//! bulk overwrite.

use helpline_domain::Language;
use helpline_i18n::Translator;
use serde_json::{Map, Value, json};
use twilight_model::application::command::Command;

/// Command names, as Discord dispatches them.
pub(crate) mod name {
    pub(crate) const SETUP: &str = "setup";
    pub(crate) const STAFF: &str = "staff";
    pub(crate) const SETTINGS: &str = "settings";
    pub(crate) const TICKET: &str = "ticket";
    pub(crate) const TICKETS: &str = "tickets";
    pub(crate) const HELPLINE: &str = "helpline";
    pub(crate) const TOPIC: &str = "topic";
    pub(crate) const PANEL: &str = "panel";
    pub(crate) const CLOSE: &str = "close";
    pub(crate) const CLOSE_REQUEST: &str = "close-request";
    pub(crate) const CLAIM: &str = "claim";
    pub(crate) const UNCLAIM: &str = "unclaim";
    pub(crate) const TRANSFER: &str = "transfer";
    pub(crate) const ADD: &str = "add";
    pub(crate) const REMOVE: &str = "remove";
    pub(crate) const RENAME: &str = "rename";
    pub(crate) const REOPEN: &str = "reopen";
    pub(crate) const OPEN_FOR: &str = "open-for";
    pub(crate) const MOVE: &str = "move";
    pub(crate) const TAG: &str = "tag";
    pub(crate) const STATS: &str = "stats";
    pub(crate) const NOTE: &str = "note";
    pub(crate) const BLACKLIST: &str = "blacklist";
    pub(crate) const ACCESS: &str = "access";
    /// The message context-menu command (its name is what Discord shows, in English).
    pub(crate) const USE_PANEL: &str = "Use as ticket panel";
}

/// Discord's option types.
const SUB_COMMAND: u8 = 1;
const BOOLEAN: u8 = 5;
const USER: u8 = 6;
const CHANNEL: u8 = 7;
const ROLE: u8 = 8;
const STRING: u8 = 3;
const INTEGER: u8 = 4;
/// Discord's channel types.
const GUILD_TEXT: u8 = 0;
const GUILD_CATEGORY: u8 = 4;
/// MANAGE_GUILD, as Discord's decimal string: only admins see admin commands by default.
const MANAGE_GUILD: &str = "32";

/// An option (or a subcommand, with options of its own).
#[derive(Debug)]
struct OptionSpec {
    kind: u8,
    /// The identity, and the English name.
    name: &'static str,
    /// `cmd-<key>-name` and `cmd-<key>-description` hold its words.
    key: &'static str,
    required: bool,
    channel_types: &'static [u8],
    /// For string options: the values offered, each with the key of its words.
    choices: &'static [(&'static str, &'static str)],
    /// For integer options: the range.
    range: Option<(i64, u64)>,
    /// For string options: the longest value.
    max_length: Option<u64>,
    /// Suggestions come from Helpline as the member types.
    autocomplete: bool,
    options: Vec<OptionSpec>,
}

impl OptionSpec {
    fn new(kind: u8, name: &'static str, key: &'static str) -> Self {
        Self {
            kind,
            name,
            key,
            required: false,
            channel_types: &[],
            choices: &[],
            range: None,
            max_length: None,
            autocomplete: false,
            options: Vec::new(),
        }
    }

    fn autocomplete(mut self) -> Self {
        self.autocomplete = true;
        self
    }

    fn choices(mut self, choices: &'static [(&'static str, &'static str)]) -> Self {
        self.choices = choices;
        self
    }

    fn length(mut self, max: u64) -> Self {
        self.max_length = Some(max);
        self
    }

    fn range(mut self, min: i64, max: u64) -> Self {
        self.range = Some((min, max));
        self
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    fn channels(mut self, types: &'static [u8]) -> Self {
        self.channel_types = types;
        self
    }

    fn with(mut self, options: Vec<OptionSpec>) -> Self {
        self.options = options;
        self
    }
}

/// Discord's command types.
const CHAT_INPUT: u8 = 1;
const MESSAGE: u8 = 3;

/// A slash command, or a message context-menu command (no description, no options).
#[derive(Debug)]
struct CommandSpec {
    kind: u8,
    name: &'static str,
    key: &'static str,
    default_member_permissions: Option<&'static str>,
    /// Where Discord offers the command: `GUILD` (0), and `BOT_DM` (1) for those that work
    /// away from a server.
    contexts: &'static [u8],
    options: Vec<OptionSpec>,
}

/// Discord's interaction contexts a command is offered in.
const IN_GUILDS: &[u8] = &[0];
const IN_GUILDS_AND_DMS: &[u8] = &[0, 1];

/// Up to five roles in one command: `role1` (required) to `role5`.
fn roles(key_prefix: &'static [&'static str; 5]) -> Vec<OptionSpec> {
    const NAMES: [&str; 5] = ["role1", "role2", "role3", "role4", "role5"];
    NAMES
        .iter()
        .zip(key_prefix)
        .enumerate()
        .map(|(index, (name, key))| {
            let option = OptionSpec::new(ROLE, name, key);
            if index == 0 {
                option.required()
            } else {
                option
            }
        })
        .collect()
}

/// The role options of `/staff add` and `/staff remove` (their words are shared).
const ROLE_KEYS: [&str; 5] = [
    "staff-role1",
    "staff-role2",
    "staff-role3",
    "staff-role4",
    "staff-role5",
];

/// `role1`…`role5` and, for one topic's staff only, `topic`.
fn roles_and_topic() -> Vec<OptionSpec> {
    let mut options = roles(&ROLE_KEYS);
    options.push(
        OptionSpec::new(STRING, "topic", "staff-topic")
            .length(helpline_domain::config::TOPIC_NAME as u64),
    );
    options
}

/// The options `/panel create` and `/panel edit` share: how the panel looks and its settings.
fn panel_options() -> Vec<OptionSpec> {
    use helpline_domain::{config, limits};
    vec![
        OptionSpec::new(STRING, "style", "panel-style").choices(&[
            ("buttons", "cmd-choice-buttons"),
            ("select", "cmd-choice-select"),
        ]),
        OptionSpec::new(STRING, "topics", "panel-topics").length(limits::MESSAGE_CONTENT as u64),
        OptionSpec::new(STRING, "message_id", "panel-message_id").length(20),
        OptionSpec::new(STRING, "title", "panel-title").length(limits::EMBED_TITLE as u64),
        OptionSpec::new(STRING, "description", "panel-description")
            .length(limits::EMBED_DESCRIPTION as u64),
        OptionSpec::new(STRING, "button_label", "panel-button_label")
            .length(limits::BUTTON_LABEL as u64),
        OptionSpec::new(STRING, "placeholder", "panel-placeholder")
            .length(limits::SELECT_PLACEHOLDER as u64),
        OptionSpec::new(STRING, "approval", "settings-approval").choices(&[
            ("automatic", "cmd-choice-automatic"),
            ("manual", "cmd-choice-manual"),
        ]),
        OptionSpec::new(STRING, "reason", "panel-reason").choices(&[
            ("optional", "cmd-choice-optional"),
            ("required", "cmd-choice-required"),
        ]),
        OptionSpec::new(INTEGER, "open_limit", "settings-open_limit")
            .range(1, config::MAX_OPEN_LIMIT),
        OptionSpec::new(INTEGER, "cooldown", "settings-cooldown")
            .range(0, config::MAX_COOLDOWN_SECS),
        OptionSpec::new(INTEGER, "auto_close_hours", "panel-auto_close_hours")
            .range(-1, config::MAX_AUTO_CLOSE_HOURS),
        OptionSpec::new(STRING, "mode", "panel-mode").choices(&[
            ("channel", "cmd-choice-channel"),
            ("thread", "cmd-choice-thread"),
        ]),
    ]
}

/// What `/topic add` and `/topic edit` set on a topic.
fn topic_options() -> Vec<OptionSpec> {
    use helpline_domain::limits;
    vec![
        OptionSpec::new(STRING, "description", "topic-description")
            .length(limits::SELECT_OPTION_TEXT as u64),
        OptionSpec::new(STRING, "emoji", "topic-emoji").length(64),
        OptionSpec::new(CHANNEL, "category", "topic-category").channels(&[GUILD_CATEGORY]),
        OptionSpec::new(STRING, "auto_response", "topic-auto_response")
            .length(limits::MESSAGE_CONTENT as u64),
        OptionSpec::new(STRING, "welcome", "topic-welcome")
            .length(limits::EMBED_DESCRIPTION as u64),
        OptionSpec::new(STRING, "name_template", "topic-name_template")
            .length(limits::CHANNEL_NAME as u64),
        OptionSpec::new(ROLE, "ping_role", "topic-ping_role"),
    ]
}

/// The panel an admin names in `/panel edit|delete|post`.
fn panel_option() -> OptionSpec {
    OptionSpec::new(STRING, "panel", "panel-panel")
        .required()
        .length(helpline_domain::config::PANEL_NAME as u64)
}

/// Every command.
fn specs() -> Vec<CommandSpec> {
    let mut create = vec![
        OptionSpec::new(STRING, "name", "panel-name")
            .required()
            .length(helpline_domain::config::PANEL_NAME as u64),
        OptionSpec::new(CHANNEL, "channel", "panel-channel").channels(&[GUILD_TEXT]),
    ];
    create.extend(panel_options());
    let mut edit = vec![
        panel_option(),
        OptionSpec::new(STRING, "name", "panel-rename")
            .length(helpline_domain::config::PANEL_NAME as u64),
    ];
    edit.extend(panel_options());
    let topic_name = || {
        OptionSpec::new(STRING, "name", "topic-name")
            .required()
            .length(helpline_domain::config::TOPIC_NAME as u64)
    };
    let mut topic_add = vec![
        topic_name(),
        OptionSpec::new(STRING, "panel", "topic-panel")
            .length(helpline_domain::config::PANEL_NAME as u64),
    ];
    topic_add.extend(topic_options());
    let mut topic_edit = vec![
        topic_name(),
        OptionSpec::new(STRING, "rename", "topic-rename")
            .length(helpline_domain::config::TOPIC_NAME as u64),
    ];
    topic_edit.extend(topic_options());
    topic_edit.push(OptionSpec::new(BOOLEAN, "no_ping", "topic-no_ping"));
    vec![
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::SETUP,
            key: "setup",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(CHANNEL, "panel_channel", "setup-panel_channel")
                    .channels(&[GUILD_TEXT]),
                OptionSpec::new(CHANNEL, "log_channel", "setup-log_channel")
                    .channels(&[GUILD_TEXT]),
                OptionSpec::new(CHANNEL, "category", "setup-category").channels(&[GUILD_CATEGORY]),
                OptionSpec::new(ROLE, "staff_role", "setup-staff_role"),
                OptionSpec::new(BOOLEAN, "force", "setup-force"),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::SETTINGS,
            key: "settings",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "show", "settings-show"),
                OptionSpec::new(SUB_COMMAND, "set", "settings-set").with(vec![
                    OptionSpec::new(STRING, "language", "settings-language")
                        .choices(&[("en", "cmd-choice-english"), ("fr", "cmd-choice-french")]),
                    OptionSpec::new(BOOLEAN, "claim_announcement", "settings-claim_announcement"),
                    OptionSpec::new(BOOLEAN, "dm_on_close", "settings-dm_on_close"),
                    OptionSpec::new(
                        BOOLEAN,
                        "admin_close_deletes",
                        "settings-admin_close_deletes",
                    ),
                    OptionSpec::new(STRING, "opener_leaves", "settings-opener_leaves")
                        .choices(&[("close", "cmd-choice-close"), ("keep", "cmd-choice-keep")]),
                    OptionSpec::new(INTEGER, "retention_days", "settings-retention_days")
                        .range(1, helpline_domain::config::MAX_RETENTION_DAYS),
                    OptionSpec::new(INTEGER, "auto_close_hours", "settings-auto_close_hours")
                        .range(0, helpline_domain::config::MAX_AUTO_CLOSE_HOURS),
                    OptionSpec::new(
                        INTEGER,
                        "close_request_hours",
                        "settings-close_request_hours",
                    )
                    .range(1, helpline_domain::config::MAX_AUTO_CLOSE_HOURS),
                    OptionSpec::new(BOOLEAN, "claim_restricts", "settings-claim_restricts"),
                    OptionSpec::new(STRING, "support_hours", "settings-support_hours").length(64),
                    OptionSpec::new(STRING, "timezone", "settings-timezone").length(16),
                    OptionSpec::new(STRING, "approval", "settings-approval").choices(&[
                        ("automatic", "cmd-choice-automatic"),
                        ("manual", "cmd-choice-manual"),
                    ]),
                    OptionSpec::new(INTEGER, "open_limit", "settings-open_limit")
                        .range(1, helpline_domain::config::MAX_OPEN_LIMIT),
                    OptionSpec::new(INTEGER, "cooldown", "settings-cooldown")
                        .range(0, helpline_domain::config::MAX_COOLDOWN_SECS),
                    OptionSpec::new(STRING, "reason", "panel-reason").choices(&[
                        ("optional", "cmd-choice-optional"),
                        ("required", "cmd-choice-required"),
                    ]),
                    OptionSpec::new(STRING, "mode", "settings-mode").choices(&[
                        ("channel", "cmd-choice-channel"),
                        ("thread", "cmd-choice-thread"),
                    ]),
                    OptionSpec::new(CHANNEL, "log_channel", "settings-log_channel")
                        .channels(&[GUILD_TEXT]),
                    OptionSpec::new(CHANNEL, "default_category", "settings-default_category")
                        .channels(&[GUILD_CATEGORY]),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::TOPIC,
            key: "topic",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "add", "topic-add").with(topic_add),
                OptionSpec::new(SUB_COMMAND, "edit", "topic-edit").with(topic_edit),
                OptionSpec::new(SUB_COMMAND, "remove", "topic-remove").with(vec![
                    OptionSpec::new(STRING, "name", "topic-name")
                        .length(helpline_domain::config::TOPIC_NAME as u64),
                ]),
                OptionSpec::new(SUB_COMMAND, "list", "topic-list"),
                OptionSpec::new(SUB_COMMAND, "questions", "topic-questions").with(vec![
                    OptionSpec::new(STRING, "name", "topic-name")
                        .required()
                        .length(helpline_domain::config::TOPIC_NAME as u64),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::HELPLINE,
            key: "helpline",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "disable", "helpline-disable"),
                OptionSpec::new(SUB_COMMAND, "enable", "helpline-enable"),
                OptionSpec::new(SUB_COMMAND, "reset", "helpline-reset"),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::TICKET,
            key: "ticket",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(STRING, "topic", "ticket-topic")
                    .autocomplete()
                    .length(helpline_domain::config::TOPIC_NAME as u64),
                OptionSpec::new(STRING, "reason", "ticket-reason")
                    .length(helpline_domain::limits::REASON as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::TICKETS,
            key: "tickets",
            default_member_permissions: None,
            contexts: IN_GUILDS_AND_DMS,
            options: Vec::new(),
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::STAFF,
            key: "staff",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "add", "staff-add").with(roles_and_topic()),
                OptionSpec::new(SUB_COMMAND, "remove", "staff-remove").with(roles_and_topic()),
                OptionSpec::new(SUB_COMMAND, "list", "staff-list"),
                OptionSpec::new(SUB_COMMAND, "mention", "staff-mention").with(vec![
                    OptionSpec::new(BOOLEAN, "enabled", "staff-mention-enabled").required(),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::PANEL,
            key: "panel",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "create", "panel-create").with(create),
                OptionSpec::new(SUB_COMMAND, "edit", "panel-edit").with(edit),
                OptionSpec::new(SUB_COMMAND, "delete", "panel-delete").with(vec![panel_option()]),
                OptionSpec::new(SUB_COMMAND, "list", "panel-list"),
                OptionSpec::new(SUB_COMMAND, "post", "panel-post").with(vec![
                    panel_option(),
                    OptionSpec::new(CHANNEL, "channel", "panel-post-channel")
                        .channels(&[GUILD_TEXT]),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::CLOSE,
            key: "close",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(STRING, "reason", "close-reason")
                    .length(helpline_domain::limits::REASON as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::CLOSE_REQUEST,
            key: "close_request",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(STRING, "reason", "close_request-reason")
                    .length(helpline_domain::limits::REASON as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::CLAIM,
            key: "claim",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: Vec::new(),
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::UNCLAIM,
            key: "unclaim",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: Vec::new(),
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::TRANSFER,
            key: "transfer",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![OptionSpec::new(USER, "member", "transfer-member").required()],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::ADD,
            key: "add",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "member", "add-member").with(vec![
                    OptionSpec::new(USER, "member", "add-member-member").required(),
                ]),
                OptionSpec::new(SUB_COMMAND, "role", "add-role").with(vec![
                    OptionSpec::new(ROLE, "role", "add-role-role").required(),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::REMOVE,
            key: "remove",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "member", "remove-member").with(vec![
                    OptionSpec::new(USER, "member", "remove-member-member").required(),
                ]),
                OptionSpec::new(SUB_COMMAND, "role", "remove-role").with(vec![
                    OptionSpec::new(ROLE, "role", "remove-role-role").required(),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::RENAME,
            key: "rename",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(STRING, "name", "rename-name")
                    .required()
                    .length(helpline_domain::limits::CHANNEL_NAME as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::BLACKLIST,
            key: "blacklist",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "add", "blacklist-add").with(vec![
                    OptionSpec::new(USER, "user", "blacklist-user"),
                    OptionSpec::new(ROLE, "role", "blacklist-role"),
                    OptionSpec::new(STRING, "reason", "blacklist-reason")
                        .length(helpline_domain::limits::REASON as u64),
                ]),
                OptionSpec::new(SUB_COMMAND, "remove", "blacklist-remove").with(vec![
                    OptionSpec::new(USER, "user", "blacklist-user"),
                    OptionSpec::new(ROLE, "role", "blacklist-role"),
                ]),
                OptionSpec::new(SUB_COMMAND, "list", "blacklist-list"),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::ACCESS,
            key: "access",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "grant", "access-grant").with(vec![
                    OptionSpec::new(USER, "user", "access-user").required(),
                ]),
                OptionSpec::new(SUB_COMMAND, "revoke", "access-revoke").with(vec![
                    OptionSpec::new(USER, "user", "access-user").required(),
                ]),
                OptionSpec::new(SUB_COMMAND, "list", "access-list"),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::STATS,
            key: "stats",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![OptionSpec::new(USER, "member", "stats-member")],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::NOTE,
            key: "note",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(STRING, "text", "note-text")
                    .length(crate::handlers::NOTE_LENGTH as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::TAG,
            key: "tag",
            // `use` and `list` are for staff, the rest for admins: each is checked when run.
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(SUB_COMMAND, "add", "tag-add").with(vec![
                    OptionSpec::new(STRING, "name", "tag-name")
                        .required()
                        .length(helpline_domain::config::TAG_NAME as u64),
                    OptionSpec::new(STRING, "content", "tag-content")
                        .required()
                        .length(helpline_domain::config::TAG_CONTENT as u64),
                ]),
                OptionSpec::new(SUB_COMMAND, "edit", "tag-edit").with(vec![
                    OptionSpec::new(STRING, "name", "tag-name")
                        .required()
                        .autocomplete()
                        .length(helpline_domain::config::TAG_NAME as u64),
                    OptionSpec::new(STRING, "content", "tag-content")
                        .required()
                        .length(helpline_domain::config::TAG_CONTENT as u64),
                ]),
                OptionSpec::new(SUB_COMMAND, "remove", "tag-remove").with(vec![
                    OptionSpec::new(STRING, "name", "tag-name")
                        .required()
                        .autocomplete()
                        .length(helpline_domain::config::TAG_NAME as u64),
                ]),
                OptionSpec::new(SUB_COMMAND, "list", "tag-list"),
                OptionSpec::new(SUB_COMMAND, "use", "tag-use").with(vec![
                    OptionSpec::new(STRING, "name", "tag-name")
                        .required()
                        .autocomplete()
                        .length(helpline_domain::config::TAG_NAME as u64),
                ]),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::OPEN_FOR,
            key: "open_for",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(USER, "member", "open_for-member").required(),
                OptionSpec::new(STRING, "topic", "open_for-topic")
                    .autocomplete()
                    .length(helpline_domain::config::TOPIC_NAME as u64),
                OptionSpec::new(STRING, "reason", "open_for-reason")
                    .length(helpline_domain::limits::REASON as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::MOVE,
            key: "move",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: vec![
                OptionSpec::new(STRING, "topic", "move-topic")
                    .required()
                    .autocomplete()
                    .length(helpline_domain::config::TOPIC_NAME as u64),
            ],
        },
        CommandSpec {
            kind: CHAT_INPUT,
            name: name::REOPEN,
            key: "reopen",
            default_member_permissions: None,
            contexts: IN_GUILDS,
            options: Vec::new(),
        },
        CommandSpec {
            kind: MESSAGE,
            name: name::USE_PANEL,
            key: "use_panel",
            default_member_permissions: Some(MANAGE_GUILD),
            contexts: IN_GUILDS,
            options: Vec::new(),
        },
    ]
}

/// Discord's locales for each of Helpline's languages.
fn discord_locales(language: Language) -> &'static [&'static str] {
    match language {
        Language::English => &["en-GB"],
        Language::French => &["fr"],
    }
}

/// `{ "fr": "…", "en-GB": "…" }` for a message key.
fn localizations(translator: &Translator, key: &str) -> Value {
    let mut map = Map::new();
    for language in Language::ALL {
        for locale in discord_locales(language) {
            map.insert(
                (*locale).to_owned(),
                Value::String(translator.text(language, key, &[])),
            );
        }
    }
    Value::Object(map)
}

fn name_key(key: &str) -> String {
    format!("cmd-{key}-name")
}

fn description_key(key: &str) -> String {
    format!("cmd-{key}-description")
}

fn option_json(translator: &Translator, option: &OptionSpec) -> Value {
    let description = description_key(option.key);
    let mut json = json!({
        "type": option.kind,
        "name": option.name,
        "name_localizations": localizations(translator, &name_key(option.key)),
        "description": translator.text(Language::English, &description, &[]),
        "description_localizations": localizations(translator, &description),
    });
    let fields = json.as_object_mut().expect("an object");
    if option.kind != SUB_COMMAND {
        fields.insert("required".into(), Value::Bool(option.required));
    }
    if !option.channel_types.is_empty() {
        fields.insert("channel_types".into(), json!(option.channel_types));
    }
    if !option.choices.is_empty() {
        let choices: Vec<Value> = option
            .choices
            .iter()
            .map(|(value, key)| {
                json!({
                    "name": translator.text(Language::English, key, &[]),
                    "name_localizations": localizations(translator, key),
                    "value": value,
                })
            })
            .collect();
        fields.insert("choices".into(), Value::Array(choices));
    }
    if let Some(max) = option.max_length {
        fields.insert("max_length".into(), json!(max));
    }
    if option.autocomplete {
        fields.insert("autocomplete".into(), Value::Bool(true));
    }
    if let Some((min, max)) = option.range {
        fields.insert("min_value".into(), json!(min));
        fields.insert("max_value".into(), json!(max));
    }
    if !option.options.is_empty() {
        let options: Vec<Value> = option
            .options
            .iter()
            .map(|o| option_json(translator, o))
            .collect();
        fields.insert("options".into(), Value::Array(options));
    }
    json
}

/// Every slash command Helpline registers.
pub(crate) fn all(translator: &Translator) -> Vec<Command> {
    specs()
        .iter()
        .map(|spec| {
            if spec.kind == MESSAGE {
                let command = json!({
                    "type": MESSAGE,
                    "name": spec.name,
                    "name_localizations": localizations(translator, &name_key(spec.key)),
                    "description": "",
                    "default_member_permissions": spec.default_member_permissions,
                    "version": "1",
                    "contexts": spec.contexts,
                });
                return serde_json::from_value(command).expect("command definitions are valid");
            }
            let description = description_key(spec.key);
            let options: Vec<Value> = spec
                .options
                .iter()
                .map(|o| option_json(translator, o))
                .collect();
            let command = json!({
                "type": CHAT_INPUT,
                "name": spec.name,
                "name_localizations": localizations(translator, &name_key(spec.key)),
                "description": translator.text(Language::English, &description, &[]),
                "description_localizations": localizations(translator, &description),
                "default_member_permissions": spec.default_member_permissions,
                // Discord assigns versions; twilight's model requires one, and sends it back
                // unread.
                "version": "1",
                "contexts": spec.contexts,
                "options": options,
            });
            serde_json::from_value(command).expect("command definitions are valid")
        })
        .collect()
}

/// Whether the commands Discord has registered are the ones Helpline declares: compared as
/// declared, without what Discord adds (ids, versions, the application) and in any order. When
/// in doubt (Discord fills in a default we do not send) they differ, and the caller overwrites.
pub(crate) fn same(registered: &[Command], declared: &[Command]) -> bool {
    fn comparable(command: &Command) -> Value {
        let mut value = serde_json::to_value(command).unwrap_or(Value::Null);
        if let Value::Object(fields) = &mut value {
            for key in ["id", "application_id", "version", "guild_id"] {
                fields.remove(key);
            }
            fields.retain(|_, value| !value.is_null());
        }
        value
    }
    if registered.len() != declared.len() {
        return false;
    }
    let mut registered: Vec<Value> = registered.iter().map(comparable).collect();
    let mut declared: Vec<Value> = declared.iter().map(comparable).collect();
    let by_name = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    registered.sort_by_key(by_name);
    declared.sort_by_key(by_name);
    registered == declared
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_name(name: &str) {
        assert!((1..=32).contains(&name.chars().count()), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
            "{name}"
        );
    }

    fn check_option(translator: &Translator, option: &OptionSpec) {
        check_name(option.name);
        for language in Language::ALL {
            for key in [name_key(option.key), description_key(option.key)] {
                assert!(
                    translator.has_message(language, &key),
                    "{key} in {language:?}"
                );
            }
            check_name(&translator.text(language, &name_key(option.key), &[]));
            let description = translator.text(language, &description_key(option.key), &[]);
            assert!(
                (1..=100).contains(&description.chars().count()),
                "{description}"
            );
        }
        assert!(option.options.len() <= 25);
        assert!(option.choices.len() <= 25);
        for (value, key) in option.choices {
            assert!(value.len() <= 100);
            for language in Language::ALL {
                assert!(
                    translator.has_message(language, key),
                    "{key} in {language:?}"
                );
                let name = translator.text(language, key, &[]);
                assert!((1..=100).contains(&name.chars().count()), "{name}");
            }
        }
        for inner in &option.options {
            check_option(translator, inner);
        }
    }

    #[test]
    fn commands_fit_discord_rules_and_have_words_in_every_language() {
        let translator = Translator::new();
        let specs = specs();
        for spec in &specs {
            if spec.kind == MESSAGE {
                for language in Language::ALL {
                    let name = translator.text(language, &name_key(spec.key), &[]);
                    assert!((1..=32).contains(&name.chars().count()), "{name}");
                }
                assert!(spec.options.is_empty());
                continue;
            }
            check_name(spec.name);
            for language in Language::ALL {
                assert!(translator.has_message(language, &name_key(spec.key)));
                check_name(&translator.text(language, &name_key(spec.key), &[]));
                let description = translator.text(language, &description_key(spec.key), &[]);
                assert!((1..=100).contains(&description.chars().count()));
            }
            for option in &spec.options {
                check_option(&translator, option);
            }
        }
        let commands = all(&translator);
        assert_eq!(commands.len(), specs.len());
        let french = commands[0]
            .description_localizations
            .as_ref()
            .and_then(|m| m.get("fr"))
            .unwrap();
        assert_ne!(french, &commands[0].description);
    }

    #[test]
    fn a_registered_set_is_recognised_and_a_changed_one_is_not() {
        let translator = Translator::new();
        let declared = all(&translator);
        let mut registered = declared.clone();
        registered.reverse();
        for (n, command) in registered.iter_mut().enumerate() {
            command.id = Some(twilight_model::id::Id::new(100 + n as u64));
            command.application_id = Some(twilight_model::id::Id::new(7));
            command.version = twilight_model::id::Id::new(42);
        }
        assert!(same(&registered, &declared));
        registered[0].description.push('!');
        assert!(!same(&registered, &declared));
        assert!(!same(&declared[1..], &declared));
    }

    #[test]
    fn identity_does_not_follow_translations() {
        let translator = Translator::new();
        let commands = all(&translator);
        assert_eq!(commands[0].name, name::SETUP);
        assert_eq!(commands[1].name, name::SETTINGS);
        assert_eq!(commands[2].name, name::TOPIC);
        assert_eq!(commands[3].name, name::HELPLINE);
        assert_eq!(commands[4].name, name::TICKET);
        assert_eq!(commands[5].name, name::TICKETS);
        assert_eq!(commands[6].name, name::STAFF);
        let french = commands[0]
            .name_localizations
            .as_ref()
            .and_then(|m| m.get("fr"))
            .unwrap();
        assert_eq!(french, "installer", "the French name is a localization");
    }
}
