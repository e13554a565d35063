//! `/blacklist`: admins keep a member, or everyone with a role, from opening tickets; the
//! member is told politely and nothing is created; staff and admins cannot be blacklisted.

use crate::story::button_id;
use crate::world::World;
use discord_emulator::OptionValue;
use twilight_model::guild::Permissions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blacklisted_members_and_roles_cannot_open_tickets() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, max, noa] = world.members;
    let [sam, _] = world.staff;
    let admin = |options: Vec<(&'static str, OptionValue)>, sub: &'static str| {
        let world = &world;
        async move {
            world
                .admin_runs(world.general, &format!("blacklist {sub}"), &options)
                .await
        }
    };
    let click = |user| {
        let world = &world;
        async move {
            let message = world.panel_message(panel);
            let outcome = world
                .emulator
                .as_user(user)
                .click_button(panel, message.id, &button_id(&message, "Open a ticket"))
                .await
                .unwrap();
            let reply = outcome.expect_message();
            assert!(reply.ephemeral);
            world.wait_for_outbox().await;
            reply.text()
        }
    };
    let tickets_of = |user| {
        let world = &world;
        async move {
            world
                .store
                .tickets_by_member(user, helpline_store::Page::first(5))
                .await
                .unwrap()
                .len()
        }
    };

    assert_eq!(
        admin(
            vec![
                ("user", OptionValue::User(mia)),
                ("reason", OptionValue::String("Spam".into())),
            ],
            "add"
        )
        .await,
        format!("<@{mia}> can no longer open tickets on this server.")
    );
    let channels_before = world.emulator.channels(world.guild).len();
    assert_eq!(
        click(mia).await,
        "You can't open tickets on this server. If you think this is a mistake, contact its administrators."
    );
    let outcome = world
        .emulator
        .as_user(mia)
        .run_command(world.guild, world.general, "ticket", &[])
        .await
        .unwrap();
    assert!(
        outcome
            .expect_message()
            .text()
            .starts_with("You can't open tickets")
    );
    assert_eq!(tickets_of(mia).await, 0, "nothing is created");
    assert_eq!(world.emulator.channels(world.guild).len(), channels_before);

    // A role: everyone with it (Max reads French).
    let muted = world
        .emulator
        .create_role(world.guild, "Muted", Permissions::empty())
        .unwrap();
    world
        .emulator
        .set_member_roles(world.guild, max, &[muted])
        .unwrap();
    admin(vec![("role", OptionValue::Role(muted))], "add").await;
    assert!(
        click(max)
            .await
            .starts_with("Vous ne pouvez pas ouvrir de ticket")
    );
    assert_eq!(tickets_of(max).await, 0);
    assert!(
        click(noa).await.starts_with("Your ticket is open"),
        "others still can"
    );

    // Staff, admins and staff roles cannot be blacklisted; one target at a time.
    let staff = "Staff members and administrators can't be blacklisted.";
    assert_eq!(
        admin(vec![("user", OptionValue::User(sam))], "add").await,
        staff
    );
    assert_eq!(
        admin(vec![("role", OptionValue::Role(world.staff_role))], "add").await,
        staff
    );
    assert_eq!(
        admin(vec![], "add").await,
        "Give a member or a role, one of the two."
    );
    assert_eq!(
        admin(
            vec![
                ("user", OptionValue::User(noa)),
                ("role", OptionValue::Role(muted))
            ],
            "add"
        )
        .await,
        "Give a member or a role, one of the two."
    );

    let list = admin(vec![], "list").await;
    assert_eq!(
        list,
        format!("2 entries on the blacklist:\n<@{mia}> — Spam\n<@&{muted}>")
    );
    // A member cannot run it at all (Discord hides it; the bot checks again).
    let outcome = world
        .emulator
        .as_user(noa)
        .run_command(world.guild, world.general, "blacklist list", &[])
        .await;
    assert!(outcome.is_err() || !outcome.unwrap().expect_message().text().contains("entries"));

    // Taken off, Mia opens again.
    assert_eq!(
        admin(vec![("user", OptionValue::User(mia))], "remove").await,
        format!("<@{mia}> can open tickets again.")
    );
    assert_eq!(
        admin(vec![("user", OptionValue::User(mia))], "remove").await,
        format!("<@{mia}> is not on the blacklist.")
    );
    assert!(click(mia).await.starts_with("Your ticket is open"));
}
