//! Component and modal custom ids: `hl:<action>:<id>[:<id>]`, at most 100 characters. Ids are
//! parsed, never trusted: the handler loads the ticket or panel and checks who may act.

use helpline_domain::{PanelId, TicketId, TopicId};

/// What a component or modal of Helpline's stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CustomId {
    /// A panel's button (with its topic for per-topic buttons) or select menu.
    Open {
        panel: PanelId,
        topic: Option<TopicId>,
    },
    /// The open form of a panel (and topic): its submission opens the ticket.
    Form {
        panel: PanelId,
        topic: Option<TopicId>,
    },
    Claim(TicketId),
    Unclaim(TicketId),
    /// The Close button: asks for confirmation.
    Close(TicketId),
    /// Confirmed close without a reason.
    CloseNow(TicketId),
    /// Asks for a reason in a modal.
    CloseWithReason(TicketId),
    /// The reason modal's submission.
    CloseModal(TicketId),
    Reopen(TicketId),
    Delete(TicketId),
    /// The opener rates the ended ticket (1 to 5) from the DM on close.
    Rate(TicketId, u8),
    /// The opener asks to add a comment to their rating.
    Comment(TicketId),
    /// The comment form's submission.
    CommentModal(TicketId),
    /// The opener accepts staff's close request.
    CloseAccept(TicketId),
    /// The opener declines it.
    CloseDecline(TicketId),
    /// Staff accept a requested ticket (manual approval).
    Approve(TicketId),
    /// Staff refuse a requested ticket.
    Refuse(TicketId),
    /// An admin confirms `/helpline disable` in this guild (the id is the guild's).
    ConfirmDisable(u64),
    /// An admin confirms `/helpline reset` in this guild.
    ConfirmReset(u64),
    /// The select menu of `/topic remove` without a name, in this guild.
    RemoveTopic(u64),
    /// The `/topic questions` modal of this topic.
    Questions(TopicId),
    /// The panel-name modal of "Use as ticket panel" on this message (channel, message).
    UsePanel(u64, u64),
}

/// The text input of the "Use as ticket panel" modal.
pub(crate) const PANEL_NAME_INPUT: &str = "name";

/// The text input of the feedback comment form.
pub(crate) const COMMENT_INPUT: &str = "comment";

/// The text input of the close modal, and the reason input of the open form.
pub(crate) const CLOSE_REASON_INPUT: &str = "reason";

/// The input of the open form's question `index` (0 to 4).
pub(crate) fn question_input(index: usize) -> String {
    format!("q{index}")
}

impl CustomId {
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let mut parts = text.strip_prefix("hl:")?.split(':');
        let action = parts.next()?;
        let first: u64 = parts.next()?.parse().ok()?;
        let second: Option<u64> = match parts.next() {
            Some(value) => Some(value.parse().ok()?),
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        let ticket = TicketId(first);
        let only = |id| second.is_none().then_some(id);
        match action {
            "open" => Some(Self::Open {
                panel: PanelId(u32::try_from(first).ok()?),
                topic: match second {
                    Some(topic) => Some(TopicId(u32::try_from(topic).ok()?)),
                    None => None,
                },
            }),
            "form" => Some(Self::Form {
                panel: PanelId(u32::try_from(first).ok()?),
                topic: match second {
                    Some(topic) => Some(TopicId(u32::try_from(topic).ok()?)),
                    None => None,
                },
            }),
            "claim" => only(Self::Claim(ticket)),
            "unclaim" => only(Self::Unclaim(ticket)),
            "close" => only(Self::Close(ticket)),
            "close_now" => only(Self::CloseNow(ticket)),
            "close_reason" => only(Self::CloseWithReason(ticket)),
            "close_modal" => only(Self::CloseModal(ticket)),
            "reopen" => only(Self::Reopen(ticket)),
            "delete" => only(Self::Delete(ticket)),
            "rate" => Some(Self::Rate(ticket, u8::try_from(second?).ok()?)),
            "comment" => only(Self::Comment(ticket)),
            "comment_modal" => only(Self::CommentModal(ticket)),
            "close_accept" => only(Self::CloseAccept(ticket)),
            "close_decline" => only(Self::CloseDecline(ticket)),
            "approve" => only(Self::Approve(ticket)),
            "refuse" => only(Self::Refuse(ticket)),
            "disable" => only(Self::ConfirmDisable(first)),
            "reset" => only(Self::ConfirmReset(first)),
            "use_panel" => Some(Self::UsePanel(first, second?)),
            "remove_topic" => only(Self::RemoveTopic(first)),
            "questions" => only(Self::Questions(TopicId(u32::try_from(first).ok()?))),
            _ => None,
        }
    }

    pub(crate) fn to_text(self) -> String {
        match self {
            Self::Open { panel, topic: None } => format!("hl:open:{panel}"),
            Self::Open {
                panel,
                topic: Some(topic),
            } => format!("hl:open:{panel}:{topic}"),
            Self::Form { panel, topic: None } => format!("hl:form:{panel}"),
            Self::Form {
                panel,
                topic: Some(topic),
            } => format!("hl:form:{panel}:{topic}"),
            Self::Claim(ticket) => format!("hl:claim:{ticket}"),
            Self::Unclaim(ticket) => format!("hl:unclaim:{ticket}"),
            Self::Close(ticket) => format!("hl:close:{ticket}"),
            Self::CloseNow(ticket) => format!("hl:close_now:{ticket}"),
            Self::CloseWithReason(ticket) => format!("hl:close_reason:{ticket}"),
            Self::CloseModal(ticket) => format!("hl:close_modal:{ticket}"),
            Self::Reopen(ticket) => format!("hl:reopen:{ticket}"),
            Self::Delete(ticket) => format!("hl:delete:{ticket}"),
            Self::Rate(ticket, rating) => format!("hl:rate:{ticket}:{rating}"),
            Self::Comment(ticket) => format!("hl:comment:{ticket}"),
            Self::CommentModal(ticket) => format!("hl:comment_modal:{ticket}"),
            Self::CloseAccept(ticket) => format!("hl:close_accept:{ticket}"),
            Self::CloseDecline(ticket) => format!("hl:close_decline:{ticket}"),
            Self::Approve(ticket) => format!("hl:approve:{ticket}"),
            Self::Refuse(ticket) => format!("hl:refuse:{ticket}"),
            Self::ConfirmDisable(guild) => format!("hl:disable:{guild}"),
            Self::ConfirmReset(guild) => format!("hl:reset:{guild}"),
            Self::UsePanel(channel, message) => format!("hl:use_panel:{channel}:{message}"),
            Self::Questions(topic) => format!("hl:questions:{topic}"),
            Self::RemoveTopic(guild) => format!("hl:remove_topic:{guild}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_garbage() {
        let ids = [
            CustomId::Open {
                panel: PanelId(3),
                topic: None,
            },
            CustomId::Open {
                panel: PanelId(3),
                topic: Some(TopicId(9)),
            },
            CustomId::Form {
                panel: PanelId(3),
                topic: Some(TopicId(u32::MAX)),
            },
            CustomId::Form {
                panel: PanelId(u32::MAX),
                topic: None,
            },
            CustomId::Claim(TicketId(u64::MAX)),
            CustomId::Unclaim(TicketId(7)),
            CustomId::Close(TicketId(1)),
            CustomId::CloseNow(TicketId(1)),
            CustomId::CloseWithReason(TicketId(1)),
            CustomId::CloseModal(TicketId(1)),
            CustomId::Reopen(TicketId(1)),
            CustomId::Delete(TicketId(1)),
            CustomId::Rate(TicketId(u64::MAX), 5),
            CustomId::Comment(TicketId(1)),
            CustomId::CommentModal(TicketId(1)),
            CustomId::CloseAccept(TicketId(1)),
            CustomId::CloseDecline(TicketId(u64::MAX)),
            CustomId::Approve(TicketId(1)),
            CustomId::Refuse(TicketId(1)),
            CustomId::ConfirmDisable(u64::MAX),
            CustomId::ConfirmReset(1),
            CustomId::UsePanel(u64::MAX, u64::MAX),
            CustomId::Questions(TopicId(7)),
            CustomId::RemoveTopic(u64::MAX),
        ];
        for id in ids {
            let text = id.to_text();
            assert!(text.len() <= helpline_domain::limits::CUSTOM_ID);
            assert_eq!(CustomId::parse(&text), Some(id), "{text}");
        }
        for garbage in [
            "",
            "hl:",
            "hl:claim",
            "hl:claim:x",
            "hl:claim:1:2",
            "hl:open:99999999999",
            "xx:claim:1",
            "hl:nope:1",
            "hl:open:1:2:3",
            "hl:use_panel:1",
        ] {
            assert_eq!(CustomId::parse(garbage), None, "{garbage}");
        }
    }
}
