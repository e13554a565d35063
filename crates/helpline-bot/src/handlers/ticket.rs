//! Actions on an existing ticket from its buttons and modals: claim (S1), close with a
//! confirmation and an optional reason (M4, S2), reopen (S6), delete, approve and refuse (M2).
//! The ticket is decided again if someone changed it in between (optimistic concurrency).

use super::{guild_id, language, member};
use crate::custom_id::{CLOSE_REASON_INPUT, CustomId};
use crate::executor::{self, Stop, number};
use crate::reply::{Responder, button, row, text_input};
use crate::{Bot, Error, Result};
use helpline_domain::lifecycle::{Action, Context, apply};
use helpline_domain::{Actor, TicketId, TicketState, limits};
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};
use twilight_model::channel::message::component::ButtonStyle;

/// How many times a step is decided again after losing a race for the ticket.
const ATTEMPTS: usize = 3;

pub(super) async fn component(bot: &Bot, responder: &Responder<'_>, id: CustomId) -> Result<()> {
    match id {
        CustomId::Claim(ticket) => act(bot, responder, ticket, || Action::Claim, ui::CLAIMED).await,
        CustomId::Unclaim(ticket) => {
            act(bot, responder, ticket, || Action::Unclaim, ui::UNCLAIMED).await
        }
        CustomId::Close(ticket) => confirm_close(bot, responder, ticket, false, None).await,
        CustomId::CloseWithReason(ticket) => {
            confirm_close(bot, responder, ticket, true, None).await
        }
        CustomId::CloseNow(ticket) => {
            act(
                bot,
                responder,
                ticket,
                || Action::Close { reason: None },
                ui::CLOSED,
            )
            .await
        }
        CustomId::Reopen(ticket) => {
            act(bot, responder, ticket, || Action::Reopen, ui::REOPENED).await
        }
        CustomId::Delete(ticket) => {
            act(bot, responder, ticket, || Action::Delete, ui::DELETED).await
        }
        CustomId::CloseAccept(ticket) => {
            act(
                bot,
                responder,
                ticket,
                || Action::AcceptCloseRequest,
                ui::CLOSED,
            )
            .await
        }
        CustomId::CloseDecline(ticket) => {
            act(
                bot,
                responder,
                ticket,
                || Action::DeclineCloseRequest,
                ui::CLOSE_REQUEST_DECLINED,
            )
            .await
        }
        CustomId::Approve(ticket) => {
            act(bot, responder, ticket, || Action::Approve, ui::APPROVED).await
        }
        CustomId::Refuse(ticket) => {
            act(
                bot,
                responder,
                ticket,
                || Action::Refuse { reason: None },
                ui::REFUSED,
            )
            .await
        }
        CustomId::Open { .. }
        | CustomId::Form { .. }
        | CustomId::CloseModal(_)
        | CustomId::Rate(..)
        | CustomId::Comment(_)
        | CustomId::CommentModal(_)
        | CustomId::ConfirmDisable(_)
        | CustomId::ConfirmReset(_)
        | CustomId::UsePanel(..)
        | CustomId::Questions(_)
        | CustomId::RemoveTopic(_) => Err(Error::Unexpected("misrouted component".into())),
    }
}

pub(super) async fn close_with_reason(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket: TicketId,
    reason: Option<String>,
) -> Result<()> {
    act(
        bot,
        responder,
        ticket,
        move || Action::Close {
            reason: reason.clone(),
        },
        ui::CLOSED,
    )
    .await
}

/// The Close button: checks the member may close, then asks for confirmation (or shows the
/// reason modal). Nothing changes until they confirm.
async fn confirm_close(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket_id: TicketId,
    with_reason: bool,
    reason: Option<String>,
) -> Result<()> {
    let interaction = responder.interaction;
    let translator = &bot.inner.translator;
    let (lang, loaded) = load(bot, interaction, ticket_id).await?;
    let Some((config, ticket)) = loaded else {
        return responder
            .message(translator.text(lang, ui::UNKNOWN_TICKET, &[]), Vec::new())
            .await;
    };
    let actor = Actor::Member(
        member(interaction).ok_or_else(|| Error::Unexpected("close without a member".into()))?,
    );
    let context = Context {
        config: &config,
        bot_id: bot.inner.bot_id,
        now: bot.now(),
    };
    if let Err(refusal) = apply(&ticket, &actor, Action::Close { reason: None }, &context) {
        return responder
            .message(translator.render(lang, &refusal), Vec::new())
            .await;
    }
    if with_reason {
        let title = translator.text(
            lang,
            ui::CLOSE_MODAL_TITLE,
            &[("number", number(&ticket).into())],
        );
        let mut input = text_input(
            CLOSE_REASON_INPUT,
            translator.text(lang, ui::CLOSE_REASON_LABEL, &[]),
            false,
            limits::REASON as u16,
        );
        // `/close reason:` fills it in: submitting is the confirmation.
        if let twilight_model::channel::message::Component::Label(label) = &mut input
            && let twilight_model::channel::message::Component::TextInput(text) =
                &mut *label.component
        {
            text.value = reason;
        }
        return responder
            .modal(
                CustomId::CloseModal(ticket.id).to_text(),
                title,
                vec![input],
            )
            .await;
    }
    let buttons = row(vec![
        button(
            CustomId::CloseNow(ticket.id).to_text(),
            translator.text(lang, ui::BUTTON_CLOSE_NOW, &[]),
            ButtonStyle::Danger,
        ),
        button(
            CustomId::CloseWithReason(ticket.id).to_text(),
            translator.text(lang, ui::BUTTON_CLOSE_WITH_REASON, &[]),
            ButtonStyle::Secondary,
        ),
    ]);
    responder
        .message(translator.text(lang, ui::CLOSE_CONFIRM, &[]), vec![buttons])
        .await
}

/// `/close [reason]` (S2) in a ticket channel, by its opener or staff: the same confirmation as
/// the Close button (without a reason), or the reason form filled in with the reason given.
/// Anywhere else it says it works in a ticket only.
pub(super) async fn close_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let reason = super::admin::string(&data.options, "reason");
    confirm_close(bot, responder, ticket, reason.is_some(), reason).await
}

/// `/claim` and `/unclaim` (S1) in a ticket channel: the same as the welcome message's button.
pub(super) async fn claim_command(bot: &Bot, responder: &Responder<'_>, claim: bool) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    if claim {
        act(bot, responder, ticket, || Action::Claim, ui::CLAIMED).await
    } else {
        act(bot, responder, ticket, || Action::Unclaim, ui::UNCLAIMED).await
    }
}

/// `/transfer member` (S1): the ticket is handed to another staff member, who now holds the
/// claim.
pub(super) async fn transfer_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let Some(to) = resolved_member(data, &data.options, "member") else {
        return not_a_member(bot, responder).await;
    };
    act(
        bot,
        responder,
        ticket,
        || Action::Transfer { to: to.clone() },
        ui::TRANSFERRED,
    )
    .await
}

/// `/add member|role` and `/remove member|role` (S3): someone more can see and write in the
/// ticket, or no longer. Staff roles and admins cannot be removed (the domain refuses).
pub(super) async fn participant_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
    add: bool,
) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let Some(sub) = data.options.first() else {
        return Err(Error::Unexpected("add/remove without a subcommand".into()));
    };
    let CommandOptionValue::SubCommand(options) = &sub.value else {
        return Err(Error::Unexpected("add/remove without a subcommand".into()));
    };
    match sub.name.as_str() {
        "member" => {
            let Some(member) = resolved_member(data, options, "member") else {
                return not_a_member(bot, responder).await;
            };
            if add {
                let user = member.user_id;
                act(
                    bot,
                    responder,
                    ticket,
                    || Action::AddMember { user },
                    ui::MEMBER_ADDED,
                )
                .await
            } else {
                act(
                    bot,
                    responder,
                    ticket,
                    || Action::RemoveMember {
                        member: member.clone(),
                    },
                    ui::MEMBER_REMOVED,
                )
                .await
            }
        }
        "role" => {
            let guild = guild_id(responder.interaction)?;
            let role = options
                .iter()
                .find_map(|o| match (&o.value, o.name.as_str()) {
                    (CommandOptionValue::Role(role), "role") => Some(*role),
                    _ => None,
                });
            // Only a role of this guild, as Discord resolved it with the command.
            let permissions = role.and_then(|role| {
                data.resolved
                    .as_ref()?
                    .roles
                    .get(&role)
                    .map(|resolved| resolved.permissions)
            });
            let (Some(role), Some(role_permissions)) = (role, permissions) else {
                return Err(Error::Unexpected("role option without its role".into()));
            };
            if role == guild.cast() {
                let lang = language(bot, responder.interaction, None);
                return responder
                    .message(
                        bot.inner.translator.text(lang, ui::NOT_EVERYONE, &[]),
                        Vec::new(),
                    )
                    .await;
            }
            let action = move || {
                if add {
                    Action::AddRole {
                        role,
                        role_permissions,
                    }
                } else {
                    Action::RemoveRole {
                        role,
                        role_permissions,
                    }
                }
            };
            let done = if add {
                ui::ROLE_ADDED
            } else {
                ui::ROLE_REMOVED
            };
            act(bot, responder, ticket, action, done).await
        }
        other => Err(Error::Unexpected(format!(
            "unknown add/remove subcommand {other}"
        ))),
    }
}

/// `/rename name` (S5): the ticket channel takes a new name.
pub(super) async fn rename_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let name = super::admin::string(&data.options, "name").unwrap_or_default();
    act(
        bot,
        responder,
        ticket,
        || Action::Rename { name: name.clone() },
        ui::RENAMED,
    )
    .await
}

/// `/close-request [reason]` (S2) in a ticket channel: staff ask the opener to agree to close;
/// the opener answers with the notice's buttons, and silence closes it after the guild's delay.
pub(super) async fn close_request_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let reason = super::admin::string(&data.options, "reason");
    act(
        bot,
        responder,
        ticket,
        || Action::RequestClose {
            reason: reason.clone(),
        },
        ui::CLOSE_REQUEST_SENT,
    )
    .await
}

/// `/move topic` (S5) in a ticket channel: the ticket goes to another topic; its category,
/// staff and overwrites follow, and the new topic's staff are told.
pub(super) async fn move_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let name = super::admin::string(&data.options, "topic").unwrap_or_default();
    let interaction = responder.interaction;
    let config = match interaction.guild_id {
        Some(guild) => bot.inner.store.guild_config(guild).await?,
        None => None,
    };
    let lang = language(bot, interaction, config.as_ref());
    let Some(config) = config else {
        return responder
            .message(
                bot.inner.translator.text(lang, ui::NOT_SET_UP, &[]),
                Vec::new(),
            )
            .await;
    };
    let topic = match super::find_topic(bot, lang, &config, &name, ui::TICKET_NO_TOPICS) {
        Ok(topic) => topic,
        Err(reply) => return responder.message(reply, Vec::new()).await,
    };
    act(bot, responder, ticket, || Action::Move { topic }, ui::MOVED).await
}

/// `/reopen` (S6) in a closed ticket's channel: as the Reopen button.
pub(super) async fn reopen_command(bot: &Bot, responder: &Responder<'_>) -> Result<()> {
    let Some(ticket) = ticket_here(bot, responder).await? else {
        return Ok(());
    };
    act(bot, responder, ticket, || Action::Reopen, ui::REOPENED).await
}

/// A user option's member as Discord resolved it with the command (roles and permissions);
/// `None` for a user who is not a member of the guild.
fn resolved_member(
    data: &CommandData,
    options: &[twilight_model::application::interaction::application_command::CommandDataOption],
    name: &str,
) -> Option<helpline_domain::Member> {
    let user = options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::User(user), option) if option == name => Some(*user),
            _ => None,
        })?;
    let member = data.resolved.as_ref()?.members.get(&user)?;
    Some(helpline_domain::Member {
        user_id: user,
        roles: member.roles.clone(),
        permissions: member.permissions,
    })
}

/// Says the user chosen is not a member of this server.
async fn not_a_member(bot: &Bot, responder: &Responder<'_>) -> Result<()> {
    let lang = language(bot, responder.interaction, None);
    responder
        .message(
            bot.inner.translator.text(lang, ui::NOT_A_MEMBER, &[]),
            Vec::new(),
        )
        .await
}

/// The ticket of the channel a command runs in; `None` once the member is told the command
/// works in a ticket channel only.
pub(super) async fn ticket_here(bot: &Bot, responder: &Responder<'_>) -> Result<Option<TicketId>> {
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let ticket = match interaction.channel.as_ref() {
        Some(channel) => bot.inner.store.ticket_by_channel(channel.id).await?,
        None => None,
    };
    if let Some(ticket) = ticket.filter(|t| t.guild_id == guild) {
        return Ok(Some(ticket.id));
    }
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    responder
        .message(
            bot.inner.translator.text(lang, ui::NOT_IN_TICKET, &[]),
            Vec::new(),
        )
        .await?;
    Ok(None)
}

/// The reader's language, and the guild's configuration (a blank one after a reset) with the
/// ticket — `None` when the ticket is missing or belongs to another guild (as unknown as a
/// missing one).
async fn load(
    bot: &Bot,
    interaction: &twilight_model::application::interaction::Interaction,
    ticket_id: TicketId,
) -> Result<(
    helpline_domain::Language,
    Option<(helpline_domain::GuildConfig, helpline_domain::Ticket)>,
)> {
    let guild = guild_id(interaction)?;
    let store = &bot.inner.store;
    let config = store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let ticket = store
        .ticket(ticket_id)
        .await?
        .filter(|t| t.guild_id == guild);
    // A guild whose configuration was reset keeps its tickets: admins can still close them.
    let config = config.unwrap_or_else(|| helpline_domain::GuildConfig::new(guild));
    Ok((lang, ticket.map(|ticket| (config, ticket))))
}

/// Decides `action` on the ticket and performs it, answering the member.
async fn act(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket_id: TicketId,
    action: impl Fn() -> Action,
    done_key: &str,
) -> Result<()> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let translator = &bot.inner.translator;
    let actor = Actor::Member(
        member(interaction).ok_or_else(|| Error::Unexpected("action without a member".into()))?,
    );
    for _ in 0..ATTEMPTS {
        let (lang, loaded) = load(bot, interaction, ticket_id).await?;
        let Some((config, ticket)) = loaded else {
            return responder
                .follow_up(&translator.text(lang, ui::UNKNOWN_TICKET, &[]))
                .await;
        };
        let context = Context {
            config: &config,
            bot_id: bot.inner.bot_id,
            now: bot.now(),
        };
        let transition = match apply(&ticket, &actor, action(), &context) {
            Ok(transition) => transition,
            Err(refusal) => {
                return responder
                    .follow_up(&translator.render(lang, &refusal))
                    .await;
            }
        };
        let closes = transition.ticket.state == TicketState::Closed
            || (transition.ticket.state == TicketState::Deleted
                && ticket.state != TicketState::Closed);
        // Deleting removes the channel the member clicked in, and their answer with it: answer
        // first.
        let deletes_channel =
            transition.ticket.state == TicketState::Deleted && ticket.channel.is_some();
        if deletes_channel {
            responder
                .follow_up(&translator.text(lang, done_key, &[]))
                .await?;
        }
        match executor::execute(bot, transition).await {
            Ok(report) => {
                if closes {
                    ::metrics::counter!(crate::metrics::TICKETS_CLOSED).increment(1);
                    let opened = ticket.opened_at.unwrap_or(ticket.created_at);
                    ::metrics::histogram!(crate::metrics::RESOLUTION)
                        .record(context.now.since(opened).as_secs_f64());
                }
                if deletes_channel {
                    return Ok(());
                }
                let channel = report
                    .ticket
                    .as_ref()
                    .and_then(|t| t.channel)
                    .map(|c| format!("<#{}>", c.id))
                    .unwrap_or_default();
                let mut reply = translator.text(lang, done_key, &[("channel", channel.into())]);
                if !report.failures.is_empty() || report.abandoned {
                    reply = format!("{reply}\n{}", translator.text(lang, ui::FAILED, &[]));
                } else if report.waiting {
                    reply = format!("{reply}\n{}", translator.text(lang, ui::DELAYED, &[]));
                }
                return responder.follow_up(&reply).await;
            }
            Err(Stop::Conflict) => continue,
            Err(Stop::Failed(error)) => return Err(error),
        }
    }
    let lang = language(bot, interaction, None);
    responder
        .follow_up(&translator.text(lang, ui::CONFLICT, &[]))
        .await
}
