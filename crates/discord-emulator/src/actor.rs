//! Acting as a person: what the Discord client would let them do, and what they then see.

use std::collections::HashMap;

use tokio::time::Instant;
use twilight_model::{
    application::{
        command::{
            Command, CommandOption, CommandOptionChoiceValue, CommandOptionType, CommandType,
        },
        interaction::{
            Interaction, InteractionChannel, InteractionContextType, InteractionData,
            InteractionDataResolved, InteractionMember, InteractionPartialGuild, InteractionType,
            application_command::{CommandData, CommandDataOption, CommandOptionValue},
            message_component::MessageComponentInteractionData,
            modal::{
                ModalInteractionActionRow, ModalInteractionComponent, ModalInteractionData,
                ModalInteractionLabel, ModalInteractionStringSelect, ModalInteractionTextDisplay,
                ModalInteractionTextInput,
            },
        },
    },
    channel::{
        Channel, ChannelType, Message,
        message::{
            Component, MessageType,
            component::{ButtonStyle, ComponentType, SelectMenu, SelectMenuType},
        },
    },
    guild::Permissions,
    id::{
        AnonymizableId, Id,
        marker::{
            ChannelMarker, GenericMarker, GuildMarker, InteractionMarker, MessageMarker,
            RoleMarker, UserMarker,
        },
    },
    oauth::ApplicationIntegrationMap,
};

use crate::{
    Emulator,
    error::{Error, Result},
    seen::{Answer, SeenMessage, SeenModal},
    snowflake::random_hex,
    world::{
        ShownModal, World,
        messages::{Draft, Origin, Patch, Upload, visit_components},
    },
};

/// The value of a slash command option, as a person fills it in.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionValue {
    /// A string option.
    String(String),
    /// An integer option.
    Integer(i64),
    /// A number option.
    Number(f64),
    /// A boolean option.
    Boolean(bool),
    /// A user option (the user is resolved, with their membership).
    User(Id<UserMarker>),
    /// A channel option.
    Channel(Id<ChannelMarker>),
    /// A role option.
    Role(Id<RoleMarker>),
    /// A mentionable option: a user or a role id.
    Mentionable(Id<GenericMarker>),
    /// An attachment option: the file is uploaded and served by the emulator.
    Attachment {
        /// File name.
        filename: String,
        /// Content.
        bytes: Vec<u8>,
    },
}

impl From<&str> for OptionValue {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for OptionValue {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<i64> for OptionValue {
    fn from(value: i64) -> Self {
        Self::Integer(value)
    }
}

impl From<f64> for OptionValue {
    fn from(value: f64) -> Self {
        Self::Number(value)
    }
}

impl From<bool> for OptionValue {
    fn from(value: bool) -> Self {
        Self::Boolean(value)
    }
}

impl From<Id<UserMarker>> for OptionValue {
    fn from(value: Id<UserMarker>) -> Self {
        Self::User(value)
    }
}

impl From<Id<ChannelMarker>> for OptionValue {
    fn from(value: Id<ChannelMarker>) -> Self {
        Self::Channel(value)
    }
}

impl From<Id<RoleMarker>> for OptionValue {
    fn from(value: Id<RoleMarker>) -> Self {
        Self::Role(value)
    }
}

/// A person of the emulated Discord. Every action is checked the way the Discord client
/// would allow it, and returns what the person then sees.
#[derive(Clone, Debug)]
pub struct Actor {
    emulator: Emulator,
    user_id: Id<UserMarker>,
}

/// What a person saw after an interaction: the first visible answer, and later ones on demand.
#[derive(Debug)]
pub struct InteractionOutcome {
    emulator: Emulator,
    interaction_id: Id<InteractionMarker>,
    answer: Answer,
    cursor: usize,
}

impl InteractionOutcome {
    async fn begin(emulator: Emulator, interaction_id: Id<InteractionMarker>) -> Self {
        let mut outcome = Self {
            emulator,
            interaction_id,
            answer: Answer::Failed,
            cursor: 0,
        };
        outcome.answer = outcome.wait().await.unwrap_or(Answer::Failed);
        outcome
    }

    /// Waits for the next thing the person sees, skipping deferral states unless nothing
    /// else comes within the answer wait; `None` when nothing new came.
    async fn wait(&mut self) -> Option<Answer> {
        let answer_deadline = Instant::now() + self.emulator.shared.config.answer_wait;
        let mut pending = None;
        loop {
            let (mut changes, wake_at) = {
                let mut world = self.emulator.world();
                let record = world.interactions.get_mut(self.interaction_id)?;
                let changes = record.subscribe();
                record.check_deadline();
                while let Some(answer) = record.seen.get(self.cursor).cloned() {
                    self.cursor += 1;
                    if answer.is_pending() {
                        pending = Some(answer);
                        continue;
                    }
                    return Some(answer);
                }
                let settled = record.ack.is_some() || record.failed;
                if settled && Instant::now() >= answer_deadline {
                    return pending;
                }
                let wake_at = if settled {
                    answer_deadline
                } else {
                    record.deadline
                };
                (changes, wake_at)
            };
            let _ = tokio::time::timeout_at(wake_at, changes.changed()).await;
        }
    }

    /// How long after the interaction was created its initial response came (the
    /// acknowledgement: a message, a deferral or a modal); `None` when none came.
    pub fn ack_latency(&self) -> Option<std::time::Duration> {
        self.emulator
            .world()
            .interactions
            .get(self.interaction_id)
            .and_then(|record| record.acked_after)
    }

    /// The interaction's id.
    pub fn interaction_id(&self) -> Id<InteractionMarker> {
        self.interaction_id
    }

    /// The first visible answer (or the deferral state if nothing came within the wait).
    pub fn answer(&self) -> &Answer {
        &self.answer
    }

    /// Whether the person saw "This interaction failed".
    pub fn failed(&self) -> bool {
        matches!(self.answer, Answer::Failed)
    }

    /// The message of the first answer, if it was one.
    pub fn message(&self) -> Option<&SeenMessage> {
        self.answer.message()
    }

    /// The modal of the first answer, if one opened.
    pub fn modal(&self) -> Option<&SeenModal> {
        self.answer.modal()
    }

    /// Whether the first answer is a message only this person sees.
    pub fn is_ephemeral(&self) -> bool {
        self.message().is_some_and(|message| message.ephemeral)
    }

    /// The message of the first answer; panics with what was seen instead.
    #[track_caller]
    pub fn expect_message(&self) -> &SeenMessage {
        match self.answer.message() {
            Some(message) => message,
            None => panic!("expected a message, the user saw {:?}", self.answer),
        }
    }

    /// The suggestions of an autocomplete; panics with what was seen instead.
    #[track_caller]
    pub fn expect_choices(&self) -> &[(String, String)] {
        match &self.answer {
            Answer::Choices(choices) => choices,
            other => panic!("expected suggestions, the user saw {other:?}"),
        }
    }

    /// The modal of the first answer; panics with what was seen instead.
    #[track_caller]
    pub fn expect_modal(&self) -> &SeenModal {
        match self.answer.modal() {
            Some(modal) => modal,
            None => panic!("expected a modal, the user saw {:?}", self.answer),
        }
    }

    /// Waits (up to the configured answer wait) for the next thing the person sees: a
    /// follow-up, an edit of an answer, a deletion.
    pub async fn next(&mut self) -> Option<Answer> {
        self.wait().await
    }

    /// Everything seen so far for this interaction, in order (without waiting).
    pub fn seen(&self) -> Vec<Answer> {
        self.emulator
            .world()
            .interactions
            .get(self.interaction_id)
            .map(|record| record.seen.clone())
            .unwrap_or_default()
    }
}

/// Finds an interactive component by custom id.
fn find_component<'a>(components: &'a [Component], custom_id: &str) -> Option<&'a Component> {
    let mut found = None;
    visit_components(components, &mut |component| {
        if found.is_some() {
            return;
        }
        let matches = match component {
            Component::Button(button) => button.custom_id.as_deref() == Some(custom_id),
            Component::SelectMenu(menu) => menu.custom_id == custom_id,
            _ => false,
        };
        if matches {
            found = Some(component);
        }
    });
    found
}

fn command_option_kind_matches(kind: CommandOptionType, value: &OptionValue) -> bool {
    matches!(
        (kind, value),
        (CommandOptionType::String, OptionValue::String(_))
            | (CommandOptionType::Integer, OptionValue::Integer(_))
            | (
                CommandOptionType::Number,
                OptionValue::Number(_) | OptionValue::Integer(_)
            )
            | (CommandOptionType::Boolean, OptionValue::Boolean(_))
            | (CommandOptionType::User, OptionValue::User(_))
            | (CommandOptionType::Channel, OptionValue::Channel(_))
            | (CommandOptionType::Role, OptionValue::Role(_))
            | (
                CommandOptionType::Mentionable,
                OptionValue::Mentionable(_) | OptionValue::User(_) | OptionValue::Role(_)
            )
            | (
                CommandOptionType::Attachment,
                OptionValue::Attachment { .. }
            )
    )
}

/// Builds interactions for one person in one channel.
struct Context<'a> {
    world: &'a mut World,
    user_id: Id<UserMarker>,
    guild_id: Option<Id<GuildMarker>>,
    channel_id: Id<ChannelMarker>,
}

impl Context<'_> {
    fn resolve_user(
        &self,
        resolved: &mut InteractionDataResolved,
        user_id: Id<UserMarker>,
    ) -> Result<()> {
        let user = self
            .world
            .users
            .get(&user_id)
            .ok_or(Error::UnknownUser(user_id.get()))?;
        resolved.users.insert(user_id, user.model(user_id));
        if let Some(member) = self
            .guild_id
            .and_then(|guild_id| self.world.guilds.get(&guild_id))
            .and_then(|guild| guild.members.get(&user_id))
        {
            resolved.members.insert(
                user_id,
                InteractionMember {
                    avatar: None,
                    avatar_decoration_data: None,
                    banner: None,
                    communication_disabled_until: None,
                    flags: twilight_model::guild::MemberFlags::empty(),
                    joined_at: Some(member.joined_at),
                    nick: member.nick.as_deref().cloned(),
                    pending: false,
                    permissions: self.world.channel_permissions(user_id, self.channel_id),
                    premium_since: None,
                    roles: member.roles.to_vec(),
                },
            );
        }
        Ok(())
    }

    fn resolve_role(
        &self,
        resolved: &mut InteractionDataResolved,
        role_id: Id<RoleMarker>,
    ) -> Result<()> {
        let role = self
            .guild_id
            .and_then(|guild_id| self.world.guilds.get(&guild_id))
            .and_then(|guild| guild.role(role_id))
            .ok_or(Error::UnknownRole(role_id.get()))?;
        resolved.roles.insert(role_id, role.model());
        Ok(())
    }

    fn resolve_channel(
        &self,
        resolved: &mut InteractionDataResolved,
        channel_id: Id<ChannelMarker>,
        allowed: Option<&[ChannelType]>,
    ) -> Result<()> {
        let record = self
            .world
            .channels
            .get(&channel_id)
            .ok_or(Error::UnknownChannel(channel_id.get()))?;
        if record.channel.guild_id != self.guild_id {
            return Err(Error::InvalidOption(format!(
                "channel {channel_id} is not in this guild"
            )));
        }
        if let Some(allowed) = allowed
            && !allowed.is_empty()
            && !allowed.contains(&record.channel.kind())
        {
            return Err(Error::InvalidOption(format!(
                "channel {channel_id} has a type the option does not accept"
            )));
        }
        resolved.channels.insert(
            channel_id,
            InteractionChannel {
                id: channel_id,
                kind: record.channel.kind(),
                name: record.channel.name.as_deref().cloned().unwrap_or_default(),
                parent_id: record.channel.parent_id,
                permissions: self.world.channel_permissions(self.user_id, channel_id),
                app_permissions: Some(
                    self.world
                        .channel_permissions(self.world.bot_id(), channel_id),
                ),
                thread_metadata: record.channel.thread_metadata().cloned(),
            },
        );
        Ok(())
    }

    fn option_value(
        &mut self,
        definition: &CommandOption,
        value: &OptionValue,
        resolved: &mut InteractionDataResolved,
    ) -> Result<CommandOptionValue> {
        let name = &definition.name;
        if !command_option_kind_matches(definition.kind, value) {
            return Err(Error::InvalidOption(format!(
                "option {name} expects a {}",
                definition.kind.kind()
            )));
        }
        if let Some(choices) = &definition.choices {
            let allowed = choices.iter().any(|choice| match (&choice.value, value) {
                (CommandOptionChoiceValue::String(choice), OptionValue::String(value)) => {
                    choice == value
                }
                (CommandOptionChoiceValue::Integer(choice), OptionValue::Integer(value)) => {
                    choice == value
                }
                (CommandOptionChoiceValue::Number(choice), OptionValue::Number(value)) => {
                    choice == value
                }
                _ => false,
            });
            if !allowed {
                return Err(Error::InvalidOption(format!(
                    "{value:?} is not a choice of option {name}"
                )));
            }
        }
        let bound = |bound: &Option<twilight_model::application::command::CommandOptionValue>| {
            bound.as_ref().map(|bound| match bound {
                twilight_model::application::command::CommandOptionValue::Integer(value) => {
                    *value as f64
                }
                twilight_model::application::command::CommandOptionValue::Number(value) => *value,
            })
        };
        let numeric = match value {
            OptionValue::Integer(value) => Some(*value as f64),
            OptionValue::Number(value) => Some(*value),
            _ => None,
        };
        if let Some(numeric) = numeric
            && (bound(&definition.min_value).is_some_and(|min| numeric < min)
                || bound(&definition.max_value).is_some_and(|max| numeric > max))
        {
            return Err(Error::InvalidOption(format!(
                "{numeric} is out of range for option {name}"
            )));
        }
        Ok(match value {
            OptionValue::String(text) => {
                let length = text.chars().count();
                let min = usize::from(definition.min_length.unwrap_or(0));
                let max = usize::from(definition.max_length.unwrap_or(6000));
                if length < min || length > max {
                    return Err(Error::InvalidOption(format!(
                        "option {name} must be {min}–{max} characters"
                    )));
                }
                CommandOptionValue::String(text.clone())
            }
            OptionValue::Integer(value) if definition.kind == CommandOptionType::Number => {
                CommandOptionValue::Number(*value as f64)
            }
            OptionValue::Integer(value) => CommandOptionValue::Integer(*value),
            OptionValue::Number(value) => CommandOptionValue::Number(*value),
            OptionValue::Boolean(value) => CommandOptionValue::Boolean(*value),
            OptionValue::User(user_id) => {
                self.resolve_user(resolved, *user_id)?;
                if definition.kind == CommandOptionType::Mentionable {
                    CommandOptionValue::Mentionable(user_id.cast())
                } else {
                    CommandOptionValue::User(*user_id)
                }
            }
            OptionValue::Role(role_id) => {
                self.resolve_role(resolved, *role_id)?;
                if definition.kind == CommandOptionType::Mentionable {
                    CommandOptionValue::Mentionable(role_id.cast())
                } else {
                    CommandOptionValue::Role(*role_id)
                }
            }
            OptionValue::Mentionable(id) => {
                if self.world.users.contains_key(&id.cast()) {
                    self.resolve_user(resolved, id.cast())?;
                } else {
                    self.resolve_role(resolved, id.cast())?;
                }
                CommandOptionValue::Mentionable(*id)
            }
            OptionValue::Channel(channel_id) => {
                self.resolve_channel(resolved, *channel_id, definition.channel_types.as_deref())?;
                CommandOptionValue::Channel(*channel_id)
            }
            OptionValue::Attachment { filename, bytes } => {
                let upload = Upload {
                    index: Some(0),
                    filename: filename.clone(),
                    content_type: None,
                    bytes: bytes.clone().into(),
                };
                let attachment = self
                    .world
                    .store_uploads(self.channel_id, std::slice::from_ref(&upload), &[])
                    .pop()
                    .ok_or_else(|| Error::InvalidOption(format!("option {name}: empty upload")))?;
                let id = attachment.id;
                resolved.attachments.insert(id, attachment);
                CommandOptionValue::Attachment(id)
            }
        })
    }

    fn build_options(
        &mut self,
        definitions: &[CommandOption],
        path: &[&str],
        given: &[(&str, OptionValue)],
        resolved: &mut InteractionDataResolved,
    ) -> Result<Vec<CommandDataOption>> {
        let is_sub = |option: &CommandOption| {
            matches!(
                option.kind,
                CommandOptionType::SubCommand | CommandOptionType::SubCommandGroup
            )
        };
        if let Some((first, rest)) = path.split_first() {
            let definition = definitions
                .iter()
                .find(|option| is_sub(option) && option.name == *first)
                .ok_or_else(|| Error::InvalidOption(format!("no subcommand {first}")))?;
            let inner = self.build_options(
                definition.options.as_deref().unwrap_or_default(),
                rest,
                given,
                resolved,
            )?;
            let value = if definition.kind == CommandOptionType::SubCommandGroup {
                CommandOptionValue::SubCommandGroup(inner)
            } else {
                CommandOptionValue::SubCommand(inner)
            };
            return Ok(vec![CommandDataOption {
                name: definition.name.clone(),
                value,
            }]);
        }
        if definitions.iter().any(is_sub) {
            return Err(Error::InvalidOption(
                "this command needs a subcommand".to_owned(),
            ));
        }
        let mut options = Vec::with_capacity(given.len());
        for (name, value) in given {
            let definition = definitions
                .iter()
                .find(|option| option.name == *name)
                .ok_or_else(|| Error::InvalidOption(format!("no option {name}")))?;
            options.push(CommandDataOption {
                name: definition.name.clone(),
                value: self.option_value(definition, value, resolved)?,
            });
        }
        if let Some(missing) = definitions.iter().find(|option| {
            option.required == Some(true) && !given.iter().any(|(name, _)| *name == option.name)
        }) {
            return Err(Error::InvalidOption(format!(
                "option {} is required",
                missing.name
            )));
        }
        Ok(options)
    }

    /// The common fields of an interaction from this person in this channel.
    #[allow(deprecated)]
    fn interaction(
        &mut self,
        kind: InteractionType,
        data: Option<InteractionData>,
        message: Option<Message>,
    ) -> Result<Interaction> {
        let id = self.world.next_id();
        let world = &*self.world;
        let user = world
            .users
            .get(&self.user_id)
            .ok_or(Error::UnknownUser(self.user_id.get()))?;
        let channel = world
            .channels
            .get(&self.channel_id)
            .ok_or(Error::UnknownChannel(self.channel_id.get()))?
            .channel
            .model(self.channel_id);
        let guild = self
            .guild_id
            .and_then(|guild_id| world.guilds.get(&guild_id));
        let member = guild
            .and_then(|guild| guild.members.get(&self.user_id))
            .map(|member| {
                world.partial_member(
                    &member,
                    Some(world.channel_permissions(self.user_id, self.channel_id)),
                    true,
                )
            });
        Ok(Interaction {
            app_permissions: Some(world.channel_permissions(world.bot_id(), self.channel_id)),
            application_id: world.config.application_id,
            attachment_size_limit: 10 * 1024 * 1024,
            authorizing_integration_owners: ApplicationIntegrationMap {
                guild: self.guild_id.map(AnonymizableId::Id),
                user: None,
            },
            channel: Some(channel),
            channel_id: Some(self.channel_id),
            context: Some(if self.guild_id.is_some() {
                InteractionContextType::Guild
            } else {
                InteractionContextType::BotDm
            }),
            data,
            entitlements: Vec::new(),
            guild: guild.map(|guild| InteractionPartialGuild {
                features: Some(Vec::new()),
                id: Some(guild.id),
                locale: Some(guild.preferred_locale.to_string()),
            }),
            guild_id: self.guild_id,
            guild_locale: guild.map(|guild| guild.preferred_locale.to_string()),
            id,
            kind,
            locale: Some(user.locale.to_string()),
            member: member.clone(),
            message,
            token: format!("aW50ZXJhY3Rpb24{}", random_hex()),
            user: if member.is_some() {
                None
            } else {
                Some(user.model(self.user_id))
            },
        })
    }
}

impl Actor {
    pub(crate) fn new(emulator: Emulator, user_id: Id<UserMarker>) -> Self {
        Self { emulator, user_id }
    }

    /// The person's user id.
    pub fn user_id(&self) -> Id<UserMarker> {
        self.user_id
    }

    /// Checks that the person may act in the channel and returns its guild.
    fn enter(
        &self,
        world: &World,
        channel_id: Id<ChannelMarker>,
        needed: Permissions,
    ) -> Result<Option<Id<GuildMarker>>> {
        if !world.users.contains_key(&self.user_id) {
            return Err(Error::UnknownUser(self.user_id.get()));
        }
        let record = world
            .channels
            .get(&channel_id)
            .ok_or(Error::UnknownChannel(channel_id.get()))?;
        let permissions = world.channel_permissions(self.user_id, channel_id);
        if !permissions.contains(Permissions::VIEW_CHANNEL) {
            return Err(Error::CannotView {
                user: self.user_id.get(),
                channel: channel_id.get(),
            });
        }
        if !permissions.contains(needed) {
            return Err(Error::MissingPermissions {
                user: self.user_id.get(),
                channel: channel_id.get(),
                missing: needed - permissions,
            });
        }
        Ok(record.channel.guild_id)
    }

    /// A message the person sees: in the channel, or one of their ephemeral messages.
    fn visible_message(
        &self,
        world: &World,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
    ) -> Result<Message> {
        if let Some(message) = world
            .channels
            .stored(&channel_id)
            .and_then(|record| record.activity().messages.get(&message_id))
        {
            return Ok(Message::clone(message));
        }
        world
            .ephemeral
            .get(&message_id)
            .filter(|ephemeral| {
                ephemeral.user_id == self.user_id && ephemeral.message.channel_id == channel_id
            })
            .map(|ephemeral| ephemeral.message.clone())
            .ok_or(Error::UnknownMessage(message_id.get()))
    }

    fn start(
        &self,
        interaction: Interaction,
        source: Option<Id<MessageMarker>>,
        reply_type: MessageType,
        world: &mut World,
    ) -> Id<InteractionMarker> {
        if let Some((url, body)) =
            world.register_interaction(&interaction, self.user_id, source, reply_type)
        {
            let emulator = self.emulator.clone();
            let id = interaction.id;
            tokio::spawn(async move { emulator.deliver_interaction(url, id, body).await });
        }
        interaction.id
    }

    /// Runs a slash command, e.g. `run_command(guild, channel, "ticket close", &[("reason",
    /// "done".into())])`: the name may include a subcommand group and subcommand. Only
    /// registered commands the person may use can be run.
    pub async fn run_command(
        &self,
        guild: Id<GuildMarker>,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, OptionValue)],
    ) -> Result<InteractionOutcome> {
        self.run_command_in(Some(guild), Some(channel), name, options)
            .await
    }

    /// Runs a slash command in the person's DM with the bot (a command whose `contexts` allow
    /// `BOT_DM`; others are unknown there, as Discord shows them none).
    pub async fn run_dm_command(
        &self,
        name: &str,
        options: &[(&str, OptionValue)],
    ) -> Result<InteractionOutcome> {
        self.run_command_in(None, None, name, options).await
    }

    async fn run_command_in(
        &self,
        guild: Option<Id<GuildMarker>>,
        channel: Option<Id<ChannelMarker>>,
        name: &str,
        options: &[(&str, OptionValue)],
    ) -> Result<InteractionOutcome> {
        let id = {
            let mut world = self.emulator.world();
            let channel = match channel {
                Some(channel) => channel,
                None => world.dm_channel(self.user_id).map_err(Error::from)?.id,
            };
            let channel_guild = self.enter(&world, channel, Permissions::USE_SLASH_COMMANDS)?;
            if let Some(guild) = guild {
                in_guild(channel_guild, channel, guild)?;
            }
            let path: Vec<&str> = name.split_whitespace().collect();
            let (command_name, sub_path) = path
                .split_first()
                .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?;
            let command =
                self.available_command(&world, guild, command_name, CommandType::ChatInput)?;
            let mut context = Context {
                world: &mut world,
                user_id: self.user_id,
                guild_id: guild,
                channel_id: channel,
            };
            let mut resolved = empty_resolved();
            let data_options =
                context.build_options(&command.options, sub_path, options, &mut resolved)?;
            let has_resolved = !(resolved.attachments.is_empty()
                && resolved.channels.is_empty()
                && resolved.members.is_empty()
                && resolved.roles.is_empty()
                && resolved.users.is_empty());
            let data = CommandData {
                guild_id: command.guild_id,
                id: command
                    .id
                    .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?,
                kind: CommandType::ChatInput,
                name: command.name.clone(),
                options: data_options,
                resolved: has_resolved.then_some(resolved),
                target_id: None,
            };
            let interaction = context.interaction(
                InteractionType::ApplicationCommand,
                Some(InteractionData::ApplicationCommand(Box::new(data))),
                None,
            )?;
            self.start(interaction, None, MessageType::ChatInputCommand, &mut world)
        };
        Ok(InteractionOutcome::begin(self.emulator.clone(), id).await)
    }

    /// Types in an option of a slash command (without a subcommand) whose option is declared
    /// with `autocomplete`: the bot receives an APPLICATION_COMMAND_AUTOCOMPLETE interaction
    /// with `focused` (name, text so far) marked, beside the `options` already filled in; its
    /// suggestions are the answer (`Answer::Choices`).
    pub async fn autocomplete(
        &self,
        guild: Id<GuildMarker>,
        channel: Id<ChannelMarker>,
        name: &str,
        options: &[(&str, OptionValue)],
        focused: (&str, &str),
    ) -> Result<InteractionOutcome> {
        let id = {
            let mut world = self.emulator.world();
            let channel_guild = self.enter(&world, channel, Permissions::USE_SLASH_COMMANDS)?;
            in_guild(channel_guild, channel, guild)?;
            // `name` may be a path to a subcommand ("tag use"), as in `run_command`.
            let path: Vec<&str> = name.split_whitespace().collect();
            let (command_name, sub_path) = path
                .split_first()
                .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?;
            let command =
                self.available_command(&world, Some(guild), command_name, CommandType::ChatInput)?;
            let mut level: &[twilight_model::application::command::CommandOption] =
                &command.options;
            let mut subcommands = Vec::new();
            for sub in sub_path {
                let option = level
                    .iter()
                    .find(|option| {
                        option.name == *sub
                            && matches!(
                                option.kind,
                                CommandOptionType::SubCommand | CommandOptionType::SubCommandGroup
                            )
                    })
                    .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?;
                subcommands.push((option.name.clone(), option.kind));
                level = option.options.as_deref().unwrap_or_default();
            }
            let definition = level
                .iter()
                .find(|option| option.name == focused.0)
                .filter(|option| option.autocomplete == Some(true))
                .ok_or_else(|| {
                    Error::InvalidOption(format!("{} does not autocomplete", focused.0))
                })?;
            let mut context = Context {
                world: &mut world,
                user_id: self.user_id,
                guild_id: Some(guild),
                channel_id: channel,
            };
            let mut resolved = empty_resolved();
            let mut data_options = Vec::new();
            for (option_name, value) in options {
                let option = level
                    .iter()
                    .find(|option| option.name == *option_name)
                    .ok_or_else(|| Error::InvalidOption(format!("no option {option_name}")))?;
                data_options.push(CommandDataOption {
                    name: option.name.clone(),
                    value: context.option_value(option, value, &mut resolved)?,
                });
            }
            data_options.push(CommandDataOption {
                name: definition.name.clone(),
                value: CommandOptionValue::Focused(focused.1.to_owned(), definition.kind),
            });
            for (sub, kind) in subcommands.into_iter().rev() {
                let value = if kind == CommandOptionType::SubCommandGroup {
                    CommandOptionValue::SubCommandGroup(data_options)
                } else {
                    CommandOptionValue::SubCommand(data_options)
                };
                data_options = vec![CommandDataOption { name: sub, value }];
            }
            let data = CommandData {
                guild_id: command.guild_id,
                id: command
                    .id
                    .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?,
                kind: CommandType::ChatInput,
                name: command.name.clone(),
                options: data_options,
                resolved: None,
                target_id: None,
            };
            let interaction = context.interaction(
                InteractionType::ApplicationCommandAutocomplete,
                Some(InteractionData::ApplicationCommand(Box::new(data))),
                None,
            )?;
            self.start(interaction, None, MessageType::ChatInputCommand, &mut world)
        };
        Ok(InteractionOutcome::begin(self.emulator.clone(), id).await)
    }

    /// Runs a message context-menu command on a message.
    pub async fn message_command(
        &self,
        guild: Id<GuildMarker>,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        name: &str,
    ) -> Result<InteractionOutcome> {
        let id = {
            let mut world = self.emulator.world();
            let channel_guild = self.enter(
                &world,
                channel,
                Permissions::USE_SLASH_COMMANDS | Permissions::READ_MESSAGE_HISTORY,
            )?;
            in_guild(channel_guild, channel, guild)?;
            let target = self.visible_message(&world, channel, message)?;
            let command =
                self.available_command(&world, Some(guild), name, CommandType::Message)?;
            let mut resolved = empty_resolved();
            resolved.messages.insert(message, target);
            let data = CommandData {
                guild_id: command.guild_id,
                id: command
                    .id
                    .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?,
                kind: CommandType::Message,
                name: command.name,
                options: Vec::new(),
                resolved: Some(resolved),
                target_id: Some(message.cast()),
            };
            let mut context = Context {
                world: &mut world,
                user_id: self.user_id,
                guild_id: Some(guild),
                channel_id: channel,
            };
            let interaction = context.interaction(
                InteractionType::ApplicationCommand,
                Some(InteractionData::ApplicationCommand(Box::new(data))),
                None,
            )?;
            self.start(
                interaction,
                None,
                MessageType::ContextMenuCommand,
                &mut world,
            )
        };
        Ok(InteractionOutcome::begin(self.emulator.clone(), id).await)
    }

    /// The registered command of this name and type the person may see here.
    fn available_command(
        &self,
        world: &World,
        guild: Option<Id<GuildMarker>>,
        name: &str,
        kind: CommandType,
    ) -> Result<Command> {
        let guild_commands = guild.and_then(|guild| world.guild_commands.get(&guild));
        let command = guild_commands
            .into_iter()
            .flatten()
            .chain(world.global_commands.iter())
            .find(|command| command.name == name && command.kind == kind)
            .ok_or_else(|| Error::UnknownCommand(name.to_owned()))?;
        if let Some(contexts) = &command.contexts {
            let context = if guild.is_some() {
                InteractionContextType::Guild
            } else {
                InteractionContextType::BotDm
            };
            if !contexts.contains(&context) {
                return Err(Error::UnknownCommand(name.to_owned()));
            }
        }
        if let (Some(guild), Some(required)) = (guild, command.default_member_permissions)
            && !world
                .guild_permissions(guild, self.user_id)
                .contains(required)
        {
            return Err(Error::UnknownCommand(name.to_owned()));
        }
        Ok(command.clone())
    }

    /// Clicks a button of a message the person sees.
    pub async fn click_button(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        custom_id: &str,
    ) -> Result<InteractionOutcome> {
        self.use_component(channel, message, custom_id, None).await
    }

    /// Picks values in a select menu of a message the person sees (option values for a text
    /// select; user, role or channel ids for the others).
    pub async fn select(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        custom_id: &str,
        values: &[&str],
    ) -> Result<InteractionOutcome> {
        self.use_component(channel, message, custom_id, Some(values))
            .await
    }

    async fn use_component(
        &self,
        channel: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        custom_id: &str,
        values: Option<&[&str]>,
    ) -> Result<InteractionOutcome> {
        let id = {
            let mut world = self.emulator.world();
            let guild = self.enter(&world, channel, Permissions::empty())?;
            let message = self.visible_message(&world, channel, message_id)?;
            let component = find_component(&message.components, custom_id).ok_or_else(|| {
                Error::UnknownComponent {
                    message: message_id.get(),
                    custom_id: custom_id.to_owned(),
                }
            })?;
            let mut context = Context {
                world: &mut world,
                user_id: self.user_id,
                guild_id: guild,
                channel_id: channel,
            };
            let data = match (component, values) {
                (Component::Button(button), None) => {
                    if button.disabled
                        || matches!(button.style, ButtonStyle::Link | ButtonStyle::Premium)
                    {
                        return Err(Error::ComponentNotUsable(custom_id.to_owned()));
                    }
                    MessageComponentInteractionData {
                        component_type: ComponentType::Button,
                        custom_id: custom_id.to_owned(),
                        resolved: None,
                        values: Vec::new(),
                    }
                }
                (Component::SelectMenu(menu), Some(values)) => context.select_data(menu, values)?,
                (Component::Button(_), Some(_)) => {
                    return Err(Error::InvalidSelection(format!("{custom_id} is a button")));
                }
                _ => {
                    return Err(Error::InvalidSelection(format!(
                        "{custom_id} is a select menu"
                    )));
                }
            };
            let interaction = context.interaction(
                InteractionType::MessageComponent,
                Some(InteractionData::MessageComponent(Box::new(data))),
                Some(message),
            )?;
            self.start(
                interaction,
                Some(message_id),
                MessageType::Regular,
                &mut world,
            )
        };
        Ok(InteractionOutcome::begin(self.emulator.clone(), id).await)
    }

    /// Fills in and submits a modal the bot showed this person in this channel.
    pub async fn submit_modal(
        &self,
        channel: Id<ChannelMarker>,
        custom_id: &str,
        fields: &[(&str, &str)],
    ) -> Result<InteractionOutcome> {
        let id = {
            let mut world = self.emulator.world();
            let guild = self.enter(&world, channel, Permissions::empty())?;
            let position = world
                .modals
                .iter()
                .rposition(|modal| {
                    modal.user_id == self.user_id
                        && modal.channel_id == channel
                        && modal.custom_id == custom_id
                })
                .ok_or_else(|| Error::UnknownModal(custom_id.to_owned()))?;
            let modal = world.modals[position].clone();
            let components = modal_submission(&modal, fields)?;
            world.modals.remove(position);
            let source = modal.source_message.as_ref().map(|message| message.id);
            let data = ModalInteractionData {
                components,
                custom_id: custom_id.to_owned(),
                resolved: None,
            };
            let mut context = Context {
                world: &mut world,
                user_id: self.user_id,
                guild_id: guild,
                channel_id: channel,
            };
            let interaction = context.interaction(
                InteractionType::ModalSubmit,
                Some(InteractionData::ModalSubmit(Box::new(data))),
                modal.source_message,
            )?;
            self.start(interaction, source, MessageType::Regular, &mut world)
        };
        Ok(InteractionOutcome::begin(self.emulator.clone(), id).await)
    }

    /// Sends a message with attachments (needs VIEW_CHANNEL, SEND_MESSAGES and, for files,
    /// ATTACH_FILES). The bot receives MESSAGE_CREATE with attachment URLs served by the
    /// emulator.
    pub async fn send_message<N, B>(
        &self,
        channel: Id<ChannelMarker>,
        content: &str,
        attachments: impl IntoIterator<Item = (N, B)>,
    ) -> Result<Message>
    where
        N: Into<String>,
        B: AsRef<[u8]>,
    {
        let uploads: Vec<Upload> = attachments
            .into_iter()
            .enumerate()
            .map(|(index, (filename, bytes))| Upload {
                index: Some(index as u64),
                filename: filename.into(),
                content_type: None,
                bytes: bytes.as_ref().to_vec().into(),
            })
            .collect();
        let mut world = self.emulator.world();
        let mut needed = Permissions::SEND_MESSAGES;
        if !uploads.is_empty() {
            needed |= Permissions::ATTACH_FILES;
        }
        self.enter(&world, channel, needed)?;
        let kind = world.channel(channel).map_err(Error::from)?.channel.kind();
        if !World::is_text_based(kind) {
            return Err(Error::Refused(format!(
                "channel {channel} holds no messages"
            )));
        }
        let author = world
            .user(self.user_id)
            .map_err(Error::from)?
            .model(self.user_id);
        let draft = Draft {
            content: Patch::Set(content.to_owned()),
            uploads,
            ..Draft::default()
        };
        let message = world.compose_message(channel, author, draft, Origin::default())?;
        Ok(world.insert_message(message)?)
    }

    /// Sends a text message.
    pub async fn send_text(&self, channel: Id<ChannelMarker>, content: &str) -> Result<Message> {
        self.send_message(channel, content, Vec::<(String, Vec<u8>)>::new())
            .await
    }

    /// Edits one of the person's own messages.
    pub async fn edit_message(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
        content: &str,
    ) -> Result<Message> {
        let mut world = self.emulator.world();
        self.enter(&world, channel, Permissions::empty())?;
        let existing = world
            .channels
            .stored(&channel)
            .and_then(|record| record.activity().messages.get(&message))
            .ok_or(Error::UnknownMessage(message.get()))?;
        if existing.author.id != self.user_id {
            return Err(Error::Refused(
                "only the author can edit a message".to_owned(),
            ));
        }
        Ok(world.edit_stored_message(channel, message, Draft::text(content))?)
    }

    /// Deletes a message: the person's own, or any with MANAGE_MESSAGES.
    pub async fn delete_message(
        &self,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
    ) -> Result<()> {
        let mut world = self.emulator.world();
        self.enter(&world, channel, Permissions::empty())?;
        let existing = world
            .channels
            .stored(&channel)
            .and_then(|record| record.activity().messages.get(&message))
            .ok_or(Error::UnknownMessage(message.get()))?;
        if existing.author.id != self.user_id
            && !world
                .channel_permissions(self.user_id, channel)
                .contains(Permissions::MANAGE_MESSAGES)
        {
            return Err(Error::MissingPermissions {
                user: self.user_id.get(),
                channel: channel.get(),
                missing: Permissions::MANAGE_MESSAGES,
            });
        }
        Ok(world.delete_stored_message(channel, message)?)
    }

    /// Leaves a guild (GUILD_MEMBER_REMOVE). The owner cannot leave.
    pub async fn leave_guild(&self, guild: Id<GuildMarker>) -> Result<()> {
        let mut world = self.emulator.world();
        let record = world
            .guilds
            .get(&guild)
            .ok_or(Error::UnknownGuild(guild.get()))?;
        if !record.members.contains_key(&self.user_id) {
            return Err(Error::NotAMember {
                user: self.user_id.get(),
                guild: guild.get(),
            });
        }
        if record.owner_id == self.user_id {
            return Err(Error::Refused(
                "the owner cannot leave their guild".to_owned(),
            ));
        }
        Ok(world.remove_member(guild, self.user_id)?)
    }

    /// The person's permissions in a channel.
    pub fn permissions(&self, channel: Id<ChannelMarker>) -> Permissions {
        self.emulator.permissions(self.user_id, channel)
    }

    /// Whether the person sees a channel.
    pub fn can_view(&self, channel: Id<ChannelMarker>) -> bool {
        self.emulator.can_view(self.user_id, channel)
    }

    /// The channels of a guild the person sees, in creation order.
    pub fn visible_channels(&self, guild: Id<GuildMarker>) -> Vec<Channel> {
        self.emulator
            .channels(guild)
            .into_iter()
            .filter(|channel| self.can_view(channel.id))
            .collect()
    }

    /// The messages of a channel as the person reads them (needs VIEW_CHANNEL and
    /// READ_MESSAGE_HISTORY), oldest first.
    pub fn read_messages(&self, channel: Id<ChannelMarker>) -> Result<Vec<Message>> {
        {
            let world = self.emulator.world();
            self.enter(&world, channel, Permissions::READ_MESSAGE_HISTORY)?;
        }
        Ok(self.emulator.messages(channel))
    }

    /// Ephemeral messages shown to the person, as they look now.
    pub fn ephemeral_messages(&self) -> Vec<Message> {
        self.emulator.ephemeral_messages(self.user_id)
    }

    /// Modals currently open for the person.
    pub fn open_modals(&self) -> Vec<SeenModal> {
        self.emulator
            .world()
            .modals
            .iter()
            .filter(|modal| modal.user_id == self.user_id)
            .map(|modal| SeenModal {
                custom_id: modal.custom_id.clone(),
                title: modal.title.clone(),
                components: modal.components.clone(),
            })
            .collect()
    }
}

impl Context<'_> {
    fn select_data(
        &mut self,
        menu: &SelectMenu,
        values: &[&str],
    ) -> Result<MessageComponentInteractionData> {
        if menu.disabled {
            return Err(Error::ComponentNotUsable(menu.custom_id.clone()));
        }
        let min = usize::from(menu.min_values.unwrap_or(1));
        let max = usize::from(menu.max_values.unwrap_or(1));
        if values.len() < min || values.len() > max {
            return Err(Error::InvalidSelection(format!(
                "pick between {min} and {max} values"
            )));
        }
        let mut resolved = InteractionDataResolved {
            attachments: HashMap::new(),
            channels: HashMap::new(),
            members: HashMap::new(),
            messages: HashMap::new(),
            roles: HashMap::new(),
            users: HashMap::new(),
        };
        let parse = |value: &str| -> Result<u64> {
            value
                .parse::<u64>()
                .ok()
                .filter(|id| *id != 0)
                .ok_or_else(|| Error::InvalidSelection(format!("{value} is not an id")))
        };
        let component_type = match menu.kind {
            SelectMenuType::Text => {
                let options = menu.options.as_deref().unwrap_or_default();
                if let Some(unknown) = values
                    .iter()
                    .find(|value| !options.iter().any(|option| option.value == **value))
                {
                    return Err(Error::InvalidSelection(format!(
                        "{unknown} is not an option of {}",
                        menu.custom_id
                    )));
                }
                ComponentType::TextSelectMenu
            }
            SelectMenuType::User => {
                for value in values {
                    self.resolve_user(&mut resolved, Id::new(parse(value)?))?;
                }
                ComponentType::UserSelectMenu
            }
            SelectMenuType::Role => {
                for value in values {
                    self.resolve_role(&mut resolved, Id::new(parse(value)?))?;
                }
                ComponentType::RoleSelectMenu
            }
            SelectMenuType::Channel => {
                for value in values {
                    self.resolve_channel(
                        &mut resolved,
                        Id::new(parse(value)?),
                        menu.channel_types.as_deref(),
                    )?;
                }
                ComponentType::ChannelSelectMenu
            }
            SelectMenuType::Mentionable => {
                for value in values {
                    let id = parse(value)?;
                    if self.world.users.contains_key(&Id::new(id)) {
                        self.resolve_user(&mut resolved, Id::new(id))?;
                    } else {
                        self.resolve_role(&mut resolved, Id::new(id))?;
                    }
                }
                ComponentType::MentionableSelectMenu
            }
            _ => {
                return Err(Error::InvalidSelection(format!(
                    "unsupported select menu {}",
                    menu.custom_id
                )));
            }
        };
        let has_resolved = !(resolved.channels.is_empty()
            && resolved.members.is_empty()
            && resolved.roles.is_empty()
            && resolved.users.is_empty());
        Ok(MessageComponentInteractionData {
            component_type,
            custom_id: menu.custom_id.clone(),
            resolved: has_resolved.then_some(resolved),
            values: values.iter().map(|value| (*value).to_owned()).collect(),
        })
    }
}

/// The submitted components of a modal, mirroring its layout (rows or labels), with each text
/// input's value checked against its constraints.
/// Nothing resolved yet, to fill in.
fn empty_resolved() -> InteractionDataResolved {
    InteractionDataResolved {
        attachments: HashMap::new(),
        channels: HashMap::new(),
        members: HashMap::new(),
        messages: HashMap::new(),
        roles: HashMap::new(),
        users: HashMap::new(),
    }
}

/// A command runs in a channel of the guild it is run in.
fn in_guild(
    channel_guild: Option<Id<GuildMarker>>,
    channel: Id<ChannelMarker>,
    guild: Id<GuildMarker>,
) -> Result<()> {
    if channel_guild == Some(guild) {
        Ok(())
    } else {
        Err(Error::ChannelNotInGuild {
            channel: channel.get(),
            guild: guild.get(),
        })
    }
}

fn modal_submission(
    modal: &ShownModal,
    fields: &[(&str, &str)],
) -> Result<Vec<ModalInteractionComponent>> {
    let mut known = Vec::new();
    let mut text_input = |input: &twilight_model::channel::message::component::TextInput| -> Result<ModalInteractionComponent> {
        known.push(input.custom_id.clone());
        let value = fields
            .iter()
            .find(|(custom_id, _)| *custom_id == input.custom_id)
            .map(|(_, value)| (*value).to_owned())
            .or_else(|| input.value.clone())
            .unwrap_or_default();
        let length = value.chars().count();
        let required = input.required.unwrap_or(true);
        if required && value.is_empty() {
            return Err(Error::InvalidModalInput(format!("{} is required", input.custom_id)));
        }
        if !value.is_empty() {
            let min = usize::from(input.min_length.unwrap_or(0));
            let max = usize::from(input.max_length.unwrap_or(4000));
            if length < min || length > max {
                return Err(Error::InvalidModalInput(format!("{} must be {min}–{max} characters", input.custom_id)));
            }
        }
        Ok(ModalInteractionComponent::TextInput(ModalInteractionTextInput {
            custom_id: input.custom_id.clone(),
            id: input.id.unwrap_or(0),
            value,
        }))
    };
    let mut submitted = Vec::new();
    for component in &modal.components {
        match component {
            Component::ActionRow(row) => {
                let mut inner = Vec::new();
                for component in &row.components {
                    if let Component::TextInput(input) = component {
                        inner.push(text_input(input)?);
                    }
                }
                submitted.push(ModalInteractionComponent::ActionRow(
                    ModalInteractionActionRow {
                        components: inner,
                        id: row.id.unwrap_or(0),
                    },
                ));
            }
            Component::Label(label) => {
                let inner = match &*label.component {
                    Component::TextInput(input) => text_input(input)?,
                    Component::SelectMenu(menu) if menu.kind == SelectMenuType::Text => {
                        let values: Vec<String> = fields
                            .iter()
                            .filter(|(custom_id, _)| *custom_id == menu.custom_id)
                            .map(|(_, value)| (*value).to_owned())
                            .collect();
                        ModalInteractionComponent::StringSelect(ModalInteractionStringSelect {
                            id: menu.id.unwrap_or(0),
                            custom_id: menu.custom_id.clone(),
                            values,
                        })
                    }
                    other => {
                        return Err(Error::InvalidModalInput(format!(
                            "unsupported modal component {:?}",
                            other.kind()
                        )));
                    }
                };
                submitted.push(ModalInteractionComponent::Label(ModalInteractionLabel {
                    component: Box::new(inner),
                    id: label.id.unwrap_or(0),
                }));
            }
            Component::TextDisplay(text) => {
                submitted.push(ModalInteractionComponent::TextDisplay(
                    ModalInteractionTextDisplay {
                        id: text.id.unwrap_or(0),
                    },
                ));
            }
            _ => {}
        }
    }
    if let Some((unknown, _)) = fields.iter().find(|(custom_id, _)| {
        !known.iter().any(|known| known == custom_id)
            && !modal.components.iter().any(|component| {
                matches!(component, Component::Label(label) if matches!(&*label.component, Component::SelectMenu(menu) if menu.custom_id == *custom_id))
            })
    }) {
        return Err(Error::InvalidModalInput(format!("the modal has no field {unknown}")));
    }
    Ok(submitted)
}
