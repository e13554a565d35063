//! The panel's routes.

use crate::Shared;
use crate::access::{self, GuildRight, Seen};
use crate::page::{Header, Text, esc, language, layout, url_encode};
use crate::session::{self, LOGIN_SECS, Login, Session};
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use helpline_domain::{
    GuildConfig, GuildId, Id, Ticket, TicketId, TicketState, Timestamp, TranscriptLabels,
    TranscriptMessage, UserId, transcript,
};
use helpline_i18n::{panel as key, ui};
use helpline_store::Page;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

type Shared_ = State<Arc<Shared>>;

/// Tickets per page of a listing.
const PAGE: u32 = 25;
/// Tickets whose transcripts one search request reads at most.
const SEARCH_BUDGET: usize = 200;
/// Tickets one guild-view request reads at most, filters or not.
const SCAN_BUDGET: usize = 2_000;
/// Attachment bytes embedded in a transcript shown in the panel; the rest is shown as not kept.
const VIEWER_ATTACHMENT_BYTES: u64 = 16 << 20;

/// The policy of every page: nothing from elsewhere, no script, framed by no one.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// The policy of a transcript: styles and embedded files only, sandboxed, framed by the panel.
const TRANSCRIPT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; media-src data:; sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login))
        .route("/callback", get(callback))
        .route("/logout", post(logout))
        .route("/tickets", get(my_tickets))
        .route("/tickets/{id}", get(ticket_page))
        .route("/tickets/{id}/transcript", get(transcript_page))
        .route("/guilds", get(guilds))
        .route("/guilds/{guild}", get(guild_view))
        .route(
            "/guilds/{guild}/settings",
            get(crate::settings::page).post(crate::settings::save),
        )
        .route(
            "/guilds/{guild}/access",
            get(crate::grants::page).post(crate::grants::change),
        )
        .route("/guilds/{guild}/stats", get(crate::stats::stats_page))
        .route(
            "/guilds/{guild}/setup",
            get(crate::setup::page).post(crate::setup::submit),
        )
        .route(
            "/guilds/{guild}/panels",
            get(crate::panels::page).post(crate::panels::change),
        )
        .route(
            "/guilds/{guild}/templates",
            get(crate::templates::page).post(crate::templates::save),
        )
        .route(
            "/guilds/{guild}/state",
            get(crate::state::page).post(crate::state::change),
        )
        .route("/assets/panel.css", get(style))
        .route("/healthz", get(|| async { "ok\n" }))
        .fallback(unknown)
        .with_state(shared)
}

/// Who asks, in which language.
pub(crate) struct Viewer {
    pub(crate) session: Option<Session>,
    pub(crate) language: helpline_domain::Language,
    /// The path and query asked, to come back to after signing in.
    pub(crate) path: String,
}

impl FromRequestParts<Arc<Shared>> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        shared: &Arc<Shared>,
    ) -> Result<Self, Self::Rejection> {
        let cookies = parts
            .headers
            .get(header::COOKIE)
            .and_then(|v| v.to_str().ok());
        let mut session: Option<Session> = session::read(
            &shared.sealer,
            cookies,
            session::session_cookie(shared.secure_cookies),
            |s: &Session| s.expires,
        );
        if let Some(opened) = &session
            && !shared.sign_outs.allows(&*shared.store, opened).await
        {
            session = None;
        }
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let language = language(accept, session.as_ref().and_then(|s| s.locale.as_deref()));
        let path = parts
            .uri
            .path_and_query()
            .map_or("/".to_owned(), |p| p.as_str().to_owned());
        Ok(Self {
            session,
            language,
            path,
        })
    }
}

impl Viewer {
    pub(crate) fn text<'a>(&self, shared: &'a Shared) -> Text<'a> {
        Text {
            translator: &shared.translator,
            language: self.language,
        }
    }

    pub(crate) fn header(&self) -> Header<'_> {
        Header {
            user_name: self.session.as_ref().map(|s| s.name.as_str()),
            csrf: self.session.as_ref().map(|s| s.csrf.as_str()),
        }
    }

    pub(crate) fn user(&self) -> Option<UserId> {
        self.session.as_ref().and_then(|s| Id::new_checked(s.user))
    }
}

/// A page with the panel's headers.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers, PAGE_POLICY);
    response
}

fn secure(headers: &mut HeaderMap, policy: &'static str) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

pub(crate) fn redirect(to: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    secure(response.headers_mut(), PAGE_POLICY);
    response
}

/// Signed out (or the session is over): sign in, then come back here.
pub(crate) fn sign_in_first(viewer: &Viewer) -> Response {
    redirect(&format!("/login?next={}", url_encode(&viewer.path)), &[])
}

/// The page for anything that does not exist or that this user may not see: the same for both,
/// so that nothing tells them apart (R11).
pub(crate) fn not_found(shared: &Shared, viewer: &Viewer) -> Response {
    let text = viewer.text(shared);
    let body = format!("<p>{}</p>", esc(&text.get(key::NOT_FOUND)));
    html(
        StatusCode::NOT_FOUND,
        layout(
            text,
            &text.get(key::NOT_FOUND_TITLE),
            &viewer.header(),
            &body,
        ),
    )
}

/// A failure on the panel's side: logged with a reference the page shows, nothing else told.
pub(crate) fn failure(shared: &Shared, viewer: &Viewer, error: &dyn std::fmt::Display) -> Response {
    let reference = shared.sealer.token(6);
    // The path without its query (a sign-in's code, a search).
    let path = viewer.path.split('?').next().unwrap_or_default();
    tracing::error!(%reference, %error, %path, "panel request failed");
    let text = viewer.text(shared);
    let body = format!(
        "<p class=\"error\">{}</p>",
        esc(&text.with(key::FAILED, &[("reference", reference.as_str().into())]))
    );
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        layout(text, &text.get(key::FAILED_TITLE), &viewer.header(), &body),
    )
}

async fn unknown(State(shared): Shared_, viewer: Viewer) -> Response {
    not_found(&shared, &viewer)
}

async fn style() -> Response {
    let mut response = crate::page::STYLE.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn home(State(shared): Shared_, viewer: Viewer) -> Response {
    let text = viewer.text(&shared);
    let body = match &viewer.session {
        Some(_) => format!(
            r#"<p>{intro}</p><ul><li><a href="/tickets">{mine}</a></li><li><a href="/guilds">{servers}</a></li></ul>"#,
            intro = esc(&text.get(key::HOME_INTRO)),
            mine = esc(&text.get(key::MY_TICKETS)),
            servers = esc(&text.get(key::SERVERS)),
        ),
        None => format!(
            r#"<p>{intro}</p><p><a class="button" href="/login">{sign_in}</a></p>"#,
            intro = esc(&text.get(key::HOME_INTRO)),
            sign_in = esc(&text.get(key::SIGN_IN)),
        ),
    };
    html(
        StatusCode::OK,
        layout(text, "Helpline", &viewer.header(), &body),
    )
}

/// `GET /login?next=`: off to Discord, with a fresh `state` and PKCE verifier kept in a sealed
/// cookie of this browser.
async fn login(State(shared): Shared_, Query(query): Query<HashMap<String, String>>) -> Response {
    let next = session::safe_next(query.get("next").map_or("/", String::as_str));
    let login = Login {
        state: shared.sealer.token(24),
        verifier: shared.sealer.token(48),
        next,
        expires: session::now_secs() + LOGIN_SECS,
    };
    let Some(cookie) = session::set(
        &shared.sealer,
        session::login_cookie(shared.secure_cookies),
        &login,
        LOGIN_SECS,
        shared.secure_cookies,
    ) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let location = format!(
        "{}?client_id={}&redirect_uri={}&response_type=code&scope={}&state={}&code_challenge={}&code_challenge_method=S256&prompt=none",
        shared.discord.authorize_url(),
        shared.discord.client_id(),
        url_encode(&redirect_uri(&shared)),
        url_encode("identify guilds"),
        url_encode(&login.state),
        url_encode(&crate::seal::challenge(&login.verifier)),
    );
    redirect(&location, &[cookie])
}

fn redirect_uri(shared: &Shared) -> String {
    format!("{}/callback", shared.public_url)
}

/// `GET /callback?code&state`: back from Discord. The state must be this browser's sign-in's;
/// the code is exchanged with its verifier; the user and their servers are read once and the
/// token dropped.
async fn callback(
    State(shared): Shared_,
    viewer: Viewer,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let text = viewer.text(&shared);
    let refuse = |reason: &str| {
        let body = format!(
            r#"<p class="error">{}</p><p><a class="button" href="/login">{}</a></p>"#,
            esc(reason),
            esc(&text.get(key::SIGN_IN))
        );
        let mut response = html(
            StatusCode::BAD_REQUEST,
            layout(
                text,
                &text.get(key::SIGN_IN_FAILED),
                &viewer.header(),
                &body,
            ),
        );
        if let Ok(value) = HeaderValue::from_str(&session::clear(
            session::login_cookie(shared.secure_cookies),
            shared.secure_cookies,
        )) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        response
    };
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let login: Option<Login> = session::read(
        &shared.sealer,
        cookies,
        session::login_cookie(shared.secure_cookies),
        |l: &Login| l.expires,
    );
    let (Some(login), Some(state)) = (login, query.get("state")) else {
        return refuse(&text.get(key::SIGN_IN_EXPIRED));
    };
    if !crate::seal::same(&login.state, state) {
        return refuse(&text.get(key::SIGN_IN_EXPIRED));
    }
    if query.contains_key("error") {
        return refuse(&text.get(key::SIGN_IN_DENIED));
    }
    let Some(code) = query.get("code") else {
        return refuse(&text.get(key::SIGN_IN_EXPIRED));
    };
    let signed_in = async {
        let token = shared
            .discord
            .exchange(code, &login.verifier, &redirect_uri(&shared))
            .await?;
        let user = shared.discord.user(&token).await?;
        let guilds = shared.discord.user_guilds(&token).await?;
        Ok::<_, crate::discord::DiscordError>((user, guilds))
    };
    let (user, guilds) = match signed_in.await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "a sign-in failed");
            return refuse(&text.get(key::SIGN_IN_EXPIRED));
        }
    };
    // The servers where Helpline is set up, and those the user may set it up on, for the
    // navigation (at most 50: a cookie is small).
    let mut helped = Vec::new();
    for guild in guilds {
        if helped.len() >= 50 {
            break;
        }
        let Some(id) = GuildId::new_checked(guild.id) else {
            continue;
        };
        match shared.store.guild_config(id).await {
            Ok(Some(_)) => helped.push((guild.id, guild.name)),
            Ok(None) if guild.may_manage() => helped.push((guild.id, guild.name)),
            Ok(None) => {}
            Err(error) => return failure(&shared, &viewer, &error),
        }
    }
    let session = Session {
        user: user.id,
        name: user.global_name.unwrap_or(user.username),
        locale: user.locale,
        csrf: shared.sealer.token(24),
        expires: session::now_secs() + i64::try_from(shared.session_ttl.as_secs()).unwrap_or(0),
        issued: session::now_millis(),
        guilds: helped,
    };
    let max_age = i64::try_from(shared.session_ttl.as_secs()).unwrap_or(0);
    let Some(cookie) = session::set(
        &shared.sealer,
        session::session_cookie(shared.secure_cookies),
        &session,
        max_age,
        shared.secure_cookies,
    ) else {
        return failure(&shared, &viewer, &"the session could not be sealed");
    };
    tracing::info!(user = session.user, "signed in to the panel");
    redirect(
        &login.next,
        &[
            cookie,
            session::clear(
                session::login_cookie(shared.secure_cookies),
                shared.secure_cookies,
            ),
        ],
    )
}

/// A form's fields.
#[derive(serde::Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// Whether a form was sent by this session's own page.
pub(crate) fn csrf_ok(viewer: &Viewer, headers: &HeaderMap, shared: &Shared, token: &str) -> bool {
    let origin_ok = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|origin| origin == shared.public_url);
    origin_ok
        && viewer
            .session
            .as_ref()
            .is_some_and(|s| crate::seal::same(&s.csrf, token))
}

pub(crate) fn csrf_refused(shared: &Shared, viewer: &Viewer) -> Response {
    let text = viewer.text(shared);
    let body = format!(
        "<p class=\"error\">{}</p>",
        esc(&text.get(key::FORM_EXPIRED))
    );
    html(
        StatusCode::FORBIDDEN,
        layout(
            text,
            &text.get(key::FORM_EXPIRED_TITLE),
            &viewer.header(),
            &body,
        ),
    )
}

async fn logout(
    State(shared): Shared_,
    viewer: Viewer,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if !csrf_ok(&viewer, &headers, &shared, &form.csrf) {
        return csrf_refused(&shared, &viewer);
    }
    // The session ends everywhere, a copy of the cookie included, not only in this browser.
    if let Some(user) = viewer.user() {
        let now = session::now_millis();
        match shared
            .store
            .end_panel_sessions(user, Timestamp::from_millis(now))
            .await
        {
            Ok(()) => shared.sign_outs.remember(user.get(), Some(now)),
            Err(error) => return failure(&shared, &viewer, &error),
        }
    }
    redirect(
        "/",
        &[session::clear(
            session::session_cookie(shared.secure_cookies),
            shared.secure_cookies,
        )],
    )
}

/// The guild's configuration, read once per request.
struct Configs<'a> {
    shared: &'a Shared,
    read: HashMap<GuildId, Option<GuildConfig>>,
}

impl<'a> Configs<'a> {
    fn new(shared: &'a Shared) -> Self {
        Self {
            shared,
            read: HashMap::new(),
        }
    }

    async fn get(&mut self, guild: GuildId) -> Result<Option<&GuildConfig>, helpline_store::Error> {
        if !self.read.contains_key(&guild) {
            let config = self.shared.store.guild_config(guild).await?;
            self.read.insert(guild, config);
        }
        Ok(self.read.get(&guild).and_then(Option::as_ref))
    }
}

fn state_name(text: Text<'_>, state: TicketState) -> String {
    text.get(&format!("state-{}", state.name()))
}

fn number(ticket: &Ticket) -> String {
    format!("#{:04}", ticket.number)
}

/// `GET /tickets`: every ticket the user opened, on every server, newest first.
async fn my_tickets(
    State(shared): Shared_,
    viewer: Viewer,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (Some(session), Some(user)) = (&viewer.session, viewer.user()) else {
        return sign_in_first(&viewer);
    };
    let text = viewer.text(&shared);
    let before = query
        .get("before")
        .and_then(|b| b.parse().ok())
        .map(TicketId);
    // The tickets they opened and those they took part in, merged newest first.
    let page = Page {
        limit: PAGE,
        before,
    };
    let (opened, joined) = match tokio::try_join!(
        shared.store.tickets_by_member(user, page),
        shared.store.tickets_of_participant(user, page)
    ) {
        Ok(found) => found,
        Err(error) => return failure(&shared, &viewer, &error),
    };
    let mut tickets: Vec<Ticket> = opened.into_iter().chain(joined).collect();
    tickets.sort_by_key(|t| std::cmp::Reverse(t.id.0));
    tickets.dedup_by_key(|t| t.id);
    tickets.truncate(PAGE as usize);
    let names: HashMap<u64, &str> = session
        .guilds
        .iter()
        .map(|(id, name)| (*id, name.as_str()))
        .collect();
    let mut configs = Configs::new(&shared);
    let mut rows = String::new();
    for ticket in &tickets {
        let topic = match configs.get(ticket.guild_id).await {
            Ok(config) => config
                .and_then(|c| ticket.topic_id.and_then(|t| c.topic(t)))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            Err(error) => return failure(&shared, &viewer, &error),
        };
        let server = names
            .get(&ticket.guild_id.get())
            .map_or_else(|| ticket.guild_id.to_string(), |n| (*n).to_owned());
        rows.push_str(&format!(
            r#"<tr><td><a href="/tickets/{id}">{number}</a></td><td>{server}</td><td>{state}</td><td>{topic}</td><td>{opened}</td><td>{closed}</td></tr>"#,
            id = ticket.id.0,
            number = esc(&number(ticket)),
            server = esc(&server),
            state = esc(&state_name(text, ticket.state)),
            topic = esc(&topic),
            opened = esc(&text.time(ticket.created_at)),
            closed = ticket.closed_at.map(|at| esc(&text.time(at))).unwrap_or_default(),
        ));
    }
    let body = if tickets.is_empty() && before.is_none() {
        format!("<p>{}</p>", esc(&text.get(key::NO_TICKETS)))
    } else {
        let older = match tickets.last() {
            Some(last) if tickets.len() == PAGE as usize => format!(
                r#"<p><a href="/tickets?before={}">{}</a></p>"#,
                last.id.0,
                esc(&text.get(key::OLDER))
            ),
            _ => String::new(),
        };
        format!(
            r#"<div class="table"><table><thead><tr><th scope="col">{n}</th><th scope="col">{s}</th><th scope="col">{st}</th><th scope="col">{t}</th><th scope="col">{o}</th><th scope="col">{c}</th></tr></thead><tbody>{rows}</tbody></table></div>{older}"#,
            n = esc(&text.get(key::COLUMN_NUMBER)),
            s = esc(&text.get(key::COLUMN_SERVER)),
            st = esc(&text.get(key::COLUMN_STATE)),
            t = esc(&text.get(key::COLUMN_TOPIC)),
            o = esc(&text.get(key::COLUMN_OPENED)),
            c = esc(&text.get(key::COLUMN_CLOSED)),
        )
    };
    html(
        StatusCode::OK,
        layout(text, &text.get(key::MY_TICKETS), &viewer.header(), &body),
    )
}

/// A ticket the user may read, with what decided it.
struct Readable {
    ticket: Ticket,
    messages: Vec<TranscriptMessage>,
    /// Staff, admins and panel access read staff notes; the opener's copy leaves them out.
    staff_view: bool,
    guild_name: Option<String>,
    config: Option<GuildConfig>,
}

/// The ticket if the signed-in user may read it; `None` otherwise (shown as not found).
async fn readable(
    shared: &Shared,
    user: UserId,
    id: &str,
) -> Result<Option<Readable>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(id) = id.parse::<u64>().ok().map(TicketId) else {
        return Ok(None);
    };
    let Some(ticket) = shared.store.ticket(id).await? else {
        return Ok(None);
    };
    let config = shared.store.guild_config(ticket.guild_id).await?;
    let messages = shared.store.transcript(ticket.id).await?;
    let wrote = messages.iter().any(|m| m.author_id == user);
    let own = ticket.opener == user || ticket.added_members.contains(&user) || wrote;
    let seen = match shared
        .access
        .seen(&shared.discord, ticket.guild_id, user)
        .await
    {
        Ok(seen) => seen,
        // Their own ticket needs nothing of Discord: shown as to its opener.
        Err(error) if own => {
            tracing::warn!(%error, "showing a ticket to its own member without asking Discord");
            return Ok(Some(Readable {
                ticket,
                messages,
                staff_view: false,
                guild_name: None,
                config,
            }));
        }
        // Someone else's ticket: not found, as when it does not exist (R11).
        Err(error) => {
            tracing::warn!(%error, "cannot ask Discord who may read a ticket");
            return Ok(None);
        }
    };
    let right =
        access::guild_right(&*shared.store, &seen, config.as_ref(), ticket.guild_id).await?;
    if !access::may_read(user, &ticket, wrote, right, &seen, config.as_ref()) {
        return Ok(None);
    }
    // Staff notes are for staff: admins and grants, or a staff role of the ticket's topic —
    // not for members added to the ticket.
    let staff_view = right == GuildRight::Manage
        || matches!((&seen.member, config.as_ref()), (Some(member), Some(config))
            if helpline_domain::auth::standing(member, config, ticket.topic_id)
                >= helpline_domain::auth::Standing::Staff);
    Ok(Some(Readable {
        ticket,
        messages,
        staff_view,
        guild_name: seen.guild_name.clone(),
        config,
    }))
}

/// `GET /tickets/{id}`: a ticket's facts, its history and its transcript.
async fn ticket_page(State(shared): Shared_, viewer: Viewer, Path(id): Path<String>) -> Response {
    let found = match readable_page(&shared, &viewer, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let text = viewer.text(&shared);
    let ticket = &found.ticket;
    let server = found
        .guild_name
        .clone()
        .unwrap_or_else(|| ticket.guild_id.to_string());
    let title = text.with(
        key::TICKET_TITLE,
        &[
            ("number", number(ticket).into()),
            ("server", server.as_str().into()),
        ],
    );
    let mut facts: Vec<(String, String)> = vec![
        (text.get(key::COLUMN_STATE), state_name(text, ticket.state)),
        (
            text.get(ui::TRANSCRIPT_FIELD_OPENER),
            ticket.opener_name.clone(),
        ),
    ];
    if let Some(topic) = found
        .config
        .as_ref()
        .and_then(|c| ticket.topic_id.and_then(|t| c.topic(t)))
    {
        facts.push((text.get(ui::TRANSCRIPT_FIELD_TOPIC), topic.name.clone()));
    }
    if let Some(reason) = &ticket.open_reason {
        facts.push((text.get(ui::TRANSCRIPT_FIELD_OPEN_REASON), reason.clone()));
    }
    let mut history: Vec<(Timestamp, String)> =
        vec![(ticket.created_at, text.get(key::EVENT_CREATED))];
    for (at, event) in [
        (ticket.opened_at, key::EVENT_OPENED),
        (ticket.claimed_at, key::EVENT_CLAIMED),
        (ticket.closed_at, key::EVENT_CLOSED),
        (ticket.reopened_at, key::EVENT_REOPENED),
        (ticket.deleted_at, key::EVENT_DELETED),
    ] {
        if let Some(at) = at {
            history.push((at, text.get(event)));
        }
    }
    history.sort_by_key(|(at, _)| *at);
    let facts: String = facts
        .iter()
        .map(|(label, value)| format!("<dt>{}</dt><dd>{}</dd>", esc(label), esc(value)))
        .collect();
    let history: String = history
        .iter()
        .map(|(at, event)| {
            format!(
                "<li><time>{}</time> — {}</li>",
                esc(&text.time(*at)),
                esc(event)
            )
        })
        .collect();
    let body = format!(
        r#"<dl class="facts">{facts}</dl>
<h2>{history_title}</h2><ol>{history}</ol>
<h2>{transcript_title}</h2>
<iframe class="transcript" sandbox="" src="/tickets/{id}/transcript" title="{transcript_title}"></iframe>"#,
        history_title = esc(&text.get(key::HISTORY)),
        transcript_title = esc(&text.get(key::TRANSCRIPT)),
        id = ticket.id.0,
    );
    html(
        StatusCode::OK,
        layout(text, &title, &viewer.header(), &body),
    )
}

/// `GET /tickets/{id}/transcript`: the transcript page, under a policy that runs no script.
async fn transcript_page(
    State(shared): Shared_,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Response {
    let found = match readable_page(&shared, &viewer, &id).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let text = viewer.text(&shared);
    let mut messages = found.messages;
    if !found.staff_view {
        messages.retain(|m| !m.staff_note);
    }
    // Kept files up to the viewer's budget, oldest first.
    let mut bytes: BTreeMap<u64, Vec<u8>> = BTreeMap::new();
    let mut budget = VIEWER_ATTACHMENT_BYTES;
    let sizes = match shared.store.attachment_sizes(found.ticket.id).await {
        Ok(sizes) => sizes,
        Err(error) => return failure(&shared, &viewer, &error),
    };
    for (attachment, size) in sizes {
        if size > budget {
            continue;
        }
        match shared.store.attachment(found.ticket.id, attachment).await {
            Ok(Some(data)) => {
                budget -= size;
                bytes.insert(attachment, data);
            }
            Ok(None) => {}
            Err(error) => return failure(&shared, &viewer, &error),
        }
    }
    let server = found
        .guild_name
        .clone()
        .unwrap_or_else(|| found.ticket.guild_id.to_string());
    let labels = labels(text, &found.ticket, &server, &messages);
    let page = transcript::render_html(&labels, &messages, &|id| bytes.get(&id).cloned());
    let mut response = (StatusCode::OK, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(headers, TRANSCRIPT_POLICY);
    response
}

/// A transcript's labels in the reader's language.
fn labels(
    text: Text<'_>,
    ticket: &Ticket,
    server: &str,
    messages: &[TranscriptMessage],
) -> TranscriptLabels {
    let mut details = vec![
        (text.get(ui::TRANSCRIPT_FIELD_SERVER), server.to_owned()),
        (text.get(ui::TRANSCRIPT_FIELD_NUMBER), number(ticket)),
        (
            text.get(ui::TRANSCRIPT_FIELD_OPENER),
            ticket.opener_name.clone(),
        ),
        (
            text.get(ui::TRANSCRIPT_FIELD_OPENED),
            text.time(ticket.opened_at.unwrap_or(ticket.created_at)),
        ),
    ];
    if let Some(closed) = ticket.closed_at {
        details.push((text.get(ui::TRANSCRIPT_FIELD_CLOSED), text.time(closed)));
    }
    let mut names = transcript::MentionNames {
        unknown: text.get(ui::TRANSCRIPT_UNKNOWN),
        ..transcript::MentionNames::default()
    };
    let mut authors: Vec<&str> = Vec::new();
    for message in messages {
        names
            .users
            .entry(message.author_id.get())
            .or_insert_with(|| message.author_name.clone());
        if !message.author_is_bot && !authors.contains(&message.author_name.as_str()) {
            authors.push(&message.author_name);
        }
    }
    if !authors.is_empty() {
        details.push((
            text.get(ui::TRANSCRIPT_FIELD_PARTICIPANTS),
            authors.join(", "),
        ));
    }
    TranscriptLabels {
        title: text.with(
            ui::TRANSCRIPT_TITLE,
            &[("number", number(ticket).into()), ("guild", server.into())],
        ),
        summary: String::new(),
        edited: text.get(ui::TRANSCRIPT_EDITED),
        deleted: text.get(ui::TRANSCRIPT_DELETED),
        previous_versions: text.get(ui::TRANSCRIPT_PREVIOUS),
        attachment_not_kept: text.get(ui::TRANSCRIPT_NOT_KEPT),
        no_messages: text.get(ui::TRANSCRIPT_EMPTY),
        staff_note: text.get(ui::TRANSCRIPT_STAFF_NOTE),
        details,
        names,
    }
}

/// The guild and the user's right there, or `None` when it is not theirs to see (not found).
pub(crate) async fn manageable(
    shared: &Shared,
    user: UserId,
    guild: &str,
) -> Result<Option<(GuildId, Seen, GuildConfig)>, Box<dyn std::error::Error + Send + Sync>> {
    let Some(guild) = guild.parse::<u64>().ok().and_then(GuildId::new_checked) else {
        return Ok(None);
    };
    let Some(config) = shared.store.guild_config(guild).await? else {
        return Ok(None);
    };
    let seen = shared.access.seen(&shared.discord, guild, user).await?;
    let right = access::guild_right(&*shared.store, &seen, Some(&config), guild).await?;
    Ok((right == GuildRight::Manage).then_some((guild, seen, config)))
}

/// A guild the user manages as [`manageable`] says, whether it is set up or not (for the setup
/// page): `None` when they do not, or the bot is not in it.
pub(crate) async fn manageable_unset(
    shared: &Shared,
    user: UserId,
    guild: &str,
) -> Result<Option<(GuildId, Seen, Option<GuildConfig>)>, Box<dyn std::error::Error + Send + Sync>>
{
    let Some(guild) = guild.parse::<u64>().ok().and_then(GuildId::new_checked) else {
        return Ok(None);
    };
    let config = shared.store.guild_config(guild).await?;
    let seen = shared.access.seen(&shared.discord, guild, user).await?;
    if seen.guild_name.is_none() {
        return Ok(None);
    }
    let right = access::guild_right(&*shared.store, &seen, config.as_ref(), guild).await?;
    Ok((right == GuildRight::Manage).then_some((guild, seen, config)))
}

/// [`manageable`] for a page: the guild, or the page to answer instead (not found, a failure).
async fn managed(
    shared: &Shared,
    viewer: &Viewer,
    user: UserId,
    guild: &str,
) -> Result<(GuildId, Seen, GuildConfig), Response> {
    match manageable(shared, user, guild).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(not_found(shared, viewer)),
        Err(error) => Err(failure(shared, viewer, &error)),
    }
}

/// A guild page asked for: the signed-in user and the guild as [`managed`] finds it; or the
/// page to answer instead (sign in, not found, a failure).
pub(crate) async fn managed_page(
    shared: &Shared,
    viewer: &Viewer,
    guild: &str,
) -> Result<(UserId, GuildId, Seen, GuildConfig), Response> {
    let Some(user) = viewer.user() else {
        return Err(sign_in_first(viewer));
    };
    let (guild, seen, config) = managed(shared, viewer, user, guild).await?;
    Ok((user, guild, seen, config))
}

/// A guild page's form sent back: the signed-in user, the form's token checked, and the guild
/// as [`managed`] finds it; or the page to answer instead (sign in, refused, not found).
pub(crate) async fn managed_form(
    shared: &Shared,
    viewer: &Viewer,
    headers: &HeaderMap,
    guild: &str,
    token: &str,
) -> Result<(UserId, GuildId, Seen, GuildConfig), Response> {
    let Some(user) = viewer.user() else {
        return Err(sign_in_first(viewer));
    };
    if !csrf_ok(viewer, headers, shared, token) {
        return Err(csrf_refused(shared, viewer));
    }
    let (guild, seen, config) = managed(shared, viewer, user, guild).await?;
    Ok((user, guild, seen, config))
}

/// A ticket the signed-in user may read, or the page to answer instead.
async fn readable_page(shared: &Shared, viewer: &Viewer, id: &str) -> Result<Readable, Response> {
    let Some(user) = viewer.user() else {
        return Err(sign_in_first(viewer));
    };
    match readable(shared, user, id).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(not_found(shared, viewer)),
        Err(error) => Err(failure(shared, viewer, &error)),
    }
}

/// A link to one of a guild's pages (`/guilds/{guild}/{page}`), labelled by the text `key`.
pub(crate) fn guild_link(text: Text<'_>, guild: GuildId, page: &str, label: &str) -> String {
    format!(
        r#"<p><a href="/guilds/{guild}/{page}">{}</a></p>"#,
        esc(&text.get(label))
    )
}

/// `GET /guilds`: the servers the user manages where Helpline is set up.
async fn guilds(State(shared): Shared_, viewer: Viewer) -> Response {
    let (Some(session), Some(user)) = (&viewer.session, viewer.user()) else {
        return sign_in_first(&viewer);
    };
    let text = viewer.text(&shared);
    let mut items = String::new();
    for (id, name) in &session.guilds {
        match manageable_unset(&shared, user, &id.to_string()).await {
            Ok(Some((_, _, Some(_)))) => items.push_str(&format!(
                r#"<li><a href="/guilds/{id}">{}</a></li>"#,
                esc(name)
            )),
            // Not set up: its admins may set it up here.
            Ok(Some((_, seen, None))) if crate::grants::may_grant(&seen) => {
                items.push_str(&format!(
                    r#"<li><a href="/guilds/{id}/setup">{}</a> <span class="muted">{}</span></li>"#,
                    esc(name),
                    esc(&text.get(key::SETUP_NOT_SET_UP))
                ));
            }
            Ok(_) => {}
            Err(error) => return failure(&shared, &viewer, &error),
        }
    }
    let body = if items.is_empty() {
        format!("<p>{}</p>", esc(&text.get(key::NO_SERVERS)))
    } else {
        format!("<ul>{items}</ul>")
    };
    html(
        StatusCode::OK,
        layout(text, &text.get(key::SERVERS), &viewer.header(), &body),
    )
}

/// The guild view's filters, as given in the query.
#[derive(Debug, Default)]
struct Filters {
    state: Option<TicketState>,
    topic: Option<u32>,
    opener: Option<UserId>,
    staff: Option<UserId>,
    from: Option<Timestamp>,
    to: Option<Timestamp>,
    search: String,
    before: Option<u32>,
}

/// A `YYYY-MM-DD` date as the start of that day (UTC).
fn parse_date(text: &str) -> Option<Timestamp> {
    let mut parts = text.split('-');
    let (year, month, day): (i64, i64, i64) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(Timestamp::from_millis(days * 86_400_000))
}

impl Filters {
    fn from_query(query: &HashMap<String, String>) -> Self {
        let get = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        Self {
            state: get("state").and_then(|s| {
                TicketState::ALL
                    .iter()
                    .copied()
                    .find(|state| state.name() == s)
            }),
            topic: get("topic").and_then(|t| t.parse().ok()),
            opener: get("opener")
                .and_then(|u| u.parse().ok())
                .and_then(UserId::new_checked),
            staff: get("staff")
                .and_then(|u| u.parse().ok())
                .and_then(UserId::new_checked),
            from: get("from").and_then(parse_date),
            to: get("to").and_then(parse_date),
            search: get("q").unwrap_or_default().to_lowercase(),
            before: get("before").and_then(|b| b.parse().ok()),
        }
    }

    fn keeps(&self, ticket: &Ticket) -> bool {
        self.topic
            .is_none_or(|t| ticket.topic_id.is_some_and(|id| id.0 == t))
            && self.opener.is_none_or(|u| ticket.opener == u)
            && self
                .staff
                .is_none_or(|u| ticket.claimer == Some(u) || ticket.closed_by == Some(u))
            && self.from.is_none_or(|from| ticket.created_at >= from)
            && self
                .to
                .is_none_or(|to| ticket.created_at.as_millis() < to.as_millis() + 86_400_000)
    }

    /// The query string of these filters with another cursor.
    fn query(&self, query: &HashMap<String, String>, before: u32) -> String {
        let mut pairs: Vec<(&String, &String)> =
            query.iter().filter(|(k, _)| *k != "before").collect();
        pairs.sort();
        let mut text: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
            .collect();
        text.push(format!("before={before}"));
        text.join("&")
    }
}

/// `GET /guilds/{guild}`: the server's tickets, filtered, searched and paged.
async fn guild_view(
    State(shared): Shared_,
    viewer: Viewer,
    Path(guild): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (_, guild, seen, config) = match managed_page(&shared, &viewer, &guild).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let config = Some(config);
    let text = viewer.text(&shared);
    let filters = Filters::from_query(&query);
    let states: Vec<TicketState> = filters.state.into_iter().collect();
    let mut found: Vec<Ticket> = Vec::new();
    let mut cursor = filters.before;
    let mut searched = 0;
    let mut scanned = 0;
    // Whether every ticket past the cursor was looked at (no next page).
    let mut exhausted = false;
    'pages: loop {
        let batch = match shared
            .store
            .tickets_by_guild(
                guild,
                &states,
                Page {
                    limit: 100,
                    before: cursor,
                },
            )
            .await
        {
            Ok(batch) => batch,
            Err(error) => return failure(&shared, &viewer, &error),
        };
        let full = batch.len() == 100;
        for ticket in batch {
            // A page stops at its size, its transcript budget, or the tickets one request may
            // read: the next page goes on from there.
            if found.len() >= PAGE as usize || searched >= SEARCH_BUDGET || scanned >= SCAN_BUDGET {
                break 'pages;
            }
            scanned += 1;
            cursor = Some(ticket.number);
            if !filters.keeps(&ticket) {
                continue;
            }
            if !filters.search.is_empty() {
                searched += 1;
                let messages = match shared.store.transcript(ticket.id).await {
                    Ok(messages) => messages,
                    Err(error) => return failure(&shared, &viewer, &error),
                };
                let hit = ticket.opener_name.to_lowercase().contains(&filters.search)
                    || messages
                        .iter()
                        .any(|m| m.content.to_lowercase().contains(&filters.search));
                if !hit {
                    continue;
                }
            }
            found.push(ticket);
        }
        if !full {
            exhausted = true;
            break;
        }
    }
    let server = seen.guild_name.clone().unwrap_or_else(|| guild.to_string());
    let title = text.with(key::GUILD_TITLE, &[("server", server.as_str().into())]);
    let value = |name: &str| query.get(name).map_or(String::new(), |v| esc(v));
    // A filter's choices, "any" first, the one asked selected.
    let options = |name: &str, choices: Vec<(String, String)>| -> String {
        std::iter::once((String::new(), text.get(key::FILTER_ANY)))
            .chain(choices)
            .map(|(v, label)| {
                let selected = if query.get(name).map(String::as_str) == Some(v.as_str()) {
                    " selected"
                } else {
                    ""
                };
                format!(
                    r#"<option value="{}"{selected}>{}</option>"#,
                    esc(&v),
                    esc(&label)
                )
            })
            .collect()
    };
    let state_options = options(
        "state",
        TicketState::ALL
            .iter()
            .map(|s| (s.name().to_owned(), state_name(text, *s)))
            .collect(),
    );
    let topic_options = options(
        "topic",
        config
            .iter()
            .flat_map(|c| c.topics.iter())
            .map(|t| (t.id.0.to_string(), t.name.clone()))
            .collect(),
    );
    let form = format!(
        r#"<form class="filters" method="get" action="/guilds/{guild}" role="search">
<label>{state_label}<select name="state">{state_options}</select></label>
<label>{topic_label}<select name="topic">{topic_options}</select></label>
<label>{opener_label}<input name="opener" inputmode="numeric" value="{opener}"></label>
<label>{staff_label}<input name="staff" inputmode="numeric" value="{staff}"></label>
<label>{from_label}<input type="date" name="from" value="{from}"></label>
<label>{to_label}<input type="date" name="to" value="{to}"></label>
<label>{search_label}<input type="search" name="q" value="{q}"></label>
<button type="submit">{apply}</button></form>"#,
        state_label = esc(&text.get(key::COLUMN_STATE)),
        topic_label = esc(&text.get(key::COLUMN_TOPIC)),
        opener_label = esc(&text.get(key::FILTER_OPENER)),
        staff_label = esc(&text.get(key::FILTER_STAFF)),
        from_label = esc(&text.get(key::FILTER_FROM)),
        to_label = esc(&text.get(key::FILTER_TO)),
        search_label = esc(&text.get(key::FILTER_SEARCH)),
        apply = esc(&text.get(key::FILTER_APPLY)),
        opener = value("opener"),
        staff = value("staff"),
        from = value("from"),
        to = value("to"),
        q = value("q"),
    );
    let topic_of = |ticket: &Ticket| {
        config
            .as_ref()
            .and_then(|c| ticket.topic_id.and_then(|t| c.topic(t)))
            .map(|t| t.name.clone())
            .unwrap_or_default()
    };
    let rows: String = found
        .iter()
        .map(|ticket| {
            format!(
                r#"<tr><td><a href="/tickets/{id}">{number}</a></td><td>{state}</td><td>{topic}</td><td>{opener}</td><td>{opened}</td><td>{closed}</td></tr>"#,
                id = ticket.id.0,
                number = esc(&number(ticket)),
                state = esc(&state_name(text, ticket.state)),
                topic = esc(&topic_of(ticket)),
                opener = esc(&ticket.opener_name),
                opened = esc(&text.time(ticket.created_at)),
                closed = ticket.closed_at.map(|at| esc(&text.time(at))).unwrap_or_default(),
            )
        })
        .collect();
    let more = match cursor {
        Some(cursor) if !exhausted && cursor > 1 => format!(
            r#"<p><a href="/guilds/{guild}?{}">{}</a></p>"#,
            esc(&filters.query(&query, cursor)),
            esc(&text.get(key::OLDER))
        ),
        _ => String::new(),
    };
    let table = if found.is_empty() {
        format!("<p>{}</p>", esc(&text.get(key::NO_TICKETS)))
    } else {
        format!(
            r#"<div class="table"><table><thead><tr><th scope="col">{n}</th><th scope="col">{st}</th><th scope="col">{t}</th><th scope="col">{op}</th><th scope="col">{o}</th><th scope="col">{c}</th></tr></thead><tbody>{rows}</tbody></table></div>"#,
            n = esc(&text.get(key::COLUMN_NUMBER)),
            st = esc(&text.get(key::COLUMN_STATE)),
            t = esc(&text.get(key::COLUMN_TOPIC)),
            op = esc(&text.get(key::COLUMN_OPENER)),
            o = esc(&text.get(key::COLUMN_OPENED)),
            c = esc(&text.get(key::COLUMN_CLOSED)),
        )
    };
    let form = format!(
        "{}{}{form}",
        crate::settings::link(text, guild),
        crate::panels::link(text, guild)
    );
    let body = format!("{}{form}{table}{more}", crate::stats::link(text, guild));
    html(
        StatusCode::OK,
        layout(text, &title, &viewer.header(), &body),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_days_since_the_epoch() {
        assert_eq!(parse_date("1970-01-01"), Some(Timestamp::from_millis(0)));
        assert_eq!(
            parse_date("2026-12-07"),
            Some(Timestamp::from_secs(1_796_601_600))
        );
        for bad in ["2026-13-01", "2026-1", "x", "2026-01-01-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
