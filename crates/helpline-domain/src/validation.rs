//! Validation errors: each names what is wrong in terms an admin can act on (which field, which
//! limit, what was given), so the i18n crate can turn it into a sentence.

use crate::ids::{PanelId, TopicId};
use crate::template::TemplateError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A piece of configuration an admin fills in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    TopicName,
    TopicDescription,
    TopicEmoji,
    AutoResponse,
    ButtonLabel,
    SelectPlaceholder,
    PanelTitle,
    PanelDescription,
    ModalTitle,
    QuestionLabel,
    QuestionPlaceholder,
    QuestionChoice,
    QuestionLength,
    ChannelName,
    WelcomeTemplate,
    NameTemplate,
    Reason,
    Answer,
    OpenLimit,
    Cooldown,
    AutoCloseHours,
    RetentionDays,
    PanelName,
    CloseRequestHours,
    TagName,
    TagContent,
    Rating,
    Comment,
}

impl Field {
    /// Every field, for exhaustive tests and translations.
    pub const ALL: [Self; 28] = [
        Self::TopicName,
        Self::TopicDescription,
        Self::TopicEmoji,
        Self::AutoResponse,
        Self::ButtonLabel,
        Self::SelectPlaceholder,
        Self::PanelTitle,
        Self::PanelDescription,
        Self::ModalTitle,
        Self::QuestionLabel,
        Self::QuestionPlaceholder,
        Self::QuestionChoice,
        Self::QuestionLength,
        Self::ChannelName,
        Self::WelcomeTemplate,
        Self::NameTemplate,
        Self::Reason,
        Self::Answer,
        Self::OpenLimit,
        Self::Cooldown,
        Self::AutoCloseHours,
        Self::RetentionDays,
        Self::PanelName,
        Self::CloseRequestHours,
        Self::TagName,
        Self::TagContent,
        Self::Rating,
        Self::Comment,
    ];

    /// A stable snake_case name, used in translation keys.
    pub const fn name(self) -> &'static str {
        match self {
            Self::TopicName => "topic_name",
            Self::TopicDescription => "topic_description",
            Self::TopicEmoji => "topic_emoji",
            Self::AutoResponse => "auto_response",
            Self::ButtonLabel => "button_label",
            Self::SelectPlaceholder => "select_placeholder",
            Self::PanelTitle => "panel_title",
            Self::PanelDescription => "panel_description",
            Self::ModalTitle => "modal_title",
            Self::QuestionLabel => "question_label",
            Self::QuestionPlaceholder => "question_placeholder",
            Self::QuestionChoice => "question_choice",
            Self::QuestionLength => "question_length",
            Self::ChannelName => "channel_name",
            Self::WelcomeTemplate => "welcome_template",
            Self::NameTemplate => "name_template",
            Self::Reason => "reason",
            Self::Answer => "answer",
            Self::OpenLimit => "open_limit",
            Self::Cooldown => "cooldown",
            Self::AutoCloseHours => "auto_close_hours",
            Self::RetentionDays => "retention_days",
            Self::PanelName => "panel_name",
            Self::CloseRequestHours => "close_request_hours",
            Self::TagName => "tag_name",
            Self::TagContent => "tag_content",
            Self::Rating => "rating",
            Self::Comment => "comment",
        }
    }
}

/// Things of which a guild or a message may hold only so many.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Countable {
    /// Options in a panel's select menu (Discord: 25).
    SelectOptions,
    /// Buttons under a panel (Discord: 5 rows of 5).
    PanelButtons,
    /// Inputs in a topic's form (Discord: 5 per modal).
    FormQuestions,
    /// Choices of one select question.
    QuestionChoices,
    /// Roles given in one command (A4: 5).
    RolesPerCommand,
    /// Staff roles, guild-wide or on one topic.
    StaffRoles,
    /// Roles pinged when a ticket opens.
    PingRoles,
    /// Topics in a guild.
    Topics,
    /// Panels in a guild.
    Panels,
    /// Saved answers (tags) in a guild.
    Tags,
    /// Blacklist entries in a guild.
    Blacklist,
}

impl Countable {
    /// Every countable, for exhaustive tests and translations.
    pub const ALL: [Self; 11] = [
        Self::SelectOptions,
        Self::PanelButtons,
        Self::FormQuestions,
        Self::QuestionChoices,
        Self::RolesPerCommand,
        Self::StaffRoles,
        Self::PingRoles,
        Self::Topics,
        Self::Panels,
        Self::Tags,
        Self::Blacklist,
    ];

    /// A stable snake_case name, used in translation keys.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SelectOptions => "select_options",
            Self::PanelButtons => "panel_buttons",
            Self::FormQuestions => "form_questions",
            Self::QuestionChoices => "question_choices",
            Self::RolesPerCommand => "roles_per_command",
            Self::StaffRoles => "staff_roles",
            Self::PingRoles => "ping_roles",
            Self::Topics => "topics",
            Self::Panels => "panels",
            Self::Tags => "tags",
            Self::Blacklist => "blacklist",
        }
    }
}

/// Why a piece of configuration or input cannot be accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "invalid", rename_all = "snake_case")]
pub enum ValidationError {
    /// A text is longer than Discord (or Helpline) allows.
    TooLong {
        field: Field,
        max: usize,
        actual: usize,
    },
    /// A text that must be given is empty.
    Empty { field: Field },
    /// A number is outside its allowed range.
    OutOfRange {
        field: Field,
        min: u64,
        max: u64,
        actual: u64,
    },
    /// More items than allowed.
    TooMany {
        what: Countable,
        max: usize,
        actual: usize,
    },
    /// A select menu panel without any topic to choose from.
    NoTopics,
    /// Two topics, or two choices of one question, with the same name.
    DuplicateName { field: Field, name: String },
    /// A role is already in the list it is being added to.
    AlreadyPresent,
    /// A panel names a topic that does not exist.
    UnknownTopic { topic: TopicId },
    /// A panel id that does not exist.
    UnknownPanel { panel: PanelId },
    /// A template is malformed.
    Template { field: Field, error: TemplateError },
    /// `@everyone` was given as a staff role: every member would be staff.
    EveryoneRole,
    /// Support hours or their time zone could not be read.
    SupportHours,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { field, max, actual } => {
                write!(
                    f,
                    "{} is {actual} characters long, at most {max} allowed",
                    field.name()
                )
            }
            Self::Empty { field } => write!(f, "{} must not be empty", field.name()),
            Self::OutOfRange {
                field,
                min,
                max,
                actual,
            } => {
                write!(
                    f,
                    "{} is {actual}, it must be from {min} to {max}",
                    field.name()
                )
            }
            Self::TooMany { what, max, actual } => {
                write!(f, "{actual} {} given, at most {max} allowed", what.name())
            }
            Self::NoTopics => f.write_str("a select menu panel needs at least one topic"),
            Self::DuplicateName { field, name } => {
                write!(f, "{} {name:?} is used twice", field.name())
            }
            Self::AlreadyPresent => f.write_str("already present"),
            Self::EveryoneRole => f.write_str("@everyone cannot be a staff role"),
            Self::SupportHours => f.write_str("unreadable support hours or time zone"),
            Self::UnknownTopic { topic } => write!(f, "there is no topic {topic}"),
            Self::UnknownPanel { panel } => write!(f, "there is no panel {panel}"),
            Self::Template { field, error } => write!(f, "{}: {error}", field.name()),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Checks that `text` is at most `max` characters long.
pub(crate) fn check_len(field: Field, text: &str, max: usize) -> Result<(), ValidationError> {
    let actual = crate::limits::char_len(text);
    if actual > max {
        return Err(ValidationError::TooLong { field, max, actual });
    }
    Ok(())
}

/// Checks that `text` is not blank and at most `max` characters long.
pub(crate) fn check_required(field: Field, text: &str, max: usize) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        return Err(ValidationError::Empty { field });
    }
    check_len(field, text, max)
}

/// Checks that `count` is at most `max`.
pub(crate) fn check_count(
    what: Countable,
    count: usize,
    max: usize,
) -> Result<(), ValidationError> {
    if count > max {
        return Err(ValidationError::TooMany {
            what,
            max,
            actual: count,
        });
    }
    Ok(())
}

/// Checks that `value` is within `min..=max`.
pub(crate) fn check_range(
    field: Field,
    value: u64,
    min: u64,
    max: u64,
) -> Result<(), ValidationError> {
    if value < min || value > max {
        return Err(ValidationError::OutOfRange {
            field,
            min,
            max,
            actual: value,
        });
    }
    Ok(())
}
