//! Application commands, global and per guild, with Discord's validation of names,
//! descriptions, localizations and options.

use std::collections::{HashMap, HashSet};

use axum::{
    body::Bytes,
    extract::{Path, Query, State},
    response::Response,
};
use serde_json::Value;
use twilight_model::{
    application::command::{Command, CommandOption, CommandOptionType, CommandType},
    id::{
        Id,
        marker::{CommandMarker, GuildMarker},
    },
};

use super::{json, json_body, no_content, parse_id};
use crate::{
    Emulator,
    discord_error::{DiscordError, DiscordResult},
    world::World,
};

/// Locales Discord accepts in `*_localizations`.
pub(crate) const DISCORD_LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl",
    "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th",
    "zh-CN", "ja", "zh-TW", "ko",
];

fn check_name(path: &str, name: &str, chat_input: bool) -> DiscordResult<()> {
    let length = name.chars().count();
    if !(1..=32).contains(&length) {
        return Err(DiscordError::bad_length(path, 1, 32));
    }
    let valid_chars = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '\''));
    if chat_input && (!valid_chars || name.chars().any(char::is_uppercase)) {
        return Err(DiscordError::invalid_form(
            path,
            "APPLICATION_COMMAND_INVALID_NAME",
            format!("Command name is invalid: {name:?}"),
        ));
    }
    Ok(())
}

fn check_description(path: &str, description: &str) -> DiscordResult<()> {
    if !(1..=100).contains(&description.chars().count()) {
        return Err(DiscordError::bad_length(path, 1, 100));
    }
    Ok(())
}

fn check_localizations(
    path: &str,
    localizations: Option<&HashMap<String, String>>,
    check: impl Fn(&str, &str) -> DiscordResult<()>,
) -> DiscordResult<()> {
    for (locale, value) in localizations.into_iter().flatten() {
        if !DISCORD_LOCALES.contains(&locale.as_str()) {
            return Err(DiscordError::invalid_form(
                &format!("{path}.{locale}"),
                "ENUM_TYPE_COERCE",
                format!("Value \"{locale}\" is not a valid enum value."),
            ));
        }
        check(&format!("{path}.{locale}"), value)?;
    }
    Ok(())
}

fn check_options(path: &str, options: &[CommandOption], depth: u8) -> DiscordResult<()> {
    if options.len() > 25 {
        return Err(DiscordError::bad_length(path, 0, 25));
    }
    let mut names = HashSet::new();
    let mut seen_optional = false;
    for (index, option) in options.iter().enumerate() {
        let option_path = format!("{path}.{index}");
        check_name(&format!("{option_path}.name"), &option.name, true)?;
        check_localizations(
            &format!("{option_path}.name_localizations"),
            option.name_localizations.as_ref(),
            |path, name| check_name(path, name, true),
        )?;
        check_description(&format!("{option_path}.description"), &option.description)?;
        check_localizations(
            &format!("{option_path}.description_localizations"),
            option.description_localizations.as_ref(),
            check_description,
        )?;
        if !names.insert(option.name.as_str()) {
            return Err(DiscordError::invalid_form(
                &format!("{option_path}.name"),
                "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                "Option names must be unique",
            ));
        }
        let is_sub = matches!(
            option.kind,
            CommandOptionType::SubCommand | CommandOptionType::SubCommandGroup
        );
        if is_sub {
            let allowed = match option.kind {
                CommandOptionType::SubCommandGroup => depth == 0,
                _ => depth <= 1,
            };
            if !allowed {
                return Err(DiscordError::invalid_form(
                    &format!("{option_path}.type"),
                    "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                    "Subcommands cannot be nested this deep",
                ));
            }
            check_options(
                &format!("{option_path}.options"),
                option.options.as_deref().unwrap_or_default(),
                depth + 1,
            )?;
        } else {
            let required = option.required.unwrap_or(false);
            if required && seen_optional {
                return Err(DiscordError::invalid_form(
                    path,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                ));
            }
            seen_optional |= !required;
            if let Some(choices) = &option.choices
                && choices.len() > 25
            {
                return Err(DiscordError::bad_length(
                    &format!("{option_path}.choices"),
                    0,
                    25,
                ));
            }
        }
    }
    Ok(())
}

/// Validates one command as Discord does.
fn check_command(path: &str, command: &Command) -> DiscordResult<()> {
    let chat_input = command.kind == CommandType::ChatInput;
    check_name(&format!("{path}.name"), &command.name, chat_input)?;
    check_localizations(
        &format!("{path}.name_localizations"),
        command.name_localizations.as_ref(),
        |path, name| check_name(path, name, chat_input),
    )?;
    if chat_input {
        check_description(&format!("{path}.description"), &command.description)?;
        check_localizations(
            &format!("{path}.description_localizations"),
            command.description_localizations.as_ref(),
            check_description,
        )?;
        check_options(&format!("{path}.options"), &command.options, 0)?;
    } else if !command.description.is_empty() {
        return Err(DiscordError::invalid_form(
            &format!("{path}.description"),
            "APPLICATION_COMMAND_INVALID_DESCRIPTION",
            "Context menu commands cannot have a description",
        ));
    }
    Ok(())
}

/// Parses a command as sent by clients (missing `type`, `version`, `description` allowed).
fn parse_command(path: &str, value: &Value) -> DiscordResult<Command> {
    let mut value = value.clone();
    let Value::Object(object) = &mut value else {
        return Err(DiscordError::invalid_form(
            path,
            "DICT_TYPE_CONVERT",
            "Only dictionaries may be used in a DictType",
        ));
    };
    object.entry("type").or_insert(Value::from(1));
    object.entry("description").or_insert(Value::from(""));
    object.insert("version".to_owned(), Value::from("1"));
    object.remove("id");
    object.remove("application_id");
    object.remove("guild_id");
    let command: Command = serde_json::from_value(value).map_err(|error| {
        DiscordError::invalid_form(path, "MODEL_TYPE_CONVERT", error.to_string())
    })?;
    check_command(path, &command)?;
    Ok(command)
}

/// Gives stored identity to new commands: the id of an existing command with the same name and
/// type, the application id, the guild id and a fresh version.
fn register(
    world: &mut World,
    existing: &[Command],
    mut command: Command,
    guild_id: Option<Id<GuildMarker>>,
) -> Command {
    command.id = existing
        .iter()
        .find(|old| old.name == command.name && old.kind == command.kind)
        .and_then(|old| old.id)
        .or_else(|| Some(world.next_id()));
    command.application_id = Some(world.config.application_id);
    command.guild_id = guild_id;
    command.version = world.next_id();
    command
}

fn check_limits(commands: &[Command]) -> DiscordResult<()> {
    let mut names = HashSet::new();
    for (index, command) in commands.iter().enumerate() {
        if !names.insert((u8::from(command.kind), command.name.as_str())) {
            return Err(DiscordError::invalid_form(
                &format!("{index}.name"),
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                format!("Application command names must be unique: {}", command.name),
            ));
        }
    }
    let count = |kind: CommandType| {
        commands
            .iter()
            .filter(|command| command.kind == kind)
            .count()
    };
    if count(CommandType::ChatInput) > 100
        || count(CommandType::User) > 5
        || count(CommandType::Message) > 5
    {
        return Err(DiscordError::new(
            axum::http::StatusCode::BAD_REQUEST,
            30032,
            "Maximum number of application commands reached",
        ));
    }
    Ok(())
}

/// Without `with_localizations=true`, GET answers omit the localization maps, as Discord does.
fn for_listing(commands: &[Command], with_localizations: bool) -> Vec<Command> {
    commands
        .iter()
        .cloned()
        .map(|mut command| {
            if !with_localizations {
                command.name_localizations = None;
                command.description_localizations = None;
            }
            command
        })
        .collect()
}

fn check_application(world: &World, application_id: &str) -> DiscordResult<()> {
    let id: Id<twilight_model::id::marker::ApplicationMarker> = parse_id(application_id)?;
    if id != world.config.application_id {
        return Err(DiscordError::not_application_owner());
    }
    Ok(())
}

/// Which list of commands a route addresses.
#[derive(Clone, Copy)]
enum Scope {
    Global,
    Guild(Id<GuildMarker>),
}

impl Scope {
    fn guild_id(self) -> Option<Id<GuildMarker>> {
        match self {
            Self::Global => None,
            Self::Guild(guild_id) => Some(guild_id),
        }
    }

    fn list(self, world: &World) -> Vec<Command> {
        match self {
            Self::Global => world.global_commands.clone(),
            Self::Guild(guild_id) => world
                .guild_commands
                .get(&guild_id)
                .cloned()
                .unwrap_or_default(),
        }
    }

    fn store(self, world: &mut World, commands: Vec<Command>) {
        match self {
            Self::Global => world.global_commands = commands,
            Self::Guild(guild_id) => {
                world.guild_commands.insert(guild_id, commands);
            }
        }
    }
}

fn resolve_scope(
    world: &World,
    application_id: &str,
    guild_id: Option<&str>,
) -> DiscordResult<Scope> {
    check_application(world, application_id)?;
    match guild_id {
        None => Ok(Scope::Global),
        Some(guild_id) => {
            let guild_id = parse_id(guild_id)?;
            // Commands of a guild the application is not in are refused with 50001.
            if !world.bot_is_in(guild_id) {
                world.guild(guild_id)?;
                return Err(DiscordError::missing_access());
            }
            Ok(Scope::Guild(guild_id))
        }
    }
}

fn overwrite(emulator: &Emulator, scope: Scope, body: &Bytes) -> DiscordResult<Response> {
    let body = json_body(body)?;
    let Value::Array(items) = &body else {
        return Err(DiscordError::invalid_form(
            "",
            "BASE_TYPE_ARRAY",
            "Must be an array.",
        ));
    };
    let parsed = items
        .iter()
        .enumerate()
        .map(|(index, item)| parse_command(&index.to_string(), item))
        .collect::<DiscordResult<Vec<_>>>()?;
    check_limits(&parsed)?;
    let mut world = emulator.world();
    let existing = scope.list(&world);
    let commands: Vec<Command> = parsed
        .into_iter()
        .map(|command| register(&mut world, &existing, command, scope.guild_id()))
        .collect();
    scope.store(&mut world, commands.clone());
    Ok(json(&commands))
}

fn create(emulator: &Emulator, scope: Scope, body: &Bytes) -> DiscordResult<Response> {
    let command = parse_command("", &json_body(body)?)?;
    let mut world = emulator.world();
    let mut commands = scope.list(&world);
    let command = register(&mut world, &commands, command, scope.guild_id());
    commands.retain(|old| old.id != command.id);
    commands.push(command.clone());
    check_limits(&commands)?;
    scope.store(&mut world, commands);
    Ok(json(&command))
}

fn find(world: &World, scope: Scope, command_id: &str) -> DiscordResult<(Vec<Command>, usize)> {
    let command_id: Id<CommandMarker> = parse_id(command_id)?;
    let commands = scope.list(world);
    let index = commands
        .iter()
        .position(|command| command.id == Some(command_id))
        .ok_or_else(DiscordError::unknown_command)?;
    Ok((commands, index))
}

fn update(
    emulator: &Emulator,
    scope: Scope,
    command_id: &str,
    body: &Bytes,
) -> DiscordResult<Response> {
    let patch = json_body(body)?;
    let mut world = emulator.world();
    let (mut commands, index) = find(&world, scope, command_id)?;
    let mut merged =
        serde_json::to_value(&commands[index]).map_err(|_| DiscordError::invalid_json())?;
    if let (Value::Object(target), Value::Object(changes)) = (&mut merged, patch) {
        target.extend(changes);
    }
    let command = parse_command("", &merged)?;
    let mut command = register(&mut world, &commands, command, scope.guild_id());
    command.id = commands[index].id;
    commands[index] = command.clone();
    check_limits(&commands)?;
    scope.store(&mut world, commands);
    Ok(json(&command))
}

fn delete(emulator: &Emulator, scope: Scope, command_id: &str) -> DiscordResult<Response> {
    let mut world = emulator.world();
    let (mut commands, index) = find(&world, scope, command_id)?;
    commands.remove(index);
    scope.store(&mut world, commands);
    Ok(no_content())
}

fn wants_localizations(query: &HashMap<String, String>) -> bool {
    query
        .get("with_localizations")
        .is_some_and(|value| value == "true")
}

pub(super) async fn list_global(
    State(emulator): State<Emulator>,
    Path(application_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> DiscordResult<Response> {
    let world = emulator.world();
    let scope = resolve_scope(&world, &application_id, None)?;
    Ok(json(&for_listing(
        &scope.list(&world),
        wants_localizations(&query),
    )))
}

pub(super) async fn overwrite_global(
    State(emulator): State<Emulator>,
    Path(application_id): Path<String>,
    body: Bytes,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, None)?;
    overwrite(&emulator, scope, &body)
}

pub(super) async fn create_global(
    State(emulator): State<Emulator>,
    Path(application_id): Path<String>,
    body: Bytes,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, None)?;
    create(&emulator, scope, &body)
}

pub(super) async fn get_global(
    State(emulator): State<Emulator>,
    Path((application_id, command_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let world = emulator.world();
    let scope = resolve_scope(&world, &application_id, None)?;
    let (commands, index) = find(&world, scope, &command_id)?;
    Ok(json(&commands[index]))
}

pub(super) async fn update_global(
    State(emulator): State<Emulator>,
    Path((application_id, command_id)): Path<(String, String)>,
    body: Bytes,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, None)?;
    update(&emulator, scope, &command_id, &body)
}

pub(super) async fn delete_global(
    State(emulator): State<Emulator>,
    Path((application_id, command_id)): Path<(String, String)>,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, None)?;
    delete(&emulator, scope, &command_id)
}

pub(super) async fn list_guild(
    State(emulator): State<Emulator>,
    Path((application_id, guild_id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> DiscordResult<Response> {
    let world = emulator.world();
    let scope = resolve_scope(&world, &application_id, Some(&guild_id))?;
    Ok(json(&for_listing(
        &scope.list(&world),
        wants_localizations(&query),
    )))
}

pub(super) async fn overwrite_guild(
    State(emulator): State<Emulator>,
    Path((application_id, guild_id)): Path<(String, String)>,
    body: Bytes,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, Some(&guild_id))?;
    overwrite(&emulator, scope, &body)
}

pub(super) async fn create_guild(
    State(emulator): State<Emulator>,
    Path((application_id, guild_id)): Path<(String, String)>,
    body: Bytes,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, Some(&guild_id))?;
    create(&emulator, scope, &body)
}

pub(super) async fn get_guild(
    State(emulator): State<Emulator>,
    Path((application_id, guild_id, command_id)): Path<(String, String, String)>,
) -> DiscordResult<Response> {
    let world = emulator.world();
    let scope = resolve_scope(&world, &application_id, Some(&guild_id))?;
    let (commands, index) = find(&world, scope, &command_id)?;
    Ok(json(&commands[index]))
}

pub(super) async fn update_guild(
    State(emulator): State<Emulator>,
    Path((application_id, guild_id, command_id)): Path<(String, String, String)>,
    body: Bytes,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, Some(&guild_id))?;
    update(&emulator, scope, &command_id, &body)
}

pub(super) async fn delete_guild(
    State(emulator): State<Emulator>,
    Path((application_id, guild_id, command_id)): Path<(String, String, String)>,
) -> DiscordResult<Response> {
    let scope = resolve_scope(&emulator.world(), &application_id, Some(&guild_id))?;
    delete(&emulator, scope, &command_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_command_with_localizations_parses() {
        let value = serde_json::json!({
            "name": "ticket",
            "description": "Open a ticket",
            "name_localizations": {"fr": "ticket"},
            "description_localizations": {"fr": "Ouvrir un ticket"},
            "options": [{"type": 3, "name": "topic", "description": "Topic", "required": true}]
        });
        let command = parse_command("0", &value).unwrap();
        assert_eq!(command.name, "ticket");
        assert_eq!(command.options.len(), 1);
    }

    #[test]
    fn invalid_names_and_locales_are_refused() {
        let upper = serde_json::json!({"name": "Ticket", "description": "x"});
        assert_eq!(parse_command("0", &upper).unwrap_err().code, 50035);
        let bad_locale = serde_json::json!({"name": "ticket", "description": "x", "name_localizations": {"en": "ticket"}});
        assert_eq!(parse_command("0", &bad_locale).unwrap_err().code, 50035);
        let order = serde_json::json!({"name": "ticket", "description": "x", "options": [
            {"type": 3, "name": "a", "description": "a"},
            {"type": 3, "name": "b", "description": "b", "required": true}
        ]});
        assert_eq!(parse_command("0", &order).unwrap_err().code, 50035);
    }
}
