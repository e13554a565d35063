//! Opening a ticket from a panel (MISSION M1): check the request, reserve the ticket atomically
//! in the store (number, open limit, cooldown; the interaction id as ticket id so a redelivery
//! finds the same ticket), create its private channel and welcome the member.

use super::{display_name, guild_id, language, member, missing_bot_permissions_reply};
use crate::executor::{self, Stop};
use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::lifecycle::{Context, OpenRequest, Refusal, opened, prepare_open};
use helpline_domain::{PanelId, TicketId, TopicId};
use helpline_i18n::ui;
use helpline_store::OpenOutcome;

pub(super) async fn run(
    bot: &Bot,
    responder: &Responder<'_>,
    panel: PanelId,
    topic: Option<TopicId>,
) -> Result<()> {
    responder.defer(true).await?;
    open(bot, responder, panel, topic, None).await
}

/// `/ticket [topic] [reason]` (M1): the same as a panel click, on the panel that offers the
/// topic (the guild's first panel without one), with the member's reason.
pub(super) async fn command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &twilight_model::application::interaction::application_command::CommandData,
) -> Result<()> {
    use twilight_model::application::interaction::application_command::CommandOptionValue;
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let translator = &bot.inner.translator;
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let text_option = |name: &str| {
        data.options
            .iter()
            .find_map(|o| match (&o.value, o.name == name) {
                (CommandOptionValue::String(value), true) => Some(value.clone()),
                _ => None,
            })
    };
    let Some(config) = config.filter(|c| !c.panels.is_empty()) else {
        return responder
            .follow_up(&translator.text(lang, ui::NOT_SET_UP, &[]))
            .await;
    };
    let topic = match text_option("topic") {
        None => None,
        Some(name) => match super::find_topic(bot, lang, &config, &name, ui::TICKET_NO_TOPICS) {
            Ok(topic) => Some(topic),
            Err(reply) => return responder.follow_up(&reply).await,
        },
    };
    let panel = topic
        .and_then(|topic| config.panels.iter().find(|p| p.topics.contains(&topic)))
        .unwrap_or(&config.panels[0])
        .id;
    open(bot, responder, panel, topic, text_option("reason")).await
}

/// Opens a ticket on `panel` for the member of an acknowledged interaction.
async fn open(
    bot: &Bot,
    responder: &Responder<'_>,
    panel: PanelId,
    topic: Option<TopicId>,
    reason: Option<String>,
) -> Result<()> {
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let store = &bot.inner.store;
    let translator = &bot.inner.translator;
    let Some(config) = store.guild_config(guild).await? else {
        let lang = language(bot, interaction, None);
        return responder
            .follow_up(&translator.render(lang, &Refusal::UnknownPanel { panel }))
            .await;
    };
    let lang = language(bot, interaction, Some(&config));
    let Some(actor) = member(interaction) else {
        return Err(Error::Unexpected("open without a member".into()));
    };

    if let Some(reply) = missing_bot_permissions_reply(bot, interaction, lang) {
        return responder.follow_up(&reply).await;
    }
    let now = executor::now();
    let request = OpenRequest {
        ticket_id: TicketId(interaction.id.get()),
        panel_id: panel,
        topic_id: topic,
        opener: actor.user_id,
        opener_name: display_name(interaction),
        requested_by: actor,
        reason,
        answers: Vec::new(),
    };
    let (ticket, limits) = match prepare_open(&config, request, now) {
        Ok(prepared) => prepared,
        Err(refusal) => {
            return responder
                .follow_up(&translator.render(lang, &refusal))
                .await;
        }
    };
    let ticket = match store.open_ticket(ticket, limits, now).await? {
        OpenOutcome::Created(ticket) => ticket,
        OpenOutcome::Existing(ticket) => {
            let reply = match ticket.channel {
                Some(channel) => translator.text(
                    lang,
                    ui::TICKET_OPENED,
                    &[("channel", format!("<#{}>", channel.id).into())],
                ),
                None => translator.text(lang, ui::IN_PROGRESS, &[]),
            };
            return responder.follow_up(&reply).await;
        }
        OpenOutcome::LimitReached { limit, open } => {
            // A ticket still getting its channel (a second quick click) is not one awaiting
            // approval: say it is on its way.
            if open
                .iter()
                .any(|t| t.channel.is_none() && t.state != helpline_domain::TicketState::Requested)
            {
                return responder
                    .follow_up(&translator.text(lang, ui::IN_PROGRESS, &[]))
                    .await;
            }
            let open = open
                .iter()
                .filter_map(|t| t.channel.map(|c| c.id))
                .collect();
            return responder
                .follow_up(&translator.render(lang, &Refusal::OpenLimitReached { limit, open }))
                .await;
        }
        OpenOutcome::Cooldown { retry_after } => {
            let retry_after_secs =
                retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            return responder
                .follow_up(&translator.render(lang, &Refusal::Cooldown { retry_after_secs }))
                .await;
        }
    };
    ::metrics::counter!(crate::metrics::TICKETS_OPENED).increment(1);
    let context = Context {
        config: &config,
        bot_id: bot.inner.bot_id,
        now,
    };
    match executor::execute(bot, opened(&ticket, &context)).await {
        Ok(report) => {
            let ticket = report.ticket.as_ref();
            let channel = ticket.and_then(|t| t.channel);
            let opened_text = |channel: helpline_domain::TicketChannel| {
                translator.text(
                    lang,
                    ui::TICKET_OPENED,
                    &[("channel", format!("<#{}>", channel.id).into())],
                )
            };
            let reply = match channel {
                Some(channel) if !report.failures.is_empty() => format!(
                    "{}\n{}",
                    opened_text(channel),
                    translator.text(lang, ui::FAILED, &[])
                ),
                Some(channel) => opened_text(channel),
                None if report.abandoned => translator.text(lang, ui::FAILED, &[]),
                // Waiting for approval (M2): the member hears back by DM.
                None if ticket
                    .is_some_and(|t| t.state == helpline_domain::TicketState::Requested) =>
                {
                    translator.text(lang, ui::REQUESTED, &[])
                }
                // The channel is still to come (Discord is slow); the member is mentioned in
                // it when it exists.
                None => translator.text(lang, ui::OPEN_DELAYED, &[]),
            };
            responder.follow_up(&reply).await
        }
        Err(Stop::Conflict) => {
            responder
                .follow_up(&translator.text(lang, ui::CONFLICT, &[]))
                .await
        }
        Err(Stop::Failed(error)) => Err(error),
    }
}
