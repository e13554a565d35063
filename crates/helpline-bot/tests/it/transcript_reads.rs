//! Transcripts and notices a person reads: the header names the ticket and who took part,
//! mentions show as names, the pin notice is not an empty message, and the opener's DM names
//! the server and the ticket in their own language.

use crate::world::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transcript_names_people_and_the_dm_speaks_the_openers_language() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let emulator = &world.emulator;
    // Max reads Discord in French; the server speaks English.
    let [_, max, _] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = crate::story::open_ticket(&world, panel, max).await;
    let channel = channel.unwrap();
    emulator
        .as_user(sam)
        .run_command(world.guild, channel, "claim", &[])
        .await
        .unwrap();
    let role = world.staff_role;
    let general = world.general;
    emulator
        .as_user(max)
        .send_message(
            channel,
            &format!("Bonjour <@{sam}>, <@&{role}> : voir <#{general}> et <@42>"),
            Vec::<(String, Vec<u8>)>::new(),
        )
        .await
        .unwrap();
    emulator
        .as_user(sam)
        .send_message(channel, "On it.", Vec::<(String, Vec<u8>)>::new())
        .await
        .unwrap();
    // The welcome, Discord's pin notice, the claim notice and the two messages.
    world.wait_for_transcript(channel, 5).await;
    crate::story::close_now(&world, channel, sam).await;
    world.wait_for_outbox().await;

    let html = log_transcript(&world).await;
    for fact in [
        "<dt>Server</dt><dd>Demo Server</dd>",
        "<dt>Ticket</dt><dd>#0001</dd>",
        "<dt>Opened by</dt><dd>Max</dd>",
        "<dt>Claimed by</dt><dd>Sam</dd>",
        "<dt>Closed by</dt><dd>Sam</dd>",
        "<dt>Participants</dt><dd>Max, Sam</dd>",
        "<dt>Opened</dt><dd>",
        "<dt>Closed</dt><dd>",
    ] {
        assert!(html.contains(fact), "{fact} in {html}");
    }
    assert!(
        html.contains(&format!("title=\"{sam}\">@Sam</span>")),
        "{html}"
    );
    assert!(html.contains(&format!("title=\"{role}\">@Support</span>")));
    assert!(html.contains(&format!("title=\"{general}\">#general</span>")));
    assert!(
        html.contains("title=\"42\">@unknown</span>"),
        "a stranger stays unnamed"
    );
    assert!(!html.contains("&lt;@"), "no raw mention is left: {html}");
    // The welcome, the claim notice and the two messages — not Discord's pin notice — and the
    // close notice when the gateway delivered it before the file was rendered; no empty message.
    let closing = usize::from(html.contains("closed this ticket."));
    assert_eq!(html.matches("<article").count(), 4 + closing, "{html}");
    assert!(!html.contains("<div class=\"content\"></div>"), "{html}");

    // Max's DM: the server and the ticket first, in French, with a French transcript.
    let dm = emulator
        .dm_messages(max)
        .into_iter()
        .find(|m| {
            m.attachments
                .iter()
                .any(|a| a.filename == "transcript-0001.html")
        })
        .expect("Max gets the transcript");
    assert!(
        dm.content
            .starts_with("À propos de votre ticket #0001 sur Demo Server\u{a0}:\n"),
        "{}",
        dm.content
    );
    let copy =
        String::from_utf8(emulator.attachment_bytes(&dm.attachments[0].url).unwrap()).unwrap();
    assert!(
        copy.contains("<dt>Serveur</dt><dd>Demo Server</dd>"),
        "{copy}"
    );
    assert!(copy.contains("<dt>Fermé par</dt><dd>Sam</dd>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_opener_rates_a_closed_ticket_from_the_dm_and_may_add_a_comment() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, _, _] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    crate::story::close_now(&world, channel, sam).await;
    world.wait_for_outbox().await;
    let dm = world
        .emulator
        .dm_messages(mia)
        .into_iter()
        .find(|m| m.content.contains("Rate this ticket"))
        .expect("the DM asks for a rating");
    assert_eq!(labels(&dm), ["★", "★★", "★★★", "★★★★", "★★★★★"]);

    let outcome = world
        .emulator
        .as_user(mia)
        .click_button(dm.channel_id, dm.id, &crate::story::button_id(&dm, "★★★★"))
        .await
        .unwrap();
    outcome.expect_message();
    let ticket = world.ticket_in(channel).await;
    assert_eq!(ticket.feedback.as_ref().map(|f| f.rating), Some(4));
    let rated = world.emulator.message(dm.channel_id, dm.id).unwrap();
    assert_eq!(
        labels(&rated),
        ["You rated 4/5 — thank you!", "Add a comment"],
        "the rating buttons are gone"
    );
    let comment = crate::story::button_id(&rated, "Add a comment");
    let form = world
        .emulator
        .as_user(mia)
        .click_button(dm.channel_id, dm.id, &comment)
        .await
        .unwrap();
    let modal = form.expect_modal().custom_id.clone();
    world
        .emulator
        .as_user(mia)
        .submit_modal(dm.channel_id, &modal, &[("comment", "Quick and kind.")])
        .await
        .unwrap();
    let ticket = world.ticket_in(channel).await;
    assert_eq!(
        ticket.feedback.and_then(|f| f.comment).as_deref(),
        Some("Quick and kind.")
    );
    let done = world.emulator.message(dm.channel_id, dm.id).unwrap();
    assert_eq!(
        labels(&done),
        ["You rated 4/5 — thank you!"],
        "no button left to click"
    );

    // Staff see it in the statistics.
    let outcome = world
        .emulator
        .as_user(sam)
        .run_command(world.guild, world.general, "stats", &[])
        .await
        .unwrap();
    let all_time = outcome.expect_message().message.embeds[0].fields[3]
        .value
        .clone();
    assert!(all_time.ends_with("Rating: 4.0/5 (1)"), "{all_time}");
}

/// The labels of a message's buttons.
fn labels(message: &twilight_model::channel::Message) -> Vec<String> {
    use twilight_model::channel::message::Component;
    message
        .components
        .iter()
        .flat_map(|row| match row {
            Component::ActionRow(row) => row.components.clone(),
            _ => Vec::new(),
        })
        .filter_map(|component| match component {
            Component::Button(button) => button.label,
            _ => None,
        })
        .collect()
}

/// The golden transcript rendered by a real browser (Debian's headless Chromium, installed by
/// `cargo xtask test`): the page paints (its screenshot holds far more than a blank page's)
/// without running anything (its CSP forbids scripts; the page has none).
#[test]
fn the_golden_transcript_renders_in_a_browser() {
    let Some(chromium) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|program| {
            std::process::Command::new(program)
                .arg("--version")
                .output()
                .is_ok_and(|output| output.status.success())
        })
    else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing: `cargo xtask test` installs it"
        );
        eprintln!("chromium is not installed here: skipped (`cargo xtask test` installs it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../helpline-domain/src/golden/transcript.html")
        .canonicalize()
        .unwrap();
    let blank = dir.path().join("blank.html");
    std::fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let shoot = |page: &std::path::Path, name: &str| {
        let png = dir.path().join(name);
        let status = std::process::Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                // Containers give /dev/shm little room.
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=900,900",
                &format!(
                    "--user-data-dir={}",
                    dir.path().join(name).with_extension("profile").display()
                ),
                &format!("--screenshot={}", png.display()),
            ])
            .arg(format!("file://{}", page.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("chromium runs");
        assert!(status.success(), "chromium failed on {}", page.display());
        std::fs::read(&png).expect("a screenshot")
    };
    let page = shoot(&golden, "golden.png");
    let empty = shoot(&blank, "blank.png");
    assert!(page.starts_with(b"\x89PNG"), "a PNG");
    assert!(
        page.len() > 5 * empty.len(),
        "the transcript paints: {} bytes against {} for a blank page",
        page.len(),
        empty.len()
    );
}

/// A member the bot never saw act (Noa: no click, no message) is named in the transcript from
/// Discord's member record; a message of made-up mentions shows them as unknown and costs
/// Discord at most 20 lookups per rendered transcript (a close renders two: the log's and the
/// opener's copy), none of them for an id already asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentioned_members_are_named_from_discord_within_a_bound() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let emulator = &world.emulator;
    let [mia, _, noa] = world.members;
    let [sam, _] = world.staff;
    let (_, channel) = crate::story::open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    let strangers: Vec<String> = (0..30u64)
        .map(|n| format!("<@{}>", 900_000_000_000_000_000 + n))
        .collect();
    emulator
        .as_user(mia)
        .send_message(
            channel,
            &format!("<@{noa}> saw it too. {}", strangers.join(" ")),
            Vec::<(String, Vec<u8>)>::new(),
        )
        .await
        .unwrap();
    // The welcome, Discord's pin notice and the message.
    world.wait_for_transcript(channel, 3).await;
    let asked_before = member_lookups(emulator).len();
    crate::story::close_now(&world, channel, sam).await;
    world.wait_for_outbox().await;

    let html = log_transcript(&world).await;
    assert!(
        html.contains(&format!("title=\"{noa}\">@Noa</span>")),
        "named from Discord: {html}"
    );
    assert_eq!(
        html.matches(">@unknown</span>").count(),
        30,
        "every stranger stays unnamed: {html}"
    );
    let asked: Vec<String> = member_lookups(emulator).split_off(asked_before);
    assert!(
        (21..=40).contains(&asked.len()),
        "{} member lookups for two renders of 31 unknown people",
        asked.len()
    );
    let mut distinct = asked.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), asked.len(), "an id asked twice: {asked:?}");
}

/// Ticket #0001's transcript as posted in the log channel.
async fn log_transcript(world: &World) -> String {
    let log = world.emulator.messages(world.log_channel().await);
    let file = log
        .iter()
        .flat_map(|m| m.attachments.iter())
        .find(|a| a.filename == "transcript-0001.html")
        .expect("the transcript is posted");
    String::from_utf8(world.emulator.attachment_bytes(&file.url).unwrap()).unwrap()
}

/// The paths of the `GET /guilds/{guild_id}/members/{user_id}` requests the emulator received.
fn member_lookups(emulator: &discord_emulator::Emulator) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.route == "/api/v10/guilds/{guild_id}/members/{user_id}")
        .map(|r| r.path)
        .collect()
}
