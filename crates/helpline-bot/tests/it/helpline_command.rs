//! `/helpline disable|enable|reset`: turning tickets off and on, and forgetting the
//! configuration, each irreversible step behind a confirmation.

use crate::story::{close_now, open_ticket};
use crate::world::World;

/// Runs `/helpline <subcommand>` as the admin; returns what they read and their buttons' ids.
async fn helpline(world: &World, subcommand: &str) -> (String, Vec<(String, String)>, u64) {
    let outcome = world
        .emulator
        .as_user(world.admin)
        .run_command(
            world.guild,
            world.general,
            &format!("helpline {subcommand}"),
            &[],
        )
        .await
        .expect("the command runs");
    let message = outcome.expect_message();
    assert!(message.ephemeral);
    let buttons = message
        .buttons()
        .into_iter()
        .map(|b| (b.label.unwrap_or_default(), b.custom_id.unwrap_or_default()))
        .collect();
    (message.text(), buttons, message.id().get())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_turn_tickets_off_and_on_and_reset_behind_confirmations() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, _, noa] = world.members;
    let (_, mias) = open_ticket(&world, panel, mia).await;
    let mias = mias.unwrap();

    // Disable asks first; nothing changes until the admin confirms.
    let (question, buttons, message) = helpline(&world, "disable").await;
    assert!(question.starts_with("Turn tickets off?"), "{question}");
    assert!(world.config().await.enabled);
    let confirmed = world
        .emulator
        .as_user(world.admin)
        .click_button(
            world.general,
            twilight_model::id::Id::new(message),
            &buttons[0].1,
        )
        .await
        .unwrap();
    assert!(
        confirmed
            .expect_message()
            .text()
            .starts_with("Tickets are off")
    );
    let (refused, _) = open_ticket(&world, panel, noa).await;
    assert!(refused.contains("turned off"), "{refused}");

    let (enabled, buttons, _) = helpline(&world, "enable").await;
    assert_eq!(enabled, "Tickets are on again.");
    assert!(buttons.is_empty(), "turning on needs no confirmation");
    let (reply, _) = open_ticket(&world, panel, noa).await;
    assert!(reply.starts_with("Your ticket is open"), "{reply}");

    // Reset: the configuration goes, the panel message with it; tickets stay, and admins can
    // still close them.
    let (question, buttons, message) = helpline(&world, "reset").await;
    assert!(question.contains("cannot be undone"), "{question}");
    let confirmed = world
        .emulator
        .as_user(world.admin)
        .click_button(
            world.general,
            twilight_model::id::Id::new(message),
            &buttons[0].1,
        )
        .await
        .unwrap();
    assert!(
        confirmed
            .expect_message()
            .text()
            .starts_with("The configuration is erased")
    );
    assert!(
        world
            .store
            .guild_config(world.guild)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        world
            .emulator
            .messages(panel)
            .iter()
            .all(|m| m.components.is_empty()),
        "no panel left to click"
    );
    let ticket = world.ticket_in(mias).await;
    assert!(ticket.state.is_active(), "the ticket is kept");
    let (_, _, closed) = close_now(&world, mias, world.admin).await;
    assert_eq!(closed, "The ticket is closed.");
    world.bot.stop().await;
}
