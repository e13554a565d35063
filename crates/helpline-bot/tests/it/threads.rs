//! Thread mode (A6): a panel whose tickets are private threads of its channel, as an admin turns
//! it on, a member opens one, staff work in it, and Discord's thread rules apply (archive and
//! lock on close, reopen, members instead of roles, the active threads' limit), and the same
//! clear answer at Discord's limit of channels in channel mode.

use crate::story::{button_id, close_now, find_button, open_ticket};
use crate::world::World;
use discord_emulator::{EmulatorConfig, OptionValue};
use helpline_domain::permissions::BOT_REQUIRED;
use helpline_domain::{ChannelId, TicketMode, TicketState};
use twilight_model::channel::ChannelType;
use twilight_model::guild::Permissions;

/// What thread mode needs beyond Helpline's usual permissions (@everyone already gives Create
/// Private Threads and Send Messages in Threads by default).
pub(crate) const WITH_THREADS: Permissions = BOT_REQUIRED.union(Permissions::MANAGE_THREADS);

/// `/setup`, then `/panel edit panel:support mode:thread`; returns the panel channel.
pub(crate) async fn thread_panel(world: &World) -> ChannelId {
    let panel = world.set_up().await;
    let answer = world
        .admin_runs(
            world.general,
            "panel edit",
            &[
                ("panel", OptionValue::String("support".into())),
                ("mode", OptionValue::String("thread".into())),
            ],
        )
        .await;
    assert!(answer.starts_with("Panel **support** saved"), "{answer}");
    panel
}

fn archived_and_locked(world: &World, thread: ChannelId) -> (bool, bool) {
    let metadata = world
        .emulator
        .channel(thread)
        .and_then(|c| c.thread_metadata)
        .expect("a thread");
    (metadata.archived, metadata.locked)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_as_private_threads_from_opening_to_deletion() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, max, noa] = world.members;
    let [sam, sky] = world.staff;
    let edit = |mode: &'static str| {
        let world = &world;
        async move {
            world
                .admin_runs(
                    world.general,
                    "panel edit",
                    &[
                        ("panel", OptionValue::String("support".into())),
                        ("mode", OptionValue::String(mode.into())),
                    ],
                )
                .await
        }
    };

    // Without Manage Threads the admin is told what to grant, and nothing changes.
    let refused = edit("thread").await;
    assert!(
        refused.contains("private threads") && refused.contains("Manage Threads"),
        "{refused}"
    );
    assert!(refused.ends_with("Nothing was saved."), "{refused}");
    let config = world.config().await;
    assert_eq!(config.panels[0].settings.ticket_mode, TicketMode::Channel);

    // Granted, the change is saved and `/panel list` says so.
    world
        .emulator
        .set_bot_permissions(world.guild, WITH_THREADS)
        .unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let answer = edit("thread").await;
        if answer.starts_with("Panel **support** saved") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{answer}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let listed = world.admin_runs(world.general, "panel list", &[]).await;
    assert!(
        listed.contains("tickets: Private thread in the panel's channel"),
        "{listed}"
    );

    // Mia opens a ticket: a private thread of the panel channel, not a channel.
    let channels_before = world.emulator.channels(world.guild).len();
    let (reply, thread) = open_ticket(&world, panel, mia).await;
    let thread = thread.unwrap_or_else(|| panic!("{reply}"));
    world.wait_for_outbox().await;
    let made = world.emulator.channel(thread).unwrap();
    assert_eq!(made.kind, ChannelType::PrivateThread);
    assert_eq!(made.parent_id, Some(panel));
    assert_eq!(world.emulator.channels(world.guild).len(), channels_before);
    // Mia and the staff (invited by the welcome's mention of their role) are in it; Noa does
    // not even see it.
    let members = world.emulator.thread_members(thread);
    for user in [mia, sam, sky] {
        assert!(members.contains(&user), "{user} in {members:?}");
    }
    assert!(!world.emulator.can_view(noa, thread));
    let welcome = world.emulator.pins(thread).remove(0);
    assert!(world.emulator.notified(welcome.id).contains(&sam));
    world
        .emulator
        .as_user(mia)
        .send_text(thread, "My order never came.")
        .await
        .unwrap();

    // Staff claim it and add Max; a role cannot be added to a thread.
    world
        .emulator
        .as_user(sam)
        .click_button(thread, welcome.id, &button_id(&welcome, "Claim"))
        .await
        .unwrap();
    world.wait_for_outbox().await;
    assert_eq!(world.ticket_in(thread).await.state, TicketState::Claimed);
    let runs = |user, command: &'static str, options: Vec<(&'static str, OptionValue)>| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(world.guild, thread, command, &options)
                .await
                .unwrap();
            let text = outcome.expect_message().text();
            world.wait_for_outbox().await;
            text
        }
    };
    assert_eq!(
        runs(sam, "add member", vec![("member", OptionValue::User(max))]).await,
        "They can now see this ticket and write in it."
    );
    assert!(world.emulator.thread_members(thread).contains(&max));
    assert!(world.emulator.can_view(max, thread));
    assert_eq!(
        runs(
            sam,
            "remove member",
            vec![("member", OptionValue::User(max))]
        )
        .await,
        "They no longer see this ticket."
    );
    assert!(!world.emulator.can_view(max, thread));
    assert_eq!(
        runs(
            sam,
            "add role",
            vec![("role", OptionValue::Role(world.staff_role))]
        )
        .await,
        "This ticket is a private thread, which can hold members but not roles. Add the members \
         one by one instead."
    );

    // Closing: the closed notice is posted, then the thread is archived and locked; Mia reads
    // it but cannot write, and the transcript reaches the log channel.
    let (_, _, closed) = close_now(&world, thread, sam).await;
    assert!(!closed.is_empty());
    world.wait_for_outbox().await;
    assert_eq!(archived_and_locked(&world, thread), (true, true));
    assert!(
        world
            .emulator
            .messages(thread)
            .iter()
            .any(|m| m.content.contains("closed"))
    );
    assert!(world.emulator.can_view(mia, thread));
    assert!(
        world
            .emulator
            .as_user(mia)
            .send_text(thread, "hello?")
            .await
            .is_err(),
        "a locked thread takes no message from members"
    );
    let log = world.log_channel().await;
    world
        .wait_until(|| {
            world
                .emulator
                .messages(log)
                .iter()
                .any(|m| m.attachments.iter().any(|a| a.filename.ends_with(".html")))
        })
        .await;

    // Reopened: unarchived and unlocked, Mia writes again.
    assert!(!runs(sam, "reopen", vec![]).await.is_empty());
    assert_eq!(archived_and_locked(&world, thread), (false, false));
    world
        .emulator
        .as_user(mia)
        .send_text(thread, "Still waiting.")
        .await
        .unwrap();

    // Discord archives the thread after a quiet week: a rename still goes through (the bot
    // unarchives it first).
    world.emulator.auto_archive_thread(thread).unwrap();
    assert_eq!(
        runs(
            sam,
            "rename",
            vec![("name", OptionValue::String("Order 42".into()))]
        )
        .await,
        "The ticket channel is renamed."
    );
    let renamed = world.emulator.channel(thread).unwrap();
    assert_eq!(
        renamed.name.as_deref(),
        Some("Order 42"),
        "thread names keep spaces"
    );
    assert_eq!(archived_and_locked(&world, thread), (false, false));

    // Archived by Discord again, then closed: the welcome loses its buttons and the notice is
    // posted all the same, then the thread is archived and locked.
    world.emulator.auto_archive_thread(thread).unwrap();
    close_now(&world, thread, sam).await;
    world.wait_for_outbox().await;
    let welcome = world.emulator.pins(thread).remove(0);
    assert!(
        find_button(&welcome, "Close").is_none(),
        "{:?}",
        welcome.components
    );
    assert_eq!(archived_and_locked(&world, thread), (true, true));
    // Then deleted from the closed notice: the thread is gone.
    let notice = world
        .emulator
        .messages(thread)
        .into_iter()
        .rev()
        .find(|m| find_button(m, "Delete").is_some())
        .expect("the closed notice with Delete");
    let _ = world
        .emulator
        .as_user(sam)
        .click_button(thread, notice.id, &button_id(&notice, "Delete"))
        .await
        .unwrap();
    world.wait_for_outbox().await;
    world
        .wait_until(|| world.emulator.channel(thread).is_none())
        .await;
    let ticket = world
        .store
        .ticket_by_channel(thread)
        .await
        .unwrap()
        .expect("the ticket is kept");
    assert_eq!(ticket.state, TicketState::Deleted);
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_at_discords_thread_limit_gets_a_clear_answer_and_no_ticket() {
    let emulator = EmulatorConfig {
        max_active_threads: 1,
        ..EmulatorConfig::default()
    };
    let world = World::build_in(emulator, WITH_THREADS, |_| {}).await;
    let panel = thread_panel(&world).await;
    let [mia, max, _] = world.members;
    let (_, thread) = open_ticket(&world, panel, mia).await;
    assert!(thread.is_some());
    world.wait_for_outbox().await;
    let (reply, none) = open_ticket(&world, panel, max).await;
    assert_eq!(none, None);
    // Max reads French.
    assert_eq!(
        reply,
        "Ce serveur a atteint la limite Discord de 1\u{a0}000 fils actifs, aucun fil de ticket ne \
         peut s'ouvrir\u{a0}: le staff doit d'abord fermer des tickets. Rien n'a été créé."
    );
    world.wait_for_outbox().await;
    assert_eq!(world.emulator.threads(world.guild).len(), 1);
    // Nothing holds Max's open slot: once Mia's ticket is closed he opens one.
    close_now(&world, thread.unwrap(), mia).await;
    world.wait_for_outbox().await;
    let (reply, opened) = open_ticket(&world, panel, max).await;
    assert!(opened.is_some(), "{reply}");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_turn_every_panel_to_threads_once_the_bot_may() {
    let world = World::new().await;
    world.set_up().await;
    let set_mode = || async {
        world
            .admin_runs(
                world.general,
                "settings set",
                &[("mode", OptionValue::String("thread".into()))],
            )
            .await
    };
    let refused = set_mode().await;
    assert!(refused.contains("Manage Threads"), "{refused}");
    let modes = || async {
        world
            .config()
            .await
            .panels
            .iter()
            .map(|p| p.settings.ticket_mode)
            .collect::<Vec<_>>()
    };
    assert_eq!(modes().await, [TicketMode::Channel], "nothing saved");
    world
        .emulator
        .set_bot_permissions(world.guild, WITH_THREADS)
        .unwrap();
    world
        .wait_until_async(async || {
            set_mode().await;
            modes().await == [TicketMode::PrivateThread]
        })
        .await;
    let shown = world.admin_runs(world.general, "settings show", &[]).await;
    assert!(
        shown.contains("Private thread in the panel's channel"),
        "{shown}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_at_discords_channel_limit_gets_a_clear_answer_and_no_ticket() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    // The server fills up to Discord's 500 channels.
    let existing = world.emulator.channels(world.guild).len();
    for n in existing..500 {
        world
            .emulator
            .create_text_channel(world.guild, &format!("chat-{n}"), None)
            .unwrap();
    }
    let (reply, none) = open_ticket(&world, panel, mia).await;
    assert_eq!(none, None);
    assert_eq!(
        reply,
        "This server has reached Discord's limit of 500 channels, so no ticket channel can open: \
         staff need to delete old tickets or channels first. Nothing was created."
    );
    world.wait_for_outbox().await;
    assert_eq!(world.emulator.channels(world.guild).len(), 500);
    let tickets = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(5))
        .await
        .unwrap();
    assert!(
        tickets.iter().all(|t| t.state == TicketState::Deleted),
        "nothing left active: {tickets:?}"
    );
    world.bot.stop().await;
}

/// An admin running `/panel create mode:thread` inside a thread (the panel's channel is then
/// that thread) is told tickets can be threads only of a text channel, and nothing is saved: the
/// bot knows the thread's kind from its THREAD_CREATE.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_panel_inside_a_thread_is_refused() {
    let world = World::new().await;
    world.set_up().await;
    world
        .emulator
        .set_bot_permissions(world.guild, WITH_THREADS)
        .unwrap();
    let http = twilight_http::Client::builder()
        .token(world.emulator.bot_token().to_owned())
        .proxy(world.emulator.http_host().to_owned(), true)
        .ratelimiter(None)
        .build();
    let thread = http
        .create_thread(world.general, "side talk", ChannelType::PublicThread)
        .await
        .unwrap()
        .model()
        .await
        .unwrap()
        .id;
    let before = world.config().await;
    // The thread's THREAD_CREATE went out before the command's INTERACTION_CREATE on the same
    // shard, and the bot caches each event before handling the next.
    let answer = world
        .admin_runs(
            thread,
            "panel create",
            &[
                ("name", OptionValue::String("side".into())),
                ("mode", OptionValue::String("thread".into())),
            ],
        )
        .await;
    assert_eq!(
        answer,
        format!(
            "Tickets can be private threads only in a text channel, and <#{thread}> is not one: post the panel in a text channel first. Nothing was saved."
        )
    );
    let after = world.config().await;
    assert_eq!(after.panels.len(), before.panels.len(), "no panel saved");
}
