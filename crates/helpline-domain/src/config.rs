//! A guild's configuration: its setup channels, panels (A2), topics (A3), staff roles (A4),
//! templates (A5) and settings (A6), with validation against Discord's limits. Every mutating
//! method validates first and changes nothing when it refuses.

use crate::ids::{ChannelId, GuildId, MessageId, PanelId, RoleId, TopicId, UserId};
use crate::limits;
use crate::template::Template;
use crate::validation::{
    Countable, Field, ValidationError, check_count, check_len, check_range, check_required,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Staff roles a guild may name guild-wide, and a topic may add.
pub const MAX_STAFF_ROLES: usize = 25;
/// Roles one `/staff add` or `/staff remove` may name at once (A4).
pub const MAX_ROLES_PER_COMMAND: usize = 5;
/// Topics in one guild.
pub const MAX_TOPICS: usize = 50;
/// Panels in one guild.
pub const MAX_PANELS: usize = 25;
/// Topic names are also select option labels.
pub const TOPIC_NAME: usize = limits::SELECT_OPTION_TEXT;
/// The longest panel name (it is typed as a command option, and shown in lists).
pub const PANEL_NAME: usize = 50;
/// The longest ticket open limit per member and panel.
pub const MAX_OPEN_LIMIT: u64 = 25;
/// The longest open cooldown, one day.
pub const MAX_COOLDOWN_SECS: u64 = 86_400;
/// The longest auto-close delay, 90 days.
pub const MAX_AUTO_CLOSE_HOURS: u64 = 24 * 90;
/// The longest transcript retention, 10 years.
pub const MAX_RETENTION_DAYS: u64 = 3650;

/// A language Helpline speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    English,
    French,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Self; 2] = [Self::English, Self::French];

    /// The BCP 47 tag of this language's translations.
    pub const fn tag(self) -> &'static str {
        match self {
            Self::English => "en-US",
            Self::French => "fr",
        }
    }

    /// The language for a Discord locale (`en-US`, `en-GB`, `fr`, …), if Helpline speaks it.
    pub fn from_discord_locale(locale: &str) -> Option<Self> {
        let primary = locale.split(['-', '_']).next().unwrap_or_default();
        match primary.to_ascii_lowercase().as_str() {
            "en" => Some(Self::English),
            "fr" => Some(Self::French),
            _ => None,
        }
    }
}

/// Whether a new ticket opens at once or waits for staff approval (A6, M2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalMode {
    #[default]
    Automatic,
    Manual,
}

/// Whether the opener must give a reason (A6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonMode {
    #[default]
    Optional,
    Required,
}

/// Whether a ticket is a private channel or a private thread of the panel channel (A6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketMode {
    #[default]
    Channel,
    PrivateThread,
}

/// Guild-wide settings (A6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Announce claims in the ticket.
    pub claim_announcement: bool,
    /// Mention the staff roles when a ticket opens (A4).
    pub mention_staff: bool,
    /// When an admin closes a ticket, delete its channel at once instead of keeping it closed.
    pub admin_close_deletes: bool,
    /// DM the opener on close, with the transcript.
    pub dm_on_close: bool,
    /// Close a ticket after this many hours without a message, if set; a warning is posted an
    /// hour before.
    pub auto_close_hours: Option<u32>,
    /// A close request nobody answers closes the ticket after this many hours (S2).
    pub close_request_hours: u32,
    /// Claiming restricts the ticket to its claimer and admins: other staff cannot close,
    /// unclaim or transfer it (S1).
    pub claim_restricts: bool,
    /// When staff answer (A6); a ticket opened outside them says when staff are back.
    pub support_hours: Option<crate::hours::SupportHours>,
    /// The guild's language, used when a member's locale is not one Helpline speaks.
    pub language: Language,
    /// The private channel where ticket events are logged.
    pub log_channel: Option<ChannelId>,
    /// The category tickets go to when their topic names none.
    pub default_category: Option<ChannelId>,
    /// How long transcripts are kept.
    pub transcript_retention_days: u32,
    /// What happens to a ticket whose opener leaves the server (S2).
    pub opener_leaves: OpenerLeaves,
}

/// What happens to an open ticket when its opener leaves the server.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenerLeaves {
    /// Close it, with its transcript (the default).
    #[default]
    Close,
    /// Keep it open and tell the staff in the ticket.
    Keep,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            claim_announcement: true,
            mention_staff: true,
            admin_close_deletes: false,
            dm_on_close: true,
            auto_close_hours: None,
            close_request_hours: 24,
            claim_restricts: false,
            support_hours: None,
            language: Language::English,
            log_channel: None,
            default_category: None,
            transcript_retention_days: 365,
            opener_leaves: OpenerLeaves::Close,
        }
    }
}

impl Settings {
    /// Checks every number against its range.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(hours) = self.auto_close_hours {
            check_range(Field::AutoCloseHours, hours.into(), 1, MAX_AUTO_CLOSE_HOURS)?;
        }
        check_range(
            Field::CloseRequestHours,
            self.close_request_hours.into(),
            1,
            MAX_AUTO_CLOSE_HOURS,
        )?;
        check_range(
            Field::RetentionDays,
            self.transcript_retention_days.into(),
            1,
            MAX_RETENTION_DAYS,
        )
    }

    /// How long a close request waits for the opener's answer.
    pub fn close_request_timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.close_request_hours) * 3600)
    }

    /// The inactivity after which tickets auto-close, if enabled.
    pub fn auto_close_after(&self) -> Option<Duration> {
        self.auto_close_hours
            .map(|hours| Duration::from_secs(u64::from(hours) * 3600))
    }
}

/// Settings of one panel; each panel has its own (A2, A6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PanelSettings {
    pub approval: ApprovalMode,
    pub reason: ReasonMode,
    pub ticket_mode: TicketMode,
    /// Tickets a member may have open at once on this panel.
    pub open_limit: u32,
    /// Seconds a member must wait between two opens on this panel.
    pub cooldown_secs: u32,
    /// This panel's auto-close delay in hours (0: never), instead of the guild's; the guild's
    /// when unset.
    pub auto_close_hours: Option<u32>,
}

impl Default for PanelSettings {
    fn default() -> Self {
        Self {
            approval: ApprovalMode::Automatic,
            reason: ReasonMode::Optional,
            ticket_mode: TicketMode::Channel,
            open_limit: 1,
            cooldown_secs: 60,
            auto_close_hours: None,
        }
    }
}

impl PanelSettings {
    /// Checks the limit, cooldown and auto-close ranges.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_range(Field::OpenLimit, self.open_limit.into(), 1, MAX_OPEN_LIMIT)?;
        if let Some(hours) = self.auto_close_hours {
            check_range(Field::AutoCloseHours, hours.into(), 0, MAX_AUTO_CLOSE_HOURS)?;
        }
        check_range(
            Field::Cooldown,
            self.cooldown_secs.into(),
            0,
            MAX_COOLDOWN_SECS,
        )
    }
}

/// How a panel offers its topics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelStyle {
    /// One button per topic (or one "Open a ticket" button when the panel has no topic),
    /// five to a row.
    #[default]
    Buttons,
    /// One select menu listing the topics.
    SelectMenu,
}

/// What a panel message says (A2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PanelContent {
    /// Helpline's embed with this title and description (translated defaults when empty).
    Embed { title: String, description: String },
    /// A copy of an existing message's content and embeds, taken when the admin chose it.
    CopiedMessage {
        channel_id: ChannelId,
        message_id: MessageId,
        /// The message's text.
        #[serde(default)]
        content: String,
        /// Its embeds, as Discord's JSON, shown as they were.
        #[serde(default)]
        embeds: String,
    },
}

/// A panel: a message under which members open tickets (A2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    pub id: PanelId,
    /// How admins name it in `/panel` and `/topic` (unique whatever the case).
    #[serde(default)]
    pub name: String,
    /// Where the panel message is posted.
    pub channel_id: ChannelId,
    /// The posted message, once posted.
    pub message_id: Option<MessageId>,
    pub style: PanelStyle,
    pub content: PanelContent,
    /// The label of the single button of a panel without topics.
    pub button_label: String,
    /// The select menu's placeholder.
    pub select_placeholder: String,
    /// The topics offered, in order.
    pub topics: Vec<TopicId>,
    pub settings: PanelSettings,
}

impl Panel {
    /// A button panel with no topic and default settings.
    pub fn new(id: PanelId, channel_id: ChannelId) -> Self {
        Self {
            id,
            name: String::new(),
            channel_id,
            message_id: None,
            style: PanelStyle::Buttons,
            content: PanelContent::Embed {
                title: String::new(),
                description: String::new(),
            },
            button_label: String::new(),
            select_placeholder: String::new(),
            topics: Vec::new(),
            settings: PanelSettings::default(),
        }
    }

    /// The topics split into the action rows a buttons panel shows: at most 5 buttons a row.
    pub fn button_rows(&self) -> Vec<&[TopicId]> {
        self.topics.chunks(limits::BUTTONS_PER_ROW).collect()
    }

    /// Checks this panel against Discord's limits and the guild's topics.
    pub fn validate(&self, topics: &[Topic]) -> Result<(), ValidationError> {
        check_len(Field::PanelName, &self.name, PANEL_NAME)?;
        check_len(Field::ButtonLabel, &self.button_label, limits::BUTTON_LABEL)?;
        check_len(
            Field::SelectPlaceholder,
            &self.select_placeholder,
            limits::SELECT_PLACEHOLDER,
        )?;
        match &self.content {
            PanelContent::Embed { title, description } => {
                check_len(Field::PanelTitle, title, limits::EMBED_TITLE)?;
                check_len(
                    Field::PanelDescription,
                    description,
                    limits::EMBED_DESCRIPTION,
                )?;
            }
            PanelContent::CopiedMessage { content, .. } => {
                check_len(Field::PanelDescription, content, limits::MESSAGE_CONTENT)?;
            }
        }
        match self.style {
            PanelStyle::Buttons => check_count(
                Countable::PanelButtons,
                self.topics.len(),
                limits::BUTTONS_PER_ROW * limits::ACTION_ROWS,
            )?,
            PanelStyle::SelectMenu => {
                if self.topics.is_empty() {
                    return Err(ValidationError::NoTopics);
                }
                check_count(
                    Countable::SelectOptions,
                    self.topics.len(),
                    limits::SELECT_OPTIONS,
                )?;
            }
        }
        for (index, id) in self.topics.iter().enumerate() {
            let topic = topics
                .iter()
                .find(|t| t.id == *id)
                .ok_or(ValidationError::UnknownTopic { topic: *id })?;
            if self.topics[..index].contains(id) {
                return Err(ValidationError::AlreadyPresent);
            }
            // A required reason takes one of the open form's 5 inputs.
            if self.settings.reason == ReasonMode::Required {
                check_count(
                    Countable::FormQuestions,
                    topic.questions.len(),
                    limits::MODAL_COMPONENTS - 1,
                )?;
            }
        }
        self.settings.validate()
    }

    /// Whether opening shows a form: when the reason is required (it takes one input) or the
    /// topic has questions. An optional reason is given with `/ticket reason:` instead, so a
    /// panel click opens at once.
    pub fn shows_form(&self, topic: Option<&Topic>) -> bool {
        self.settings.reason == ReasonMode::Required
            || topic.is_some_and(|t| !t.questions.is_empty())
    }
}

/// The kind of input a form question shows (M1, B6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionStyle {
    /// A one-line text input.
    Short,
    /// A multi-line text input.
    Paragraph,
    /// A select input with these choices.
    Select { choices: Vec<SelectChoice> },
}

/// One choice of a select question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectChoice {
    pub label: String,
    pub description: Option<String>,
}

/// A question of a topic's open form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormQuestion {
    pub label: String,
    pub placeholder: Option<String>,
    pub style: QuestionStyle,
    pub required: bool,
    /// Shortest and longest answer, for text inputs.
    pub min_length: Option<u16>,
    pub max_length: Option<u16>,
}

impl FormQuestion {
    /// Checks the question against Discord's modal limits.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_required(Field::QuestionLabel, &self.label, limits::TEXT_INPUT_LABEL)?;
        if let Some(placeholder) = &self.placeholder {
            check_len(
                Field::QuestionPlaceholder,
                placeholder,
                limits::TEXT_INPUT_PLACEHOLDER,
            )?;
        }
        let max_value = limits::TEXT_INPUT_VALUE as u64;
        let min = self.min_length.map_or(0, u64::from);
        let max = self.max_length.map_or(max_value, u64::from);
        check_range(Field::QuestionLength, max, 1, max_value)?;
        check_range(Field::QuestionLength, min, 0, max)?;
        if let QuestionStyle::Select { choices } = &self.style {
            if choices.is_empty() {
                return Err(ValidationError::Empty {
                    field: Field::QuestionChoice,
                });
            }
            check_count(
                Countable::QuestionChoices,
                choices.len(),
                limits::SELECT_OPTIONS,
            )?;
            for (index, choice) in choices.iter().enumerate() {
                check_required(
                    Field::QuestionChoice,
                    &choice.label,
                    limits::SELECT_OPTION_TEXT,
                )?;
                if let Some(description) = &choice.description {
                    check_len(
                        Field::QuestionChoice,
                        description,
                        limits::SELECT_OPTION_TEXT,
                    )?;
                }
                if choices[..index].iter().any(|c| c.label == choice.label) {
                    return Err(ValidationError::DuplicateName {
                        field: Field::QuestionChoice,
                        name: choice.label.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Checks an answer a member submitted to this question.
    pub fn check_answer(&self, answer: &str) -> Result<(), ValidationError> {
        let answer = answer.trim();
        if answer.is_empty() {
            if self.required {
                return Err(ValidationError::Empty {
                    field: Field::Answer,
                });
            }
            return Ok(());
        }
        match &self.style {
            QuestionStyle::Select { choices } => {
                if !choices.iter().any(|c| c.label == answer) {
                    return Err(ValidationError::Empty {
                        field: Field::Answer,
                    });
                }
                Ok(())
            }
            QuestionStyle::Short | QuestionStyle::Paragraph => {
                let len = limits::char_len(answer) as u64;
                let min = self.min_length.map_or(0, u64::from);
                let max = self
                    .max_length
                    .map_or(limits::TEXT_INPUT_VALUE as u64, u64::from);
                check_range(Field::Answer, len, min, max)
            }
        }
    }
}

/// A topic members choose when they open a ticket (A3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    pub id: TopicId,
    pub name: String,
    pub description: Option<String>,
    /// A unicode emoji or a custom emoji `<:name:id>`.
    pub emoji: Option<String>,
    /// The category this topic's tickets go to; the guild default when unset.
    pub category: Option<ChannelId>,
    /// Staff of this topic, in addition to the guild-wide staff roles.
    pub staff_roles: Vec<RoleId>,
    /// Posted in the ticket when it opens, after the welcome message.
    pub auto_response: Option<String>,
    /// Overrides the guild's welcome template.
    pub welcome_template: Option<Template>,
    /// Overrides the guild's ticket name template.
    pub name_template: Option<Template>,
    /// The open form (at most 5 questions, one modal).
    pub questions: Vec<FormQuestion>,
    /// Roles pinged when a ticket of this topic opens (S10).
    pub ping_roles: Vec<RoleId>,
}

impl Topic {
    /// A topic with only a name.
    pub fn new(id: TopicId, name: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            description: None,
            emoji: None,
            category: None,
            staff_roles: Vec::new(),
            auto_response: None,
            welcome_template: None,
            name_template: None,
            questions: Vec::new(),
            ping_roles: Vec::new(),
        }
    }

    /// Checks the topic against Discord's limits.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_required(Field::TopicName, &self.name, TOPIC_NAME)?;
        if let Some(description) = &self.description {
            check_len(
                Field::TopicDescription,
                description,
                limits::SELECT_OPTION_TEXT,
            )?;
        }
        if let Some(emoji) = &self.emoji {
            validate_emoji(emoji)?;
        }
        if let Some(response) = &self.auto_response {
            check_required(Field::AutoResponse, response, limits::MESSAGE_CONTENT)?;
        }
        check_count(
            Countable::StaffRoles,
            self.staff_roles.len(),
            MAX_STAFF_ROLES,
        )?;
        check_count(Countable::PingRoles, self.ping_roles.len(), MAX_STAFF_ROLES)?;
        check_count(
            Countable::FormQuestions,
            self.questions.len(),
            limits::MODAL_COMPONENTS,
        )?;
        for question in &self.questions {
            question.validate()?;
        }
        Ok(())
    }

    /// Sets one of the topic's templates (`Field::WelcomeTemplate` or `Field::NameTemplate`)
    /// after parsing it as the guild's are parsed (`GuildConfig::set_template`); `None` clears it,
    /// so the topic's tickets use the guild's. `/topic add|edit` and the web panel both set them
    /// here; a refusal changes nothing.
    pub fn set_template(
        &mut self,
        field: Field,
        source: Option<&str>,
    ) -> Result<(), ValidationError> {
        let template = source
            .map(|source| parse_template(field, source))
            .transpose()?;
        match field {
            Field::WelcomeTemplate => self.welcome_template = template,
            Field::NameTemplate => self.name_template = template,
            _ => return Err(ValidationError::Empty { field }),
        }
        Ok(())
    }
}

/// A template typed for `field`, parsed; an unknown placeholder is refused with the valid ones.
fn parse_template(field: Field, source: &str) -> Result<Template, ValidationError> {
    Template::parse(source).map_err(|error| ValidationError::Template { field, error })
}

/// An emoji is either a short unicode sequence or a custom emoji `<:name:id>` / `<a:name:id>`.
fn validate_emoji(emoji: &str) -> Result<(), ValidationError> {
    let invalid = || ValidationError::Empty {
        field: Field::TopicEmoji,
    };
    if let Some(inner) = emoji
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
    {
        let mut parts = inner.split(':');
        let (animated, name, id) = (parts.next(), parts.next(), parts.next());
        let valid = matches!(animated, Some("" | "a"))
            && name.is_some_and(|n| (2..=32).contains(&n.len()))
            && id.is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
            && parts.next().is_none();
        return if valid { Ok(()) } else { Err(invalid()) };
    }
    let chars = limits::char_len(emoji);
    if chars == 0
        || chars > 10
        || emoji
            .chars()
            .any(|c| c.is_ascii_alphanumeric() || c.is_whitespace())
    {
        return Err(invalid());
    }
    Ok(())
}

/// A saved answer staff post in a ticket with `/tag use` (peers' tags).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Unique in the guild whatever the case.
    pub name: String,
    pub content: String,
}

/// Who is blacklisted: a member, or everyone with a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockTarget {
    User(UserId),
    Role(RoleId),
}

/// A blacklist entry, with the reason staff gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    pub target: BlockTarget,
    pub reason: Option<String>,
}

/// Blacklist entries in one guild.
pub const MAX_BLACKLIST: usize = 500;

/// Tags in one guild.
pub const MAX_TAGS: usize = 100;
/// A tag's name (Discord's autocomplete choice name is at most 100; names stay short).
pub const TAG_NAME: usize = 32;
/// A tag's content: one Discord message.
pub const TAG_CONTENT: usize = 2000;

impl Tag {
    /// Checks the name and the content against their limits.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_required(Field::TagName, &self.name, TAG_NAME)?;
        check_required(Field::TagContent, &self.content, TAG_CONTENT)
    }
}

/// The channels `/setup` made or reused (A1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupChannels {
    pub category: ChannelId,
    pub panel_channel: ChannelId,
    pub log_channel: ChannelId,
}

/// Everything a guild configured.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuildConfig {
    pub guild_id: GuildId,
    /// False after `/disable` (A8): panels refuse to open tickets.
    pub enabled: bool,
    pub setup: Option<SetupChannels>,
    /// Guild-wide staff roles (A4).
    pub staff_roles: Vec<RoleId>,
    pub settings: Settings,
    pub welcome_template: Template,
    pub name_template: Template,
    pub panels: Vec<Panel>,
    pub topics: Vec<Topic>,
    /// Saved answers staff post with `/tag use`.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Members and roles who may not open tickets (peers' blacklist).
    #[serde(default)]
    pub blacklist: Vec<Blocked>,
    /// The next panel or topic id to hand out.
    pub next_id: u32,
    /// Bumped by the store on every write, for optimistic concurrency.
    pub version: u64,
}

/// The default welcome message template (English; the bot puts the guild's language's in a new
/// configuration). It reads well without staff roles too: `$staff` ends the sentence.
pub const DEFAULT_WELCOME: &str = "$author, thank you for opening a ticket: the staff will be with you shortly. $staff\n\n$reason";
/// The default ticket name template.
pub const DEFAULT_NAME: &str = "ticket-$counter";

impl GuildConfig {
    /// A guild with nothing configured.
    pub fn new(guild_id: GuildId) -> Self {
        Self {
            guild_id,
            enabled: true,
            setup: None,
            staff_roles: Vec::new(),
            settings: Settings::default(),
            welcome_template: Template::parse(DEFAULT_WELCOME).expect("default welcome parses"),
            name_template: Template::parse(DEFAULT_NAME).expect("default name parses"),
            panels: Vec::new(),
            topics: Vec::new(),
            tags: Vec::new(),
            blacklist: Vec::new(),
            next_id: 1,
            version: 0,
        }
    }

    /// The panel with this id.
    pub fn panel(&self, id: PanelId) -> Option<&Panel> {
        self.panels.iter().find(|p| p.id == id)
    }

    /// The topic with this id.
    pub fn topic(&self, id: TopicId) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    /// The staff roles of a ticket of `topic`: the guild-wide ones, then the topic's own.
    pub fn staff_roles_for(&self, topic: Option<TopicId>) -> Vec<RoleId> {
        let mut roles = self.staff_roles.clone();
        if let Some(topic) = topic.and_then(|id| self.topic(id)) {
            for role in &topic.staff_roles {
                if !roles.contains(role) {
                    roles.push(*role);
                }
            }
        }
        roles
    }

    /// The category a ticket of `topic` goes to.
    pub fn category_for(&self, topic: Option<TopicId>) -> Option<ChannelId> {
        topic
            .and_then(|id| self.topic(id))
            .and_then(|t| t.category)
            .or(self.settings.default_category)
            .or(self.setup.map(|s| s.category))
    }

    /// The log channel, from the settings or the setup.
    pub fn log_channel(&self) -> Option<ChannelId> {
        self.settings
            .log_channel
            .or(self.setup.map(|s| s.log_channel))
    }

    fn take_id(&mut self) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Adds a topic built by `build` from its new id. Refused (and nothing changes) when it is
    /// invalid, when its name is taken, or when the guild has too many topics.
    pub fn add_topic(
        &mut self,
        build: impl FnOnce(TopicId) -> Topic,
    ) -> Result<TopicId, ValidationError> {
        check_count(Countable::Topics, self.topics.len() + 1, MAX_TOPICS)?;
        let topic = build(TopicId(self.next_id));
        topic.validate()?;
        if self
            .topics
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case(&topic.name))
        {
            return Err(ValidationError::DuplicateName {
                field: Field::TopicName,
                name: topic.name,
            });
        }
        let id = TopicId(self.take_id());
        self.topics.push(Topic { id, ..topic });
        Ok(id)
    }

    /// Whether `member` may not open tickets: blacklisted themselves or by one of their roles.
    pub fn is_blacklisted(&self, member: &crate::Member) -> bool {
        self.blacklist.iter().any(|entry| match entry.target {
            BlockTarget::User(user) => user == member.user_id,
            BlockTarget::Role(role) => member.roles.contains(&role),
        })
    }

    /// Adds a blacklist entry (or updates its reason); `Ok(false)` when it was already there.
    pub fn block(&mut self, entry: Blocked) -> Result<bool, ValidationError> {
        if let Some(reason) = &entry.reason {
            check_len(Field::Reason, reason, crate::limits::REASON)?;
        }
        if let Some(existing) = self.blacklist.iter_mut().find(|e| e.target == entry.target) {
            existing.reason = entry.reason;
            return Ok(false);
        }
        check_count(
            Countable::Blacklist,
            self.blacklist.len() + 1,
            MAX_BLACKLIST,
        )?;
        self.blacklist.push(entry);
        Ok(true)
    }

    /// Removes a blacklist entry; whether there was one.
    pub fn unblock(&mut self, target: BlockTarget) -> bool {
        let before = self.blacklist.len();
        self.blacklist.retain(|entry| entry.target != target);
        self.blacklist.len() != before
    }

    /// The settings a ticket of `panel` follows: the guild's, with the panel's own auto-close
    /// delay when it has one.
    pub fn settings_for(&self, panel: PanelId) -> Settings {
        let mut settings = self.settings.clone();
        if let Some(hours) = self.panel(panel).and_then(|p| p.settings.auto_close_hours) {
            settings.auto_close_hours = (hours > 0).then_some(hours);
        }
        settings
    }

    /// The tag of that name, whatever the case.
    pub fn tag(&self, name: &str) -> Option<&Tag> {
        self.tags
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name.trim()))
    }

    /// Adds a tag, or replaces the content of the tag of that name when `replace`.
    pub fn save_tag(&mut self, tag: Tag, replace: bool) -> Result<(), ValidationError> {
        let tag = Tag {
            name: tag.name.trim().to_owned(),
            content: tag.content.trim().to_owned(),
        };
        tag.validate()?;
        match self
            .tags
            .iter_mut()
            .find(|t| t.name.eq_ignore_ascii_case(&tag.name))
        {
            Some(existing) if replace => {
                existing.content = tag.content;
                Ok(())
            }
            Some(_) => Err(ValidationError::DuplicateName {
                field: Field::TagName,
                name: tag.name,
            }),
            None => {
                check_count(Countable::Tags, self.tags.len() + 1, MAX_TAGS)?;
                self.tags.push(tag);
                self.tags.sort_by_key(|t| t.name.to_lowercase());
                Ok(())
            }
        }
    }

    /// Removes the tag of that name; the removed tag, if there was one.
    pub fn remove_tag(&mut self, name: &str) -> Option<Tag> {
        let index = self
            .tags
            .iter()
            .position(|t| t.name.eq_ignore_ascii_case(name.trim()))?;
        Some(self.tags.remove(index))
    }

    /// Replaces a topic with an edited copy, validated.
    pub fn update_topic(&mut self, topic: Topic) -> Result<(), ValidationError> {
        topic.validate()?;
        if self
            .topics
            .iter()
            .any(|t| t.id != topic.id && t.name.eq_ignore_ascii_case(&topic.name))
        {
            return Err(ValidationError::DuplicateName {
                field: Field::TopicName,
                name: topic.name,
            });
        }
        let index = self
            .topics
            .iter()
            .position(|t| t.id == topic.id)
            .ok_or(ValidationError::UnknownTopic { topic: topic.id })?;
        let previous = std::mem::replace(&mut self.topics[index], topic);
        // The panels offering it must still fit Discord's limits with the edited topic.
        if let Err(error) = self
            .panels
            .iter()
            .try_for_each(|p| p.validate(&self.topics))
        {
            self.topics[index] = previous;
            return Err(error);
        }
        Ok(())
    }

    /// Removes a topic and takes it off every panel. A select-menu panel left with no topic is
    /// refused: remove the panel or give it another topic first.
    pub fn remove_topic(&mut self, id: TopicId) -> Result<Topic, ValidationError> {
        let index = self
            .topics
            .iter()
            .position(|t| t.id == id)
            .ok_or(ValidationError::UnknownTopic { topic: id })?;
        if self
            .panels
            .iter()
            .any(|p| p.style == PanelStyle::SelectMenu && p.topics == [id])
        {
            return Err(ValidationError::NoTopics);
        }
        for panel in &mut self.panels {
            panel.topics.retain(|t| *t != id);
        }
        Ok(self.topics.remove(index))
    }

    /// Adds a panel built by `build` from its new id, validated.
    pub fn add_panel(
        &mut self,
        build: impl FnOnce(PanelId) -> Panel,
    ) -> Result<PanelId, ValidationError> {
        check_count(Countable::Panels, self.panels.len() + 1, MAX_PANELS)?;
        let panel = build(PanelId(self.next_id));
        panel.validate(&self.topics)?;
        self.check_panel_name(&panel)?;
        let id = PanelId(self.take_id());
        self.panels.push(Panel { id, ..panel });
        Ok(id)
    }

    /// Replaces a panel with an edited copy, validated.
    pub fn update_panel(&mut self, panel: Panel) -> Result<(), ValidationError> {
        panel.validate(&self.topics)?;
        self.check_panel_name(&panel)?;
        let slot = self
            .panels
            .iter_mut()
            .find(|p| p.id == panel.id)
            .ok_or(ValidationError::UnknownPanel { panel: panel.id })?;
        *slot = panel;
        Ok(())
    }

    /// Two panels may not share a name, whatever its case (an unnamed panel of an older
    /// configuration is named by its channel instead).
    fn check_panel_name(&self, panel: &Panel) -> Result<(), ValidationError> {
        if !panel.name.is_empty()
            && self
                .panels
                .iter()
                .any(|p| p.id != panel.id && p.name.eq_ignore_ascii_case(&panel.name))
        {
            return Err(ValidationError::DuplicateName {
                field: Field::PanelName,
                name: panel.name.clone(),
            });
        }
        Ok(())
    }

    /// The panel named `name`, whatever its case.
    pub fn panel_named(&self, name: &str) -> Option<&Panel> {
        let name = name.trim();
        self.panels
            .iter()
            .find(|p| !p.name.is_empty() && p.name.eq_ignore_ascii_case(name))
    }

    /// Removes a panel.
    pub fn remove_panel(&mut self, id: PanelId) -> Result<Panel, ValidationError> {
        let index = self
            .panels
            .iter()
            .position(|p| p.id == id)
            .ok_or(ValidationError::UnknownPanel { panel: id })?;
        Ok(self.panels.remove(index))
    }

    /// Adds up to 5 guild-wide staff roles (A4); returns those that were not staff yet.
    pub fn add_staff_roles(&mut self, roles: &[RoleId]) -> Result<Vec<RoleId>, ValidationError> {
        add_roles(&mut self.staff_roles, roles, self.guild_id)
    }

    /// Removes up to 5 guild-wide staff roles; returns those that were staff.
    pub fn remove_staff_roles(&mut self, roles: &[RoleId]) -> Result<Vec<RoleId>, ValidationError> {
        check_count(
            Countable::RolesPerCommand,
            roles.len(),
            MAX_ROLES_PER_COMMAND,
        )?;
        let removed: Vec<RoleId> = roles
            .iter()
            .copied()
            .filter(|r| self.staff_roles.contains(r))
            .collect();
        self.staff_roles.retain(|r| !removed.contains(r));
        Ok(removed)
    }

    /// Adds up to 5 staff roles to one topic.
    pub fn add_topic_staff_roles(
        &mut self,
        topic: TopicId,
        roles: &[RoleId],
    ) -> Result<Vec<RoleId>, ValidationError> {
        let guild_id = self.guild_id;
        let topic = self
            .topics
            .iter_mut()
            .find(|t| t.id == topic)
            .ok_or(ValidationError::UnknownTopic { topic })?;
        add_roles(&mut topic.staff_roles, roles, guild_id)
    }

    /// Removes up to 5 staff roles from one topic; returns those that were its staff.
    pub fn remove_topic_staff_roles(
        &mut self,
        topic: TopicId,
        roles: &[RoleId],
    ) -> Result<Vec<RoleId>, ValidationError> {
        check_count(
            Countable::RolesPerCommand,
            roles.len(),
            MAX_ROLES_PER_COMMAND,
        )?;
        let topic = self
            .topics
            .iter_mut()
            .find(|t| t.id == topic)
            .ok_or(ValidationError::UnknownTopic { topic })?;
        let removed: Vec<RoleId> = roles
            .iter()
            .copied()
            .filter(|r| topic.staff_roles.contains(r))
            .collect();
        topic.staff_roles.retain(|r| !removed.contains(r));
        Ok(removed)
    }

    /// Sets a template after parsing it; an unknown placeholder is refused with the valid ones.
    pub fn set_template(&mut self, field: Field, source: &str) -> Result<(), ValidationError> {
        let template = parse_template(field, source)?;
        match field {
            Field::WelcomeTemplate => self.welcome_template = template,
            Field::NameTemplate => self.name_template = template,
            _ => return Err(ValidationError::Empty { field }),
        }
        Ok(())
    }

    /// Checks the whole configuration.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.settings.validate()?;
        check_count(
            Countable::StaffRoles,
            self.staff_roles.len(),
            MAX_STAFF_ROLES,
        )?;
        check_count(Countable::Topics, self.topics.len(), MAX_TOPICS)?;
        check_count(Countable::Panels, self.panels.len(), MAX_PANELS)?;
        for (index, topic) in self.topics.iter().enumerate() {
            topic.validate()?;
            if self.topics[..index]
                .iter()
                .any(|t| t.name.eq_ignore_ascii_case(&topic.name))
            {
                return Err(ValidationError::DuplicateName {
                    field: Field::TopicName,
                    name: topic.name.clone(),
                });
            }
        }
        for panel in &self.panels {
            panel.validate(&self.topics)?;
            self.check_panel_name(panel)?;
        }
        Ok(())
    }
}

fn add_roles(
    list: &mut Vec<RoleId>,
    roles: &[RoleId],
    guild_id: GuildId,
) -> Result<Vec<RoleId>, ValidationError> {
    check_count(
        Countable::RolesPerCommand,
        roles.len(),
        MAX_ROLES_PER_COMMAND,
    )?;
    let mut added = Vec::new();
    for role in roles {
        // @everyone as a staff role would make every member staff.
        if role.get() == guild_id.get() {
            return Err(ValidationError::EveryoneRole);
        }
        if !list.contains(role) && !added.contains(role) {
            added.push(*role);
        }
    }
    check_count(
        Countable::StaffRoles,
        list.len() + added.len(),
        MAX_STAFF_ROLES,
    )?;
    list.extend(&added);
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    fn guild() -> GuildConfig {
        GuildConfig::new(Id::new(1))
    }

    #[test]
    fn select_panel_limits() {
        let mut config = guild();
        let mut topics = Vec::new();
        for n in 0..26 {
            topics.push(
                config
                    .add_topic(|id| Topic::new(id, format!("Topic {n}")))
                    .unwrap(),
            );
        }
        let error = config
            .add_panel(|id| Panel {
                style: PanelStyle::SelectMenu,
                topics: topics.clone(),
                ..Panel::new(id, Id::new(5))
            })
            .unwrap_err();
        assert_eq!(
            error,
            ValidationError::TooMany {
                what: Countable::SelectOptions,
                max: 25,
                actual: 26
            }
        );
        assert!(config.panels.is_empty(), "a refused panel is not added");
        let id = config
            .add_panel(|id| Panel {
                style: PanelStyle::SelectMenu,
                topics: topics[..25].to_vec(),
                ..Panel::new(id, Id::new(5))
            })
            .unwrap();
        assert_eq!(config.panel(id).unwrap().topics.len(), 25);
        let empty = config
            .add_panel(|id| Panel {
                style: PanelStyle::SelectMenu,
                ..Panel::new(id, Id::new(5))
            })
            .unwrap_err();
        assert_eq!(empty, ValidationError::NoTopics);
    }

    #[test]
    fn button_panels_lay_out_five_per_row() {
        let mut config = guild();
        let topics: Vec<_> = (0..12)
            .map(|n| {
                config
                    .add_topic(|id| Topic::new(id, format!("T{n}")))
                    .unwrap()
            })
            .collect();
        let id = config
            .add_panel(|id| Panel {
                topics: topics.clone(),
                ..Panel::new(id, Id::new(5))
            })
            .unwrap();
        let rows = config.panel(id).unwrap().button_rows();
        assert_eq!(rows.iter().map(|r| r.len()).collect::<Vec<_>>(), [5, 5, 2]);
    }

    #[test]
    fn topic_names_and_forms_are_checked() {
        let mut config = guild();
        config.add_topic(|id| Topic::new(id, "Billing")).unwrap();
        assert!(matches!(
            config.add_topic(|id| Topic::new(id, "billing")),
            Err(ValidationError::DuplicateName { .. })
        ));
        let long = "x".repeat(101);
        assert_eq!(
            config.add_topic(|id| Topic::new(id, long.as_str())),
            Err(ValidationError::TooLong {
                field: Field::TopicName,
                max: 100,
                actual: 101
            })
        );
        let question = FormQuestion {
            label: "What happened?".into(),
            placeholder: None,
            style: QuestionStyle::Paragraph,
            required: true,
            min_length: None,
            max_length: None,
        };
        let error = config
            .add_topic(|id| Topic {
                questions: vec![question.clone(); 6],
                ..Topic::new(id, "Bugs")
            })
            .unwrap_err();
        assert_eq!(
            error,
            ValidationError::TooMany {
                what: Countable::FormQuestions,
                max: 5,
                actual: 6
            }
        );
        let mut long_label = question.clone();
        long_label.label = "a".repeat(46);
        assert!(matches!(
            long_label.validate(),
            Err(ValidationError::TooLong {
                field: Field::QuestionLabel,
                ..
            })
        ));
        assert_eq!(config.topics.len(), 1);
    }

    #[test]
    fn a_required_reason_leaves_four_questions() {
        let mut config = guild();
        let question = FormQuestion {
            label: "Order number".into(),
            placeholder: None,
            style: QuestionStyle::Short,
            required: true,
            min_length: None,
            max_length: None,
        };
        let topic = config
            .add_topic(|id| Topic {
                questions: vec![question.clone(); 5],
                ..Topic::new(id, "Orders")
            })
            .unwrap();
        let mut panel = Panel::new(PanelId(0), Id::new(5));
        panel.topics = vec![topic];
        panel.settings.reason = ReasonMode::Required;
        assert_eq!(
            config.add_panel(|id| Panel {
                id,
                ..panel.clone()
            }),
            Err(ValidationError::TooMany {
                what: Countable::FormQuestions,
                max: 4,
                actual: 5
            })
        );
        let mut four = config.topic(topic).unwrap().clone();
        four.questions.pop();
        config.update_topic(four.clone()).unwrap();
        let panel_id = config.add_panel(|id| Panel { id, ..panel }).unwrap();
        assert!(config.panel(panel_id).unwrap().shows_form(Some(&four)));
        assert!(!Panel::new(PanelId(9), Id::new(5)).shows_form(None));
        // Editing the topic back to 5 questions is refused and changes nothing.
        let mut five = four.clone();
        five.questions.push(question);
        assert!(config.update_topic(five).is_err());
        assert_eq!(config.topic(topic).unwrap().questions.len(), 4);
    }

    #[test]
    fn answers_are_checked_against_their_question() {
        let select = FormQuestion {
            label: "Platform".into(),
            placeholder: None,
            style: QuestionStyle::Select {
                choices: vec![
                    SelectChoice {
                        label: "PC".into(),
                        description: None,
                    },
                    SelectChoice {
                        label: "Console".into(),
                        description: None,
                    },
                ],
            },
            required: true,
            min_length: None,
            max_length: None,
        };
        select.validate().unwrap();
        assert!(select.check_answer("PC").is_ok());
        assert!(select.check_answer("Phone").is_err());
        assert!(select.check_answer(" ").is_err());
        let short = FormQuestion {
            style: QuestionStyle::Short,
            min_length: Some(3),
            max_length: Some(5),
            ..select
        };
        assert!(short.check_answer("abcd").is_ok());
        assert!(short.check_answer("ab").is_err());
        assert!(short.check_answer("abcdef").is_err());
    }

    #[test]
    fn staff_roles_five_per_command_and_never_everyone() {
        let mut config = guild();
        let roles: Vec<RoleId> = (10..16).map(Id::new).collect();
        assert!(matches!(
            config.add_staff_roles(&roles),
            Err(ValidationError::TooMany { .. })
        ));
        assert_eq!(config.add_staff_roles(&roles[..3]).unwrap().len(), 3);
        assert_eq!(
            config.add_staff_roles(&roles[1..5]).unwrap(),
            roles[3..5].to_vec()
        );
        assert!(config.add_staff_roles(&[Id::new(1)]).is_err());
        assert_eq!(config.remove_staff_roles(&roles[..2]).unwrap().len(), 2);
        assert_eq!(config.staff_roles, roles[2..5].to_vec());
    }

    #[test]
    fn emoji_forms() {
        assert!(validate_emoji("🎫").is_ok());
        assert!(validate_emoji("<:ticket:123456>").is_ok());
        assert!(validate_emoji("<a:spin:42>").is_ok());
        assert!(validate_emoji("ticket").is_err());
        assert!(validate_emoji("<:t:abc>").is_err());
    }

    #[test]
    fn removing_a_topic_takes_it_off_panels() {
        let mut config = guild();
        let a = config.add_topic(|id| Topic::new(id, "A")).unwrap();
        let b = config.add_topic(|id| Topic::new(id, "B")).unwrap();
        let panel = config
            .add_panel(|id| Panel {
                style: PanelStyle::SelectMenu,
                topics: vec![a, b],
                ..Panel::new(id, Id::new(5))
            })
            .unwrap();
        config.remove_topic(a).unwrap();
        assert_eq!(config.panel(panel).unwrap().topics, [b]);
        assert_eq!(config.remove_topic(b), Err(ValidationError::NoTopics));
        config.validate().unwrap();
    }

    #[test]
    fn settings_ranges() {
        let mut config = guild();
        config.settings.auto_close_hours = Some(0);
        assert!(config.validate().is_err());
        config.settings.auto_close_hours = Some(48);
        config.validate().unwrap();
        assert!(config.set_template(Field::NameTemplate, "t-$nope").is_err());
        assert_eq!(config.name_template.source(), DEFAULT_NAME);
    }

    #[test]
    fn a_topics_templates_are_parsed_as_the_guilds_and_cleared_back_to_them() {
        let mut topic = Topic::new(TopicId(1), "Billing");
        topic
            .set_template(Field::WelcomeTemplate, Some("Hi $author, about $topic"))
            .unwrap();
        topic
            .set_template(Field::NameTemplate, Some("bill-$counter"))
            .unwrap();
        assert_eq!(
            topic.welcome_template.as_ref().map(Template::source),
            Some("Hi $author, about $topic")
        );
        let refused = topic.set_template(Field::NameTemplate, Some("t-$nope"));
        assert!(matches!(
            refused,
            Err(ValidationError::Template {
                field: Field::NameTemplate,
                error: crate::TemplateError::UnknownPlaceholder { .. }
            })
        ));
        assert_eq!(
            topic.name_template.as_ref().map(Template::source),
            Some("bill-$counter"),
            "a refusal changes nothing"
        );
        let mut guild = GuildConfig::new(Id::new(1));
        assert_eq!(
            guild.set_template(Field::NameTemplate, "t-$nope"),
            refused.map(drop),
            "the same refusal as the guild's"
        );
        topic.set_template(Field::WelcomeTemplate, None).unwrap();
        assert_eq!(topic.welcome_template, None);
        assert!(topic.set_template(Field::TopicName, Some("x")).is_err());
    }

    /// One configuration command, as `/staff`, `/settings`, `/topic` and `/panel` apply them.
    #[derive(Clone, Debug)]
    enum Command {
        AddStaff(Vec<u64>),
        RemoveStaff(Vec<u64>),
        AddTopicStaff(u32, Vec<u64>),
        RemoveTopicStaff(u32, Vec<u64>),
        AddTopic(String),
        RemoveTopic(u32),
        AddPanel {
            name: String,
            select: bool,
            topics: Vec<u32>,
        },
        RenamePanel(u32, String),
        RemovePanel(u32),
        OpenLimit(u32),
        Cooldown(u32),
        Retention(u32),
        AutoClose(Option<u32>),
        Template(String),
    }

    fn any_command() -> impl proptest::strategy::Strategy<Value = Command> {
        use proptest::prelude::*;
        // Weighted toward additions, so that sequences reach the limits (25 staff roles, 50
        // topics, 25 panels) and not only their first steps.
        let roles = prop::collection::vec(0u64..80, 1..7);
        prop_oneof![
            8 => roles.clone().prop_map(Command::AddStaff),
            1 => roles.clone().prop_map(Command::RemoveStaff),
            3 => ((0u32..60), roles.clone()).prop_map(|(t, r)| Command::AddTopicStaff(t, r)),
            1 => ((0u32..60), roles).prop_map(|(t, r)| Command::RemoveTopicStaff(t, r)),
            6 => "[A-Za-z ]{0,30}".prop_map(Command::AddTopic),
            1 => (0u32..60).prop_map(Command::RemoveTopic),
            3 => ("[A-Za-z]{0,3}", any::<bool>(), prop::collection::vec(0u32..60, 0..30))
                .prop_map(|(name, select, topics)| Command::AddPanel { name, select, topics }),
            1 => ((0u32..60), "[A-Za-z]{0,3}").prop_map(|(p, n)| Command::RenamePanel(p, n)),
            1 => (0u32..30).prop_map(Command::RemovePanel),
            1 => (0u32..40).prop_map(Command::OpenLimit),
            1 => (0u32..100_000).prop_map(Command::Cooldown),
            1 => (0u32..5_000).prop_map(Command::Retention),
            1 => prop::option::of(0u32..3_000).prop_map(Command::AutoClose),
            1 => "[a-z$ ]{0,40}".prop_map(Command::Template),
        ]
    }

    /// Applies a command the way the handlers do: on a copy, kept only when it succeeds. The
    /// configuration methods check what they change themselves: when one succeeds, the whole
    /// configuration must still validate. Plain settings are checked by the handler (as
    /// `/settings set` does) before they are kept.
    fn run(config: &mut GuildConfig, command: Command) -> Result<(), String> {
        let mut next = config.clone();
        let checked_by_the_method = matches!(
            command,
            Command::AddStaff(_)
                | Command::RemoveStaff(_)
                | Command::AddTopicStaff(..)
                | Command::RemoveTopicStaff(..)
                | Command::AddTopic(_)
                | Command::RemoveTopic(_)
                | Command::AddPanel { .. }
                | Command::RenamePanel(..)
                | Command::RemovePanel(_)
                | Command::Template(_)
        );
        let description = format!("{command:?}");
        let applied = match command {
            Command::AddStaff(roles) => next
                .add_staff_roles(
                    &roles
                        .into_iter()
                        .map(|r| Id::new(r + 1))
                        .collect::<Vec<_>>(),
                )
                .map(drop),
            Command::RemoveStaff(roles) => next
                .remove_staff_roles(
                    &roles
                        .into_iter()
                        .map(|r| Id::new(r + 1))
                        .collect::<Vec<_>>(),
                )
                .map(drop),
            Command::AddTopicStaff(topic, roles) => next
                .add_topic_staff_roles(
                    TopicId(topic),
                    &roles
                        .into_iter()
                        .map(|r| Id::new(r + 1))
                        .collect::<Vec<_>>(),
                )
                .map(drop),
            Command::RemoveTopicStaff(topic, roles) => next
                .remove_topic_staff_roles(
                    TopicId(topic),
                    &roles
                        .into_iter()
                        .map(|r| Id::new(r + 1))
                        .collect::<Vec<_>>(),
                )
                .map(drop),
            Command::AddTopic(name) => next.add_topic(|id| Topic::new(id, name)).map(drop),
            Command::RemoveTopic(id) => next.remove_topic(TopicId(id)).map(drop),
            Command::AddPanel {
                name,
                select,
                topics,
            } => next
                .add_panel(|id| Panel {
                    name,
                    style: if select {
                        PanelStyle::SelectMenu
                    } else {
                        PanelStyle::Buttons
                    },
                    topics: topics.into_iter().map(TopicId).collect(),
                    ..Panel::new(id, Id::new(99))
                })
                .map(drop),
            Command::RenamePanel(id, name) => match next.panel(PanelId(id)).cloned() {
                Some(panel) => next.update_panel(Panel { name, ..panel }),
                None => Err(ValidationError::UnknownPanel { panel: PanelId(id) }),
            },
            Command::RemovePanel(id) => next.remove_panel(PanelId(id)).map(drop),
            Command::OpenLimit(limit) => {
                for panel in &mut next.panels {
                    panel.settings.open_limit = limit;
                }
                Ok(())
            }
            Command::Cooldown(secs) => {
                for panel in &mut next.panels {
                    panel.settings.cooldown_secs = secs;
                }
                Ok(())
            }
            Command::Retention(days) => {
                next.settings.transcript_retention_days = days;
                Ok(())
            }
            Command::AutoClose(hours) => {
                next.settings.auto_close_hours = hours;
                Ok(())
            }
            Command::Template(source) => next.set_template(Field::WelcomeTemplate, &source),
        };
        if applied.is_err() {
            return Ok(());
        }
        match next.validate() {
            Ok(()) => {
                *config = next;
                Ok(())
            }
            Err(error) if checked_by_the_method => Err(format!(
                "{description} succeeded but left an invalid configuration: {error}"
            )),
            Err(_) => Ok(()),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]

        /// Whatever admins type, in whatever order, the configuration stays valid: every
        /// command either applies whole or changes nothing.
        #[test]
        fn any_sequence_of_configuration_commands_leaves_a_valid_config(
            commands in proptest::collection::vec(any_command(), 1..120)
        ) {
            let mut config = guild();
            for command in commands {
                if let Err(broken) = run(&mut config, command) {
                    proptest::prop_assert!(false, "{}", broken);
                }
                proptest::prop_assert!(config.validate().is_ok(), "{config:?}");
                proptest::prop_assert!(
                    !config.staff_roles.iter().any(|r| r.get() == config.guild_id.get()),
                    "@everyone is never staff"
                );
            }
        }
    }
}
