//! Admins add and remove topics with `/topic`; the panel follows and members open by topic.

use crate::story::button_id;
use crate::world::World;
use discord_emulator::OptionValue;

/// Runs `/topic <subcommand>` as the admin; returns what they read.
async fn topic(world: &World, subcommand: &str, options: &[(&str, OptionValue)]) -> String {
    let outcome = world
        .emulator
        .as_user(world.admin)
        .run_command(
            world.guild,
            world.general,
            &format!("topic {subcommand}"),
            options,
        )
        .await
        .expect("the command runs");
    let message = outcome.expect_message();
    assert!(message.ephemeral);
    message.text()
}

fn labels(message: &twilight_model::channel::Message) -> Vec<String> {
    use twilight_model::channel::message::Component;
    let mut out = Vec::new();
    for component in &message.components {
        if let Component::ActionRow(row) = component {
            for inner in &row.components {
                if let Component::Button(button) = inner {
                    out.extend(button.label.clone());
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_add_topics_the_panel_shows_them_and_members_open_by_topic() {
    let world = World::new().await;
    let reply = topic(&world, "list", &[]).await;
    assert!(reply.contains("not set up"), "{reply}");
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    assert_eq!(
        topic(&world, "list", &[]).await,
        "No topic yet: add one with /topic add."
    );
    let billing_category = world
        .emulator
        .create_category(world.guild, "Billing tickets")
        .unwrap();
    let reply = topic(
        &world,
        "add",
        &[
            ("name", OptionValue::String("Billing".into())),
            (
                "description",
                OptionValue::String("Invoices and refunds".into()),
            ),
            ("category", OptionValue::Channel(billing_category)),
            (
                "auto_response",
                OptionValue::String("Please paste your invoice number.".into()),
            ),
        ],
    )
    .await;
    assert_eq!(
        reply,
        format!("Topic **Billing** added: members choose it on the panel in <#{panel}>.")
    );
    topic(
        &world,
        "add",
        &[("name", OptionValue::String("Bugs".into()))],
    )
    .await;
    // Names are unique whatever their case; nothing changes.
    let refused = topic(
        &world,
        "add",
        &[("name", OptionValue::String("billing".into()))],
    )
    .await;
    assert!(refused.contains("billing"), "{refused}");
    let config = world
        .store
        .guild_config(world.guild)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(config.topics.len(), 2);
    // The posted panel shows one button per topic.
    world
        .wait_until(|| labels(&world.panel_message(panel)) == ["Billing", "Bugs"])
        .await;

    // Mia opens a Billing ticket: in its category, with its automatic response.
    let message = world.panel_message(panel);
    let outcome = world
        .emulator
        .as_user(mia)
        .click_button(panel, message.id, &button_id(&message, "Billing"))
        .await
        .unwrap();
    let text = outcome.expect_message().text();
    assert!(text.starts_with("Your ticket is open"), "{text}");
    let ticket = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    let channel = ticket.channel.unwrap().id;
    assert_eq!(
        world.emulator.channel(channel).unwrap().parent_id,
        Some(billing_category)
    );
    world
        .wait_until(|| {
            world
                .emulator
                .messages(channel)
                .iter()
                .any(|m| m.content == "Please paste your invoice number.")
        })
        .await;

    // A role answering only Billing tickets: it gains access to Mia's, then loses it.
    let [_, _, noa] = world.members;
    let helpers = world
        .emulator
        .create_role(
            world.guild,
            "Billing helpers",
            helpline_domain::permissions::Permissions::empty(),
        )
        .unwrap();
    world
        .emulator
        .set_member_roles(world.guild, noa, &[helpers])
        .unwrap();
    assert!(!world.emulator.can_view(noa, channel));
    let staff = |subcommand: &'static str, topic: &'static str| {
        let world = &world;
        async move {
            world
                .emulator
                .as_user(world.admin)
                .run_command(
                    world.guild,
                    world.general,
                    &format!("staff {subcommand}"),
                    &[
                        ("role1", OptionValue::Role(helpers)),
                        ("topic", OptionValue::String(topic.into())),
                    ],
                )
                .await
                .unwrap()
                .expect_message()
                .text()
        }
    };
    assert_eq!(
        staff("add", "billing").await,
        format!(
            "<@&{helpers}> can now answer **Billing** tickets. Staff for Billing: <@&{helpers}>."
        )
    );
    world
        .wait_until(|| world.emulator.can_view(noa, channel))
        .await;
    let guild_staff = world
        .store
        .guild_config(world.guild)
        .await
        .unwrap()
        .unwrap()
        .staff_roles;
    assert!(!guild_staff.contains(&helpers), "not staff elsewhere");
    assert_eq!(
        staff("add", "Shipping").await,
        "There is no topic named “Shipping”. Topics: Billing, Bugs."
    );
    assert_eq!(
        staff("remove", "Billing").await,
        format!("<@&{helpers}> no longer answer **Billing** tickets. Staff for Billing: —.")
    );
    world
        .wait_until(|| !world.emulator.can_view(noa, channel))
        .await;

    // Bugs goes; Billing and its ticket stay.
    let reply = topic(
        &world,
        "remove",
        &[("name", OptionValue::String("bugs".into()))],
    )
    .await;
    assert_eq!(reply, "Topic **Bugs** removed; its tickets are kept.");
    world
        .wait_until(|| labels(&world.panel_message(panel)) == ["Billing"])
        .await;
    let reply = topic(
        &world,
        "remove",
        &[("name", OptionValue::String("Nope".into()))],
    )
    .await;
    assert_eq!(reply, "There is no topic named “Nope”. Topics: Billing.");
    assert_eq!(topic(&world, "list", &[]).await, "Topics: Billing.");
    assert!(world.store.ticket(ticket.id).await.unwrap().is_some());
    world.bot.stop().await;
}
