//! Capturing ticket conversations for transcripts (S8, B3): every message in a ticket channel
//! is appended (once, by message id), edits and deletions are recorded, and attachments are
//! downloaded while Discord's links are valid and kept under the store's size cap.

use crate::Bot;
use crate::channels::{Known, Lookup};
use crate::ingest::NewMessage;
use helpline_domain::auth::{Standing, standing};
use helpline_domain::permissions::Permissions;
use helpline_domain::{
    Member, Timestamp, TranscriptAttachment, TranscriptEmbed, TranscriptMessage,
};
use std::time::Duration;
use twilight_model::gateway::payload::incoming::{MessageDelete, MessageUpdate};

/// Activity is written to the ticket at most this often (auto-close needs minutes, not
/// milliseconds), except the first staff response, which is always recorded.
const ACTIVITY_RESOLUTION: Duration = Duration::from_secs(60);

/// What the bot knows of the ticket of a channel, if the channel is a ticket's: from memory, or
/// from the store the first time.
async fn ticket_of(bot: &Bot, channel: helpline_domain::ChannelId) -> Option<Known> {
    match bot.inner.ticket_channels.get(channel) {
        Lookup::Ticket(known) => return Some(known),
        Lookup::NotATicket => return None,
        Lookup::Unknown => {}
    }
    match bot.inner.store.ticket_by_channel(channel).await {
        Ok(ticket) => {
            bot.inner
                .ticket_channels
                .learn(channel, ticket.as_ref(), bot.now());
            ticket.as_ref().map(Known::of)
        }
        Err(error) => {
            tracing::warn!(channel_id = %channel, %error, "cannot look up ticket of channel");
            None
        }
    }
}

fn timestamp(time: twilight_model::util::Timestamp) -> Timestamp {
    Timestamp::from_millis(time.as_micros() / 1000)
}

/// The transcript record of a Discord message. Its content and embeds move into the record:
/// what follows the append (activity, attachments' downloads) reads neither.
fn transcript_message(message: &mut NewMessage) -> TranscriptMessage {
    let author_name = message.author_name().to_owned();
    let created_at = timestamp(message.timestamp);
    TranscriptMessage {
        message_id: message.id,
        author_id: message.author.id,
        author_name,
        author_is_bot: message.author.bot,
        content: std::mem::take(&mut message.content),
        created_at,
        edits: Vec::new(),
        deleted_at: None,
        embeds: std::mem::take(&mut message.embeds)
            .into_iter()
            .map(|embed| TranscriptEmbed {
                title: embed.title,
                description: embed.description,
                url: embed.url,
                color: embed.color,
                fields: embed
                    .fields
                    .into_iter()
                    .map(|f| (f.name, f.value))
                    .collect(),
                footer: embed.footer.map(|f| f.text),
                image_url: embed.image.map(|i| i.url),
            })
            .collect(),
        attachments: message
            .attachments
            .iter()
            .map(|a| TranscriptAttachment {
                id: a.id.get(),
                filename: a.filename.clone(),
                content_type: a.content_type.clone(),
                size: a.size,
                stored: false,
            })
            .collect(),
        staff_note: false,
    }
}

/// Appends a run of created messages in one store write, then records activity and fetches
/// attachments for those that were new. The messages stay in the boxes ingest read them into.
#[allow(clippy::vec_box)]
async fn messages_created(bot: &Bot, created: &mut Vec<Box<NewMessage>>) {
    if created.is_empty() {
        return;
    }
    let mut batch = Vec::with_capacity(created.len());
    let mut kept = Vec::with_capacity(created.len());
    for mut message in created.drain(..) {
        if message.guild_id.is_none() {
            continue;
        }
        let Some(ticket) = ticket_of(bot, message.channel_id).await else {
            continue;
        };
        batch.push((ticket.ticket, transcript_message(&mut message)));
        kept.push((ticket, message));
    }
    if batch.is_empty() {
        return;
    }
    let inserted = match bot.inner.store.append_messages(&batch).await {
        Ok(inserted) => inserted,
        Err(error) => {
            tracing::warn!(messages = batch.len(), %error, "cannot append messages to transcripts");
            return;
        }
    };
    for ((ticket, message), new) in kept.into_iter().zip(inserted) {
        if new {
            message_appended(bot, ticket, &message).await;
        }
    }
}

/// What follows a new transcript message: activity marks and the attachments' bytes.
async fn message_appended(bot: &Bot, ticket: Known, message: &NewMessage) {
    if !message.author.bot {
        // Seen now: on the bot's clock, which tests move forward past an auto-close warning.
        let at = timestamp(message.timestamp).max(bot.now());
        record_activity(bot, ticket, message, at).await;
    }
    // Downloads may take seconds: they must not hold up the channel's next events.
    let cap = bot.inner.store_limits.max_attachment_bytes;
    let wanted: Vec<_> = message
        .attachments
        .iter()
        .filter(|a| a.size <= cap)
        .cloned()
        .collect();
    if !wanted.is_empty() {
        let bot = bot.clone();
        let message_id = message.id;
        tokio::spawn(async move {
            for attachment in wanted {
                let Some(bytes) = bot.inner.downloader.fetch(&attachment.url, cap).await else {
                    tracing::warn!(ticket = %ticket.ticket, attachment = %attachment.id, "cannot download attachment");
                    continue;
                };
                if let Err(error) = bot
                    .inner
                    .store
                    .store_attachment(ticket.ticket, message_id, attachment.id.get(), bytes)
                    .await
                {
                    tracing::warn!(ticket = %ticket.ticket, %error, "cannot keep attachment");
                }
            }
        });
    }
}

/// Events waiting in a shard's message queue from which it is taken for a burst.
const BURST: usize = 64;

/// How long a burst's events are let gather before they are written: a transcript line
/// captured 10 ms later is seen by no one, and under a burst into 40 busy tickets a commit then
/// carries thousands of messages instead of a few hundred (the load bench's stream of messages
/// all in tickets shows it).
const BURST_WAIT: std::time::Duration = std::time::Duration::from_millis(10);

/// A message event of a shard, handled in gateway order.
#[derive(Debug)]
pub(crate) enum MessageEvent {
    Created(Box<NewMessage>),
    Updated(Box<MessageUpdate>),
    Deleted(MessageDelete),
}

/// Handles a shard's message events one after another, so an edit or a deletion is never
/// recorded before the message it changes (each event on its own task could overtake). Runs of
/// new messages waiting together are appended in one store write: all of the queue's if need
/// be, so the more a burst backs up, the fewer commits it takes (each commit writes every page
/// its tickets' rows went to, and a write of a few hundred messages over 40 tickets writes most
/// of those pages for a handful of rows each). Once [`BURST`] events wait, a burst is on: the worker
/// lets the queue fill for [`BURST_WAIT`] more before it writes, so one commit carries what
/// the burst brought in that time rather than what arrived during the previous commit. At
/// ordinary rates nothing waits that long and each event is handled as it comes.
pub(crate) async fn message_worker(
    bot: Bot,
    mut events: tokio::sync::mpsc::Receiver<MessageEvent>,
) {
    const BATCH: usize = crate::runtime::MESSAGE_QUEUE;
    let mut waiting = Vec::with_capacity(BATCH);
    let mut created = Vec::with_capacity(BATCH);
    while events.recv_many(&mut waiting, BATCH).await > 0 {
        if waiting.len() >= BURST {
            tokio::time::sleep(BURST_WAIT).await;
            while waiting.len() < BATCH
                && let Ok(event) = events.try_recv()
            {
                waiting.push(event);
            }
        }
        for event in waiting.drain(..) {
            match event {
                MessageEvent::Created(message) => created.push(message),
                MessageEvent::Updated(update) => {
                    messages_created(&bot, &mut created).await;
                    message_updated(&bot, *update).await;
                }
                MessageEvent::Deleted(delete) => {
                    messages_created(&bot, &mut created).await;
                    message_deleted(&bot, delete).await;
                }
            }
        }
        messages_created(&bot, &mut created).await;
    }
}

/// Records activity (auto-close) and the first staff response (statistics) on the ticket,
/// reading the store only when something may need writing.
async fn record_activity(bot: &Bot, known: Known, message: &NewMessage, at: Timestamp) {
    let may_be_first_response = !known.first_response_recorded && message.author.id != known.opener;
    if !may_be_first_response && at.since(known.activity_written_at) < ACTIVITY_RESOLUTION {
        return;
    }
    let store = &bot.inner.store;
    let Ok(Some(ticket)) = store.ticket(known.ticket).await else {
        return;
    };
    let Ok(Some(config)) = store.guild_config(ticket.guild_id).await else {
        return;
    };
    let roles = message
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let member = Member {
        user_id: message.author.id,
        roles,
        permissions: Permissions::empty(),
    };
    let is_staff = member.user_id != ticket.opener
        && standing(&member, &config, ticket.topic_id) != Standing::Member;
    let first_response = is_staff && ticket.first_response_at.is_none();
    if !first_response && at.since(ticket.last_activity_at) < ACTIVITY_RESOLUTION {
        // Nothing to write; remember why, so the next messages skip the reads.
        bot.inner
            .ticket_channels
            .update(message.channel_id, Known::of(&ticket));
        return;
    }
    let mut next = ticket.clone();
    next.record_message(is_staff, at, &config.settings_for(ticket.panel_id));
    next.version += 1;
    // Losing a race here only loses an activity mark a later message will set again.
    match store.update_ticket(&next, ticket.version).await {
        Ok(()) => {
            if first_response {
                let opened = ticket.opened_at.unwrap_or(ticket.created_at);
                ::metrics::histogram!(crate::metrics::FIRST_RESPONSE)
                    .record(at.since(opened).as_secs_f64());
            }
            bot.inner
                .ticket_channels
                .update(message.channel_id, Known::of(&next));
        }
        Err(error) => tracing::debug!(ticket = %ticket.id, %error, "activity not recorded"),
    }
}

pub(crate) async fn message_updated(bot: &Bot, update: MessageUpdate) {
    if update.guild_id.is_none() {
        return;
    }
    let Some(ticket) = ticket_of(bot, update.channel_id).await else {
        return;
    };
    let at = update.edited_timestamp.map_or_else(|| bot.now(), timestamp);
    if let Err(error) = bot
        .inner
        .store
        .record_edit(ticket.ticket, update.id, update.content.clone(), at)
        .await
    {
        tracing::warn!(ticket = %ticket.ticket, %error, "cannot record edit");
    }
}

pub(crate) async fn message_deleted(bot: &Bot, delete: MessageDelete) {
    if delete.guild_id.is_none() {
        return;
    }
    let Some(ticket) = ticket_of(bot, delete.channel_id).await else {
        return;
    };
    if let Err(error) = bot
        .inner
        .store
        .record_deletion(ticket.ticket, delete.id, bot.now())
        .await
    {
        tracing::warn!(ticket = %ticket.ticket, %error, "cannot record deletion");
    }
}
