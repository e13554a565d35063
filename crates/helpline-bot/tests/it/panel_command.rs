//! Admins run several panels with `/panel` and "Use as ticket panel": each in its own channel,
//! with its own topics and settings; its posted message follows every change.

use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::permissions::Permissions;
use twilight_model::channel::Message;
use twilight_model::channel::message::Component;
use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};

/// Runs `/<command>` as the admin in `channel`; returns what they read.
async fn admin(
    world: &World,
    channel: helpline_domain::ChannelId,
    command: &str,
    options: &[(&str, OptionValue)],
) -> String {
    world.admin_runs(channel, command, options).await
}

fn text(value: &str) -> OptionValue {
    OptionValue::String(value.into())
}

/// The select menu of a panel message: its custom id and its options' labels and values.
fn select_menu(message: &Message) -> Option<(String, Vec<(String, String)>)> {
    message.components.iter().find_map(|row| match row {
        Component::ActionRow(row) => row.components.iter().find_map(|c| match c {
            Component::SelectMenu(menu) => Some((
                menu.custom_id.clone(),
                menu.options
                    .iter()
                    .flatten()
                    .map(|o| (o.label.clone(), o.value.clone()))
                    .collect(),
            )),
            _ => None,
        }),
        _ => None,
    })
}

/// The panel messages (those with components) of a channel.
fn panels_in(world: &World, channel: helpline_domain::ChannelId) -> Vec<Message> {
    world
        .emulator
        .messages(channel)
        .into_iter()
        .filter(|m| !m.components.is_empty())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_run_two_panels_each_with_its_topics_settings_and_message() {
    let world = World::new().await;
    let reply = admin(&world, world.general, "panel list", &[]).await;
    assert!(reply.contains("not set up"), "{reply}");
    let support = world.set_up().await;
    let sales = world
        .emulator
        .create_text_channel(world.guild, "sales", None)
        .unwrap();

    // A second panel, in its own channel.
    let reply = admin(
        &world,
        world.general,
        "panel create",
        &[
            ("name", text("Sales")),
            ("channel", OptionValue::Channel(sales)),
            ("title", text("Talk to sales")),
        ],
    )
    .await;
    assert_eq!(
        reply,
        format!("Panel **Sales** posted in <#{sales}>. Add topics with /topic add panel:Sales.")
    );
    world
        .wait_until(|| panels_in(&world, sales).len() == 1)
        .await;
    let posted = panels_in(&world, sales).remove(0);
    assert_eq!(posted.embeds[0].title.as_deref(), Some("Talk to sales"));

    // Names are unique whatever their case; a select panel needs topics; nothing changes.
    let before = world
        .store
        .guild_config(world.guild)
        .await
        .unwrap()
        .unwrap();
    let duplicate = admin(
        &world,
        world.general,
        "panel create",
        &[("name", text("sales"))],
    )
    .await;
    assert!(duplicate.contains("sales"), "{duplicate}");
    let empty_select = admin(
        &world,
        world.general,
        "panel create",
        &[("name", text("Other")), ("style", text("select"))],
    )
    .await;
    assert!(empty_select.contains("topic"), "{empty_select}");
    let unknown_topic = admin(
        &world,
        world.general,
        "panel create",
        &[("name", text("Other")), ("topics", text("Nope"))],
    )
    .await;
    assert!(unknown_topic.contains("No topic yet"), "{unknown_topic}");
    let unreadable = admin(
        &world,
        world.general,
        "panel create",
        &[("name", text("Other")), ("message_id", text("12345"))],
    )
    .await;
    assert!(
        unreadable.starts_with("I cannot read that message"),
        "{unreadable}"
    );
    // A channel where the bot may not post: nothing is saved.
    let closed = world
        .emulator
        .create_text_channel(world.guild, "closed", None)
        .unwrap();
    world
        .emulator
        .set_channel_overwrites(
            closed,
            vec![PermissionOverwrite {
                id: world.emulator.bot_user_id().cast(),
                kind: PermissionOverwriteType::Member,
                allow: Permissions::empty(),
                deny: Permissions::SEND_MESSAGES,
            }],
        )
        .unwrap();
    let cannot_post = admin(
        &world,
        world.general,
        "panel create",
        &[
            ("name", text("Other")),
            ("channel", OptionValue::Channel(closed)),
        ],
    )
    .await;
    assert!(
        cannot_post.starts_with(&format!("I cannot post in <#{closed}>")),
        "{cannot_post}"
    );
    let after = world
        .store
        .guild_config(world.guild)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.panels, before.panels, "nothing was saved");
    assert!(panels_in(&world, world.general).is_empty());

    // Topics on the Sales panel, then a select menu, manual approval and a limit of 2.
    for topic in ["Quotes", "Partnerships"] {
        let reply = admin(
            &world,
            world.general,
            "topic add",
            &[("name", text(topic)), ("panel", text("Sales"))],
        )
        .await;
        assert!(reply.contains(&format!("<#{sales}>")), "{reply}");
    }
    let reply = admin(
        &world,
        world.general,
        "panel edit",
        &[
            ("panel", text("SALES")),
            ("style", text("select")),
            ("approval", text("manual")),
            ("open_limit", OptionValue::Integer(2)),
        ],
    )
    .await;
    assert_eq!(
        reply,
        "Panel **Sales** saved; its message shows the change."
    );
    world
        .wait_until(|| {
            panels_in(&world, sales)
                .first()
                .and_then(select_menu)
                .is_some_and(|(_, options)| options.len() == 2)
        })
        .await;
    // The support panel is untouched: one button, no topic.
    let support_panel = world.panel_message(support);
    assert!(select_menu(&support_panel).is_none());

    let list = admin(&world, world.general, "panel list", &[]).await;
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].starts_with(&format!("**support** in <#{support}>: Buttons")),
        "{list}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "**Sales** in <#{sales}>: Select menu; topics: Quotes, Partnerships; 2 open per member"
        )),
        "{list}"
    );
    assert!(
        lines[1].contains("approval: Staff accept each ticket"),
        "{list}"
    );

    // Mia opens through the Sales select menu: her ticket waits for approval (that panel's
    // setting); through the support panel she opens at once.
    let [mia, ..] = world.members;
    let message = panels_in(&world, sales).remove(0);
    let (custom_id, options) = select_menu(&message).unwrap();
    let quotes = &options
        .iter()
        .find(|(label, _)| label == "Quotes")
        .unwrap()
        .1;
    let outcome = world
        .emulator
        .as_user(mia)
        .select(sales, message.id, &custom_id, &[quotes.as_str()])
        .await
        .unwrap();
    let reply = outcome.expect_message().text();
    assert!(reply.contains("staff"), "{reply}");
    let tickets = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(5))
        .await
        .unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].state, helpline_domain::TicketState::Requested);
    let quotes_topic = world
        .store
        .guild_config(world.guild)
        .await
        .unwrap()
        .unwrap()
        .topics
        .iter()
        .find(|t| t.name == "Quotes")
        .unwrap()
        .id;
    assert_eq!(tickets[0].topic_id, Some(quotes_topic));

    // Posting again elsewhere moves the panel: the old message goes.
    let reply = admin(
        &world,
        world.general,
        "panel post",
        &[
            ("panel", text("Sales")),
            ("channel", OptionValue::Channel(world.general)),
        ],
    )
    .await;
    assert_eq!(
        reply,
        format!(
            "Panel **Sales** posted in <#{}>; its previous message is removed.",
            world.general
        )
    );
    world
        .wait_until(|| {
            panels_in(&world, sales).is_empty() && panels_in(&world, world.general).len() == 1
        })
        .await;

    // Deleting it removes its message; Mia's ticket is kept.
    let reply = admin(
        &world,
        world.general,
        "panel delete",
        &[("panel", text("sales"))],
    )
    .await;
    assert_eq!(
        reply,
        "Panel **Sales** deleted with its message; its tickets are kept."
    );
    world
        .wait_until(|| panels_in(&world, world.general).is_empty())
        .await;
    let unknown = admin(
        &world,
        world.general,
        "panel edit",
        &[("panel", text("Sales")), ("title", text("x"))],
    )
    .await;
    assert_eq!(unknown, "There is no panel named “Sales”. Panels: support.");
    assert_eq!(
        world
            .store
            .tickets_by_member(mia, helpline_store::Page::first(5))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admins_message_becomes_a_panel_from_its_context_menu() {
    let world = World::new().await;
    let support = world.set_up().await;
    let announcement = world
        .emulator
        .as_user(world.admin)
        .send_text(
            world.general,
            "**Partners**: open a ticket below to reach us.",
        )
        .await
        .unwrap();

    // A member cannot: the command is for those who manage the server.
    let [mia, ..] = world.members;
    assert!(
        world
            .emulator
            .as_user(mia)
            .message_command(
                world.guild,
                world.general,
                announcement.id,
                "Use as ticket panel"
            )
            .await
            .is_err()
    );

    let outcome = world
        .emulator
        .as_user(world.admin)
        .message_command(
            world.guild,
            world.general,
            announcement.id,
            "Use as ticket panel",
        )
        .await
        .unwrap();
    let modal = outcome.expect_modal().clone();
    let reply = world
        .emulator
        .as_user(world.admin)
        .submit_modal(world.general, &modal.custom_id, &[("name", "Partners")])
        .await
        .unwrap();
    assert_eq!(
        reply.expect_message().text(),
        format!(
            "Panel **Partners** posted in <#{}>. Add topics with /topic add panel:Partners.",
            world.general
        )
    );
    world
        .wait_until(|| panels_in(&world, world.general).len() == 1)
        .await;
    let panel = panels_in(&world, world.general).remove(0);
    assert_eq!(
        panel.content,
        "**Partners**: open a ticket below to reach us."
    );
    assert!(panel.embeds.is_empty());

    // On an existing panel's name, the support panel takes the message's words.
    let outcome = world
        .emulator
        .as_user(world.admin)
        .message_command(
            world.guild,
            world.general,
            announcement.id,
            "Use as ticket panel",
        )
        .await
        .unwrap();
    let modal = outcome.expect_modal().clone();
    let reply = world
        .emulator
        .as_user(world.admin)
        .submit_modal(world.general, &modal.custom_id, &[("name", "SUPPORT")])
        .await
        .unwrap();
    assert_eq!(
        reply.expect_message().text(),
        "Panel **support** saved; its message shows the change."
    );
    world
        .wait_until(|| {
            world
                .panel_message(support)
                .content
                .starts_with("**Partners**")
        })
        .await;
    assert!(world.panel_message(support).embeds.is_empty());
}
