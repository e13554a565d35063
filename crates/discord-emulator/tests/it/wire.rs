//! The emulator's wire format against Discord's OpenAPI description: every REST route it
//! serves, answered and refused, and the objects inside every dispatch it sends.

use std::time::Duration;

use discord_emulator::Emulator;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::{sync::mpsc, time::timeout};
use tokio_tungstenite::tungstenite;
use twilight_gateway::Intents;

use crate::{
    common::{self, RawResponse, bot_auth, raw_request},
    openapi::{Report, spec},
};

/// One REST call, validated against the route's answer for its status.
struct Rest<'a> {
    emulator: &'a Emulator,
    auth: String,
    report: Report,
    routes: Vec<String>,
}

impl Rest<'_> {
    /// Sends `method path` (`route` is the spec's route for it) and validates the answer.
    async fn call(&mut self, method: &str, route: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|body| body.to_string());
        let response = raw_request(
            self.emulator,
            method,
            &format!("/api/v10{path}"),
            Some(&self.auth),
            body.as_deref(),
        )
        .await;
        self.validate(method, route, path, &response)
    }

    fn validate(&mut self, method: &str, route: &str, path: &str, response: &RawResponse) -> Value {
        let what = format!("{method} {path} -> {}", response.status);
        self.routes
            .push(format!("{method} {route} {}", response.status));
        let value = serde_json::from_slice::<Value>(&response.body).ok();
        match spec().response(method, route, response.status) {
            Err(error) => self.report.fail(&what, error),
            Ok(schema) if schema.is_null() => {
                if !response.body.is_empty() {
                    self.report
                        .fail(&what, "the spec has no body for this answer".to_owned());
                }
            }
            Ok(schema) => match &value {
                Some(value) => self.report.check(&what, &schema, value),
                None => self.report.fail(
                    &what,
                    format!("not JSON: {:?}", String::from_utf8_lossy(&response.body)),
                ),
            },
        }
        value.unwrap_or(Value::Null)
    }
}

fn id(value: &Value) -> String {
    value["id"]
        .as_str()
        .map_or_else(|| "0".to_owned(), str::to_owned)
}

/// The dispatches of one raw gateway session.
async fn collect_dispatches(
    emulator: &Emulator,
    intents: Intents,
) -> (
    mpsc::UnboundedReceiver<Value>,
    tokio::task::JoinHandle<()>,
    mpsc::UnboundedSender<Value>,
) {
    let mut socket = common::raw_gateway(emulator, "v=10&encoding=json").await;
    let hello = common::next_json(&mut socket).await.expect("hello");
    assert_eq!(hello["op"], 10);
    common::send_json(&mut socket, &common::identify(emulator, [0, 1], intents)).await;
    let (tx, rx) = mpsc::unbounded_channel();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Value>();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                frame = socket.next() => match frame {
                    Some(Ok(tungstenite::Message::Text(text))) => {
                        let payload: Value = serde_json::from_str(&text).unwrap();
                        if payload["op"] == 0 && tx.send(payload).is_err() {
                            return;
                        }
                    }
                    Some(Ok(_)) => {}
                    _ => return,
                },
                out = out_rx.recv() => match out {
                    Some(out) => {
                        let _ = socket.send(tungstenite::Message::Text(out.to_string().into())).await;
                    }
                    None => return,
                },
            }
        }
    });
    (rx, task, out_tx)
}

async fn next_named(
    rx: &mut mpsc::UnboundedReceiver<Value>,
    seen: &mut Vec<Value>,
    name: &str,
) -> Value {
    timeout(common::WAIT, async {
        loop {
            let payload = rx.recv().await.expect("the gateway stays open");
            seen.push(payload.clone());
            if payload["t"] == name {
                return payload["d"].clone();
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{name} in time"))
}

/// Validates one dispatch's data.
fn check_dispatch(report: &mut Report, payload: &Value) {
    let name = payload["t"].as_str().unwrap_or_default();
    let data = &payload["d"];
    let what = format!("dispatch {name} #{}", payload["s"]);
    let channel = |report: &mut Report, what: &str, value: &Value| {
        let kind = value["type"].as_u64().unwrap_or(0);
        let schema = match kind {
            1 => "PrivateChannelResponse",
            10..=12 => "ThreadResponse",
            _ => "GuildChannelResponse",
        };
        report.check_named(what, schema, value);
    };
    // A message's `member` is a member without `user` (Discord leaves the key out).
    let message = |report: &mut Report, what: &str, value: &Value| {
        let mut message = value.clone();
        let member = message
            .as_object_mut()
            .and_then(|object| object.remove("member"));
        if let Some(mut member) = member {
            if member.get("user").is_some() {
                report.fail(
                    what,
                    "a message's member has a \"user\" key; Discord leaves it out".to_owned(),
                );
            }
            member["user"] = value["author"].clone();
            report.check_named(&format!("{what} .member"), "GuildMemberResponse", &member);
        }
        // Mentioned users carry their member in gateway messages (without `user`).
        for mention in message["mentions"].as_array_mut().into_iter().flatten() {
            if let Some(mut member) = mention
                .as_object_mut()
                .and_then(|object| object.remove("member"))
            {
                if member.get("user").is_some() {
                    report.fail(what, "a mention's member has a \"user\" key".to_owned());
                }
                member["user"] = mention.clone();
                report.check_named(
                    &format!("{what} .mentions[].member"),
                    "GuildMemberResponse",
                    &member,
                );
            }
        }
        if let Some(object) = message.as_object_mut() {
            object.remove("guild_id");
        }
        report.check_named(what, "MessageResponse", &message);
    };
    match name {
        "READY" => {
            report.check_named(&format!("{what} .user"), "UserPIIResponse", &data["user"]);
            for key in [
                "v",
                "session_id",
                "resume_gateway_url",
                "shard",
                "application",
                "guilds",
            ] {
                if data.get(key).is_none() {
                    report.fail(&what, format!("missing {key:?}"));
                }
            }
        }
        "GUILD_CREATE" | "GUILD_UPDATE" => {
            report.check_named(&what, "GuildResponse", data);
            for item in data["channels"].as_array().into_iter().flatten() {
                channel(report, &format!("{what} .channels[]"), item);
            }
            for item in data["threads"].as_array().into_iter().flatten() {
                channel(report, &format!("{what} .threads[]"), item);
            }
            for item in data["members"].as_array().into_iter().flatten() {
                report.check_named(&format!("{what} .members[]"), "GuildMemberResponse", item);
            }
        }
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" | "CHANNEL_DELETE" | "THREAD_CREATE"
        | "THREAD_UPDATE" => {
            let mut data = data.clone();
            if name == "THREAD_CREATE" && data["newly_created"] != true {
                report.fail(&what, "a new thread has \"newly_created\": true".to_owned());
            }
            data.as_object_mut()
                .map(|object| object.remove("newly_created"));
            channel(report, &what, &data);
        }
        "THREAD_DELETE" => {
            let keys: Vec<&String> = data
                .as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default();
            if keys.len() != 4 {
                report.fail(
                    &what,
                    format!("id, guild_id, parent_id and type only: {keys:?}"),
                );
            }
            for key in ["id", "guild_id", "parent_id"] {
                report.check_named(&format!("{what} .{key}"), "SnowflakeType", &data[key]);
            }
        }
        "THREAD_MEMBERS_UPDATE" => {
            for key in ["id", "guild_id"] {
                report.check_named(&format!("{what} .{key}"), "SnowflakeType", &data[key]);
            }
            for added in data["added_members"].as_array().into_iter().flatten() {
                let mut added = added.clone();
                let member = added
                    .as_object_mut()
                    .and_then(|object| object.remove("member"));
                report.check_named(
                    &format!("{what} .added_members[]"),
                    "ThreadMemberResponse",
                    &added,
                );
                match member {
                    Some(member) => report.check_named(
                        &format!("{what} .added_members[].member"),
                        "GuildMemberResponse",
                        &member,
                    ),
                    None => {
                        report.fail(&what, "an added member carries its guild member".to_owned());
                    }
                }
            }
            for removed in data["removed_member_ids"].as_array().into_iter().flatten() {
                report.check_named(
                    &format!("{what} .removed_member_ids[]"),
                    "SnowflakeType",
                    removed,
                );
            }
        }
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" => message(report, &what, data),
        "GUILD_ROLE_CREATE" | "GUILD_ROLE_UPDATE" => {
            report.check_named(&format!("{what} .role"), "GuildRoleResponse", &data["role"]);
        }
        "GUILD_MEMBER_ADD" | "GUILD_MEMBER_UPDATE" => {
            let mut member = data.clone();
            member
                .as_object_mut()
                .map(|object| object.remove("guild_id"));
            report.check_named(&what, "GuildMemberResponse", &member);
        }
        "MESSAGE_DELETE_BULK" | "MESSAGE_DELETE" => {
            let ids = data["ids"]
                .as_array()
                .cloned()
                .unwrap_or_else(|| vec![data["id"].clone()]);
            for value in ids.iter().chain([&data["channel_id"]]) {
                report.check_named(&what, "SnowflakeType", value);
            }
        }
        "GUILD_ROLE_DELETE" => {
            for key in ["guild_id", "role_id"] {
                report.check_named(&format!("{what} .{key}"), "SnowflakeType", &data[key]);
            }
        }
        "GUILD_MEMBERS_CHUNK" => {
            for item in data["members"].as_array().into_iter().flatten() {
                report.check_named(&format!("{what} .members[]"), "GuildMemberResponse", item);
            }
        }
        "GUILD_MEMBER_REMOVE" => {
            report.check_named(&format!("{what} .user"), "UserResponse", &data["user"]);
        }
        "INTERACTION_CREATE" => {
            if data["version"] != 1 {
                report.fail(&what, "no \"version\": 1".to_owned());
            }
            if let Some(member) = data.get("member") {
                let mut member = member.clone();
                member
                    .as_object_mut()
                    .map(|object| object.remove("permissions"));
                report.check_named(&format!("{what} .member"), "GuildMemberResponse", &member);
            }
            if let Some(user) = data.get("user") {
                report.check_named(&format!("{what} .user"), "UserResponse", user);
            }
            if let Some(inner) = data.get("channel") {
                channel(report, &format!("{what} .channel"), inner);
            }
            if let Some(inner) = data.get("message") {
                message(report, &format!("{what} .message"), inner);
            }
            for key in [
                "id",
                "application_id",
                "type",
                "token",
                "version",
                "app_permissions",
                "locale",
                "entitlements",
                "authorizing_integration_owners",
                "context",
                "attachment_size_limit",
            ] {
                if data.get(key).is_none() {
                    report.fail(&what, format!("missing {key:?}"));
                }
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_route_and_dispatch_matches_discords_description() {
    let started = std::time::Instant::now();
    // A deferred answer is awaited for its follow-up only briefly: the payloads are what
    // this test is about.
    let emulator = common::start_with(|config| {
        config.answer_wait = Duration::from_millis(200);
        // Some 80 calls in well under a second: over the global limit of 50 per second.
        config.rate_limit.enforced = false;
    })
    .await;
    let world = common::world(&emulator, common::bot_permissions());
    let intents = Intents::GUILDS
        | Intents::GUILD_MEMBERS
        | Intents::GUILD_MESSAGES
        | Intents::DIRECT_MESSAGES
        | Intents::MESSAGE_CONTENT;
    let (mut rx, gateway, gateway_tx) = collect_dispatches(&emulator, intents).await;
    let mut seen = Vec::new();
    next_named(&mut rx, &mut seen, "READY").await;
    next_named(&mut rx, &mut seen, "GUILD_CREATE").await;

    let mut rest = Rest {
        emulator: &emulator,
        auth: bot_auth(&emulator),
        report: Report::default(),
        routes: Vec::new(),
    };
    let app = emulator.application_id().to_string();
    let guild = world.guild.to_string();
    let alice = world.alice.to_string();
    let staff_role = world.staff_role.to_string();

    // Users, the gateway, the application.
    rest.call("GET", "/gateway", "/gateway", None).await;
    rest.call("GET", "/gateway/bot", "/gateway/bot", None).await;
    rest.call("GET", "/users/@me", "/users/@me", None).await;
    rest.call("GET", "/users/{user_id}", &format!("/users/{alice}"), None)
        .await;
    rest.call("GET", "/users/@me/guilds", "/users/@me/guilds", None)
        .await;
    rest.call("GET", "/applications/@me", "/applications/@me", None)
        .await;
    rest.call(
        "GET",
        "/oauth2/applications/@me",
        "/oauth2/applications/@me",
        None,
    )
    .await;

    // Commands.
    let command = json!({
        "name": "ticket",
        "description": "Open a ticket",
        "name_localizations": { "fr": "ticket" },
        "options": [{ "type": 3, "name": "reason", "description": "Why", "required": false }],
    });
    let global = "/applications/{application_id}/commands";
    let global_one = "/applications/{application_id}/commands/{command_id}";
    let listed = rest
        .call(
            "PUT",
            global,
            &format!("/applications/{app}/commands"),
            Some(json!([command])),
        )
        .await;
    let created = rest
        .call(
            "POST",
            global,
            &format!("/applications/{app}/commands"),
            Some(json!({"name": "help", "description": "Help"})),
        )
        .await;
    rest.call(
        "GET",
        global,
        &format!("/applications/{app}/commands"),
        None,
    )
    .await;
    let command_id = id(&listed[0]);
    rest.call(
        "GET",
        global_one,
        &format!("/applications/{app}/commands/{command_id}"),
        None,
    )
    .await;
    rest.call(
        "PATCH",
        global_one,
        &format!("/applications/{app}/commands/{command_id}"),
        Some(json!({"description": "Open one"})),
    )
    .await;
    rest.call(
        "DELETE",
        global_one,
        &format!("/applications/{app}/commands/{}", id(&created)),
        None,
    )
    .await;
    let guild_route = "/applications/{application_id}/guilds/{guild_id}/commands";
    let guild_one = "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}";
    let path = format!("/applications/{app}/guilds/{guild}/commands");
    rest.call(
        "PUT",
        guild_route,
        &path,
        Some(json!([{"name": "close", "description": "Close"}])),
    )
    .await;
    let made = rest
        .call(
            "POST",
            guild_route,
            &path,
            Some(json!({"name": "menu", "description": "Menu", "type": 1})),
        )
        .await;
    rest.call("GET", guild_route, &path, None).await;
    let one = format!("{path}/{}", id(&made));
    rest.call("GET", guild_one, &one, None).await;
    rest.call(
        "PATCH",
        guild_one,
        &one,
        Some(json!({"description": "The menu"})),
    )
    .await;
    rest.call("DELETE", guild_one, &one, None).await;

    // The guild, its roles and members.
    rest.call(
        "GET",
        "/guilds/{guild_id}",
        &format!("/guilds/{guild}"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/guilds/{guild_id}/channels",
        &format!("/guilds/{guild}/channels"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/guilds/{guild_id}/roles",
        &format!("/guilds/{guild}/roles"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/guilds/{guild_id}/members",
        &format!("/guilds/{guild}/members?limit=10"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/guilds/{guild_id}/members/{user_id}",
        &format!("/guilds/{guild}/members/{alice}"),
        None,
    )
    .await;
    let member_role = "/guilds/{guild_id}/members/{user_id}/roles/{role_id}";
    rest.call(
        "PUT",
        member_role,
        &format!("/guilds/{guild}/members/{alice}/roles/{staff_role}"),
        None,
    )
    .await;
    rest.call(
        "DELETE",
        member_role,
        &format!("/guilds/{guild}/members/{alice}/roles/{staff_role}"),
        None,
    )
    .await;

    // Channels.
    let channels = "/guilds/{guild_id}/channels";
    let category = rest
        .call(
            "POST",
            channels,
            &format!("/guilds/{guild}/channels"),
            Some(json!({"name": "Tickets", "type": 4})),
        )
        .await;
    let text = rest
        .call(
            "POST",
            channels,
            &format!("/guilds/{guild}/channels"),
            Some(json!({"name": "ticket-1", "type": 0, "parent_id": id(&category), "permission_overwrites": [
                {"id": alice, "type": 1, "allow": "1024", "deny": "0"}
            ]})),
        )
        .await;
    let bare = rest
        .call(
            "POST",
            channels,
            &format!("/guilds/{guild}/channels"),
            Some(json!({"name": "bare"})),
        )
        .await;
    let text_id = id(&text);
    let channel_one = "/channels/{channel_id}";
    rest.call("GET", channel_one, &format!("/channels/{text_id}"), None)
        .await;
    rest.call(
        "GET",
        channel_one,
        &format!("/channels/{}", id(&category)),
        None,
    )
    .await;
    rest.call(
        "PATCH",
        channel_one,
        &format!("/channels/{text_id}"),
        Some(json!({"topic": "Alice's ticket"})),
    )
    .await;
    let overwrite = "/channels/{channel_id}/permissions/{overwrite_id}";
    let bob = world.bob.to_string();
    rest.call(
        "PUT",
        overwrite,
        &format!("/channels/{text_id}/permissions/{bob}"),
        Some(json!({"type": 1, "allow": "1024", "deny": "0"})),
    )
    .await;
    rest.call(
        "DELETE",
        overwrite,
        &format!("/channels/{text_id}/permissions/{bob}"),
        None,
    )
    .await;
    rest.call(
        "POST",
        "/channels/{channel_id}/typing",
        &format!("/channels/{text_id}/typing"),
        None,
    )
    .await;

    // Threads: a private thread in the text channel, its members, archive and lock.
    emulator
        .set_bot_permissions(
            world.guild,
            common::bot_permissions()
                | twilight_model::guild::Permissions::CREATE_PRIVATE_THREADS
                | twilight_model::guild::Permissions::SEND_MESSAGES_IN_THREADS
                | twilight_model::guild::Permissions::MANAGE_THREADS,
        )
        .unwrap();
    let thread = rest
        .call(
            "POST",
            "/channels/{channel_id}/threads",
            &format!("/channels/{text_id}/threads"),
            Some(json!({"name": "Ticket 0001", "type": 12, "auto_archive_duration": 10080, "invitable": false})),
        )
        .await;
    let thread_id = id(&thread);
    let thread_member = "/channels/{channel_id}/thread-members/{user_id}";
    rest.call(
        "PUT",
        thread_member,
        &format!("/channels/{thread_id}/thread-members/{alice}"),
        None,
    )
    .await;
    rest.call(
        "GET",
        thread_member,
        &format!("/channels/{thread_id}/thread-members/{alice}"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/channels/{channel_id}/thread-members",
        &format!("/channels/{thread_id}/thread-members"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/guilds/{guild_id}/threads/active",
        &format!("/guilds/{guild}/threads/active"),
        None,
    )
    .await;
    rest.call(
        "POST",
        "/channels/{channel_id}/messages",
        &format!("/channels/{thread_id}/messages"),
        Some(json!({"content": format!("<@&{staff_role}> welcome")})),
    )
    .await;
    rest.call(
        "DELETE",
        thread_member,
        &format!("/channels/{thread_id}/thread-members/{alice}"),
        None,
    )
    .await;
    rest.call("GET", channel_one, &format!("/channels/{thread_id}"), None)
        .await;
    rest.call(
        "PATCH",
        channel_one,
        &format!("/channels/{thread_id}"),
        Some(json!({"archived": true, "locked": true})),
    )
    .await;
    // Refused: adding someone to an archived thread.
    rest.call(
        "PUT",
        thread_member,
        &format!("/channels/{thread_id}/thread-members/{alice}"),
        None,
    )
    .await;
    rest.call(
        "PATCH",
        channel_one,
        &format!("/channels/{thread_id}"),
        Some(json!({"archived": false, "locked": false, "name": "Ticket 0001 (reopened)"})),
    )
    .await;
    rest.call(
        "DELETE",
        channel_one,
        &format!("/channels/{thread_id}"),
        None,
    )
    .await;

    // Messages.
    let messages = "/channels/{channel_id}/messages";
    let message_one = "/channels/{channel_id}/messages/{message_id}";
    let rich = rest
        .call(
            "POST",
            messages,
            &format!("/channels/{text_id}/messages"),
            Some(json!({
                "content": format!("Hello <@{alice}>"),
                "nonce": "n-1",
                "embeds": [{"title": "Ticket", "description": "Open", "color": 5814783, "fields": [{"name": "By", "value": "alice", "inline": true}], "footer": {"text": "helpline"}}],
                "components": [{"type": 1, "components": [
                    {"type": 2, "style": 1, "label": "Close", "custom_id": "close"},
                    {"type": 2, "style": 5, "label": "Docs", "url": "https://example.com"}
                ]}, {"type": 1, "components": [
                    {"type": 3, "custom_id": "pick", "options": [{"label": "A", "value": "a"}]}
                ]}],
            })),
        )
        .await;
    let rich_id = id(&rich);
    rest.call(
        "POST",
        messages,
        &format!("/channels/{text_id}/messages"),
        Some(json!({"content": "plain", "message_reference": {"message_id": rich_id}})),
    )
    .await;
    rest.call(
        "GET",
        messages,
        &format!("/channels/{text_id}/messages?limit=10"),
        None,
    )
    .await;
    rest.call(
        "GET",
        message_one,
        &format!("/channels/{text_id}/messages/{rich_id}"),
        None,
    )
    .await;
    rest.call(
        "PATCH",
        message_one,
        &format!("/channels/{text_id}/messages/{rich_id}"),
        Some(json!({"content": "edited"})),
    )
    .await;
    rest.call(
        "PUT",
        "/channels/{channel_id}/messages/pins/{message_id}",
        &format!("/channels/{text_id}/messages/pins/{rich_id}"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/channels/{channel_id}/messages/pins",
        &format!("/channels/{text_id}/messages/pins"),
        None,
    )
    .await;
    rest.call(
        "GET",
        "/channels/{channel_id}/pins",
        &format!("/channels/{text_id}/pins"),
        None,
    )
    .await;
    rest.call(
        "DELETE",
        "/channels/{channel_id}/messages/pins/{message_id}",
        &format!("/channels/{text_id}/messages/pins/{rich_id}"),
        None,
    )
    .await;
    rest.call(
        "PUT",
        "/channels/{channel_id}/pins/{message_id}",
        &format!("/channels/{text_id}/pins/{rich_id}"),
        None,
    )
    .await;
    rest.call(
        "DELETE",
        "/channels/{channel_id}/pins/{message_id}",
        &format!("/channels/{text_id}/pins/{rich_id}"),
        None,
    )
    .await;
    let dm = rest
        .call(
            "POST",
            "/users/@me/channels",
            "/users/@me/channels",
            Some(json!({"recipient_id": alice})),
        )
        .await;
    rest.call(
        "POST",
        messages,
        &format!("/channels/{}/messages", id(&dm)),
        Some(json!({"content": "hi"})),
    )
    .await;
    rest.call("GET", channel_one, &format!("/channels/{}", id(&dm)), None)
        .await;
    // A person's message, seen through REST.
    emulator
        .as_user(world.alice)
        .send_text(
            text.get("id")
                .and_then(Value::as_str)
                .unwrap()
                .parse()
                .map(twilight_model::id::Id::new)
                .unwrap(),
            "from alice",
        )
        .await
        .unwrap();
    rest.call(
        "GET",
        messages,
        &format!("/channels/{text_id}/messages?limit=1"),
        None,
    )
    .await;

    // An upload (multipart, through twilight-http), read back: the attachment's keys.
    let file = twilight_model::http::attachment::Attachment::from_bytes(
        "transcript-1.html".to_owned(),
        b"<p>hello</p>".to_vec(),
        0,
    );
    let upload = common::http(&emulator)
        .create_message(text_id.parse().map(twilight_model::id::Id::new).unwrap())
        .content("transcript")
        .attachments(&[file])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let read = rest
        .call(
            "GET",
            message_one,
            &format!("/channels/{text_id}/messages/{}", upload.id),
            None,
        )
        .await;
    assert_eq!(read["attachments"][0]["filename"], "transcript-1.html");

    // Interactions: a command answered with a button, the button answered with an update,
    // follow-ups and the original response.
    let actor = emulator.as_user(world.alice);
    let general = world.general;
    let guild_id = world.guild;
    let command_run = tokio::spawn(async move {
        actor
            .run_command(guild_id, general, "ticket", &[])
            .await
            .unwrap()
    });
    let interaction = next_named(&mut rx, &mut seen, "INTERACTION_CREATE").await;
    let (interaction_id, token) = (
        id(&interaction),
        interaction["token"].as_str().unwrap().to_owned(),
    );
    let callback = "/interactions/{interaction_id}/{interaction_token}/callback";
    let answered = rest
        .call(
            "POST",
            callback,
            &format!("/interactions/{interaction_id}/{token}/callback?with_response=1"),
            Some(json!({"type": 4, "data": {"content": "Ticket?", "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "Open", "custom_id": "open"}
            ]}]}})),
        )
        .await;
    // `with_response=1` is true for Discord, which answers with the callback's resource.
    assert_eq!(
        answered["resource"]["type"], 4,
        "with_response=1 answers {answered}"
    );
    assert!(answered["resource"]["message"]["id"].is_string());
    command_run.await.unwrap();
    let webhook = "/webhooks/{webhook_id}/{webhook_token}";
    let webhook_message = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}";
    let original = "/webhooks/{webhook_id}/{webhook_token}/messages/@original";
    rest.call(
        "GET",
        original,
        &format!("/webhooks/{app}/{token}/messages/@original"),
        None,
    )
    .await;
    rest.call(
        "PATCH",
        original,
        &format!("/webhooks/{app}/{token}/messages/@original"),
        Some(json!({"content": "Ticket!"})),
    )
    .await;
    let followup = rest
        .call(
            "POST",
            webhook,
            &format!("/webhooks/{app}/{token}"),
            Some(json!({"content": "More", "flags": 64})),
        )
        .await;
    let followup_id = id(&followup);
    rest.call(
        "GET",
        webhook_message,
        &format!("/webhooks/{app}/{token}/messages/{followup_id}"),
        None,
    )
    .await;
    rest.call(
        "PATCH",
        webhook_message,
        &format!("/webhooks/{app}/{token}/messages/{followup_id}"),
        Some(json!({"content": "Less"})),
    )
    .await;
    rest.call(
        "DELETE",
        webhook_message,
        &format!("/webhooks/{app}/{token}/messages/{followup_id}"),
        None,
    )
    .await;

    let source = answered["resource"]["message"]["id"]
        .as_str()
        .unwrap_or_default()
        .parse()
        .unwrap_or(1);
    let actor = emulator.as_user(world.alice);
    let click = tokio::spawn(async move {
        actor
            .click_button(general, twilight_model::id::Id::new(source), "open")
            .await
            .unwrap()
    });
    let clicked = next_named(&mut rx, &mut seen, "INTERACTION_CREATE").await;
    rest.call(
        "POST",
        callback,
        &format!(
            "/interactions/{}/{}/callback?with_response=true",
            id(&clicked),
            clicked["token"].as_str().unwrap()
        ),
        Some(json!({"type": 7, "data": {"content": "Opened", "components": []}})),
    )
    .await;
    click.await.unwrap();
    let actor = emulator.as_user(world.alice);
    let deferred_run = tokio::spawn(async move {
        actor
            .run_command(guild_id, general, "ticket", &[])
            .await
            .unwrap()
    });
    let deferred = next_named(&mut rx, &mut seen, "INTERACTION_CREATE").await;
    let path = format!(
        "/interactions/{}/{}/callback",
        id(&deferred),
        deferred["token"].as_str().unwrap()
    );
    let response = raw_request(
        &emulator,
        "POST",
        &format!("/api/v10{path}"),
        None,
        Some(&json!({"type": 5}).to_string()),
    )
    .await;
    rest.validate("POST", callback, &path, &response);
    assert_eq!(response.status, 204, "without with_response, no body");
    // Discord sends no rate-limit headers on interaction callbacks.
    let headers: Vec<&String> = response
        .headers
        .iter()
        .map(|(name, _)| name)
        .filter(|name| name.to_ascii_lowercase().starts_with("x-ratelimit"))
        .collect();
    assert!(
        headers.is_empty(),
        "a callback has no rate-limit headers: {headers:?}"
    );
    deferred_run.await.unwrap();

    // Errors.
    rest.call("GET", channel_one, "/channels/1", None).await;
    rest.call(
        "POST",
        messages,
        &format!("/channels/{text_id}/messages"),
        Some(json!({})),
    )
    .await;
    rest.call(
        "POST",
        messages,
        &format!("/channels/{text_id}/messages"),
        Some(json!({"content": 5})),
    )
    .await;
    rest.call(
        "GET",
        "/guilds/{guild_id}/members/{user_id}",
        &format!("/guilds/{guild}/members/1"),
        None,
    )
    .await;
    rest.call(
        "POST",
        callback,
        "/interactions/1/bad/callback",
        Some(json!({"type": 4, "data": {"content": "x"}})),
    )
    .await;
    rest.call(
        "PATCH",
        original,
        &format!("/webhooks/{app}/bad/messages/@original"),
        Some(json!({"content": "x"})),
    )
    .await;
    let unauthorized = raw_request(
        &emulator,
        "GET",
        "/api/v10/users/@me",
        Some("Bot nope"),
        None,
    )
    .await;
    rest.validate("GET", "/users/@me", "/users/@me (bad token)", &unauthorized);

    // Bulk deletes: two of the bot's messages, then a refused one (a single id).
    let bulk = "/channels/{channel_id}/messages/bulk-delete";
    let mut doomed = Vec::new();
    for content in ["one", "two"] {
        let message = rest
            .call(
                "POST",
                messages,
                &format!("/channels/{text_id}/messages"),
                Some(json!({ "content": content })),
            )
            .await;
        doomed.push(id(&message));
    }
    rest.call(
        "POST",
        bulk,
        &format!("/channels/{text_id}/messages/bulk-delete"),
        Some(json!({ "messages": doomed })),
    )
    .await;
    rest.call(
        "POST",
        bulk,
        &format!("/channels/{text_id}/messages/bulk-delete"),
        Some(json!({ "messages": [rich_id] })),
    )
    .await;

    // Deleting: a message, channels, the guild left.
    rest.call(
        "DELETE",
        message_one,
        &format!("/channels/{text_id}/messages/{rich_id}"),
        None,
    )
    .await;
    rest.call(
        "DELETE",
        channel_one,
        &format!("/channels/{}", id(&bare)),
        None,
    )
    .await;
    rest.call("DELETE", channel_one, &format!("/channels/{text_id}"), None)
        .await;
    // Request Guild Members (op 8) without a nonce: the chunk has none either.
    gateway_tx
        .send(json!({ "op": 8, "d": { "guild_id": guild, "query": "", "limit": 0 } }))
        .unwrap();
    let chunk = next_named(&mut rx, &mut seen, "GUILD_MEMBERS_CHUNK").await;
    assert!(
        chunk.get("nonce").is_none(),
        "no nonce asked, none echoed: {chunk}"
    );
    gateway_tx
        .send(json!({ "op": 8, "d": { "guild_id": guild, "user_ids": [alice], "nonce": "n8" } }))
        .unwrap();
    let chunk = next_named(&mut rx, &mut seen, "GUILD_MEMBERS_CHUNK").await;
    assert_eq!(chunk["nonce"], "n8");
    let helpers = emulator
        .create_role(
            world.guild,
            "Helpers",
            twilight_model::guild::Permissions::empty(),
        )
        .unwrap();
    emulator
        .update_role(
            world.guild,
            helpers,
            Some("Helpers!"),
            Some(twilight_model::guild::Permissions::VIEW_CHANNEL),
        )
        .unwrap();
    let carol = emulator.create_user("carol", "de");
    emulator.add_member(world.guild, carol, &[]).unwrap();
    emulator
        .set_member_roles(world.guild, carol, &[helpers])
        .unwrap();
    emulator.delete_role(world.guild, helpers).unwrap();
    emulator
        .set_premium_tier(world.guild, twilight_model::guild::PremiumTier::Tier1)
        .unwrap();
    emulator.remove_member(world.guild, world.bob).unwrap();
    rest.call(
        "DELETE",
        "/users/@me/guilds/{guild_id}",
        &format!("/users/@me/guilds/{guild}"),
        None,
    )
    .await;
    next_named(&mut rx, &mut seen, "GUILD_DELETE").await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    while let Ok(payload) = rx.try_recv() {
        seen.push(payload);
    }
    drop(gateway_tx);
    gateway.abort();

    let bulk_deleted = seen
        .iter()
        .find(|payload| payload["t"] == "MESSAGE_DELETE_BULK")
        .map(|payload| payload["d"].clone())
        .unwrap_or_default();
    assert_eq!(bulk_deleted["ids"], json!(doomed));
    assert_eq!(bulk_deleted["guild_id"], json!(guild));
    // `WIRE_DUMP=1 cargo nextest run -p discord-emulator every_route --no-capture` prints
    // every dispatch, to eyeball them against Discord's.
    if std::env::var_os("WIRE_DUMP").is_some() {
        for payload in &seen {
            eprintln!("{payload}");
        }
    }
    let mut report = rest.report;
    let mut names: Vec<&str> = seen
        .iter()
        .filter_map(|payload| payload["t"].as_str())
        .collect();
    for payload in &seen {
        check_dispatch(&mut report, payload);
    }
    assert!(
        seen.iter()
            .any(|payload| payload["t"] == "INTERACTION_CREATE"),
        "interactions were dispatched"
    );
    names.sort_unstable();
    names.dedup();
    eprintln!(
        "validated {} values over {} REST calls and {} dispatches ({names:?}) in {:?}",
        report.checked(),
        rest.routes.len(),
        seen.len(),
        started.elapsed()
    );
    report.assert_clean();
}

/// Discord reads a JSON payload sent in a binary frame like one sent as text.
#[tokio::test]
async fn json_in_binary_frames_is_read_like_text() {
    let emulator = common::start().await;
    let mut socket = common::raw_gateway(&emulator, "v=10&encoding=json").await;
    let hello = common::next_json(&mut socket).await.expect("hello");
    assert_eq!(hello["op"], 10);
    let identify = common::identify(&emulator, [0, 1], Intents::GUILDS);
    socket
        .send(tungstenite::Message::Binary(
            identify.to_string().into_bytes().into(),
        ))
        .await
        .unwrap();
    let ready = common::next_dispatch(&mut socket, "READY").await;
    assert_eq!(ready["d"]["user"]["id"], emulator.bot_user_id().to_string());
    // What is not UTF-8 cannot be decoded: 4002, as on Discord.
    socket
        .send(tungstenite::Message::Binary(vec![0xff, 0xfe, 0x00].into()))
        .await
        .unwrap();
    loop {
        match common::next_json(&mut socket).await {
            Ok(_) => {}
            Err(code) => {
                assert_eq!(code, Some(4002));
                break;
            }
        }
    }
}

/// The default token has a Discord token's shape, and its first part names the bot.
#[test]
fn the_default_token_names_the_bot_like_a_discord_token() {
    let token = discord_emulator::DEFAULT_BOT_TOKEN;
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    let alphabet = |part: &str| {
        part.bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
    };
    assert!(parts.iter().all(|part| alphabet(part)));
    assert!(parts[0].len() >= 23 && parts[1].len() == 6 && parts[2].len() >= 27);
    assert_eq!(
        token,
        discord_emulator::bot_token_for(discord_emulator::DEFAULT_APPLICATION_ID)
    );
}

/// The validator refuses what Discord would not send: a key left out, a `null` where the key
/// is omitted, an invented key, a malformed snowflake.
#[test]
fn the_validator_refuses_what_discord_would_not_send() {
    let spec = spec();
    let user = json!({
        "id": "1", "username": "a", "avatar": null, "discriminator": "0", "public_flags": 0,
        "flags": 0, "global_name": null, "primary_guild": null, "banner": null,
        "accent_color": null, "avatar_decoration_data": null, "collectibles": null,
    });
    let schema = spec.schema("UserResponse");
    assert!(spec.validate(&schema, &user).is_empty());
    for broken in [
        json!({"global_name": "dropped"}),
        json!({"id": "01"}),
        json!({"invented": true}),
    ] {
        let mut value = user.clone();
        let (key, replacement) = broken.as_object().unwrap().iter().next().unwrap();
        if key == "global_name" {
            value.as_object_mut().unwrap().remove(key);
        } else {
            value[key] = replacement.clone();
        }
        assert!(
            !spec.validate(&schema, &value).is_empty(),
            "{value} is refused"
        );
    }
}
