//! `/access` (A7): admins give members web-panel access and take it back; a non-member, a bot or
//! a second grant changes nothing; members are refused the command.

use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::Id;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_grant_list_and_revoke_web_panel_access() {
    let world = World::new().await;
    world.set_up().await;
    let [mia, _, _] = world.members;
    let guild = Id::new(world.guild.get());
    let mia_id = Id::new(mia.get());
    let run =
        |sub: &'static str,
         user: Option<twilight_model::id::Id<twilight_model::id::marker::UserMarker>>| {
            let world = &world;
            async move {
                let options: Vec<(&str, OptionValue)> = user
                    .map(|u| ("user", OptionValue::User(u)))
                    .into_iter()
                    .collect();
                world
                    .admin_runs(world.general, &format!("access {sub}"), &options)
                    .await
            }
        };

    assert!(run("list", None).await.contains("Nobody was given"));
    let granted = run("grant", Some(mia)).await;
    assert!(granted.contains("can now use the web panel"), "{granted}");
    assert!(world.store.has_panel_access(guild, mia_id).await.unwrap());
    let grants = world.store.panel_access(guild).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0].granted_by.get(),
        world.admin.get(),
        "who gave it is kept"
    );
    assert!(run("grant", Some(mia)).await.contains("already has"));
    let listed = run("list", None).await;
    assert!(listed.contains(&format!("<@{mia}>")), "{listed}");
    assert!(listed.contains(&format!("<@{}>", world.admin)), "{listed}");

    // Someone who is not on the server, and the bot itself, are refused; nothing is kept.
    let stranger = world.emulator.create_user("Stranger", "en-US");
    assert!(run("grant", Some(stranger)).await.contains("not a member"));
    assert!(
        run("grant", Some(world.emulator.bot_user_id()))
            .await
            .contains("Bots cannot")
    );
    assert_eq!(world.store.panel_access(guild).await.unwrap().len(), 1);

    // Members do not even see the command (Manage Server by default, as Discord hides it).
    let hidden = world
        .emulator
        .as_user(mia)
        .run_command(world.guild, world.general, "access list", &[])
        .await;
    assert!(hidden.is_err(), "{hidden:?}");

    assert!(run("revoke", Some(mia)).await.contains("no longer has"));
    assert!(!world.store.has_panel_access(guild, mia_id).await.unwrap());
    assert!(run("revoke", Some(mia)).await.contains("did not have"));
}
