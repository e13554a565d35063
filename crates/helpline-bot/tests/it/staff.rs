//! Admins name the staff with `/setup staff_role` and `/staff`, and open tickets follow.

use crate::story::open_ticket;
use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::permissions::Permissions;

/// Runs `/staff <subcommand>` as `user`; returns what they read.
async fn staff(
    world: &World,
    user: helpline_domain::UserId,
    subcommand: &str,
    options: &[(&str, OptionValue)],
) -> String {
    let outcome = world
        .emulator
        .as_user(user)
        .run_command(
            world.guild,
            world.general,
            &format!("staff {subcommand}"),
            options,
        )
        .await
        .expect("the command runs");
    let message = outcome.expect_message();
    assert!(message.ephemeral, "only the admin reads it");
    message.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_name_the_staff_and_open_tickets_follow() {
    let world = World::new().await;
    let emulator = &world.emulator;
    let [mia, max, noa] = world.members;
    let [sam, _] = world.staff;
    let support = world.staff_role;
    // A fresh server: the staff role comes with /setup.
    let reply = world
        .setup_with(&[("staff_role", OptionValue::Role(support))])
        .await;
    assert!(reply.contains("is ready"), "{reply}");
    let config = world.config().await;
    assert_eq!(config.staff_roles, [support]);
    let panel = config.setup.unwrap().panel_channel;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let welcome = emulator.pins(channel).remove(0);
    assert!(
        welcome.content.contains(&format!("<@&{support}>")),
        "staff are pinged"
    );
    assert!(emulator.can_view(sam, channel), "staff see the ticket");

    // A second role of helpers; Noa gets it.
    let helpers = emulator
        .create_role(world.guild, "Helpers", Permissions::empty())
        .unwrap();
    emulator
        .set_member_roles(world.guild, noa, &[helpers])
        .unwrap();
    assert!(!emulator.can_view(noa, channel));
    let reply = staff(
        &world,
        world.admin,
        "add",
        &[("role1", OptionValue::Role(helpers))],
    )
    .await;
    assert_eq!(
        reply,
        format!("<@&{helpers}> can now answer tickets. Staff roles: <@&{support}>, <@&{helpers}>.")
    );
    world.wait_until(|| emulator.can_view(noa, channel)).await;
    let again = staff(
        &world,
        world.admin,
        "add",
        &[("role1", OptionValue::Role(helpers))],
    )
    .await;
    assert!(again.contains("already answer tickets"), "{again}");

    // Support is taken off: Sam no longer sees the ticket, the helpers still do.
    let reply = staff(
        &world,
        world.admin,
        "remove",
        &[("role1", OptionValue::Role(support))],
    )
    .await;
    assert_eq!(
        reply,
        format!("<@&{support}> no longer answer tickets. Staff roles: <@&{helpers}>.")
    );
    world.wait_until(|| !emulator.can_view(sam, channel)).await;
    assert!(emulator.can_view(noa, channel));
    assert!(
        emulator.can_view(mia, channel),
        "the opener keeps her ticket"
    );
    let reply = staff(
        &world,
        world.admin,
        "remove",
        &[("role1", OptionValue::Role(support))],
    )
    .await;
    assert!(reply.contains("are not staff roles"), "{reply}");

    // @everyone is never staff.
    let everyone = emulator.everyone_role(world.guild);
    let reply = staff(
        &world,
        world.admin,
        "add",
        &[("role1", OptionValue::Role(everyone))],
    )
    .await;
    assert!(
        reply.starts_with("@everyone cannot be a staff role"),
        "{reply}"
    );
    let config = world.config().await;
    assert_eq!(config.staff_roles, [helpers], "nothing changed");

    // The list, and no more pings on new tickets.
    let listed = staff(&world, world.admin, "list", &[]).await;
    assert!(
        listed.starts_with(&format!("Staff roles: <@&{helpers}>.")),
        "{listed}"
    );
    assert!(listed.contains("will mention"), "{listed}");
    let reply = staff(
        &world,
        world.admin,
        "mention",
        &[("enabled", OptionValue::Boolean(false))],
    )
    .await;
    assert_eq!(reply, "New tickets will no longer mention the staff roles.");
    let (_, channel) = open_ticket(&world, panel, max).await;
    let welcome = emulator.pins(channel.unwrap()).remove(0);
    assert!(!welcome.content.contains("<@&"), "{}", welcome.content);

    // A member cannot change the staff.
    let refused = world
        .emulator
        .as_user(mia)
        .run_command(
            world.guild,
            world.general,
            "staff add",
            &[("role1", OptionValue::Role(helpers))],
        )
        .await;
    match refused {
        Ok(outcome) => assert!(
            outcome.expect_message().text().contains("Manage Server"),
            "a member is told who may"
        ),
        // Discord does not even offer admin commands to members (default_member_permissions).
        Err(error) => assert!(
            error.to_string().contains("no command /staff is available"),
            "{error}"
        ),
    }
    world.bot.stop().await;
}
