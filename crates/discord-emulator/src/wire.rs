//! The emulator's wire format: every object it sends, with the keys Discord sends.
//!
//! The world keeps its records as twilight-model values, but twilight's serializers are not
//! Discord's: they leave out keys Discord sends as `null` or empty (`topic`, `global_name`,
//! GUILD_CREATE's `stickers`...), and write `null` where Discord leaves a key out (a message
//! member's `user`). Every payload the REST API or the gateway sends goes through one of the
//! functions here, which take the twilight value's JSON and give it Discord's keys: present
//! with `null` where Discord sends `null`, absent where Discord omits them. The shapes are
//! checked against Discord's OpenAPI description by the emulator's `wire` tests.

use serde::Serialize;
use serde_json::{Map, Value, json};
use twilight_model::{application::interaction::Interaction, channel::Message};

type Object = Map<String, Value>;

fn to_value(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot serialize a payload");
        Value::Null
    })
}

/// Inserts `key: value` when the key is absent or `null`-free defaults are wanted.
fn default(object: &mut Object, key: &str, value: Value) {
    object.entry(key).or_insert(value);
}

/// Removes `key` when it is `null`.
fn drop_null(object: &mut Object, key: &str) {
    if object.get(key).is_some_and(Value::is_null) {
        object.remove(key);
    }
}

/// Removes `key` when it is `false`.
fn drop_false(object: &mut Object, key: &str) {
    if object.get(key) == Some(&Value::Bool(false)) {
        object.remove(key);
    }
}

fn each(value: Option<&mut Value>, fix: impl Fn(&mut Value)) {
    if let Some(Value::Array(items)) = value {
        items.iter_mut().for_each(fix);
    }
}

fn object(value: &mut Value) -> Option<&mut Object> {
    value.as_object_mut()
}

/// A user as Discord shows another user (message authors, members, mentions, recipients).
pub(crate) fn fix_user(value: &mut Value) {
    let Some(user) = object(value) else { return };
    for key in ["email", "verified", "locale", "mfa_enabled", "premium_type"] {
        user.remove(key);
    }
    // twilight's `User` also writes its deprecated `avatar_decoration`, which Discord no
    // longer sends.
    user.remove("avatar_decoration");
    fix_user_keys(user);
}

fn fix_user_keys(user: &mut Object) {
    user.remove("avatar_decoration");
    for key in [
        "avatar",
        "banner",
        "accent_color",
        "global_name",
        "avatar_decoration_data",
        "collectibles",
        "primary_guild",
    ] {
        default(user, key, Value::Null);
    }
    default(user, "public_flags", json!(0));
    default(user, "flags", json!(0));
    drop_false(user, "bot");
    drop_false(user, "system");
    // Usernames without a discriminator are `"0"` on Discord; twilight writes `"0000"`.
    if user.get("discriminator").and_then(Value::as_str) == Some("0000") {
        user.insert("discriminator".to_owned(), json!("0"));
    }
}

/// The bot as `GET /users/@me` shows it (with its private fields).
pub(crate) fn current_user(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    if let Some(user) = object(&mut value) {
        fix_user_keys(user);
        default(user, "mfa_enabled", json!(false));
        default(user, "locale", json!("en-US"));
        default(user, "premium_type", json!(0));
        default(user, "email", Value::Null);
        default(user, "verified", json!(true));
        user.insert("bot".to_owned(), json!(true));
    }
    value
}

/// Another user, as `GET /users/{id}` shows it.
pub(crate) fn user(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    fix_user(&mut value);
    value
}

/// A guild member with its user.
pub(crate) fn fix_member(value: &mut Value) {
    let Some(member) = object(value) else { return };
    fix_member_keys(member);
    if let Some(user) = member.get_mut("user") {
        fix_user(user);
    }
}

fn fix_member_keys(member: &mut Object) {
    for key in [
        "avatar",
        "banner",
        "communication_disabled_until",
        "nick",
        "premium_since",
    ] {
        default(member, key, Value::Null);
    }
    default(member, "flags", json!(0));
    default(member, "pending", json!(false));
    default(member, "mute", json!(false));
    default(member, "deaf", json!(false));
    default(member, "roles", json!([]));
    drop_null(member, "avatar_decoration_data");
    drop_null(member, "permissions");
}

/// A member as Discord shows it inside a message (no `user` key: the author is the user) or
/// an interaction (with `user` and `permissions`).
pub(crate) fn fix_partial_member(value: &mut Value) {
    let Some(member) = object(value) else { return };
    drop_null(member, "user");
    fix_member_keys(member);
    if let Some(user) = member.get_mut("user") {
        fix_user(user);
    }
}

/// A member of a REST answer or a gateway event.
pub(crate) fn member(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    fix_member(&mut value);
    value
}

/// A role.
pub(crate) fn fix_role(value: &mut Value) {
    let Some(role) = object(value) else { return };
    default(role, "icon", Value::Null);
    default(role, "unicode_emoji", Value::Null);
    default(role, "flags", json!(0));
    drop_null(role, "tags");
    if let Some(Value::Object(colors)) = role.get_mut("colors") {
        default(colors, "secondary_color", Value::Null);
        default(colors, "tertiary_color", Value::Null);
    }
}

/// Roles.
pub(crate) fn roles(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    if let Value::Array(items) = &mut value {
        items.iter_mut().for_each(fix_role);
    }
    value
}

/// Channel types with a topic: text, announcement, forum, media.
fn has_topic(kind: u64) -> bool {
    matches!(kind, 0 | 5 | 15 | 16)
}

/// Channel types that hold messages and so have a `last_message_id`.
fn has_messages(kind: u64) -> bool {
    matches!(kind, 0 | 1 | 2 | 3 | 5 | 10 | 11 | 12 | 13)
}

fn is_thread(kind: u64) -> bool {
    matches!(kind, 10..=12)
}

/// Any channel: a guild channel, a thread or a DM.
pub(crate) fn fix_channel(value: &mut Value) {
    let Some(channel) = object(value) else { return };
    let kind = channel.get("type").and_then(Value::as_u64).unwrap_or(0);
    default(channel, "flags", json!(0));
    if has_messages(kind) {
        default(channel, "last_message_id", Value::Null);
    }
    if channel.get("guild_id").is_some_and(|id| !id.is_null()) {
        default(channel, "parent_id", Value::Null);
        if has_topic(kind) {
            default(channel, "topic", Value::Null);
        }
        if matches!(kind, 0 | 2 | 5 | 13 | 15 | 16) || is_thread(kind) {
            default(channel, "rate_limit_per_user", json!(0));
        }
        if matches!(kind, 2 | 13) {
            default(channel, "rtc_region", Value::Null);
        }
    }
    if is_thread(kind) {
        channel.remove("permission_overwrites");
        channel.remove("position");
        channel.remove("nsfw");
        default(channel, "message_count", json!(0));
        default(channel, "member_count", json!(0));
        default(channel, "total_message_sent", json!(0));
        if let Some(Value::Object(metadata)) = channel.get_mut("thread_metadata") {
            default(metadata, "locked", json!(false));
            drop_null(metadata, "invitable");
        }
        drop_null(channel, "member");
    }
    each(channel.get_mut("recipients"), fix_user);
}

/// A channel of a REST answer or a gateway event.
pub(crate) fn channel(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    fix_channel(&mut value);
    value
}

/// A message of a REST answer: mentions without their members.
pub(crate) fn fix_message(value: &mut Value) {
    fix_any_message(value, false);
}

/// A message: its author, members, mentions, attachments, embeds, components and thread.
/// In gateway events, mentioned users carry their guild `member` (without `user`).
fn fix_any_message(value: &mut Value, gateway: bool) {
    let Some(message) = object(value) else { return };
    for key in [
        "call",
        "activity",
        "application",
        "application_id",
        "interaction",
        "message_reference",
        "referenced_message",
        "thread",
        "webhook_id",
        "poll",
        "role_subscription_data",
        "interaction_metadata",
        "position",
        "resolved",
        "nonce",
    ] {
        drop_null(message, key);
    }
    if let Some(author) = message.get_mut("author") {
        fix_user(author);
    }
    if let Some(member) = message.get_mut("member") {
        fix_partial_member(member);
    }
    drop_null(message, "member");
    each(message.get_mut("mentions"), |mention| {
        let member = mention
            .as_object_mut()
            .and_then(|mention| mention.remove("member"));
        fix_user(mention);
        if let (Some(mut member), true, Some(mention)) = (member, gateway, mention.as_object_mut())
            && !member.is_null()
        {
            fix_partial_member(&mut member);
            mention.insert("member".to_owned(), member);
        }
    });
    default(message, "edited_timestamp", Value::Null);
    default(message, "flags", json!(0));
    default(message, "components", json!([]));
    default(message, "mention_roles", json!([]));
    default(message, "mentions", json!([]));
    default(message, "attachments", json!([]));
    default(message, "embeds", json!([]));
    each(message.get_mut("attachments"), fix_attachment);
    each(message.get_mut("components"), fix_component);
    if let Some(thread) = message.get_mut("thread") {
        fix_channel(thread);
    }
    if let Some(Value::Object(metadata)) = message.get_mut("interaction_metadata") {
        if let Some(user) = metadata.get_mut("user") {
            fix_user(user);
        }
        for key in [
            "interacted_message_id",
            "original_response_message_id",
            "target_message_id",
            "target_user",
            "triggering_interaction_metadata",
        ] {
            drop_null(metadata, key);
        }
    }
    if let Some(Value::Object(interaction)) = message.get_mut("interaction") {
        if let Some(user) = interaction.get_mut("user") {
            fix_user(user);
        }
        if let Some(member) = interaction.get_mut("member") {
            fix_partial_member(member);
        }
    }
    if let Some(referenced) = message.get_mut("referenced_message") {
        fix_any_message(referenced, gateway);
    }
}

fn fix_attachment(value: &mut Value) {
    let Some(attachment) = object(value) else {
        return;
    };
    drop_null(attachment, "content_type");
    drop_null(attachment, "description");
    drop_null(attachment, "height");
    drop_null(attachment, "width");
    drop_false(attachment, "ephemeral");
    default(attachment, "flags", json!(0));
}

/// A component: Discord numbers every component of a message and sends every key of a
/// button, select menu or text input.
fn fix_component(value: &mut Value) {
    let Some(component) = object(value) else {
        return;
    };
    let kind = component.get("type").and_then(Value::as_u64).unwrap_or(0);
    // Select menus: Discord sends the bounds it applies.
    if matches!(kind, 3 | 5..=8) {
        default(component, "min_values", json!(1));
        default(component, "max_values", json!(1));
    }
    each(component.get_mut("components"), fix_component);
    if let Some(inner) = component.get_mut("component") {
        fix_component(inner);
    }
    if let Some(accessory) = component.get_mut("accessory") {
        fix_component(accessory);
    }
}

/// A message of a REST answer or a gateway event.
pub(crate) fn message(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    fix_message(&mut value);
    value
}

/// A message with the `nonce` it was created with.
pub(crate) fn message_with_nonce(value: &Message, nonce: Option<&Value>) -> Value {
    let mut value = message(value);
    if let (Some(nonce), Value::Object(object)) = (nonce, &mut value) {
        object.insert("nonce".to_owned(), nonce.clone());
    }
    value
}

/// Messages.
pub(crate) fn messages(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    if let Value::Array(items) = &mut value {
        items.iter_mut().for_each(fix_message);
    }
    value
}

/// A guild as GUILD_CREATE or `GET /guilds/{id}` shows it.
pub(crate) fn fix_guild(value: &mut Value, create: bool) {
    let Some(guild) = object(value) else { return };
    for key in [
        "icon",
        "description",
        "home_header",
        "splash",
        "discovery_splash",
        "banner",
        "application_id",
        "afk_channel_id",
        "system_channel_id",
        "widget_channel_id",
        "vanity_url_code",
        "rules_channel_id",
        "safety_alerts_channel_id",
        "public_updates_channel_id",
        "max_presences",
        "incidents_data",
        "latest_onboarding_question_id",
    ] {
        default(guild, key, Value::Null);
    }
    default(guild, "region", json!("deprecated"));
    default(guild, "widget_enabled", json!(false));
    default(guild, "max_stage_video_channel_users", json!(50));
    default(guild, "premium_subscription_count", json!(0));
    default(guild, "hub_type", Value::Null);
    default(guild, "inventory_settings", Value::Null);
    default(guild, "embedded_activities", json!([]));
    for key in ["features", "emojis", "stickers", "roles"] {
        default(guild, key, json!([]));
    }
    let nsfw = guild
        .get("nsfw_level")
        .and_then(Value::as_u64)
        .is_some_and(|level| level == 1 || level == 3);
    default(guild, "nsfw", json!(nsfw));
    each(guild.get_mut("roles"), fix_role);
    if create {
        for key in [
            "channels",
            "threads",
            "members",
            "voice_states",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
            "stickers",
            "emojis",
        ] {
            default(guild, key, json!([]));
        }
        each(guild.get_mut("channels"), fix_channel);
        each(guild.get_mut("threads"), fix_channel);
        each(guild.get_mut("members"), fix_member);
    } else {
        for key in [
            "channels",
            "threads",
            "members",
            "voice_states",
            "presences",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
            "joined_at",
            "large",
            "member_count",
            "unavailable",
            "embedded_activities",
            "hub_type",
            "inventory_settings",
            "latest_onboarding_question_id",
        ] {
            guild.remove(key);
        }
    }
}

/// A guild of a REST answer or GUILD_UPDATE.
pub(crate) fn guild(value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    fix_guild(&mut value, false);
    value
}

/// An interaction as INTERACTION_CREATE shows it, with `version: 1`.
pub(crate) fn interaction(interaction: &Interaction) -> Value {
    let mut value = to_value(interaction);
    let Some(object) = object(&mut value) else {
        return value;
    };
    object.insert("version".to_owned(), json!(1));
    if let Some(member) = object.get_mut("member") {
        fix_partial_member(member);
    }
    drop_null(object, "member");
    if let Some(user) = object.get_mut("user") {
        fix_user(user);
    }
    drop_null(object, "user");
    if let Some(channel) = object.get_mut("channel") {
        fix_channel(channel);
    }
    if let Some(message) = object.get_mut("message") {
        fix_message(message);
    }
    if let Some(Value::Object(data)) = object.get_mut("data")
        && let Some(Value::Object(resolved)) = data.get_mut("resolved")
    {
        if let Some(Value::Object(users)) = resolved.get_mut("users") {
            users.values_mut().for_each(fix_user);
        }
        if let Some(Value::Object(members)) = resolved.get_mut("members") {
            members.values_mut().for_each(fix_partial_member);
        }
        if let Some(Value::Object(roles)) = resolved.get_mut("roles") {
            roles.values_mut().for_each(fix_role);
        }
        if let Some(Value::Object(channels)) = resolved.get_mut("channels") {
            channels.values_mut().for_each(fix_channel);
        }
        if let Some(Value::Object(messages)) = resolved.get_mut("messages") {
            messages.values_mut().for_each(fix_message);
        }
    }
    value
}

/// The data (`d`) of a dispatch named `name`, with Discord's keys for the objects inside.
pub(crate) fn dispatch(name: &str, value: &impl Serialize) -> Value {
    let mut value = to_value(value);
    match name {
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" => fix_any_message(&mut value, true),
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" | "CHANNEL_DELETE" | "THREAD_CREATE"
        | "THREAD_UPDATE" => fix_channel(&mut value),
        "THREAD_MEMBERS_UPDATE" => {
            for added in value
                .get_mut("added_members")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if let Some(member) = added.get_mut("member") {
                    fix_member(member);
                }
            }
        }
        "GUILD_CREATE" => fix_guild(&mut value, true),
        "GUILD_UPDATE" => fix_guild(&mut value, false),
        "GUILD_ROLE_CREATE" | "GUILD_ROLE_UPDATE" => {
            if let Some(role) = value.get_mut("role") {
                fix_role(role);
            }
        }
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" => fix_member(&mut value),
        "GUILD_MEMBER_REMOVE" => {
            if let Some(user) = value.get_mut("user") {
                fix_user(user);
            }
        }
        "GUILD_MEMBERS_CHUNK" => each(value.get_mut("members"), fix_member),
        "THREAD_LIST_SYNC" => each(value.get_mut("threads"), fix_channel),
        "READY" => fix_ready(&mut value),
        _ => {}
    }
    value
}

fn fix_ready(value: &mut Value) {
    let Some(ready) = object(value) else { return };
    if let Some(Value::Object(user)) = ready.get_mut("user") {
        fix_user_keys(user);
        user.insert("bot".to_owned(), json!(true));
        default(user, "mfa_enabled", json!(false));
        default(user, "verified", json!(true));
        default(user, "email", Value::Null);
    }
    for key in [
        "private_channels",
        "presences",
        "relationships",
        "guild_join_requests",
        "geo_ordered_rtc_regions",
    ] {
        default(ready, key, json!([]));
    }
    default(ready, "user_settings", json!({}));
    default(ready, "auth", json!({}));
    default(ready, "session_type", json!("normal"));
    default(
        ready,
        "_trace",
        json!(["[\"discord-emulator\",{\"micros\":0}]"]),
    );
}
