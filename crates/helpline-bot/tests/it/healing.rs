//! Tickets that heal themselves: a channel deleted by hand, an opener who leaves, the bot removed
//! from a guild, stale buttons, and work a crash left halfway.

use crate::story::{button_id, open_ticket};
use crate::world::{World, now_plus};
use helpline_domain::{CloseReason, OpenerLeaves, TicketState};

/// The log channel's embed titles.
fn log_titles(world: &World, log: helpline_domain::ChannelId) -> Vec<String> {
    world
        .emulator
        .messages(log)
        .iter()
        .filter_map(|m| m.embeds.first().and_then(|e| e.title.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_deleted_by_hand_closes_its_ticket_and_the_member_can_open_again() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.expect("a ticket channel");
    world
        .emulator
        .as_user(mia)
        .send_message(channel, "Hello?", Vec::<(&str, Vec<u8>)>::new())
        .await
        .unwrap();
    world.wait_for_transcript(channel, 3).await;
    let ticket = world.ticket_in(channel).await;

    // An admin deletes the channel in Discord's own UI.
    world.emulator.delete_channel(channel).unwrap();
    world
        .wait_until_async(async || {
            let ticket = world.store.ticket(ticket.id).await.unwrap().unwrap();
            ticket.state == TicketState::Deleted
        })
        .await;
    let ended = world.store.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(ended.close_reason, Some(CloseReason::ChannelDeleted));
    assert_eq!(ended.channel, None);
    let log = world.log_channel().await;
    world
        .wait_until(|| {
            world.emulator.messages(log).iter().any(|m| {
                m.attachments
                    .iter()
                    .any(|a| a.filename == "transcript-0001.html")
            })
        })
        .await;
    // Logged (the entry follows the transcript and the DM).
    world
        .wait_until(|| {
            log_titles(&world, log)
                .iter()
                .any(|t| t.starts_with("Ticket closed"))
        })
        .await;
    // The transcript kept what was said; the member is told by DM.
    let messages = world.store.transcript(ticket.id).await.unwrap();
    assert!(messages.iter().any(|m| m.content == "Hello?"));
    world
        .wait_until(|| {
            world
                .emulator
                .dm_messages(mia)
                .iter()
                .any(|m| m.content.contains("its channel was deleted"))
        })
        .await;

    // No stale "you already have a ticket": she opens a new one (once the panel's cooldown,
    // which counts the ended ticket as a recent open, is out of the way).
    let mut config = world.config().await;
    config.panels[0].settings.cooldown_secs = 0;
    world.store.save_guild_config(&config).await.unwrap();
    let (reply, again) = open_ticket(&world, panel_channel, mia).await;
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
    assert_ne!(again, Some(channel));
    world.wait_for_outbox().await;
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opener_leaving_closes_the_ticket_or_tells_staff_as_the_guild_chose() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, max, _] = world.members;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let ticket = world.ticket_in(channel).await;

    // By default the ticket closes.
    world
        .emulator
        .as_user(mia)
        .leave_guild(world.guild)
        .await
        .unwrap();
    world
        .wait_until_async(async || {
            world.store.ticket(ticket.id).await.unwrap().unwrap().state == TicketState::Closed
        })
        .await;
    let closed = world.store.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(closed.close_reason, Some(CloseReason::OpenerLeft));
    world
        .wait_until(|| {
            world
                .emulator
                .messages(channel)
                .iter()
                .any(|m| m.content.contains("left the server"))
        })
        .await;

    // A guild that keeps such tickets: Max's stays open and staff read why.
    let mut config = world.config().await;
    config.settings.opener_leaves = OpenerLeaves::Keep;
    world.store.save_guild_config(&config).await.unwrap();
    let (_, channel) = open_ticket(&world, panel_channel, max).await;
    let channel = channel.unwrap();
    let ticket = world.ticket_in(channel).await;
    world.emulator.remove_member(world.guild, max).unwrap();
    world
        .wait_until(|| {
            world.emulator.messages(channel).iter().any(|m| {
                m.content.contains(&format!("<@{max}> a quitté le serveur"))
                    || m.content.contains("left the server. The ticket stays open")
            })
        })
        .await;
    assert_eq!(
        world.store.ticket(ticket.id).await.unwrap().unwrap().state,
        TicketState::Open
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_removed_from_a_guild_drops_its_work_there_without_looping() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let ticket = world.ticket_in(channel).await;
    world
        .emulator
        .remove_member(world.guild, world.emulator.bot_user_id())
        .unwrap();
    world
        .wait_until(|| !world.bot.bot.knows_guild(world.guild))
        .await;
    // Whatever was pending for the guild is dropped; the data stays.
    world.wait_for_outbox().await;
    let requests = world.emulator.requests().len();
    world.bot.bot.reconcile().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        world.emulator.requests().len(),
        requests,
        "nothing more is sent for a guild the bot left"
    );
    assert!(world.store.ticket(ticket.id).await.unwrap().is_some());
    assert!(
        world
            .store
            .guild_config(world.guild)
            .await
            .unwrap()
            .is_some()
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_button_gets_a_translated_answer() {
    let world = World::new().await;
    let [mia, max, _] = world.members;
    // A message an older version posted, with a button of a feature since removed.
    let http = twilight_http::Client::builder()
        .token(world.emulator.bot_token().to_owned())
        .proxy(world.emulator.http_host().to_owned(), true)
        .ratelimiter(None)
        .build();
    let old = http
        .create_message(world.general)
        .content("Rate our support")
        .components(&[twilight_model::channel::message::Component::ActionRow(
            twilight_model::channel::message::component::ActionRow {
                id: None,
                components: vec![twilight_model::channel::message::Component::Button(
                    twilight_model::channel::message::component::Button {
                        custom_id: Some("hl:feedback:42".into()),
                        disabled: false,
                        emoji: None,
                        id: None,
                        label: Some("Rate".into()),
                        sku_id: None,
                        style: twilight_model::channel::message::component::ButtonStyle::Primary,
                        url: None,
                    },
                )],
            },
        )])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let answer = world
        .emulator
        .as_user(mia)
        .click_button(world.general, old.id, "hl:feedback:42")
        .await
        .unwrap();
    let answer = answer.expect_message();
    assert!(answer.ephemeral);
    assert!(
        answer.text().contains("no longer in use"),
        "{}",
        answer.text()
    );
    let answer = world
        .emulator
        .as_user(max)
        .click_button(world.general, old.id, "hl:feedback:42")
        .await
        .unwrap();
    assert!(
        answer
            .expect_message()
            .text()
            .contains("n'est plus utilisé"),
        "{}",
        answer.expect_message().text()
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_a_crash_left_unannounced_gets_its_channel_after_restart() {
    let world = World::new().await;
    let _panel = world.set_up().await;
    let [mia, ..] = world.members;
    // The process stored the ticket and died before committing its effects.
    let ticket = world.interrupted_open(4242, mia, now_plus(0)).await;
    assert_eq!(ticket.version, 0);
    let world = world.crash_and_restart().await;
    world
        .wait_until_async(async || {
            world
                .store
                .ticket(ticket.id)
                .await
                .unwrap()
                .unwrap()
                .channel
                .is_some()
        })
        .await;
    let repaired = world.store.ticket(ticket.id).await.unwrap().unwrap();
    let channel = repaired.channel.unwrap().id;
    world
        .wait_until(|| world.emulator.pins(channel).len() == 1)
        .await;
    let welcome = world.emulator.pins(channel).remove(0);
    assert!(
        welcome.content.contains(&format!("<@{mia}>")),
        "she is mentioned"
    );
    button_id(&welcome, "Claim");
    world.wait_for_outbox().await;
    // The restarted process found its commands registered and did not overwrite them.
    let overwrites = world
        .emulator
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.route.ends_with("/commands"))
        .count();
    assert_eq!(overwrites, 1, "one bulk overwrite, by the first process");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_ticket_left_without_channel_or_work_is_abandoned() {
    let world = World::new().await;
    let _panel = world.set_up().await;
    let [mia, ..] = world.members;
    let config = world.config().await;
    let now = now_plus(-60_000);
    let ticket = world.interrupted_open(777, mia, now).await;
    // Announced, but every effect was given up (Discord kept refusing) and no channel exists.
    let transition = helpline_domain::lifecycle::opened(
        &ticket,
        &helpline_domain::lifecycle::Context {
            config: &config,
            bot_id: world.emulator.bot_user_id(),
            now,
        },
    );
    world
        .store
        .commit_ticket(&transition.ticket, ticket.version, &[], now, None)
        .await
        .unwrap();
    // The reconciler's next pass (it runs on a timer too) abandons it.
    world.bot.bot.reconcile().await.unwrap();
    world
        .wait_until_async(async || {
            world.store.ticket(ticket.id).await.unwrap().unwrap().state == TicketState::Deleted
        })
        .await;
    let ended = world.store.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(ended.state, TicketState::Deleted);
    assert_eq!(ended.close_reason, Some(CloseReason::OpenFailed));
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_made_for_a_ticket_that_ended_meanwhile_is_removed() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    // Discord takes 1.5 s to make the channel; Mia leaves the server in the meantime.
    let mut faults = world.emulator.faults();
    faults.rest_latency.insert(
        "POST /guilds/{guild_id}/channels".to_owned(),
        discord_emulator::Latency {
            fixed_ms: 1_500,
            jitter_ms: 0,
        },
    );
    world.emulator.set_faults(faults);
    let emulator = world.emulator.clone();
    let panel_message = world.panel_message(panel);
    let click = tokio::spawn(async move {
        let _ = emulator
            .as_user(mia)
            .click_button(panel, panel_message.id, "hl:open:1")
            .await;
    });
    world
        .wait_until_async(async || {
            let tickets = world
                .store
                .tickets_by_member(mia, helpline_store::Page::first(1))
                .await
                .unwrap();
            tickets.first().is_some_and(|t| t.version >= 1)
        })
        .await;
    world
        .emulator
        .as_user(mia)
        .leave_guild(world.guild)
        .await
        .unwrap();
    click.await.unwrap();
    world.wait_for_outbox().await;
    let ticket = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(ticket.state, TicketState::Closed);
    assert_eq!(ticket.close_reason, Some(CloseReason::OpenerLeft));
    world
        .wait_until(|| {
            !world
                .emulator
                .channels(world.guild)
                .iter()
                .any(|c| c.name.as_deref() == Some("ticket-0001"))
        })
        .await;
    world.bot.stop().await;
}
