//! One value (at least) of every variant of every domain type this crate puts into words.
//!
//! Each `*_variant` function numbers the variants with an exhaustive `match`: a new domain
//! variant stops this file from compiling, and a sample list that misses a number fails
//! [`samples_cover_every_variant`].

use crate::localize::Localize;
use crate::permissions::Missing;
use helpline_domain::permissions::{BOT_REQUIRED, Permissions};
use helpline_domain::{
    ActionKind, ChannelId, CloseReason, Countable, Field, LogKind, Notice, PanelId, Placeholder,
    Refusal, RoleId, TemplateError, TicketState, TopicId, UserId, ValidationError,
};
use std::collections::BTreeSet;
use std::fmt::Debug;

pub(crate) fn user(id: u64) -> UserId {
    UserId::new(id)
}

pub(crate) fn role(id: u64) -> RoleId {
    RoleId::new(id)
}

pub(crate) fn channel(id: u64) -> ChannelId {
    ChannelId::new(id)
}

pub(crate) fn template_errors() -> Vec<TemplateError> {
    vec![
        TemplateError::UnknownPlaceholder {
            name: "autor".to_owned(),
            valid: Placeholder::valid_list(),
        },
        TemplateError::Unclosed,
        TemplateError::TooLong {
            max: 4096,
            actual: 5000,
        },
    ]
}

const fn template_error_variant(error: &TemplateError) -> usize {
    match error {
        TemplateError::UnknownPlaceholder { .. } => 0,
        TemplateError::Unclosed => 1,
        TemplateError::TooLong { .. } => 2,
    }
}

pub(crate) fn validation_errors() -> Vec<ValidationError> {
    let mut errors = Vec::new();
    for field in Field::ALL {
        errors.push(ValidationError::TooLong {
            field,
            max: 100,
            actual: 120,
        });
        errors.push(ValidationError::Empty { field });
        errors.push(ValidationError::OutOfRange {
            field,
            min: 1,
            max: 25,
            actual: 30,
        });
        errors.push(ValidationError::DuplicateName {
            field,
            name: "Billing".to_owned(),
        });
    }
    for what in Countable::ALL {
        errors.push(ValidationError::TooMany {
            what,
            max: 5,
            actual: 7,
        });
    }
    errors.push(ValidationError::OutOfRange {
        field: Field::Answer,
        min: 10,
        max: 100,
        actual: 1,
    });
    errors.push(ValidationError::NoTopics);
    errors.push(ValidationError::AlreadyPresent);
    errors.push(ValidationError::EveryoneRole);
    errors.push(ValidationError::SupportHours);
    errors.push(ValidationError::UnknownTopic { topic: TopicId(3) });
    errors.push(ValidationError::UnknownPanel { panel: PanelId(4) });
    for error in template_errors() {
        errors.push(ValidationError::Template {
            field: Field::WelcomeTemplate,
            error,
        });
    }
    errors
}

const fn validation_error_variant(error: &ValidationError) -> usize {
    match error {
        ValidationError::TooLong { .. } => 0,
        ValidationError::Empty { .. } => 1,
        ValidationError::OutOfRange { .. } => 2,
        ValidationError::TooMany { .. } => 3,
        ValidationError::NoTopics => 4,
        ValidationError::DuplicateName { .. } => 5,
        ValidationError::AlreadyPresent => 6,
        ValidationError::UnknownTopic { .. } => 7,
        ValidationError::UnknownPanel { .. } => 8,
        ValidationError::Template { .. } => 9,
        ValidationError::EveryoneRole => 10,
        ValidationError::SupportHours => 11,
    }
}

pub(crate) fn refusals() -> Vec<Refusal> {
    let mut refusals = vec![
        Refusal::NotStaff,
        Refusal::NotOpener,
        Refusal::NotOpenerOrStaff,
        Refusal::NotClaimer { claimer: user(11) },
        Refusal::SystemOnly,
        Refusal::Disabled,
        Refusal::Blacklisted,
        Refusal::AlreadyRated,
        Refusal::NotRated,
        Refusal::AwaitingApproval,
        Refusal::NotAwaitingApproval,
        Refusal::AlreadyClaimed { by: user(12) },
        Refusal::NotClaimed,
        Refusal::AlreadyClosed,
        Refusal::AlreadyDeleted,
        Refusal::WasRefused,
        Refusal::NotClosed,
        Refusal::CloseRequestPending,
        Refusal::NoCloseRequest,
        Refusal::NotInactive,
        Refusal::TargetNotStaff { user: user(13) },
        Refusal::AlreadyInTicket,
        Refusal::NotInTicket,
        Refusal::CannotRemoveOpener,
        Refusal::CannotRemoveStaff,
        Refusal::ProtectedRole { role: role(14) },
        Refusal::EveryoneRole,
        Refusal::RolesNotInThreads,
        Refusal::SameTopic,
        Refusal::UnknownTopic { topic: TopicId(1) },
        Refusal::UnknownPanel { panel: PanelId(2) },
        Refusal::TopicNotOnPanel { topic: TopicId(3) },
        Refusal::TopicRequired,
        Refusal::ReasonRequired,
    ];
    refusals.extend(validation_errors().into_iter().map(Refusal::Invalid));
    for (limit, open) in [
        (1, vec![channel(20)]),
        (3, vec![channel(20), channel(21), channel(22)]),
        (2, vec![channel(20)]),
        (1, vec![]),
        (2, vec![]),
    ] {
        refusals.push(Refusal::OpenLimitReached { limit, open });
    }
    for retry_after_secs in [
        0, 1, 2, 59, 60, 90, 3599, 3600, 3601, 86_399, 86_400, 90_061,
    ] {
        refusals.push(Refusal::Cooldown { retry_after_secs });
    }
    refusals.push(Refusal::RenameTooSoon {
        retry_after_secs: 300,
    });
    refusals
}

const fn refusal_variant(refusal: &Refusal) -> usize {
    match refusal {
        Refusal::NotStaff => 0,
        Refusal::NotOpener => 1,
        Refusal::NotOpenerOrStaff => 2,
        Refusal::NotClaimer { .. } => 3,
        Refusal::SystemOnly => 4,
        Refusal::Disabled => 5,
        Refusal::AwaitingApproval => 6,
        Refusal::NotAwaitingApproval => 7,
        Refusal::AlreadyClaimed { .. } => 8,
        Refusal::NotClaimed => 9,
        Refusal::AlreadyClosed => 10,
        Refusal::AlreadyDeleted => 11,
        Refusal::WasRefused => 12,
        Refusal::NotClosed => 13,
        Refusal::CloseRequestPending => 14,
        Refusal::NoCloseRequest => 15,
        Refusal::NotInactive => 16,
        Refusal::TargetNotStaff { .. } => 17,
        Refusal::AlreadyInTicket => 18,
        Refusal::NotInTicket => 19,
        Refusal::CannotRemoveOpener => 20,
        Refusal::CannotRemoveStaff => 21,
        Refusal::ProtectedRole { .. } => 22,
        Refusal::EveryoneRole => 23,
        Refusal::RolesNotInThreads => 24,
        Refusal::SameTopic => 25,
        Refusal::UnknownTopic { .. } => 26,
        Refusal::UnknownPanel { .. } => 27,
        Refusal::TopicNotOnPanel { .. } => 28,
        Refusal::TopicRequired => 29,
        Refusal::ReasonRequired => 30,
        Refusal::Invalid(_) => 31,
        Refusal::OpenLimitReached { .. } => 32,
        Refusal::Cooldown { .. } => 33,
        Refusal::RenameTooSoon { .. } => 34,
        Refusal::Blacklisted => 35,
        Refusal::AlreadyRated => 36,
        Refusal::NotRated => 37,
    }
}

pub(crate) fn close_reasons() -> Vec<CloseReason> {
    vec![
        CloseReason::Given("Solved, thanks".to_owned()),
        CloseReason::NoneGiven,
        CloseReason::Inactive(1),
        CloseReason::Inactive(48),
        CloseReason::Inactive(50),
        CloseReason::OpenerLeft,
        CloseReason::OpenFailed,
        CloseReason::ChannelDeleted,
        CloseReason::CloseRequestUnanswered(24),
    ]
}

const fn close_reason_variant(reason: &CloseReason) -> usize {
    match reason {
        CloseReason::Given(_) => 0,
        CloseReason::NoneGiven => 1,
        CloseReason::Inactive(_) => 2,
        CloseReason::OpenerLeft => 3,
        CloseReason::OpenFailed => 4,
        CloseReason::ChannelDeleted => 5,
        CloseReason::CloseRequestUnanswered(_) => 6,
    }
}

pub(crate) fn notices() -> Vec<Notice> {
    let reasons = [None, Some("Duplicate of another ticket".to_owned())];
    let mut notices = vec![Notice::Approved { by: user(1) }];
    for by in [None, Some(user(1))] {
        for reason in &reasons {
            notices.push(Notice::Refused {
                by,
                reason: reason.clone(),
            });
        }
    }
    notices.extend([
        Notice::Claimed { by: user(1) },
        Notice::Unclaimed { by: user(1) },
    ]);
    for from in [None, Some(user(1)), Some(user(2))] {
        notices.push(Notice::Transferred {
            from,
            to: user(3),
            by: user(1),
        });
    }
    for reason in &reasons {
        notices.push(Notice::CloseRequested {
            by: user(1),
            reason: reason.clone(),
        });
    }
    notices.push(Notice::CloseRequestDeclined { by: user(2) });
    for by in [None, Some(user(1))] {
        for reason in close_reasons() {
            notices.push(Notice::Closed { by, reason });
        }
    }
    notices.extend([
        Notice::Reopened { by: user(1) },
        Notice::MemberAdded {
            member: user(4),
            by: user(1),
        },
        Notice::MemberRemoved {
            member: user(4),
            by: user(1),
        },
        Notice::RoleAdded {
            role: role(5),
            by: user(1),
        },
        Notice::RoleRemoved {
            role: role(5),
            by: user(1),
        },
        Notice::Renamed {
            name: "ticket-0042".to_owned(),
            by: user(1),
        },
        Notice::Moved {
            topic: TopicId(6),
            by: user(1),
        },
        Notice::OpenerLeft { user: user(2) },
        Notice::OpenedFor { by: user(1) },
        Notice::OutsideHours {
            back_at: helpline_domain::Timestamp::from_secs(1_800_000_000),
        },
        Notice::AutoCloseWarning {
            closes_at: helpline_domain::Timestamp::from_secs(1_800_000_000),
        },
    ]);
    notices
}

const fn notice_variant(notice: &Notice) -> usize {
    match notice {
        Notice::Approved { .. } => 0,
        Notice::Refused { .. } => 1,
        Notice::Claimed { .. } => 2,
        Notice::Unclaimed { .. } => 3,
        Notice::Transferred { .. } => 4,
        Notice::CloseRequested { .. } => 5,
        Notice::CloseRequestDeclined { .. } => 6,
        Notice::Closed { .. } => 7,
        Notice::Reopened { .. } => 8,
        Notice::MemberAdded { .. } => 9,
        Notice::MemberRemoved { .. } => 10,
        Notice::RoleAdded { .. } => 11,
        Notice::RoleRemoved { .. } => 12,
        Notice::Renamed { .. } => 13,
        Notice::Moved { .. } => 14,
        Notice::OpenerLeft { .. } => 15,
        Notice::AutoCloseWarning { .. } => 16,
        Notice::OpenedFor { .. } => 17,
        Notice::OutsideHours { .. } => 18,
    }
}

pub(crate) const LOG_KINDS: [LogKind; 16] = [
    LogKind::Requested,
    LogKind::Opened,
    LogKind::Refused,
    LogKind::Claimed,
    LogKind::Unclaimed,
    LogKind::Transferred,
    LogKind::Closed,
    LogKind::Reopened,
    LogKind::Deleted,
    LogKind::CloseRequested,
    LogKind::MemberAdded,
    LogKind::MemberRemoved,
    LogKind::RoleAdded,
    LogKind::RoleRemoved,
    LogKind::Renamed,
    LogKind::Moved,
];

const fn log_kind_variant(kind: &LogKind) -> usize {
    match kind {
        LogKind::Requested => 0,
        LogKind::Opened => 1,
        LogKind::Refused => 2,
        LogKind::Claimed => 3,
        LogKind::Unclaimed => 4,
        LogKind::Transferred => 5,
        LogKind::Closed => 6,
        LogKind::Reopened => 7,
        LogKind::Deleted => 8,
        LogKind::CloseRequested => 9,
        LogKind::MemberAdded => 10,
        LogKind::MemberRemoved => 11,
        LogKind::RoleAdded => 12,
        LogKind::RoleRemoved => 13,
        LogKind::Renamed => 14,
        LogKind::Moved => 15,
    }
}

const fn state_variant(state: &TicketState) -> usize {
    match state {
        TicketState::Requested => 0,
        TicketState::Open => 1,
        TicketState::Claimed => 2,
        TicketState::Closed => 3,
        TicketState::Deleted => 4,
        TicketState::Refused => 5,
    }
}

pub(crate) const ACTION_KINDS: [ActionKind; 27] = [
    ActionKind::Open,
    ActionKind::Approve,
    ActionKind::Refuse,
    ActionKind::Claim,
    ActionKind::Unclaim,
    ActionKind::Transfer,
    ActionKind::Close,
    ActionKind::RequestClose,
    ActionKind::AcceptCloseRequest,
    ActionKind::DeclineCloseRequest,
    ActionKind::AddMember,
    ActionKind::RemoveMember,
    ActionKind::AddRole,
    ActionKind::RemoveRole,
    ActionKind::Rename,
    ActionKind::Move,
    ActionKind::Reopen,
    ActionKind::Delete,
    ActionKind::AutoClose,
    ActionKind::Timer,
    ActionKind::Rate,
    ActionKind::Comment,
    ActionKind::OpenerLeft,
    ActionKind::ChannelCreated,
    ActionKind::Abandon,
    ActionKind::ChannelDeleted,
    ActionKind::RefreshAccess,
];

const fn action_variant(action: &ActionKind) -> usize {
    match action {
        ActionKind::Open => 0,
        ActionKind::Approve => 1,
        ActionKind::Refuse => 2,
        ActionKind::Claim => 3,
        ActionKind::Unclaim => 4,
        ActionKind::Transfer => 5,
        ActionKind::Close => 6,
        ActionKind::RequestClose => 7,
        ActionKind::AcceptCloseRequest => 8,
        ActionKind::DeclineCloseRequest => 9,
        ActionKind::AddMember => 10,
        ActionKind::RemoveMember => 11,
        ActionKind::AddRole => 12,
        ActionKind::RemoveRole => 13,
        ActionKind::Rename => 14,
        ActionKind::Move => 15,
        ActionKind::Reopen => 16,
        ActionKind::Delete => 17,
        ActionKind::AutoClose => 18,
        ActionKind::Timer => 19,
        ActionKind::Rate => 20,
        ActionKind::Comment => 21,
        ActionKind::OpenerLeft => 22,
        ActionKind::ChannelCreated => 23,
        ActionKind::Abandon => 24,
        ActionKind::ChannelDeleted => 25,
        ActionKind::RefreshAccess => 26,
    }
}

/// A value to render, with how to name it when a check fails.
pub(crate) struct Sample {
    pub(crate) label: String,
    pub(crate) value: Box<dyn Localize>,
}

fn boxed<T: Localize + Debug + 'static>(values: impl IntoIterator<Item = T>) -> Vec<Sample> {
    values
        .into_iter()
        .map(|value| Sample {
            label: format!("{value:?}"),
            value: Box::new(value),
        })
        .collect()
}

/// Every sample of every type.
pub(crate) fn all() -> Vec<Sample> {
    let mut samples = Vec::new();
    samples.extend(boxed(refusals()));
    samples.extend(boxed(validation_errors()));
    samples.extend(boxed(template_errors()));
    samples.extend(boxed(notices()));
    samples.extend(boxed(close_reasons()));
    samples.extend(boxed(LOG_KINDS));
    samples.extend(boxed(TicketState::ALL));
    samples.extend(boxed(ACTION_KINDS));
    samples.extend(boxed(Field::ALL));
    samples.extend(boxed(Countable::ALL));
    samples.extend(boxed([
        BOT_REQUIRED,
        Permissions::all(),
        Permissions::MANAGE_ROLES,
        Permissions::from_bits_retain(1 << 60),
    ]));
    samples.extend(boxed([
        Missing(BOT_REQUIRED),
        Missing(Permissions::MANAGE_ROLES),
    ]));
    samples
}

fn assert_covers<T>(name: &str, samples: &[T], variant: fn(&T) -> usize, count: usize) {
    let seen: BTreeSet<usize> = samples.iter().map(variant).collect();
    let expected: BTreeSet<usize> = (0..count).collect();
    assert_eq!(
        seen, expected,
        "{name} samples must cover each of {count} variants"
    );
}

#[test]
fn samples_cover_every_variant() {
    assert_covers("Refusal", &refusals(), refusal_variant, 38);
    assert_covers(
        "ValidationError",
        &validation_errors(),
        validation_error_variant,
        12,
    );
    assert_covers(
        "TemplateError",
        &template_errors(),
        template_error_variant,
        3,
    );
    assert_covers("Notice", &notices(), notice_variant, 19);
    assert_covers("CloseReason", &close_reasons(), close_reason_variant, 7);
    assert_covers("LogKind", &LOG_KINDS, log_kind_variant, 16);
    assert_covers("TicketState", &TicketState::ALL, state_variant, 6);
    assert_covers("ActionKind", &ACTION_KINDS, action_variant, 27);
    let nested: Vec<ValidationError> = refusals()
        .into_iter()
        .filter_map(|refusal| {
            if let Refusal::Invalid(error) = refusal {
                Some(error)
            } else {
                None
            }
        })
        .collect();
    assert_covers("Refusal::Invalid", &nested, validation_error_variant, 12);
}
