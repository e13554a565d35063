//! How much the emulator serves on one core: sustained REST requests per second and gateway
//! events per second. The emulator runs on a current-thread runtime of its own thread; the
//! clients run on another runtime. Prints figures, asserts nothing.
//!
//! `cargo bench -p discord-emulator --bench throughput` (release build) or
//! `cargo run -p discord-emulator --release --bench throughput` for a quick look.

#![allow(clippy::print_stdout, missing_docs)]

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use discord_emulator::{Emulator, EmulatorConfig, RateLimitConfig};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

const RUN: Duration = Duration::from_secs(3);

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (emulator_tx, emulator_rx) = std::sync::mpsc::channel();
    // The emulator: one thread, one core's worth of work.
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("emulator runtime");
        runtime.block_on(async move {
            let emulator = Emulator::start(EmulatorConfig {
                rate_limit: RateLimitConfig {
                    enforced: false,
                    ..RateLimitConfig::default()
                },
                record_limit: 1000,
                // Eight sessions identify at once.
                identify_window: Duration::ZERO,
                ..EmulatorConfig::default()
            })
            .await
            .expect("emulator");
            emulator_tx.send(emulator).expect("hand over the emulator");
            std::future::pending::<()>().await;
        });
    });
    let emulator = emulator_rx.recv().expect("emulator started");
    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    clients.block_on(async move {
        let owner = emulator.create_user("owner", "en-US");
        let guild = emulator
            .create_guild("bench", owner, "en-US")
            .expect("guild");
        emulator
            .set_bot_permissions(guild, twilight_model::guild::Permissions::all())
            .expect("permissions");
        let channel = emulator
            .create_text_channel(guild, "general", None)
            .expect("channel");
        rest(&emulator, channel).await;
        gateway(&emulator, owner, channel).await;
    });
}

async fn rest(
    emulator: &Emulator,
    channel: twilight_model::id::Id<twilight_model::id::marker::ChannelMarker>,
) {
    let http = Arc::new(
        twilight_http::Client::builder()
            .proxy(emulator.http_host().to_owned(), true)
            .token(emulator.bot_token().to_owned())
            .ratelimiter(None)
            .build(),
    );
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let http = Arc::clone(&http);
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                while started.elapsed() < RUN {
                    if http.channel(channel).await.is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let count = done.load(Ordering::Relaxed);
    println!(
        "REST: {count} GET /channels/{{id}} in {elapsed:.2} s = {:.0} requests/s (32 concurrent, twilight-http)",
        count as f64 / elapsed
    );
}

async fn gateway(
    emulator: &Emulator,
    owner: twilight_model::id::Id<twilight_model::id::marker::UserMarker>,
    channel: twilight_model::id::Id<twilight_model::id::marker::ChannelMarker>,
) {
    const SESSIONS: usize = 8;
    let received = Arc::new(AtomicU64::new(0));
    let mut readers = Vec::new();
    let config = emulator.config();
    let identify = serde_json::json!({
        "op": 2,
        "d": {
            "token": config.bot_token,
            "intents": (1 << 0) | (1 << 9) | (1 << 15),
            "shard": [0, 1],
            "properties": {},
        }
    })
    .to_string();
    for _ in 0..SESSIONS {
        let (mut socket, _) = tokio_tungstenite::connect_async(format!(
            "{}/?v=10&encoding=json",
            emulator.gateway_url()
        ))
        .await
        .expect("gateway");
        let _hello = socket.next().await;
        socket
            .send(Message::Text(identify.clone().into()))
            .await
            .expect("identify");
        let received = Arc::clone(&received);
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Text(text) = message
                    && text.contains("MESSAGE_CREATE")
                {
                    received.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    assert!(
        emulator
            .wait_for_sessions(SESSIONS, Duration::from_secs(30))
            .await,
        "every session identified"
    );
    let actor = emulator.as_user(owner);
    let started = Instant::now();
    let mut sent = 0_u64;
    while started.elapsed() < RUN {
        for _ in 0..50 {
            let _ = actor.send_text(channel, "hello").await;
            sent += 1;
        }
    }
    let target = sent * SESSIONS as u64;
    let deadline = Instant::now() + Duration::from_secs(30);
    while received.load(Ordering::Relaxed) < target && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let count = received.load(Ordering::Relaxed);
    println!(
        "gateway: {count} MESSAGE_CREATE dispatches to {SESSIONS} sessions in {elapsed:.2} s = {:.0} events/s ({sent} messages; JSON built by the caller, frames written on the emulator's core)",
        count as f64 / elapsed
    );
    for reader in readers {
        reader.abort();
    }
}
