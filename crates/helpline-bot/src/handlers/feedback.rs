//! Feedback after close: the opener's DM with the transcript carries a 1–5 rating; a rating
//! answers by turning the buttons into "You rated N/5" and an "Add a comment" button, which
//! opens a form. Both are kept with the ticket for statistics (S9). Each button works once:
//! the message loses it as it is used.

use super::language;
use crate::custom_id::{COMMENT_INPUT, CustomId};
use crate::reply::{Responder, button, row, text_input};
use crate::{Bot, Error, Result};
use helpline_domain::lifecycle::{Action, Context, apply};
use helpline_domain::permissions::Permissions;
use helpline_domain::{Actor, GuildConfig, Language, Member, TicketId};
use helpline_i18n::ui;
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::ButtonStyle;

/// The rating buttons of the DM on close.
pub(crate) fn rating_controls(ticket: TicketId) -> Vec<Component> {
    vec![row((1..=5)
        .map(|rating| {
            button(
                CustomId::Rate(ticket, rating).to_text(),
                "★".repeat(usize::from(rating)),
                ButtonStyle::Secondary,
            )
        })
        .collect())]
}

/// What the message shows once rated: the rating, and a comment button until one is given.
fn rated_controls(
    bot: &Bot,
    lang: Language,
    ticket: TicketId,
    rating: u8,
    commented: bool,
) -> Vec<Component> {
    let translator = &bot.inner.translator;
    let mut shown = button(
        format!("hl:rated:{ticket}"),
        translator.text(
            lang,
            ui::FEEDBACK_RATED,
            &[("rating", u32::from(rating).into())],
        ),
        ButtonStyle::Success,
    );
    if let Component::Button(button) = &mut shown {
        button.disabled = true;
    }
    let mut buttons = vec![shown];
    if !commented {
        buttons.push(button(
            CustomId::Comment(ticket).to_text(),
            translator.text(lang, ui::FEEDBACK_ADD_COMMENT, &[]),
            ButtonStyle::Primary,
        ));
    }
    vec![row(buttons)]
}

/// Applies the opener's rating or comment; the refusal to show, if any.
async fn save(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket_id: TicketId,
    action: Action,
) -> Result<std::result::Result<helpline_domain::Ticket, String>> {
    let interaction = responder.interaction;
    let lang = language(bot, interaction, None);
    let translator = &bot.inner.translator;
    let user = interaction
        .author_id()
        .ok_or_else(|| Error::Unexpected("feedback without a user".into()))?;
    let actor = Actor::Member(Member {
        user_id: user,
        roles: Vec::new(),
        permissions: Permissions::empty(),
    });
    let store = &bot.inner.store;
    for _ in 0..3 {
        let Some(ticket) = store.ticket(ticket_id).await? else {
            return Ok(Err(translator.text(lang, ui::UNKNOWN_TICKET, &[])));
        };
        let config = store
            .guild_config(ticket.guild_id)
            .await?
            .unwrap_or_else(|| GuildConfig::new(ticket.guild_id));
        let context = Context {
            config: &config,
            bot_id: bot.inner.bot_id,
            now: bot.now(),
        };
        let transition = match apply(&ticket, &actor, action.clone(), &context) {
            Ok(transition) => transition,
            Err(refusal) => return Ok(Err(translator.render(lang, &refusal))),
        };
        // Feedback changes no channel and calls for no effect: an ordinary versioned write
        // (like an activity mark), not fenced by the guild's shard — DMs reach shard 0.
        match store
            .update_ticket(&transition.ticket, ticket.version)
            .await
        {
            Ok(()) => return Ok(Ok(transition.ticket)),
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(Err(translator.text(lang, ui::CONFLICT, &[])))
}

/// A rating button.
pub(super) async fn rate(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket: TicketId,
    rating: u8,
) -> Result<()> {
    let lang = language(bot, responder.interaction, None);
    match save(bot, responder, ticket, Action::Rate { rating }).await? {
        Ok(saved) => {
            let commented = saved.feedback.as_ref().is_some_and(|f| f.comment.is_some());
            responder
                .update(rated_controls(bot, lang, ticket, rating, commented))
                .await
        }
        Err(reply) => responder.message(reply, Vec::new()).await,
    }
}

/// The "Add a comment" button: the form.
pub(super) async fn comment_form(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket: TicketId,
) -> Result<()> {
    let lang = language(bot, responder.interaction, None);
    let translator = &bot.inner.translator;
    responder
        .modal(
            CustomId::CommentModal(ticket).to_text(),
            translator.text(lang, ui::FEEDBACK_FORM_TITLE, &[]),
            vec![text_input(
                COMMENT_INPUT,
                translator.text(lang, ui::FEEDBACK_FORM_LABEL, &[]),
                true,
                helpline_domain::ticket::FEEDBACK_COMMENT as u16,
            )],
        )
        .await
}

/// The comment form's submission: kept, and the comment button goes away.
pub(super) async fn commented(
    bot: &Bot,
    responder: &Responder<'_>,
    ticket: TicketId,
    text: Option<String>,
) -> Result<()> {
    let lang = language(bot, responder.interaction, None);
    let action = Action::Comment {
        text: text.unwrap_or_default(),
    };
    match save(bot, responder, ticket, action).await? {
        Ok(saved) => {
            let rating = saved.feedback.as_ref().map_or(0, |f| f.rating);
            responder
                .update(rated_controls(bot, lang, ticket, rating, true))
                .await
        }
        Err(reply) => responder.message(reply, Vec::new()).await,
    }
}
