//! Close requests and auto-close (S2), as staff and members live them, with the bot's clock
//! moved forward instead of waiting hours: the opener answers a close request with its
//! buttons (and silence closes the ticket); an idle ticket is warned an hour before it closes,
//! a message cancels that, and the deadlines survive a restart.

use crate::story::{button_id, open_ticket};
use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::{CloseReason, TicketState};
use std::time::Duration;
use twilight_model::channel::Message;
use twilight_model::id::Id;
use twilight_model::id::marker::ChannelMarker;

const HOUR: Duration = Duration::from_secs(3600);

/// The latest message in `channel` whose text contains `text`.
fn latest_with(world: &World, channel: Id<ChannelMarker>, text: &str) -> Option<Message> {
    world
        .emulator
        .messages(channel)
        .into_iter()
        .rev()
        .find(|m| m.content.contains(text))
}

async fn state_of(world: &World, channel: Id<ChannelMarker>) -> helpline_domain::Ticket {
    world
        .store
        .ticket_by_channel(channel)
        .await
        .unwrap()
        .expect("a ticket")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_opener_answers_a_close_request_and_silence_closes_the_ticket() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, _, _] = world.members;
    let [sam, sky] = world.staff;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let request = |user, reason: &'static str| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(
                    world.guild,
                    channel,
                    "close-request",
                    &[("reason", OptionValue::String(reason.into()))],
                )
                .await
                .unwrap();
            let text = outcome.expect_message().text();
            world.wait_for_outbox().await;
            text
        }
    };
    let click = |user, message: &Message, label: &str| {
        let world = &world;
        let (id, custom) = (message.id, button_id(message, label));
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .click_button(channel, id, &custom)
                .await
                .unwrap();
            let text = outcome.expect_message().text();
            world.wait_for_outbox().await;
            text
        }
    };

    // A member cannot ask; staff can, and the opener is pinged with two buttons.
    assert_ne!(
        request(mia, "done?").await,
        request(sam, "Your invoice is fixed").await
    );
    let asked = latest_with(&world, channel, "suggests closing").expect("the request");
    assert!(
        asked.content.starts_with(&format!("<@{mia}>")),
        "{}",
        asked.content
    );
    assert!(asked.content.contains("Your invoice is fixed"));
    assert!(
        asked.mentions.iter().any(|u| u.id == mia),
        "the opener is mentioned"
    );
    assert_eq!(
        world.emulator.notified(asked.id),
        [mia],
        "only the opener is notified, not the staff member it names"
    );
    // The welcome message notifies the opener and the staff role's members.
    let welcome = world.emulator.pins(channel).remove(0);
    let mut told = world.emulator.notified(welcome.id);
    told.sort_unstable();
    let mut expected = vec![mia, sam, sky];
    expected.sort_unstable();
    assert_eq!(told, expected);
    // Asking twice is refused while one waits.
    let twice = request(sam, "again").await;
    assert!(!twice.contains("was asked"), "{twice}");

    // Someone else (here another staff member) cannot answer for the opener.
    click(sky, &asked, "Accept and close").await;
    assert_eq!(state_of(&world, channel).await.state, TicketState::Open);
    assert!(state_of(&world, channel).await.close_request.is_some());
    // The opener keeps it open, and the buttons go away.
    assert_eq!(
        click(mia, &asked, "Keep it open").await,
        "The ticket stays open. Tell the staff what you still need."
    );
    let ticket = state_of(&world, channel).await;
    assert_eq!(ticket.state, TicketState::Open);
    assert!(ticket.close_request.is_none() && ticket.timer.is_none());
    let asked = world.emulator.message(channel, asked.id).expect("kept");
    assert!(asked.components.is_empty(), "no stale buttons");
    assert!(latest_with(&world, channel, "declined the close request").is_some());

    // Asked again, the opener accepts: closed, with the transcript.
    request(sam, "Fixed now").await;
    let asked = latest_with(&world, channel, "Fixed now").expect("the second request");
    assert_eq!(
        click(mia, &asked, "Accept and close").await,
        "The ticket is closed."
    );
    assert_eq!(state_of(&world, channel).await.state, TicketState::Closed);

    // Another ticket: nobody answers for the guild's 24 hours, so it closes by itself.
    let [_, _, noa] = world.members;
    let (_, other) = open_ticket(&world, panel, noa).await;
    let other = other.unwrap();
    let outcome = world
        .emulator
        .as_user(sam)
        .run_command(world.guild, other, "close-request", &[])
        .await
        .unwrap();
    outcome.expect_message();
    world.wait_for_outbox().await;
    world.config.clock.advance(23 * HOUR);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        state_of(&world, other).await.state,
        TicketState::Open,
        "not yet"
    );
    world.config.clock.advance(HOUR);
    world
        .wait_until_async(async || state_of(&world, other).await.state == TicketState::Closed)
        .await;
    world.wait_for_outbox().await;
    let closed = state_of(&world, other).await;
    assert_eq!(
        (closed.close_reason, closed.closed_by),
        (Some(CloseReason::CloseRequestUnanswered(24)), Some(sam))
    );
    let notice = latest_with(&world, other, "closed this ticket").expect("the closed notice");
    assert!(
        notice
            .content
            .contains("Nobody answered the close request for 1 day"),
        "{}",
        notice.content
    );
    let request = latest_with(&world, other, "suggests closing").unwrap();
    assert!(
        request.components.is_empty(),
        "the expired request's buttons are gone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_ticket_is_warned_then_closed_and_a_message_cancels_across_a_restart() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, _, noa] = world.members;
    // A ticket opened before auto-close is turned on gets a deadline when it is.
    let (_, early) = open_ticket(&world, panel, noa).await;
    let early = early.unwrap();
    assert!(state_of(&world, early).await.timer.is_none());
    world
        .admin_runs(
            world.general,
            "settings set",
            &[("auto_close_hours", OptionValue::Integer(24))],
        )
        .await;
    world
        .wait_until_async(async || state_of(&world, early).await.timer.is_some())
        .await;

    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    world.wait_for_outbox().await;
    world.config.clock.advance(23 * HOUR);
    world
        .wait_until(|| latest_with(&world, channel, "will close automatically").is_some())
        .await;
    let warning = latest_with(&world, channel, "will close automatically").unwrap();
    assert!(
        warning.content.contains("<t:"),
        "a time each reader sees in their own words"
    );
    assert!(
        state_of(&world, channel)
            .await
            .auto_close_warned_at
            .is_some()
    );

    // Mia answers: the warning is cancelled, the hour passes, the ticket stays open.
    world
        .emulator
        .as_user(mia)
        .send_message(channel, "Still here!", Vec::<(String, Vec<u8>)>::new())
        .await
        .unwrap();
    world
        .wait_until_async(async || {
            state_of(&world, channel)
                .await
                .auto_close_warned_at
                .is_none()
        })
        .await;
    world.config.clock.advance(HOUR);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(state_of(&world, channel).await.state, TicketState::Open);

    // A restart keeps the deadline: 23 hours after Mia's message the warning comes again,
    // and an hour of silence later the ticket closes.
    let world = world.crash_and_restart().await;
    world.config.clock.advance(22 * HOUR);
    world
        .wait_until(|| {
            world
                .emulator
                .messages(channel)
                .iter()
                .filter(|m| m.content.contains("will close automatically"))
                .count()
                == 2
        })
        .await;
    world.config.clock.advance(HOUR);
    world
        .wait_until_async(async || state_of(&world, channel).await.state == TicketState::Closed)
        .await;
    world.wait_for_outbox().await;
    assert_eq!(
        state_of(&world, channel).await.close_reason,
        Some(CloseReason::Inactive(24))
    );
    assert!(latest_with(&world, channel, "closed automatically after").is_some());
    let log = world.emulator.messages(world.log_channel().await);
    assert!(
        log.iter()
            .flat_map(|m| &m.attachments)
            .any(|a| a.filename == "transcript-0002.html"),
        "the auto-closed ticket's transcript is in the log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_tickets_transcript_is_deleted_after_the_guilds_retention() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    world
        .admin_runs(
            world.general,
            "settings set",
            &[("retention_days", OptionValue::Integer(30))],
        )
        .await;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    world
        .emulator
        .as_user(mia)
        .send_message(
            channel,
            "my address is 1 Main St",
            [("id.txt", b"secret".as_slice())],
        )
        .await
        .unwrap();
    world.wait_for_transcript(channel, 3).await;
    crate::story::close_now(&world, channel, mia).await;
    world.wait_for_outbox().await;
    let ticket = state_of(&world, channel).await;
    let closed_at = ticket.closed_at.unwrap();
    assert_eq!(ticket.purge_at, Some(closed_at.plus(30 * 24 * HOUR)));
    // A retention changed later applies to tickets already closed, both ways.
    for days in [60, 30] {
        world
            .admin_runs(
                world.general,
                "settings set",
                &[("retention_days", OptionValue::Integer(days))],
            )
            .await;
        let expected = closed_at.plus(days as u32 * 24 * HOUR);
        world
            .wait_until_async(async || state_of(&world, channel).await.purge_at == Some(expected))
            .await;
    }

    world.config.clock.advance(29 * 24 * HOUR);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !world.store.transcript(ticket.id).await.unwrap().is_empty(),
        "kept 30 days"
    );
    world.config.clock.advance(2 * 24 * HOUR);
    world
        .wait_until_async(async || state_of(&world, channel).await.transcript_purged)
        .await;
    assert!(world.store.transcript(ticket.id).await.unwrap().is_empty());
    assert!(
        world
            .store
            .attachment_sizes(ticket.id)
            .await
            .unwrap()
            .is_empty(),
        "attachments go with it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_may_have_its_own_auto_close_delay() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    world
        .admin_runs(
            world.general,
            "settings set",
            &[("auto_close_hours", OptionValue::Integer(24))],
        )
        .await;
    let panel_edit = |hours: i64| {
        let world = &world;
        async move {
            world
                .admin_runs(
                    world.general,
                    "panel edit",
                    &[
                        ("panel", OptionValue::String("support".into())),
                        ("auto_close_hours", OptionValue::Integer(hours)),
                    ],
                )
                .await
        }
    };
    panel_edit(2).await;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let ticket = state_of(&world, channel).await;
    let timer = ticket.timer.expect("the panel's delay");
    assert_eq!(
        timer.at,
        ticket.last_activity_at.plus(HOUR),
        "warned an hour before 2 h"
    );

    // 0: never on this panel; -1: the server's 24 hours again.
    panel_edit(0).await;
    world
        .wait_until_async(async || state_of(&world, channel).await.timer.is_none())
        .await;
    panel_edit(-1).await;
    world
        .wait_until_async(async || {
            let ticket = state_of(&world, channel).await;
            ticket.timer.map(|t| t.at) == Some(ticket.last_activity_at.plus(23 * HOUR))
        })
        .await;
}
