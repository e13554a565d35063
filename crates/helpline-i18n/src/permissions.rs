//! Discord permission names as Discord's own settings show them, so an admin can find what to
//! grant the bot (`Manage Channels, Manage Roles` / `Gérer les salons, Gérer les rôles`).

use crate::localize::{Localize, Localizer};
use crate::translator::Translator;
use helpline_domain::Language;
use helpline_domain::permissions::Permissions;

/// Every permission Discord defines, in Discord's bit order, with its message key. A test checks
/// that it covers [`Permissions::all`], so a permission twilight adds needs a name here.
pub(crate) const NAMES: [(Permissions, &str); 51] = [
    (Permissions::CREATE_INVITE, "permission-create_invite"),
    (Permissions::KICK_MEMBERS, "permission-kick_members"),
    (Permissions::BAN_MEMBERS, "permission-ban_members"),
    (Permissions::ADMINISTRATOR, "permission-administrator"),
    (Permissions::MANAGE_CHANNELS, "permission-manage_channels"),
    (Permissions::MANAGE_GUILD, "permission-manage_guild"),
    (Permissions::ADD_REACTIONS, "permission-add_reactions"),
    (Permissions::VIEW_AUDIT_LOG, "permission-view_audit_log"),
    (Permissions::PRIORITY_SPEAKER, "permission-priority_speaker"),
    (Permissions::STREAM, "permission-stream"),
    (Permissions::VIEW_CHANNEL, "permission-view_channel"),
    (Permissions::SEND_MESSAGES, "permission-send_messages"),
    (
        Permissions::SEND_TTS_MESSAGES,
        "permission-send_tts_messages",
    ),
    (Permissions::MANAGE_MESSAGES, "permission-manage_messages"),
    (Permissions::EMBED_LINKS, "permission-embed_links"),
    (Permissions::ATTACH_FILES, "permission-attach_files"),
    (
        Permissions::READ_MESSAGE_HISTORY,
        "permission-read_message_history",
    ),
    (Permissions::MENTION_EVERYONE, "permission-mention_everyone"),
    (
        Permissions::USE_EXTERNAL_EMOJIS,
        "permission-use_external_emojis",
    ),
    (
        Permissions::VIEW_GUILD_INSIGHTS,
        "permission-view_guild_insights",
    ),
    (Permissions::CONNECT, "permission-connect"),
    (Permissions::SPEAK, "permission-speak"),
    (Permissions::MUTE_MEMBERS, "permission-mute_members"),
    (Permissions::DEAFEN_MEMBERS, "permission-deafen_members"),
    (Permissions::MOVE_MEMBERS, "permission-move_members"),
    (Permissions::USE_VAD, "permission-use_vad"),
    (Permissions::CHANGE_NICKNAME, "permission-change_nickname"),
    (Permissions::MANAGE_NICKNAMES, "permission-manage_nicknames"),
    (Permissions::MANAGE_ROLES, "permission-manage_roles"),
    (Permissions::MANAGE_WEBHOOKS, "permission-manage_webhooks"),
    (
        Permissions::MANAGE_GUILD_EXPRESSIONS,
        "permission-manage_guild_expressions",
    ),
    (
        Permissions::USE_SLASH_COMMANDS,
        "permission-use_slash_commands",
    ),
    (Permissions::REQUEST_TO_SPEAK, "permission-request_to_speak"),
    (Permissions::MANAGE_EVENTS, "permission-manage_events"),
    (Permissions::MANAGE_THREADS, "permission-manage_threads"),
    (
        Permissions::CREATE_PUBLIC_THREADS,
        "permission-create_public_threads",
    ),
    (
        Permissions::CREATE_PRIVATE_THREADS,
        "permission-create_private_threads",
    ),
    (
        Permissions::USE_EXTERNAL_STICKERS,
        "permission-use_external_stickers",
    ),
    (
        Permissions::SEND_MESSAGES_IN_THREADS,
        "permission-send_messages_in_threads",
    ),
    (
        Permissions::USE_EMBEDDED_ACTIVITIES,
        "permission-use_embedded_activities",
    ),
    (Permissions::MODERATE_MEMBERS, "permission-moderate_members"),
    (
        Permissions::VIEW_CREATOR_MONETIZATION_ANALYTICS,
        "permission-view_creator_monetization_analytics",
    ),
    (Permissions::USE_SOUNDBOARD, "permission-use_soundboard"),
    (
        Permissions::CREATE_GUILD_EXPRESSIONS,
        "permission-create_guild_expressions",
    ),
    (Permissions::CREATE_EVENTS, "permission-create_events"),
    (
        Permissions::USE_EXTERNAL_SOUNDS,
        "permission-use_external_sounds",
    ),
    (
        Permissions::SEND_VOICE_MESSAGES,
        "permission-send_voice_messages",
    ),
    (Permissions::SEND_POLLS, "permission-send_polls"),
    (
        Permissions::USE_EXTERNAL_APPS,
        "permission-use_external_apps",
    ),
    (Permissions::PIN_MESSAGES, "permission-pin_messages"),
    (Permissions::BYPASS_SLOWMODE, "permission-bypass_slowmode"),
];

/// The permissions an admin must grant the bot, as one sentence that names them and says where
/// to grant them. Render it with [`Translator::render`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missing(pub Permissions);

/// The names of `permissions`, one per permission, in Discord's order. A bit Discord defined
/// after this list was written is named by its number.
pub fn names(translator: &Translator, language: Language, permissions: Permissions) -> Vec<String> {
    name_list(&mut translator.localizer(language), permissions)
}

/// The names of `permissions`, comma-separated: `Manage Channels, Manage Roles`.
pub fn list(translator: &Translator, language: Language, permissions: Permissions) -> String {
    translator.render(language, &permissions)
}

/// The sentence telling an admin which of the bot's permissions are missing and where to grant
/// them; see [`helpline_domain::permissions::missing_bot_permissions`].
pub fn missing_message(
    translator: &Translator,
    language: Language,
    missing: Permissions,
) -> String {
    translator.render(language, &Missing(missing))
}

fn name_list(l: &mut Localizer<'_>, permissions: Permissions) -> Vec<String> {
    let mut names = Vec::new();
    let mut named = Permissions::empty();
    for (permission, key) in NAMES {
        named |= permission;
        if permissions.contains(permission) {
            names.push(l.text(key, &[]));
        }
    }
    let unknown = permissions.bits() & !named.bits();
    for bit in 0..u64::BITS {
        if unknown & (1 << bit) != 0 {
            names.push(l.text("permission-unknown", &[("bit", u64::from(bit).into())]));
        }
    }
    names
}

/// The permissions' names, comma-separated.
impl Localize for Permissions {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        name_list(l, *self).join(", ")
    }
}

impl Localize for Missing {
    fn localize(&self, l: &mut Localizer<'_>) -> String {
        let names = name_list(l, self.0);
        let count = names.len();
        l.text(
            "permission-missing",
            &[
                ("permissions", names.join(", ").into()),
                ("count", count.into()),
            ],
        )
    }
}
