//! Private threads with Discord's rules, through twilight-http and twilight-gateway: who sees
//! them, who may write, members, mentions that invite, archive and lock, deletion, the active
//! threads' limit, and the THREAD_* dispatches.

use twilight_gateway::{Event, Intents, ShardId};
use twilight_model::{
    channel::{ChannelType, thread::AutoArchiveDuration},
    guild::Permissions,
    id::{Id, marker::ChannelMarker},
};

use crate::common;

fn thread_bot() -> Permissions {
    common::bot_permissions()
        | Permissions::CREATE_PRIVATE_THREADS
        | Permissions::CREATE_PUBLIC_THREADS
        | Permissions::SEND_MESSAGES_IN_THREADS
        | Permissions::MANAGE_THREADS
}

fn discord_code(error: &twilight_http::Error) -> Option<u64> {
    match error.kind() {
        twilight_http::error::ErrorType::Response { body, .. } => {
            serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|value| value["code"].as_u64())
        }
        _ => None,
    }
}

#[tokio::test]
async fn a_private_thread_follows_discords_rules() {
    let emulator = common::start().await;
    let world = common::world(&emulator, thread_bot());
    let http = common::http(&emulator);
    let mut shard = common::shard(
        &emulator,
        ShardId::ONE,
        Intents::GUILDS | Intents::GUILD_MEMBERS | Intents::GUILD_MESSAGES,
    );
    common::next_matching(&mut shard, |event| {
        matches!(event, Event::GuildCreate(_)).then_some(())
    })
    .await;

    // Created in a text channel: the bot is its first member, nobody else sees it.
    let thread = http
        .create_thread(
            world.general,
            "Ticket 0001 Alice",
            ChannelType::PrivateThread,
        )
        .auto_archive_duration(AutoArchiveDuration::Week)
        .invitable(false)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(thread.kind, ChannelType::PrivateThread);
    assert_eq!(
        thread.name.as_deref(),
        Some("Ticket 0001 Alice"),
        "spaces and capitals kept"
    );
    assert_eq!(thread.parent_id, Some(world.general));
    let metadata = thread.thread_metadata.clone().unwrap();
    assert_eq!(metadata.auto_archive_duration, AutoArchiveDuration::Week);
    assert_eq!(metadata.invitable, Some(false));
    let created = common::next_matching(&mut shard, |event| match event {
        Event::ThreadCreate(created) => Some(created),
        _ => None,
    })
    .await;
    assert_eq!(created.id, thread.id);
    assert_eq!(created.newly_created, Some(true));
    assert_eq!(emulator.thread_members(thread.id), [emulator.bot_user_id()]);
    assert!(!emulator.can_view(world.alice, thread.id));
    assert!(emulator.can_view(world.alice, world.general));
    // Not in the guild's channel list; in its active threads.
    assert!(
        !emulator
            .channels(world.guild)
            .iter()
            .any(|channel| channel.id == thread.id)
    );
    let active = http
        .active_threads(world.guild)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(active.threads.len(), 1);
    assert_eq!(active.members.len(), 1, "the bot's own membership");

    // Adding a member: they see it and write in it with Send Messages in Threads.
    http.add_thread_member(thread.id, world.alice)
        .await
        .unwrap();
    let update = common::next_matching(&mut shard, |event| match event {
        Event::ThreadMembersUpdate(update) => Some(update),
        _ => None,
    })
    .await;
    assert_eq!(update.id, thread.id);
    assert_eq!(update.added_members[0].user_id, Some(world.alice));
    assert_eq!(update.member_count, 2);
    let alice = emulator.as_user(world.alice);
    assert!(alice.can_view(thread.id));
    alice
        .send_text(thread.id, "my printer is on fire")
        .await
        .unwrap();
    // Others may not invite to this thread (`invitable: false`): her mention invites nobody.
    alice
        .send_text(thread.id, &format!("<@{}> help!", world.bob))
        .await
        .unwrap();
    assert!(!emulator.thread_members(thread.id).contains(&world.bob));
    // A member of the guild missing Send Messages in Threads cannot write.
    let everyone = emulator.everyone_role(world.guild);
    emulator
        .update_role(
            world.guild,
            everyone,
            None,
            Some(
                twilight_model::guild::Permissions::VIEW_CHANNEL
                    | Permissions::SEND_MESSAGES
                    | Permissions::READ_MESSAGE_HISTORY,
            ),
        )
        .unwrap();
    assert!(alice.send_text(thread.id, "still burning").await.is_err());
    emulator
        .update_role(
            world.guild,
            everyone,
            None,
            Some(discord_emulator::DEFAULT_EVERYONE_PERMISSIONS),
        )
        .unwrap();

    // A role mention invites the role's members who see the parent channel.
    let welcome = http
        .create_message(thread.id)
        .content(&format!("<@&{}> a new ticket", world.staff_role))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert!(emulator.thread_members(thread.id).contains(&world.staff));
    assert!(emulator.notified(welcome.id).contains(&world.staff));
    assert!(
        !emulator.can_view(world.bob, thread.id),
        "bob was not mentioned"
    );

    // Removing a member: they no longer see it.
    http.remove_thread_member(thread.id, world.alice)
        .await
        .unwrap();
    assert!(!emulator.can_view(world.alice, thread.id));
    http.add_thread_member(thread.id, world.alice)
        .await
        .unwrap();
    // Someone outside the guild: 10007.
    let stranger = emulator.create_user("stranger", "en-US");
    let error = http
        .add_thread_member(thread.id, stranger)
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(10007));

    // Archived and locked: members cannot write, the bot cannot edit or add anyone (50083).
    http.update_thread(thread.id)
        .archived(true)
        .locked(true)
        .await
        .unwrap();
    let archived = common::next_matching(&mut shard, |event| match event {
        Event::ThreadUpdate(update) if update.id == thread.id => Some(update),
        _ => None,
    })
    .await;
    let metadata = archived.thread_metadata.clone().unwrap();
    assert!(metadata.archived && metadata.locked);
    assert!(alice.can_view(thread.id), "archived threads stay readable");
    assert!(alice.send_text(thread.id, "hello?").await.is_err());
    let error = http
        .update_message(thread.id, welcome.id)
        .content(Some("edited"))
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(50083));
    let error = http
        .add_thread_member(thread.id, world.bob)
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(50083));
    let error = http
        .update_thread(thread.id)
        .name("renamed")
        .await
        .unwrap_err();
    assert_eq!(
        discord_code(&error),
        Some(50083),
        "an archived thread only takes unarchiving"
    );
    // Unarchived and unlocked: members write again.
    http.update_thread(thread.id)
        .archived(false)
        .locked(false)
        .await
        .unwrap();
    alice.send_text(thread.id, "thanks").await.unwrap();

    // Discord archives an idle thread (not locked): a message unarchives it.
    emulator.auto_archive_thread(thread.id).unwrap();
    assert!(
        emulator
            .channel(thread.id)
            .unwrap()
            .thread_metadata
            .unwrap()
            .archived
    );
    alice.send_text(thread.id, "bump").await.unwrap();
    assert!(
        !emulator
            .channel(thread.id)
            .unwrap()
            .thread_metadata
            .unwrap()
            .archived
    );

    // Deleted: THREAD_DELETE, and it is gone.
    http.delete_channel(thread.id).await.unwrap();
    let deleted = common::next_matching(&mut shard, |event| match event {
        Event::ThreadDelete(deleted) => Some(deleted),
        _ => None,
    })
    .await;
    assert_eq!((deleted.id, deleted.parent_id), (thread.id, world.general));
    assert!(emulator.channel(thread.id).is_none());
}

#[tokio::test]
async fn threads_need_their_permissions_and_respect_the_active_limit() {
    let emulator = common::start_with(|config| config.max_active_threads = 2).await;
    let world = common::world(&emulator, common::bot_permissions());
    let http = common::http(&emulator);
    // Without Create Private Threads (which @everyone holds by default): 50013.
    let everyone = emulator.everyone_role(world.guild);
    emulator
        .update_role(
            world.guild,
            everyone,
            None,
            Some(
                discord_emulator::DEFAULT_EVERYONE_PERMISSIONS
                    - Permissions::CREATE_PRIVATE_THREADS,
            ),
        )
        .unwrap();
    let error = http
        .create_thread(world.general, "ticket", ChannelType::PrivateThread)
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(50013));
    emulator
        .set_bot_permissions(
            world.guild,
            common::bot_permissions() | Permissions::CREATE_PRIVATE_THREADS,
        )
        .unwrap();
    let thread = http
        .create_thread(world.general, "ticket", ChannelType::PrivateThread)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    // Locking needs Manage Threads; deleting too.
    let error = http
        .update_thread(thread.id)
        .locked(true)
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(50013));
    let error = http.delete_channel(thread.id).await.unwrap_err();
    assert_eq!(discord_code(&error), Some(50013));
    // The creator may archive its own thread without Manage Threads.
    http.update_thread(thread.id).archived(true).await.unwrap();

    // Two active threads at most here: the third is refused with 160006, and unarchiving one
    // counts as well.
    let category = emulator.create_category(world.guild, "Tickets").unwrap();
    let error = http
        .create_thread(category, "ticket", ChannelType::PrivateThread)
        .await
        .unwrap_err();
    assert_eq!(
        discord_code(&error),
        Some(50024),
        "only text channels hold threads"
    );
    let mut active: Vec<Id<ChannelMarker>> = Vec::new();
    for name in ["one", "two"] {
        active.push(
            http.create_thread(world.general, name, ChannelType::PrivateThread)
                .await
                .unwrap()
                .model()
                .await
                .unwrap()
                .id,
        );
    }
    let error = http
        .create_thread(world.general, "three", ChannelType::PrivateThread)
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(160006));
    let error = http
        .update_thread(thread.id)
        .archived(false)
        .await
        .unwrap_err();
    assert_eq!(discord_code(&error), Some(160006));
    http.update_thread(active[0]).archived(true).await.unwrap();
    http.create_thread(world.general, "three", ChannelType::PrivateThread)
        .await
        .unwrap();

    // Deleting the parent channel deletes its threads.
    emulator.delete_channel(world.general).unwrap();
    assert!(emulator.threads(world.guild).is_empty());
    assert!(emulator.channel(thread.id).is_none());
}
