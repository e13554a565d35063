//! Interactions end to end: a person acts through the scripting API, a test-side responder
//! answers through twilight-http as a bot would, and the person sees the answer.

use std::{sync::Arc, time::Duration};

use discord_emulator::{Answer, EmulatorConfig, Error, OptionValue};
use serde_json::json;
use tokio::sync::mpsc;
use twilight_http::{Client, api_error::ApiError, error::ErrorType};
use twilight_model::{
    application::{
        command::Command,
        interaction::{
            Interaction, InteractionData, application_command::CommandOptionValue,
            modal::ModalInteractionComponent,
        },
    },
    channel::message::{Component, MessageFlags},
    guild::Permissions,
    http::interaction::{InteractionResponse, InteractionResponseData, InteractionResponseType},
};

use crate::common::{self, bot_permissions, responder};

fn components(value: serde_json::Value) -> Vec<Component> {
    serde_json::from_value(value).unwrap()
}

fn reply(
    content: &str,
    flags: Option<MessageFlags>,
    components: Option<Vec<Component>>,
) -> InteractionResponse {
    InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some(content.to_owned()),
            flags,
            components,
            ..InteractionResponseData::default()
        }),
    }
}

fn custom_id(interaction: &Interaction) -> String {
    match &interaction.data {
        Some(InteractionData::MessageComponent(data)) => data.custom_id.clone(),
        Some(InteractionData::ModalSubmit(data)) => data.custom_id.clone(),
        Some(InteractionData::ApplicationCommand(data)) => data.name.clone(),
        _ => String::new(),
    }
}

fn error_code(error: &twilight_http::Error) -> u64 {
    match error.kind() {
        ErrorType::Response {
            error: ApiError::General(general),
            ..
        } => general.code,
        other => panic!("expected a Discord error, got {other:?}"),
    }
}

async fn respond(
    http: &Client,
    interaction: &Interaction,
    response: &InteractionResponse,
) -> Result<(), twilight_http::Error> {
    http.interaction(interaction.application_id)
        .create_response(interaction.id, &interaction.token, response)
        .await
        .map(|_| ())
}

async fn set_commands(
    emulator: &discord_emulator::Emulator,
    guild: twilight_model::id::Id<twilight_model::id::marker::GuildMarker>,
    commands: serde_json::Value,
) {
    let commands: Vec<Command> = commands
        .as_array()
        .unwrap()
        .iter()
        .map(|command| {
            let mut command = command.clone();
            command["version"] = json!("1");
            command["type"] = json!(1);
            serde_json::from_value(command).unwrap()
        })
        .collect();
    let http = common::http(emulator);
    http.interaction(emulator.application_id())
        .set_guild_commands(guild, &commands)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_click_gets_an_ephemeral_reply_that_can_be_updated() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Interaction>();
    let _bot = responder(
        &emulator,
        move |http: Arc<Client>, interaction: Interaction| {
            let seen_tx = seen_tx.clone();
            async move {
                let response = match custom_id(&interaction).as_str() {
                    "open" => reply(
                        "Your ticket is open",
                        Some(MessageFlags::EPHEMERAL),
                        Some(components(json!([{ "type": 1, "components": [
                            { "type": 2, "style": 4, "label": "Close", "custom_id": "close" }
                        ]}]))),
                    ),
                    _ => InteractionResponse {
                        kind: InteractionResponseType::UpdateMessage,
                        data: Some(InteractionResponseData {
                            content: Some("Closed".to_owned()),
                            components: Some(Vec::new()),
                            ..InteractionResponseData::default()
                        }),
                    },
                };
                respond(&http, &interaction, &response).await.unwrap();
                let _ = seen_tx.send(interaction);
            }
        },
    )
    .await;
    let http = common::http(&emulator);
    let panel = http
        .create_message(world.general)
        .content("Need help?")
        .components(&components(json!([{ "type": 1, "components": [
            { "type": 2, "style": 1, "label": "Open a ticket", "custom_id": "open" },
            { "type": 2, "style": 2, "label": "Disabled", "custom_id": "off", "disabled": true }
        ]}])))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    let alice = emulator.as_user(world.alice);
    let outcome = alice
        .click_button(world.general, panel.id, "open")
        .await
        .unwrap();
    let message = outcome.expect_message();
    assert!(message.ephemeral);
    assert_eq!(message.content(), "Your ticket is open");
    assert_eq!(
        message.button("close").unwrap().label.as_deref(),
        Some("Close")
    );
    assert!(
        emulator
            .messages(world.general)
            .iter()
            .all(|stored| stored.id != message.id()),
        "ephemeral replies are not in the channel"
    );

    let interaction = seen_rx.recv().await.unwrap();
    assert_eq!(interaction.locale.as_deref(), Some("en-US"));
    assert_eq!(interaction.guild_locale.as_deref(), Some("en-US"));
    assert_eq!(interaction.guild_id, Some(world.guild));
    assert_eq!(
        interaction.message.as_ref().map(|message| message.id),
        Some(panel.id)
    );
    let member = interaction.member.as_ref().unwrap();
    assert_eq!(member.user.as_ref().map(|user| user.id), Some(world.alice));
    assert!(
        member
            .permissions
            .unwrap()
            .contains(Permissions::VIEW_CHANNEL)
    );
    assert!(
        interaction
            .app_permissions
            .unwrap()
            .contains(Permissions::MANAGE_CHANNELS)
    );

    let updated = alice
        .click_button(world.general, message.id(), "close")
        .await
        .unwrap();
    match updated.answer() {
        Answer::Updated(message) => {
            assert_eq!(message.content(), "Closed");
            assert!(message.components().is_empty());
        }
        other => panic!("expected the ephemeral message to update, saw {other:?}"),
    }
    assert_eq!(alice.ephemeral_messages()[0].content, "Closed");

    let bob = emulator.as_user(world.bob);
    assert!(matches!(
        bob.click_button(world.general, message.id(), "close").await,
        Err(Error::UnknownMessage(_))
    ));
    assert!(matches!(
        bob.click_button(world.general, panel.id, "off").await,
        Err(Error::ComponentNotUsable(_))
    ));
    assert!(matches!(
        bob.click_button(world.general, panel.id, "nope").await,
        Err(Error::UnknownComponent { .. })
    ));
}

#[tokio::test]
async fn a_deferred_command_is_filled_in_then_followed_up() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    set_commands(&emulator, world.guild, json!([{
        "name": "ticket",
        "description": "Tickets",
        "options": [{
            "type": 1, "name": "open", "description": "Open one",
            "options": [
                { "type": 3, "name": "topic", "description": "Topic", "required": true, "choices": [
                    { "name": "Billing", "value": "billing" }, { "name": "Other", "value": "other" }
                ]},
                { "type": 6, "name": "for", "description": "For whom" }
            ]
        }]
    }]))
    .await;
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Interaction>();
    let _bot = responder(
        &emulator,
        move |http: Arc<Client>, interaction: Interaction| {
            let seen_tx = seen_tx.clone();
            async move {
                let deferral = InteractionResponse {
                    kind: InteractionResponseType::DeferredChannelMessageWithSource,
                    data: Some(InteractionResponseData {
                        flags: Some(MessageFlags::EPHEMERAL),
                        ..InteractionResponseData::default()
                    }),
                };
                respond(&http, &interaction, &deferral).await.unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
                let client = http.interaction(interaction.application_id);
                client
                    .update_response(&interaction.token)
                    .content(Some("Ticket #1 opened"))
                    .await
                    .unwrap();
                client
                    .create_followup(&interaction.token)
                    .content("Staff was notified")
                    .await
                    .unwrap();
                let _ = seen_tx.send(interaction);
            }
        },
    )
    .await;

    let mut outcome = emulator
        .as_user(world.alice)
        .run_command(
            world.guild,
            world.general,
            "ticket open",
            &[
                ("topic", "billing".into()),
                ("for", OptionValue::User(world.bob)),
            ],
        )
        .await
        .unwrap();
    let message = outcome.expect_message();
    assert!(message.deferred, "the answer replaced the thinking state");
    assert!(
        message.ephemeral,
        "the deferral's ephemeral flag carries over"
    );
    assert_eq!(message.content(), "Ticket #1 opened");
    let next = outcome.next().await.unwrap();
    assert_eq!(next.message().unwrap().content(), "Staff was notified");

    let interaction = seen_rx.recv().await.unwrap();
    let Some(InteractionData::ApplicationCommand(data)) = interaction.data else {
        panic!("a command interaction");
    };
    assert_eq!(data.name, "ticket");
    let CommandOptionValue::SubCommand(options) = &data.options[0].value else {
        panic!("a subcommand");
    };
    assert_eq!(
        options[0].value,
        CommandOptionValue::String("billing".to_owned())
    );
    assert_eq!(options[1].value, CommandOptionValue::User(world.bob));
    assert!(data.resolved.unwrap().users.contains_key(&world.bob));

    let alice = emulator.as_user(world.alice);
    assert!(matches!(
        alice
            .run_command(
                world.guild,
                world.general,
                "ticket open",
                &[("topic", "nope".into())]
            )
            .await,
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        alice
            .run_command(world.guild, world.general, "ticket open", &[])
            .await,
        Err(Error::InvalidOption(_))
    ));
    assert!(matches!(
        alice
            .run_command(world.guild, world.general, "missing", &[])
            .await,
        Err(Error::UnknownCommand(_))
    ));
}

#[tokio::test]
async fn a_late_answer_gets_10062_and_the_person_sees_failure_and_a_second_answer_gets_40060() {
    assert_eq!(
        EmulatorConfig::default().interaction_deadline,
        Duration::from_secs(3)
    );
    let emulator =
        common::start_with(|config| config.interaction_deadline = Duration::from_millis(500)).await;
    let world = common::world(&emulator, bot_permissions());
    let (codes_tx, mut codes_rx) = mpsc::unbounded_channel::<(String, u64)>();
    let _bot = responder(
        &emulator,
        move |http: Arc<Client>, interaction: Interaction| {
            let codes_tx = codes_tx.clone();
            async move {
                let name = custom_id(&interaction);
                if name == "slow" {
                    tokio::time::sleep(Duration::from_millis(800)).await;
                }
                let first = respond(&http, &interaction, &reply("ok", None, None)).await;
                if let Err(error) = first {
                    let _ = codes_tx.send((name, error_code(&error)));
                    return;
                }
                let second = respond(&http, &interaction, &reply("again", None, None)).await;
                let _ =
                    codes_tx.send((name, second.map_or_else(|error| error_code(&error), |()| 0)));
            }
        },
    )
    .await;
    let http = common::http(&emulator);
    let panel = http
        .create_message(world.general)
        .components(&components(json!([{ "type": 1, "components": [
            { "type": 2, "style": 1, "label": "Slow", "custom_id": "slow" },
            { "type": 2, "style": 1, "label": "Twice", "custom_id": "twice" }
        ]}])))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();

    let alice = emulator.as_user(world.alice);
    let slow = alice
        .click_button(world.general, panel.id, "slow")
        .await
        .unwrap();
    assert!(slow.failed(), "This interaction failed");
    assert_eq!(codes_rx.recv().await.unwrap(), ("slow".to_owned(), 10062));

    let twice = alice
        .click_button(world.general, panel.id, "twice")
        .await
        .unwrap();
    assert_eq!(twice.expect_message().content(), "ok");
    assert!(!twice.is_ephemeral());
    assert_eq!(codes_rx.recv().await.unwrap(), ("twice".to_owned(), 40060));
    assert!(
        emulator
            .messages(world.general)
            .iter()
            .any(|message| message.content == "ok")
    );
}

#[tokio::test]
async fn without_a_bot_the_interaction_fails() {
    let emulator =
        common::start_with(|config| config.interaction_deadline = Duration::from_millis(200)).await;
    let world = common::world(&emulator, bot_permissions());
    set_commands(
        &emulator,
        world.guild,
        json!([{ "name": "ping", "description": "Ping" }]),
    )
    .await;
    let outcome = emulator
        .as_user(world.alice)
        .run_command(world.guild, world.general, "ping", &[])
        .await
        .unwrap();
    assert!(outcome.failed());
}

#[tokio::test]
async fn a_modal_is_shown_then_submitted() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    set_commands(
        &emulator,
        world.guild,
        json!([
            { "name": "close", "description": "Close with a reason" },
            { "name": "setup", "description": "Install", "default_member_permissions": "32" }
        ]),
    )
    .await;
    let _bot = responder(&emulator, move |http: Arc<Client>, interaction: Interaction| async move {
        let response = match &interaction.data {
            Some(InteractionData::ApplicationCommand(data)) if data.name == "close" => InteractionResponse {
                kind: InteractionResponseType::Modal,
                data: Some(InteractionResponseData {
                    custom_id: Some("close-reason".to_owned()),
                    title: Some("Close the ticket".to_owned()),
                    components: Some(components(json!([
                        { "type": 18, "label": "Reason", "component": { "type": 4, "custom_id": "reason", "style": 2, "max_length": 200 } },
                        { "type": 1, "components": [{ "type": 4, "custom_id": "note", "label": "Note", "style": 1, "required": false }] }
                    ]))),
                    ..InteractionResponseData::default()
                }),
            },
            Some(InteractionData::ModalSubmit(data)) => {
                let mut values = Vec::new();
                for component in &data.components {
                    match component {
                        ModalInteractionComponent::Label(label) => {
                            if let ModalInteractionComponent::TextInput(input) = &*label.component {
                                values.push(format!("{}={}", input.custom_id, input.value));
                            }
                        }
                        ModalInteractionComponent::ActionRow(row) => {
                            for inner in &row.components {
                                if let ModalInteractionComponent::TextInput(input) = inner {
                                    values.push(format!("{}={}", input.custom_id, input.value));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                reply(&values.join(";"), Some(MessageFlags::EPHEMERAL), None)
            }
            _ => reply("admin only", Some(MessageFlags::EPHEMERAL), None),
        };
        respond(&http, &interaction, &response).await.unwrap();
    })
    .await;

    let alice = emulator.as_user(world.alice);
    assert!(matches!(
        alice.submit_modal(world.general, "close-reason", &[]).await,
        Err(Error::UnknownModal(_))
    ));
    let outcome = alice
        .run_command(world.guild, world.general, "close", &[])
        .await
        .unwrap();
    let modal = outcome.expect_modal();
    assert_eq!(modal.title, "Close the ticket");
    let inputs = modal.text_inputs();
    assert_eq!(inputs[0].label.as_deref(), Some("Reason"));
    assert!(inputs[0].required);
    assert!(!inputs[1].required);
    assert!(
        matches!(
            alice
                .submit_modal(world.general, "close-reason", &[("note", "x")])
                .await,
            Err(Error::InvalidModalInput(_))
        ),
        "the reason is required"
    );
    let submitted = alice
        .submit_modal(world.general, "close-reason", &[("reason", "solved")])
        .await
        .unwrap();
    assert_eq!(submitted.expect_message().content(), "reason=solved;note=");
    assert!(alice.open_modals().is_empty(), "the modal closed");

    assert!(
        matches!(
            alice
                .run_command(world.guild, world.general, "setup", &[])
                .await,
            Err(Error::UnknownCommand(_))
        ),
        "hidden without MANAGE_GUILD"
    );
    let owner = emulator.as_user(world.owner);
    let outcome = owner
        .run_command(world.guild, world.general, "setup", &[])
        .await
        .unwrap();
    assert_eq!(outcome.expect_message().content(), "admin only");
}

#[tokio::test]
async fn a_selection_is_answered_with_response_and_a_deferred_update_edits_the_panel() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let (checks_tx, mut checks_rx) = mpsc::unbounded_channel::<String>();
    let _bot = responder(
        &emulator,
        move |http: Arc<Client>, interaction: Interaction| {
            let checks_tx = checks_tx.clone();
            async move {
                let client = http.interaction(interaction.application_id);
                match &interaction.data {
                    Some(InteractionData::MessageComponent(data)) if data.custom_id == "topic" => {
                        let response = reply(
                            &format!("picked {}", data.values.join(",")),
                            Some(MessageFlags::EPHEMERAL),
                            None,
                        );
                        let callback = client
                            .create_response(interaction.id, &interaction.token, &response)
                            .with_response()
                            .await
                            .unwrap()
                            .model()
                            .await
                            .unwrap();
                        let message_id = callback.interaction.response_message_id.unwrap();
                        let original = client
                            .response(&interaction.token)
                            .await
                            .unwrap()
                            .model()
                            .await
                            .unwrap();
                        assert_eq!(original.id, message_id);
                        let _ = checks_tx.send(original.content);
                    }
                    _ => {
                        let deferral = InteractionResponse {
                            kind: InteractionResponseType::DeferredUpdateMessage,
                            data: None,
                        };
                        respond(&http, &interaction, &deferral).await.unwrap();
                        client
                            .update_response(&interaction.token)
                            .content(Some("acknowledged"))
                            .await
                            .unwrap();
                        let _ = checks_tx.send("deferred".to_owned());
                    }
                }
            }
        },
    )
    .await;
    let http = common::http(&emulator);
    let panel = http
        .create_message(world.general)
        .content("Pick a topic")
        .components(&components(json!([
            { "type": 1, "components": [{ "type": 3, "custom_id": "topic", "max_values": 2, "options": [
                { "label": "Billing", "value": "billing" }, { "label": "Bug", "value": "bug" }
            ]}]},
            { "type": 1, "components": [{ "type": 2, "style": 2, "label": "Ack", "custom_id": "ack" }] }
        ])))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let alice = emulator.as_user(world.alice);
    assert!(matches!(
        alice
            .select(world.general, panel.id, "topic", &["refund"])
            .await,
        Err(Error::InvalidSelection(_))
    ));
    let outcome = alice
        .select(world.general, panel.id, "topic", &["billing", "bug"])
        .await
        .unwrap();
    assert_eq!(outcome.expect_message().content(), "picked billing,bug");
    assert_eq!(checks_rx.recv().await.unwrap(), "picked billing,bug");

    let outcome = alice
        .click_button(world.general, panel.id, "ack")
        .await
        .unwrap();
    match outcome.answer() {
        Answer::Updated(message) => {
            assert_eq!(message.id(), panel.id);
            assert_eq!(message.content(), "acknowledged");
        }
        other => panic!("expected the panel to be edited, saw {other:?}"),
    }
    assert_eq!(checks_rx.recv().await.unwrap(), "deferred");
    assert_eq!(
        emulator.message(world.general, panel.id).unwrap().content,
        "acknowledged"
    );
}

#[tokio::test]
async fn a_follow_up_after_the_token_lifetime_is_refused() {
    assert_eq!(
        EmulatorConfig::default().interaction_token_lifetime,
        Duration::from_secs(15 * 60)
    );
    let emulator = common::start_with(|config| {
        config.interaction_token_lifetime = Duration::from_millis(400);
    })
    .await;
    let world = common::world(&emulator, bot_permissions());
    let (codes_tx, mut codes_rx) = mpsc::unbounded_channel::<u64>();
    let _bot = responder(
        &emulator,
        move |http: Arc<Client>, interaction: Interaction| {
            let codes_tx = codes_tx.clone();
            async move {
                respond(&http, &interaction, &reply("ok", None, None))
                    .await
                    .unwrap();
                let client = http.interaction(interaction.application_id);
                let early = client
                    .create_followup(&interaction.token)
                    .content("early")
                    .await;
                let _ = codes_tx.send(early.map_or_else(|error| error_code(&error), |_| 0));
                tokio::time::sleep(Duration::from_millis(500)).await;
                let late = client
                    .create_followup(&interaction.token)
                    .content("late")
                    .await;
                let _ = codes_tx.send(late.map_or_else(|error| error_code(&error), |_| 0));
            }
        },
    )
    .await;
    let http = common::http(&emulator);
    let panel = http
        .create_message(world.general)
        .components(&components(json!([{ "type": 1, "components": [
            { "type": 2, "style": 1, "label": "Go", "custom_id": "go" }
        ]}])))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    emulator
        .as_user(world.alice)
        .click_button(world.general, panel.id, "go")
        .await
        .unwrap();
    assert_eq!(
        codes_rx.recv().await.unwrap(),
        0,
        "a follow-up in time works"
    );
    assert_eq!(
        codes_rx.recv().await.unwrap(),
        50027,
        "Invalid Webhook Token"
    );
}

#[tokio::test]
async fn a_category_holds_50_channels() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let category = emulator.create_category(world.guild, "Tickets").unwrap();
    for index in 0..50 {
        emulator
            .create_text_channel(world.guild, &format!("t{index}"), Some(category))
            .unwrap();
    }
    let http = common::http(&emulator);
    let error = http
        .create_guild_channel(world.guild, "one-too-many")
        .parent_id(category)
        .await
        .unwrap_err();
    let ErrorType::Response { status, body, .. } = error.kind() else {
        panic!("a Discord error, got {error:?}");
    };
    assert_eq!(status.get(), 400);
    let body: serde_json::Value = serde_json::from_slice(body).unwrap();
    assert_eq!(body["code"], 50035);
    assert_eq!(
        body["errors"]["parent_id"]["_errors"][0]["code"],
        "CHANNEL_PARENT_MAX_CHANNELS"
    );
}
