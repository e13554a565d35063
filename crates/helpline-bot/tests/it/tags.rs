//! `/tag`: admins keep saved answers, staff post them in a ticket for everyone to read, members
//! can do neither, and names are found whatever the case and suggested as staff type.

use crate::story::open_ticket;
use crate::world::World;
use discord_emulator::OptionValue;

struct Reply {
    ephemeral: bool,
    text: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_keep_tags_and_staff_post_them_in_a_ticket() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = open_ticket(&world, panel, mia).await;
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
            let message = outcome.expect_message();
            Reply {
                ephemeral: message.ephemeral,
                text: message.text(),
            }
        }
    };
    let text = |value: &str| OptionValue::String(value.into());

    // The admin saves, refuses a duplicate whatever its case, edits.
    let saved = runs(
        world.admin,
        "tag add",
        vec![
            ("name", text("Refund")),
            ("content", text("Refunds take 5 days.")),
        ],
    )
    .await;
    assert_eq!(
        saved.text,
        "Tag **Refund** saved. Staff post it with /tag use."
    );
    assert!(saved.ephemeral);
    let duplicate = runs(
        world.admin,
        "tag add",
        vec![("name", text("refund")), ("content", text("Other"))],
    )
    .await;
    assert!(!duplicate.text.contains("saved"), "{}", duplicate.text);
    runs(
        world.admin,
        "tag edit",
        vec![
            ("name", text("REFUND")),
            ("content", text("Refunds take 3 days.")),
        ],
    )
    .await;
    let unknown = runs(
        world.admin,
        "tag edit",
        vec![("name", text("Shipping")), ("content", text("Soon"))],
    )
    .await;
    assert_eq!(
        unknown.text,
        "There is no tag **Shipping**. Tags on this server: Refund."
    );

    // A member can neither manage nor post tags; nothing is posted.
    let before = world.emulator.messages(channel).len();
    let refused = runs(
        mia,
        "tag add",
        vec![("name", text("Mine")), ("content", text("x"))],
    )
    .await;
    assert!(refused.ephemeral && !refused.text.contains("saved"));
    let refused = runs(mia, "tag use", vec![("name", text("Refund"))]).await;
    assert!(refused.ephemeral);
    assert_eq!(world.emulator.messages(channel).len(), before);

    // Staff find it as they type, and post it for everyone in the ticket.
    let suggested = world
        .emulator
        .as_user(sam)
        .autocomplete(world.guild, channel, "tag use", &[], ("name", "ref"))
        .await
        .unwrap();
    assert_eq!(suggested.expect_choices().len(), 1);
    let posted = runs(sam, "tag use", vec![("name", text("refund"))]).await;
    assert!(!posted.ephemeral, "everyone in the ticket reads it");
    assert_eq!(posted.text, "Refunds take 3 days.");
    // A tag is the staff member's answer: activity, and the first response.
    world
        .wait_until_async(async || {
            let ticket = world.ticket_in(channel).await;
            ticket.first_response_at.is_some()
        })
        .await;
    assert!(
        world
            .emulator
            .messages(channel)
            .iter()
            .any(|m| m.content == "Refunds take 3 days.")
    );
    assert_eq!(
        runs(sam, "tag list", vec![]).await.text,
        "One tag:\n**Refund** — Refunds take 3 days."
    );

    // Removed, it is gone.
    assert_eq!(
        runs(world.admin, "tag remove", vec![("name", text("Refund"))])
            .await
            .text,
        "Tag **Refund** removed."
    );
    assert_eq!(
        runs(sam, "tag use", vec![("name", text("Refund"))])
            .await
            .text,
        "This server has no tags yet. Admins add them with /tag add."
    );
}
