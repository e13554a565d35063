//! Helpers shared by the integration tests: an emulator with a small world, twilight clients
//! pointed at it, a test-side interaction responder, and raw HTTP and websocket clients.

use std::{future::Future, sync::Arc, time::Duration};

use discord_emulator::{Emulator, EmulatorConfig};
use futures_util::{SinkExt, StreamExt as _};
use serde_json::Value;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    sync::oneshot,
    task::JoinHandle,
    time::timeout,
};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite};
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};
use twilight_http::Client;
use twilight_model::{
    application::interaction::Interaction,
    guild::Permissions,
    id::{
        Id,
        marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker},
    },
};

/// How long a test waits for anything before failing.
pub(crate) const WAIT: Duration = Duration::from_secs(10);

/// Permissions a ticket bot needs.
pub(crate) fn bot_permissions() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::EMBED_LINKS
        | Permissions::ATTACH_FILES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::MANAGE_CHANNELS
        | Permissions::MANAGE_ROLES
        | Permissions::MANAGE_MESSAGES
}

pub(crate) async fn start() -> Emulator {
    start_with(|_| {}).await
}

pub(crate) async fn start_with(change: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    // twilight's TLS stack needs a process-wide crypto provider even for plain-HTTP proxies.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = EmulatorConfig::default();
    change(&mut config);
    Emulator::start(config)
        .await
        .expect("the emulator starts on a free port")
}

/// A guild with an owner, a staff role with one staff member, two members and #general.
#[derive(Debug)]
pub(crate) struct TestWorld {
    pub(crate) guild: Id<GuildMarker>,
    pub(crate) owner: Id<UserMarker>,
    pub(crate) staff_role: Id<RoleMarker>,
    pub(crate) staff: Id<UserMarker>,
    pub(crate) alice: Id<UserMarker>,
    pub(crate) bob: Id<UserMarker>,
    pub(crate) general: Id<ChannelMarker>,
}

pub(crate) fn world(emulator: &Emulator, bot: Permissions) -> TestWorld {
    let owner = emulator.create_user("owner", "en-US");
    let guild = emulator
        .create_guild("Test Server", owner, "en-US")
        .unwrap();
    emulator.set_bot_permissions(guild, bot).unwrap();
    let staff_role = emulator
        .create_role(guild, "Staff", Permissions::empty())
        .unwrap();
    let staff = emulator.create_user("sam", "fr");
    emulator.add_member(guild, staff, &[staff_role]).unwrap();
    let alice = emulator.create_user("alice", "en-US");
    emulator.add_member(guild, alice, &[]).unwrap();
    let bob = emulator.create_user("bob", "fr");
    emulator.add_member(guild, bob, &[]).unwrap();
    let general = emulator
        .create_text_channel(guild, "general", None)
        .unwrap();
    TestWorld {
        guild,
        owner,
        staff_role,
        staff,
        alice,
        bob,
        general,
    }
}

/// twilight-http, unmodified, pointed at the emulator.
pub(crate) fn http(emulator: &Emulator) -> Arc<Client> {
    Arc::new(
        Client::builder()
            .proxy(emulator.http_host().to_owned(), true)
            .token(emulator.bot_token().to_owned())
            .build(),
    )
}

/// A twilight-gateway shard, unmodified, pointed at the emulator.
pub(crate) fn shard(emulator: &Emulator, id: ShardId, intents: Intents) -> Shard {
    let config = ConfigBuilder::new(emulator.bot_token().to_owned(), intents)
        .proxy_url(emulator.gateway_url().to_owned())
        .build();
    Shard::with_config(id, config)
}

/// The next event for which `pick` returns something, failing after [`WAIT`].
pub(crate) async fn next_matching<T>(
    shard: &mut Shard,
    mut pick: impl FnMut(Event) -> Option<T>,
) -> T {
    timeout(WAIT, async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(event)) => {
                    if let Some(found) = pick(event) {
                        return found;
                    }
                }
                Some(Err(error)) => panic!("gateway error: {error}"),
                None => panic!("the shard closed"),
            }
        }
    })
    .await
    .expect("the expected gateway event came in time")
}

/// Runs a shard that answers every interaction with `handler` (each in its own task), as a
/// bot would. Returns once the shard is ready.
pub(crate) async fn responder<F, Fut>(emulator: &Emulator, handler: F) -> JoinHandle<()>
where
    F: Fn(Arc<Client>, Interaction) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let http = http(emulator);
    let mut shard = shard(
        emulator,
        ShardId::ONE,
        Intents::GUILDS | Intents::GUILD_MESSAGES,
    );
    let (ready_tx, ready_rx) = oneshot::channel();
    let handler = Arc::new(handler);
    let task = tokio::spawn(async move {
        let mut ready_tx = Some(ready_tx);
        while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
            match event {
                Ok(Event::Ready(_)) => {
                    if let Some(ready) = ready_tx.take() {
                        let _ = ready.send(());
                    }
                }
                Ok(Event::InteractionCreate(interaction)) => {
                    let handler = Arc::clone(&handler);
                    let http = Arc::clone(&http);
                    tokio::spawn(async move { handler(http, interaction.0).await });
                }
                _ => {}
            }
        }
    });
    timeout(WAIT, ready_rx)
        .await
        .expect("responder ready in time")
        .expect("responder ready");
    task
}

/// A raw HTTP/1.1 response.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| panic!("JSON body, got {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Sends one request over a fresh connection, for what twilight validates client-side.
pub(crate) async fn raw_request(
    emulator: &Emulator,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> RawResponse {
    raw_request_typed(
        emulator,
        method,
        path,
        authorization,
        body,
        "application/json",
    )
    .await
}

/// [`raw_request`] with a body of another content type (a form, for OAuth2).
pub(crate) async fn raw_request_typed(
    emulator: &Emulator,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
    content_type: &str,
) -> RawResponse {
    let mut stream = TcpStream::connect(emulator.http_host()).await.unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        emulator.http_host()
    );
    if let Some(authorization) = authorization {
        request.push_str(&format!("Authorization: {authorization}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() {
        request.push_str(&format!("Content-Type: {content_type}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    timeout(WAIT, stream.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let split = raw
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .expect("headers end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_owned(), value.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(key, value)| {
        key.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked")
    });
    if chunked {
        body = dechunk(&body);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = body.windows(2).position(|window| window == b"\r\n") else {
            return out;
        };
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&body[line_end + 2..line_end + 2 + size]);
        body = &body[line_end + 2 + size + 2..];
    }
}

/// The bot's `Authorization` header.
pub(crate) fn bot_auth(emulator: &Emulator) -> String {
    format!("Bot {}", emulator.bot_token())
}

pub(crate) type RawSocket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// A raw websocket to the gateway with the given query string.
pub(crate) async fn raw_gateway(emulator: &Emulator, query: &str) -> RawSocket {
    let url = format!("{}/?{query}", emulator.gateway_url());
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("gateway accepts the websocket");
    socket
}

/// The next text frame as JSON (for uncompressed connections), or the close code.
pub(crate) async fn next_json(socket: &mut RawSocket) -> Result<Value, Option<u16>> {
    loop {
        let message = timeout(WAIT, socket.next())
            .await
            .expect("a gateway message in time");
        match message {
            Some(Ok(tungstenite::Message::Text(text))) => {
                return Ok(serde_json::from_str(&text).unwrap());
            }
            Some(Ok(tungstenite::Message::Close(frame))) => {
                return Err(frame.map(|frame| u16::from(frame.code)));
            }
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return Err(None),
        }
    }
}

/// Sends a JSON gateway payload.
pub(crate) async fn send_json(socket: &mut RawSocket, payload: &Value) {
    socket
        .send(tungstenite::Message::Text(payload.to_string().into()))
        .await
        .expect("the gateway accepts the payload");
}

/// An identify payload for the emulator's bot.
pub(crate) fn identify(emulator: &Emulator, shard: [u32; 2], intents: Intents) -> Value {
    serde_json::json!({
        "op": 2,
        "d": {
            "token": emulator.bot_token(),
            "intents": intents.bits(),
            "shard": shard,
            "properties": { "os": "linux", "browser": "test", "device": "test" },
        }
    })
}

/// Reads frames until a dispatch named `name`, returning it.
pub(crate) async fn next_dispatch(socket: &mut RawSocket, name: &str) -> Value {
    loop {
        let payload = next_json(socket)
            .await
            .unwrap_or_else(|code| panic!("closed with {code:?} before {name}"));
        if payload["t"] == name {
            return payload;
        }
    }
}
