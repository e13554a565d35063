//! Members open tickets with `/ticket [topic] [reason]`, as a panel click would.

use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::Topic;

/// Runs `/ticket` as `user`; returns what they read.
async fn ticket(
    world: &World,
    user: helpline_domain::UserId,
    options: &[(&str, OptionValue)],
) -> String {
    let outcome = world
        .emulator
        .as_user(user)
        .run_command(world.guild, world.general, "ticket", options)
        .await
        .expect("members may run /ticket");
    let message = outcome.expect_message();
    assert!(message.ephemeral);
    message.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_open_tickets_with_a_command() {
    let world = World::new().await;
    let [mia, max, noa] = world.members;
    let reply = ticket(&world, mia, &[]).await;
    assert!(reply.contains("not set up"), "{reply}");

    world.set_up().await;
    let reply = ticket(
        &world,
        mia,
        &[("reason", OptionValue::String("My invoice is wrong".into()))],
    )
    .await;
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
    let opened = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(opened.open_reason.as_deref(), Some("My invoice is wrong"));
    let welcome = world.emulator.pins(opened.channel.unwrap().id).remove(0);
    assert!(
        welcome.embeds[0]
            .description
            .as_deref()
            .is_some_and(|d| d.contains("My invoice is wrong")),
        "the reason is in the welcome message"
    );
    // The same limit as the panel: one open ticket.
    let again = ticket(&world, mia, &[]).await;
    assert!(again.contains("already"), "{again}");

    // Topics by name, whatever the case; an unknown one lists those that exist.
    let reply = ticket(
        &world,
        max,
        &[("topic", OptionValue::String("Billing".into()))],
    )
    .await;
    // Max reads French, his locale.
    assert_eq!(
        reply,
        "Ce serveur n'a pas de sujets\u{a0}: lancez /ticket sans en préciser."
    );
    let mut config = world.config().await;
    let billing = config.add_topic(|id| Topic::new(id, "Billing")).unwrap();
    config.panels[0].topics.push(billing);
    world.store.save_guild_config(&config).await.unwrap();
    let reply = ticket(
        &world,
        max,
        &[("topic", OptionValue::String("refunds".into()))],
    )
    .await;
    assert_eq!(
        reply,
        "Aucun sujet ne s'appelle «\u{a0}refunds\u{a0}». Sujets\u{a0}: Billing."
    );
    let reply = ticket(
        &world,
        noa,
        &[("topic", OptionValue::String("refunds".into()))],
    )
    .await;
    assert_eq!(reply, "There is no topic named “refunds”. Topics: Billing.");
    let reply = ticket(
        &world,
        noa,
        &[("topic", OptionValue::String("billing".into()))],
    )
    .await;
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
    let opened = world
        .store
        .tickets_by_member(noa, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(opened.topic_id, Some(billing));
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_suggests_topics_as_the_member_types() {
    use discord_emulator::OptionValue;
    let world = crate::world::World::new().await;
    world.set_up().await;
    for name in ["Billing", "Bugs", "Partners"] {
        world
            .emulator
            .as_user(world.admin)
            .run_command(
                world.guild,
                world.general,
                "topic add",
                &[("name", OptionValue::String(name.into()))],
            )
            .await
            .unwrap();
    }
    let [mia, ..] = world.members;
    let suggest = |typed: &'static str| {
        let world = &world;
        async move {
            world
                .emulator
                .as_user(mia)
                .autocomplete(world.guild, world.general, "ticket", &[], ("topic", typed))
                .await
                .unwrap()
                .expect_choices()
                .iter()
                .map(|(name, _)| name.clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(suggest("b").await, ["Billing", "Bugs"]);
    assert_eq!(suggest("PART").await, ["Partners"]);
    assert_eq!(suggest("").await.len(), 3);
    assert!(suggest("refund").await.is_empty());
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_in_a_ticket_asks_first_and_a_reason_fills_the_form() {
    use discord_emulator::OptionValue;
    let world = crate::world::World::new().await;
    let panel = world.set_up().await;
    let [mia, max, _] = world.members;
    // Outside a ticket it says where it works.
    let outcome = world
        .emulator
        .as_user(mia)
        .run_command(world.guild, world.general, "close", &[])
        .await
        .unwrap();
    assert_eq!(
        outcome.expect_message().text(),
        "This command works in a ticket channel: run it there."
    );

    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    // Mia's /close asks for confirmation, like the Close button.
    let outcome = world
        .emulator
        .as_user(mia)
        .run_command(world.guild, channel, "close", &[])
        .await
        .unwrap();
    let confirm = outcome.expect_message();
    assert!(confirm.ephemeral);
    assert_eq!(
        confirm.text(),
        "Close this ticket? The conversation will be saved as a transcript."
    );
    // Staff claim and release it with /claim and /unclaim; a member cannot claim.
    let sam = world.staff[0];
    let said = |user, command: &'static str| {
        let world = &world;
        async move {
            world
                .emulator
                .as_user(user)
                .run_command(world.guild, channel, command, &[])
                .await
                .unwrap()
                .expect_message()
                .text()
        }
    };
    assert_eq!(said(sam, "claim").await, "You claimed this ticket.");
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.claimer, Some(sam));
    assert_eq!(said(sam, "unclaim").await, "You released this ticket.");
    let refused = said(mia, "claim").await;
    assert_ne!(refused, "You claimed this ticket.");
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.claimer, None, "{refused}");
    // Staff close with a reason: the reason form comes filled in; submitting closes.
    let outcome = world
        .emulator
        .as_user(sam)
        .run_command(
            world.guild,
            channel,
            "close",
            &[("reason", OptionValue::String("Refund sent".into()))],
        )
        .await
        .unwrap();
    let modal = outcome.expect_modal().clone();
    let closed = world
        .emulator
        .as_user(sam)
        .submit_modal(channel, &modal.custom_id, &[])
        .await
        .unwrap();
    assert_eq!(closed.expect_message().text(), "The ticket is closed.");
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.state, helpline_domain::TicketState::Closed);
    assert!(
        format!("{:?}", ticket.close_reason).contains("Refund sent"),
        "{:?}",
        ticket.close_reason
    );
    // Max cannot see the channel, so he cannot run /close in it.
    assert!(
        world
            .emulator
            .as_user(max)
            .run_command(world.guild, channel, "close", &[])
            .await
            .is_err()
    );
    world.bot.stop().await;
}
