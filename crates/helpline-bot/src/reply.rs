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

/// Tracks one interaction's acknowledgement.
#[derive(Debug)]
pub(crate) struct Responder<'a> {
    bot: &'a Bot,
    pub(crate) interaction: &'a Interaction,
    received: Instant,
    kind: &'static str,
    acknowledged: AtomicBool,
}

impl<'a> Responder<'a> {
    pub(crate) fn new(
        bot: &'a Bot,
        interaction: &'a Interaction,
        received: Instant,
        kind: &'static str,
    ) -> Self {
        Self {
            bot,
            interaction,
            received,
            kind,
            acknowledged: AtomicBool::new(false),
        }
    }

    /// Whether Discord accepted a first response.
    pub(crate) fn is_acknowledged(&self) -> bool {
        self.acknowledged.load(Ordering::Acquire)
    }

    fn acknowledged(&self) {
        self.acknowledged.store(true, Ordering::Release);
        ::metrics::histogram!(crate::metrics::INTERACTION_ACK, "kind" => self.kind)
            .record(self.received.elapsed().as_secs_f64());
    }

    async fn respond(&self, response: InteractionResponse) -> Result<()> {
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

    /// An embed as the answer after a deferral.
    pub(crate) async fn embed(&self, embed: Embed) -> Result<()> {
        let mentions = no_mentions();
        crate::metrics::rest(
            "update_response",
            self.bot
                .inner
                .http
                .interaction(self.bot.inner.application_id)
                .update_response(&self.interaction.token)
                .embeds(Some(&[embed]))
                .allowed_mentions(Some(&mentions)),
        )
        .await?;
        Ok(())
    }

    /// The answer after a deferral, with components (a select menu to choose from).
    pub(crate) async fn follow_up_with(
        &self,
        content: &str,
        components: &[Component],
    ) -> Result<()> {
        let mentions = no_mentions();
        crate::metrics::rest(
            "update_response",
            self.bot
                .inner
                .http
                .interaction(self.bot.inner.application_id)
                .update_response(&self.interaction.token)
                .content(Some(content))
                .components(Some(components))
                .allowed_mentions(Some(&mentions)),
        )
        .await?;
        Ok(())
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
