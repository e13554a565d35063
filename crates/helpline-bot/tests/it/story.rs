//! One ticket through the whole product, and what goes wrong around it.

use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::permissions::{BOT_REQUIRED, Permissions};
use helpline_domain::{ChannelId, TicketState};
use helpline_store::Page;

/// The custom id of a button on a message, by its label.
pub(crate) fn button_id(message: &twilight_model::channel::Message, label: &str) -> String {
    find_button(message, label)
        .unwrap_or_else(|| panic!("no button {label:?} on {:?}", message.components))
}

/// The custom id of the button labelled `label` on a message, if it has one.
pub(crate) fn find_button(
    message: &twilight_model::channel::Message,
    label: &str,
) -> Option<String> {
    fn visit(
        components: &[twilight_model::channel::message::Component],
        label: &str,
    ) -> Option<String> {
        use twilight_model::channel::message::Component;
        components.iter().find_map(|component| match component {
            Component::ActionRow(row) => visit(&row.components, label),
            Component::Button(button) if button.label.as_deref() == Some(label) => {
                button.custom_id.clone()
            }
            _ => None,
        })
    }
    visit(&message.components, label)
}

/// Clicks the panel's Open button as `user`; returns what they read and the ticket channel.
pub(crate) async fn open_ticket(
    world: &World,
    panel_channel: ChannelId,
    user: helpline_domain::UserId,
) -> (String, Option<ChannelId>) {
    let panel = world.panel_message(panel_channel);
    let outcome = world
        .emulator
        .as_user(user)
        .click_button(panel_channel, panel.id, &button_id(&panel, "Open a ticket"))
        .await
        .expect("the member can click");
    let message = outcome.expect_message();
    assert!(message.ephemeral, "only the member sees the reply");
    let text = message.text();
    let channel = text
        .split("<#")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .and_then(|id| id.parse().ok())
        .map(ChannelId::new);
    (text, channel)
}

/// Clicks the welcome message's Close, checks the confirmation, then confirms with "Close now";
/// returns the confirmation's message id, the confirm button's id and what the person read.
pub(crate) async fn close_now(
    world: &World,
    channel: ChannelId,
    user: helpline_domain::UserId,
) -> (
    twilight_model::id::Id<twilight_model::id::marker::MessageMarker>,
    String,
    String,
) {
    let emulator = &world.emulator;
    let welcome = emulator.pins(channel).remove(0);
    let confirm = emulator
        .as_user(user)
        .click_button(channel, welcome.id, &button_id(&welcome, "Close"))
        .await
        .unwrap();
    let confirm = confirm.expect_message();
    assert!(confirm.ephemeral);
    assert!(
        confirm.text().contains("Close this ticket?"),
        "{}",
        confirm.text()
    );
    let close_id = confirm
        .buttons()
        .into_iter()
        .find(|b| b.label.as_deref() == Some("Close now"))
        .unwrap()
        .custom_id
        .unwrap();
    let closed = emulator
        .as_user(user)
        .click_button(channel, confirm.id(), &close_id)
        .await
        .unwrap();
    (confirm.id(), close_id, closed.expect_message().text())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_story() {
    let world = World::new().await;
    let emulator = &world.emulator;
    let [mia, max, _] = world.members;
    let [sam, _] = world.staff;

    // The admin sets Helpline up: a category, a public panel, a private log.
    let panel_channel = world.set_up().await;
    let config = world.config().await;
    let setup = config.setup.unwrap();
    let channels = emulator.channels(world.guild);
    let name_of = |id: ChannelId| {
        channels
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.name.clone())
    };
    assert_eq!(name_of(setup.category).as_deref(), Some("Tickets"));
    assert_eq!(name_of(panel_channel).as_deref(), Some("open-a-ticket"));
    assert_eq!(name_of(setup.log_channel).as_deref(), Some("ticket-logs"));
    assert!(emulator.can_view(mia, panel_channel));
    assert!(
        !emulator.can_view(mia, setup.log_channel),
        "members do not see the log"
    );
    assert!(
        emulator.can_view(sam, setup.log_channel),
        "staff see the log"
    );
    let panel = world.panel_message(panel_channel);
    assert_eq!(panel.embeds[0].title.as_deref(), Some("Need help?"));

    // Mia opens a ticket: a private channel only she, staff, admins and the bot see.
    let (reply, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap_or_else(|| panic!("no channel in {reply:?}"));
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
    assert!(emulator.can_view(mia, channel));
    assert!(emulator.can_view(sam, channel));
    assert!(emulator.can_view(world.admin, channel));
    assert!(
        !emulator.can_view(max, channel),
        "another member does not see Mia's ticket"
    );
    let ticket_channel = emulator.channel(channel).unwrap();
    assert_eq!(ticket_channel.name.as_deref(), Some("ticket-0001"));
    assert_eq!(ticket_channel.parent_id, Some(setup.category));
    let pins = emulator.pins(channel);
    assert_eq!(pins.len(), 1, "the welcome message is pinned");
    let welcome = &pins[0];
    assert!(welcome.content.contains(&format!("<@{mia}>")));
    assert!(
        welcome
            .content
            .contains(&format!("<@&{}>", world.staff_role)),
        "staff are pinged"
    );

    // Mia writes, with a file; Sam claims.
    let mia_says = emulator
        .as_user(mia)
        .send_message(
            channel,
            "My invoice is wrong",
            [("invoice.txt", b"total: 42".to_vec())],
        )
        .await
        .unwrap();
    world.wait_for_transcript(channel, 3).await;
    let claimed = emulator
        .as_user(sam)
        .click_button(channel, welcome.id, &button_id(welcome, "Claim"))
        .await
        .unwrap();
    assert_eq!(claimed.expect_message().text(), "You claimed this ticket.");
    world
        .wait_until(|| {
            emulator
                .messages(channel)
                .iter()
                .any(|m| m.content.contains("claimed this ticket"))
        })
        .await;

    // Mia closes: confirmation first, then the transcript goes to the log and to her DMs.
    let (_, _, closed) = close_now(&world, channel, mia).await;
    assert_eq!(closed, "The ticket is closed.");
    assert!(emulator.can_view(mia, channel), "she can still read it");
    assert!(
        !emulator
            .permissions(mia, channel)
            .contains(Permissions::SEND_MESSAGES),
        "but no longer write"
    );

    let log = emulator.messages(setup.log_channel);
    let transcript = log
        .iter()
        .find(|m| {
            m.attachments
                .iter()
                .any(|a| a.filename == "transcript-0001.html")
        })
        .expect("the transcript is posted");
    let html = emulator
        .attachment_bytes(&transcript.attachments[0].url)
        .expect("transcript file");
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("My invoice is wrong"));
    assert!(html.contains("invoice.txt"));
    assert!(
        html.contains("data:"),
        "the attachment is copied into the transcript"
    );
    assert!(html.contains(&mia_says.author.name));
    let titles: Vec<String> = log
        .iter()
        .filter_map(|m| m.embeds.first().and_then(|e| e.title.clone()))
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Ticket opened")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Ticket claimed")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Ticket closed")),
        "{titles:?}"
    );
    let dms = emulator.dm_messages(mia);
    assert!(
        dms.iter().any(|m| m
            .attachments
            .iter()
            .any(|a| a.filename == "transcript-0001.html")),
        "Mia gets the transcript"
    );

    // Staff delete the closed ticket: the channel goes away.
    let notice = emulator
        .messages(channel)
        .into_iter()
        .rev()
        .find(|m| !m.components.is_empty())
        .expect("closed notice with buttons");
    let deleted = emulator
        .as_user(sam)
        .click_button(channel, notice.id, &button_id(&notice, "Delete"))
        .await
        .unwrap();
    assert_eq!(
        deleted.expect_message().text(),
        "The ticket is being deleted."
    );
    world
        .wait_until(|| emulator.channel(channel).is_none())
        .await;
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.state, TicketState::Deleted);
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_cannot_claim_and_nothing_changes() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let welcome = world.emulator.pins(channel).remove(0);
    let before = world.emulator.messages(channel).len();
    let outcome = world
        .emulator
        .as_user(mia)
        .click_button(channel, welcome.id, &button_id(&welcome, "Claim"))
        .await
        .unwrap();
    let message = outcome.expect_message();
    assert!(message.ephemeral);
    assert_eq!(message.text(), "Only staff can do this.");
    let ticket = world.ticket_in(channel).await;
    assert_eq!((ticket.state, ticket.claimer), (TicketState::Open, None));
    assert_eq!(
        world.emulator.messages(channel).len(),
        before,
        "nothing was posted"
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_fast_clicks_make_one_ticket() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let (first, second) = tokio::join!(
        open_ticket(&world, panel_channel, mia),
        open_ticket(&world, panel_channel, mia)
    );
    let opened = [&first, &second]
        .iter()
        .filter(|(text, _)| text.starts_with("Your ticket is open"))
        .count();
    assert_eq!(opened, 1, "{first:?} {second:?}");
    let refused = if first.0.starts_with("Your ticket") {
        &second.0
    } else {
        &first.0
    };
    // Depending on timing, the second click finds the first ticket with its channel, or still
    // getting it.
    assert!(
        refused.contains("You already have an open ticket on this panel")
            || refused.contains("already being handled"),
        "{refused}"
    );
    let tickets = world
        .store
        .tickets_by_guild(world.guild, &[], Page::first(10))
        .await
        .unwrap();
    assert_eq!(tickets.len(), 1);
    let ticket_channels = world
        .emulator
        .channels(world.guild)
        .into_iter()
        .filter(|c| c.name.as_deref().is_some_and(|n| n.starts_with("ticket-0")))
        .count();
    assert_eq!(ticket_channels, 1);
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_permissions_are_named_and_nothing_is_created() {
    for missing in [Permissions::MANAGE_CHANNELS, Permissions::MANAGE_ROLES] {
        let world = World::with_bot_permissions(BOT_REQUIRED.difference(missing)).await;
        let before = world.emulator.channels(world.guild).len();
        let text = world.setup_with(&[]).await;
        let name = if missing == Permissions::MANAGE_CHANNELS {
            "Manage Channels"
        } else {
            "Manage Roles"
        };
        assert!(text.contains(name), "{text}");
        assert_eq!(
            world.emulator.channels(world.guild).len(),
            before,
            "nothing half-created"
        );
        assert!(
            world
                .store
                .guild_config(world.guild)
                .await
                .unwrap()
                .is_none()
        );
        world.bot.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_twice_needs_force_and_reuses_given_channels() {
    let world = World::new().await;
    world.set_up().await;
    let again = world.setup_with(&[]).await;
    assert!(again.contains("already set up"), "{again}");
    // A plain reinstall reuses the category, the panel and the log channel, and leaves one
    // panel message.
    let before = world.config().await.setup.unwrap();
    let channel_count = world.emulator.channels(world.guild).len();
    let forced = world
        .setup_with(&[("force", OptionValue::Boolean(true))])
        .await;
    assert!(forced.contains("is ready"), "{forced}");
    let after = world.config().await.setup.unwrap();
    assert_eq!(after, before, "nothing made twice");
    assert_eq!(world.emulator.channels(world.guild).len(), channel_count);
    let panels = world
        .emulator
        .messages(before.panel_channel)
        .into_iter()
        .filter(|m| !m.components.is_empty())
        .count();
    assert_eq!(panels, 1, "the old panel message is gone");
    // A log channel every member reads is refused: transcripts are private.
    let refused = world
        .setup_with(&[
            ("force", OptionValue::Boolean(true)),
            ("log_channel", OptionValue::Channel(world.general)),
        ])
        .await;
    assert!(refused.contains("can be read by every member"), "{refused}");
    assert_eq!(
        world.config().await.setup.unwrap(),
        before,
        "nothing changed"
    );
    // A private channel of the admin's is taken.
    let existing_log = world
        .emulator
        .create_text_channel(world.guild, "staff-log", None)
        .unwrap();
    world
        .emulator
        .set_channel_overwrites(
            existing_log,
            vec![twilight_model::channel::permission_overwrite::PermissionOverwrite {
                id: world.guild.cast(),
                kind: twilight_model::channel::permission_overwrite::PermissionOverwriteType::Role,
                allow: Permissions::empty(),
                deny: Permissions::VIEW_CHANNEL,
            }],
        )
        .unwrap();
    // (The bot sees the CHANNEL_UPDATE before the command: one shard, in order.)
    let forced = world
        .setup_with(&[
            ("force", OptionValue::Boolean(true)),
            ("log_channel", OptionValue::Channel(existing_log)),
        ])
        .await;
    assert!(forced.contains(&format!("<#{existing_log}>")), "{forced}");
    let config = world.config().await;
    assert_eq!(config.setup.unwrap().log_channel, existing_log);
    assert_eq!(config.panels.len(), 1, "the panel is moved, not duplicated");
    // Discord's client offers only text channels for the panel option: a category cannot even
    // be chosen (the bot checks it again anyway).
    let category = world
        .emulator
        .create_category(world.guild, "Elsewhere")
        .unwrap();
    let refused = world
        .emulator
        .as_user(world.admin)
        .run_command(
            world.guild,
            world.general,
            "setup",
            &[
                ("force", OptionValue::Boolean(true)),
                ("panel_channel", OptionValue::Channel(category)),
            ],
        )
        .await;
    assert!(refused.is_err());
    // A member cannot run /setup at all: Discord hides it from those without Manage Server.
    let [mia, ..] = world.members;
    assert!(
        world
            .emulator
            .as_user(mia)
            .run_command(world.guild, world.general, "setup", &[])
            .await
            .is_err()
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_messages_render_inert_in_the_transcript() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let emulator = &world.emulator;
    emulator
        .as_user(mia)
        .send_text(channel, "<script>alert('x')</script>")
        .await
        .unwrap();
    emulator
        .as_user(mia)
        .send_text(channel, "<img src=x onerror=alert(1)>")
        .await
        .unwrap();
    emulator
        .as_user(mia)
        .send_text(channel, "[click](javascript:alert(2)) javascript:alert(3)")
        .await
        .unwrap();
    // The welcome message, Discord's "pinned a message" notice and the three hostile ones.
    world.wait_for_transcript(channel, 5).await;
    let (_, _, closed) = close_now(&world, channel, sam).await;
    assert_eq!(closed, "The ticket is closed.");
    let log_channel = world.log_channel().await;
    let transcript = emulator
        .messages(log_channel)
        .into_iter()
        .find_map(|m| {
            m.attachments
                .into_iter()
                .find(|a| a.filename.ends_with(".html"))
        })
        .expect("transcript");
    let html = String::from_utf8(emulator.attachment_bytes(&transcript.url).unwrap()).unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_twice_is_harmless() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let emulator = &world.emulator;
    let (confirm_id, close_id, first) = close_now(&world, channel, mia).await;
    assert_eq!(first, "The ticket is closed.");
    let welcome = emulator.pins(channel).remove(0);
    let second = emulator
        .as_user(mia)
        .click_button(channel, confirm_id, &close_id)
        .await
        .unwrap();
    assert!(
        second.expect_message().text().contains("already closed"),
        "{}",
        second.expect_message().text()
    );
    // The welcome message's buttons followed the ticket: no Claim or Close on a closed one.
    assert!(welcome.components.is_empty(), "{:?}", welcome.components);
    let log_channel = world.log_channel().await;
    let transcripts = emulator
        .messages(log_channel)
        .iter()
        .filter(|m| !m.attachments.is_empty())
        .count();
    assert_eq!(transcripts, 1, "one transcript");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_interactions_rest_events_and_tickets() {
    // Each test runs in its own process under nextest; under `cargo test` another test may have
    // installed the recorder first, and then this one's counts include theirs (still >= 1).
    let Ok(recorder) = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()
    else {
        return;
    };
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    world
        .emulator
        .as_user(mia)
        .send_text(channel, "hello")
        .await
        .unwrap();
    world.wait_for_transcript(channel, 3).await;
    // Counters are bumped right after the answer the person saw: poll briefly.
    let expected = [
        "helpline_bot_interactions_total{kind=\"command\",outcome=\"ok\"}",
        "helpline_bot_interactions_total{kind=\"component\",outcome=\"ok\"}",
        "helpline_bot_interaction_ack_seconds{kind=\"component\",transport=\"gateway\",quantile=\"0.99\"}",
        "helpline_bot_rest_requests_total{route=\"create_guild_channel\",status=\"201\"}",
        "helpline_bot_rest_requests_total{route=\"create_pin\",status=\"204\"}",
        "helpline_bot_gateway_events_total{type=\"MESSAGE_CREATE\"}",
        "helpline_bot_gateway_events_total{type=\"INTERACTION_CREATE\"}",
        "helpline_bot_tickets_opened_total",
    ];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rendered = recorder.render();
        let missing: Vec<&&str> = expected
            .iter()
            .filter(|series| !rendered.contains(**series))
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "missing {missing:?} in\n{rendered}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    world.bot.stop().await;
}

/// A member's client sends 400 messages at once, then edits one and deletes another: the bot's
/// worker takes them in runs of many per store write (here 60-130 wait at a time, so it takes
/// its burst path and waits for more), and the transcript still holds every one once, in
/// Discord's order, with the edit and the deletion on the messages they changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_messages_reaches_the_transcript_whole_and_in_order() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let emulator = &world.emulator;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let before = emulator.messages(channel).len();
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..400 {
        let actor = emulator.as_user(mia);
        sends.spawn(async move {
            actor
                .send_text(channel, &format!("burst {n}"))
                .await
                .unwrap()
        });
    }
    sends.join_all().await;
    let mut sent: Vec<_> = emulator
        .messages(channel)
        .into_iter()
        .filter(|m| m.author.id == mia)
        .collect();
    sent.sort_by_key(|m| m.id);
    assert_eq!(sent.len(), 400);
    let (edited, deleted) = (sent[150].id, sent[300].id);
    emulator
        .as_user(mia)
        .edit_message(channel, edited, "edited in the burst")
        .await
        .unwrap();
    emulator
        .as_user(mia)
        .delete_message(channel, deleted)
        .await
        .unwrap();
    world.wait_for_transcript(channel, before + 400).await;
    let transcript = world
        .transcript_once(channel, |transcript| {
            transcript
                .iter()
                .any(|m| m.message_id == deleted && m.deleted_at.is_some())
                && transcript
                    .iter()
                    .any(|m| m.message_id == edited && m.edits.len() == 1)
        })
        .await;
    let mias: Vec<_> = transcript.iter().filter(|m| m.author_id == mia).collect();
    assert_eq!(
        mias.iter().map(|m| m.message_id).collect::<Vec<_>>(),
        sent.iter().map(|m| m.id).collect::<Vec<_>>(),
        "every message once, in Discord's order"
    );
    for (kept, original) in mias.iter().zip(&sent) {
        if kept.message_id == edited {
            assert_eq!(kept.content, "edited in the burst");
            assert_eq!(kept.edits[0].previous_content, original.content);
        } else {
            assert_eq!(kept.content, original.content);
            assert!(kept.edits.is_empty());
        }
        assert_eq!(kept.deleted_at.is_some(), kept.message_id == deleted);
    }
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_close_with_a_reason_and_edits_reach_the_transcript() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let [_, sky] = world.staff;
    let emulator = &world.emulator;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let said = emulator
        .as_user(mia)
        .send_text(channel, "first words")
        .await
        .unwrap();
    world.wait_for_transcript(channel, 3).await;
    emulator
        .as_user(mia)
        .edit_message(channel, said.id, "better words")
        .await
        .unwrap();
    world
        .transcript_once(channel, |transcript| {
            transcript
                .iter()
                .any(|m| m.content == "better words" && m.edits.len() == 1)
        })
        .await;
    let ticket = world.ticket_in(channel).await;

    // Sky (staff, French client) closes with a reason, through the modal: the welcome message
    // speaks the guild's language, her own answers speak hers.
    let welcome = emulator.pins(channel).remove(0);
    let confirm = emulator
        .as_user(sky)
        .click_button(channel, welcome.id, &button_id(&welcome, "Close"))
        .await
        .unwrap();
    let confirm = confirm.expect_message();
    assert!(
        confirm.text().contains("Fermer ce ticket"),
        "{}",
        confirm.text()
    );
    let with_reason = confirm
        .buttons()
        .into_iter()
        .find(|b| b.label.as_deref() == Some("Fermer avec une raison"))
        .unwrap();
    let modal = emulator
        .as_user(sky)
        .click_button(
            channel,
            confirm.id(),
            with_reason.custom_id.as_deref().unwrap(),
        )
        .await
        .unwrap();
    let modal = modal.expect_modal();
    assert_eq!(modal.title, "Fermer le ticket #0001");
    let input = modal.text_inputs().remove(0);
    assert!(!input.required, "the reason is optional");
    let closed = emulator
        .as_user(sky)
        .submit_modal(
            channel,
            &modal.custom_id,
            &[(input.custom_id.as_str(), "Refund sent")],
        )
        .await
        .unwrap();
    assert_eq!(closed.expect_message().text(), "Le ticket est fermé.");
    let ticket = world.store.ticket(ticket.id).await.unwrap().unwrap();
    assert_eq!(
        ticket.close_reason,
        Some(helpline_domain::CloseReason::Given("Refund sent".into()))
    );
    assert_eq!(ticket.closed_by, Some(sky));

    let log_channel = world.log_channel().await;
    let log = emulator.messages(log_channel);
    let closed_entry = log
        .iter()
        .filter_map(|m| m.embeds.first())
        .find(|e| {
            e.title
                .as_deref()
                .is_some_and(|t| t.starts_with("Ticket closed"))
        })
        .expect("closed log entry");
    assert!(
        closed_entry.fields.iter().any(|f| f.value == "Refund sent"),
        "{closed_entry:?}"
    );
    let transcript = log
        .iter()
        .find_map(|m| m.attachments.first())
        .expect("transcript");
    let html = String::from_utf8(emulator.attachment_bytes(&transcript.url).unwrap()).unwrap();
    assert!(
        html.contains("better words") && html.contains("first words"),
        "the edit and its history"
    );
    assert!(html.contains("Refund sent"), "the close reason");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_member_reads_french() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, max, _] = world.members;
    let (reply, channel) = open_ticket(&world, panel_channel, max).await;
    assert!(reply.starts_with("Votre ticket est ouvert"), "{reply}");
    // The guild speaks English: its channels and messages stay English for everyone.
    let welcome = world.emulator.pins(channel.unwrap()).remove(0);
    assert_eq!(welcome.embeds[0].title.as_deref(), Some("Ticket #0001"));
    let (again, _) = open_ticket(&world, panel_channel, max).await;
    assert!(again.contains("Vous avez déjà un ticket ouvert"), "{again}");
    let (english, _) = open_ticket(&world, panel_channel, mia).await;
    assert!(english.starts_with("Your ticket is open"), "{english}");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_category_overflows_into_a_new_one() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let category = world.config().await.setup.unwrap().category;
    // The panel and log channels plus 48 others: Discord's 50 per category.
    for n in 0..48 {
        world
            .emulator
            .create_text_channel(world.guild, &format!("filler-{n}"), Some(category))
            .unwrap();
    }
    let [mia, max, noa] = world.members;
    let mut parents = Vec::new();
    for member in [mia, max, noa] {
        let (reply, channel) = open_ticket(&world, panel_channel, member).await;
        let channel = channel.unwrap_or_else(|| panic!("no ticket: {reply}"));
        parents.push(world.emulator.channel(channel).unwrap().parent_id.unwrap());
    }
    assert!(
        parents.iter().all(|p| *p == parents[0]),
        "one overflow category for all three"
    );
    let overflow = world.emulator.channel(parents[0]).unwrap();
    assert_eq!(overflow.name.as_deref(), Some("Tickets 2"));
    // Tickets in the overflow category stay private.
    let mias = world
        .store
        .tickets_by_member(mia, Page::first(1))
        .await
        .unwrap()[0]
        .channel
        .unwrap()
        .id;
    assert!(world.emulator.can_view(mia, mias));
    assert!(!world.emulator.can_view(max, mias));
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_discord_still_gets_the_click_acknowledged_in_time() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    // Creating a channel now takes 4 s: longer than Discord's 3 s to acknowledge a click.
    let mut faults = world.emulator.faults();
    faults.rest_latency.insert(
        "POST /guilds/{guild_id}/channels".to_owned(),
        discord_emulator::Latency {
            fixed_ms: 4_000,
            jitter_ms: 0,
        },
    );
    world.emulator.set_faults(faults);
    let started = std::time::Instant::now();
    let (reply, channel) = open_ticket(&world, panel_channel, mia).await;
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(4),
        "the channel really was slow"
    );
    assert!(
        reply.starts_with("Your ticket is open"),
        "deferred in time, then answered: {reply}"
    );
    assert!(world.emulator.can_view(mia, channel.unwrap()));
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_that_lost_a_permission_says_so_and_opens_nothing() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    // An admin takes Manage Channels away after setup.
    world
        .emulator
        .set_bot_permissions(
            world.guild,
            BOT_REQUIRED.difference(Permissions::MANAGE_CHANNELS),
        )
        .unwrap();
    let [mia, ..] = world.members;
    let channels_before = world.emulator.channels(world.guild).len();
    let (reply, channel) = open_ticket(&world, panel_channel, mia).await;
    assert!(reply.contains("Manage Channels"), "{reply}");
    assert_eq!(channel, None);
    assert_eq!(
        world.emulator.channels(world.guild).len(),
        channels_before,
        "no channel"
    );
    assert!(
        world
            .store
            .tickets_by_guild(world.guild, &[], Page::first(10))
            .await
            .unwrap()
            .is_empty(),
        "no ticket"
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_reopen_a_closed_ticket_and_members_cannot() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let [mia, ..] = world.members;
    let [sam, _] = world.staff;
    let emulator = &world.emulator;
    let (_, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap();
    let (_, _, closed) = close_now(&world, channel, mia).await;
    assert_eq!(closed, "The ticket is closed.");
    assert!(
        !emulator
            .permissions(mia, channel)
            .contains(Permissions::SEND_MESSAGES)
    );
    let notice = emulator
        .messages(channel)
        .into_iter()
        .rev()
        .find(|m| !m.components.is_empty())
        .expect("closed notice");

    let refused = emulator
        .as_user(mia)
        .click_button(channel, notice.id, &button_id(&notice, "Reopen"))
        .await
        .unwrap();
    assert_eq!(refused.expect_message().text(), "Only staff can do this.");
    let refused = emulator
        .as_user(mia)
        .click_button(channel, notice.id, &button_id(&notice, "Delete"))
        .await
        .unwrap();
    assert_eq!(refused.expect_message().text(), "Only staff can do this.");

    let reopened = emulator
        .as_user(sam)
        .click_button(channel, notice.id, &button_id(&notice, "Reopen"))
        .await
        .unwrap();
    assert_eq!(
        reopened.expect_message().text(),
        "The ticket is open again."
    );
    assert!(
        emulator
            .permissions(mia, channel)
            .contains(Permissions::SEND_MESSAGES),
        "she can write again"
    );
    let ticket = world.ticket_in(channel).await;
    assert_eq!(
        (ticket.state, ticket.close_reason),
        (TicketState::Open, None)
    );
    let log_channel = world.log_channel().await;
    let titles: Vec<String> = emulator
        .messages(log_channel)
        .iter()
        .filter_map(|m| m.embeds.first().and_then(|e| e.title.clone()))
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Ticket reopened")),
        "{titles:?}"
    );
    // The buttons followed: Reopen and Delete are gone from the notice, the welcome message
    // offers Claim and Close again.
    let notice = emulator.message(channel, notice.id).expect("notice");
    assert!(notice.components.is_empty(), "{:?}", notice.components);
    let welcome = emulator.pins(channel).remove(0);
    button_id(&welcome, "Claim");
    button_id(&welcome, "Close");
    // Claim turns into Unclaim and back.
    world
        .wait_until_async(async || {
            let ticket = world.ticket_in(channel).await;
            ticket.state == TicketState::Open
        })
        .await;
    let again = emulator
        .as_user(sam)
        .click_button(channel, welcome.id, &button_id(&welcome, "Claim"))
        .await
        .unwrap();
    assert_eq!(again.expect_message().text(), "You claimed this ticket.");
    let welcome = emulator.pins(channel).remove(0);
    let unclaim = button_id(&welcome, "Unclaim");
    let released = emulator
        .as_user(sam)
        .click_button(channel, welcome.id, &unclaim)
        .await
        .unwrap();
    assert_eq!(
        released.expect_message().text(),
        "You released this ticket."
    );
    let welcome = emulator.pins(channel).remove(0);
    button_id(&welcome, "Claim");
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_approval_opens_the_channel_only_once_staff_accept() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    // Manual approval on the panel (A6), as the settings command will set it.
    let mut config = world.config().await;
    config.panels[0].settings.approval = helpline_domain::ApprovalMode::Manual;
    world.store.save_guild_config(&config).await.unwrap();
    let [mia, max, _] = world.members;
    let [sam, _] = world.staff;
    let emulator = &world.emulator;
    let channels_before = emulator.channels(world.guild).len();

    let (reply, channel) = open_ticket(&world, panel_channel, mia).await;
    assert!(
        reply.starts_with("Your request was sent to the staff"),
        "{reply}"
    );
    assert_eq!(channel, None);
    assert_eq!(
        emulator.channels(world.guild).len(),
        channels_before,
        "no channel before approval"
    );
    let log_channel = world.log_channel().await;
    let request = emulator
        .messages(log_channel)
        .into_iter()
        .find(|m| !m.components.is_empty())
        .expect("the request in the log");
    let accept = button_id(&request, "Accept");
    let refused = emulator
        .as_user(mia)
        .click_button(log_channel, request.id, &accept)
        .await;
    assert!(refused.is_err(), "members cannot even see the log channel");

    let accepted = emulator
        .as_user(sam)
        .click_button(log_channel, request.id, &button_id(&request, "Accept"))
        .await
        .unwrap();
    let text = accepted.expect_message().text();
    assert!(text.starts_with("The ticket was accepted: <#"), "{text}");
    let ticket = world
        .store
        .tickets_by_member(mia, Page::first(1))
        .await
        .unwrap()
        .remove(0);
    let channel = ticket.channel.expect("a channel once accepted").id;
    assert!(emulator.can_view(mia, channel));
    assert!(!emulator.can_view(max, channel));
    assert!(
        emulator
            .dm_messages(mia)
            .iter()
            .any(|m| m.content.contains("accepted your ticket request"))
    );
    let again = emulator
        .as_user(sam)
        .click_button(log_channel, request.id, &button_id(&request, "Refuse"))
        .await
        .unwrap();
    assert!(
        again
            .expect_message()
            .text()
            .contains("already been handled"),
        "{}",
        again.expect_message().text()
    );
    world.bot.stop().await;
}
