//! Every step of a ticket survives Discord failing under it: a 5xx, a timeout on a request
//! Discord did carry out, and the process killed right after Discord did something and before
//! the bot recorded it. After the retry (or the restart's reconciler) the work is done exactly
//! once: one channel, one welcome message, one transcript, one log entry per event, the right
//! buttons, nothing left pending.

use crate::story::{button_id, close_now, open_ticket};
use crate::world::World;
use discord_emulator::{Emulator, FaultAction, FaultRule};
use helpline_domain::permissions::BOT_REQUIRED;
use helpline_domain::{ChannelId, TicketState, UserId};
use std::future::Future;
use std::time::Duration;

/// The three ways a request can fail the bot.
#[derive(Clone, Copy, Debug)]
enum Fault {
    /// Discord answers 502 without doing anything.
    ServerError,
    /// Discord does it, but answers after the bot's REST timeout.
    TimeoutThatSucceeded,
    /// Discord does it; the process dies before hearing back, and a new one starts.
    CrashAfterDiscordDidIt,
}

const FAULTS: [Fault; 3] = [
    Fault::ServerError,
    Fault::TimeoutThatSucceeded,
    Fault::CrashAfterDiscordDidIt,
];

/// A world whose bot gives up on a request after 2 s.
async fn world() -> World {
    World::build(BOT_REQUIRED, |config| {
        config.rest_timeout = Duration::from_secs(2);
    })
    .await
}

/// Runs `act` (a person clicking) with `fault` on the first request to `method route`, then
/// waits until every effect is settled; returns the world (a new process after a crash).
async fn under_fault<F>(
    world: World,
    method: &str,
    route: &str,
    fault: Fault,
    act: impl FnOnce(Emulator) -> F,
) -> World
where
    F: Future<Output = ()> + Send + 'static,
{
    let action = match fault {
        Fault::ServerError => FaultAction::Fail { status: 502 },
        Fault::TimeoutThatSucceeded => FaultAction::HoldAfterRunning { delay_ms: 3_000 },
        Fault::CrashAfterDiscordDidIt => FaultAction::HoldAfterRunning { delay_ms: 60_000 },
    };
    let rule = world
        .emulator
        .add_fault_rule(FaultRule::new(method, route, action));
    let click = tokio::spawn(act(world.emulator.clone()));
    let world = match fault {
        Fault::CrashAfterDiscordDidIt => {
            world
                .wait_until(|| world.emulator.fault_rule_fired(rule) == 1)
                .await;
            click.abort();
            world.crash_and_restart().await
        }
        _ => {
            click.await.expect("the person's click");
            world
        }
    };
    // The answer may come before the faulty request is made (a deletion answers first).
    world
        .wait_until(|| world.emulator.fault_rule_fired(rule) == 1)
        .await;
    world.wait_for_outbox().await;
    world
}

/// Ticket channels in the guild.
fn ticket_channels(world: &World) -> Vec<ChannelId> {
    world
        .emulator
        .channels(world.guild)
        .into_iter()
        .filter(|c| c.name.as_deref().is_some_and(|n| n.starts_with("ticket-0")))
        .map(|c| c.id)
        .collect()
}

/// How many log entries start with `title`.
async fn log_entries(world: &World, title: &str) -> usize {
    let log = world.log_channel().await;
    world
        .emulator
        .messages(log)
        .iter()
        .filter(|m| {
            m.embeds
                .first()
                .and_then(|e| e.title.as_deref())
                .is_some_and(|t| t.starts_with(title))
        })
        .count()
}

/// How many messages in `channel` contain `text`.
fn messages_with(world: &World, channel: ChannelId, text: &str) -> usize {
    world
        .emulator
        .messages(channel)
        .iter()
        .filter(|m| m.content.contains(text))
        .count()
}

/// The labels of the buttons on a message.
fn labels(message: &twilight_model::channel::Message) -> Vec<String> {
    fn visit(components: &[twilight_model::channel::message::Component], out: &mut Vec<String>) {
        use twilight_model::channel::message::Component;
        for component in components {
            match component {
                Component::ActionRow(row) => visit(&row.components, out),
                Component::Button(button) => out.extend(button.label.clone()),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    visit(&message.components, &mut out);
    out
}

/// Clicks a button of a message as `user`, with the message read when the click happens.
async fn click(emulator: Emulator, user: UserId, channel: ChannelId, pinned: bool, label: &str) {
    let message = if pinned {
        emulator.pins(channel).remove(0)
    } else {
        emulator
            .messages(channel)
            .into_iter()
            .rev()
            .find(|m| labels(m).iter().any(|l| l == label))
            .expect("a message with the button")
    };
    let id = button_id(&message, label);
    let _ = emulator
        .as_user(user)
        .click_button(channel, message.id, &id)
        .await
        .expect("the click reaches the bot");
}

/// Checks what an opened ticket must look like: one channel, one pinned welcome with Claim and
/// Close, one log entry.
async fn assert_opened_once(world: &World) -> ChannelId {
    let channels = ticket_channels(world);
    assert_eq!(
        channels.len(),
        1,
        "exactly one ticket channel: {channels:?}"
    );
    let channel = channels[0];
    let ticket = world.store.ticket_by_channel(channel).await.unwrap();
    assert!(ticket.is_some(), "the channel is the ticket's");
    let pins = world.emulator.pins(channel);
    assert_eq!(pins.len(), 1, "one welcome message");
    assert_eq!(labels(&pins[0]), ["Claim", "Close"]);
    let welcomes = world
        .emulator
        .messages(channel)
        .iter()
        .filter(|m| !m.embeds.is_empty())
        .count();
    assert_eq!(welcomes, 1, "one welcome message posted");
    assert_eq!(log_entries(world, "Ticket opened").await, 1);
    channel
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_survives_every_fault() {
    for (method, route) in [
        ("POST", "/guilds/{guild_id}/channels"),
        ("POST", "/channels/{channel_id}/messages"),
    ] {
        for fault in FAULTS {
            let world = world().await;
            let panel = world.set_up().await;
            let [mia, ..] = world.members;
            let panel_message = world.panel_message(panel);
            let world = under_fault(world, method, route, fault, move |emulator| async move {
                let _ = emulator
                    .as_user(mia)
                    .click_button(panel, panel_message.id, "hl:open:1")
                    .await;
            })
            .await;
            let channel = assert_opened_once(&world).await;
            assert!(world.emulator.can_view(mia, channel));
            world.bot.stop().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_a_thread_survives_every_fault() {
    for fault in FAULTS {
        let world = World::build(crate::threads::WITH_THREADS, |config| {
            config.rest_timeout = Duration::from_secs(2);
        })
        .await;
        let panel = crate::threads::thread_panel(&world).await;
        let [mia, ..] = world.members;
        let panel_message = world.panel_message(panel);
        let world = under_fault(
            world,
            "POST",
            "/channels/{channel_id}/threads",
            fault,
            move |emulator| async move {
                let _ = emulator
                    .as_user(mia)
                    .click_button(panel, panel_message.id, "hl:open:1")
                    .await;
            },
        )
        .await;
        let threads = world.emulator.threads(world.guild);
        assert_eq!(threads.len(), 1, "exactly one ticket thread ({fault:?})");
        let thread = threads[0].id;
        assert!(
            world
                .store
                .ticket_by_channel(thread)
                .await
                .unwrap()
                .is_some()
        );
        assert!(world.emulator.thread_members(thread).contains(&mia));
        assert_eq!(world.emulator.pins(thread).len(), 1, "one welcome message");
        assert_eq!(log_entries(&world, "Ticket opened").await, 1);
        world.bot.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claiming_survives_every_fault() {
    for fault in FAULTS {
        let world = world().await;
        let panel = world.set_up().await;
        let [mia, ..] = world.members;
        let [sam, _] = world.staff;
        let (_, channel) = open_ticket(&world, panel, mia).await;
        let channel = channel.unwrap();
        let world = under_fault(
            world,
            "POST",
            &format!("/channels/{channel}/messages"),
            fault,
            move |emulator| click(emulator, sam, channel, true, "Claim"),
        )
        .await;
        assert_opened_once_after_claim(&world, channel).await;
        world.bot.stop().await;
    }
}

async fn assert_opened_once_after_claim(world: &World, channel: ChannelId) {
    assert_eq!(ticket_channels(world), [channel]);
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.state, TicketState::Claimed);
    assert_eq!(messages_with(world, channel, "claimed this ticket"), 1);
    assert_eq!(
        labels(&world.emulator.pins(channel)[0]),
        ["Unclaim", "Close"]
    );
    assert_eq!(log_entries(world, "Ticket claimed").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_survives_every_fault() {
    // The overwrites, the closed notice, and the transcript posted to the log.
    for target in ["overwrites", "notice", "transcript"] {
        for fault in FAULTS {
            let world = world().await;
            let panel = world.set_up().await;
            let [mia, ..] = world.members;
            let (_, channel) = open_ticket(&world, panel, mia).await;
            let channel = channel.unwrap();
            let log = world.log_channel().await;
            let (method, route) = match target {
                "overwrites" => ("PATCH", format!("/channels/{channel}")),
                "notice" => ("POST", format!("/channels/{channel}/messages")),
                _ => ("POST", format!("/channels/{log}/messages")),
            };
            // The confirmation first (no fault), then "Close now" under the fault.
            let welcome = world.emulator.pins(channel).remove(0);
            let confirm = world
                .emulator
                .as_user(mia)
                .click_button(channel, welcome.id, &button_id(&welcome, "Close"))
                .await
                .unwrap();
            let confirm = confirm.expect_message();
            let close_id = confirm
                .buttons()
                .into_iter()
                .find(|b| b.label.as_deref() == Some("Close now"))
                .unwrap()
                .custom_id
                .unwrap();
            let confirmation = confirm.id();
            let world = under_fault(world, method, &route, fault, move |emulator| async move {
                let _ = emulator
                    .as_user(mia)
                    .click_button(channel, confirmation, &close_id)
                    .await;
            })
            .await;
            assert_closed_once(&world, channel, mia).await;
            world.bot.stop().await;
        }
    }
}

async fn assert_closed_once(world: &World, channel: ChannelId, opener: UserId) {
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.state, TicketState::Closed);
    assert!(
        !world
            .emulator
            .permissions(opener, channel)
            .contains(helpline_domain::permissions::Permissions::SEND_MESSAGES),
        "read-only for the opener"
    );
    let log = world.log_channel().await;
    let transcripts = world
        .emulator
        .messages(log)
        .iter()
        .filter(|m| {
            m.attachments
                .iter()
                .any(|a| a.filename == "transcript-0001.html")
        })
        .count();
    assert_eq!(transcripts, 1, "one transcript in the log");
    assert_eq!(log_entries(world, "Ticket closed").await, 1);
    let notices: Vec<_> = world
        .emulator
        .messages(channel)
        .into_iter()
        .filter(|m| m.content.contains("closed this ticket"))
        .collect();
    assert_eq!(notices.len(), 1, "one closed notice");
    assert_eq!(labels(&notices[0]), ["Reopen", "Delete"]);
    assert!(labels(&world.emulator.pins(channel)[0]).is_empty());
    let dms = world
        .emulator
        .dm_messages(opener)
        .iter()
        .filter(|m| {
            m.attachments
                .iter()
                .any(|a| a.filename == "transcript-0001.html")
        })
        .count();
    assert_eq!(dms, 1, "one DM with the transcript");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_and_deleting_survive_every_fault() {
    for fault in FAULTS {
        let world = world().await;
        let panel = world.set_up().await;
        let [mia, ..] = world.members;
        let [sam, _] = world.staff;
        let (_, channel) = open_ticket(&world, panel, mia).await;
        let channel = channel.unwrap();
        close_now(&world, channel, mia).await;
        world.wait_for_outbox().await;
        let world = under_fault(
            world,
            "PATCH",
            &format!("/channels/{channel}"),
            fault,
            move |emulator| click(emulator, sam, channel, false, "Reopen"),
        )
        .await;
        let ticket = world.ticket_in(channel).await;
        assert_eq!(ticket.state, TicketState::Open, "{fault:?}");
        assert!(
            world
                .emulator
                .permissions(mia, channel)
                .contains(helpline_domain::permissions::Permissions::SEND_MESSAGES),
            "she can write again"
        );
        assert_eq!(messages_with(&world, channel, "reopened this ticket"), 1);
        assert_eq!(labels(&world.emulator.pins(channel)[0]), ["Claim", "Close"]);
        let closed_notice = world
            .emulator
            .messages(channel)
            .into_iter()
            .find(|m| m.content.contains("closed this ticket"))
            .unwrap();
        assert!(
            labels(&closed_notice).is_empty(),
            "Reopen and Delete are gone"
        );
        assert_eq!(log_entries(&world, "Ticket reopened").await, 1);

        // Close again, then delete under the same fault.
        close_now(&world, channel, mia).await;
        world.wait_for_outbox().await;
        let world = under_fault(
            world,
            "DELETE",
            &format!("/channels/{channel}"),
            fault,
            move |emulator| click(emulator, sam, channel, false, "Delete"),
        )
        .await;
        assert!(
            world.emulator.channel(channel).is_none(),
            "the channel is gone"
        );
        assert!(ticket_channels(&world).is_empty(), "nothing orphaned");
        let ticket = world.store.ticket(ticket.id).await.unwrap().unwrap();
        assert_eq!(ticket.state, TicketState::Deleted);
        assert_eq!(log_entries(&world, "Ticket deleted").await, 1);
        world.bot.stop().await;
    }
}
