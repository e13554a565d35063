//! `/stats [member]` (S9): staff read the guild's ticket figures, or one member's, from what
//! the tickets recorded; members cannot.

use crate::story::{close_now, open_ticket};
use crate::world::World;
use discord_emulator::OptionValue;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_read_ticket_figures_for_the_guild_and_for_one_member() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, _, noa] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    world
        .emulator
        .as_user(sam)
        .run_command(world.guild, channel, "claim", &[])
        .await
        .unwrap();
    world
        .emulator
        .as_user(sam)
        .send_message(channel, "Looking into it.", Vec::<(String, Vec<u8>)>::new())
        .await
        .unwrap();
    world
        .wait_until_async(async || world.ticket_in(channel).await.first_response_at.is_some())
        .await;
    close_now(&world, channel, sam).await;
    open_ticket(&world, panel, noa).await;
    world.wait_for_outbox().await;

    let stats = |user, options: Vec<(&'static str, OptionValue)>| {
        let world = &world;
        async move {
            let outcome = world
                .emulator
                .as_user(user)
                .run_command(world.guild, world.general, "stats", &options)
                .await
                .unwrap();
            let message = outcome.expect_message();
            assert!(message.ephemeral);
            let embed = message.message.embeds.first().cloned();
            (
                message.text(),
                embed.map(|e| {
                    (
                        e.title.unwrap_or_default(),
                        e.fields
                            .into_iter()
                            .map(|f| (f.name, f.value))
                            .collect::<Vec<_>>(),
                    )
                }),
            )
        }
    };
    let (_, embed) = stats(sam, vec![]).await;
    let (title, fields) = embed.expect("an embed");
    assert_eq!(title, "Ticket statistics");
    assert_eq!(
        fields[0],
        ("Now".into(), "Open: 1\nAwaiting approval: 0".into())
    );
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Now", "Last 7 days", "Last 30 days", "All time"]);
    for (_, value) in &fields[1..] {
        assert!(
            value.starts_with("Created: 2\nClosed: 1\nFirst response: "),
            "{value}"
        );
        assert!(
            value.contains("(median)"),
            "a first response and a resolution: {value}"
        );
        assert!(!value.contains("response: none yet"), "{value}");
        assert!(!value.contains("Resolution: none yet"), "{value}");
        assert!(value.ends_with("Rating: none yet"), "nobody rated: {value}");
    }

    let (_, embed) = stats(sam, vec![("member", OptionValue::User(sam))]).await;
    let (title, fields) = embed.unwrap();
    assert_eq!(title, "Ticket statistics of Sam");
    assert_eq!(fields[0].1, "Claimed and open: 0");
    assert!(
        fields[1].1.starts_with("Claimed: 1\nClosed: 1\n"),
        "{}",
        fields[1].1
    );

    // A member is refused, with no figures.
    let (text, embed) = stats(mia, vec![]).await;
    assert!(embed.is_none(), "{text}");
}
