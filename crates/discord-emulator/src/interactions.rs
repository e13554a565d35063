//! Interactions from creation to the last follow-up: the 3-second deadline for the initial
//! response, one initial response only, deferrals, the original response, follow-ups and the
//! 15-minute token, and what the person sees at each step.

use std::collections::HashMap;

use serde_json::{Value, json};
use tokio::{sync::watch, time::Instant};
use twilight_model::{
    application::interaction::{Interaction, InteractionMetadata, InteractionType},
    channel::{
        Message,
        message::{Component, MessageFlags, MessageType},
    },
    gateway::Intents,
    id::{
        AnonymizableId, Id,
        marker::{
            ApplicationMarker, ChannelMarker, GuildMarker, InteractionMarker, MessageMarker,
            UserMarker,
        },
    },
    oauth::ApplicationIntegrationMap,
};

use crate::{
    discord_error::{DiscordError, DiscordResult},
    gateway::hub::Event,
    seen::{Answer, SeenMessage, SeenModal},
    world::{
        EphemeralMessage, ShownModal, World,
        messages::{Draft, Origin, parse_components},
    },
};

/// State of one interaction.
#[derive(Debug)]
pub(crate) struct InteractionRecord {
    pub(crate) id: Id<InteractionMarker>,
    pub(crate) token: String,
    pub(crate) kind: InteractionType,
    pub(crate) user_id: Id<UserMarker>,
    pub(crate) guild_id: Option<Id<GuildMarker>>,
    pub(crate) channel_id: Id<ChannelMarker>,
    /// The message holding the component (component interactions, modals opened from one).
    pub(crate) source_message: Option<Id<MessageMarker>>,
    /// The command's type, for the message type of replies.
    pub(crate) reply_type: MessageType,
    pub(crate) deadline: Instant,
    pub(crate) expires: Instant,
    /// The initial response's type, once given.
    pub(crate) ack: Option<u8>,
    /// When the interaction was created (before its dispatch).
    pub(crate) created: Instant,
    /// How long after its creation the initial response came.
    pub(crate) acked_after: Option<std::time::Duration>,
    /// The person saw "This interaction failed".
    pub(crate) failed: bool,
    /// Message of the initial response (type 4 or 5).
    pub(crate) original: Option<Id<MessageMarker>>,
    /// The deferred reply still shows "thinking".
    pub(crate) loading: bool,
    pub(crate) followups: Vec<Id<MessageMarker>>,
    /// Everything the person saw, in order.
    pub(crate) seen: Vec<Answer>,
    notify: watch::Sender<usize>,
}

impl InteractionRecord {
    fn see(&mut self, answer: Answer) {
        self.seen.push(answer);
        self.notify.send_replace(self.seen.len());
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<usize> {
        self.notify.subscribe()
    }

    fn is_component_like(&self) -> bool {
        self.source_message.is_some()
            && matches!(
                self.kind,
                InteractionType::MessageComponent | InteractionType::ModalSubmit
            )
    }

    /// Whether the initial response may still be given; marks the interaction failed once the
    /// deadline has passed.
    pub(crate) fn check_deadline(&mut self) -> bool {
        if self.ack.is_some() {
            return true;
        }
        if !self.failed && Instant::now() >= self.deadline {
            self.failed = true;
            self.see(Answer::Failed);
        }
        !self.failed
    }
}

/// Every interaction, by id and by token.
#[derive(Debug, Default)]
pub(crate) struct Interactions {
    records: HashMap<Id<InteractionMarker>, InteractionRecord>,
    by_token: HashMap<String, Id<InteractionMarker>>,
}

impl Interactions {
    pub(crate) fn get_mut(&mut self, id: Id<InteractionMarker>) -> Option<&mut InteractionRecord> {
        self.records.get_mut(&id)
    }

    pub(crate) fn get(&self, id: Id<InteractionMarker>) -> Option<&InteractionRecord> {
        self.records.get(&id)
    }

    fn by_token_mut(&mut self, token: &str) -> Option<&mut InteractionRecord> {
        let id = self.by_token.get(token)?;
        self.records.get_mut(id)
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }
}

/// What the callback endpoint answers with `?with_response=true`.
#[derive(Debug)]
pub(crate) struct CallbackResult {
    pub(crate) body: Value,
}

fn response_type_name(kind: u8) -> &'static str {
    match kind {
        1 => "PONG",
        4 => "CHANNEL_MESSAGE_WITH_SOURCE",
        5 => "DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE",
        6 => "DEFERRED_UPDATE_MESSAGE",
        7 => "UPDATE_MESSAGE",
        8 => "APPLICATION_COMMAND_AUTOCOMPLETE_RESULT",
        9 => "MODAL",
        _ => "unknown",
    }
}

fn invalid_response_type(kind: u8) -> DiscordError {
    DiscordError::invalid_form(
        "type",
        "INTERACTION_RESPONSE_TYPE_INVALID",
        format!(
            "Interaction response type {kind} ({}) is not valid for this interaction",
            response_type_name(kind)
        ),
    )
}

impl World {
    /// Registers a new interaction and dispatches INTERACTION_CREATE to the guild's shard —
    /// or, when the application has an interactions endpoint, returns the URL and the body to
    /// post there instead.
    pub(crate) fn register_interaction(
        &mut self,
        interaction: &Interaction,
        user_id: Id<UserMarker>,
        source_message: Option<Id<MessageMarker>>,
        reply_type: MessageType,
    ) -> Option<(String, Vec<u8>)> {
        let now = Instant::now();
        let (notify, _) = watch::channel(0);
        let channel_id = interaction
            .channel
            .as_ref()
            .map(|channel| channel.id)
            .expect("interactions are created with their channel");
        let record = InteractionRecord {
            id: interaction.id,
            token: interaction.token.clone(),
            kind: interaction.kind,
            user_id,
            guild_id: interaction.guild_id,
            channel_id,
            source_message,
            reply_type,
            deadline: now + self.config.interaction_deadline,
            expires: now + self.config.interaction_token_lifetime,
            ack: None,
            created: now,
            acked_after: None,
            failed: false,
            original: None,
            loading: false,
            followups: Vec::new(),
            seen: Vec::new(),
            notify,
        };
        self.interactions
            .by_token
            .insert(record.token.clone(), record.id);
        self.interactions.records.insert(record.id, record);
        if let Some(url) = &self.interactions_endpoint {
            let body = serde_json::to_vec(&crate::wire::interaction(interaction))
                .expect("an interaction serializes");
            return Some((url.clone(), body));
        }
        let event = Event::new(
            "INTERACTION_CREATE",
            interaction.guild_id,
            Intents::empty(),
            &crate::wire::interaction(interaction),
        );
        self.emit(&event);
        None
    }

    /// The endpoint gave no acceptable initial response: the person sees the interaction fail.
    pub(crate) fn fail_interaction(&mut self, id: Id<InteractionMarker>) {
        if let Some(record) = self.interactions.get_mut(id)
            && record.ack.is_none()
            && !record.failed
        {
            record.failed = true;
            record.see(Answer::Failed);
        }
    }

    fn interaction_metadata(
        &self,
        record: &InteractionRecord,
        original: Option<Id<MessageMarker>>,
    ) -> InteractionMetadata {
        InteractionMetadata {
            authorizing_integration_owners: ApplicationIntegrationMap {
                guild: record.guild_id.map(AnonymizableId::Id),
                user: None,
            },
            id: record.id,
            interacted_message_id: record.source_message,
            kind: record.kind,
            original_response_message_id: original,
            target_message_id: None,
            target_user: None,
            triggering_interaction_metadata: None,
            user: self.user_model(record.user_id),
        }
    }

    /// Composes an answer of the application (reply, deferral, follow-up) as a webhook message.
    fn compose_answer(
        &mut self,
        id: Id<InteractionMarker>,
        draft: Draft,
        ephemeral: bool,
        loading: bool,
        followup_of: Option<Id<MessageMarker>>,
    ) -> DiscordResult<Message> {
        let record = self
            .interactions
            .get(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        let channel_id = record.channel_id;
        let kind = if followup_of.is_some() {
            MessageType::Regular
        } else {
            record.reply_type
        };
        let metadata = self.interaction_metadata(record, followup_of);
        let application_id: Id<ApplicationMarker> = self.config.application_id;
        let mut flags = MessageFlags::empty();
        if ephemeral {
            flags |= MessageFlags::EPHEMERAL;
        }
        if loading {
            flags |= MessageFlags::LOADING;
        }
        let origin = Origin {
            kind: Some(kind),
            application_id: Some(application_id),
            webhook_id: Some(application_id.cast()),
            interaction_metadata: Some(Box::new(metadata)),
            flags,
        };
        let author = self.bot_user();
        if loading {
            // A deferral shows no content yet; compose with a placeholder and clear it.
            let mut message = self.compose_message(channel_id, author, Draft::text("."), origin)?;
            message.content.clear();
            return Ok(message);
        }
        self.compose_message(channel_id, author, draft, origin)
    }

    /// Stores an answer: ephemeral answers only for the person, others in the channel.
    fn store_answer(
        &mut self,
        user_id: Id<UserMarker>,
        message: Message,
    ) -> DiscordResult<Message> {
        let ephemeral = message
            .flags
            .is_some_and(|flags| flags.contains(MessageFlags::EPHEMERAL));
        if ephemeral {
            self.ephemeral.insert(
                message.id,
                EphemeralMessage {
                    user_id,
                    message: message.clone(),
                },
            );
            Ok(message)
        } else {
            self.insert_message(message)
        }
    }

    /// `POST /interactions/{id}/{token}/callback`: the initial response.
    pub(crate) fn interaction_callback(
        &mut self,
        id: Id<InteractionMarker>,
        token: &str,
        body: &Value,
        uploads: Vec<crate::world::messages::Upload>,
    ) -> DiscordResult<CallbackResult> {
        let record = self
            .interactions
            .get_mut(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        if record.token != token {
            return Err(DiscordError::unknown_interaction());
        }
        if record.ack.is_some() {
            return Err(DiscordError::already_acknowledged());
        }
        if !record.check_deadline() {
            return Err(DiscordError::unknown_interaction());
        }
        let kind = body
            .get("type")
            .and_then(Value::as_u64)
            .and_then(|kind| u8::try_from(kind).ok())
            .ok_or_else(|| DiscordError::required("type"))?;
        let data = body.get("data").cloned().unwrap_or(Value::Null);
        let user_id = record.user_id;
        let interaction_kind = record.kind;
        let component_like = record.is_component_like();
        let source_message = record.source_message;
        let channel_id = record.channel_id;
        let guild_id = record.guild_id;

        let mut response_message: Option<Message> = None;
        let answer = match kind {
            1 => {
                if interaction_kind != InteractionType::Ping {
                    return Err(invalid_response_type(kind));
                }
                None
            }
            4 => {
                if matches!(
                    interaction_kind,
                    InteractionType::Ping | InteractionType::ApplicationCommandAutocomplete
                ) {
                    return Err(invalid_response_type(kind));
                }
                let draft = Draft::parse(&data, uploads)?;
                let ephemeral = draft.is_ephemeral();
                let message = self.compose_answer(id, draft, ephemeral, false, None)?;
                let message = self.store_answer(user_id, message)?;
                response_message = Some(message.clone());
                Some(Answer::Message(SeenMessage::new(message, false)))
            }
            5 => {
                if matches!(
                    interaction_kind,
                    InteractionType::Ping | InteractionType::ApplicationCommandAutocomplete
                ) {
                    return Err(invalid_response_type(kind));
                }
                let draft = Draft::parse(&data, Vec::new())?;
                let ephemeral = draft.is_ephemeral();
                let message = self.compose_answer(id, Draft::default(), ephemeral, true, None)?;
                let message = self.store_answer(user_id, message)?;
                response_message = Some(message);
                Some(Answer::Thinking)
            }
            6 => {
                if !component_like {
                    return Err(invalid_response_type(kind));
                }
                Some(Answer::Acknowledged)
            }
            7 => {
                let Some(message_id) = source_message.filter(|_| component_like) else {
                    return Err(invalid_response_type(kind));
                };
                let draft = Draft::parse(&data, uploads)?;
                let message = self.edit_any_message(channel_id, message_id, draft)?;
                response_message = Some(message.clone());
                Some(Answer::Updated(SeenMessage::new(message, false)))
            }
            8 => {
                if interaction_kind != InteractionType::ApplicationCommandAutocomplete {
                    return Err(invalid_response_type(kind));
                }
                Some(Answer::Choices(parse_choices(&data)?))
            }
            9 => {
                if matches!(
                    interaction_kind,
                    InteractionType::Ping
                        | InteractionType::ApplicationCommandAutocomplete
                        | InteractionType::ModalSubmit
                ) {
                    return Err(invalid_response_type(kind));
                }
                let modal = parse_modal(&data)?;
                let source = source_message
                    .and_then(|message_id| self.message(channel_id, message_id).cloned());
                self.modals.retain(|shown| {
                    !(shown.user_id == user_id && shown.custom_id == modal.custom_id)
                });
                self.modals.push(ShownModal {
                    user_id,
                    channel_id,
                    guild_id,
                    custom_id: modal.custom_id.clone(),
                    title: modal.title.clone(),
                    components: modal.components.clone(),
                    source_message: source,
                });
                Some(Answer::Modal(modal))
            }
            _ => return Err(invalid_response_type(kind)),
        };

        let record = self
            .interactions
            .get_mut(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        record.ack = Some(kind);
        record.acked_after = Some(record.created.elapsed());
        match kind {
            4 | 5 => record.original = response_message.as_ref().map(|message| message.id),
            6 | 7 => record.original = source_message,
            _ => {}
        }
        record.loading = kind == 5;
        if let Some(answer) = answer {
            record.see(answer);
        }
        let ephemeral = response_message.as_ref().is_some_and(|message| {
            message
                .flags
                .is_some_and(|flags| flags.contains(MessageFlags::EPHEMERAL))
        });
        let mut interaction = json!({
            "id": id.to_string(),
            "type": interaction_kind as u8,
        });
        let mut resource = json!({ "type": kind });
        if let Some(message) = &response_message {
            interaction["response_message_id"] = json!(message.id.to_string());
            interaction["response_message_loading"] = json!(kind == 5);
            interaction["response_message_ephemeral"] = json!(ephemeral);
            resource["message"] = crate::wire::message(message);
        }
        Ok(CallbackResult {
            body: json!({ "interaction": interaction, "resource": resource }),
        })
    }

    /// Edits a message that is either in its channel or ephemeral.
    fn edit_any_message(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        draft: Draft,
    ) -> DiscordResult<Message> {
        if let Some(mut ephemeral) = self
            .ephemeral
            .get(&message_id)
            .map(|ephemeral| ephemeral.message.clone())
        {
            self.apply_edit(&mut ephemeral, draft)?;
            if let Some(stored) = self.ephemeral.get_mut(&message_id) {
                stored.message = ephemeral.clone();
            }
            return Ok(ephemeral);
        }
        self.edit_stored_message(channel_id, message_id, draft)
    }

    /// Resolves an interaction token for the webhook routes (follow-ups, original response).
    fn webhook_interaction(
        &mut self,
        application_id: u64,
        token: &str,
    ) -> DiscordResult<Id<InteractionMarker>> {
        if application_id != self.config.application_id.get() {
            return Err(DiscordError::unknown_webhook());
        }
        let record = self
            .interactions
            .by_token_mut(token)
            .ok_or_else(DiscordError::unknown_webhook)?;
        if Instant::now() >= record.expires {
            return Err(DiscordError::invalid_webhook_token());
        }
        if record.ack.is_none() {
            // Before the initial response there is no webhook to use.
            return Err(DiscordError::unknown_webhook());
        }
        Ok(record.id)
    }

    /// `POST /webhooks/{application}/{token}`: a follow-up message. The first follow-up after
    /// a deferred reply fills in the "thinking" message, as Discord does.
    pub(crate) fn create_followup(
        &mut self,
        application_id: u64,
        token: &str,
        draft: Draft,
    ) -> DiscordResult<Message> {
        let id = self.webhook_interaction(application_id, token)?;
        let record = self
            .interactions
            .get(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        let user_id = record.user_id;
        if record.loading
            && let Some(original) = record.original
        {
            let channel_id = record.channel_id;
            let message = self.fill_deferred(id, channel_id, original, draft)?;
            return Ok(message);
        }
        let original = record.original;
        let ephemeral = draft.is_ephemeral();
        let message = self.compose_answer(id, draft, ephemeral, false, original)?;
        let message = self.store_answer(user_id, message)?;
        let record = self
            .interactions
            .get_mut(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        record.followups.push(message.id);
        record.see(Answer::Message(SeenMessage::new(message.clone(), false)));
        Ok(message)
    }

    /// Replaces the "thinking" message with the bot's content.
    fn fill_deferred(
        &mut self,
        id: Id<InteractionMarker>,
        channel_id: Id<ChannelMarker>,
        original: Id<MessageMarker>,
        draft: Draft,
    ) -> DiscordResult<Message> {
        let message = self.edit_any_message(channel_id, original, draft)?;
        let message = self.clear_loading(channel_id, message)?;
        let record = self
            .interactions
            .get_mut(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        record.loading = false;
        record.see(Answer::Message(SeenMessage::new(message.clone(), true)));
        Ok(message)
    }

    fn clear_loading(
        &mut self,
        channel_id: Id<ChannelMarker>,
        mut message: Message,
    ) -> DiscordResult<Message> {
        let flags = message.flags.unwrap_or(MessageFlags::empty()) - MessageFlags::LOADING;
        message.flags = Some(flags);
        if let Some(stored) = self.ephemeral.get_mut(&message.id) {
            stored.message.flags = Some(flags);
        } else if let Some(stored) = self
            .channel_with_messages(channel_id)?
            .and_then(|record| record.activity_mut().messages.get_mut(&message.id))
        {
            stored.flags = Some(flags);
        }
        Ok(message)
    }

    /// The message behind `@original` or a follow-up id of this interaction.
    fn webhook_message_id(
        &self,
        id: Id<InteractionMarker>,
        message: &str,
    ) -> DiscordResult<Id<MessageMarker>> {
        let record = self
            .interactions
            .get(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        if message == "@original" {
            return record.original.ok_or_else(DiscordError::unknown_message);
        }
        let message_id = message
            .parse::<u64>()
            .ok()
            .and_then(Id::new_checked)
            .ok_or_else(DiscordError::unknown_message)?;
        if record.original == Some(message_id) || record.followups.contains(&message_id) {
            Ok(message_id)
        } else {
            Err(DiscordError::unknown_message())
        }
    }

    /// `GET /webhooks/{application}/{token}/messages/{message}`.
    pub(crate) fn get_webhook_message(
        &mut self,
        application_id: u64,
        token: &str,
        message: &str,
    ) -> DiscordResult<Message> {
        let id = self.webhook_interaction(application_id, token)?;
        let message_id = self.webhook_message_id(id, message)?;
        let channel_id = self
            .interactions
            .get(id)
            .map(|record| record.channel_id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        self.message(channel_id, message_id)
            .cloned()
            .ok_or_else(DiscordError::unknown_message)
    }

    /// `PATCH /webhooks/{application}/{token}/messages/{message}`.
    pub(crate) fn edit_webhook_message(
        &mut self,
        application_id: u64,
        token: &str,
        message: &str,
        draft: Draft,
    ) -> DiscordResult<Message> {
        let id = self.webhook_interaction(application_id, token)?;
        let message_id = self.webhook_message_id(id, message)?;
        let record = self
            .interactions
            .get(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        let channel_id = record.channel_id;
        if record.loading && record.original == Some(message_id) {
            return self.fill_deferred(id, channel_id, message_id, draft);
        }
        let edited = self.edit_any_message(channel_id, message_id, draft)?;
        let record = self
            .interactions
            .get_mut(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        record.see(Answer::Updated(SeenMessage::new(edited.clone(), false)));
        Ok(edited)
    }

    /// `DELETE /webhooks/{application}/{token}/messages/{message}`.
    pub(crate) fn delete_webhook_message(
        &mut self,
        application_id: u64,
        token: &str,
        message: &str,
    ) -> DiscordResult<()> {
        let id = self.webhook_interaction(application_id, token)?;
        let message_id = self.webhook_message_id(id, message)?;
        let channel_id = self
            .interactions
            .get(id)
            .map(|record| record.channel_id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        if self.ephemeral.remove(&message_id).is_none() {
            self.delete_stored_message(channel_id, message_id)?;
        }
        let record = self
            .interactions
            .get_mut(id)
            .ok_or_else(DiscordError::unknown_interaction)?;
        record.loading = false;
        record.see(Answer::Deleted { message_id });
        Ok(())
    }
}

/// Parses and checks a modal: title 1–45, custom id 1–100, 1–5 components.
fn parse_modal(data: &Value) -> DiscordResult<SeenModal> {
    let custom_id = data
        .get("custom_id")
        .and_then(Value::as_str)
        .ok_or_else(|| DiscordError::required("data.custom_id"))?
        .to_owned();
    if !(1..=100).contains(&custom_id.chars().count()) {
        return Err(DiscordError::bad_length("data.custom_id", 1, 100));
    }
    let title = data
        .get("title")
        .and_then(Value::as_str)
        .ok_or_else(|| DiscordError::required("data.title"))?
        .to_owned();
    if !(1..=45).contains(&title.chars().count()) {
        return Err(DiscordError::bad_length("data.title", 1, 45));
    }
    let mut components: Vec<Component> =
        parse_components(data.get("components").unwrap_or(&Value::Array(Vec::new())))?;
    if !(1..=5).contains(&components.len()) {
        return Err(DiscordError::bad_length("data.components", 1, 5));
    }
    crate::world::messages::prepare_components(&mut components)?;
    Ok(SeenModal {
        custom_id,
        title,
        components,
    })
}

/// The choices of an autocomplete answer, checked as Discord does: at most 25, names and
/// values of 1 to 100 characters.
fn parse_choices(data: &Value) -> DiscordResult<Vec<(String, String)>> {
    let choices = data
        .get("choices")
        .and_then(Value::as_array)
        .ok_or_else(|| DiscordError::required("data.choices"))?;
    if choices.len() > 25 {
        return Err(DiscordError::invalid_form(
            "data.choices",
            "BASE_TYPE_MAX_LENGTH",
            "Must be 25 or fewer in length.",
        ));
    }
    choices
        .iter()
        .enumerate()
        .map(|(index, choice)| {
            let text = |field: &str| -> DiscordResult<String> {
                let path = format!("data.choices.{index}.{field}");
                let value = match choice.get(field) {
                    Some(Value::String(text)) => text.clone(),
                    Some(Value::Number(number)) if field == "value" => number.to_string(),
                    _ => return Err(DiscordError::required(&path)),
                };
                if !(1..=100).contains(&value.chars().count()) {
                    return Err(DiscordError::invalid_form(
                        &path,
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 100 in length.",
                    ));
                }
                Ok(value)
            };
            Ok((text("name")?, text("value")?))
        })
        .collect()
}
