//! `/tickets` (M6, B2): a member lists their tickets across every server Helpline serves, with
//! the channel of an open one and the transcript Helpline sent them of a closed one, from a
//! server or from their DMs with the bot.

use crate::story::{close_now, open_ticket};
use crate::world::World;
use helpline_domain::permissions::BOT_REQUIRED;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_lists_their_tickets_across_servers() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, _, noa] = world.members;
    let (_, here) = open_ticket(&world, panel, mia).await;
    let here = here.unwrap();

    // A second server where Mia is a member and Helpline is set up; she opens and closes one.
    let emulator = &world.emulator;
    let other = emulator
        .create_guild("Other Server", world.admin, "en-US")
        .unwrap();
    emulator.set_bot_permissions(other, BOT_REQUIRED).unwrap();
    emulator.add_member(other, mia, &[]).unwrap();
    let lobby = emulator.create_text_channel(other, "lobby", None).unwrap();
    world.wait_until(|| world.bot.bot.knows_guild(other)).await;
    let setup = emulator
        .as_user(world.admin)
        .run_command(other, lobby, "setup", &[])
        .await
        .unwrap()
        .expect_message()
        .text();
    assert!(setup.contains("is ready"), "{setup}");
    let other_panel = world
        .store
        .guild_config(other)
        .await
        .unwrap()
        .unwrap()
        .setup
        .unwrap()
        .panel_channel;
    let (_, there) = open_ticket(&world, other_panel, mia).await;
    let there = there.unwrap();
    close_now(&world, there, mia).await;
    world.wait_for_outbox().await;
    let dm = emulator
        .dm_messages(mia)
        .into_iter()
        .rev()
        .find(|m| m.attachments.iter().any(|a| a.filename.ends_with(".html")))
        .expect("the transcript by DM");

    // From the first server, Mia sees both, newest first, only to her.
    let outcome = emulator
        .as_user(mia)
        .run_command(world.guild, world.general, "tickets", &[])
        .await
        .unwrap();
    let answer = outcome.expect_message();
    assert!(answer.ephemeral, "only Mia sees her tickets");
    let text = answer.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Your tickets", "{text}");
    assert!(
        lines[1].starts_with("**Other Server** · ticket #0001: Closed, opened <t:"),
        "{text}"
    );
    assert!(
        lines[1].contains(&format!(
            "[transcript in your DMs](https://discord.com/channels/@me/{}/{})",
            dm.channel_id, dm.id
        )),
        "{text}"
    );
    assert!(
        lines[2].starts_with("**Demo Server** · ticket #0001: Open, opened <t:"),
        "{text}"
    );
    assert!(lines[2].ends_with(&format!(" · <#{here}>")), "{text}");
    assert!(
        !lines[2].contains("transcript"),
        "no transcript yet: {text}"
    );

    // From her DMs with the bot, away from any server, the same list; guild commands are not
    // offered there.
    let from_dm = emulator
        .as_user(mia)
        .run_dm_command("tickets", &[])
        .await
        .unwrap()
        .expect_message()
        .text();
    assert_eq!(from_dm, text);
    assert!(
        emulator
            .as_user(mia)
            .run_dm_command("close", &[])
            .await
            .is_err()
    );

    // Someone without tickets is told how to open one.
    let none = emulator
        .as_user(noa)
        .run_command(world.guild, world.general, "tickets", &[])
        .await
        .unwrap()
        .expect_message()
        .text();
    assert_eq!(
        none,
        "You have no tickets yet. Open one from a server's ticket panel or with /ticket."
    );
    world.bot.stop().await;
}
