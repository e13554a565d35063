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
    let before = world.config().await;
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
    let after = world.config().await;
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
        .config()
        .await
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_edit_says_whether_discord_updated_its_message() {
    use discord_emulator::FaultRule;
    let world = World::new().await;
    let support = world.set_up().await;
    let message = world.panel_message(support);
    let route = format!("/channels/{support}/messages/{}", message.id);
    let title = |world: &World| {
        world
            .emulator
            .message(support, message.id)
            .and_then(|m| m.embeds.first().and_then(|e| e.title.clone()))
    };
    let retitle = |title: &'static str| {
        let world = &world;
        async move {
            admin(
                world,
                world.general,
                "panel edit",
                &[("panel", text("support")), ("title", text(title))],
            )
            .await
        }
    };

    // One 502: the edit is tried again and the message shows the change.
    let once = world
        .emulator
        .add_fault_rule(FaultRule::fail("PATCH", &route, 502).times(1));
    assert_eq!(
        retitle("Help desk").await,
        "Panel **support** saved; its message shows the change."
    );
    assert_eq!(world.emulator.fault_rule_fired(once), 1);
    assert_eq!(title(&world).as_deref(), Some("Help desk"));

    // Discord failing on every try: the change is saved, and the admin is told the message is
    // behind and how to bring it up to date.
    let always = world
        .emulator
        .add_fault_rule(FaultRule::fail("PATCH", &route, 502).times(3));
    assert_eq!(
        retitle("Support desk").await,
        "Panel **support** saved, but Discord did not update its message just now: run /panel \
         post to show the change."
    );
    assert_eq!(world.emulator.fault_rule_fired(always), 3);
    assert_eq!(title(&world).as_deref(), Some("Help desk"));
    let config = world.config().await;
    assert!(matches!(
        &config.panels[0].content,
        helpline_domain::PanelContent::Embed { title, .. } if title == "Support desk"
    ));
    let reply = admin(
        &world,
        world.general,
        "panel post",
        &[("panel", text("support"))],
    )
    .await;
    assert!(reply.contains(&format!("<#{support}>")), "{reply}");
    let posted = world.panel_message(support);
    assert_eq!(
        posted.embeds[0].title.as_deref(),
        Some("Support desk"),
        "the panel posted again shows the change"
    );
}

/// Two admins at once: one creates a panel while, before it is saved (its message is being
/// posted), another adds a topic. The first save finds the configuration changed, decides again
/// on what the other admin saved, and both changes are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_admins_changing_the_configuration_at_once_both_land() {
    use discord_emulator::FaultRule;
    let world = World::new().await;
    world.set_up().await;
    let sales = world
        .emulator
        .create_text_channel(world.guild, "sales", None)
        .unwrap();
    let before = world.config().await;
    // The first admin's panel message reaches Discord, whose answer is held 3 s.
    let hold = world.emulator.add_fault_rule(
        FaultRule::hold_after_running(
            "POST",
            &format!("/channels/{sales}/messages"),
            std::time::Duration::from_secs(3),
        )
        .times(1),
    );
    let emulator = world.emulator.clone();
    let (guild, general, ada) = (world.guild, world.general, world.admin);
    let first = tokio::spawn(async move {
        emulator
            .as_user(ada)
            .run_command(
                guild,
                general,
                "panel create",
                &[
                    ("name", text("Sales")),
                    ("channel", OptionValue::Channel(sales)),
                ],
            )
            .await
            .unwrap()
            .expect_message()
            .text()
    });
    world
        .wait_until(|| world.emulator.fault_rule_fired(hold) == 1)
        .await;
    // Meanwhile a second command (another admin's; here the same admin in another window) adds
    // a topic, which is saved at once.
    let second = admin(
        &world,
        world.general,
        "topic add",
        &[("name", text("Billing"))],
    )
    .await;
    assert!(second.contains("Billing"), "{second}");
    let between = world.config().await;
    assert_eq!(between.version, before.version + 1);
    assert!(between.panels.iter().all(|p| p.name != "Sales"));

    let first = first.await.unwrap();
    assert_eq!(
        first,
        format!("Panel **Sales** posted in <#{sales}>. Add topics with /topic add panel:Sales.")
    );
    let after = world.config().await;
    assert_eq!(after.version, before.version + 2, "saved once more, on top");
    assert!(
        after.topics.iter().any(|t| t.name == "Billing"),
        "the topic is kept"
    );
    assert!(
        after.panels.iter().any(|p| p.name == "Sales"),
        "the panel is saved"
    );
    assert_eq!(
        panels_in(&world, sales).len(),
        1,
        "one panel message, not two"
    );
}
