//! Messages: parsing what the bot (or a person) sends, Discord's limits on it, attachments,
//! and storing, editing and deleting messages with their gateway events.

use axum::body::Bytes;
use serde_json::{Map, Value};
use twilight_model::{
    application::interaction::InteractionMetadata,
    channel::{
        Attachment, Message,
        message::{
            Component, Embed, Mention, MessageFlags, MessageReference, MessageType,
            component::ButtonStyle,
        },
    },
    gateway::payload::incoming::{ChannelPinsUpdate, MessageDelete},
    id::{
        Id,
        marker::{
            ApplicationMarker, ChannelMarker, MessageMarker, RoleMarker, UserMarker, WebhookMarker,
        },
    },
    user::User,
};

use super::{StoredAttachment, World};
use crate::{
    discord_error::{DiscordError, DiscordResult},
    snowflake::now_timestamp,
};

/// Most characters in a message's content.
pub(crate) const MAX_CONTENT: usize = 2000;
/// Most embeds in a message.
const MAX_EMBEDS: usize = 10;
/// Most pins in a channel.
pub(crate) const MAX_PINS: usize = 50;

/// A field of an edit: left alone, cleared with `null`, or set.
#[derive(Clone, Debug, Default)]
pub(crate) enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    pub(crate) fn is_set(&self) -> bool {
        matches!(self, Self::Set(_))
    }
}

/// A file part of a multipart body.
#[derive(Clone, Debug)]
pub(crate) struct Upload {
    /// The `n` of a `files[n]` part.
    pub(crate) index: Option<u64>,
    pub(crate) filename: String,
    pub(crate) content_type: Option<String>,
    pub(crate) bytes: Bytes,
}

/// An entry of the `attachments` array: a new upload (by its `files[n]` index) or an
/// existing attachment to keep (by its id).
#[derive(Clone, Debug)]
pub(crate) struct AttachmentRef {
    pub(crate) id: u64,
    pub(crate) filename: Option<String>,
    pub(crate) description: Option<String>,
}

/// A message body as sent to create or edit a message.
#[derive(Clone, Debug, Default)]
pub(crate) struct Draft {
    pub(crate) content: Patch<String>,
    pub(crate) embeds: Patch<Vec<Embed>>,
    pub(crate) components: Patch<Vec<Component>>,
    pub(crate) attachments: Patch<Vec<AttachmentRef>>,
    pub(crate) flags: Option<MessageFlags>,
    pub(crate) reference: Option<Id<MessageMarker>>,
    pub(crate) tts: bool,
    pub(crate) uploads: Vec<Upload>,
    /// `nonce`, as sent: a string of at most 25 characters or an integer.
    pub(crate) nonce: Option<Value>,
    /// `enforce_nonce`: a second message with the same nonce returns the first one.
    pub(crate) enforce_nonce: bool,
    /// `allowed_mentions`: which mentions in the content notify; every one when absent.
    pub(crate) allowed_mentions: Option<AllowedPings>,
}

/// What `allowed_mentions` lets notify: the kinds parsed from the content, and the users and
/// roles listed by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct AllowedPings {
    pub(crate) parse_users: bool,
    pub(crate) parse_roles: bool,
    pub(crate) parse_everyone: bool,
    pub(crate) users: Vec<Id<UserMarker>>,
    pub(crate) roles: Vec<Id<RoleMarker>>,
}

fn flags_suppress(flags: Option<MessageFlags>) -> bool {
    flags.is_some_and(|flags| flags.contains(MessageFlags::SUPPRESS_NOTIFICATIONS))
}

fn parse_allowed_mentions(value: Option<&Value>) -> Option<AllowedPings> {
    let object = value?.as_object()?;
    let parse: Vec<&str> = object
        .get("parse")
        .and_then(Value::as_array)
        .map(|kinds| kinds.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let ids = |key: &str| -> Vec<u64> {
        object
            .get(key)
            .and_then(Value::as_array)
            .map(|ids| ids.iter().filter_map(snowflake_value).collect())
            .unwrap_or_default()
    };
    Some(AllowedPings {
        parse_users: parse.contains(&"users"),
        parse_roles: parse.contains(&"roles"),
        parse_everyone: parse.contains(&"everyone"),
        users: ids("users")
            .into_iter()
            .filter_map(Id::new_checked)
            .collect(),
        roles: ids("roles")
            .into_iter()
            .filter_map(Id::new_checked)
            .collect(),
    })
}

/// Most characters in a message nonce.
const MAX_NONCE: usize = 25;

fn parse_nonce(value: Option<&Value>) -> DiscordResult<Option<Value>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.chars().count() > MAX_NONCE => {
            Err(DiscordError::bad_length("nonce", 0, MAX_NONCE))
        }
        Some(Value::Number(number)) if !(number.is_u64() || number.is_i64()) => Err(
            DiscordError::invalid_form("nonce", "NUMBER_TYPE_COERCE", "Value is not int."),
        ),
        Some(value @ (Value::String(_) | Value::Number(_))) => Ok(Some(value.clone())),
        Some(_) => Err(DiscordError::invalid_form(
            "nonce",
            "BASE_TYPE_STRING",
            "Must be a string or an integer.",
        )),
    }
}

/// A nonce as the key it is remembered under: `123` and `"123"` are the same nonce.
pub(crate) fn nonce_key(nonce: &Value) -> String {
    match nonce {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A message (or MESSAGE_CREATE) as JSON with the `nonce` it was created with.
pub(crate) fn with_nonce(message: &impl serde::Serialize, nonce: &Value) -> Value {
    let mut value = serde_json::to_value(message).unwrap_or(Value::Null);
    if let Value::Object(object) = &mut value {
        object.insert("nonce".to_owned(), nonce.clone());
    }
    value
}

fn patch<T>(
    object: &Map<String, Value>,
    key: &str,
    parse: impl FnOnce(&Value) -> DiscordResult<T>,
) -> DiscordResult<Patch<T>> {
    match object.get(key) {
        None => Ok(Patch::Keep),
        Some(Value::Null) => Ok(Patch::Clear),
        Some(value) => parse(value).map(Patch::Set),
    }
}

/// Reads a snowflake given as a string or a number.
pub(crate) fn snowflake_value(value: &Value) -> Option<u64> {
    match value {
        Value::String(text) => text.parse().ok(),
        Value::Number(number) => number.as_u64(),
        _ => None,
    }
}

fn parse_embeds(value: &Value) -> DiscordResult<Vec<Embed>> {
    let Value::Array(items) = value else {
        return Err(DiscordError::invalid_form(
            "embeds",
            "BASE_TYPE_ARRAY",
            "Must be an array.",
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut item = item.clone();
            if let Value::Object(object) = &mut item {
                object
                    .entry("type")
                    .or_insert_with(|| Value::String("rich".to_owned()));
            }
            serde_json::from_value::<Embed>(item).map_err(|error| {
                DiscordError::invalid_form(
                    &format!("embeds.{index}"),
                    "MODEL_TYPE_CONVERT",
                    error.to_string(),
                )
            })
        })
        .collect()
}

pub(crate) fn parse_components(value: &Value) -> DiscordResult<Vec<Component>> {
    serde_json::from_value::<Vec<Component>>(value.clone()).map_err(|error| {
        DiscordError::invalid_form("components", "MODEL_TYPE_CONVERT", error.to_string())
    })
}

fn parse_attachment_refs(value: &Value) -> DiscordResult<Vec<AttachmentRef>> {
    let Value::Array(items) = value else {
        return Err(DiscordError::invalid_form(
            "attachments",
            "BASE_TYPE_ARRAY",
            "Must be an array.",
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let id = item
                .get("id")
                .and_then(snowflake_value)
                .ok_or_else(|| DiscordError::required(&format!("attachments.{index}.id")))?;
            Ok(AttachmentRef {
                id,
                filename: item
                    .get("filename")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                description: item
                    .get("description")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            })
        })
        .collect()
}

impl Draft {
    /// Parses a JSON body (or a multipart `payload_json`) with its uploaded files.
    pub(crate) fn parse(value: &Value, uploads: Vec<Upload>) -> DiscordResult<Self> {
        let empty = Map::new();
        let object = match value {
            Value::Object(object) => object,
            Value::Null => &empty,
            _ => {
                return Err(DiscordError::invalid_form(
                    "",
                    "DICT_TYPE_CONVERT",
                    "Only dictionaries may be used in a DictType",
                ));
            }
        };
        let content = patch(object, "content", |value| match value {
            Value::String(text) => Ok(text.clone()),
            _ => Err(DiscordError::invalid_form(
                "content",
                "BASE_TYPE_STRING",
                "Must be a string.",
            )),
        })?;
        let flags = match object.get("flags") {
            None | Some(Value::Null) => None,
            Some(value) => Some(MessageFlags::from_bits_retain(value.as_u64().ok_or_else(
                || DiscordError::invalid_form("flags", "NUMBER_TYPE_COERCE", "Value is not int."),
            )?)),
        };
        let reference = object
            .get("message_reference")
            .and_then(|reference| reference.get("message_id"))
            .and_then(snowflake_value)
            .and_then(Id::new_checked);
        Ok(Self {
            content,
            embeds: patch(object, "embeds", parse_embeds)?,
            components: patch(object, "components", parse_components)?,
            attachments: patch(object, "attachments", parse_attachment_refs)?,
            flags,
            reference,
            tts: object.get("tts").and_then(Value::as_bool).unwrap_or(false),
            uploads,
            nonce: parse_nonce(object.get("nonce"))?,
            enforce_nonce: object
                .get("enforce_nonce")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            allowed_mentions: parse_allowed_mentions(object.get("allowed_mentions")),
        })
    }

    /// A draft with only text content.
    pub(crate) fn text(content: &str) -> Self {
        Self {
            content: Patch::Set(content.to_owned()),
            ..Self::default()
        }
    }

    pub(crate) fn is_ephemeral(&self) -> bool {
        self.flags
            .is_some_and(|flags| flags.contains(MessageFlags::EPHEMERAL))
    }
}

/// Checks content and embeds against Discord's limits.
fn validate_body(content: &str, embeds: &[Embed]) -> DiscordResult<()> {
    if content.chars().count() > MAX_CONTENT {
        return Err(DiscordError::bad_length("content", 0, MAX_CONTENT));
    }
    if embeds.len() > MAX_EMBEDS {
        return Err(DiscordError::bad_length("embeds", 0, MAX_EMBEDS));
    }
    let mut total = 0;
    for (index, embed) in embeds.iter().enumerate() {
        let count = |text: &Option<String>| text.as_ref().map_or(0, |text| text.chars().count());
        let title = count(&embed.title);
        let description = count(&embed.description);
        if title > 256 {
            return Err(DiscordError::bad_length(
                &format!("embeds.{index}.title"),
                0,
                256,
            ));
        }
        if description > 4096 {
            return Err(DiscordError::bad_length(
                &format!("embeds.{index}.description"),
                0,
                4096,
            ));
        }
        if embed.fields.len() > 25 {
            return Err(DiscordError::bad_length(
                &format!("embeds.{index}.fields"),
                0,
                25,
            ));
        }
        total += title + description;
        for (field_index, field) in embed.fields.iter().enumerate() {
            let name = field.name.chars().count();
            let value = field.value.chars().count();
            if !(1..=256).contains(&name) {
                return Err(DiscordError::bad_length(
                    &format!("embeds.{index}.fields.{field_index}.name"),
                    1,
                    256,
                ));
            }
            if !(1..=1024).contains(&value) {
                return Err(DiscordError::bad_length(
                    &format!("embeds.{index}.fields.{field_index}.value"),
                    1,
                    1024,
                ));
            }
            total += name + value;
        }
        if let Some(footer) = &embed.footer {
            let footer_length = footer.text.chars().count();
            if footer_length > 2048 {
                return Err(DiscordError::bad_length(
                    &format!("embeds.{index}.footer.text"),
                    0,
                    2048,
                ));
            }
            total += footer_length;
        }
        if let Some(author) = &embed.author {
            let author_length = author.name.chars().count();
            if author_length > 256 {
                return Err(DiscordError::bad_length(
                    &format!("embeds.{index}.author.name"),
                    0,
                    256,
                ));
            }
            total += author_length;
        }
    }
    if total > 6000 {
        return Err(DiscordError::invalid_form(
            "embeds",
            "MAX_EMBED_SIZE_EXCEEDED",
            "Embed size exceeds maximum size of 6000",
        ));
    }
    Ok(())
}

/// Calls `visit` on every component, depth first.
pub(crate) fn visit_components<'a>(
    components: &'a [Component],
    visit: &mut impl FnMut(&'a Component),
) {
    for component in components {
        visit(component);
        match component {
            Component::ActionRow(row) => visit_components(&row.components, visit),
            Component::Container(container) => visit_components(&container.components, visit),
            Component::Section(section) => {
                visit_components(&section.components, visit);
                visit_components(std::slice::from_ref(&*section.accessory), visit);
            }
            Component::Label(label) => {
                visit_components(std::slice::from_ref(&*label.component), visit);
            }
            _ => {}
        }
    }
}

fn component_id(component: &mut Component) -> Option<&mut Option<i32>> {
    Some(match component {
        Component::ActionRow(inner) => &mut inner.id,
        Component::Button(inner) => &mut inner.id,
        Component::Checkbox(inner) => &mut inner.id,
        Component::CheckboxGroup(inner) => &mut inner.id,
        Component::Container(inner) => &mut inner.id,
        Component::File(inner) => &mut inner.id,
        Component::FileUpload(inner) => &mut inner.id,
        Component::Label(inner) => &mut inner.id,
        Component::MediaGallery(inner) => &mut inner.id,
        Component::Section(inner) => &mut inner.id,
        Component::SelectMenu(inner) => &mut inner.id,
        Component::Separator(inner) => &mut inner.id,
        Component::TextDisplay(inner) => &mut inner.id,
        Component::TextInput(inner) => &mut inner.id,
        Component::Thumbnail(inner) => &mut inner.id,
        _ => return None,
    })
}

/// Numbers components without an `id` the way Discord does: sequentially, depth first, after
/// the largest id already given.
fn assign_component_ids(components: &mut [Component]) {
    fn walk(components: &mut [Component], visit: &mut impl FnMut(&mut Option<i32>)) {
        for component in components {
            if let Some(id) = component_id(component) {
                visit(id);
            }
            match component {
                Component::ActionRow(row) => walk(&mut row.components, visit),
                Component::Container(container) => walk(&mut container.components, visit),
                Component::Section(section) => {
                    walk(&mut section.components, visit);
                    walk(std::slice::from_mut(&mut *section.accessory), visit);
                }
                Component::Label(label) => walk(std::slice::from_mut(&mut *label.component), visit),
                _ => {}
            }
        }
    }
    let mut largest = 0;
    walk(components, &mut |id| largest = largest.max(id.unwrap_or(0)));
    walk(components, &mut |id| {
        if id.is_none() {
            largest += 1;
            *id = Some(largest);
        }
    });
}

/// Checks message components (custom ids present, unique and short; rows of at most five
/// buttons) and numbers them.
pub(crate) fn prepare_components(components: &mut [Component]) -> DiscordResult<()> {
    let mut custom_ids = std::collections::HashSet::new();
    let mut error = None;
    if components
        .iter()
        .filter(|component| matches!(component, Component::ActionRow(_)))
        .count()
        > 5
    {
        return Err(DiscordError::bad_length("components", 0, 5));
    }
    for (index, component) in components.iter().enumerate() {
        if let Component::ActionRow(row) = component
            && (row.components.is_empty() || row.components.len() > 5)
        {
            return Err(DiscordError::bad_length(
                &format!("components.{index}.components"),
                1,
                5,
            ));
        }
    }
    visit_components(components, &mut |component| {
        if error.is_some() {
            return;
        }
        let custom_id = match component {
            Component::Button(button) => {
                let is_link = matches!(button.style, ButtonStyle::Link | ButtonStyle::Premium);
                if is_link {
                    if button.url.is_none() && button.sku_id.is_none() {
                        error = Some(DiscordError::required("components.url"));
                    }
                    None
                } else if let Some(custom_id) = &button.custom_id {
                    if button
                        .label
                        .as_ref()
                        .is_some_and(|label| label.chars().count() > 80)
                    {
                        error = Some(DiscordError::bad_length("components.label", 0, 80));
                    }
                    Some(custom_id.as_str())
                } else {
                    error = Some(DiscordError::required("components.custom_id"));
                    None
                }
            }
            Component::SelectMenu(menu) => Some(menu.custom_id.as_str()),
            Component::TextInput(input) => Some(input.custom_id.as_str()),
            _ => None,
        };
        if let Some(custom_id) = custom_id {
            if custom_id.is_empty() || custom_id.chars().count() > 100 {
                error = Some(DiscordError::bad_length("components.custom_id", 1, 100));
            } else if !custom_ids.insert(custom_id.to_owned()) {
                error = Some(DiscordError::invalid_form(
                    "components",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                    "Component custom id cannot be duplicated",
                ));
            }
        }
    });
    if let Some(error) = error {
        return Err(error);
    }
    assign_component_ids(components);
    Ok(())
}

/// Parses `<@id>`, `<@!id>` and `<@&id>` mentions out of message content.
fn parse_mentions(content: &str) -> (Vec<Id<UserMarker>>, Vec<Id<RoleMarker>>) {
    let mut users = Vec::new();
    let mut roles = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let (is_role, digits_start) = match rest.as_bytes().first() {
            Some(b'&') => (true, 1),
            Some(b'!') => (false, 1),
            _ => (false, 0),
        };
        let digits: String = rest[digits_start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if rest[digits_start + digits.len()..].starts_with('>')
            && let Some(id) = digits.parse().ok().and_then(std::num::NonZeroU64::new)
        {
            if is_role {
                roles.push(Id::from(id));
            } else if !users.contains(&Id::from(id)) {
                users.push(Id::from(id));
            }
        }
    }
    (users, roles)
}

/// Guesses a content type from a file name, as Discord's CDN reports it.
pub(crate) fn guess_content_type(filename: &str) -> Option<String> {
    let extension = filename.rsplit_once('.')?.1.to_ascii_lowercase();
    let content_type = match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" | "log" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => return None,
    };
    Some(content_type.to_owned())
}

/// Discord replaces characters outside `[A-Za-z0-9._-]` in attachment names with `_`.
pub(crate) fn sanitize_filename(filename: &str) -> String {
    let sanitized: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if sanitized.is_empty() {
        "unknown".to_owned()
    } else {
        sanitized
    }
}

/// Who a new message comes from, besides its author.
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) kind: Option<MessageType>,
    pub(crate) application_id: Option<Id<ApplicationMarker>>,
    pub(crate) webhook_id: Option<Id<WebhookMarker>>,
    pub(crate) interaction_metadata: Option<Box<InteractionMetadata>>,
    /// Flags the message always carries (e.g. EPHEMERAL for an ephemeral reply).
    pub(crate) flags: MessageFlags,
}

impl Default for Origin {
    fn default() -> Self {
        Self {
            kind: None,
            application_id: None,
            webhook_id: None,
            interaction_metadata: None,
            flags: MessageFlags::empty(),
        }
    }
}

impl World {
    /// Stores the uploads of a draft as attachments of the channel.
    pub(crate) fn store_uploads(
        &mut self,
        channel_id: Id<ChannelMarker>,
        uploads: &[Upload],
        refs: &[AttachmentRef],
    ) -> Vec<Attachment> {
        let mut attachments = Vec::with_capacity(uploads.len());
        for (position, upload) in uploads.iter().enumerate() {
            let reference = refs
                .iter()
                .find(|reference| Some(reference.id) == upload.index.or(Some(position as u64)));
            let filename = sanitize_filename(
                reference
                    .and_then(|reference| reference.filename.as_deref())
                    .unwrap_or(&upload.filename),
            );
            let content_type = upload
                .content_type
                .clone()
                .filter(|content_type| content_type != "application/octet-stream")
                .or_else(|| guess_content_type(&filename));
            let id = self.next_id();
            let url = format!("{}/attachments/{channel_id}/{id}/{filename}", self.base_url);
            self.attachments.insert(
                id,
                StoredAttachment {
                    channel_id,
                    filename: filename.clone(),
                    content_type: content_type.clone(),
                    bytes: upload.bytes.clone(),
                },
            );
            attachments.push(Attachment {
                content_type,
                ephemeral: false,
                duration_secs: None,
                filename,
                flags: None,
                description: reference.and_then(|reference| reference.description.clone()),
                height: None,
                id,
                placeholder: None,
                placeholder_version: None,
                proxy_url: url.clone(),
                size: upload.bytes.len() as u64,
                title: None,
                url,
                waveform: None,
                width: None,
            });
        }
        attachments
    }

    fn mentions(
        &self,
        channel_guild: Option<Id<twilight_model::id::marker::GuildMarker>>,
        users: &[Id<UserMarker>],
    ) -> Vec<Mention> {
        users
            .iter()
            .filter_map(|user_id| Some((*user_id, self.users.get(user_id)?)))
            .map(|(id, record)| Mention {
                avatar: None,
                bot: record.bot,
                discriminator: 0,
                id,
                member: channel_guild
                    .and_then(|guild_id| self.guilds.get(&guild_id))
                    .and_then(|guild| guild.members.get(&id))
                    .map(|member| self.partial_member(&member, None, false)),
                name: record.name.to_string(),
                public_flags: twilight_model::user::UserFlags::empty(),
            })
            .collect()
    }

    /// Who a new message notifies: the users and the members of the roles its content
    /// mentions, as `allowed_mentions` lets them (all when absent), who can see the channel;
    /// nobody with `SUPPRESS_NOTIFICATIONS`.
    fn notified(
        &self,
        channel_id: Id<ChannelMarker>,
        users: &[Id<UserMarker>],
        roles: &[Id<RoleMarker>],
        allowed: Option<&AllowedPings>,
        suppressed: bool,
    ) -> Vec<Id<UserMarker>> {
        if suppressed {
            return Vec::new();
        }
        let user_allowed =
            |user: &Id<UserMarker>| allowed.is_none_or(|a| a.parse_users || a.users.contains(user));
        let role_allowed =
            |role: &Id<RoleMarker>| allowed.is_none_or(|a| a.parse_roles || a.roles.contains(role));
        let mut notified: Vec<Id<UserMarker>> =
            users.iter().filter(|u| user_allowed(u)).copied().collect();
        let guild = self
            .channels
            .get(&channel_id)
            .and_then(|record| record.channel.guild_id)
            .and_then(|guild| self.guilds.get(&guild));
        if let Some(guild) = guild {
            for role in roles.iter().filter(|r| role_allowed(r)) {
                for member in guild.members.values() {
                    if member.roles.contains(role) {
                        notified.push(member.user_id);
                    }
                }
            }
        }
        notified.sort_unstable();
        notified.dedup();
        // In a thread, whoever sees its channel is notified (and joins it, see
        // `after_thread_message`).
        let seen_in = self
            .channels
            .get(&channel_id)
            .filter(|record| record.channel.is_thread())
            .and_then(|record| record.channel.parent_id)
            .unwrap_or(channel_id);
        notified.retain(|user| {
            self.channel_permissions(*user, seen_in)
                .contains(twilight_model::guild::Permissions::VIEW_CHANNEL)
        });
        notified
    }

    /// Builds a new message from a draft after checking Discord's limits. The message is not
    /// stored: see [`World::insert_message`].
    pub(crate) fn compose_message(
        &mut self,
        channel_id: Id<ChannelMarker>,
        author: User,
        mut draft: Draft,
        origin: Origin,
    ) -> DiscordResult<Message> {
        let guild_id = self.channel(channel_id)?.channel.guild_id;
        let content = match std::mem::take(&mut draft.content) {
            Patch::Set(content) => content,
            _ => String::new(),
        };
        let embeds = match std::mem::take(&mut draft.embeds) {
            Patch::Set(embeds) => embeds,
            _ => Vec::new(),
        };
        let mut components = match std::mem::take(&mut draft.components) {
            Patch::Set(components) => components,
            _ => Vec::new(),
        };
        validate_body(&content, &embeds)?;
        prepare_components(&mut components)?;
        self.check_upload_size(channel_id, &draft.uploads)?;
        if content.trim().is_empty()
            && embeds.is_empty()
            && components.is_empty()
            && draft.uploads.is_empty()
        {
            return Err(DiscordError::empty_message());
        }
        let refs = match &draft.attachments {
            Patch::Set(refs) => refs.clone(),
            _ => Vec::new(),
        };
        let attachments = self.store_uploads(channel_id, &draft.uploads, &refs);
        let (user_mentions, mention_roles) = parse_mentions(&content);
        let mentions = self.mentions(guild_id, &user_mentions);
        let id = self.next_id();
        let notified = self.notified(
            channel_id,
            &user_mentions,
            &mention_roles,
            draft.allowed_mentions.as_ref(),
            flags_suppress(draft.flags),
        );
        self.notifications.insert(id, notified);
        let member = guild_id
            .and_then(|guild_id| self.guilds.get(&guild_id))
            .and_then(|guild| guild.members.get(&author.id))
            .map(|member| self.partial_member(&member, None, false));
        let reference = match draft.reference {
            Some(message_id) => {
                if !self
                    .channel(channel_id)?
                    .activity()
                    .messages
                    .contains_key(&message_id)
                {
                    return Err(DiscordError::invalid_form(
                        "message_reference",
                        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                        "Unknown message",
                    ));
                }
                Some(MessageReference {
                    channel_id: Some(channel_id),
                    guild_id,
                    kind: twilight_model::channel::message::MessageReferenceType::Default,
                    message_id: Some(message_id),
                    fail_if_not_exists: None,
                })
            }
            None => None,
        };
        let kind = origin.kind.unwrap_or(if reference.is_some() {
            MessageType::Reply
        } else {
            MessageType::Regular
        });
        let allowed_flags = MessageFlags::SUPPRESS_EMBEDS
            | MessageFlags::SUPPRESS_NOTIFICATIONS
            | MessageFlags::from_bits_retain(1 << 15);
        let flags = draft
            .flags
            .map_or(MessageFlags::empty(), |flags| flags & allowed_flags)
            | origin.flags;
        #[allow(deprecated)]
        let message = Message {
            activity: None,
            application: None,
            application_id: origin.application_id,
            attachments,
            author,
            call: None,
            channel_id,
            components,
            content,
            edited_timestamp: None,
            embeds,
            flags: Some(flags),
            guild_id,
            id,
            interaction: None,
            interaction_metadata: origin.interaction_metadata,
            kind,
            member,
            mention_channels: Vec::new(),
            mention_everyone: false,
            mention_roles,
            mentions,
            message_snapshots: Vec::new(),
            pinned: false,
            poll: None,
            reactions: Vec::new(),
            reference,
            referenced_message: None,
            role_subscription_data: None,
            sticker_items: Vec::new(),
            timestamp: now_timestamp(),
            thread: None,
            tts: draft.tts,
            webhook_id: origin.webhook_id,
        };
        Ok(message)
    }

    /// Stores a message in its channel and dispatches MESSAGE_CREATE.
    pub(crate) fn insert_message(&mut self, message: Message) -> DiscordResult<Message> {
        self.insert_message_with_nonce(message, None)
    }

    /// Stores a message created with a nonce (remembered for `enforce_nonce`) and dispatches
    /// MESSAGE_CREATE carrying the nonce.
    pub(crate) fn insert_message_with_nonce(
        &mut self,
        message: Message,
        nonce: Option<&Value>,
    ) -> DiscordResult<Message> {
        self.before_thread_message(message.channel_id, message.author.id)?;
        let window = self.config.nonce_window;
        let record = self.channel_mut(message.channel_id)?;
        record.channel.set_last_message_id(message.id.cast());
        record
            .activity_mut()
            .messages
            .insert(message.id, Box::new(message.clone()));
        if let Some(nonce) = nonce {
            let now = tokio::time::Instant::now();
            let nonces = record
                .activity_mut()
                .nonces
                .get_or_insert_with(Box::default);
            nonces.retain(|_, sent| now.saturating_duration_since(sent.at) < window);
            nonces.insert(
                (message.author.id, nonce_key(nonce)),
                super::SentNonce {
                    message_id: message.id,
                    nonce: nonce.clone(),
                    at: now,
                },
            );
        }
        self.emit_message_with_nonce("MESSAGE_CREATE", &message, nonce);
        let notified = self
            .notifications
            .get(&message.id)
            .cloned()
            .unwrap_or_default();
        self.after_thread_message(message.channel_id, message.author.id, &notified);
        Ok(message)
    }

    /// The message `author` created in the channel with this nonce within the nonce window,
    /// if it still exists, with the nonce as it was first sent (what `enforce_nonce` answers
    /// instead of a new message).
    pub(crate) fn message_with_nonce(
        &self,
        channel_id: Id<ChannelMarker>,
        author: Id<UserMarker>,
        nonce: &Value,
    ) -> Option<(Message, Value)> {
        let record = self.channels.get(&channel_id)?;
        let sent = record
            .activity()
            .nonces
            .as_ref()?
            .get(&(author, nonce_key(nonce)))?;
        if tokio::time::Instant::now().saturating_duration_since(sent.at)
            >= self.config.nonce_window
        {
            return None;
        }
        let message = record.activity().messages.get(&sent.message_id)?;
        Some((Message::clone(message), sent.nonce.clone()))
    }

    /// Applies an edit to a message (stored or ephemeral) after checking the limits.
    pub(crate) fn apply_edit(
        &mut self,
        message: &mut Message,
        mut draft: Draft,
    ) -> DiscordResult<()> {
        let mut content = message.content.clone();
        match std::mem::take(&mut draft.content) {
            Patch::Keep => {}
            Patch::Clear => content.clear(),
            Patch::Set(new) => content = new,
        }
        let mut embeds = message.embeds.clone();
        match std::mem::take(&mut draft.embeds) {
            Patch::Keep => {}
            Patch::Clear => embeds.clear(),
            Patch::Set(new) => embeds = new,
        }
        let mut components = message.components.clone();
        match std::mem::take(&mut draft.components) {
            Patch::Keep => {}
            Patch::Clear => components.clear(),
            Patch::Set(mut new) => {
                prepare_components(&mut new)?;
                components = new;
            }
        }
        validate_body(&content, &embeds)?;
        // Only the files of this edit count: those the message kept were uploaded before.
        self.check_upload_size(message.channel_id, &draft.uploads)?;
        let mut attachments = message.attachments.clone();
        let refs = match &draft.attachments {
            Patch::Keep => Vec::new(),
            Patch::Clear => {
                attachments.clear();
                Vec::new()
            }
            Patch::Set(refs) => {
                attachments.retain(|attachment| {
                    refs.iter()
                        .any(|reference| reference.id == attachment.id.get())
                });
                refs.clone()
            }
        };
        let uploaded = self.store_uploads(message.channel_id, &draft.uploads, &refs);
        attachments.extend(uploaded);
        if content.trim().is_empty()
            && embeds.is_empty()
            && components.is_empty()
            && attachments.is_empty()
        {
            return Err(DiscordError::empty_message());
        }
        let (user_mentions, mention_roles) = parse_mentions(&content);
        message.mentions = self.mentions(message.guild_id, &user_mentions);
        message.mention_roles = mention_roles;
        message.content = content;
        message.embeds = embeds;
        message.components = components;
        message.attachments = attachments;
        let kept = message.flags.unwrap_or(MessageFlags::empty()) & MessageFlags::EPHEMERAL;
        let changeable = MessageFlags::SUPPRESS_EMBEDS | MessageFlags::from_bits_retain(1 << 15);
        let requested = draft.flags.map_or_else(
            || message.flags.unwrap_or(MessageFlags::empty()) & changeable,
            |flags| flags & changeable,
        );
        message.flags = Some(kept | requested);
        message.edited_timestamp = Some(now_timestamp());
        Ok(())
    }

    /// Edits a stored message and dispatches MESSAGE_UPDATE.
    pub(crate) fn edit_stored_message(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        draft: Draft,
    ) -> DiscordResult<Message> {
        self.check_not_archived(channel_id)?;
        let mut message = self
            .channel(channel_id)?
            .activity()
            .messages
            .get(&message_id)
            .cloned()
            .ok_or_else(DiscordError::unknown_message)?;
        self.apply_edit(&mut message, draft)?;
        self.channel_mut(channel_id)?
            .activity_mut()
            .messages
            .insert(message_id, message.clone());
        self.emit_message("MESSAGE_UPDATE", &message);
        Ok(*message)
    }

    /// Deletes a stored message (and its pin) and dispatches MESSAGE_DELETE.
    pub(crate) fn delete_stored_message(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
    ) -> DiscordResult<()> {
        self.check_not_archived(channel_id)?;
        let Some(record) = self.channel_with_messages(channel_id)? else {
            return Err(DiscordError::unknown_message());
        };
        if record.activity_mut().messages.remove(&message_id).is_none() {
            return Err(DiscordError::unknown_message());
        }
        let was_pinned = record
            .activity()
            .pins
            .iter()
            .any(|(id, _)| *id == message_id);
        record
            .activity_mut()
            .pins
            .retain(|(id, _)| *id != message_id);
        let guild_id = record.channel.guild_id;
        let delete = MessageDelete {
            channel_id,
            guild_id,
            id: message_id,
        };
        let intents = if guild_id.is_some() {
            twilight_model::gateway::Intents::GUILD_MESSAGES
        } else {
            twilight_model::gateway::Intents::DIRECT_MESSAGES
        };
        let event = crate::gateway::hub::Event::new("MESSAGE_DELETE", guild_id, intents, &delete);
        self.emit(&event);
        if was_pinned {
            self.emit_pins_update(channel_id);
        }
        Ok(())
    }

    /// Deletes the stored ones of `message_ids` (and their pins): one MESSAGE_DELETE_BULK
    /// with the ids that were there.
    pub(crate) fn bulk_delete_messages(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_ids: &[Id<MessageMarker>],
    ) -> DiscordResult<()> {
        let Some(record) = self.channel_with_messages(channel_id)? else {
            return Ok(());
        };
        let deleted: Vec<Id<MessageMarker>> = message_ids
            .iter()
            .copied()
            .filter(|id| record.activity_mut().messages.remove(id).is_some())
            .collect();
        let before = record.activity().pins.len();
        record
            .activity_mut()
            .pins
            .retain(|(id, _)| !deleted.contains(id));
        let unpinned = record.activity().pins.len() != before;
        let guild_id = record.channel.guild_id;
        if deleted.is_empty() {
            return Ok(());
        }
        let mut data = serde_json::json!({
            "ids": deleted.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "channel_id": channel_id.to_string(),
        });
        if let Some(guild_id) = guild_id {
            data["guild_id"] = serde_json::json!(guild_id.to_string());
        }
        let event = crate::gateway::hub::Event::new(
            "MESSAGE_DELETE_BULK",
            guild_id,
            twilight_model::gateway::Intents::GUILD_MESSAGES,
            &data,
        );
        self.emit(&event);
        if unpinned {
            self.emit_pins_update(channel_id);
        }
        Ok(())
    }

    /// Pins a message: the flag, a "pinned a message" system message, CHANNEL_PINS_UPDATE.
    pub(crate) fn pin_message(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        pinned_by: User,
    ) -> DiscordResult<()> {
        let record = self.channel(channel_id)?;
        if !record.activity().messages.contains_key(&message_id) {
            return Err(DiscordError::unknown_message());
        }
        if record
            .activity()
            .pins
            .iter()
            .any(|(id, _)| *id == message_id)
        {
            return Ok(());
        }
        if record.activity().pins.len() >= MAX_PINS {
            return Err(DiscordError::max_pins());
        }
        let now = now_timestamp();
        let record = self.channel_mut(channel_id)?;
        record.activity_mut().pins.push((message_id, now));
        record.channel.extras_mut().last_pin_timestamp = Some(now);
        let mut message = record
            .activity()
            .messages
            .get(&message_id)
            .cloned()
            .ok_or_else(DiscordError::unknown_message)?;
        message.pinned = true;
        record
            .activity_mut()
            .messages
            .insert(message_id, message.clone());
        self.emit_message("MESSAGE_UPDATE", &message);
        let notice = self.pin_notice(channel_id, message_id, pinned_by)?;
        self.insert_message(notice)?;
        self.emit_pins_update(channel_id);
        Ok(())
    }

    /// The "pinned a message" system message: no content, a reference to the pinned message.
    fn pin_notice(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        pinned_by: User,
    ) -> DiscordResult<Message> {
        let mut notice = self.compose_message(
            channel_id,
            pinned_by,
            Draft::text("."),
            Origin {
                kind: Some(MessageType::ChannelMessagePinned),
                ..Origin::default()
            },
        )?;
        notice.content.clear();
        notice.reference = Some(MessageReference {
            channel_id: Some(channel_id),
            guild_id: notice.guild_id,
            kind: twilight_model::channel::message::MessageReferenceType::Default,
            message_id: Some(message_id),
            fail_if_not_exists: None,
        });
        Ok(notice)
    }

    /// Unpins a message and dispatches the changes.
    pub(crate) fn unpin_message(
        &mut self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
    ) -> DiscordResult<()> {
        let Some(record) = self.channel_with_messages(channel_id)? else {
            return Err(DiscordError::unknown_message());
        };
        if !record.activity().messages.contains_key(&message_id) {
            return Err(DiscordError::unknown_message());
        }
        let before = record.activity().pins.len();
        record
            .activity_mut()
            .pins
            .retain(|(id, _)| *id != message_id);
        if record.activity().pins.len() == before {
            return Ok(());
        }
        let last_pin = record.activity().pins.last().map(|(_, at)| *at);
        record.channel.extras_mut().last_pin_timestamp = last_pin;
        let mut message = record
            .activity()
            .messages
            .get(&message_id)
            .cloned()
            .ok_or_else(DiscordError::unknown_message)?;
        message.pinned = false;
        record
            .activity_mut()
            .messages
            .insert(message_id, message.clone());
        self.emit_message("MESSAGE_UPDATE", &message);
        self.emit_pins_update(channel_id);
        Ok(())
    }

    fn emit_pins_update(&mut self, channel_id: Id<ChannelMarker>) {
        let Ok(record) = self.channel(channel_id) else {
            return;
        };
        let update = ChannelPinsUpdate {
            channel_id,
            guild_id: record.channel.guild_id,
            last_pin_timestamp: record.activity().pins.last().map(|(_, at)| *at),
        };
        let intents = if update.guild_id.is_some() {
            twilight_model::gateway::Intents::GUILDS
        } else {
            twilight_model::gateway::Intents::DIRECT_MESSAGES
        };
        let event = crate::gateway::hub::Event::new(
            "CHANNEL_PINS_UPDATE",
            update.guild_id,
            intents,
            &update,
        );
        self.emit(&event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_parsed() {
        let (users, roles) = parse_mentions("hi <@12> and <@!13>, <@&14> <@nope> <@12>");
        assert_eq!(users, vec![Id::new(12), Id::new(13)]);
        assert_eq!(roles, vec![Id::new(14)]);
    }

    #[test]
    fn filenames_are_sanitized() {
        assert_eq!(
            sanitize_filename("my transcript (1).html"),
            "my_transcript__1_.html"
        );
    }

    #[test]
    fn components_get_ids_and_duplicates_are_refused() {
        let value = serde_json::json!([{
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": "Claim", "custom_id": "claim"},
                {"type": 2, "style": 4, "label": "Close", "custom_id": "close"}
            ]
        }]);
        let mut components = parse_components(&value).unwrap();
        prepare_components(&mut components).unwrap();
        let Component::ActionRow(row) = &components[0] else {
            panic!("row")
        };
        assert_eq!(row.id, Some(1));
        let Component::Button(button) = &row.components[1] else {
            panic!("button")
        };
        assert_eq!(button.id, Some(3));

        let duplicated = serde_json::json!([{
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": "A", "custom_id": "same"},
                {"type": 2, "style": 1, "label": "B", "custom_id": "same"}
            ]
        }]);
        let mut components = parse_components(&duplicated).unwrap();
        assert_eq!(prepare_components(&mut components).unwrap_err().code, 50035);
    }

    #[test]
    fn content_over_2000_characters_is_invalid() {
        let error = validate_body(&"é".repeat(2001), &[]).unwrap_err();
        assert_eq!(error.code, 50035);
        assert!(validate_body(&"é".repeat(2000), &[]).is_ok());
    }
}
