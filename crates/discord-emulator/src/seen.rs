//! What a person sees of the bot's answers: messages (ephemeral or not), message updates,
//! modals, the "thinking" state and "This interaction failed".

use serde::Serialize;
use twilight_model::{
    channel::{
        Message,
        message::{
            Component, Embed, MessageFlags,
            component::{ButtonStyle, SelectMenu, TextInputStyle},
        },
    },
    id::{
        Id,
        marker::{ChannelMarker, MessageMarker},
    },
};

use crate::world::messages::visit_components;

/// One thing a person saw in answer to an interaction.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// A new message: the reply, the filled-in deferred reply, or a follow-up.
    Message(SeenMessage),
    /// An existing message changed: the message holding the component, or an earlier answer.
    Updated(SeenMessage),
    /// A modal opened.
    Modal(SeenModal),
    /// The bot deferred with a reply to come ("Bot is thinking…").
    Thinking,
    /// The bot acknowledged a component without changing anything visible (yet).
    Acknowledged,
    /// An answer was deleted.
    Deleted {
        /// The deleted message.
        message_id: Id<MessageMarker>,
    },
    /// The suggestions answering an autocomplete: (name shown, value), in order.
    Choices(Vec<(String, String)>),
    /// No acknowledgement within the deadline: "This interaction failed".
    Failed,
}

impl Answer {
    /// The message of a `Message` or `Updated` answer.
    pub fn message(&self) -> Option<&SeenMessage> {
        match self {
            Self::Message(message) | Self::Updated(message) => Some(message),
            _ => None,
        }
    }

    /// The modal of a `Modal` answer.
    pub fn modal(&self) -> Option<&SeenModal> {
        match self {
            Self::Modal(modal) => Some(modal),
            _ => None,
        }
    }

    /// Whether the answer shows nothing new yet (a deferral).
    pub fn is_pending(&self) -> bool {
        matches!(self, Self::Thinking | Self::Acknowledged)
    }
}

/// A message as the person sees it.
#[derive(Clone, Debug, Serialize)]
pub struct SeenMessage {
    /// The message itself.
    pub message: Message,
    /// Only this person sees it.
    pub ephemeral: bool,
    /// It replaced a deferral ("thinking") rather than arriving at once.
    pub deferred: bool,
}

/// A button as displayed.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
pub struct SeenButton {
    /// Custom id (none for link buttons).
    pub custom_id: Option<String>,
    /// Label.
    pub label: Option<String>,
    /// Style.
    pub style: ButtonStyle,
    /// Whether it is greyed out.
    pub disabled: bool,
    /// Target of a link button.
    pub url: Option<String>,
}

impl SeenMessage {
    pub(crate) fn new(message: Message, deferred: bool) -> Self {
        let ephemeral = message
            .flags
            .is_some_and(|flags| flags.contains(MessageFlags::EPHEMERAL));
        Self {
            message,
            ephemeral,
            deferred,
        }
    }

    /// The message id.
    pub fn id(&self) -> Id<MessageMarker> {
        self.message.id
    }

    /// The channel it is in.
    pub fn channel_id(&self) -> Id<ChannelMarker> {
        self.message.channel_id
    }

    /// The text content.
    pub fn content(&self) -> &str {
        &self.message.content
    }

    /// The embeds.
    pub fn embeds(&self) -> &[Embed] {
        &self.message.embeds
    }

    /// The top-level components.
    pub fn components(&self) -> &[Component] {
        &self.message.components
    }

    /// Every visible text: content, embed titles, descriptions, fields, footers, and text
    /// display components, one per line. Handy for "the user reads X" assertions.
    pub fn text(&self) -> String {
        let mut lines = Vec::new();
        if !self.message.content.is_empty() {
            lines.push(self.message.content.clone());
        }
        for embed in &self.message.embeds {
            lines.extend(embed.author.as_ref().map(|author| author.name.clone()));
            lines.extend(embed.title.clone());
            lines.extend(embed.description.clone());
            for field in &embed.fields {
                lines.push(field.name.clone());
                lines.push(field.value.clone());
            }
            lines.extend(embed.footer.as_ref().map(|footer| footer.text.clone()));
        }
        visit_components(&self.message.components, &mut |component| {
            if let Component::TextDisplay(text) = component {
                lines.push(text.content.clone());
            }
        });
        lines.join("\n")
    }

    /// Every button, in display order.
    pub fn buttons(&self) -> Vec<SeenButton> {
        let mut buttons = Vec::new();
        visit_components(&self.message.components, &mut |component| {
            if let Component::Button(button) = component {
                buttons.push(SeenButton {
                    custom_id: button.custom_id.clone(),
                    label: button.label.clone(),
                    style: button.style,
                    disabled: button.disabled,
                    url: button.url.clone(),
                });
            }
        });
        buttons
    }

    /// The button with this custom id.
    pub fn button(&self, custom_id: &str) -> Option<SeenButton> {
        self.buttons()
            .into_iter()
            .find(|button| button.custom_id.as_deref() == Some(custom_id))
    }

    /// Every select menu.
    pub fn select_menus(&self) -> Vec<SelectMenu> {
        let mut menus = Vec::new();
        visit_components(&self.message.components, &mut |component| {
            if let Component::SelectMenu(menu) = component {
                menus.push(menu.clone());
            }
        });
        menus
    }

    /// Custom ids of every interactive component.
    pub fn custom_ids(&self) -> Vec<String> {
        custom_ids(&self.message.components)
    }
}

/// Custom ids of the interactive components, depth first.
pub(crate) fn custom_ids(components: &[Component]) -> Vec<String> {
    let mut ids = Vec::new();
    visit_components(components, &mut |component| match component {
        Component::Button(button) => ids.extend(button.custom_id.clone()),
        Component::SelectMenu(menu) => ids.push(menu.custom_id.clone()),
        Component::TextInput(input) => ids.push(input.custom_id.clone()),
        _ => {}
    });
    ids
}

/// A modal as displayed.
#[derive(Clone, Debug, Serialize)]
pub struct SeenModal {
    /// The modal's custom id, to submit it.
    pub custom_id: String,
    /// The title.
    pub title: String,
    /// Its components (rows of text inputs, or labels).
    pub components: Vec<Component>,
}

/// A text input of a modal as displayed.
#[derive(Clone, Debug, Serialize)]
pub struct SeenTextInput {
    /// Custom id, to fill it in.
    pub custom_id: String,
    /// Label (from the Label component, or the input's own legacy label).
    pub label: Option<String>,
    /// Short or paragraph.
    pub style: TextInputStyle,
    /// Whether it must be filled in (Discord's default is required).
    pub required: bool,
    /// Least characters.
    pub min_length: Option<u16>,
    /// Most characters.
    pub max_length: Option<u16>,
    /// Pre-filled value.
    pub value: Option<String>,
    /// Placeholder.
    pub placeholder: Option<String>,
}

impl SeenModal {
    /// The modal's text inputs, in order, with their labels.
    #[allow(deprecated)]
    pub fn text_inputs(&self) -> Vec<SeenTextInput> {
        let mut inputs = Vec::new();
        for component in &self.components {
            let (label, inner): (Option<String>, Vec<&Component>) = match component {
                Component::Label(label) => (Some(label.label.clone()), vec![&*label.component]),
                Component::ActionRow(row) => (None, row.components.iter().collect()),
                other => (None, vec![other]),
            };
            for component in inner {
                if let Component::TextInput(input) = component {
                    inputs.push(SeenTextInput {
                        custom_id: input.custom_id.clone(),
                        label: label.clone().or_else(|| input.label.clone()),
                        style: input.style,
                        required: input.required.unwrap_or(true),
                        min_length: input.min_length,
                        max_length: input.max_length,
                        value: input.value.clone(),
                        placeholder: input.placeholder.clone(),
                    });
                }
            }
        }
        inputs
    }
}
