//! `helpline proxy`: the REST egress every bot process of a cluster sends its Discord calls
//! through, so that the whole cluster keeps to one budget: Discord's global limit per bot, its
//! per-route buckets, and the invalid-request limit per IP.
//!
//! A bot reaches it with twilight-http's `ClientBuilder::proxy(host, true)` and
//! `ratelimiter(None)`. Each request waits (holds) until its bucket and the global budget admit
//! it — never answered with a made-up 429, which twilight would send again at once — and
//! answers 503 with a clear body past [`ProxyConfig::hold_deadline`]. A real 429 from Discord
//! updates the shared state and the request is sent again after `Retry-After` (bodies up to
//! [`RETRY_BODY`]; larger uploads stream through once). Discord's answers stream back.
//!
//! The state lives behind [`Limits`]: [`RedisLimits`] for replicas sharing it, [`MemoryLimits`]
//! for one replica.

mod limits;
pub mod metrics;
mod redis;
mod route;

pub use limits::{Learned, Limits, LimitsError, MemoryLimits, Permit};
pub use redis::RedisLimits;
pub use route::Route;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Uri, header};
use http_body_util::BodyExt as _;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Request bodies up to this size are kept so a 429 can be retried; larger ones stream.
pub const RETRY_BODY: usize = 1 << 20;

/// How the proxy runs.
#[derive(Clone, Debug)]
pub struct ProxyConfig {
    /// Where Discord is: `https://discord.com`, or the emulator's `http://host:port`.
    pub upstream: String,
    /// Requests per second of one bot (Discord's default is 50).
    pub global_limit: u32,
    /// How long a request may wait for its turn before the proxy answers 503.
    pub hold_deadline: Duration,
    /// The egress IP's name: replicas sharing one IP share its invalid-request count.
    pub egress: String,
    /// Invalid requests (401, 403, non-shared 429) in ten minutes at which the proxy stops
    /// forwarding; Discord bans the IP at 10,000.
    pub invalid_threshold: u64,
    /// How long one upstream request may take.
    pub upstream_timeout: Duration,
}

impl ProxyConfig {
    /// Discord's defaults, towards `upstream`.
    pub fn new(upstream: impl Into<String>) -> Self {
        Self {
            upstream: upstream.into().trim_end_matches('/').to_owned(),
            global_limit: 50,
            hold_deadline: Duration::from_secs(8),
            egress: "default".to_owned(),
            invalid_threshold: 5_000,
            upstream_timeout: Duration::from_secs(15),
        }
    }
}

type Upstream = Client<hyper_rustls::HttpsConnector<HttpConnector>, Body>;

struct Shared {
    config: ProxyConfig,
    limits: Arc<dyn Limits>,
    client: Upstream,
    /// The egress's invalid count as last read (refreshed every second and on every count).
    invalid: AtomicU64,
    waiting: AtomicU64,
    /// Routes of a bot that kept answering 403 while the egress neared its threshold, and
    /// until when they are refused.
    broken: std::sync::Mutex<std::collections::HashMap<String, Instant>>,
}

/// How long a route that loops on 403 is refused.
const ROUTE_BREAK: Duration = Duration::from_secs(60);
/// 403s of one route in the window that make it a loop.
const FORBIDDEN_LOOP: u64 = 10;

/// The proxy's router: every path is forwarded.
pub fn router(config: ProxyConfig, limits: Arc<dyn Limits>) -> axum::Router {
    // TLS towards Discord: ring, as the rest of Helpline (once per process).
    let _ = rustls::crypto::ring::default_provider().install_default();
    metrics::describe();
    ::metrics::gauge!(metrics::GLOBAL_LIMIT).set(f64::from(config.global_limit));
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_platform_verifier()
        .https_or_http()
        .enable_http1()
        .build();
    let shared = Arc::new(Shared {
        config,
        limits,
        client: Client::builder(TokioExecutor::new()).build(connector),
        invalid: AtomicU64::new(0),
        waiting: AtomicU64::new(0),
        broken: std::sync::Mutex::new(std::collections::HashMap::new()),
    });
    let watcher = Arc::downgrade(&shared);
    tokio::spawn(async move {
        // Follows the egress's count as other replicas add to it.
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let Some(shared) = watcher.upgrade() else {
                return;
            };
            if let Ok(count) = shared.limits.invalid(&shared.config.egress).await {
                shared.invalid.store(count, Ordering::Relaxed);
                #[allow(clippy::cast_precision_loss)]
                ::metrics::gauge!(metrics::INVALID_WINDOW).set(count as f64);
            }
        }
    });
    axum::Router::new().fallback(forward).with_state(shared)
}

/// A bot's name in the shared state: a hash of its token (never the token).
fn bot_of(headers: &HeaderMap) -> Option<String> {
    use std::hash::{Hash as _, Hasher as _};
    let authorization = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = authorization.strip_prefix("Bot ")?;
    let mut hasher = std::hash::DefaultHasher::new();
    token.hash(&mut hasher);
    Some(format!("{:016x}", hasher.finish()))
}

/// An answer the proxy gives itself, in Discord's error shape.
fn refusal(status: StatusCode, message: &str, retry_after: Option<Duration>) -> Response<Body> {
    let body = format!("{{\"message\":{},\"code\":0}}", serde_json_string(message));
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(after) = retry_after
        && let Ok(value) = HeaderValue::from_str(&after.as_secs().max(1).to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// A JSON string literal without pulling serde in for one call.
fn serde_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Headers that belong to one hop, not forwarded.
fn hop_by_hop(name: &header::HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
    )
}

/// What the limits said, through a fallback: when the shared state cannot be reached the
/// request goes on (the alternative, holding every request, stops the bot), counted and logged.
async fn ask(result: Result<Permit, LimitsError>) -> Permit {
    match result {
        Ok(permit) => permit,
        Err(error) => {
            ::metrics::counter!(metrics::STATE_ERRORS).increment(1);
            tracing::warn!(%error, "rate-limit state unreachable; forwarding without it");
            Permit::Go
        }
    }
}

/// Waits for a permit until `deadline`; `false` past it.
async fn hold<F, Fut>(deadline: Instant, mut take: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Permit, LimitsError>>,
{
    loop {
        match ask(take().await).await {
            Permit::Go => return true,
            Permit::Wait(wait) => {
                let now = Instant::now();
                if now + wait > deadline {
                    return false;
                }
                tokio::time::sleep(wait).await;
            }
        }
    }
}

fn header_number<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The bucket an answer describes, if it carries Discord's headers.
fn learned(headers: &HeaderMap) -> Option<Learned> {
    let bucket = headers.get("x-ratelimit-bucket")?.to_str().ok()?.to_owned();
    let reset_after: f64 = header_number(headers, "x-ratelimit-reset-after")?;
    Some(Learned {
        bucket,
        limit: header_number(headers, "x-ratelimit-limit")?,
        remaining: header_number(headers, "x-ratelimit-remaining")?,
        reset_after: Duration::from_secs_f64(reset_after.max(0.0)),
    })
}

/// `Retry-After` of a 429 (seconds, possibly fractional).
fn retry_after(headers: &HeaderMap) -> Duration {
    let seconds: f64 = header_number(headers, "retry-after").unwrap_or(1.0);
    Duration::from_secs_f64(seconds.clamp(0.0, 3600.0))
}

async fn forward(State(shared): State<Arc<Shared>>, request: Request<Body>) -> Response<Body> {
    let started = Instant::now();
    let deadline = started + shared.config.hold_deadline;
    let (parts, body) = request.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let route = Route::of(parts.method.as_str(), parts.uri.path());
    let Ok(upstream_uri) = format!("{}{path_and_query}", shared.config.upstream).parse::<Uri>()
    else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "the path cannot be forwarded",
            None,
        );
    };
    let bot = bot_of(&parts.headers);
    let label = route.label.clone();
    let answer = |status: StatusCode| {
        ::metrics::counter!(metrics::REQUESTS, "route" => label.clone(), "status" => status.as_u16().to_string()).increment(1);
    };

    if let Some(bot) = &bot
        && shared.limits.revoked(bot).await.unwrap_or(false)
    {
        answer(StatusCode::UNAUTHORIZED);
        return refusal(
            StatusCode::UNAUTHORIZED,
            "401: Unauthorized (Discord refused this token; the proxy forwards nothing for it until it is replaced)",
            None,
        );
    }
    let invalid = shared.invalid.load(Ordering::Relaxed);
    if invalid >= shared.config.invalid_threshold {
        ::metrics::gauge!(metrics::BREAKER, "reason" => "invalid_requests").set(1.0);
        answer(StatusCode::SERVICE_UNAVAILABLE);
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "the proxy stopped forwarding: this IP's invalid requests (401, 403, 429) in the last ten minutes reached the threshold; Discord bans at 10,000",
            Some(Duration::from_secs(60)),
        );
    }
    ::metrics::gauge!(metrics::BREAKER, "reason" => "invalid_requests").set(0.0);
    let broken_key = format!("{} {}", bot.as_deref().unwrap_or(""), route.key);
    {
        let mut broken = shared.broken.lock().unwrap_or_else(|e| e.into_inner());
        broken.retain(|_, until| *until > started);
        #[allow(clippy::cast_precision_loss)]
        ::metrics::gauge!(metrics::BREAKER, "reason" => "forbidden_route").set(broken.len() as f64);
        if let Some(until) = broken.get(&broken_key) {
            let after = *until - started;
            drop(broken);
            answer(StatusCode::SERVICE_UNAVAILABLE);
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "the proxy stopped forwarding this route for a while: it kept answering 403 while this IP neared Discord's invalid-request ban",
                Some(after),
            );
        }
    }

    // Small bodies are kept for a retry after a 429; large uploads stream through once.
    let length: Option<usize> = header_number(&parts.headers, "content-length");
    let mut kept: Option<hyper::body::Bytes> = None;
    let mut streamed = Some(body);
    if length.is_none_or(|length| length <= RETRY_BODY) {
        let body = streamed.take().unwrap_or_else(Body::empty);
        match http_body_util::Limited::new(body, RETRY_BODY)
            .collect()
            .await
        {
            Ok(collected) => kept = Some(collected.to_bytes()),
            Err(_) => {
                answer(StatusCode::PAYLOAD_TOO_LARGE);
                return refusal(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "a body without a length must stay under 1 MiB",
                    None,
                );
            }
        }
    }

    shared.waiting.fetch_add(1, Ordering::Relaxed);
    #[allow(clippy::cast_precision_loss)]
    ::metrics::gauge!(metrics::WAITING).set(shared.waiting.load(Ordering::Relaxed) as f64);
    let result = loop {
        if let Some(bot) = &bot {
            let admitted = hold(deadline, || {
                shared.limits.take_bucket(bot, &route.key, &route.major)
            })
            .await
                && (route.global_exempt
                    || hold(deadline, || {
                        shared.limits.take_global(bot, shared.config.global_limit)
                    })
                    .await);
            if !admitted {
                break Err(refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the shared rate limit held this request past the proxy's deadline; try again later",
                    Some(Duration::from_secs(1)),
                ));
            }
            if !route.global_exempt {
                ::metrics::counter!(metrics::GLOBAL_PERMITS).increment(1);
            }
        }
        ::metrics::histogram!(metrics::WAIT).record(started.elapsed().as_secs_f64());
        let mut upstream = Request::builder()
            .method(parts.method.clone())
            .uri(upstream_uri.clone());
        for (name, value) in &parts.headers {
            if !hop_by_hop(name) {
                upstream = upstream.header(name, value);
            }
        }
        let body = match (&kept, streamed.take()) {
            (Some(bytes), _) => Body::from(bytes.clone()),
            (None, Some(body)) => body,
            (None, None) => Body::empty(),
        };
        let Ok(upstream) = upstream.body(body) else {
            break Err(refusal(
                StatusCode::BAD_REQUEST,
                "the request cannot be forwarded",
                None,
            ));
        };
        let sent = Instant::now();
        let response = match tokio::time::timeout(
            shared.config.upstream_timeout,
            shared.client.request(upstream),
        )
        .await
        {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => {
                tracing::warn!(route = %route.label, %error, "upstream request failed");
                break Err(refusal(
                    StatusCode::BAD_GATEWAY,
                    "Discord could not be reached",
                    None,
                ));
            }
            Err(_) => {
                break Err(refusal(
                    StatusCode::GATEWAY_TIMEOUT,
                    "Discord did not answer in time",
                    None,
                ));
            }
        };
        ::metrics::histogram!(metrics::UPSTREAM, "route" => route.label.clone())
            .record(sent.elapsed().as_secs_f64());
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(bot) = &bot {
            let learned = learned(&headers);
            if let Err(error) = shared
                .limits
                .learn(bot, &route.key, &route.major, learned.as_ref())
                .await
            {
                tracing::warn!(%error, "cannot record a bucket's state");
            }
        }
        let scope = headers
            .get("x-ratelimit-scope")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("user")
            .to_owned();
        let invalid = status == StatusCode::UNAUTHORIZED
            || status == StatusCode::FORBIDDEN
            || (status == StatusCode::TOO_MANY_REQUESTS && scope != "shared");
        if invalid && let Ok(count) = shared.limits.count_invalid(&shared.config.egress).await {
            shared.invalid.store(count, Ordering::Relaxed);
        }
        if status == StatusCode::UNAUTHORIZED
            && let Some(bot) = &bot
        {
            tracing::error!(
                route = %route.label,
                "Discord answered 401: the bot token is revoked or wrong; the proxy stops forwarding for it"
            );
            ::metrics::gauge!(metrics::BREAKER, "reason" => "token_revoked").set(1.0);
            let _ = shared.limits.revoke(bot, Duration::from_secs(600)).await;
        }
        if status == StatusCode::FORBIDDEN
            && let Some(bot) = &bot
            && let Ok(count) = shared.limits.count_forbidden(bot, &route.key).await
            && count >= FORBIDDEN_LOOP
            && shared.invalid.load(Ordering::Relaxed) >= shared.config.invalid_threshold / 2
        {
            tracing::warn!(
                route = %route.label,
                count,
                "a route keeps answering 403 while the invalid requests near the threshold; refusing it for a minute"
            );
            shared
                .broken
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(broken_key.clone(), Instant::now() + ROUTE_BREAK);
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            ::metrics::counter!(metrics::RATE_LIMITED, "scope" => scope.clone()).increment(1);
            let after = retry_after(&headers);
            if scope == "global"
                && let Some(bot) = &bot
            {
                let _ = shared.limits.block_global(bot, after).await;
            }
            if kept.is_some() && Instant::now() + after <= deadline {
                tracing::info!(route = %route.label, %scope, retry_after_ms = after.as_millis() as u64, "Discord answered 429; sending again after Retry-After");
                tokio::time::sleep(after).await;
                continue;
            }
            break Err(refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "Discord rate-limited this request past the proxy's deadline; try again later",
                Some(after),
            ));
        }
        let (parts, body) = response.into_parts();
        break Ok(Response::from_parts(parts, Body::new(body)));
    };
    shared.waiting.fetch_sub(1, Ordering::Relaxed);
    let response = result.unwrap_or_else(|refused| refused);
    answer(response.status());
    response
}
