//! Opening a ticket from a panel (MISSION M1): check the request, reserve the ticket atomically
//! in the store (number, open limit, cooldown; the interaction id as ticket id so a redelivery
//! finds the same ticket), create its private channel and welcome the member.

use super::{display_name, guild_id, language, member, missing_bot_permissions_reply};
use crate::custom_id::CustomId;
use crate::executor::{self, Stop};
use crate::reply::Responder;
use crate::{Bot, Error, Result};
use helpline_domain::lifecycle::{Context, OpenRequest, Refusal, opened, prepare_open};
use helpline_domain::{FormAnswer, PanelId, TicketId, TopicId, limits};
use helpline_i18n::ui;
use helpline_store::OpenOutcome;
use twilight_model::channel::message::Component;

/// Discord's codes for a guild at its limit of active threads, and of channels.
const MAX_ACTIVE_THREADS: u64 = 160_006;
const MAX_GUILD_CHANNELS: u64 = 30_013;
use twilight_model::channel::message::component::{
    Label, SelectMenu, SelectMenuOption, SelectMenuType, TextInput, TextInputStyle,
};

pub(super) async fn run(
    bot: &Bot,
    responder: &Responder<'_>,
    panel: PanelId,
    topic: Option<TopicId>,
) -> Result<()> {
    let guild = guild_id(responder.interaction)?;
    let config = bot.inner.store.guild_config(guild).await?;
    // A form is the first answer, instead of the deferral; a blacklisted member is told at
    // once rather than after filling it in.
    if let Some(config) = &config {
        let lang = language(bot, responder.interaction, Some(config));
        if let Some(reply) = blacklisted(bot, responder, config, lang) {
            return responder.message(reply, Vec::new()).await;
        }
        if let Some((custom_id, title, inputs)) = form(bot, lang, config, panel, topic, None) {
            return responder.modal(custom_id, title, inputs).await;
        }
    }
    responder.defer(true).await?;
    open(bot, responder, config, Opening::new(panel, topic)).await
}

/// The polite refusal for a member on the guild's blacklist.
fn blacklisted(
    bot: &Bot,
    responder: &Responder<'_>,
    config: &helpline_domain::GuildConfig,
    lang: helpline_domain::Language,
) -> Option<String> {
    let member = member(responder.interaction)?;
    config
        .is_blacklisted(&member)
        .then(|| bot.inner.translator.render(lang, &Refusal::Blacklisted))
}

/// What `/ticket` and `/open-for` share: the set-up guild's configuration, the reader's
/// language, the topic `topic:` names and the panel that offers it (the guild's first panel
/// without one); `Err` holds the answer when the guild is not set up or the topic is unknown.
struct Chosen {
    config: helpline_domain::GuildConfig,
    lang: helpline_domain::Language,
    topic: Option<TopicId>,
    panel: PanelId,
}

type CommandData = twilight_model::application::interaction::application_command::CommandData;

async fn chosen(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<std::result::Result<Chosen, String>> {
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let config = bot.inner.store.guild_config(guild).await?;
    let lang = language(bot, interaction, config.as_ref());
    let Some(config) = config.filter(|c| !c.panels.is_empty()) else {
        return Ok(Err(bot.inner.translator.text(lang, ui::NOT_SET_UP, &[])));
    };
    let topic = match super::admin::string(&data.options, "topic") {
        None => None,
        Some(name) => match super::find_topic(bot, lang, &config, &name, ui::TICKET_NO_TOPICS) {
            Ok(topic) => Some(topic),
            Err(reply) => return Ok(Err(reply)),
        },
    };
    let panel = topic
        .and_then(|topic| config.panels.iter().find(|p| p.topics.contains(&topic)))
        .unwrap_or(&config.panels[0])
        .id;
    Ok(Ok(Chosen {
        config,
        lang,
        topic,
        panel,
    }))
}

/// `/ticket [topic] [reason]` (M1): the same as a panel click, on the panel that offers the
/// topic (the guild's first panel without one), with the member's reason; the topic's form
/// when it has one (the reason given filled in).
pub(super) async fn command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    let Chosen {
        config,
        lang,
        topic,
        panel,
    } = match chosen(bot, responder, data).await? {
        Ok(chosen) => chosen,
        Err(reply) => return responder.message(reply, Vec::new()).await,
    };
    let reason = super::admin::string(&data.options, "reason");
    if let Some(reply) = blacklisted(bot, responder, &config, lang) {
        return responder.message(reply, Vec::new()).await;
    }
    if let Some((custom_id, title, inputs)) =
        form(bot, lang, &config, panel, topic, reason.as_deref())
    {
        return responder.modal(custom_id, title, inputs).await;
    }
    responder.defer(true).await?;
    open(
        bot,
        responder,
        Some(config),
        Opening {
            reason,
            ..Opening::new(panel, topic)
        },
    )
    .await
}

/// `/open-for member [topic] [reason]` (S4): staff open a ticket for a member, without the
/// form (the member's answers are theirs to give in the ticket) and without approval (staff are
/// the approvers); the member is told by DM and mentioned in the new channel.
pub(super) async fn open_for_command(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &CommandData,
) -> Result<()> {
    use twilight_model::application::interaction::application_command::CommandOptionValue;
    let Chosen {
        config,
        lang,
        topic,
        panel,
    } = match chosen(bot, responder, data).await? {
        Ok(chosen) => chosen,
        Err(reply) => return responder.message(reply, Vec::new()).await,
    };
    let not_a_member = || bot.inner.translator.text(lang, ui::NOT_A_MEMBER, &[]);
    let user = data
        .options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::User(user), "member") => Some(*user),
            _ => None,
        });
    let resolved = data.resolved.as_ref();
    // A user who is not a member of the guild has no resolved member.
    let member = user.filter(|user| resolved.is_some_and(|r| r.members.contains_key(user)));
    let Some(user) = member else {
        return responder.message(not_a_member(), Vec::new()).await;
    };
    let profile = resolved.and_then(|r| r.users.get(&user));
    if profile.is_some_and(|u| u.bot) || user == bot.inner.bot_id {
        return responder.message(not_a_member(), Vec::new()).await;
    }
    let name = super::resolved_name(data, user);
    responder.defer(true).await?;
    open(
        bot,
        responder,
        Some(config),
        Opening {
            reason: super::admin::string(&data.options, "reason"),
            for_member: Some((user, name)),
            ..Opening::new(panel, topic)
        },
    )
    .await
}

/// Suggests the guild's topics matching what the member typed in `/ticket topic:` (any part of
/// the name, whatever its case), at most 25 as Discord allows; none outside a set-up guild.
pub(super) async fn suggest_topics(
    bot: &Bot,
    responder: &Responder<'_>,
    data: &twilight_model::application::interaction::application_command::CommandData,
) -> Result<()> {
    let typed = super::focused_text(data);
    let config = match responder.interaction.guild_id {
        Some(guild) => bot.inner.store.guild_config(guild).await?,
        None => None,
    };
    let choices = config
        .iter()
        .filter(|c| c.enabled)
        .flat_map(|c| c.topics.iter())
        .filter(|t| t.name.to_lowercase().contains(&typed))
        .take(limits::SELECT_OPTIONS)
        .map(|t| (t.name.clone(), t.name.clone()))
        .collect();
    responder.choices(choices).await
}

/// The open form of `panel` and `topic` (M1, B6), when it shows one: the reason first when the
/// panel requires it, then the topic's questions, text or select. Its custom id, title and
/// inputs.
fn form(
    bot: &Bot,
    lang: helpline_domain::Language,
    config: &helpline_domain::GuildConfig,
    panel: PanelId,
    topic: Option<TopicId>,
    reason: Option<&str>,
) -> Option<(String, String, Vec<Component>)> {
    use helpline_domain::config::{QuestionStyle, ReasonMode};
    let shown = config.panel(panel)?;
    let topic_config = topic.and_then(|id| config.topic(id));
    // A topic not on the panel, a disabled guild: the refusal comes from the open itself.
    if !config.enabled
        || topic.is_some_and(|id| !shown.topics.contains(&id))
        || !shown.shows_form(topic_config)
    {
        return None;
    }
    let translator = &bot.inner.translator;
    let mut inputs = Vec::new();
    if shown.settings.reason == ReasonMode::Required {
        inputs.push(labelled(
            translator.text(lang, ui::OPEN_REASON_LABEL, &[]),
            None,
            Component::TextInput(text(
                crate::custom_id::CLOSE_REASON_INPUT,
                TextInputStyle::Paragraph,
                true,
                None,
                Some(limits::REASON as u16),
                None,
                reason,
            )),
        ));
    }
    for (index, question) in topic_config
        .map_or(&[][..], |t| &t.questions)
        .iter()
        .enumerate()
    {
        let custom_id = crate::custom_id::question_input(index);
        let component = match &question.style {
            QuestionStyle::Select { choices } => Component::SelectMenu(SelectMenu {
                channel_types: None,
                custom_id,
                default_values: None,
                disabled: false,
                id: None,
                kind: SelectMenuType::Text,
                max_values: Some(1),
                min_values: Some(u8::from(question.required)),
                options: Some(
                    choices
                        .iter()
                        .map(|choice| SelectMenuOption {
                            default: false,
                            description: choice.description.clone(),
                            emoji: None,
                            label: choice.label.clone(),
                            value: choice.label.clone(),
                        })
                        .collect(),
                ),
                placeholder: question.placeholder.clone(),
                required: Some(question.required),
            }),
            style => Component::TextInput(text(
                &custom_id,
                if *style == QuestionStyle::Short {
                    TextInputStyle::Short
                } else {
                    TextInputStyle::Paragraph
                },
                question.required,
                question.min_length,
                question.max_length,
                question.placeholder.clone(),
                None,
            )),
        };
        inputs.push(labelled(question.label.clone(), None, component));
    }
    let title = topic_config.map_or_else(
        || translator.text(lang, ui::BUTTON_OPEN, &[]),
        |t| t.name.clone(),
    );
    let title: String = title.chars().take(limits::MODAL_TITLE).collect();
    Some((CustomId::Form { panel, topic }.to_text(), title, inputs))
}

fn labelled(label: String, description: Option<String>, component: Component) -> Component {
    Component::Label(Label {
        component: Box::new(component),
        description,
        id: None,
        label,
    })
}

fn text(
    custom_id: &str,
    style: TextInputStyle,
    required: bool,
    min_length: Option<u16>,
    max_length: Option<u16>,
    placeholder: Option<String>,
    value: Option<&str>,
) -> TextInput {
    #[allow(deprecated)] // `label` on the input itself; Discord reads the Label component's.
    TextInput {
        custom_id: custom_id.to_owned(),
        id: None,
        label: None,
        max_length,
        min_length,
        placeholder,
        required: Some(required),
        style,
        value: value.map(str::to_owned),
    }
}

/// The open form's submission: its answers, checked by the domain, go with the ticket.
pub(super) async fn submitted(
    bot: &Bot,
    responder: &Responder<'_>,
    panel: PanelId,
    topic: Option<TopicId>,
    data: &twilight_model::application::interaction::modal::ModalInteractionData,
) -> Result<()> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let config = bot.inner.store.guild_config(guild).await?;
    let questions = topic
        .and_then(|id| config.as_ref()?.topic(id))
        .map(|t| t.questions.clone())
        .unwrap_or_default();
    let answers = questions
        .iter()
        .enumerate()
        .filter_map(|(index, question)| {
            let answer = super::modal_value(data, &crate::custom_id::question_input(index))?;
            Some(FormAnswer {
                question: question.label.clone(),
                answer: answer.trim().to_owned(),
            })
        })
        .collect();
    let reason = super::modal_value(data, crate::custom_id::CLOSE_REASON_INPUT);
    open(
        bot,
        responder,
        config,
        Opening {
            reason,
            answers,
            ..Opening::new(panel, topic)
        },
    )
    .await
}

/// Opens a ticket on `panel` for the member of an acknowledged interaction (or, staff opening
/// for someone, for `for_member` and their name), with the guild's configuration its caller
/// loaded (once per interaction).
/// What a ticket is opened with.
struct Opening {
    panel: PanelId,
    topic: Option<TopicId>,
    reason: Option<String>,
    answers: Vec<FormAnswer>,
    /// Staff opening for a member: the member and their name.
    for_member: Option<(helpline_domain::UserId, String)>,
}

impl Opening {
    fn new(panel: PanelId, topic: Option<TopicId>) -> Self {
        Self {
            panel,
            topic,
            reason: None,
            answers: Vec::new(),
            for_member: None,
        }
    }
}

async fn open(
    bot: &Bot,
    responder: &Responder<'_>,
    config: Option<helpline_domain::GuildConfig>,
    opening: Opening,
) -> Result<()> {
    let Opening {
        panel,
        topic,
        reason,
        answers,
        for_member,
    } = opening;
    let interaction = responder.interaction;
    let store = &bot.inner.store;
    let translator = &bot.inner.translator;
    let Some(config) = config else {
        let lang = language(bot, interaction, None);
        return responder
            .follow_up(&translator.render(lang, &Refusal::UnknownPanel { panel }))
            .await;
    };
    let lang = language(bot, interaction, Some(&config));
    let Some(actor) = member(interaction) else {
        return Err(Error::Unexpected("open without a member".into()));
    };

    if let Some(reply) = missing_bot_permissions_reply(bot, interaction, lang).await {
        return responder.follow_up(&reply).await;
    }
    let now = bot.now();
    let request = OpenRequest {
        ticket_id: TicketId(interaction.id.get()),
        panel_id: panel,
        topic_id: topic,
        opener: for_member.as_ref().map_or(actor.user_id, |(user, _)| *user),
        opener_name: for_member
            .as_ref()
            .map_or_else(|| display_name(interaction), |(_, name)| name.clone()),
        requested_by: actor,
        reason,
        answers,
    };
    let (mut ticket, limits) = match prepare_open(&config, request, now) {
        Ok(prepared) => prepared,
        Err(refusal) => {
            return responder
                .follow_up(&translator.render(lang, &refusal))
                .await;
        }
    };
    // Direct messages to the opener (approval, refusal, the transcript on close) speak the
    // language they use Discord in.
    if for_member.is_none() {
        ticket.opener_language = Some(lang);
    }
    let fence = bot.inner.leases.fence(ticket.guild_id)?;
    let ticket = match store.open_ticket(ticket, limits, now, fence).await? {
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
                let channel = format!("<#{}>", channel.id);
                match &for_member {
                    Some((member, _)) => translator.text(
                        lang,
                        ui::OPENED_FOR,
                        &[
                            ("channel", channel.into()),
                            ("member", format!("<@{member}>").into()),
                        ],
                    ),
                    None => {
                        translator.text(lang, ui::TICKET_OPENED, &[("channel", channel.into())])
                    }
                }
            };
            let reply = match channel {
                Some(channel) if !report.failures.is_empty() => format!(
                    "{}\n{}",
                    opened_text(channel),
                    translator.text(lang, ui::FAILED, &[])
                ),
                Some(channel) => opened_text(channel),
                // Discord's limits of a guild, which only staff can make room under.
                None if report.abandoned => {
                    let code = report.failures.iter().find_map(|(_, e)| e.discord_code());
                    let key = match code {
                        Some(MAX_ACTIVE_THREADS) => ui::THREADS_FULL,
                        Some(MAX_GUILD_CHANNELS) => ui::CHANNELS_FULL,
                        _ => ui::FAILED,
                    };
                    translator.text(lang, key, &[])
                }
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
