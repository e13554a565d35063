//! REST rate limits with twilight-http's own limiter and without it, Discord's 429s when a
//! limit is broken, the invalid-request ban, faults and the metrics.

use std::{sync::Arc, time::Duration};

use discord_emulator::{Faults, Latency, RateLimitConfig, RouteLimit};
use futures_util::future::join_all;
use twilight_http::Client;
use twilight_http_ratelimiting::RateLimiter;

use crate::common::{self, bot_auth, bot_permissions, raw_request};

fn client(emulator: &discord_emulator::Emulator, limiter: Option<RateLimiter>) -> Arc<Client> {
    Arc::new(
        Client::builder()
            .proxy(emulator.http_host().to_owned(), true)
            .token(emulator.bot_token().to_owned())
            .ratelimiter(limiter)
            .build(),
    )
}

#[tokio::test]
async fn twilight_with_its_rate_limiter_makes_thousands_of_requests_without_a_429() {
    // A large bot: global 1000/s on both sides; buckets scaled down to keep the test short.
    let emulator = common::start_with(|config| {
        config.rate_limit = RateLimitConfig {
            global_limit: 1000,
            routes: vec![
                RouteLimit::user(
                    "POST",
                    "/channels/{channel_id}/messages",
                    5,
                    Duration::from_millis(250),
                ),
                RouteLimit::user(
                    "GET",
                    "/channels/{channel_id}",
                    10,
                    Duration::from_millis(200),
                ),
            ],
            ..RateLimitConfig::default()
        };
    })
    .await;
    let world = common::world(&emulator, bot_permissions());
    let mut channels = vec![world.general];
    for index in 0..19 {
        channels.push(
            emulator
                .create_text_channel(world.guild, &format!("c{index}"), None)
                .unwrap(),
        );
    }
    let http = client(&emulator, Some(RateLimiter::new(1000)));
    let started = std::time::Instant::now();
    let tasks = channels.iter().map(|channel| {
        let http = Arc::clone(&http);
        let channel = *channel;
        async move {
            let reads = (0..100).map(|_| async { http.channel(channel).await.unwrap() });
            let posts = (0..20).map(|n| {
                let http = Arc::clone(&http);
                async move {
                    http.create_message(channel)
                        .content(&format!("n{n}"))
                        .await
                        .unwrap()
                }
            });
            let lists = (0..30).map(|_| async { http.channel_messages(channel).await.unwrap() });
            let guild = (0..10).map(|_| async { http.roles(world.guild).await.unwrap() });
            let (a, b, c, d) = tokio::join!(
                join_all(reads),
                join_all(posts),
                join_all(lists),
                join_all(guild)
            );
            a.len() + b.len() + c.len() + d.len()
        }
    });
    let total: usize = join_all(tasks).await.into_iter().sum();
    let elapsed = started.elapsed();
    assert_eq!(total, 3200);
    let too_many = emulator
        .requests()
        .iter()
        .filter(|record| record.status == 429)
        .count();
    assert_eq!(
        too_many, 0,
        "twilight-http's limiter kept under every limit"
    );
    assert_eq!(emulator.rate_limited_count("user"), 0);
    assert_eq!(emulator.rate_limited_count("global"), 0);
    // 20 messages per channel at 5 per 250 ms take at least 750 ms: the buckets did hold it.
    assert!(elapsed >= Duration::from_millis(750), "{elapsed:?}");
}

#[tokio::test]
async fn twilight_without_a_rate_limiter_gets_429s_and_retries_them() {
    let emulator = common::start_with(|config| {
        config.rate_limit.routes = vec![RouteLimit::user(
            "POST",
            "/channels/{channel_id}/messages",
            2,
            Duration::from_millis(200),
        )];
        // twilight re-sends each 429 at once: thousands per second, which with Discord's
        // 10,000 would get the IP refused within a second or two (see the next test).
        config.rate_limit.invalid_request_limit = u32::MAX;
    })
    .await;
    let world = common::world(&emulator, bot_permissions());
    let http = client(&emulator, None);
    let sends = (0..6).map(|n| {
        let http = Arc::clone(&http);
        async move {
            http.create_message(world.general)
                .content(&format!("n{n}"))
                .await
                .unwrap()
        }
    });
    // twilight re-sends a 429 at once; each message eventually goes through.
    assert_eq!(join_all(sends).await.len(), 6);
    assert_eq!(emulator.messages(world.general).len(), 6);
    let limited = emulator.rate_limited_count("user") + emulator.rate_limited_count("global");
    assert!(limited > 0, "no 429 without a limiter");
    let metrics = emulator.render_metrics();
    assert!(metrics.contains("discord_emulator_invalid_requests_total{ip=\"127.0.0.1\"}"));
}

#[tokio::test]
async fn a_broken_limit_gets_discords_429() {
    let emulator = common::start_with(|config| {
        config.rate_limit.global_limit = 4;
        config.rate_limit.global_window = Duration::from_secs(60);
        config.rate_limit.routes = vec![
            RouteLimit::user(
                "POST",
                "/channels/{channel_id}/messages",
                1,
                Duration::from_secs(60),
            ),
            RouteLimit::shared(
                "GET",
                "/channels/{channel_id}/pins",
                1,
                Duration::from_secs(60),
            ),
        ];
    })
    .await;
    let world = common::world(&emulator, bot_permissions());
    let auth = bot_auth(&emulator);
    let messages = format!("/api/v10/channels/{}/messages", world.general);
    let first = raw_request(
        &emulator,
        "POST",
        &messages,
        Some(&auth),
        Some(r#"{"content":"a"}"#),
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(first.header("x-ratelimit-scope"), Some("user"));
    assert_eq!(first.header("x-ratelimit-remaining"), Some("0"));
    let second = raw_request(
        &emulator,
        "POST",
        &messages,
        Some(&auth),
        Some(r#"{"content":"b"}"#),
    )
    .await;
    assert_eq!(second.status, 429);
    assert_eq!(second.header("retry-after"), Some("60"));
    assert_eq!(second.header("x-ratelimit-scope"), Some("user"));
    assert_eq!(second.header("x-ratelimit-limit"), Some("1"));
    assert!(second.header("x-ratelimit-global").is_none());
    let body = second.json();
    assert_eq!(body["global"], false);
    assert_eq!(body["code"], 0);
    assert!(body["message"].as_str().unwrap().contains("rate limited"));
    let retry_after = body["retry_after"].as_f64().unwrap();
    assert!(retry_after > 59.0 && retry_after <= 60.0, "{retry_after}");
    assert_eq!(
        emulator.messages(world.general).len(),
        1,
        "the refused request did not run"
    );

    let pins = format!("/api/v10/channels/{}/pins", world.general);
    assert_eq!(
        raw_request(&emulator, "GET", &pins, Some(&auth), None)
            .await
            .status,
        200
    );
    let shared = raw_request(&emulator, "GET", &pins, Some(&auth), None).await;
    assert_eq!(shared.status, 429);
    assert_eq!(shared.header("x-ratelimit-scope"), Some("shared"));
    // Four requests so far used the global limit; the fifth is over it.
    let global = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&auth), None).await;
    assert_eq!(global.status, 429);
    assert_eq!(global.header("x-ratelimit-global"), Some("true"));
    assert_eq!(global.header("x-ratelimit-scope"), Some("global"));
    assert_eq!(global.json()["global"], true);
    // Webhook-token routes are exempt from the global limit.
    let webhook = raw_request(
        &emulator,
        "GET",
        "/api/v10/webhooks/1/nope/messages/@original",
        None,
        None,
    )
    .await;
    assert_eq!(webhook.status, 404);
    assert_eq!(webhook.json()["code"], 10015);

    let metrics = emulator.render_metrics();
    assert!(
        metrics.contains("discord_emulator_rate_limited_total{scope=\"user\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("discord_emulator_rate_limited_total{scope=\"shared\"} 1"));
    assert!(metrics.contains("discord_emulator_rate_limited_total{scope=\"global\"} 1"));
    // The shared 429 is not an invalid request: the user and global ones are.
    assert!(metrics.contains("discord_emulator_invalid_requests_total{ip=\"127.0.0.1\"} 2"));
}

#[tokio::test]
async fn too_many_invalid_requests_refuse_the_ip_until_the_window_passes() {
    let emulator = common::start_with(|config| {
        config.rate_limit.invalid_request_limit = 5;
        config.rate_limit.invalid_request_window = Duration::from_millis(500);
    })
    .await;
    let auth = bot_auth(&emulator);
    for _ in 0..5 {
        let response = raw_request(
            &emulator,
            "GET",
            "/api/v10/users/@me",
            Some("Bot wrong"),
            None,
        )
        .await;
        assert_eq!(response.status, 401);
    }
    let refused = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&auth), None).await;
    assert_eq!(refused.status, 403);
    assert!(String::from_utf8_lossy(&refused.body).contains("error code: 1015"));
    tokio::time::sleep(Duration::from_millis(600)).await;
    let again = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&auth), None).await;
    assert_eq!(again.status, 200);
}

#[tokio::test]
async fn faults_at_runtime_add_latency_errors_and_slow_answers() {
    let emulator = common::start().await;
    let auth = bot_auth(&emulator);
    let faults_url = "/_emulator/faults";
    let body = r#"{"rest_latency": {"GET /users/@me": {"fixed_ms": 150, "jitter_ms": 20}}}"#;
    let set = raw_request(&emulator, "PUT", faults_url, None, Some(body)).await;
    assert_eq!(set.status, 200, "{:?}", String::from_utf8_lossy(&set.body));
    let started = std::time::Instant::now();
    assert_eq!(
        raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&auth), None)
            .await
            .status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(150));

    emulator.set_faults(Faults {
        error_rate: 1.0,
        error_status: 503,
        ..Faults::default()
    });
    let failed = raw_request(&emulator, "GET", "/api/v10/users/@me", Some(&auth), None).await;
    assert_eq!(failed.status, 503);

    emulator.set_faults(Faults {
        slow_rate: 1.0,
        slow_delay_ms: 300,
        rest_latency: [("*".to_owned(), Latency::default())].into(),
        ..Faults::default()
    });
    let http = Client::builder()
        .proxy(emulator.http_host().to_owned(), true)
        .token(emulator.bot_token().to_owned())
        .timeout(Duration::from_millis(100))
        .build();
    let error = http.current_user().await.unwrap_err();
    assert!(matches!(
        error.kind(),
        twilight_http::error::ErrorType::RequestTimedOut
    ));

    let bad = raw_request(
        &emulator,
        "PUT",
        faults_url,
        None,
        Some(r#"{"error_rate": 2}"#),
    )
    .await;
    assert_eq!(bad.status, 400);
    let metrics = raw_request(&emulator, "GET", "/metrics", None, None).await;
    let text = String::from_utf8_lossy(&metrics.body);
    assert!(
        text.contains("discord_emulator_injected_errors_total 1"),
        "{text}"
    );
    assert!(text.contains("discord_emulator_slow_answers_total 1"));
    assert!(text.contains(
        "discord_emulator_rest_requests_total{route=\"GET /users/@me\",status=\"503\"} 1"
    ));
}
