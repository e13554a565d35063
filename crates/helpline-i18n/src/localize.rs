//! Domain values turned into sentences. Every `match` here is exhaustive, without a wildcard:
//! a new variant in `helpline-domain` does not compile until it has words.

use crate::translator::{Arg, TextError, Translator};
use helpline_domain::{
    ActionKind, ChannelId, CloseReason, Countable, Field, GuildConfig, Language, LogKind, Notice,
    Refusal, RoleId, TemplateError, TicketState, TopicId, UserId, ValidationError,
};

/// A value that has words: a refusal, an error, a notice, a state…
pub trait Localize {
    /// This value as text in the localizer's language.
    fn localize(&self, localizer: &mut Localizer<'_>) -> String;
}

/// Renders values in one language, optionally with a guild's configuration to name its topics,
/// and remembers every fallback or formatting problem on the way.
#[derive(Debug)]
pub struct Localizer<'t> {
    translator: &'t Translator,
    language: Language,
    config: Option<&'t GuildConfig>,
    errors: Vec<TextError>,
    #[cfg(test)]
    pub(crate) used_keys: std::collections::BTreeSet<String>,
}

impl<'t> Localizer<'t> {
    /// A localizer for `language`.
    pub fn new(translator: &'t Translator, language: Language) -> Self {
        Self {
            translator,
            language,
            config: None,
            errors: Vec::new(),
            #[cfg(test)]
            used_keys: std::collections::BTreeSet::new(),
        }
    }

    /// Names topics from `config` (a moved ticket's new topic) instead of by their number.
    pub fn with_config(mut self, config: &'t GuildConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// The language this localizer writes.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The message `key` with `args`, as [`Translator::text`].
    pub fn text(&mut self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        #[cfg(test)]
        self.used_keys.insert(key.to_owned());
        self.translator
            .format(self.language, key, args, &mut self.errors)
    }

    /// `value` as text.
    pub fn render<T: Localize + ?Sized>(&mut self, value: &T) -> String {
        value.localize(self)
    }

    /// The problems met so far.
    pub fn errors(&self) -> &[TextError] {
        &self.errors
    }

    /// `Err` with every problem met, if any.
    pub fn finish(self) -> Result<(), Vec<TextError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// A duration in seconds in words, with its two largest units ("1 minute and 30 seconds"),
    /// rounded up so that a member told to wait that long is never too early.
    pub fn duration(&mut self, secs: u64) -> String {
        const MINUTE: u64 = 60;
        const HOUR: u64 = 60 * MINUTE;
        const DAY: u64 = 24 * HOUR;
        let (larger, smaller) = if secs < MINUTE {
            (("duration-seconds", secs), None)
        } else if secs < HOUR {
            (
                ("duration-minutes", secs / MINUTE),
                Some(("duration-seconds", secs % MINUTE)),
            )
        } else if secs < DAY {
            let minutes = secs.div_ceil(MINUTE);
            (
                ("duration-hours", minutes / 60),
                Some(("duration-minutes", minutes % 60)),
            )
        } else {
            let hours = secs.div_ceil(HOUR);
            (
                ("duration-days", hours / 24),
                Some(("duration-hours", hours % 24)),
            )
        };
        let larger = self.text(larger.0, &[("count", larger.1.into())]);
        match smaller {
            Some((key, count)) if count > 0 => {
                let smaller = self.text(key, &[("count", count.into())]);
                self.text(
                    "duration-pair",
                    &[("larger", larger.into()), ("smaller", smaller.into())],
                )
            }
            _ => larger,
        }
    }

    /// A topic's name from the configuration, or its number.
    fn topic(&mut self, topic: TopicId) -> String {
        if let Some(found) = self.config.and_then(|config| config.topic(topic)) {
            return found.name.clone();
        }
        self.text("common-topic_id", &[("id", topic.to_string().into())])
    }

    /// `main`, then a "Reason: …" line when a reason was given.
    fn with_reason(&mut self, main: String, reason: Option<&str>) -> String {
        match reason.map(str::trim).filter(|reason| !reason.is_empty()) {
            Some(reason) => {
                let line = self.text("common-reason", &[("reason", reason.into())]);
                format!("{main}\n{line}")
            }
            None => main,
        }
    }
}

fn user(id: UserId) -> Arg<'static> {
    Arg::Text(format!("<@{id}>").into())
}

fn role(id: RoleId) -> Arg<'static> {
    Arg::Text(format!("<@&{id}>").into())
}

fn channel(id: ChannelId) -> String {
    format!("<#{id}>")
}

impl Localize for Refusal {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        match self {
            Self::NotStaff => l.text("refusal-not_staff", &[]),
            Self::NotOpener => l.text("refusal-not_opener", &[]),
            Self::NotOpenerOrStaff => l.text("refusal-not_opener_or_staff", &[]),
            Self::NotClaimer { claimer } => {
                l.text("refusal-not_claimer", &[("claimer", user(*claimer))])
            }
            Self::SystemOnly => l.text("refusal-system_only", &[]),
            Self::Disabled => l.text("refusal-disabled", &[]),
            Self::Blacklisted => l.text("refusal-blacklisted", &[]),
            Self::AlreadyRated => l.text("refusal-already_rated", &[]),
            Self::NotRated => l.text("refusal-not_rated", &[]),
            Self::AwaitingApproval => l.text("refusal-awaiting_approval", &[]),
            Self::NotAwaitingApproval => l.text("refusal-not_awaiting_approval", &[]),
            Self::AlreadyClaimed { by } => {
                l.text("refusal-already_claimed", &[("claimer", user(*by))])
            }
            Self::NotClaimed => l.text("refusal-not_claimed", &[]),
            Self::AlreadyClosed => l.text("refusal-already_closed", &[]),
            Self::AlreadyDeleted => l.text("refusal-already_deleted", &[]),
            Self::WasRefused => l.text("refusal-was_refused", &[]),
            Self::NotClosed => l.text("refusal-not_closed", &[]),
            Self::CloseRequestPending => l.text("refusal-close_request_pending", &[]),
            Self::NoCloseRequest => l.text("refusal-no_close_request", &[]),
            Self::NotInactive => l.text("refusal-not_inactive", &[]),
            Self::TargetNotStaff { user: target } => {
                l.text("refusal-target_not_staff", &[("user", user(*target))])
            }
            Self::AlreadyInTicket => l.text("refusal-already_in_ticket", &[]),
            Self::NotInTicket => l.text("refusal-not_in_ticket", &[]),
            Self::CannotRemoveOpener => l.text("refusal-cannot_remove_opener", &[]),
            Self::CannotRemoveStaff => l.text("refusal-cannot_remove_staff", &[]),
            Self::ProtectedRole { role: protected } => {
                l.text("refusal-protected_role", &[("role", role(*protected))])
            }
            Self::EveryoneRole => l.text("refusal-everyone_role", &[]),
            Self::RolesNotInThreads => l.text("refusal-roles_not_in_threads", &[]),
            Self::SameTopic => l.text("refusal-same_topic", &[]),
            Self::UnknownTopic { topic: _ } => l.text("refusal-unknown_topic", &[]),
            Self::UnknownPanel { panel: _ } => l.text("refusal-unknown_panel", &[]),
            Self::TopicNotOnPanel { topic: _ } => l.text("refusal-topic_not_on_panel", &[]),
            Self::TopicRequired => l.text("refusal-topic_required", &[]),
            Self::ReasonRequired => l.text("refusal-reason_required", &[]),
            Self::Invalid(error) => l.render(error),
            Self::OpenLimitReached { limit, open } => {
                let tickets = open
                    .iter()
                    .map(|id| channel(*id))
                    .collect::<Vec<_>>()
                    .join(", ");
                l.text(
                    "refusal-open_limit",
                    &[
                        ("limit", (*limit).into()),
                        ("count", open.len().into()),
                        ("tickets", tickets.into()),
                    ],
                )
            }
            Self::Cooldown { retry_after_secs } => {
                let wait = l.duration(*retry_after_secs);
                l.text("refusal-cooldown", &[("wait", wait.into())])
            }
            Self::RenameTooSoon { retry_after_secs } => {
                let wait = l.duration(*retry_after_secs);
                l.text("refusal-rename_too_soon", &[("wait", wait.into())])
            }
        }
    }
}

/// The unit of a field's number, for out-of-range messages.
enum Unit {
    Plain,
    Characters,
    Seconds,
    Hours,
    Days,
}

const fn unit(field: Field) -> Unit {
    match field {
        Field::QuestionLength | Field::Answer => Unit::Characters,
        Field::Cooldown => Unit::Seconds,
        Field::AutoCloseHours | Field::CloseRequestHours => Unit::Hours,
        Field::RetentionDays => Unit::Days,
        Field::OpenLimit
        | Field::TopicName
        | Field::TopicDescription
        | Field::TopicEmoji
        | Field::AutoResponse
        | Field::ButtonLabel
        | Field::SelectPlaceholder
        | Field::PanelTitle
        | Field::PanelDescription
        | Field::ModalTitle
        | Field::QuestionLabel
        | Field::QuestionPlaceholder
        | Field::QuestionChoice
        | Field::ChannelName
        | Field::WelcomeTemplate
        | Field::NameTemplate
        | Field::Reason
        | Field::PanelName
        | Field::TagName
        | Field::TagContent
        | Field::Rating
        | Field::Comment => Unit::Plain,
    }
}

impl Localize for ValidationError {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        match self {
            Self::TooLong { field, max, actual } => {
                let field = l.render(field);
                l.text(
                    "invalid-too_long",
                    &[
                        ("field", field.into()),
                        ("max", (*max).into()),
                        ("actual", (*actual).into()),
                    ],
                )
            }
            Self::Empty { field } => {
                let field = l.render(field);
                l.text("invalid-empty", &[("field", field.into())])
            }
            Self::OutOfRange {
                field,
                min,
                max,
                actual,
            } => {
                let key = match unit(*field) {
                    Unit::Plain => "invalid-out_of_range",
                    Unit::Characters => "invalid-out_of_range_characters",
                    Unit::Seconds => "invalid-out_of_range_seconds",
                    Unit::Hours => "invalid-out_of_range_hours",
                    Unit::Days => "invalid-out_of_range_days",
                };
                let field = l.render(field);
                l.text(
                    key,
                    &[
                        ("field", field.into()),
                        ("min", (*min).into()),
                        ("max", (*max).into()),
                        ("actual", (*actual).into()),
                    ],
                )
            }
            Self::TooMany { what, max, actual } => {
                let what = l.render(what);
                l.text(
                    "invalid-too_many",
                    &[
                        ("what", what.into()),
                        ("max", (*max).into()),
                        ("actual", (*actual).into()),
                        ("excess", actual.saturating_sub(*max).into()),
                    ],
                )
            }
            Self::NoTopics => l.text("invalid-no_topics", &[]),
            Self::DuplicateName { field, name } => {
                let field = l.render(field);
                l.text(
                    "invalid-duplicate_name",
                    &[("field", field.into()), ("name", name.as_str().into())],
                )
            }
            Self::AlreadyPresent => l.text("invalid-already_present", &[]),
            Self::EveryoneRole => l.text("invalid-everyone_role", &[]),
            Self::SupportHours => l.text("invalid-support_hours", &[]),
            Self::UnknownTopic { topic } => l.text(
                "invalid-unknown_topic",
                &[("topic", topic.to_string().into())],
            ),
            Self::UnknownPanel { panel } => l.text(
                "invalid-unknown_panel",
                &[("panel", panel.to_string().into())],
            ),
            Self::Template { field, error } => {
                let field = l.render(field);
                let error = l.render(error);
                l.text(
                    "invalid-template",
                    &[("field", field.into()), ("error", error.into())],
                )
            }
        }
    }
}

impl Localize for TemplateError {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        match self {
            Self::UnknownPlaceholder { name, valid } => l.text(
                "template-unknown_placeholder",
                &[
                    ("name", name.as_str().into()),
                    ("valid", valid.as_str().into()),
                ],
            ),
            Self::Unclosed => l.text("template-unclosed", &[]),
            Self::TooLong { max, actual } => l.text(
                "template-too_long",
                &[("max", (*max).into()), ("actual", (*actual).into())],
            ),
        }
    }
}

/// A field's label, as admins see it.
impl Localize for Field {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        let key = match self {
            Self::TopicName => "field-topic_name",
            Self::TopicDescription => "field-topic_description",
            Self::TopicEmoji => "field-topic_emoji",
            Self::AutoResponse => "field-auto_response",
            Self::ButtonLabel => "field-button_label",
            Self::SelectPlaceholder => "field-select_placeholder",
            Self::PanelTitle => "field-panel_title",
            Self::PanelDescription => "field-panel_description",
            Self::ModalTitle => "field-modal_title",
            Self::QuestionLabel => "field-question_label",
            Self::QuestionPlaceholder => "field-question_placeholder",
            Self::QuestionChoice => "field-question_choice",
            Self::QuestionLength => "field-question_length",
            Self::ChannelName => "field-channel_name",
            Self::WelcomeTemplate => "field-welcome_template",
            Self::NameTemplate => "field-name_template",
            Self::Reason => "field-reason",
            Self::Answer => "field-answer",
            Self::OpenLimit => "field-open_limit",
            Self::Cooldown => "field-cooldown",
            Self::AutoCloseHours => "field-auto_close_hours",
            Self::CloseRequestHours => "field-close_request_hours",
            Self::TagName => "field-tag_name",
            Self::TagContent => "field-tag_content",
            Self::Rating => "field-rating",
            Self::Comment => "field-comment",
            Self::RetentionDays => "field-retention_days",
            Self::PanelName => "field-panel_name",
        };
        l.text(key, &[])
    }
}

/// What is counted, in the plural and lower case ("staff roles").
impl Localize for Countable {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        let key = match self {
            Self::SelectOptions => "countable-select_options",
            Self::PanelButtons => "countable-panel_buttons",
            Self::FormQuestions => "countable-form_questions",
            Self::QuestionChoices => "countable-question_choices",
            Self::RolesPerCommand => "countable-roles_per_command",
            Self::StaffRoles => "countable-staff_roles",
            Self::PingRoles => "countable-ping_roles",
            Self::Topics => "countable-topics",
            Self::Panels => "countable-panels",
            Self::Tags => "countable-tags",
            Self::Blacklist => "countable-blacklist",
        };
        l.text(key, &[])
    }
}

impl Localize for Notice {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        match self {
            Self::Approved { by } => l.text("notice-approved", &[("by", user(*by))]),
            Self::Refused { by, reason } => {
                let main = match by {
                    Some(by) => l.text("notice-refused", &[("by", user(*by))]),
                    None => l.text("notice-refused_anonymous", &[]),
                };
                l.with_reason(main, reason.as_deref())
            }
            Self::Claimed { by } => l.text("notice-claimed", &[("by", user(*by))]),
            Self::Unclaimed { by } => l.text("notice-unclaimed", &[("by", user(*by))]),
            Self::Transferred { from, to, by } => match from {
                Some(from) if from != by => l.text(
                    "notice-transferred",
                    &[("by", user(*by)), ("from", user(*from)), ("to", user(*to))],
                ),
                Some(_) | None => l.text(
                    "notice-transferred_unclaimed",
                    &[("by", user(*by)), ("to", user(*to))],
                ),
            },
            Self::CloseRequested { by, reason } => {
                let main = l.text("notice-close_requested", &[("by", user(*by))]);
                l.with_reason(main, reason.as_deref())
            }
            Self::CloseRequestDeclined { by } => {
                l.text("notice-close_request_declined", &[("by", user(*by))])
            }
            Self::Closed { by, reason } => match (by, reason) {
                (Some(by), CloseReason::NoneGiven) => l.text("notice-closed", &[("by", user(*by))]),
                (
                    Some(by),
                    CloseReason::Given(_)
                    | CloseReason::Inactive(_)
                    | CloseReason::OpenerLeft
                    | CloseReason::OpenFailed
                    | CloseReason::ChannelDeleted
                    | CloseReason::CloseRequestUnanswered(_),
                ) => {
                    let main = l.text("notice-closed", &[("by", user(*by))]);
                    let reason = l.render(reason);
                    l.with_reason(main, Some(reason.as_str()))
                }
                (None, CloseReason::Inactive(hours)) => {
                    let duration = l.duration(u64::from(*hours) * 3600);
                    l.text("notice-closed_inactive", &[("duration", duration.into())])
                }
                (None, CloseReason::OpenerLeft) => l.text("notice-closed_opener_left", &[]),
                (None, CloseReason::OpenFailed) => l.text("notice-closed_open_failed", &[]),
                (None, CloseReason::ChannelDeleted) => l.text("notice-closed_channel_deleted", &[]),
                (None, CloseReason::CloseRequestUnanswered(hours)) => {
                    let duration = l.duration(u64::from(*hours) * 3600);
                    l.text(
                        "notice-closed_request_unanswered",
                        &[("duration", duration.into())],
                    )
                }
                (None, CloseReason::NoneGiven) => l.text("notice-closed_automatically", &[]),
                (None, CloseReason::Given(reason)) => {
                    let main = l.text("notice-closed_automatically", &[]);
                    l.with_reason(main, Some(reason.as_str()))
                }
            },
            Self::Reopened { by } => l.text("notice-reopened", &[("by", user(*by))]),
            Self::MemberAdded { member, by } => l.text(
                "notice-member_added",
                &[("by", user(*by)), ("member", user(*member))],
            ),
            Self::MemberRemoved { member, by } => l.text(
                "notice-member_removed",
                &[("by", user(*by)), ("member", user(*member))],
            ),
            Self::RoleAdded { role: added, by } => l.text(
                "notice-role_added",
                &[("by", user(*by)), ("role", role(*added))],
            ),
            Self::RoleRemoved { role: removed, by } => l.text(
                "notice-role_removed",
                &[("by", user(*by)), ("role", role(*removed))],
            ),
            Self::Renamed { name, by } => l.text(
                "notice-renamed",
                &[("by", user(*by)), ("name", name.as_str().into())],
            ),
            Self::Moved { topic, by } => {
                let topic = l.topic(*topic);
                l.text(
                    "notice-moved",
                    &[("by", user(*by)), ("topic", topic.into())],
                )
            }
            Self::OpenerLeft { user: left } => {
                l.text("notice-opener_left", &[("user", user(*left))])
            }
            Self::OpenedFor { by } => l.text("notice-opened_for", &[("by", user(*by))]),
            Self::OutsideHours { back_at } => {
                let secs = back_at.as_secs();
                l.text(
                    "notice-outside_hours",
                    &[("when", format!("<t:{secs}:F> (<t:{secs}:R>)").into())],
                )
            }
            // Discord shows `<t:…:R>` as a relative time in the reader's own language.
            Self::AutoCloseWarning { closes_at } => l.text(
                "notice-auto_close_warning",
                &[("when", format!("<t:{}:R>", closes_at.as_secs()).into())],
            ),
        }
    }
}

/// Why a ticket was closed, as a short phrase (the closer's own words when they gave some).
impl Localize for CloseReason {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        match self {
            Self::Given(reason) => reason.clone(),
            Self::NoneGiven => l.text("close_reason-none_given", &[]),
            Self::Inactive(hours) => {
                let duration = l.duration(u64::from(*hours) * 3600);
                l.text("close_reason-inactive", &[("duration", duration.into())])
            }
            Self::OpenerLeft => l.text("close_reason-opener_left", &[]),
            Self::OpenFailed => l.text("close_reason-open_failed", &[]),
            Self::ChannelDeleted => l.text("close_reason-channel_deleted", &[]),
            Self::CloseRequestUnanswered(hours) => {
                let duration = l.duration(u64::from(*hours) * 3600);
                l.text(
                    "close_reason-close_request_unanswered",
                    &[("duration", duration.into())],
                )
            }
        }
    }
}

/// A log-channel entry's title.
impl Localize for LogKind {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        let key = match self {
            Self::Requested => "log-requested",
            Self::Opened => "log-opened",
            Self::Refused => "log-refused",
            Self::Claimed => "log-claimed",
            Self::Unclaimed => "log-unclaimed",
            Self::Transferred => "log-transferred",
            Self::Closed => "log-closed",
            Self::Reopened => "log-reopened",
            Self::Deleted => "log-deleted",
            Self::CloseRequested => "log-close_requested",
            Self::MemberAdded => "log-member_added",
            Self::MemberRemoved => "log-member_removed",
            Self::RoleAdded => "log-role_added",
            Self::RoleRemoved => "log-role_removed",
            Self::Renamed => "log-renamed",
            Self::Moved => "log-moved",
        };
        l.text(key, &[])
    }
}

/// A state's name.
impl Localize for TicketState {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        let key = match self {
            Self::Requested => "state-requested",
            Self::Open => "state-open",
            Self::Claimed => "state-claimed",
            Self::Closed => "state-closed",
            Self::Deleted => "state-deleted",
            Self::Refused => "state-refused",
        };
        l.text(key, &[])
    }
}

/// An action's name, fit for a button label.
impl Localize for ActionKind {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        let key = match self {
            Self::Open => "action-open",
            Self::Approve => "action-approve",
            Self::Refuse => "action-refuse",
            Self::Claim => "action-claim",
            Self::Unclaim => "action-unclaim",
            Self::Transfer => "action-transfer",
            Self::Close => "action-close",
            Self::RequestClose => "action-request_close",
            Self::AcceptCloseRequest => "action-accept_close_request",
            Self::DeclineCloseRequest => "action-decline_close_request",
            Self::AddMember => "action-add_member",
            Self::RemoveMember => "action-remove_member",
            Self::AddRole => "action-add_role",
            Self::RemoveRole => "action-remove_role",
            Self::Rename => "action-rename",
            Self::Move => "action-move",
            Self::Reopen => "action-reopen",
            Self::Delete => "action-delete",
            Self::AutoClose => "action-auto_close",
            Self::Timer => "action-timer",
            Self::Rate => "action-rate",
            Self::Comment => "action-comment",
            Self::OpenerLeft => "action-opener_left",
            Self::ChannelCreated => "action-channel_created",
            Self::Abandon => "action-abandon",
            Self::ChannelDeleted => "action-channel_deleted",
            Self::RefreshAccess => "action-refresh_access",
        };
        l.text(key, &[])
    }
}
