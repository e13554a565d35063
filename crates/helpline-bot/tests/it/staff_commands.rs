//! Staff in a ticket channel: `/transfer`, `/add` and `/remove` (members and roles), `/rename`
//! and `/reopen`, each as staff would type it, with the refusals members and bad inputs get.

use crate::world::World;
use discord_emulator::OptionValue;
use twilight_model::guild::Permissions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_transfer_add_remove_rename_and_reopen_from_a_ticket() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, max, noa] = world.members;
    let [sam, sky] = world.staff;
    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let says = |user, command: &'static str, options: Vec<(&'static str, OptionValue)>| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(world.guild, channel, command, &options)
                .await
                .unwrap();
            let text = outcome.expect_message().text();
            world.wait_for_outbox().await;
            text
        }
    };
    let ticket = || async { world.ticket_in(channel).await };

    // Transfer: Sam hands the ticket to Sky, who now holds the claim.
    assert_eq!(
        says(sam, "transfer", vec![("member", OptionValue::User(sky))]).await,
        "The ticket is now in the hands of the staff member you chose."
    );
    assert_eq!(ticket().await.claimer, Some(sky));
    // A member cannot transfer, nor hand a ticket to someone who is not staff.
    let refused = says(mia, "transfer", vec![("member", OptionValue::User(sam))]).await;
    assert_ne!(
        refused,
        "The ticket is now in the hands of the staff member you chose."
    );
    let refused = says(sam, "transfer", vec![("member", OptionValue::User(noa))]).await;
    assert_ne!(
        refused,
        "The ticket is now in the hands of the staff member you chose."
    );
    assert_eq!(ticket().await.claimer, Some(sky), "refusals change nothing");

    // Add and remove a member: Max sees the channel, then no longer.
    assert!(!world.emulator.can_view(max, channel));
    // Sky reads French: each staff member is answered in their own language.
    assert_eq!(
        says(sky, "add member", vec![("member", OptionValue::User(max))]).await,
        "Cette personne voit désormais ce ticket et peut y écrire."
    );
    assert!(world.emulator.can_view(max, channel), "Max was added");
    assert_eq!(
        says(
            sam,
            "remove member",
            vec![("member", OptionValue::User(max))]
        )
        .await,
        "They no longer see this ticket."
    );
    assert!(!world.emulator.can_view(max, channel), "Max was removed");
    // Staff and the opener cannot be removed; a member cannot add anyone.
    let refused = says(
        sam,
        "remove member",
        vec![("member", OptionValue::User(sam))],
    )
    .await;
    assert_ne!(refused, "They no longer see this ticket.");
    assert!(world.emulator.can_view(sam, channel));
    let refused = says(mia, "add member", vec![("member", OptionValue::User(noa))]).await;
    assert_ne!(refused, "They can now see this ticket and write in it.");
    assert!(!world.emulator.can_view(noa, channel));

    // Add and remove a role; @everyone is refused with the reason.
    let helpers = world
        .emulator
        .create_role(world.guild, "Helpers", Permissions::empty())
        .unwrap();
    world
        .emulator
        .set_member_roles(world.guild, noa, &[helpers])
        .unwrap();
    assert_eq!(
        says(sam, "add role", vec![("role", OptionValue::Role(helpers))]).await,
        "Members of that role can now see this ticket and write in it."
    );
    assert!(world.emulator.can_view(noa, channel));
    assert_eq!(
        says(
            sam,
            "remove role",
            vec![("role", OptionValue::Role(helpers))]
        )
        .await,
        "Members of that role no longer see this ticket (unless they are staff)."
    );
    assert!(!world.emulator.can_view(noa, channel));
    let everyone = world.emulator.everyone_role(world.guild);
    assert_eq!(
        says(sam, "add role", vec![("role", OptionValue::Role(everyone))]).await,
        "@everyone cannot be added to a ticket: it would make it public."
    );
    assert!(!world.emulator.can_view(max, channel), "still private");

    // Rename.
    assert_eq!(
        says(
            sam,
            "rename",
            vec![("name", OptionValue::String("refund-mia".into()))]
        )
        .await,
        "The ticket channel is renamed."
    );
    assert_eq!(
        world.emulator.channel(channel).unwrap().name.as_deref(),
        Some("refund-mia")
    );

    // Close, then reopen with /reopen.
    let closed = world
        .emulator
        .as_user(sam)
        .run_command(world.guild, channel, "close", &[])
        .await
        .unwrap();
    let confirm = closed.expect_message().clone();
    let button = confirm
        .buttons()
        .into_iter()
        .find(|b| b.label.as_deref() == Some("Close now"))
        .expect("the confirmation's Close button");
    world
        .emulator
        .as_user(sam)
        .click_button(channel, confirm.id(), button.custom_id.as_deref().unwrap())
        .await
        .unwrap();
    world.wait_for_outbox().await;
    assert_eq!(ticket().await.state, helpline_domain::TicketState::Closed);
    assert_eq!(
        says(sam, "reopen", vec![]).await,
        "The ticket is open again."
    );
    assert_ne!(ticket().await.state, helpline_domain::TicketState::Closed);
    // Outside a ticket, every one of them says where it works.
    for command in ["transfer", "rename", "reopen"] {
        let options = match command {
            "transfer" => vec![("member", OptionValue::User(sam))],
            "rename" => vec![("name", OptionValue::String("x".into()))],
            _ => vec![],
        };
        let outcome = world
            .emulator
            .as_user(sam)
            .run_command(world.guild, world.general, command, &options)
            .await
            .unwrap();
        assert_eq!(
            outcome.expect_message().text(),
            "This command works in a ticket channel: run it there.",
            "{command}"
        );
    }
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_open_a_ticket_for_a_member_and_move_it_to_another_topic() {
    use helpline_domain::Topic;
    let world = World::new().await;
    world.set_up().await;
    let [mia, max, _] = world.members;
    let [sam, _] = world.staff;
    // Two topics on the panel; Tech has its own staff role.
    let tech_role = world
        .emulator
        .create_role(world.guild, "Tech", Permissions::empty())
        .unwrap();
    let mut config = world.config().await;
    let billing = config.add_topic(|id| Topic::new(id, "Billing")).unwrap();
    let tech = config
        .add_topic(|id| Topic {
            staff_roles: vec![tech_role],
            ..Topic::new(id, "Tech")
        })
        .unwrap();
    config.panels[0].topics.extend([billing, tech]);
    world.store.save_guild_config(&config).await.unwrap();
    let runs = |user, channel, command: &'static str, options: Vec<(&'static str, OptionValue)>| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(world.guild, channel, command, &options)
                .await
                .unwrap();
            let message = outcome.expect_message();
            assert!(message.ephemeral);
            world.wait_for_outbox().await;
            message.text()
        }
    };

    // Sam opens a Billing ticket for Mia: she sees it and is told by DM.
    let reply = runs(
        sam,
        world.general,
        "open-for",
        vec![
            ("member", OptionValue::User(mia)),
            ("topic", OptionValue::String("billing".into())),
            ("reason", OptionValue::String("Refund of order 42".into())),
        ],
    )
    .await;
    assert!(
        reply.starts_with(&format!("The ticket for <@{mia}> is open: <#")),
        "{reply}"
    );
    let ticket = world
        .store
        .tickets_by_member(mia, helpline_store::Page::first(1))
        .await
        .unwrap()
        .remove(0);
    let channel = ticket.channel.unwrap().id;
    assert_eq!((ticket.opener, ticket.opened_by), (mia, sam));
    assert_eq!(ticket.topic_id, Some(billing));
    assert!(world.emulator.can_view(mia, channel));
    let dm = world.emulator.dm_messages(mia);
    let told = dm.last().expect("Mia is told");
    assert!(
        told.content.contains("Sam") || told.content.contains(&format!("<@{sam}>")),
        "{}",
        told.content
    );
    assert!(
        told.content.contains("opened this ticket for you"),
        "{}",
        told.content
    );
    assert!(
        told.content.contains(&format!("<#{channel}>")),
        "with the link"
    );

    // A member cannot open for someone else; nor can staff open for a non-member.
    let before = world
        .store
        .tickets_by_member(max, helpline_store::Page::first(5))
        .await
        .unwrap()
        .len();
    let refused = runs(
        mia,
        world.general,
        "open-for",
        vec![("member", OptionValue::User(max))],
    )
    .await;
    assert!(!refused.contains("is open"), "{refused}");
    let stranger = world.emulator.create_user("Zed", "en-US");
    let refused = runs(
        sam,
        world.general,
        "open-for",
        vec![("member", OptionValue::User(stranger))],
    )
    .await;
    assert!(!refused.contains("is open"), "{refused}");
    assert_eq!(
        world
            .store
            .tickets_by_member(max, helpline_store::Page::first(5))
            .await
            .unwrap()
            .len(),
        before,
        "no ticket for Max"
    );

    // Sam moves it to Tech: Tech's role now sees it, the ticket says so.
    assert_eq!(
        runs(
            sam,
            channel,
            "move",
            vec![("topic", OptionValue::String("Tech".into()))]
        )
        .await,
        "The ticket is in its new topic; its staff were told."
    );
    let moved = world.ticket_in(channel).await;
    assert_eq!(moved.topic_id, Some(tech));
    let overwrites = world
        .emulator
        .channel(channel)
        .unwrap()
        .permission_overwrites
        .unwrap_or_default();
    assert!(
        overwrites.iter().any(|o| o.id.get() == tech_role.get()),
        "Tech's staff role can see the ticket"
    );
    assert!(world.emulator.messages(channel).iter().any(|m| {
        m.content
            .contains("moved this ticket to the topic **Tech**")
    }));
    // Moving to the same topic, or by a member, changes nothing.
    let same = runs(
        sam,
        channel,
        "move",
        vec![("topic", OptionValue::String("Tech".into()))],
    )
    .await;
    assert_ne!(same, "The ticket is in its new topic; its staff were told.");
    let by_member = runs(
        mia,
        channel,
        "move",
        vec![("topic", OptionValue::String("Billing".into()))],
    )
    .await;
    assert_ne!(
        by_member,
        "The ticket is in its new topic; its staff were told."
    );
    assert_eq!(world.ticket_in(channel).await.topic_id, Some(tech));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_action_is_logged_with_who_did_it_and_the_transcript_linked() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, max, _] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    for (command, options) in [
        ("add member", vec![("member", OptionValue::User(max))]),
        ("remove member", vec![("member", OptionValue::User(max))]),
        (
            "rename",
            vec![("name", OptionValue::String("invoice".into()))],
        ),
        ("close-request", vec![]),
    ] {
        world
            .emulator
            .as_user(sam)
            .run_command(world.guild, channel, command, &options)
            .await
            .unwrap();
        world.wait_for_outbox().await;
    }
    crate::story::close_now(&world, channel, mia).await;
    world.wait_for_outbox().await;

    let log = world.emulator.messages(world.log_channel().await);
    let entry = |title: &str| {
        log.iter()
            .filter_map(|m| m.embeds.first())
            .find(|e| e.title.as_deref() == Some(&format!("{title} — #0001")))
            .unwrap_or_else(|| panic!("no {title} entry"))
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone()))
            .collect::<Vec<_>>()
    };
    let has = |fields: &[(String, String)], name: &str, value: &str| {
        fields.iter().any(|(n, v)| n == name && v == value)
    };
    let added = entry("Member added");
    assert!(has(&added, "By", &format!("<@{sam}>")), "{added:?}");
    assert!(has(&added, "Member", &format!("<@{max}>")), "{added:?}");
    assert!(has(
        &entry("Member removed"),
        "Member",
        &format!("<@{max}>")
    ));
    assert!(has(&entry("Ticket renamed"), "New name", "invoice"));
    assert!(has(&entry("Close requested"), "By", &format!("<@{sam}>")));
    // Mia opened and closed it herself: named once, not "Opened by Mia, by Mia".
    let opened = entry("Ticket opened");
    assert!(!opened.iter().any(|(n, _)| n == "By"), "{opened:?}");
    let closed = entry("Ticket closed");
    assert!(!closed.iter().any(|(n, _)| n == "By"), "{closed:?}");
    let transcript = log
        .iter()
        .find(|m| {
            m.attachments
                .iter()
                .any(|a| a.filename == "transcript-0001.html")
        })
        .expect("the transcript");
    let link = format!(
        "https://discord.com/channels/{}/{}/{}",
        world.guild, transcript.channel_id, transcript.id
    );
    assert!(
        has(
            &closed,
            "Transcript",
            &format!("[Read the transcript]({link})")
        ),
        "{closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_restrict_a_ticket_to_its_claimer_when_the_guild_says_so() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, max, _] = world.members;
    let [sam, sky] = world.staff;
    world
        .admin_runs(
            world.general,
            "settings set",
            &[("claim_restricts", OptionValue::Boolean(true))],
        )
        .await;
    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let runs = |user, command: &'static str, options: Vec<(&'static str, OptionValue)>| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(world.guild, channel, command, &options)
                .await
                .unwrap();
            let text = outcome.expect_message().text();
            world.wait_for_outbox().await;
            text
        }
    };
    runs(sam, "claim", vec![]).await;
    // Sky (French) may not act on Sam's ticket: told who holds it, nothing changes.
    let refused = runs(sky, "add member", vec![("member", OptionValue::User(max))]).await;
    assert!(refused.contains(&format!("<@{sam}>")), "{refused}");
    assert!(!world.emulator.can_view(max, channel));
    runs(sky, "close-request", vec![]).await;
    let ticket = world.ticket_in(channel).await;
    assert!(
        ticket.close_request.is_none(),
        "Sky's close request was refused"
    );
    // Sam can, and so can the admin.
    runs(sam, "add member", vec![("member", OptionValue::User(max))]).await;
    assert!(world.emulator.can_view(max, channel));
    runs(
        world.admin,
        "rename",
        vec![("name", OptionValue::String("billing".into()))],
    )
    .await;
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.name, "billing");
}

/// `/note` (S8): staff keep notes the member never sees; the log channel's transcript shows
/// them marked, the opener's copy by DM leaves them out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_notes_stay_with_staff() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let note = |user, options: Vec<(&'static str, OptionValue)>, here| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(world.guild, here, "note", &options)
                .await
                .unwrap();
            let message = outcome.expect_message();
            assert!(message.ephemeral, "a note is never shown to the channel");
            message.text()
        }
    };
    let text = |value: &str| vec![("text", OptionValue::String(value.into()))];
    assert_eq!(
        note(mia, text("I am staff now"), channel).await,
        "Only staff can do this."
    );
    assert_eq!(
        note(sam, vec![], channel).await,
        "This ticket has no notes yet. Add one with /note and its text."
    );
    assert_eq!(
        note(
            sam,
            text("Refund approved, <b>waiting</b> for finance"),
            channel
        )
        .await,
        "Note kept with this ticket. Staff read it in the transcript; the member never sees it."
    );
    assert!(
        !world
            .emulator
            .messages(channel)
            .iter()
            .any(|m| m.content.contains("Refund approved")),
        "nothing is posted where the member reads"
    );
    let listed = note(sam, vec![], channel).await;
    assert!(
        listed.starts_with("One note, only staff see it:\n**Sam** <t:"),
        "{listed}"
    );
    assert!(
        listed.ends_with(": Refund approved, <b>waiting</b> for finance"),
        "{listed}"
    );
    assert_eq!(
        note(sam, text("elsewhere"), world.general).await,
        "This command works in a ticket channel: run it there."
    );

    world
        .emulator
        .as_user(mia)
        .send_text(channel, "Any news?")
        .await
        .unwrap();
    crate::story::close_now(&world, channel, sam).await;
    world.wait_for_outbox().await;
    let html_of = |messages: Vec<twilight_model::channel::Message>| {
        let attachment = messages
            .into_iter()
            .rev()
            .flat_map(|m| m.attachments)
            .find(|a| a.filename.ends_with(".html"))
            .expect("a transcript file");
        String::from_utf8(world.emulator.attachment_bytes(&attachment.url).unwrap()).unwrap()
    };
    let log = world.log_channel().await;
    let staff_copy = html_of(world.emulator.messages(log));
    assert!(staff_copy.contains("<span class=\"note-mark\">Staff note</span>"));
    assert!(staff_copy.contains("Refund approved, &lt;b&gt;waiting&lt;/b&gt; for finance"));
    assert!(staff_copy.contains("Any news?"));
    let opener_copy = html_of(world.emulator.dm_messages(mia));
    assert!(opener_copy.contains("Any news?"));
    assert!(
        !opener_copy.contains("Refund approved") && !opener_copy.contains("note-mark\">"),
        "the opener's copy has no staff note"
    );
}
