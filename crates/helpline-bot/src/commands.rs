//! The slash commands, with names and descriptions in every language Helpline speaks,
//! registered at start with one bulk overwrite.

use helpline_domain::Language;
use helpline_i18n::{Translator, ui};
use serde_json::{Map, Value, json};
use twilight_model::application::command::Command;

/// Discord's locales for each of Helpline's languages.
fn discord_locales(language: Language) -> &'static [&'static str] {
    match language {
        Language::English => &["en-GB"],
        Language::French => &["fr"],
    }
}

/// `{ "fr": "…", "en-GB": "…" }` for a message key.
fn localizations(translator: &Translator, key: &str) -> Value {
    let mut map = Map::new();
    for language in Language::ALL {
        for locale in discord_locales(language) {
            map.insert(
                (*locale).to_owned(),
                Value::String(translator.text(language, key, &[])),
            );
        }
    }
    Value::Object(map)
}

fn option(
    translator: &Translator,
    kind: u8,
    name_key: &str,
    description_key: &str,
    extra: Value,
) -> Value {
    let mut option = json!({
        "type": kind,
        "name": translator.text(Language::English, name_key, &[]),
        "name_localizations": localizations(translator, name_key),
        "description": translator.text(Language::English, description_key, &[]),
        "description_localizations": localizations(translator, description_key),
        "required": false,
    });
    if let (Value::Object(option), Value::Object(extra)) = (&mut option, extra) {
        option.extend(extra);
    }
    option
}

/// Discord's option types.
const CHANNEL: u8 = 7;
const BOOLEAN: u8 = 5;
/// Discord's channel types.
const GUILD_TEXT: u8 = 0;
const GUILD_CATEGORY: u8 = 4;
/// MANAGE_GUILD, as Discord's decimal string: only admins see `/setup` by default.
const MANAGE_GUILD: &str = "32";

/// Every slash command Helpline registers.
pub(crate) fn all(translator: &Translator) -> Vec<Command> {
    let en = |key: &str| translator.text(Language::English, key, &[]);
    let setup = json!({
        "type": 1,
        "name": en(ui::CMD_SETUP_NAME),
        "name_localizations": localizations(translator, ui::CMD_SETUP_NAME),
        "description": en(ui::CMD_SETUP_DESCRIPTION),
        "description_localizations": localizations(translator, ui::CMD_SETUP_DESCRIPTION),
        "default_member_permissions": MANAGE_GUILD,
        // Discord assigns versions; twilight's model requires one, and sends it back unread.
        "version": "1",
        "contexts": [0],
        "options": [
            option(translator, CHANNEL, ui::CMD_SETUP_PANEL_CHANNEL_NAME, ui::CMD_SETUP_PANEL_CHANNEL_DESCRIPTION, json!({"channel_types": [GUILD_TEXT]})),
            option(translator, CHANNEL, ui::CMD_SETUP_LOG_CHANNEL_NAME, ui::CMD_SETUP_LOG_CHANNEL_DESCRIPTION, json!({"channel_types": [GUILD_TEXT]})),
            option(translator, CHANNEL, ui::CMD_SETUP_CATEGORY_NAME, ui::CMD_SETUP_CATEGORY_DESCRIPTION, json!({"channel_types": [GUILD_CATEGORY]})),
            option(translator, BOOLEAN, ui::CMD_SETUP_FORCE_NAME, ui::CMD_SETUP_FORCE_DESCRIPTION, json!({})),
        ],
    });
    [setup]
        .into_iter()
        .map(|command| serde_json::from_value(command).expect("command definitions are valid"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_fit_discord_rules() {
        let translator = Translator::new();
        for command in all(&translator) {
            let check_name = |name: &str| {
                assert!((1..=32).contains(&name.chars().count()), "{name}");
                assert!(
                    name.chars()
                        .all(|c| c.is_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'),
                    "{name}"
                );
            };
            check_name(&command.name);
            for name in command.name_localizations.iter().flat_map(|m| m.values()) {
                check_name(name);
            }
            assert!((1..=100).contains(&command.description.chars().count()));
            for option in &command.options {
                check_name(&option.name);
                for name in option.name_localizations.iter().flat_map(|m| m.values()) {
                    check_name(name);
                }
                for description in option
                    .description_localizations
                    .iter()
                    .flat_map(|m| m.values())
                {
                    assert!(
                        (1..=100).contains(&description.chars().count()),
                        "{description}"
                    );
                }
            }
            let french = command
                .description_localizations
                .as_ref()
                .and_then(|m| m.get("fr"))
                .unwrap();
            assert_ne!(french, &command.description);
        }
    }
}
