//! The whole admin surface on a fresh guild, as the story tells it: `/setup staff_role:`,
//! French as the guild's language, two panels with their topics, per-topic staff and categories,
//! a form with a select question, limit 2 and manual approval on one panel, auto-close after
//! 24 h on the other; then members open
//! through each panel and through `/ticket` and meet the right form, channel, access, pings and
//! language.

use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::TicketState;
use helpline_domain::permissions::Permissions;

async fn admin(world: &World, command: &str, options: &[(&str, OptionValue)]) -> String {
    world.admin_runs(world.general, command, options).await
}

fn text(value: &str) -> OptionValue {
    OptionValue::String(value.into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_configures_a_fresh_guild_and_members_open_through_each_way() {
    let world = World::new().await;
    // The admin's own locale is English; the guild will speak French.
    let reply = admin(
        &world,
        "setup",
        &[("staff_role", OptionValue::Role(world.staff_role))],
    )
    .await;
    assert!(reply.contains("is ready"), "{reply}");
    admin(&world, "settings set", &[("language", text("fr"))]).await;
    let config = world.config().await;
    let support = config.setup.unwrap().panel_channel;
    assert_eq!(config.staff_roles, [world.staff_role]);

    let sales = world
        .emulator
        .create_text_channel(world.guild, "ventes", None)
        .unwrap();
    let billing_category = world
        .emulator
        .create_category(world.guild, "Facturation")
        .unwrap();
    let accountants = world
        .emulator
        .create_role(world.guild, "Comptables", Permissions::empty())
        .unwrap();
    let [mia, max, noa] = world.members;
    world
        .emulator
        .set_member_roles(world.guild, noa, &[accountants])
        .unwrap();

    admin(
        &world,
        "panel create",
        &[
            ("name", text("Ventes")),
            ("channel", OptionValue::Channel(sales)),
        ],
    )
    .await;
    admin(
        &world,
        "topic add",
        &[
            ("name", text("Facturation")),
            ("category", OptionValue::Channel(billing_category)),
            ("ping_role", OptionValue::Role(accountants)),
        ],
    )
    .await;
    admin(
        &world,
        "staff add",
        &[
            ("role1", OptionValue::Role(accountants)),
            ("topic", text("Facturation")),
        ],
    )
    .await;
    admin(
        &world,
        "topic add",
        &[("name", text("Devis")), ("panel", text("Ventes"))],
    )
    .await;
    let outcome = world
        .emulator
        .as_user(world.admin)
        .run_command(
            world.guild,
            world.general,
            "topic questions",
            &[("name", text("Facturation"))],
        )
        .await
        .unwrap();
    let modal = outcome.expect_modal().clone();
    world
        .emulator
        .as_user(world.admin)
        .submit_modal(
            world.general,
            &modal.custom_id,
            &[("q0", "Offre\ntype: select\nchoices: Gratuite, Pro")],
        )
        .await
        .unwrap();
    let reply = admin(
        &world,
        "panel edit",
        &[
            ("panel", text("ventes")),
            ("open_limit", OptionValue::Integer(2)),
            ("approval", text("manual")),
            ("cooldown", OptionValue::Integer(0)),
        ],
    )
    .await;
    assert!(reply.contains("saved"), "{reply}");
    // The other panel closes its tickets after 24 idle hours.
    let reply = admin(
        &world,
        "panel edit",
        &[
            ("panel", text("support")),
            ("auto_close_hours", OptionValue::Integer(24)),
        ],
    )
    .await;
    assert!(reply.contains("saved"), "{reply}");

    // Mia (English locale) opens Facturation from the support panel: the form with its select,
    // then her ticket in the topic's category, seen by both staff roles, pinging both, welcomed
    // in French (the guild's language) while her own reply is in English.
    let panel = world.panel_message(support);
    let outcome = world
        .emulator
        .as_user(mia)
        .click_button(
            support,
            panel.id,
            &crate::story::button_id(&panel, "Facturation"),
        )
        .await
        .unwrap();
    let form = outcome.expect_modal().clone();
    let opened = world
        .emulator
        .as_user(mia)
        .submit_modal(support, &form.custom_id, &[("q0", "Pro")])
        .await
        .unwrap();
    let reply = opened.expect_message().text();
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
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
    assert!(world.emulator.can_view(mia, channel));
    assert!(world.emulator.can_view(noa, channel), "the topic's staff");
    assert!(
        world.emulator.can_view(world.staff[0], channel),
        "guild staff"
    );
    assert!(!world.emulator.can_view(max, channel));
    world
        .wait_until(|| !world.emulator.pins(channel).is_empty())
        .await;
    let welcome = world.emulator.pins(channel).remove(0);
    let description = welcome.embeds[0].description.clone().unwrap();
    assert!(
        description.starts_with(&format!("<@{mia}>, merci d'avoir ouvert un ticket")),
        "{description}"
    );
    assert_eq!(welcome.embeds[0].fields[0].value, "Pro");
    assert!(
        welcome.content.contains(&format!("<@&{accountants}>")),
        "{}",
        welcome.content
    );
    assert!(
        welcome
            .content
            .contains(&format!("<@&{}>", world.staff_role)),
        "{}",
        welcome.content
    );

    // Max (French locale) asks for a quote with /ticket: the Ventes panel needs approval, and
    // he may hold two requests there.
    for attempt in 0..2 {
        let reply = world
            .emulator
            .as_user(max)
            .run_command(
                world.guild,
                world.general,
                "ticket",
                &[("topic", text("devis"))],
            )
            .await
            .unwrap()
            .expect_message()
            .text();
        assert!(
            reply.starts_with("Votre demande a été transmise"),
            "{attempt}: {reply}"
        );
    }
    let third = world
        .emulator
        .as_user(max)
        .run_command(
            world.guild,
            world.general,
            "ticket",
            &[("topic", text("Devis"))],
        )
        .await
        .unwrap()
        .expect_message()
        .text();
    assert!(third.contains('2'), "the limit of 2 is named: {third}");
    let requests = world
        .store
        .tickets_by_member(max, helpline_store::Page::first(5))
        .await
        .unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests.iter().all(|t| t.state == TicketState::Requested));

    // Nobody wrote in Mia's ticket (support panel): warned an hour before, closed after 24 h.
    // Max's requests on the Ventes panel have no such delay.
    let hour = std::time::Duration::from_secs(3600);
    world.config.clock.advance(23 * hour);
    world
        .wait_until(|| {
            world
                .emulator
                .messages(channel)
                .iter()
                .any(|m| m.content.contains("<t:"))
        })
        .await;
    world.config.clock.advance(hour);
    world
        .wait_until_async(async || {
            world.store.ticket(ticket.id).await.unwrap().unwrap().state == TicketState::Closed
        })
        .await;
    let requests = world
        .store
        .tickets_by_member(max, helpline_store::Page::first(5))
        .await
        .unwrap();
    assert!(requests.iter().all(|t| t.state == TicketState::Requested));
    world.bot.stop().await;
}
