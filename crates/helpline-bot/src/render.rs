//! What the bot's messages look like: the welcome message, the buttons that follow a ticket's
//! state, notices and log entries. Rendered from the ticket as it is when the message is posted
//! or edited, in the guild's language.

use crate::Bot;
use crate::custom_id::CustomId;
use crate::reply::{button, empty_embed, row};
use helpline_domain::{
    GuildConfig, Language, LogEvent, LogKind, LogSubject, Notice, Ticket, TicketState, UserId,
};
use helpline_domain::{Panel, PanelContent, PanelStyle};
use helpline_i18n::ui;
use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::ButtonStyle;
use twilight_model::channel::message::component::{SelectMenu, SelectMenuOption, SelectMenuType};
use twilight_model::channel::message::embed::{Embed, EmbedField};

/// Moves a guild still on a default welcome template to `language`'s; a guild's own template
/// is left as it is.
pub(crate) fn follow_language(bot: &Bot, config: &mut GuildConfig, language: Language) {
    bot.inner.translator.follow_language(config, language);
}

/// Ticket numbers as members see them: `#0012`.
pub(crate) fn number(ticket: &Ticket) -> String {
    format!("#{:04}", ticket.number)
}

/// The welcome message's buttons for the ticket's state: Claim (or Unclaim when claimed) and
/// Close while it is open, none once it is closed (the closed notice carries Reopen and Delete).
pub(crate) fn welcome_controls(bot: &Bot, language: Language, ticket: &Ticket) -> Vec<Component> {
    let text = |key| bot.inner.translator.text(language, key, &[]);
    let claim = match ticket.state {
        TicketState::Open => button(
            CustomId::Claim(ticket.id).to_text(),
            text(ui::BUTTON_CLAIM),
            ButtonStyle::Success,
        ),
        TicketState::Claimed => button(
            CustomId::Unclaim(ticket.id).to_text(),
            text(ui::BUTTON_UNCLAIM),
            ButtonStyle::Secondary,
        ),
        _ => return Vec::new(),
    };
    vec![row(vec![
        claim,
        button(
            CustomId::Close(ticket.id).to_text(),
            text(ui::BUTTON_CLOSE),
            ButtonStyle::Danger,
        ),
    ])]
}

/// The closed notice's buttons: Reopen and Delete while the ticket is closed, none after.
pub(crate) fn closed_controls(bot: &Bot, language: Language, ticket: &Ticket) -> Vec<Component> {
    if ticket.state != TicketState::Closed {
        return Vec::new();
    }
    let text = |key| bot.inner.translator.text(language, key, &[]);
    vec![row(vec![
        button(
            CustomId::Reopen(ticket.id).to_text(),
            text(ui::BUTTON_REOPEN),
            ButtonStyle::Success,
        ),
        button(
            CustomId::Delete(ticket.id).to_text(),
            text(ui::BUTTON_DELETE),
            ButtonStyle::Danger,
        ),
    ])]
}

/// The close request's buttons while it waits for the opener's answer.
pub(crate) fn close_request_controls(
    bot: &Bot,
    language: Language,
    ticket: &Ticket,
) -> Vec<Component> {
    if ticket.close_request.is_none() || !ticket.state.is_active() {
        return Vec::new();
    }
    let text = |key| bot.inner.translator.text(language, key, &[]);
    vec![row(vec![
        button(
            CustomId::CloseAccept(ticket.id).to_text(),
            text(ui::BUTTON_ACCEPT_CLOSE),
            ButtonStyle::Success,
        ),
        button(
            CustomId::CloseDecline(ticket.id).to_text(),
            text(ui::BUTTON_DECLINE_CLOSE),
            ButtonStyle::Secondary,
        ),
    ])]
}

/// The welcome message's embed.
pub(crate) fn welcome_embed(
    bot: &Bot,
    language: Language,
    ticket: &Ticket,
    content: String,
    answers: &[helpline_domain::FormAnswer],
) -> Embed {
    Embed {
        title: Some(bot.inner.translator.text(
            language,
            ui::WELCOME_TITLE,
            &[("number", number(ticket).into())],
        )),
        description: Some(content),
        fields: answers
            .iter()
            .map(|answer| EmbedField {
                inline: false,
                name: answer.question.clone(),
                value: answer.answer.clone(),
            })
            .collect(),
        color: Some(0x5865F2),
        ..empty_embed()
    }
}

/// A notice in the reader's language.
pub(crate) fn notice(
    bot: &Bot,
    config: &GuildConfig,
    language: Language,
    notice: &Notice,
) -> String {
    let mut localizer = bot.inner.translator.localizer(language).with_config(config);
    localizer.render(notice)
}

/// A log entry's embed.
pub(crate) fn log_embed(
    bot: &Bot,
    language: Language,
    ticket: &Ticket,
    title: &str,
    actor: Option<UserId>,
    reason: Option<String>,
    color: u32,
) -> Embed {
    let translator = &bot.inner.translator;
    let field = |key: &str, value: String| EmbedField {
        inline: true,
        name: translator.text(language, key, &[]),
        value,
    };
    let mut fields = vec![field(ui::LOG_FIELD_OPENER, format!("<@{}>", ticket.opener))];
    // "Opened by Mia, by Mia" says it twice: the opener acting is the opener field alone.
    if let Some(actor) = actor.filter(|actor| *actor != ticket.opener) {
        fields.push(field(ui::LOG_FIELD_ACTOR, format!("<@{actor}>")));
    }
    if let Some(channel) = ticket.channel {
        fields.push(field(ui::LOG_FIELD_CHANNEL, format!("<#{}>", channel.id)));
    }
    if let Some(reason) = reason {
        fields.push(EmbedField {
            inline: false,
            ..field(ui::LOG_FIELD_REASON, reason)
        });
    }
    Embed {
        title: Some(format!("{title} — {}", number(ticket))),
        fields,
        color: Some(color),
        ..empty_embed()
    }
}

/// The embed of a log event.
///
/// `transcript` links the transcript the log channel holds, for the entries that end a ticket.
pub(crate) fn log_event_embed(
    bot: &Bot,
    config: &GuildConfig,
    language: Language,
    ticket: &Ticket,
    event: &LogEvent,
    transcript: Option<String>,
) -> Embed {
    let translator = &bot.inner.translator;
    let title = translator.render(language, &event.kind);
    let reason = match (&event.close_reason, &event.reason) {
        (Some(close), _) if event.kind == LogKind::Closed => {
            Some(translator.render(language, close))
        }
        (_, Some(reason)) => Some(reason.clone()),
        _ => None,
    };
    let color = match event.kind {
        LogKind::Opened | LogKind::Reopened => 0x57F287,
        LogKind::Closed | LogKind::Deleted | LogKind::Refused => 0xED4245,
        _ => 0x5865F2,
    };
    let mut embed = log_embed(bot, language, ticket, &title, event.actor, reason, color);
    let field = |key: &str, value: String| EmbedField {
        inline: true,
        name: translator.text(language, key, &[]),
        value,
    };
    match &event.subject {
        Some(LogSubject::Member(user)) => {
            embed
                .fields
                .push(field(ui::LOG_FIELD_MEMBER, format!("<@{user}>")));
        }
        Some(LogSubject::Role(role)) => {
            embed
                .fields
                .push(field(ui::LOG_FIELD_ROLE, format!("<@&{role}>")));
        }
        Some(LogSubject::Name(name)) => embed.fields.push(field(ui::LOG_FIELD_NAME, name.clone())),
        Some(LogSubject::Topic(topic)) => {
            let name = config
                .topic(*topic)
                .map_or_else(|| topic.to_string(), |t| t.name.clone());
            embed.fields.push(field(ui::LOG_FIELD_TOPIC, name));
        }
        None => {}
    }
    if let Some(url) = transcript {
        let link = translator.text(language, ui::LOG_TRANSCRIPT_LINK, &[]);
        embed
            .fields
            .push(field(ui::LOG_FIELD_TRANSCRIPT, format!("[{link}]({url})")));
    }
    embed
}

/// A panel message: its text (empty for Helpline's embed), its embeds, and its buttons or select
/// menu.
pub(crate) fn panel_message(
    bot: &Bot,
    config: &GuildConfig,
    panel: &Panel,
    language: Language,
) -> (String, Vec<Embed>, Vec<Component>) {
    let translator = &bot.inner.translator;
    let text = |key: &str| translator.text(language, key, &[]);
    let (content, embeds) = match &panel.content {
        PanelContent::Embed { title, description } => (
            String::new(),
            vec![Embed {
                color: Some(0x5865F2),
                title: Some(if title.is_empty() {
                    text(ui::PANEL_TITLE)
                } else {
                    title.clone()
                }),
                description: Some(if description.is_empty() {
                    text(ui::PANEL_DESCRIPTION)
                } else {
                    description.clone()
                }),
                ..empty_embed()
            }],
        ),
        // The copy as it was taken; embeds that no longer parse (never expected) are left out.
        PanelContent::CopiedMessage {
            content, embeds, ..
        } => (
            content.clone(),
            serde_json::from_str::<Vec<Embed>>(embeds).unwrap_or_default(),
        ),
    };
    let label = if panel.button_label.is_empty() {
        text(ui::BUTTON_OPEN)
    } else {
        panel.button_label.clone()
    };
    let components = match panel.style {
        PanelStyle::Buttons if panel.topics.is_empty() => {
            vec![row(vec![button(
                CustomId::Open {
                    panel: panel.id,
                    topic: None,
                }
                .to_text(),
                label,
                ButtonStyle::Primary,
            )])]
        }
        PanelStyle::SelectMenu => vec![row(vec![Component::SelectMenu(SelectMenu {
            channel_types: None,
            custom_id: CustomId::Open {
                panel: panel.id,
                topic: None,
            }
            .to_text(),
            default_values: None,
            disabled: false,
            id: None,
            kind: SelectMenuType::Text,
            max_values: Some(1),
            min_values: Some(1),
            options: Some(
                panel
                    .topics
                    .iter()
                    .filter_map(|id| config.topic(*id))
                    .map(|topic| SelectMenuOption {
                        default: false,
                        description: topic.description.clone(),
                        emoji: topic.emoji.as_deref().and_then(emoji),
                        label: topic.name.clone(),
                        value: topic.id.to_string(),
                    })
                    .collect(),
            ),
            placeholder: (!panel.select_placeholder.is_empty())
                .then(|| panel.select_placeholder.clone()),
            required: None,
        })])],
        PanelStyle::Buttons => panel
            .button_rows()
            .into_iter()
            .map(|topics| {
                row(topics
                    .iter()
                    .filter_map(|id| config.topic(*id))
                    .map(|topic| {
                        let mut button = button(
                            CustomId::Open {
                                panel: panel.id,
                                topic: Some(topic.id),
                            }
                            .to_text(),
                            topic.name.clone(),
                            ButtonStyle::Primary,
                        );
                        if let Component::Button(inner) = &mut button {
                            inner.emoji = topic.emoji.as_deref().and_then(emoji);
                        }
                        button
                    })
                    .collect())
            })
            .collect(),
    };
    (content, embeds, components)
}

/// A topic's emoji as Discord takes it on a button or select option: a unicode emoji, or a
/// custom one written `<:name:id>` (`<a:name:id>` when animated). The domain has checked it.
fn emoji(text: &str) -> Option<twilight_model::channel::message::EmojiReactionType> {
    use twilight_model::channel::message::EmojiReactionType;
    match text
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
    {
        Some(inner) => {
            let mut parts = inner.split(':');
            let animated = parts.next()? == "a";
            let name = parts.next()?.to_owned();
            let id = parts.next()?.parse().ok()?;
            Some(EmojiReactionType::Custom {
                animated,
                id: twilight_model::id::Id::new_checked(id)?,
                name: Some(name),
            })
        }
        None => Some(EmojiReactionType::Unicode {
            name: text.to_owned(),
        }),
    }
}
