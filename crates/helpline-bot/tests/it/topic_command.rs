//! Admins add and remove topics with `/topic`; the panel follows and members open by topic.

use crate::story::button_id;
use crate::world::World;
use discord_emulator::OptionValue;

/// Runs `/topic <subcommand>` as the admin; returns what they read.
async fn topic(world: &World, subcommand: &str, options: &[(&str, OptionValue)]) -> String {
    world
        .admin_runs(world.general, &format!("topic {subcommand}"), options)
        .await
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
    let config = world.config().await;
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
    let guild_staff = world.config().await.staff_roles;
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

/// The inputs of a modal: (custom id, kind, prefilled value).
fn modal_inputs(
    modal: &discord_emulator::SeenModal,
) -> Vec<(String, &'static str, Option<String>)> {
    use twilight_model::channel::message::Component;
    modal
        .components
        .iter()
        .filter_map(|component| match component {
            Component::Label(label) => match &*label.component {
                Component::TextInput(input) => {
                    Some((input.custom_id.clone(), "text", input.value.clone()))
                }
                Component::SelectMenu(menu) => Some((menu.custom_id.clone(), "select", None)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_asks_its_questions_and_the_answers_go_with_the_ticket() {
    let world = World::new().await;
    let panel = world.set_up().await;
    topic(
        &world,
        "add",
        &[("name", OptionValue::String("Billing".into()))],
    )
    .await;
    let admin = world.emulator.as_user(world.admin);
    let outcome = admin
        .run_command(
            world.guild,
            world.general,
            "topic questions",
            &[("name", OptionValue::String("billing".into()))],
        )
        .await
        .unwrap();
    let modal = outcome.expect_modal().clone();
    assert_eq!(modal.title, "Form of Billing");
    assert_eq!(modal_inputs(&modal).len(), 5);
    // A line Helpline cannot read: nothing is saved.
    let reply = admin
        .submit_modal(
            world.general,
            &modal.custom_id,
            &[("q0", "Order\ntype: essay")],
        )
        .await
        .unwrap();
    let text = reply.expect_message().text();
    assert!(
        text.starts_with("Question 1: I cannot read “type: essay”"),
        "{text}"
    );
    let config = world.config().await;
    assert!(config.topics[0].questions.is_empty());

    let outcome = admin
        .run_command(
            world.guild,
            world.general,
            "topic questions",
            &[("name", OptionValue::String("Billing".into()))],
        )
        .await
        .unwrap();
    let modal = outcome.expect_modal().clone();
    let reply = admin
        .submit_modal(
            world.general,
            &modal.custom_id,
            &[
                ("q0", "Order number\ntype: short\nlength: 3-20"),
                ("q1", "Plan\ntype: select\nchoices: Free, Pro"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        reply.expect_message().text(),
        "**Billing** now asks 2 questions when a ticket opens."
    );
    // The questions read back as written.
    let outcome = admin
        .run_command(
            world.guild,
            world.general,
            "topic questions",
            &[("name", OptionValue::String("Billing".into()))],
        )
        .await
        .unwrap();
    let inputs = modal_inputs(outcome.expect_modal());
    assert_eq!(
        inputs[1].2.as_deref(),
        Some("Plan\ntype: select\nchoices: Free, Pro\nrequired: yes")
    );
    // The panel requires a reason: it takes the form's first input.
    let edited = admin
        .run_command(
            world.guild,
            world.general,
            "panel edit",
            &[
                ("panel", OptionValue::String("support".into())),
                ("reason", OptionValue::String("required".into())),
            ],
        )
        .await
        .unwrap();
    assert!(edited.expect_message().text().contains("saved"));

    // Mia clicks Billing: the form comes first, then her ticket with her answers.
    let [mia, max, _] = world.members;
    let message = world.panel_message(panel);
    let outcome = world
        .emulator
        .as_user(mia)
        .click_button(
            panel,
            message.id,
            &crate::story::button_id(&message, "Billing"),
        )
        .await
        .unwrap();
    let form = outcome.expect_modal().clone();
    assert_eq!(form.title, "Billing");
    let kinds: Vec<(String, &str)> = modal_inputs(&form)
        .into_iter()
        .map(|(id, kind, _)| (id, kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("reason".to_owned(), "text"),
            ("q0".to_owned(), "text"),
            ("q1".to_owned(), "select")
        ]
    );
    let opened = world
        .emulator
        .as_user(mia)
        .submit_modal(
            panel,
            &form.custom_id,
            &[("reason", "Charged twice"), ("q0", "A-1234"), ("q1", "Pro")],
        )
        .await
        .unwrap();
    let text = opened.expect_message().text();
    assert!(text.starts_with("Your ticket is open"), "{text}");
    let ticket = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(ticket.open_reason.as_deref(), Some("Charged twice"));
    let answers: Vec<(&str, &str)> = ticket
        .answers
        .iter()
        .map(|a| (a.question.as_str(), a.answer.as_str()))
        .collect();
    assert_eq!(answers, [("Order number", "A-1234"), ("Plan", "Pro")]);
    let channel = ticket.channel.unwrap().id;
    world
        .wait_until(|| !world.emulator.pins(channel).is_empty())
        .await;
    let welcome = world.emulator.pins(channel).remove(0);
    let fields: Vec<(String, String)> = welcome.embeds[0]
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    assert_eq!(
        fields,
        [
            ("Order number".to_owned(), "A-1234".to_owned()),
            ("Plan".to_owned(), "Pro".to_owned())
        ]
    );

    // /ticket shows the same form, with the reason given already filled in (in French for Max).
    let outcome = world
        .emulator
        .as_user(max)
        .run_command(
            world.guild,
            world.general,
            "ticket",
            &[
                ("topic", OptionValue::String("Billing".into())),
                ("reason", OptionValue::String("Facture".into())),
            ],
        )
        .await
        .unwrap();
    let form = outcome.expect_modal();
    assert_eq!(modal_inputs(form)[0].2.as_deref(), Some("Facture"));
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_edit_a_topic_its_welcome_name_and_pings_follow() {
    let world = World::new().await;
    let panel = world.set_up().await;
    topic(
        &world,
        "add",
        &[("name", OptionValue::String("Billing".into()))],
    )
    .await;
    let accountants = world
        .emulator
        .create_role(
            world.guild,
            "Accountants",
            helpline_domain::permissions::Permissions::empty(),
        )
        .unwrap();
    // An unknown placeholder names the valid ones; nothing changes.
    let refused = topic(
        &world,
        "edit",
        &[
            ("name", OptionValue::String("Billing".into())),
            ("welcome", OptionValue::String("Hi $user".into())),
        ],
    )
    .await;
    assert!(refused.contains("$author"), "{refused}");
    let reply = topic(
        &world,
        "edit",
        &[
            ("name", OptionValue::String("billing".into())),
            ("rename", OptionValue::String("Invoices".into())),
            (
                "welcome",
                OptionValue::String("Hi $author, about $topic: an accountant comes.".into()),
            ),
            (
                "name_template",
                OptionValue::String("invoice-$counter".into()),
            ),
            ("ping_role", OptionValue::Role(accountants)),
            ("emoji", OptionValue::String("🧾".into())),
        ],
    )
    .await;
    assert_eq!(
        reply,
        format!("Topic **Invoices** saved; the panel in <#{panel}> shows it.")
    );
    world
        .wait_until(|| labels(&world.panel_message(panel)) == ["Invoices"])
        .await;
    let shown = world.panel_message(panel);
    let twilight_model::channel::message::Component::ActionRow(row) = &shown.components[0] else {
        panic!("a row");
    };
    let twilight_model::channel::message::Component::Button(button) = &row.components[0] else {
        panic!("a button");
    };
    assert_eq!(
        button.emoji,
        Some(
            twilight_model::channel::message::EmojiReactionType::Unicode {
                name: "🧾".into()
            }
        )
    );
    let [mia, ..] = world.members;
    let message = world.panel_message(panel);
    world
        .emulator
        .as_user(mia)
        .click_button(
            panel,
            message.id,
            &crate::story::button_id(&message, "Invoices"),
        )
        .await
        .unwrap();
    let ticket = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    let channel = ticket.channel.unwrap().id;
    assert_eq!(
        world.emulator.channel(channel).unwrap().name.as_deref(),
        Some("invoice-0001")
    );
    world
        .wait_until(|| !world.emulator.pins(channel).is_empty())
        .await;
    let welcome = world.emulator.pins(channel).remove(0);
    assert_eq!(
        welcome.embeds[0].description.as_deref(),
        Some(format!("Hi <@{mia}>, about Invoices: an accountant comes.").as_str())
    );
    assert!(
        welcome.content.contains(&format!("<@&{accountants}>")),
        "{}",
        welcome.content
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remove_without_a_name_offers_the_topics_to_choose_from() {
    let world = World::new().await;
    let panel = world.set_up().await;
    for name in ["Billing", "Bugs"] {
        topic(&world, "add", &[("name", OptionValue::String(name.into()))]).await;
    }
    let outcome = world
        .emulator
        .as_user(world.admin)
        .run_command(world.guild, world.general, "topic remove", &[])
        .await
        .unwrap();
    let shown = outcome.expect_message();
    assert_eq!(
        shown.text(),
        "Which topic do you want to remove? Its tickets are kept."
    );
    let message = shown.message.clone();
    let twilight_model::channel::message::Component::ActionRow(row) = &message.components[0] else {
        panic!("a row");
    };
    let twilight_model::channel::message::Component::SelectMenu(menu) = &row.components[0] else {
        panic!("a select menu");
    };
    let bugs = menu
        .options
        .iter()
        .flatten()
        .find(|o| o.label == "Bugs")
        .unwrap()
        .value
        .clone();
    let chosen = world
        .emulator
        .as_user(world.admin)
        .select(world.general, message.id, &menu.custom_id, &[bugs.as_str()])
        .await
        .unwrap();
    assert_eq!(
        chosen.expect_message().text(),
        "Topic **Bugs** removed; its tickets are kept."
    );
    world
        .wait_until(|| labels(&world.panel_message(panel)) == ["Billing"])
        .await;
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_category_the_bot_cannot_fill_is_refused_before_anything_is_saved() {
    use twilight_model::channel::permission_overwrite::{
        PermissionOverwrite, PermissionOverwriteType,
    };
    let world = World::new().await;
    world.set_up().await;
    let locked = world
        .emulator
        .create_category(world.guild, "Locked")
        .unwrap();
    world
        .emulator
        .set_channel_overwrites(
            locked,
            vec![PermissionOverwrite {
                id: world.emulator.bot_user_id().cast(),
                kind: PermissionOverwriteType::Member,
                allow: helpline_domain::permissions::Permissions::empty(),
                deny: helpline_domain::permissions::Permissions::MANAGE_CHANNELS,
            }],
        )
        .unwrap();
    // (The bot sees the CHANNEL_UPDATE before the command: one shard, in order.)
    let refused = topic(
        &world,
        "add",
        &[
            ("name", OptionValue::String("Billing".into())),
            ("category", OptionValue::Channel(locked)),
        ],
    )
    .await;
    assert_eq!(
        refused,
        format!(
            "I cannot create ticket channels in <#{locked}>: give me View Channel and Manage Channels there, then try again. Nothing was saved."
        )
    );
    let config = world.config().await;
    assert!(config.topics.is_empty());
    world.bot.stop().await;
}
