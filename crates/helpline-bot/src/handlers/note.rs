//! `/note [text]` (S8): staff keep a note with a ticket, never posted on Discord where its
//! member would read it. Notes are marked in the transcript staff read (the log channel's copy)
//! and left out of the copy the opener gets by DM; without text, the staff member reads the
//! ticket's notes so far.

use super::admin::string;
use super::{display_name, member};
use crate::reply::Responder;
use crate::{Bot, Result};
use helpline_domain::TranscriptMessage;
use helpline_i18n::ui;
use twilight_model::application::interaction::application_command::CommandData;

/// Longest note kept, in characters (a note listing stays within Discord's 2,000).
pub(crate) const NOTE_LENGTH: usize = 1000;

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    let Some(ticket) = super::ticket::ticket_here(bot, responder).await? else {
        return Ok(());
    };
    let Some((_, lang)) = super::tag::staff_here(bot, responder).await? else {
        return Ok(());
    };
    let interaction = responder.interaction;
    let translator = &bot.inner.translator;
    let store = &bot.inner.store;
    let text = string(&data.options, "text").filter(|text| !text.trim().is_empty());
    let Some(text) = text else {
        let notes: Vec<TranscriptMessage> = store
            .transcript(ticket)
            .await?
            .into_iter()
            .filter(|message| message.staff_note && message.deleted_at.is_none())
            .collect();
        if notes.is_empty() {
            let none = translator.text(lang, ui::NOTE_NONE, &[]);
            return responder.message(none, Vec::new()).await;
        }
        // The latest notes first, as many as one message holds.
        let mut reply = translator.text(lang, ui::NOTE_LIST, &[("count", notes.len().into())]);
        for note in notes.iter().rev() {
            let line = format!(
                "\n**{}** <t:{}:f>: {}",
                note.author_name,
                note.created_at.as_secs(),
                note.content
            );
            if reply.chars().count() + line.chars().count() > 2000 {
                break;
            }
            reply.push_str(&line);
        }
        return responder.message(reply, Vec::new()).await;
    };
    let Some(author) = member(interaction) else {
        return Err(crate::Error::Unexpected("/note without a member".into()));
    };
    let note = TranscriptMessage {
        // The interaction's id is a snowflake of when the note was written: it sorts among the
        // ticket's messages by time, and a retried interaction keeps it once.
        message_id: interaction.id.cast(),
        author_id: author.user_id,
        author_name: display_name(interaction),
        author_is_bot: false,
        content: text.chars().take(NOTE_LENGTH).collect(),
        created_at: bot.now(),
        edits: Vec::new(),
        deleted_at: None,
        embeds: Vec::new(),
        attachments: Vec::new(),
        staff_note: true,
    };
    store.append_message(ticket, &note).await?;
    responder
        .message(translator.text(lang, ui::NOTE_KEPT, &[]), Vec::new())
        .await
}
