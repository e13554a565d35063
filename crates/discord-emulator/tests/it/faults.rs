//! Fault rules: counted failures of the requests a test names, answers lost after the request
//! ran, and answers held past a client's timeout.

use std::time::Duration;

use discord_emulator::{FaultAction, FaultRule, Faults};
use serde_json::json;
use twilight_http::{Client, api_error::ApiError, error::ErrorType};
use twilight_model::{
    channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType},
    guild::Permissions,
};

use crate::common::{self, bot_permissions, raw_request};

const MESSAGES: &str = "/channels/{channel_id}/messages";
const CHANNELS: &str = "/guilds/{guild_id}/channels";

/// The HTTP status of a failed twilight-http request.
fn status(error: &twilight_http::Error) -> u16 {
    match error.kind() {
        ErrorType::Response {
            error: ApiError::General(_),
            status,
            ..
        } => status.get(),
        other => panic!("expected an error response, got {other:?}"),
    }
}

#[tokio::test]
async fn a_fail_rule_refuses_exactly_the_named_requests_without_running_them() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let rule = emulator.add_fault_rule(FaultRule::fail("POST", MESSAGES, 503).times(2));

    http.create_guild_channel(world.guild, "other-route")
        .await
        .expect("another route is not hit");
    http.channel(world.general)
        .await
        .expect("another method of a route is not hit");
    for attempt in 0..2 {
        let error = http
            .create_message(world.general)
            .content("hello")
            .await
            .unwrap_err();
        assert_eq!(status(&error), 503, "attempt {attempt}");
    }
    assert!(
        emulator.messages(world.general).is_empty(),
        "a failed request did not run"
    );
    assert_eq!(emulator.fault_rule_fired(rule), 2);
    http.create_message(world.general)
        .content("third time lucky")
        .await
        .expect("a spent rule does nothing");
    assert_eq!(emulator.messages(world.general).len(), 1);
    assert_eq!(emulator.fault_rule_fired(rule), 2);
    let statuses = emulator.fault_rules();
    assert_eq!(statuses.len(), 1);
    assert_eq!((statuses[0].remaining, statuses[0].fired), (0, 2));

    emulator.clear_fault_rules();
    assert!(emulator.fault_rules().is_empty());
}

#[tokio::test]
async fn a_fail_after_running_rule_does_the_work_and_loses_the_answer() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let channel_rule =
        emulator.add_fault_rule(FaultRule::fail_after_running("POST", CHANNELS, 502));
    let message_rule =
        emulator.add_fault_rule(FaultRule::fail_after_running("POST", MESSAGES, 500));

    let error = http
        .create_guild_channel(world.guild, "ticket-0001")
        .await
        .unwrap_err();
    assert_eq!(status(&error), 502);
    assert!(
        emulator
            .channels(world.guild)
            .iter()
            .any(|channel| channel.name.as_deref() == Some("ticket-0001")),
        "the channel was created although the answer was a 502"
    );
    assert_eq!(emulator.fault_rule_fired(channel_rule), 1);

    let error = http
        .create_message(world.general)
        .content("posted")
        .await
        .unwrap_err();
    assert_eq!(status(&error), 500);
    let messages = emulator.messages(world.general);
    assert_eq!(messages.len(), 1, "the message was posted");
    assert_eq!(messages[0].content, "posted");
    assert_eq!(emulator.fault_rule_fired(message_rule), 1);
    let recorded = emulator
        .requests()
        .into_iter()
        .rfind(|request| request.is("POST", MESSAGES))
        .unwrap();
    assert_eq!(recorded.status, 500, "the log shows what the client got");
}

#[tokio::test]
async fn after_running_rules_wait_for_a_request_that_succeeds() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let read_only = emulator
        .create_channel(
            world.guild,
            discord_emulator::ChannelSpec::text("read-only").overwrites(vec![
                PermissionOverwrite {
                    allow: Permissions::empty(),
                    deny: Permissions::SEND_MESSAGES,
                    id: world.guild.cast(),
                    kind: PermissionOverwriteType::Role,
                },
            ]),
        )
        .unwrap();
    let rule = emulator.add_fault_rule(FaultRule::fail_after_running("POST", MESSAGES, 502));

    let error = http
        .create_message(read_only)
        .content("refused")
        .await
        .unwrap_err();
    assert_eq!(status(&error), 403, "the route's own refusal is answered");
    assert_eq!(
        emulator.fault_rule_fired(rule),
        0,
        "and does not consume the rule"
    );

    let error = http
        .create_message(world.general)
        .content("accepted")
        .await
        .unwrap_err();
    assert_eq!(status(&error), 502);
    assert_eq!(emulator.fault_rule_fired(rule), 1);
    assert_eq!(emulator.messages(world.general).len(), 1);
}

#[tokio::test]
async fn a_hold_after_running_rule_makes_a_client_time_out_on_a_request_that_succeeded() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let impatient = Client::builder()
        .proxy(emulator.http_host().to_owned(), true)
        .token(emulator.bot_token().to_owned())
        .timeout(Duration::from_millis(200))
        .build();
    let rule = emulator.add_fault_rule(FaultRule::hold_after_running(
        "POST",
        MESSAGES,
        Duration::from_millis(1_000),
    ));

    let error = impatient
        .create_message(world.general)
        .content("slow but sent")
        .await
        .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorType::RequestTimedOut),
        "{error:?}"
    );
    let messages = emulator.messages(world.general);
    assert_eq!(messages.len(), 1, "Discord did post the message");
    assert_eq!(messages[0].content, "slow but sent");
    assert_eq!(emulator.fault_rule_fired(rule), 1);

    let started = std::time::Instant::now();
    impatient
        .create_message(world.general)
        .content("fast")
        .await
        .expect("a spent rule holds nothing");
    assert!(started.elapsed() < Duration::from_millis(200));
}

#[tokio::test]
async fn fault_rules_through_the_admin_routes_and_with_rate_faults() {
    let emulator = common::start().await;
    let world = common::world(&emulator, bot_permissions());
    let http = common::http(&emulator);
    let rules_url = "/_emulator/faults/rules";

    let body = json!({
        "method": "GET",
        "route": "/channels/{channel_id}",
        "action": {"type": "fail", "status": 500},
    })
    .to_string();
    let added = raw_request(&emulator, "POST", rules_url, None, Some(&body)).await;
    assert_eq!(added.status, 200, "{:?}", added.json());
    let added = added.json();
    assert_eq!(added["times"], 1);
    assert_eq!(added["remaining"], 1);
    assert_eq!(added["fired"], 0);
    assert_eq!(added["action"]["type"], "fail");

    let by_path = json!({
        "route": format!("/api/v10/channels/{}/messages", world.general),
        "times": 1,
        "action": {"type": "hold_after_running", "delay_ms": 10},
    })
    .to_string();
    let added_by_path = raw_request(&emulator, "POST", rules_url, None, Some(&by_path)).await;
    assert_eq!(added_by_path.status, 200);

    let invalid = json!({"route": "*", "action": {"type": "explode"}}).to_string();
    let refused = raw_request(&emulator, "POST", rules_url, None, Some(&invalid)).await;
    assert_eq!(refused.status, 400);
    let bad_status = json!({"route": "*", "action": {"type": "fail", "status": 1000}}).to_string();
    let refused = raw_request(&emulator, "POST", rules_url, None, Some(&bad_status)).await;
    assert_eq!(refused.status, 400);

    let error = http.channel(world.general).await.unwrap_err();
    assert_eq!(status(&error), 500);
    http.create_message(world.general)
        .content("held a little")
        .await
        .unwrap();
    let listed = raw_request(&emulator, "GET", rules_url, None, None)
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["fired"], 1);
    assert_eq!(listed[0]["remaining"], 0);
    assert_eq!(listed[0]["id"], added["id"]);
    assert_eq!(listed[1]["fired"], 1);
    assert_eq!(
        emulator.fault_rules()[1].rule.action,
        FaultAction::HoldAfterRunning { delay_ms: 10 }
    );

    // The rate-based faults go on working beside the rules.
    emulator.set_faults(Faults {
        error_rate: 1.0,
        error_status: 503,
        ..Faults::default()
    });
    let error = http.channel(world.general).await.unwrap_err();
    assert_eq!(status(&error), 503);
    emulator.set_faults(Faults::default());
    assert_eq!(
        emulator.fault_rules().len(),
        2,
        "set_faults leaves the rules"
    );

    let cleared = raw_request(&emulator, "DELETE", rules_url, None, None).await;
    assert_eq!(cleared.status, 204);
    assert!(emulator.fault_rules().is_empty());
    http.channel(world.general).await.unwrap();
}

#[tokio::test]
async fn fault_rules_given_at_start_are_in_force() {
    let emulator = common::start_with(|config| {
        config.fault_rules = vec![
            "GET /users/@me=fail:502x1"
                .parse()
                .expect("a rule as the CLI takes it"),
        ];
    })
    .await;
    let http = common::http(&emulator);
    let error = http.current_user().await.unwrap_err();
    assert_eq!(status(&error), 502);
    http.current_user().await.unwrap();
    assert_eq!(emulator.fault_rules()[0].fired, 1);
}
