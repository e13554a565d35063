//! One gateway websocket connection: the opcode state machine.

use std::{sync::Arc, time::Duration};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use serde_json::{Value, json};
use tokio::{
    sync::mpsc,
    time::{Instant, sleep_until, timeout},
};
use twilight_model::{
    gateway::{Intents, ShardId, payload::incoming::Ready},
    guild::UnavailableGuild,
    id::{Id, marker::GuildMarker},
    oauth::{ApplicationFlags, PartialApplication},
};

use super::{
    compression::{Compressor, Encoded, TransportCompression},
    hub::{IdentifyRefusal, Outbound, dispatch_json, shard_for_guild},
};
use crate::{
    Emulator,
    records::{Direction, GatewayRecord},
    snowflake::random_hex,
};

/// Outbound items written together at most, so a long queue still lets the connection read
/// what its client sends between writes.
const OUTBOUND_BATCH: usize = 256;

/// How a connection ended, which decides what happens to its session.
#[derive(Debug)]
enum End {
    /// The client sent a close frame with this code.
    ClientClosed(Option<u16>),
    /// The TCP connection or websocket broke.
    Transport,
    /// The emulator closed the connection.
    ServerClosed,
    /// The emulator dropped the connection without a close frame (fault injection).
    Dropped,
}

struct Connection {
    emulator: Emulator,
    id: u64,
    sink: SplitSink<WebSocket, Message>,
    compressor: Compressor,
    tx: mpsc::UnboundedSender<Outbound>,
    session_id: Option<String>,
    shard: Option<[u32; 2]>,
    interval: Duration,
    last_heartbeat: Instant,
    /// Start of the current send-limit window and payloads received in it.
    sends_since: Instant,
    sends: u32,
}

pub(super) async fn run(
    emulator: Emulator,
    socket: WebSocket,
    compression: TransportCompression,
    refusal: Option<(u16, &'static str)>,
) {
    let (sink, mut stream) = socket.split();
    let id = emulator.world().hub.connection_id();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let compressor = match Compressor::new(compression) {
        Ok(compressor) => compressor,
        Err(error) => {
            tracing::error!(%error, "cannot create the transport compressor");
            return;
        }
    };
    let interval = emulator.shared.config.heartbeat_interval;
    let mut connection = Connection {
        emulator,
        id,
        sink,
        compressor,
        tx,
        session_id: None,
        shard: None,
        interval,
        last_heartbeat: Instant::now(),
        sends_since: Instant::now(),
        sends: 0,
    };
    tracing::debug!(
        connection = id,
        compression = compression.as_str(),
        "gateway connection opened"
    );
    let end = if let Some((code, reason)) = refusal {
        connection.close(code, reason).await;
        End::ServerClosed
    } else {
        connection.serve(&mut stream, &mut rx).await
    };
    connection.finish(end, &mut stream).await;
}

impl Connection {
    async fn serve(
        &mut self,
        stream: &mut SplitStream<WebSocket>,
        rx: &mut mpsc::UnboundedReceiver<Outbound>,
    ) -> End {
        let hello = json!({
            "t": null, "s": null, "op": 10,
            "d": {
                "heartbeat_interval": u64::try_from(self.interval.as_millis()).unwrap_or(u64::MAX),
                "_trace": ["[\"discord-emulator\",{\"micros\":0.0}]"],
            }
        })
        .to_string();
        if self.send(&hello, Some(10), None, None).await.is_err() {
            return End::Transport;
        }
        let mut hold = self.emulator.shared.dispatch_hold.subscribe();
        loop {
            let deadline = self.last_heartbeat + self.interval.mul_f64(1.5);
            let held = *hold.borrow_and_update();
            tokio::select! {
                // A hold that came while the task waited wins over the queue it holds.
                biased;
                // The hold changed: the loop looks at it again.
                Ok(()) = hold.changed() => {}
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(end) = self.handle(text.as_str()).await {
                            return end;
                        }
                    }
                    // Discord reads a JSON payload sent in a binary frame as it reads a text
                    // frame; what is not UTF-8 JSON cannot be decoded.
                    Some(Ok(Message::Binary(bytes))) => match std::str::from_utf8(&bytes) {
                        Ok(text) => {
                            if let Some(end) = self.handle(text).await {
                                return end;
                            }
                        }
                        Err(_) => {
                            self.close(4002, "Error while decoding payload.").await;
                            return End::ServerClosed;
                        }
                    },
                    Some(Ok(Message::Close(frame))) => {
                        let code = frame.map(|frame| frame.code);
                        self.record(Direction::Received, None, None, None, format!("close {code:?}"));
                        return End::ClientClosed(code);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return End::Transport,
                },
                outbound = rx.recv(), if !held => {
                    // What waits in the queue goes out in one write, as a busy server's
                    // frames do: each its own websocket message, flushed together.
                    let mut outbound = outbound;
                    let mut delivered = 0;
                    loop {
                        if let Some(end) = self.deliver(outbound).await {
                            return end;
                        }
                        delivered += 1;
                        if delivered == OUTBOUND_BATCH {
                            break;
                        }
                        match rx.try_recv() {
                            Ok(next) => outbound = Some(next),
                            Err(_) => break,
                        }
                    }
                    if self.sink.flush().await.is_err() {
                        return End::Transport;
                    }
                }
                () = sleep_until(deadline) => {
                    tracing::debug!(connection = self.id, "no heartbeat, closing");
                    self.close(4009, "Session timed out").await;
                    return End::ServerClosed;
                }
            }
        }
    }

    /// Ends or detaches the session, and lets the closing handshake finish.
    async fn finish(mut self, end: End, stream: &mut SplitStream<WebSocket>) {
        if let Some(session_id) = &self.session_id {
            let mut world = self.emulator.world();
            match end {
                End::ClientClosed(Some(1000 | 1001)) => world.hub.end(session_id),
                _ => world.hub.detach(session_id, self.id),
            }
        }
        if matches!(end, End::Dropped) {
            // No close frame: both halves are dropped, as when a network path breaks.
            self.emulator.shared.metrics.gateway_drop();
            self.record(Direction::Sent, None, None, None, "dropped".to_owned());
            tracing::debug!(connection = self.id, "gateway connection dropped");
            return;
        }
        if matches!(end, End::ServerClosed) {
            // Wait briefly for the client's close frame so it sees our code before EOF.
            let _ = timeout(Duration::from_secs(1), async {
                while let Some(Ok(message)) = stream.next().await {
                    if matches!(message, Message::Close(_)) {
                        break;
                    }
                }
            })
            .await;
        }
        let _ = self.sink.close().await;
        tracing::debug!(connection = self.id, ?end, "gateway connection closed");
    }

    fn record(
        &self,
        direction: Direction,
        op: Option<u8>,
        event: Option<&str>,
        seq: Option<u64>,
        detail: String,
    ) {
        let records = &self.emulator.shared.records;
        records.push_gateway(GatewayRecord {
            at_ms: records.elapsed_ms(),
            connection: self.id,
            direction,
            op,
            event: event.map(str::to_owned),
            seq,
            detail,
        });
    }

    /// Queues one outbound item on the socket (written at the next flush), or ends the
    /// connection as it asks.
    async fn deliver(&mut self, outbound: Option<Outbound>) -> Option<End> {
        match outbound {
            Some(Outbound::Frame { text, seq, event }) => {
                let (delay, drop) = self.emulator.shared.faults.for_gateway_send();
                if !delay.is_zero() {
                    if self.sink.flush().await.is_err() {
                        return Some(End::Transport);
                    }
                    tokio::time::sleep(delay).await;
                }
                if self.feed(&text, Some(0), event, seq).await.is_err() {
                    return Some(End::Transport);
                }
                if drop {
                    let _ = self.sink.flush().await;
                    return Some(End::Dropped);
                }
                None
            }
            Some(Outbound::Control {
                text,
                op,
                forget_session,
            }) => {
                if forget_session {
                    self.session_id = None;
                    self.shard = None;
                }
                self.feed(text, Some(op), None, None)
                    .await
                    .err()
                    .map(|()| End::Transport)
            }
            Some(Outbound::Drop) => {
                let _ = self.sink.flush().await;
                Some(End::Dropped)
            }
            Some(Outbound::Close { code, reason }) => {
                self.close(code, reason).await;
                Some(End::ServerClosed)
            }
            None => {
                let _ = self.sink.flush().await;
                Some(End::ServerClosed)
            }
        }
    }

    /// Sends one gateway message at once.
    async fn send(
        &mut self,
        text: &str,
        op: Option<u8>,
        event: Option<&'static str>,
        seq: Option<u64>,
    ) -> Result<(), ()> {
        self.feed(text, op, event, seq).await?;
        self.sink.flush().await.map_err(|_| ())
    }

    /// Queues one gateway message on the socket, compressed; written at the next flush.
    async fn feed(
        &mut self,
        text: &str,
        op: Option<u8>,
        event: Option<&'static str>,
        seq: Option<u64>,
    ) -> Result<(), ()> {
        let message = match self.compressor.encode(text) {
            Ok(Encoded::Text(text)) => Message::Text(text.into()),
            Ok(Encoded::Binary(bytes)) => Message::Binary(bytes.into()),
            Err(error) => {
                tracing::error!(%error, "cannot compress a gateway message");
                return Err(());
            }
        };
        self.record(Direction::Sent, op, event, seq, String::new());
        self.sink.feed(message).await.map_err(|_| ())
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        self.emulator.shared.metrics.gateway_close(code);
        self.record(
            Direction::Sent,
            None,
            None,
            None,
            format!("close {code} {reason}"),
        );
        let _ = self
            .sink
            .send(Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })))
            .await;
    }

    async fn handle(&mut self, text: &str) -> Option<End> {
        let config = &self.emulator.shared.config;
        let (max_payload, send_limit, send_window) = (
            config.gateway_max_payload,
            config.gateway_send_limit,
            config.gateway_send_window,
        );
        if text.len() > max_payload {
            self.record(
                Direction::Received,
                None,
                None,
                None,
                format!("payload of {} bytes", text.len()),
            );
            self.close(4002, "Error while decoding payload.").await;
            return Some(End::ServerClosed);
        }
        let now = Instant::now();
        if now.saturating_duration_since(self.sends_since) >= send_window {
            self.sends_since = now;
            self.sends = 0;
        }
        self.sends += 1;
        if self.sends > send_limit {
            self.record(
                Direction::Received,
                None,
                None,
                None,
                format!("payload {} in the send window", self.sends),
            );
            self.close(4008, "Rate limited.").await;
            return Some(End::ServerClosed);
        }
        let Ok(payload) = serde_json::from_str::<Value>(text) else {
            self.record(
                Direction::Received,
                None,
                None,
                None,
                "undecodable payload".to_owned(),
            );
            self.close(4002, "Error while decoding payload.").await;
            return Some(End::ServerClosed);
        };
        let op = payload
            .get("op")
            .and_then(Value::as_u64)
            .and_then(|op| u8::try_from(op).ok());
        let data = payload.get("d").cloned().unwrap_or(Value::Null);
        match op {
            Some(1) => {
                self.record(Direction::Received, op, None, data.as_u64(), String::new());
                self.last_heartbeat = Instant::now();
                if let (Some(session_id), Some(seq)) = (&self.session_id, data.as_u64()) {
                    self.emulator.world().hub.acknowledge(session_id, seq);
                }
                let ack = r#"{"t":null,"s":null,"op":11,"d":null}"#;
                if self.send(ack, Some(11), None, None).await.is_err() {
                    return Some(End::Transport);
                }
                None
            }
            Some(2) => self.identify(&data).await,
            Some(6) => self.resume(&data).await,
            Some(3 | 4 | 8) if self.session_id.is_none() => {
                self.record(Direction::Received, op, None, None, String::new());
                self.close(4003, "Not authenticated.").await;
                Some(End::ServerClosed)
            }
            Some(3 | 4) => {
                self.record(Direction::Received, op, None, None, String::new());
                None
            }
            Some(8) => {
                self.record(Direction::Received, op, None, None, String::new());
                self.request_guild_members(&data);
                None
            }
            _ => {
                self.record(
                    Direction::Received,
                    op,
                    None,
                    None,
                    "unknown opcode".to_owned(),
                );
                self.close(4001, "Unknown opcode.").await;
                Some(End::ServerClosed)
            }
        }
    }

    fn token_matches(&self, data: &Value) -> bool {
        let token = data
            .get("token")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let token = token.strip_prefix("Bot ").unwrap_or(token);
        token == self.emulator.shared.config.bot_token
    }

    async fn identify(&mut self, data: &Value) -> Option<End> {
        let shard = data
            .get("shard")
            .and_then(|shard| serde_json::from_value::<[u32; 2]>(shard.clone()).ok())
            .unwrap_or([0, 1]);
        let raw_intents = data.get("intents").and_then(Value::as_u64);
        self.record(
            Direction::Received,
            Some(2),
            None,
            None,
            format!(
                "identify shard {shard:?} intents {}",
                raw_intents.map_or_else(|| "none".to_owned(), |bits| bits.to_string())
            ),
        );
        if self.session_id.is_some() {
            self.close(4005, "Already authenticated.").await;
            return Some(End::ServerClosed);
        }
        if !self.token_matches(data) {
            self.close(4004, "Authentication failed.").await;
            return Some(End::ServerClosed);
        }
        if shard[1] == 0 || shard[0] >= shard[1] {
            self.close(4010, "Invalid shard.").await;
            return Some(End::ServerClosed);
        }
        let Some(intents) = raw_intents.and_then(Intents::from_bits) else {
            self.close(4013, "Invalid intent(s).").await;
            return Some(End::ServerClosed);
        };
        let privileged =
            Intents::GUILD_MEMBERS | Intents::GUILD_PRESENCES | Intents::MESSAGE_CONTENT;
        let allowed = self.emulator.shared.config.privileged_intents;
        if !(intents & (privileged - allowed)).is_empty() {
            self.close(4014, "Disallowed intent(s).").await;
            return Some(End::ServerClosed);
        }
        let limits = self.emulator.identify_limits();
        let admitted = self.emulator.world().hub.admit_identify(shard[0], limits);
        match admitted {
            Ok(bucket) => self.emulator.shared.metrics.identify(bucket),
            Err(IdentifyRefusal::Concurrency { bucket }) => {
                tracing::info!(?shard, bucket, "identify over max_concurrency: op 9");
                self.emulator.shared.metrics.identify_refused(bucket);
                let invalid = r#"{"t":null,"s":null,"op":9,"d":false}"#;
                if self.send(invalid, Some(9), None, None).await.is_err() {
                    return Some(End::Transport);
                }
                return None;
            }
            Err(IdentifyRefusal::Budget) => {
                tracing::warn!("session_start_limit spent: every session closed with 4004");
                self.emulator.shared.metrics.session_budget_refused();
                self.emulator
                    .world()
                    .hub
                    .end_all(4004, "Authentication failed.");
                self.close(4004, "Authentication failed.").await;
                return Some(End::ServerClosed);
            }
        }
        let refused = {
            let mut world = self.emulator.world();
            let bot_id = world.bot_id();
            let guild_ids: Vec<Id<GuildMarker>> = world
                .guilds
                .values()
                .filter(|guild| guild.members.contains_key(&bot_id))
                .filter(|guild| shard_for_guild(guild.id, shard[1]) == shard[0])
                .map(|guild| guild.id)
                .collect();
            // Most guilds one shard may hold before Discord requires sharding (close 4011).
            if guild_ids.len() > world.config.max_guilds_per_shard {
                true
            } else {
                let session_id = random_hex();
                let ready = Ready {
                    application: PartialApplication {
                        flags: ApplicationFlags::GATEWAY_GUILD_MEMBERS_LIMITED
                            | ApplicationFlags::GATEWAY_MESSAGE_CONTENT_LIMITED,
                        id: world.config.application_id,
                    },
                    guilds: guild_ids
                        .iter()
                        .map(|id| UnavailableGuild {
                            id: *id,
                            unavailable: true,
                        })
                        .collect(),
                    resume_gateway_url: world.gateway_url.clone(),
                    session_id: session_id.clone(),
                    shard: ShardId::new_checked(shard[0], shard[1]),
                    user: world.current_user(),
                    version: 10,
                };
                let guild_payloads: Vec<Arc<str>> = guild_ids
                    .iter()
                    .filter_map(|id| world.guilds.get(id))
                    .map(|guild| {
                        dispatch_json(
                            "GUILD_CREATE",
                            &world.guild_model(
                                guild,
                                true,
                                intents.contains(Intents::GUILD_MEMBERS),
                            ),
                        )
                    })
                    .collect();
                world.hub.create_session(
                    session_id.clone(),
                    shard,
                    intents,
                    self.id,
                    self.tx.clone(),
                );
                world
                    .hub
                    .send_to(&session_id, "READY", &dispatch_json("READY", &ready));
                for payload in guild_payloads {
                    world.hub.send_to(&session_id, "GUILD_CREATE", &payload);
                }
                self.session_id = Some(session_id);
                self.shard = Some(shard);
                false
            }
        };
        if refused {
            self.close(4011, "Sharding required.").await;
            return Some(End::ServerClosed);
        }
        None
    }

    async fn resume(&mut self, data: &Value) -> Option<End> {
        let session_id = data
            .get("session_id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let seq = data.get("seq").and_then(Value::as_u64).unwrap_or(0);
        self.record(
            Direction::Received,
            Some(6),
            None,
            Some(seq),
            format!("resume session {session_id}"),
        );
        if self.session_id.is_some() {
            self.close(4005, "Already authenticated.").await;
            return Some(End::ServerClosed);
        }
        if !self.token_matches(data) {
            self.close(4004, "Authentication failed.").await;
            return Some(End::ServerClosed);
        }
        let resumed = {
            let mut world = self.emulator.world();
            match world.hub.resume(&session_id, seq, self.id, self.tx.clone()) {
                Ok(()) => {
                    world.hub.send_to(&session_id, "RESUMED", "{}");
                    self.shard = world.hub.session(&session_id).map(|session| session.shard);
                    true
                }
                Err(refusal) => {
                    tracing::debug!(?refusal, "resume refused");
                    false
                }
            }
        };
        self.emulator.shared.metrics.resume(resumed);
        if resumed {
            self.session_id = Some(session_id);
            return None;
        }
        let invalid = r#"{"t":null,"s":null,"op":9,"d":false}"#;
        if self.send(invalid, Some(9), None, None).await.is_err() {
            return Some(End::Transport);
        }
        None
    }

    /// Op 8: answers with one GUILD_MEMBERS_CHUNK.
    fn request_guild_members(&self, data: &Value) {
        let (Some(session_id), Some(shard)) = (&self.session_id, self.shard) else {
            return;
        };
        let Some(guild_id) = data
            .get("guild_id")
            .and_then(crate::world::messages::snowflake_value)
            .and_then(Id::<GuildMarker>::new_checked)
        else {
            return;
        };
        let query = data
            .get("query")
            .and_then(Value::as_str)
            .map(str::to_lowercase);
        let limit = data.get("limit").and_then(Value::as_u64).unwrap_or(0);
        let user_ids: Option<Vec<u64>> = data.get("user_ids").map(|ids| match ids {
            Value::Array(ids) => ids
                .iter()
                .filter_map(crate::world::messages::snowflake_value)
                .collect(),
            other => crate::world::messages::snowflake_value(other)
                .into_iter()
                .collect(),
        });
        let mut world = self.emulator.world();
        if shard_for_guild(guild_id, shard[1]) != shard[0] {
            return;
        }
        let Some(guild) = world.guilds.get(&guild_id) else {
            return;
        };
        let mut members: Vec<_> = guild
            .members
            .values()
            .filter(|member| match &user_ids {
                Some(ids) => ids.contains(&member.user_id.get()),
                None => query.as_deref().is_none_or(|query| {
                    world
                        .users
                        .get(&member.user_id)
                        .is_some_and(|user| user.name.as_str().to_lowercase().starts_with(query))
                }),
            })
            .map(|member| world.member_model(&member))
            .collect();
        if limit > 0 {
            members.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        let mut chunk = json!({
            "guild_id": guild_id.to_string(),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        });
        // Discord echoes a nonce only when the request had one.
        if let Some(nonce) = data.get("nonce").filter(|nonce| !nonce.is_null()) {
            chunk["nonce"] = nonce.clone();
        }
        world.hub.send_to(
            session_id,
            "GUILD_MEMBERS_CHUNK",
            &dispatch_json("GUILD_MEMBERS_CHUNK", &chunk),
        );
    }
}
