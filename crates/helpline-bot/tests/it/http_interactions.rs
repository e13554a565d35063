//! Interactions over HTTP: the emulator in Discord's endpoint mode posts signed interactions
//! to the bot's endpoint, which answers through the same handlers as the gateway's.

use crate::story::{close_now, open_ticket};
use crate::world::World;
use helpline_bot::endpoint::{MAX_BODY_BYTES, Refusal, Verifier};
use helpline_bot::{InteractionsEndpoint, PublicKey};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::{Client, connect::HttpConnector};
use proptest::prelude::*;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use std::time::Duration;

/// Serves the bot's endpoint with the emulator's public key and registers it, as an operator
/// pastes the URL in the developer portal (whose PINGs it must pass).
async fn serve_and_register(world: &World) -> InteractionsEndpoint {
    let key = PublicKey::from_hex(&world.emulator.interactions_public_key()).unwrap();
    let endpoint = world
        .bot
        .bot
        .serve_interactions("127.0.0.1:0".parse().unwrap(), key)
        .await
        .expect("the endpoint listens");
    let url = format!("http://{}/interactions", endpoint.local_addr());
    world
        .emulator
        .set_interactions_endpoint(Some(&url))
        .await
        .expect("the endpoint passes Discord's check");
    endpoint
}

/// How many INTERACTION_CREATE dispatches the gateway sent, and how many REST interaction
/// callbacks the bot made.
fn gateway_interactions(world: &World) -> (usize, usize) {
    let dispatched = world
        .emulator
        .gateway_log()
        .iter()
        .filter(|frame| frame.event.as_deref() == Some("INTERACTION_CREATE"))
        .count();
    let callbacks = world
        .emulator
        .requests()
        .iter()
        .filter(|request| request.route.ends_with("/callback"))
        .count();
    (dispatched, callbacks)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_story_over_http() {
    let world = World::new().await;
    let emulator = &world.emulator;
    let endpoint = serve_and_register(&world).await;
    assert_eq!(
        emulator.interactions_endpoint(),
        Some(format!("http://{}/interactions", endpoint.local_addr()))
    );
    emulator.clear_records();

    let [mia, _, _] = world.members;
    let [sam, _] = world.staff;
    // Setup (a slash command), open from the panel's button, claim, close with confirmation.
    let panel_channel = world.set_up().await;
    let (reply, channel) = open_ticket(&world, panel_channel, mia).await;
    let channel = channel.unwrap_or_else(|| panic!("no channel in {reply:?}"));
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
    assert!(emulator.can_view(mia, channel) && emulator.can_view(sam, channel));
    let (_, _, closed) = close_now(&world, channel, mia).await;
    assert_eq!(closed, "The ticket is closed.");
    world.wait_for_outbox().await;
    let tickets = world
        .store
        .tickets_by_guild(world.guild, &[], helpline_store::Page::first(10))
        .await
        .unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].state, helpline_domain::TicketState::Closed);

    // Everything came over HTTP and was answered in the HTTP responses.
    assert_eq!(gateway_interactions(&world), (0, 0));
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_while_the_gateway_is_down_is_handled() {
    // Identifies a minute apart: a shard that loses its session stays without one.
    let world = World::build(helpline_domain::permissions::BOT_REQUIRED, |config| {
        config.identify_interval = Duration::from_secs(60);
    })
    .await;
    let emulator = &world.emulator;
    let panel_channel = world.set_up().await;
    let [mia, max, _] = world.members;
    // The gateway invalidates the session (op 9, not resumable): the shard must identify
    // again, and waits for its turn.
    assert!(emulator.invalidate_sessions(None, false) > 0);
    world
        .wait_until(|| emulator.sessions().iter().all(|session| !session.connected))
        .await;
    // Over the gateway, a click now fails for the member.
    let panel = world.panel_message(panel_channel);
    let open = crate::story::button_id(&panel, "Open a ticket");
    let lost = emulator
        .as_user(max)
        .click_button(panel_channel, panel.id, &open)
        .await
        .unwrap();
    assert!(lost.failed(), "{:?}", lost.answer());
    // Over HTTP it does not need the gateway.
    let _endpoint = serve_and_register(&world).await;
    let connected = |world: &World| {
        world
            .emulator
            .sessions()
            .iter()
            .filter(|s| s.connected)
            .count()
    };
    assert_eq!(connected(&world), 0, "still down");
    let (reply, channel) = open_ticket(&world, panel_channel, mia).await;
    assert!(reply.starts_with("Your ticket is open"), "{reply}");
    assert!(emulator.can_view(mia, channel.unwrap()));
    assert_eq!(connected(&world), 0, "down all along");
}

/// A raw client of the endpoint, signing with keys the test holds.
struct Raw {
    url: String,
    client: Client<HttpConnector, Full<axum::body::Bytes>>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sign(pair: &Ed25519KeyPair, timestamp: &str, body: &[u8]) -> String {
    let mut message = timestamp.as_bytes().to_vec();
    message.extend_from_slice(body);
    hex(pair.sign(&message).as_ref())
}

fn now() -> u64 {
    helpline_bot::endpoint::unix_now()
}

impl Raw {
    async fn post(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, String) {
        let mut request =
            hyper::Request::post(&self.url).header("content-type", "application/json");
        if let Some(signature) = signature {
            request = request.header("x-signature-ed25519", signature);
        }
        if let Some(timestamp) = timestamp {
            request = request.header("x-signature-timestamp", timestamp);
        }
        let response = self
            .client
            .request(request.body(Full::new(body.into())).unwrap())
            .await
            .expect("the endpoint answers");
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }
}

/// A click on the panel's Open button as Discord would send it for `user`.
fn panel_click(
    world: &World,
    panel_channel: twilight_model::id::Id<twilight_model::id::marker::ChannelMarker>,
    user: twilight_model::id::Id<twilight_model::id::marker::UserMarker>,
    id: &str,
) -> Vec<u8> {
    let emulator = &world.emulator;
    let panel = world.panel_message(panel_channel);
    serde_json::to_vec(&serde_json::json!({
        "id": id,
        "application_id": emulator.application_id().to_string(),
        "type": 3,
        "token": "forged-token",
        "version": 1,
        "attachment_size_limit": 10485760,
        "authorizing_integration_owners": {"0": world.guild.to_string()},
        "entitlements": [],
        "guild_id": world.guild.to_string(),
        "channel_id": panel_channel.to_string(),
        "locale": "en-US",
        "member": {
            "user": {"id": user.to_string(), "username": "mia", "discriminator": "0", "avatar": null, "global_name": null},
            "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false,
            "flags": 0, "permissions": "0"
        },
        "message": serde_json::to_value(&panel).unwrap(),
        "data": {"custom_id": crate::story::button_id(&panel, "Open a ticket"), "component_type": 2}
    }))
    .unwrap()
}

/// Sends a request's head declaring `length` bytes of body and only `sent` of them, and returns
/// the start of the answer, which must come before the client would have finished.
async fn by_hand(
    endpoint: &InteractionsEndpoint,
    length: usize,
    signature: &str,
    timestamp: &str,
    sent: &[u8],
) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(endpoint.local_addr())
        .await
        .unwrap();
    let head = format!(
        "POST /interactions HTTP/1.1\r\nhost: helpline\r\ncontent-type: application/json\r\ncontent-length: {length}\r\nx-signature-ed25519: {signature}\r\nx-signature-timestamp: {timestamp}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(sent).await.unwrap();
    let mut answer = vec![0; 256];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered before the body was all sent")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_replayed_oversized_and_malformed_requests_change_nothing() {
    let world = World::new().await;
    let emulator = &world.emulator;
    let panel_channel = world.set_up().await;
    let pair = Ed25519KeyPair::from_seed_unchecked(&[3; 32]).unwrap();
    let other = Ed25519KeyPair::from_seed_unchecked(&[4; 32]).unwrap();
    let key = PublicKey::from_hex(&hex(pair.public_key().as_ref())).unwrap();
    let endpoint = world
        .bot
        .bot
        .serve_interactions("127.0.0.1:0".parse().unwrap(), key)
        .await
        .unwrap();
    let raw = Raw {
        url: format!("http://{}/interactions", endpoint.local_addr()),
        client: Client::builder(hyper_util::rt::TokioExecutor::new()).build(HttpConnector::new()),
    };
    // A click on the panel's Open button as Discord would send it for Mia.
    let [mia, _, _] = world.members;
    let click = panel_click(&world, panel_channel, mia, "1300000000000000001");
    let ts = now().to_string();
    let stale = (now() - 600).to_string();
    let future = (now() + 600).to_string();
    /// What is sent (signature, timestamp, body) and the status expected.
    type Case<'a> = (&'a str, Option<String>, Option<String>, Vec<u8>, u16);
    let cases: Vec<Case<'_>> = vec![
        ("no signature", None, Some(ts.clone()), click.clone(), 401),
        (
            "no timestamp",
            Some(sign(&pair, &ts, &click)),
            None,
            click.clone(),
            401,
        ),
        (
            "forged signature",
            Some("ab".repeat(64)),
            Some(ts.clone()),
            click.clone(),
            401,
        ),
        (
            "not hexadecimal",
            Some("zz".repeat(64)),
            Some(ts.clone()),
            click.clone(),
            401,
        ),
        (
            "wrong key",
            Some(sign(&other, &ts, &click)),
            Some(ts.clone()),
            click.clone(),
            401,
        ),
        (
            "signature of another timestamp",
            Some(sign(&pair, &stale, &click)),
            Some(ts.clone()),
            click.clone(),
            401,
        ),
        (
            "stale timestamp",
            Some(sign(&pair, &stale, &click)),
            Some(stale.clone()),
            click.clone(),
            401,
        ),
        (
            "future timestamp",
            Some(sign(&pair, &future, &click)),
            Some(future.clone()),
            click.clone(),
            401,
        ),
        (
            "malformed JSON",
            Some(sign(&pair, &ts, b"{\"type\":3,")),
            Some(ts.clone()),
            b"{\"type\":3,".to_vec(),
            400,
        ),
        (
            "not an interaction",
            Some(sign(&pair, &ts, b"{\"type\":3}")),
            Some(ts.clone()),
            b"{\"type\":3}".to_vec(),
            400,
        ),
    ];
    // The setup's answer may still be on its way (its reply is edited after the command):
    // wait until Discord hears nothing more from the bot, then start counting.
    let mut heard = usize::MAX;
    while heard != emulator.requests().len() {
        heard = emulator.requests().len();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    emulator.clear_records();
    for (what, signature, timestamp, body, expected) in cases {
        let (status, answer) = raw
            .post(signature.as_deref(), timestamp.as_deref(), body)
            .await;
        assert_eq!(status, expected, "{what}: {answer}");
    }
    // A signed PING once is answered; the same request again is a replay.
    let ping = br#"{"type":1,"id":"1","application_id":"2","token":"t","version":1}"#.to_vec();
    let signature = sign(&pair, &ts, &ping);
    assert_eq!(
        raw.post(Some(&signature), Some(&ts), ping.clone()).await,
        (200, r#"{"type":1}"#.to_owned())
    );
    assert_eq!(
        raw.post(Some(&signature), Some(&ts), ping).await.0,
        401,
        "replayed"
    );

    // An oversized body is refused (413) from its declared length, before it is read (sent by
    // hand: a client still writing it when the answer comes would see the connection closed).
    let signature = sign(&pair, &ts, &click);
    let answer = by_hand(&endpoint, MAX_BODY_BYTES + 1, &signature, &ts, b"").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // A body trickled in slower than an answer is due is refused (408), not waited for.
    let answer = by_hand(&endpoint, click.len(), &signature, &ts, &click[..10]).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");

    // Nothing happened: no ticket, no channel, no call to Discord.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tickets = world
        .store
        .tickets_by_guild(world.guild, &[], helpline_store::Page::first(10))
        .await
        .unwrap();
    assert!(tickets.is_empty(), "{tickets:?}");
    assert!(emulator.requests().is_empty(), "{:?}", emulator.requests());
    assert!(emulator.dm_messages(mia).is_empty());
    endpoint.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_verifying_with_the_wrong_key_is_not_registered() {
    let world = World::new().await;
    let wrong = PublicKey::from_hex(&"11".repeat(32)).unwrap();
    let endpoint = world
        .bot
        .bot
        .serve_interactions("127.0.0.1:0".parse().unwrap(), wrong)
        .await
        .unwrap();
    let url = format!("http://{}/interactions", endpoint.local_addr());
    let refused = world.emulator.set_interactions_endpoint(Some(&url)).await;
    assert!(refused.is_err());
    assert_eq!(world.emulator.interactions_endpoint(), None);
    // The gateway still delivers.
    world.set_up().await;
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random and mutated requests never panic the verifier, and only a request signed by the
    /// key with a fresh timestamp passes.
    #[test]
    fn random_and_mutated_requests_are_refused(
        body in proptest::collection::vec(any::<u8>(), 0..600),
        signature in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..140)),
        timestamp in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..24)),
        flip in any::<(usize, u8)>(),
    ) {
        let pair = Ed25519KeyPair::from_seed_unchecked(&[5; 32]).unwrap();
        let key = PublicKey::from_hex(&hex(pair.public_key().as_ref())).unwrap();
        let verifier = Verifier::new(key);
        let now = 1_700_000_000;
        // Arbitrary headers and body.
        let refused = verifier.check(signature.as_deref(), timestamp.as_deref(), &body, now);
        prop_assert!(matches!(refused, Err(ref refusal) if refusal.status() == 401 || refusal.status() == 400));
        // A genuine request, then the same with one byte of its body changed.
        let ts = now.to_string();
        let genuine = sign(&pair, &ts, &body);
        match verifier.check(Some(genuine.as_bytes()), Some(ts.as_bytes()), &body, now) {
            Ok(_) => {}
            Err(refusal) => prop_assert!(matches!(refusal, Refusal::MalformedBody(_)), "{refusal:?}"),
        }
        if !body.is_empty() {
            let mut mutated = body;
            let at = flip.0 % mutated.len();
            mutated[at] ^= flip.1.max(1);
            let refused = verifier.check(Some(genuine.as_bytes()), Some(ts.as_bytes()), &mutated, now);
            prop_assert_eq!(refused.unwrap_err(), Refusal::BadSignature);
        }
    }
}

/// A process that runs no shard (`helpline interactions`) handles a click over HTTP while the
/// shard's holder reconciles: the holder's reconciler leaves the effect whose first attempt the
/// other process is making (channel creation slowed to 1.5 s by Discord) to it, and Discord
/// gets one channel creation for the ticket, not two (the second then deleted as a duplicate).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holders_reconciler_leaves_a_fresh_effect_to_the_process_performing_it() {
    let world = World::build(helpline_domain::permissions::BOT_REQUIRED, |config| {
        config.first_attempt_grace = Duration::from_secs(30);
    })
    .await;
    let emulator = &world.emulator;
    let panel_channel = world.set_up().await;
    // The process receiving interactions: no shard, the same store.
    let receiver = helpline_bot::Bot::start_interactions(world.config.clone(), world.store.clone())
        .await
        .expect("starts without shards");
    let key = PublicKey::from_hex(&emulator.interactions_public_key()).unwrap();
    let endpoint = receiver
        .bot
        .serve_interactions("127.0.0.1:0".parse().unwrap(), key)
        .await
        .unwrap();
    let url = format!("http://{}/interactions", endpoint.local_addr());
    emulator
        .set_interactions_endpoint(Some(&url))
        .await
        .unwrap();
    let mut faults = emulator.faults();
    faults.rest_latency.insert(
        "POST /guilds/{guild_id}/channels".to_owned(),
        discord_emulator::Latency {
            fixed_ms: 1_500,
            jitter_ms: 0,
        },
    );
    emulator.set_faults(faults);
    emulator.clear_records();

    let [mia, ..] = world.members;
    let panel = world.panel_message(panel_channel);
    let open = crate::story::button_id(&panel, "Open a ticket");
    let person = emulator.as_user(mia);
    let click =
        tokio::spawn(async move { person.click_button(panel_channel, panel.id, &open).await });
    // Committed by the receiver, its channel being created: the holder reconciles now.
    world
        .wait_until_async(async || {
            let tickets = world
                .store
                .tickets_by_guild(world.guild, &[], helpline_store::Page::first(10))
                .await
                .unwrap();
            tickets.iter().any(|ticket| ticket.version > 0)
        })
        .await;
    world.bot.bot.reconcile().await.unwrap();
    let outcome = click.await.unwrap().unwrap();
    assert!(
        outcome
            .expect_message()
            .text()
            .starts_with("Your ticket is open"),
        "{:?}",
        outcome.answer()
    );
    world.wait_for_outbox().await;
    let channels: Vec<_> = emulator
        .channels(world.guild)
        .into_iter()
        .filter_map(|channel| channel.name)
        .filter(|name| name.starts_with("ticket-0"))
        .collect();
    assert_eq!(channels, ["ticket-0001"]);
    let requests = emulator.requests();
    let count = |method: &str, route: &str| {
        requests
            .iter()
            .filter(|r| r.method == method && r.route == route)
            .count()
    };
    assert_eq!(count("POST", "/api/v10/guilds/{guild_id}/channels"), 1);
    assert_eq!(count("DELETE", "/api/v10/channels/{channel_id}"), 0);
    endpoint.stop().await;
    receiver.stop().await;
}

/// The same signed click delivered to two processes (here two endpoints of one bot, each with
/// its own signature cache) is handled by the first only: the store's claim refuses the second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_click_replayed_to_another_process_is_refused() {
    let world = World::new().await;
    let panel_channel = world.set_up().await;
    let pair = Ed25519KeyPair::from_seed_unchecked(&[5; 32]).unwrap();
    let key = PublicKey::from_hex(&hex(pair.public_key().as_ref())).unwrap();
    let serve = || {
        world
            .bot
            .bot
            .serve_interactions("127.0.0.1:0".parse().unwrap(), key)
    };
    let (first, second) = (serve().await.unwrap(), serve().await.unwrap());
    let raw = |endpoint: &InteractionsEndpoint| Raw {
        url: format!("http://{}/interactions", endpoint.local_addr()),
        client: Client::builder(hyper_util::rt::TokioExecutor::new()).build(HttpConnector::new()),
    };
    let [mia, _, _] = world.members;
    let click = panel_click(&world, panel_channel, mia, "1300000000000000777");
    let ts = now().to_string();
    let signature = sign(&pair, &ts, &click);
    let handled = raw(&first)
        .post(Some(&signature), Some(&ts), click.clone())
        .await;
    assert_eq!(handled.0, 200, "{handled:?}");
    let replayed = raw(&second).post(Some(&signature), Some(&ts), click).await;
    assert_eq!(replayed.0, 401, "{replayed:?}");
    world.wait_for_outbox().await;
    let tickets = world
        .store
        .tickets_by_guild(world.guild, &[], helpline_store::Page::first(10))
        .await
        .unwrap();
    assert_eq!(tickets.len(), 1, "one ticket: {tickets:?}");
    first.stop().await;
    second.stop().await;
}
