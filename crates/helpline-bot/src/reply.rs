//! Answering interactions within Discord's 3 seconds: every handler first acknowledges (defers,
//! shows a modal, or answers at once), then follows up however long the rest takes.

use crate::{Bot, Result};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::Embed;
use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Label, TextInput, TextInputStyle,
};
use twilight_model::channel::message::{AllowedMentions, Component, MessageFlags};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

/// A button with a custom id.
pub(crate) fn button(custom_id: String, label: String, style: ButtonStyle) -> Component {
    Component::Button(Button {
        custom_id: Some(custom_id),
        disabled: false,
        emoji: None,
        id: None,
        label: Some(label),
        sku_id: None,
        style,
        url: None,
    })
}

/// One action row of components.
pub(crate) fn row(components: Vec<Component>) -> Component {
    Component::ActionRow(ActionRow {
        components,
        id: None,
    })
}

/// A labelled paragraph input for a modal.
pub(crate) fn text_input(
    custom_id: &str,
    label: String,
    required: bool,
    max_length: u16,
) -> Component {
    #[allow(deprecated)] // `label` on the input itself; Discord reads the Label component's.
    let input = TextInput {
        custom_id: custom_id.to_owned(),
        id: None,
        label: None,
        max_length: Some(max_length),
        min_length: None,
        placeholder: None,
        required: Some(required),
        style: TextInputStyle::Paragraph,
        value: None,
    };
    Component::Label(Label {
        component: Box::new(Component::TextInput(input)),
        description: None,
        id: None,
        label,
    })
}

/// Mentions nobody: replies may quote what members typed.
pub(crate) fn no_mentions() -> AllowedMentions {
    AllowedMentions::default()
}

/// How an interaction's first response reaches Discord.
#[derive(Debug, Default)]
pub(crate) enum Transport {
    /// The interaction came over the gateway: the first response is a REST callback
    /// (`POST /interactions/{id}/{token}/callback`).
    #[default]
    Rest,
    /// The interaction came as an HTTP request to the interactions endpoint: the first
    /// response is that request's answer, handed to it here. Once taken (or once the endpoint
    /// stopped waiting), later first responses go over REST, where Discord refuses them as it
    /// would any second or late one.
    Http(std::sync::Mutex<Option<tokio::sync::oneshot::Sender<InteractionResponse>>>),
}

impl Transport {
    /// The HTTP transport answering through `sender`.
    pub(crate) fn http(sender: tokio::sync::oneshot::Sender<InteractionResponse>) -> Self {
        Self::Http(std::sync::Mutex::new(Some(sender)))
    }

    fn is_http(&self) -> bool {
        matches!(self, Self::Http(_))
    }
}

/// How often, and after how long, a follow-up is tried again when Discord does not know the
/// interaction's webhook yet: over HTTP, the first response is still on its way to Discord when
/// the handler goes on (about 1.5 s in all).
const WEBHOOK_RETRIES: [u64; 5] = [50, 100, 200, 400, 800];

/// Discord's "Unknown Webhook".
const UNKNOWN_WEBHOOK: u64 = 10015;

/// Tracks one interaction's acknowledgement.
#[derive(Debug)]
pub(crate) struct Responder<'a> {
    bot: &'a Bot,
    pub(crate) interaction: &'a Interaction,
    received: Instant,
    kind: &'static str,
    acknowledged: AtomicBool,
    transport: &'a Transport,
}

impl<'a> Responder<'a> {
    pub(crate) fn new(
        bot: &'a Bot,
        interaction: &'a Interaction,
        received: Instant,
        kind: &'static str,
        transport: &'a Transport,
    ) -> Self {
        Self {
            bot,
            interaction,
            received,
            kind,
            acknowledged: AtomicBool::new(false),
            transport,
        }
    }

    /// Whether Discord accepted a first response.
    pub(crate) fn is_acknowledged(&self) -> bool {
        self.acknowledged.load(Ordering::Acquire)
    }

    fn acknowledged(&self) {
        self.acknowledged.store(true, Ordering::Release);
        let transport = if self.transport.is_http() {
            "http"
        } else {
            "gateway"
        };
        ::metrics::histogram!(crate::metrics::INTERACTION_ACK, "kind" => self.kind, "transport" => transport)
            .record(self.received.elapsed().as_secs_f64());
    }

    async fn respond(&self, response: InteractionResponse) -> Result<()> {
        if let Transport::Http(slot) = self.transport {
            let sender = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(sender) = sender {
                return match sender.send(response) {
                    Ok(()) => {
                        self.acknowledged();
                        Ok(())
                    }
                    Err(_) => Err(crate::Error::Unexpected(
                        "the interaction's first response came after the endpoint answered Discord"
                            .to_owned(),
                    )),
                };
            }
        }
        crate::metrics::rest(
            "create_response",
            self.bot
                .inner
                .http
                .interaction(self.bot.inner.application_id)
                .create_response(self.interaction.id, &self.interaction.token, &response),
        )
        .await?;
        self.acknowledged();
        Ok(())
    }

    /// "Thinking…", visible only to the member when `ephemeral`.
    pub(crate) async fn defer(&self, ephemeral: bool) -> Result<()> {
        let flags = ephemeral.then_some(MessageFlags::EPHEMERAL);
        self.respond(InteractionResponse {
            kind: InteractionResponseType::DeferredChannelMessageWithSource,
            data: Some(InteractionResponseData {
                flags,
                ..InteractionResponseData::default()
            }),
        })
        .await
    }

    /// An immediate ephemeral message with optional buttons.
    pub(crate) async fn message(&self, content: String, components: Vec<Component>) -> Result<()> {
        self.respond(InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(InteractionResponseData {
                content: Some(content),
                components: Some(components),
                flags: Some(MessageFlags::EPHEMERAL),
                allowed_mentions: Some(no_mentions()),
                ..InteractionResponseData::default()
            }),
        })
        .await
    }

    /// Replaces the components of the message whose component was used.
    pub(crate) async fn update(&self, components: Vec<Component>) -> Result<()> {
        self.respond(InteractionResponse {
            kind: InteractionResponseType::UpdateMessage,
            data: Some(InteractionResponseData {
                components: Some(components),
                ..InteractionResponseData::default()
            }),
        })
        .await
    }

    /// An immediate message everyone in the channel sees, mentioning no one.
    pub(crate) async fn public(&self, content: String) -> Result<()> {
        self.respond(InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(InteractionResponseData {
                content: Some(content),
                allowed_mentions: Some(no_mentions()),
                ..InteractionResponseData::default()
            }),
        })
        .await
    }

    /// Suggestions for the option a member is typing in (autocomplete): (name shown, value).
    pub(crate) async fn choices(&self, choices: Vec<(String, String)>) -> Result<()> {
        use twilight_model::application::command::{CommandOptionChoice, CommandOptionChoiceValue};
        self.respond(InteractionResponse {
            kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
            data: Some(InteractionResponseData {
                choices: Some(
                    choices
                        .into_iter()
                        .map(|(name, value)| CommandOptionChoice {
                            name,
                            name_localizations: None,
                            value: CommandOptionChoiceValue::String(value),
                        })
                        .collect(),
                ),
                ..InteractionResponseData::default()
            }),
        })
        .await
    }

    /// A modal.
    pub(crate) async fn modal(
        &self,
        custom_id: String,
        title: String,
        components: Vec<Component>,
    ) -> Result<()> {
        self.respond(InteractionResponse {
            kind: InteractionResponseType::Modal,
            data: Some(InteractionResponseData {
                custom_id: Some(custom_id),
                title: Some(title),
                components: Some(components),
                ..InteractionResponseData::default()
            }),
        })
        .await
    }

    /// Sends a follow-up (an edit of the original response) built by `request`. Over HTTP,
    /// Discord may not have read the first response yet when the handler follows up at once:
    /// an Unknown Webhook is then tried again a few times.
    async fn follow<F, R>(&self, request: F) -> Result<()>
    where
        F: Fn() -> R,
        R: std::future::IntoFuture<
                Output = std::result::Result<
                    twilight_http::Response<twilight_model::channel::Message>,
                    twilight_http::Error,
                >,
            >,
    {
        let mut retries = WEBHOOK_RETRIES.iter();
        loop {
            match crate::metrics::rest("update_response", request()).await {
                Ok(_) => return Ok(()),
                Err(error) => {
                    let error = crate::Error::from(error);
                    let waiting =
                        self.transport.is_http() && error.discord_code() == Some(UNKNOWN_WEBHOOK);
                    match retries.next() {
                        Some(&millis) if waiting => {
                            tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                        }
                        _ => return Err(error),
                    }
                }
            }
        }
    }

    /// An embed as the answer after a deferral.
    pub(crate) async fn embed(&self, embed: Embed) -> Result<()> {
        let mentions = no_mentions();
        let embeds = [embed];
        let client = self
            .bot
            .inner
            .http
            .interaction(self.bot.inner.application_id);
        self.follow(|| {
            client
                .update_response(&self.interaction.token)
                .embeds(Some(&embeds))
                .allowed_mentions(Some(&mentions))
        })
        .await
    }

    /// The answer after a deferral, with components (a select menu to choose from).
    pub(crate) async fn follow_up_with(
        &self,
        content: &str,
        components: &[Component],
    ) -> Result<()> {
        let mentions = no_mentions();
        let client = self
            .bot
            .inner
            .http
            .interaction(self.bot.inner.application_id);
        self.follow(|| {
            client
                .update_response(&self.interaction.token)
                .content(Some(content))
                .components(Some(components))
                .allowed_mentions(Some(&mentions))
        })
        .await
    }

    /// The answer after a deferral: fills in the deferred message.
    pub(crate) async fn follow_up(&self, content: &str) -> Result<()> {
        self.follow_up_with(content, &[]).await
    }
}

/// An embed with nothing set, to fill in with struct update syntax.
pub(crate) fn empty_embed() -> Embed {
    Embed {
        author: None,
        color: None,
        description: None,
        fields: Vec::new(),
        flags: None,
        footer: None,
        image: None,
        kind: "rich".to_owned(),
        provider: None,
        thumbnail: None,
        timestamp: None,
        title: None,
        url: None,
        video: None,
    }
}
