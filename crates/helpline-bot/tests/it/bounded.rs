//! A ticket with 100 MiB of attachments closes without the bot holding them all: the transcript
//! file is streamed to disk, fits the log channel's upload limit, leaves the largest files out
//! and says so, and the close raises the process's peak memory by a bounded amount.

use crate::story::close_now;
use crate::story::open_ticket;
use crate::world::World;
use helpline_domain::permissions::BOT_REQUIRED;
use helpline_store::StoreLimits;

const MIB: usize = 1024 * 1024;

/// A field of /proc/self/status, in KiB.
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_mib_of_attachments_closes_within_a_memory_bound() {
    let world = World::build(BOT_REQUIRED, |config| {
        config.store_limits = StoreLimits {
            max_attachment_bytes: 10 * MIB as u64,
            max_ticket_attachment_bytes: 100 * MIB as u64,
        };
    })
    .await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    // Ten files of 10 MiB minus a little, each different.
    for n in 0..10u8 {
        let bytes: Vec<u8> = (0..10 * MIB - 4096)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(n))
            .collect();
        world
            .emulator
            .as_user(mia)
            .send_message(channel, "log file", [(format!("log-{n}.txt"), bytes)])
            .await
            .unwrap();
    }
    let ticket = world.ticket_in(channel).await;
    // Downloads of 100 MiB take a while in a debug build: poll for a minute.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let messages = world.store.transcript(ticket.id).await.unwrap();
        let stored = messages
            .iter()
            .flat_map(|m| &m.attachments)
            .filter(|a| a.stored)
            .count();
        if stored == 10 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{stored} of 10 attachments kept"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Peak memory from here on.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmRSS:");
    let (_, _, closed) = close_now(&world, channel, mia).await;
    assert_eq!(closed, "The ticket is closed.");
    let log = world.log_channel().await;
    world
        .wait_until(|| {
            world
                .emulator
                .messages(log)
                .iter()
                .any(|m| !m.attachments.is_empty())
        })
        .await;
    world
        .wait_until(|| {
            world
                .emulator
                .dm_messages(mia)
                .iter()
                .any(|m| !m.attachments.is_empty())
        })
        .await;
    let peak = status_kib("VmHWM:");
    let raised_mib = peak.saturating_sub(before) as f64 / 1024.0;
    eprintln!(
        "closing a ticket with 100 MiB of attachments: RSS {:.1} MiB before (emulator, bot and in-memory store in one process), peak {:.1} MiB during the close (+{raised_mib:.1} MiB)",
        before as f64 / 1024.0,
        peak as f64 / 1024.0
    );

    let post = world
        .emulator
        .messages(log)
        .into_iter()
        .find(|m| !m.attachments.is_empty())
        .unwrap();
    let file = &post.attachments[0];
    assert_eq!(file.filename, "transcript-0001.html");
    assert!(
        file.size <= 10 * MIB as u64,
        "fits the 10 MiB upload limit of an unboosted server: {}",
        file.size
    );
    let html = String::from_utf8(world.emulator.attachment_bytes(&file.url).unwrap()).unwrap();
    assert!(html.contains("log-0.txt"), "every file is named");
    assert!(html.contains("left out"), "the file says what it left out");
    // The full transcript stays in the store for the web panel.
    let kept = world.store.attachment_sizes(ticket.id).await.unwrap();
    assert_eq!(kept.len(), 10);
    // Bound: two uploads of at most 10 MiB each (the log's and the DM's), twilight's copy of
    // each request body, and one attachment read from the store at a time; everything held at
    // once would be over 400 MiB (the bytes, their base64, and a copy per post).
    assert!(
        raised_mib < 160.0,
        "closing raised peak RSS by {raised_mib:.1} MiB"
    );
    world.bot.stop().await;
}
