//! The panel over real sockets, signed in through the Discord emulator's OAuth2, reading a
//! store the way the bot fills it: who sees which tickets, transcripts and servers, and what a
//! forged sign-in or form gets.

mod browser;
mod discord_work;

use discord_emulator::{Emulator, EmulatorConfig};
use helpline_domain::lifecycle::{OpenRequest, prepare_open};
use helpline_domain::permissions::Permissions;
use helpline_domain::{
    CloseReason, GuildConfig, Id, Language, Member, Panel as TicketPanel, Ticket, TicketId,
    TicketState, Timestamp, TranscriptMessage,
};
use helpline_i18n::Translator;
use helpline_panel::{PanelConfig, serve};
use helpline_store::{OpenOutcome, SqliteStore, Store, StoreLimits};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use twilight_model::id::Id as TwilightId;
use twilight_model::id::marker::{GuildMarker, RoleMarker, UserMarker};

/// A browser: a cookie jar for the panel, redirects followed by hand.
struct Browser {
    client: Client<HttpConnector, Full<Bytes>>,
    panel: String,
    cookies: HashMap<String, String>,
    language: &'static str,
    /// The `Origin` header sent with every request, if any (browsers send one with a POST).
    origin: Option<String>,
}

/// An answer.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: hyper::HeaderMap,
    body: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

impl Browser {
    fn new(panel: &str) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            panel: panel.to_owned(),
            cookies: HashMap::new(),
            language: "en-US,en;q=0.8",
            origin: None,
        }
    }

    async fn send(&mut self, method: &str, url: &str, form: Option<&[(&str, &str)]>) -> Answer {
        let url = if url.starts_with('/') {
            format!("{}{url}", self.panel)
        } else {
            url.to_owned()
        };
        let to_panel = url.starts_with(&self.panel);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(&url)
            .header("accept-language", self.language);
        if let Some(origin) = &self.origin {
            request = request.header("origin", origin);
        }
        if to_panel && !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect();
            request = request.header("cookie", jar.join("; "));
        }
        let body = match form {
            Some(fields) => {
                request = request.header("content-type", "application/x-www-form-urlencoded");
                let text: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                    .collect();
                Full::new(Bytes::from(text.join("&")))
            }
            None => Full::new(Bytes::new()),
        };
        let response = self
            .client
            .request(request.body(body).unwrap())
            .await
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        if to_panel {
            for cookie in headers.get_all("set-cookie") {
                let cookie = cookie.to_str().unwrap();
                let (pair, attributes) = cookie.split_once(';').unwrap_or((cookie, ""));
                let (name, value) = pair.split_once('=').unwrap();
                assert!(attributes.contains("HttpOnly"), "{cookie}");
                assert!(attributes.contains("SameSite=Lax"), "{cookie}");
                if attributes.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    async fn get(&mut self, url: &str) -> Answer {
        self.send("GET", url, None).await
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> Answer {
        self.send("POST", url, Some(form)).await
    }

    /// Signs in as `user` through Discord's consent page, starting from `path`; returns the
    /// page the panel sends them back to.
    async fn sign_in(&mut self, world: &World, user: TwilightId<UserMarker>, path: &str) -> Answer {
        let first = self.get(path).await;
        assert_eq!(first.status, 303, "{first:?}");
        assert!(first.location().starts_with("/login?next="), "{first:?}");
        let login = self.get(first.location()).await;
        assert_eq!(login.status, 303, "{login:?}");
        let authorize = login.location().to_owned();
        assert!(
            authorize.starts_with(&format!("{}/oauth2/authorize?", world.emulator.base_url())),
            "{authorize}"
        );
        assert!(
            authorize.contains("code_challenge_method=S256"),
            "{authorize}"
        );
        let consent = self.get(&authorize).await;
        assert_eq!(consent.status, 200, "{consent:?}");
        let mut fields = hidden_fields(&consent.body);
        let id = user.to_string();
        fields.push(("user_id".into(), id));
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let consented = self
            .post(
                &format!("{}/oauth2/authorize", world.emulator.base_url()),
                &fields,
            )
            .await;
        assert!(matches!(consented.status, 302 | 303), "{consented:?}");
        let back = consented.location().to_owned();
        assert!(
            back.starts_with(&format!("{}/callback?", self.panel)),
            "{back}"
        );
        let signed_in = self.get(&back).await;
        assert_eq!(signed_in.status, 303, "{signed_in:?}");
        assert!(self.cookies.contains_key("__Host-helpline_session"));
        assert!(
            !self.cookies.contains_key("__Host-helpline_login"),
            "the sign-in cookie is spent"
        );
        let next = signed_in.location().to_owned();
        self.get(&next).await
    }

    fn csrf(page: &str) -> String {
        hidden_fields(page)
            .into_iter()
            .find(|(name, _)| name == "csrf")
            .map(|(_, value)| value)
            .expect("a form with the session's token")
    }
}

/// `<input type="hidden" name=".." value="..">` fields of a page.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for piece in html.split("<input").skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        if !tag.contains(r#"type="hidden""#) {
            continue;
        }
        let attribute = |name: &str| {
            tag.split(&format!(r#"{name}=""#))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .map(unescape)
        };
        if let (Some(name), Some(value)) = (attribute("name"), attribute("value")) {
            fields.push((name, value));
        }
    }
    fields
}

/// Two servers, their people, tickets in the store, and the panel.
struct World {
    emulator: Emulator,
    store: Arc<dyn Store>,
    panel: helpline_panel::Panel,
    url: String,
    alpha: TwilightId<GuildMarker>,
    beta: TwilightId<GuildMarker>,
    support: TwilightId<RoleMarker>,
    mia: TwilightId<UserMarker>,
    sam: TwilightId<UserMarker>,
    ada: TwilightId<UserMarker>,
    leo: TwilightId<UserMarker>,
    /// Mia's tickets on Alpha and Beta, Leo's on Alpha.
    mia_alpha: Ticket,
    mia_beta: Ticket,
    leo_alpha: Ticket,
}

const XSS: &str = r#"<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">"#;

impl World {
    async fn start(access_ttl: Duration, session_ttl: Duration) -> Self {
        Self::start_with(EmulatorConfig::default(), access_ttl, session_ttl).await
    }

    async fn start_with(
        emulator: EmulatorConfig,
        access_ttl: Duration,
        session_ttl: Duration,
    ) -> Self {
        let emulator = Emulator::start(emulator).await.unwrap();
        let ada = emulator.create_user("Ada", "en-US");
        let zoe = emulator.create_user("Zoe", "fr");
        let mia = emulator.create_user("Mia", "fr");
        let sam = emulator.create_user("Sam", "en-US");
        let leo = emulator.create_user("Leo", "en-US");
        let alpha = emulator.create_guild("Alpha", ada, "en-US").unwrap();
        let beta = emulator.create_guild("Beta", zoe, "fr").unwrap();
        let support = emulator
            .create_role(alpha, "Support", Permissions::empty())
            .unwrap();
        emulator.add_member(alpha, mia, &[]).unwrap();
        emulator.add_member(alpha, sam, &[support]).unwrap();
        emulator.add_member(alpha, leo, &[]).unwrap();
        emulator.add_member(beta, mia, &[]).unwrap();

        let store: Arc<dyn Store> = Arc::new(
            SqliteStore::open_in_memory(StoreLimits::default())
                .await
                .unwrap(),
        );
        let mut alpha_config = GuildConfig::new(Id::new(alpha.get()));
        alpha_config.staff_roles.push(Id::new(support.get()));
        alpha_config
            .add_panel(|id| TicketPanel::new(id, Id::new(77)))
            .unwrap();
        let alpha_config = store.save_guild_config(&alpha_config).await.unwrap();
        let mut beta_config = GuildConfig::new(Id::new(beta.get()));
        beta_config
            .add_panel(|id| TicketPanel::new(id, Id::new(78)))
            .unwrap();
        let beta_config = store.save_guild_config(&beta_config).await.unwrap();
        let now = Timestamp::from_secs(1_790_000_000);
        let mia_alpha = open(&store, &alpha_config, 1 << 22, mia, "Mia", now).await;
        let mia_beta = open(&store, &beta_config, 2 << 22, mia, "Mia", now).await;
        let leo_alpha = open(&store, &alpha_config, 3 << 22, leo, "Leo", now).await;
        say(
            &store,
            &mia_alpha,
            10 << 22,
            mia,
            "Mia",
            "My invoice is wrong",
            false,
        )
        .await;
        say(
            &store,
            &mia_alpha,
            11 << 22,
            sam,
            "Sam",
            "Refund her, she is a regular",
            true,
        )
        .await;
        say(&store, &leo_alpha, 12 << 22, leo, "Leo", XSS, false).await;
        say(
            &store,
            &leo_alpha,
            13 << 22,
            leo,
            "Leo",
            "the printer is on fire",
            false,
        )
        .await;
        // Mia's Beta ticket is closed.
        let mut closed = mia_beta.clone();
        closed.state = TicketState::Closed;
        closed.closed_at = Some(now.plus(Duration::from_secs(3600)));
        closed.close_reason = Some(CloseReason::NoneGiven);
        closed.version += 1;
        store
            .update_ticket(&closed, mia_beta.version)
            .await
            .unwrap();

        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let panel = serve(
            PanelConfig {
                listen: format!("127.0.0.1:{port}").parse().unwrap(),
                public_url: url.clone(),
                client_id: emulator.application_id().get(),
                client_secret: emulator.client_secret(),
                session_key: [42; 32],
                bot_token: emulator.bot_token().to_owned(),
                discord_url: emulator.base_url().to_owned(),
                rest_proxy: None,
                access_ttl,
                session_ttl,
            },
            store.clone(),
        )
        .await
        .unwrap();
        Self {
            emulator,
            store,
            panel,
            url,
            alpha,
            beta,
            support,
            mia,
            sam,
            ada,
            leo,
            mia_alpha,
            mia_beta: closed,
            leo_alpha,
        }
    }

    fn browser(&self) -> Browser {
        Browser::new(&self.url)
    }
}

async fn open(
    store: &Arc<dyn Store>,
    config: &GuildConfig,
    id: u64,
    opener: TwilightId<UserMarker>,
    name: &str,
    now: Timestamp,
) -> Ticket {
    let request = OpenRequest {
        ticket_id: TicketId(id),
        panel_id: config.panels[0].id,
        topic_id: None,
        opener: Id::new(opener.get()),
        opener_name: name.into(),
        requested_by: Member {
            user_id: Id::new(opener.get()),
            roles: Vec::new(),
            permissions: Permissions::empty(),
        },
        reason: Some("help".into()),
        answers: Vec::new(),
    };
    let (ticket, limits) = prepare_open(config, request, now).unwrap();
    match store.open_ticket(ticket, limits, now, None).await.unwrap() {
        OpenOutcome::Created(ticket) => ticket,
        other => panic!("{other:?}"),
    }
}

async fn say(
    store: &Arc<dyn Store>,
    ticket: &Ticket,
    id: u64,
    author: TwilightId<UserMarker>,
    name: &str,
    content: &str,
    staff_note: bool,
) {
    let message = TranscriptMessage {
        message_id: Id::new(id),
        author_id: Id::new(author.get()),
        author_name: name.into(),
        author_is_bot: false,
        content: content.into(),
        created_at: Timestamp::of_snowflake(id),
        edits: Vec::new(),
        deleted_at: None,
        embeds: Vec::new(),
        attachments: Vec::new(),
        staff_note,
    };
    store.append_message(ticket.id, &message).await.unwrap();
}

const MINUTE: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(86_400);

/// The fields a browser sends with the form posted to `action`: its inputs (checkboxes only
/// when checked) and the selected option of each select.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!(r#"action="{action}""#))
        .unwrap_or_else(|| panic!("no form to {action} in {html}"));
    let form = &html[start..];
    let form = &form[..form.find("</form>").expect("the form's end")];
    let attribute = |tag: &str, name: &str| {
        tag.split(&format!(r#" {name}=""#))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(unescape)
    };
    let mut fields = Vec::new();
    for piece in form.split("<input").skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        if attribute(tag, "type").as_deref() == Some("checkbox") && !tag.contains(" checked") {
            continue;
        }
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) {
            fields.push((name, value));
        }
    }
    for piece in form.split("<select").skip(1) {
        let tag = piece.split('>').next().unwrap_or_default();
        let options = &piece[..piece.find("</select>").expect("the select's end")];
        let mut choices = options
            .split("<option")
            .skip(1)
            .map(|option| option.split('>').next().unwrap_or_default());
        let first = choices.clone().next();
        let chosen = choices
            .find(|option| option.contains(" selected"))
            .or(first);
        if let (Some(name), Some(value)) = (
            attribute(tag, "name"),
            chosen.and_then(|option| attribute(option, "value")),
        ) {
            fields.push((name, value));
        }
    }
    fields
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    let field = fields
        .iter_mut()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no field {name}"));
    field.1 = value.to_owned();
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The text of the element with this id.
fn element<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"id="{id}">"#))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let rest = &html[start + id.len() + 6..];
    &rest[..rest.find("</span>").unwrap_or(rest.len())]
}

impl World {
    async fn alpha_config(&self) -> GuildConfig {
        self.store
            .guild_config(Id::new(self.alpha.get()))
            .await
            .unwrap()
            .expect("Alpha is set up")
    }

    fn settings(&self) -> String {
        format!("/guilds/{}/settings", self.alpha)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_changes_the_settings_and_the_store_keeps_them() {
    let world = World::start(MINUTE, DAY).await;
    let helpers = world
        .emulator
        .create_role(world.alpha, "Helpers <b>", Permissions::empty())
        .unwrap();
    let before = world.alpha_config().await;
    let limit = format!("p{}-open_limit", before.panels[0].id.0);
    let settings = world.settings();
    let mut ada = world.browser();
    let guild = ada
        .sign_in(&world, world.ada, &format!("/guilds/{}", world.alpha))
        .await;
    assert!(
        guild
            .body
            .contains(&format!(r#"<a href="{settings}">Settings</a>"#)),
        "linked from the guild view: {}",
        guild.body
    );
    let page = ada.get(&settings).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Settings of Alpha</h1>"));
    assert!(
        page.body.contains(&format!(
            r#"<label for="{limit}">Open tickets per member</label><input id="{limit}" name="{limit}" type="text" inputmode="numeric" value="1">"#
        )),
        "{}",
        page.body
    );
    // Staff roles by name, escaped; @everyone is not offered.
    let support = world.support;
    assert!(page.body.contains(&format!(
        r#"<input type="checkbox" id="staff-{support}" name="staff" value="{support}" checked> <label for="staff-{support}">Support</label>"#
    )));
    assert!(page.body.contains(&format!(
        r#"<input type="checkbox" id="staff-{helpers}" name="staff" value="{helpers}"> <label for="staff-{helpers}">Helpers &lt;b&gt;</label>"#
    )));
    assert!(!page.body.contains(&format!("staff-{}", world.alpha)));

    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &limit, "3");
    set(&mut fields, "language", "fr");
    fields.push(("staff".into(), helpers.to_string()));
    let saved = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("{settings}?saved=1"));
    let after = world.alpha_config().await;
    let mut expected = before.clone();
    expected.version += 1;
    expected.panels[0].settings.open_limit = 3;
    expected.staff_roles.push(Id::new(helpers.get()));
    expected.settings.language = Language::French;
    // A default welcome message follows the language, as with /settings set.
    expected.welcome_template = Translator::new().default_welcome(Language::French);
    assert_eq!(after, expected);

    let shown = ada.get(saved.location()).await;
    assert!(shown.body.contains("Settings saved."), "{}", shown.body);
    assert!(shown.body.contains(&format!(
        r#"name="{limit}" type="text" inputmode="numeric" value="3""#
    )));
    assert!(shown.body.contains(r#"<option value="fr" selected>"#));

    // Leo, granted panel access (A7), may change them too.
    world
        .store
        .grant_panel_access(
            Id::new(world.alpha.get()),
            Id::new(world.leo.get()),
            Id::new(world.ada.get()),
            Timestamp::from_secs(1_790_000_000),
        )
        .await
        .unwrap();
    let mut leo = world.browser();
    leo.language = "fr-FR,fr;q=0.9";
    let page = leo.sign_in(&world, world.leo, &settings).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<h1>Paramètres de Alpha</h1>"),
        "{}",
        page.body
    );
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, "auto_close_hours", "48");
    assert_eq!(leo.post(&settings, &pairs(&fields)).await.status, 303);
    let after = world.alpha_config().await;
    assert_eq!(after.settings.auto_close_hours, Some(48));
    assert_eq!(after.version, before.version + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_value_is_refused_beside_its_field_and_nothing_is_saved() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let panel = before.panels[0].id.0;
    let limit = format!("p{panel}-open_limit");
    let settings = world.settings();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &settings).await;
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &limit, "30");
    set(&mut fields, "retention_days", "a year");
    set(&mut fields, "support_hours", "whenever");
    set(&mut fields, "dm_on_close", "no");
    let refused = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Nothing was saved."));
    assert_eq!(
        element(&refused.body, &format!("{limit}-error")),
        "<strong>Open ticket limit</strong> must be between 1 and 25 (you entered 30). Please enter a value in that range."
    );
    assert!(refused.body.contains(&format!(
        r#"value="30" aria-invalid="true" aria-describedby="{limit}-error">"#
    )));
    assert_eq!(
        element(&refused.body, "retention_days-error"),
        "Enter a whole number, such as 3."
    );
    assert!(
        element(&refused.body, "support_hours-error").contains("such as mon-fri 09:00-18:00"),
        "{}",
        refused.body
    );
    // What was typed is shown again, valid or not.
    assert!(refused.body.contains(r#"value="whenever""#));
    assert!(refused.body.contains(r#"<option value="no" selected>"#));
    assert_eq!(world.alpha_config().await, before, "nothing saved");

    // The same words as the commands', in the reader's language.
    ada.language = "fr";
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &format!("p{panel}-cooldown"), "90000");
    let refused = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(refused.status, 422);
    let error = element(&refused.body, &format!("p{panel}-cooldown-error"));
    assert!(
        error.starts_with(
            "Le champ <strong>Délai entre deux tickets</strong> doit être compris entre 0 et "
        ) && error.contains("90000"),
        "{error}"
    );

    // Staff roles follow /staff's rules: at most 5 added at once.
    ada.language = "en-US";
    let mut fields = form_fields(&page.body, &settings);
    for n in 0..6 {
        let role = world
            .emulator
            .create_role(world.alpha, &format!("Team {n}"), Permissions::empty())
            .unwrap();
        fields.push(("staff".into(), role.to_string()));
    }
    let refused = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert!(
        element(&refused.body, "staff-error").starts_with("Too many roles in one command: 6"),
        "{}",
        refused.body
    );
    assert_eq!(world.alpha_config().await, before, "nothing saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_read_before_another_save_is_refused_whole() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let limit = format!("p{}-open_limit", before.panels[0].id.0);
    let settings = world.settings();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &settings).await;
    let mut fields = form_fields(&page.body, &settings);
    // Another admin (or /settings set) saves meanwhile.
    let mut other = before.clone();
    other.settings.dm_on_close = false;
    let other = world.store.save_guild_config(&other).await.unwrap();
    set(&mut fields, &limit, "3");
    let conflict = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert!(
        conflict.body.contains("changed meanwhile"),
        "{}",
        conflict.body
    );
    // The settings as they are now, with the version to save over.
    let now = form_fields(&conflict.body, &settings);
    let field = |name: &str| {
        now.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("version"), other.version.to_string());
    assert_eq!(field("dm_on_close"), "no");
    assert_eq!(field(&limit), "1");
    assert_eq!(world.alpha_config().await, other, "nothing saved");
    // Sent again from the page as it is now, it is saved.
    let mut fields = now.clone();
    set(&mut fields, &limit, "3");
    assert_eq!(ada.post(&settings, &pairs(&fields)).await.status, 303);
    let after = world.alpha_config().await;
    assert_eq!(after.panels[0].settings.open_limit, 3);
    assert!(!after.settings.dm_on_close, "the other change is kept");
    assert_eq!(after.version, other.version + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_forms_need_this_sessions_token_and_origin() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let limit = format!("p{}-open_limit", before.panels[0].id.0);
    let settings = world.settings();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &settings).await;
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &limit, "3");
    let without: Vec<(String, String)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf")
        .cloned()
        .collect();
    assert_eq!(ada.post(&settings, &pairs(&without)).await.status, 403);
    let mut forged = fields.clone();
    set(&mut forged, "csrf", "guess");
    assert_eq!(ada.post(&settings, &pairs(&forged)).await.status, 403);
    ada.origin = Some("https://evil.example".into());
    let elsewhere = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(elsewhere.status, 403);
    assert!(elsewhere.body.contains("Form out of date"));
    assert_eq!(world.alpha_config().await, before, "nothing saved");
    // From the panel's own page, it is.
    ada.origin = Some(world.url.clone());
    assert_eq!(ada.post(&settings, &pairs(&fields)).await.status, 303);
    assert_eq!(world.alpha_config().await.panels[0].settings.open_limit, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_and_staff_do_not_find_the_settings() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let limit = format!("p{}-open_limit", before.panels[0].id.0);
    let settings = world.settings();
    // An admin's form, to replay with another session's token.
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &settings).await;
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &limit, "3");
    for user in [world.mia, world.sam] {
        let mut browser = world.browser();
        let mine = browser.sign_in(&world, user, "/tickets").await;
        let missing = browser.get("/tickets/999999").await;
        let answer = browser.get(&settings).await;
        assert_eq!(answer.status, 404, "{user}");
        assert_eq!(answer.body, missing.body, "no existence leak");
        let mut theirs = fields.clone();
        set(&mut theirs, "csrf", &Browser::csrf(&mine.body));
        let answer = browser.post(&settings, &pairs(&theirs)).await;
        assert_eq!(answer.status, 404, "{user}");
        assert_eq!(answer.body, missing.body);
    }
    assert_eq!(
        world.alpha_config().await,
        before,
        "nothing saved by a member or staff"
    );
    // Signed out: sign in first.
    let mut stranger = world.browser();
    let answer = stranger.get(&settings).await;
    assert_eq!(answer.status, 303);
    assert!(answer.location().starts_with("/login?next=%2Fguilds%2F"));
    assert_eq!(stranger.post(&settings, &pairs(&fields)).await.status, 303);
    assert_eq!(world.alpha_config().await, before);
    let _ = world.beta;
}

impl World {
    fn access(&self) -> String {
        format!("/guilds/{}/access", self.alpha)
    }

    async fn grants(&self) -> Vec<helpline_store::PanelAccess> {
        self.store
            .panel_access(Id::new(self.alpha.get()))
            .await
            .unwrap()
    }
}

/// The fields of the access page's grant form, for `user`, with the session's token of `page`.
fn grant_form(page: &str, user: &str) -> Vec<(String, String)> {
    vec![
        ("csrf".into(), Browser::csrf(page)),
        ("do".into(), "grant".into()),
        ("user".into(), user.into()),
    ]
}

fn revoke_form(page: &str, user: &str) -> Vec<(String, String)> {
    vec![
        ("csrf".into(), Browser::csrf(page)),
        ("do".into(), "revoke".into()),
        ("user".into(), user.into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_grants_a_member_panel_access_and_revokes_it() {
    let world = World::start(MINUTE, DAY).await;
    let access = world.access();
    let guild = format!("/guilds/{}", world.alpha);
    let mut ada = world.browser();
    let settings = ada.sign_in(&world, world.ada, &world.settings()).await;
    assert!(
        settings
            .body
            .contains(&format!(r#"<a href="{access}">Panel access</a>"#)),
        "linked from the settings page: {}",
        settings.body
    );
    let page = ada.get(&access).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Panel access to Alpha</h1>"));
    assert!(page.body.contains("No one has been granted access yet."));
    assert!(page.body.contains(
        r#"<label for="user">User ID</label><input id="user" name="user" type="text" inputmode="numeric" autocomplete="off" required value="" aria-describedby="user-hint">"#
    ));
    // Leo manages nothing on Alpha yet.
    let mut leo = world.browser();
    let mine = leo.sign_in(&world, world.leo, "/tickets").await;
    assert_eq!(mine.status, 200);
    assert_eq!(leo.get(&guild).await.status, 404);

    let before = Timestamp::from_millis(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap(),
    );
    let granted = ada
        .post(
            &access,
            &pairs(&grant_form(&page.body, &world.leo.to_string())),
        )
        .await;
    assert_eq!(granted.status, 303, "{}", granted.body);
    assert_eq!(
        granted.location(),
        format!("{access}?granted={}", world.leo)
    );
    let grants = world.grants().await;
    assert_eq!(grants.len(), 1, "{grants:?}");
    assert_eq!(grants[0].user_id.get(), world.leo.get());
    assert_eq!(grants[0].granted_by.get(), world.ada.get());
    assert!(grants[0].granted_at >= before, "{grants:?}");
    let shown = ada.get(granted.location()).await;
    assert!(
        shown
            .body
            .contains("Leo now has access to this server in the panel."),
        "{}",
        shown.body
    );
    // Who, granted by whom, when, and a button revoking it named for whom it revokes.
    let revoke = format!(
        r#"<input type="hidden" name="do" value="revoke"><input type="hidden" name="user" value="{}"><button type="submit" aria-label="Revoke Leo&#39;s access">Revoke</button>"#,
        world.leo
    );
    assert!(
        shown.body.contains(&format!(
            "<tr><td>Leo</td><td>Ada</td><td>{}</td>",
            helpline_domain::transcript::format_time(grants[0].granted_at)
        )),
        "{}",
        shown.body
    );
    assert!(shown.body.contains(&revoke), "{}", shown.body);
    // Leo now sees the guild view.
    let view = leo.get(&guild).await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert!(view.body.contains("<h1>Tickets of Alpha</h1>"));

    // In French too.
    ada.language = "fr";
    let french = ada.get(&access).await;
    assert!(french.body.contains("<h1>Accès au panel de Alpha</h1>"));
    assert!(
        french
            .body
            .contains(r#"aria-label="Retirer l’accès de Leo">Retirer</button>"#)
    );
    ada.language = "en-US";

    // Revoked: the grant is gone, and Leo finds the guild no more.
    let revoked = ada
        .post(
            &access,
            &pairs(&revoke_form(&page.body, &world.leo.to_string())),
        )
        .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    assert_eq!(
        revoked.location(),
        format!("{access}?revoked={}", world.leo)
    );
    assert!(world.grants().await.is_empty());
    let shown = ada.get(revoked.location()).await;
    assert!(
        shown.body.contains("Leo no longer has access."),
        "{}",
        shown.body
    );
    assert!(shown.body.contains("No one has been granted access yet."));
    let missing = leo.get("/tickets/999999").await;
    let gone = leo.get(&guild).await;
    assert_eq!(gone.status, 404, "a revoke holds at once");
    assert_eq!(gone.body, missing.body);
    // Revoked twice: said so, nothing changed.
    let again = ada
        .post(
            &access,
            &pairs(&revoke_form(&page.body, &world.leo.to_string())),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again
            .body
            .contains("Leo had no access to revoke. Nothing was changed."),
        "{}",
        again.body
    );
    assert!(world.grants().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn granting_a_non_member_or_twice_is_refused_and_changes_nothing() {
    let world = World::start(MINUTE, DAY).await;
    let access = world.access();
    // Nora uses Discord but is not on Alpha.
    let nora = world.emulator.create_user("Nora", "en-US");
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &access).await;
    assert_eq!(page.status, 200, "{}", page.body);
    for stranger in [nora.to_string(), "123456789012345678".to_owned()] {
        let refused = ada
            .post(&access, &pairs(&grant_form(&page.body, &stranger)))
            .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(
            element(&refused.body, "user-error"),
            format!(
                "User {stranger} is not a member of this server, and only its members can be granted access. Nothing was changed."
            )
        );
        assert!(
            refused.body.contains(&format!(
                r#"value="{stranger}" aria-invalid="true" aria-describedby="user-hint user-error">"#
            )),
            "{}",
            refused.body
        );
        assert!(world.grants().await.is_empty(), "nothing granted");
    }
    let refused = ada
        .post(&access, &pairs(&grant_form(&page.body, "Leo")))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        element(&refused.body, "user-error"),
        "Enter a user ID: a number such as 123456789012345678. Nothing was changed."
    );
    assert!(world.grants().await.is_empty());
    // In the reader's language.
    ada.language = "fr-FR,fr;q=0.9";
    let refused = ada
        .post(&access, &pairs(&grant_form(&page.body, &nora.to_string())))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        element(&refused.body, "user-error"),
        format!(
            "L’utilisateur {nora} n’est pas membre de ce serveur, et seuls ses membres peuvent recevoir l’accès. Rien n’a été changé."
        )
    );
    ada.language = "en-US";

    // Twice: the first grant stands, unchanged.
    let leo = world.leo.to_string();
    assert_eq!(
        ada.post(&access, &pairs(&grant_form(&page.body, &leo)))
            .await
            .status,
        303
    );
    let first = world.grants().await;
    assert_eq!(first.len(), 1);
    let twice = ada
        .post(
            &access,
            &pairs(&grant_form(&page.body, &format!(" {leo} "))),
        )
        .await;
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert_eq!(
        element(&twice.body, "user-error"),
        "Leo already has access. Nothing was changed."
    );
    assert_eq!(world.grants().await, first, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_forms_need_this_sessions_token_and_origin() {
    let world = World::start(MINUTE, DAY).await;
    let access = world.access();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &access).await;
    let mia = world.mia.to_string();
    let leo = world.leo.to_string();
    world
        .store
        .grant_panel_access(
            Id::new(world.alpha.get()),
            Id::new(world.leo.get()),
            Id::new(world.ada.get()),
            Timestamp::from_secs(1_790_000_000),
        )
        .await
        .unwrap();
    let before = world.grants().await;
    for fields in [grant_form(&page.body, &mia), revoke_form(&page.body, &leo)] {
        let without: Vec<(String, String)> = fields
            .iter()
            .filter(|(name, _)| name != "csrf")
            .cloned()
            .collect();
        let answer = ada.post(&access, &pairs(&without)).await;
        assert_eq!(answer.status, 403, "{}", answer.body);
        assert!(answer.body.contains("Form out of date"));
        let mut forged = fields.clone();
        set(&mut forged, "csrf", "guess");
        assert_eq!(ada.post(&access, &pairs(&forged)).await.status, 403);
        ada.origin = Some("https://evil.example".into());
        assert_eq!(ada.post(&access, &pairs(&fields)).await.status, 403);
        ada.origin = None;
        assert_eq!(world.grants().await, before, "nothing changed");
    }
    // From the panel's own page, they are done.
    ada.origin = Some(world.url.clone());
    let granted = ada
        .post(&access, &pairs(&grant_form(&page.body, &mia)))
        .await;
    assert_eq!(granted.status, 303, "{}", granted.body);
    let revoked = ada
        .post(&access, &pairs(&revoke_form(&page.body, &leo)))
        .await;
    assert_eq!(revoked.status, 303, "{}", revoked.body);
    let after = world.grants().await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].user_id.get(), world.mia.get());
}

/// As `/access` (an admin command), only admins grant and revoke: a user granted panel access
/// manages the guild's tickets and settings but does not hand the access on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_grant_and_revoke_panel_access() {
    let world = World::start(MINUTE, DAY).await;
    let access = world.access();
    world
        .store
        .grant_panel_access(
            Id::new(world.alpha.get()),
            Id::new(world.leo.get()),
            Id::new(world.ada.get()),
            Timestamp::from_secs(1_790_000_000),
        )
        .await
        .unwrap();
    let before = world.grants().await;
    let mia = world.mia.to_string();
    let leo = world.leo.to_string();
    for user in [world.leo, world.mia, world.sam] {
        let mut browser = world.browser();
        let mine = browser.sign_in(&world, user, "/tickets").await;
        let missing = browser.get("/tickets/999999").await;
        let answer = browser.get(&access).await;
        assert_eq!(answer.status, 404, "{user}");
        assert_eq!(answer.body, missing.body, "no existence leak");
        for fields in [grant_form(&mine.body, &mia), revoke_form(&mine.body, &leo)] {
            let answer = browser.post(&access, &pairs(&fields)).await;
            assert_eq!(answer.status, 404, "{user}");
            assert_eq!(answer.body, missing.body);
        }
        assert_eq!(world.grants().await, before, "nothing changed by {user}");
    }
    // Leo manages the guild (its settings, without the link to grant).
    let mut leo_browser = world.browser();
    let settings = leo_browser
        .sign_in(&world, world.leo, &world.settings())
        .await;
    assert_eq!(settings.status, 200, "{}", settings.body);
    assert!(!settings.body.contains(&access), "{}", settings.body);
    // An admin by role (Manage Server), not the owner, may.
    let mods = world
        .emulator
        .create_role(world.alpha, "Mods", Permissions::MANAGE_GUILD)
        .unwrap();
    let max = world.emulator.create_user("Max", "en-US");
    world
        .emulator
        .add_member(world.alpha, max, &[mods])
        .unwrap();
    let mut max_browser = world.browser();
    let page = max_browser.sign_in(&world, max, &access).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let granted = max_browser
        .post(&access, &pairs(&grant_form(&page.body, &mia)))
        .await;
    assert_eq!(granted.status, 303, "{}", granted.body);
    let after = world.grants().await;
    assert_eq!(after.len(), 2);
    assert_eq!(after[1].user_id.get(), world.mia.get());
    assert_eq!(after[1].granted_by.get(), max.get());
    // Signed out: sign in first; nothing done.
    let mut stranger = world.browser();
    let answer = stranger.get(&access).await;
    assert_eq!(answer.status, 303);
    assert!(answer.location().starts_with("/login?next=%2Fguilds%2F"));
    let answer = stranger
        .post(&access, &[("do", "revoke"), ("user", leo.as_str())])
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(world.grants().await, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signs_in_with_discord_and_sees_her_tickets_on_every_server() {
    let world = World::start(MINUTE, DAY).await;
    let mut mia = world.browser();
    let page = mia.sign_in(&world, world.mia, "/tickets").await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(page.body.contains("<h1>My tickets</h1>"), "{}", page.body);
    for (ticket, server) in [(&world.mia_alpha, "Alpha"), (&world.mia_beta, "Beta")] {
        assert!(
            page.body.contains(&format!(
                r#"<a href="/tickets/{}">#0001</a></td><td>{server}</td>"#,
                ticket.id.0
            )),
            "{server}: {}",
            page.body
        );
    }
    assert!(page.body.contains("<td>Closed</td>"), "{}", page.body);
    assert!(
        !page.body.contains(&world.leo_alpha.id.0.to_string()),
        "not Leo's"
    );
    assert!(
        page.header("content-security-policy")
            .contains("default-src 'none'")
    );

    // In French when the browser asks for it.
    mia.language = "fr-FR,fr;q=0.9";
    let page = mia.get("/tickets").await;
    assert!(page.body.contains("<h1>Mes tickets</h1>"), "{}", page.body);
    assert!(page.body.contains(r#"<html lang="fr">"#));

    // Her ticket and its transcript, without the staff note.
    let ticket = mia.get(&format!("/tickets/{}", world.mia_alpha.id.0)).await;
    assert_eq!(ticket.status, 200);
    assert!(
        ticket.body.contains("Ticket #0001 sur Alpha"),
        "{}",
        ticket.body
    );
    let transcript = mia
        .get(&format!("/tickets/{}/transcript", world.mia_alpha.id.0))
        .await;
    assert_eq!(transcript.status, 200);
    assert!(transcript.body.contains("My invoice is wrong"));
    assert!(
        !transcript.body.contains("Refund her"),
        "the opener's copy leaves staff notes out"
    );
}

/// "My tickets" also lists the tickets someone took part in without opening them (B2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_someone_took_part_in_are_theirs_too() {
    let world = World::start(MINUTE, DAY).await;
    let direct = world
        .store
        .tickets_of_participant(Id::new(world.sam.get()), helpline_store::Page::first(10))
        .await
        .unwrap();
    assert_eq!(direct.len(), 1, "the store lists it");
    let mut sam = world.browser();
    let page = sam.sign_in(&world, world.sam, "/tickets").await;
    assert!(
        page.body
            .contains(&format!("/tickets/{}\"", world.mia_alpha.id.0)),
        "Sam wrote in Mia's ticket: {}",
        page.body
    );
    assert!(
        !page
            .body
            .contains(&format!("/tickets/{}\"", world.leo_alpha.id.0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_without_this_browsers_state_is_refused() {
    let world = World::start(MINUTE, DAY).await;
    let mut browser = world.browser();
    // No sign-in started here at all.
    let answer = browser.get("/callback?code=abc&state=xyz").await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.body.contains("not started from this browser"),
        "{}",
        answer.body
    );
    // Started, but the state that comes back is another.
    let login = browser.get("/login?next=/tickets").await;
    let state = login
        .location()
        .split("state=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .unwrap()
        .to_owned();
    let answer = browser
        .get(&format!("/callback?code=abc&state={state}x"))
        .await;
    assert_eq!(answer.status, 400);
    assert!(!browser.cookies.contains_key("__Host-helpline_session"));
    // Missing state.
    browser.get("/login").await;
    let answer = browser.get("/callback?code=abc").await;
    assert_eq!(answer.status, 400);
    // Cancelled on Discord's page.
    browser.get("/login").await;
    let answer = browser
        .get(&format!("/callback?error=access_denied&state={state}"))
        .await;
    assert_eq!(answer.status, 400);
    assert!(!browser.cookies.contains_key("__Host-helpline_session"));
    // Somewhere else after signing in: never.
    let answer = browser.get("/login?next=https://evil.example/").await;
    assert_eq!(answer.status, 303);
    let mut again = world.browser();
    let page = again.sign_in(&world, world.mia, "/tickets").await;
    assert_eq!(page.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_peoples_tickets_and_servers_are_not_found() {
    let world = World::start(MINUTE, DAY).await;
    let mut mia = world.browser();
    mia.sign_in(&world, world.mia, "/tickets").await;
    let missing = mia.get("/tickets/999999").await;
    assert_eq!(missing.status, 404);
    for path in [
        format!("/tickets/{}", world.leo_alpha.id.0),
        format!("/tickets/{}/transcript", world.leo_alpha.id.0),
        format!("/guilds/{}", world.alpha),
        format!("/guilds/{}", world.beta),
        "/guilds/not-a-number".to_owned(),
        "/tickets/-1".to_owned(),
    ] {
        let answer = mia.get(&path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.body, missing.body, "{path}: no existence leak");
    }
    // Signed out, a page asks to sign in and comes back to it.
    let mut stranger = world.browser();
    let answer = stranger
        .get(&format!("/tickets/{}", world.mia_alpha.id.0))
        .await;
    assert_eq!(answer.status, 303);
    assert_eq!(
        answer.location(),
        format!("/login?next=%2Ftickets%2F{}", world.mia_alpha.id.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_read_their_servers_transcripts_until_their_role_goes() {
    let world = World::start(Duration::from_millis(500), DAY).await;
    let mut sam = world.browser();
    sam.sign_in(&world, world.sam, "/tickets").await;
    let leo = format!("/tickets/{}/transcript", world.leo_alpha.id.0);
    let answer = sam.get(&leo).await;
    assert_eq!(answer.status, 200, "staff of Alpha read Alpha's tickets");
    let mia = sam
        .get(&format!("/tickets/{}/transcript", world.mia_alpha.id.0))
        .await;
    assert!(mia.body.contains("Refund her"), "staff read staff notes");
    assert_eq!(
        sam.get(&format!("/tickets/{}", world.mia_beta.id.0))
            .await
            .status,
        404,
        "not Beta's"
    );
    assert_eq!(
        sam.get(&format!("/guilds/{}", world.alpha)).await.status,
        404,
        "staff are not admins"
    );
    // Sam leaves the support team: within the access time, the panel forgets him.
    world
        .emulator
        .set_member_roles(world.alpha, world.sam, &[])
        .unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sam.get(&leo).await.status, 404);
    let _ = world.support;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_and_granted_users_see_the_servers_tickets_filtered_and_searched() {
    let world = World::start(MINUTE, DAY).await;
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, "/guilds").await;
    assert!(
        page.body
            .contains(&format!(r#"<a href="/guilds/{}">Alpha</a>"#, world.alpha)),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Beta"), "Ada is not on Beta");
    let all = ada.get(&format!("/guilds/{}", world.alpha)).await;
    assert_eq!(all.status, 200);
    let position = |body: &str, id: TicketId| body.find(&format!("/tickets/{}\"", id.0));
    let (leo, mia) = (
        position(&all.body, world.leo_alpha.id).expect("Leo's"),
        position(&all.body, world.mia_alpha.id).expect("Mia's"),
    );
    assert!(leo < mia, "newest first");
    // Search in transcripts.
    let found = ada.get(&format!("/guilds/{}?q=PRINTER", world.alpha)).await;
    assert!(position(&found.body, world.leo_alpha.id).is_some());
    assert!(position(&found.body, world.mia_alpha.id).is_none());
    // By opener and state.
    let by_mia = ada
        .get(&format!(
            "/guilds/{}?opener={}&state=open",
            world.alpha, world.mia
        ))
        .await;
    assert!(position(&by_mia.body, world.mia_alpha.id).is_some());
    assert!(position(&by_mia.body, world.leo_alpha.id).is_none());
    let closed = ada
        .get(&format!("/guilds/{}?state=closed", world.alpha))
        .await;
    assert!(
        closed.body.contains("No tickets to show."),
        "{}",
        closed.body
    );
    // What members wrote is shown escaped.
    let transcript = ada
        .get(&format!("/tickets/{}/transcript", world.leo_alpha.id.0))
        .await;
    assert!(!transcript.body.contains("<script>window.pwned"));
    assert!(transcript.body.contains("&lt;script&gt;"));
    assert_eq!(
        world.panel.addr().port(),
        world
            .url
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap()
    );

    // Leo is granted panel access on Alpha (A7): he sees the guild view too.
    world
        .store
        .grant_panel_access(
            Id::new(world.alpha.get()),
            Id::new(world.leo.get()),
            Id::new(world.ada.get()),
            Timestamp::from_secs(1_790_000_000),
        )
        .await
        .unwrap();
    let mut leo_browser = world.browser();
    let page = leo_browser
        .sign_in(&world, world.leo, &format!("/guilds/{}", world.alpha))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(position(&page.body, world.mia_alpha.id).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcript_is_served_under_a_policy_that_runs_no_script() {
    let world = World::start(MINUTE, DAY).await;
    let mut leo = world.browser();
    leo.sign_in(&world, world.leo, "/tickets").await;
    let answer = leo
        .get(&format!("/tickets/{}/transcript", world.leo_alpha.id.0))
        .await;
    assert_eq!(answer.status, 200);
    let policy = answer.header("content-security-policy");
    assert!(
        policy.contains("sandbox") && policy.contains("default-src 'none'"),
        "{policy}"
    );
    assert!(!policy.contains("script-src"), "{policy}");
    assert_eq!(answer.header("x-content-type-options"), "nosniff");
    assert!(answer.body.contains("the printer is on fire"));
    assert!(
        !answer.body.contains("<script>"),
        "no script element at all"
    );
    assert!(!answer.body.contains("<img src=x"));
    let page = leo.get(&format!("/tickets/{}", world.leo_alpha.id.0)).await;
    assert!(
        page.body
            .contains(r#"<iframe class="transcript" sandbox="""#),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_need_this_sessions_token_and_sessions_end() {
    let world = World::start(MINUTE, Duration::from_secs(2)).await;
    let mut mia = world.browser();
    let page = mia.sign_in(&world, world.mia, "/tickets").await;
    let csrf = Browser::csrf(&page.body);
    let forged = mia.post("/logout", &[("csrf", "guess")]).await;
    assert_eq!(forged.status, 403);
    assert!(
        mia.cookies.contains_key("__Host-helpline_session"),
        "still signed in"
    );
    let missing = mia.post("/logout", &[]).await;
    assert_eq!(missing.status, 403);
    // A copy of her cookie, taken before she signs out (another browser, a stolen cookie), and
    // a second replica of the panel on the same store.
    let mut copy = world.browser();
    copy.cookies = mia.cookies.clone();
    assert_eq!(
        copy.get("/tickets").await.status,
        200,
        "the copy works until then"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _replica = serve(
        PanelConfig {
            listen: format!("127.0.0.1:{port}").parse().unwrap(),
            public_url: world.url.clone(),
            client_id: world.emulator.application_id().get(),
            client_secret: world.emulator.client_secret(),
            session_key: [42; 32],
            bot_token: world.emulator.bot_token().to_owned(),
            discord_url: world.emulator.base_url().to_owned(),
            rest_proxy: None,
            access_ttl: MINUTE,
            session_ttl: Duration::from_secs(2),
        },
        world.store.clone(),
    )
    .await
    .unwrap();
    let mut elsewhere = Browser::new(&format!("http://127.0.0.1:{port}"));
    elsewhere.cookies = mia.cookies.clone();
    let out = mia.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert!(!mia.cookies.contains_key("__Host-helpline_session"));
    assert_eq!(mia.get("/tickets").await.status, 303, "signed out");
    // Signing out ended the session itself: the copy is refused here and on the other replica.
    assert_eq!(
        copy.get("/tickets").await.status,
        303,
        "the copy is signed out"
    );
    assert_eq!(
        elsewhere.get("/tickets").await.status,
        303,
        "on every replica"
    );

    // A session ends after its time: sign in again, and back to the page.
    let mut zoe = world.browser();
    zoe.sign_in(&world, world.mia, "/tickets").await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let answer = zoe.get(&format!("/tickets/{}", world.mia_alpha.id.0)).await;
    assert_eq!(answer.status, 303);
    assert!(answer.location().starts_with("/login?next=%2Ftickets%2F"));
}

/// A ticket of the statistics fixture: how old it is and what became of it.
struct Case {
    hours_ago: i64,
    state: TicketState,
    claimer: Option<TwilightId<UserMarker>>,
    /// Minutes from opening to the first staff message.
    answered_after: Option<i64>,
    /// Hours from opening to closing, and who closed it (`None`: its opener).
    closed: Option<(i64, Option<TwilightId<UserMarker>>)>,
    rating: Option<u8>,
}

/// The cells of the table row that `marker` starts, unescaped.
fn cells_after(body: &str, marker: &str) -> Vec<String> {
    let start = body
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {body}"));
    let row = &body[start..];
    let row = &row[..row.find("</tr>").expect("a whole row")];
    row.split("<td>")
        .skip(1)
        .map(|cell| unescape(cell.split("</td>").next().unwrap_or_default()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_statistics_count_the_servers_tickets_for_admins_and_granted_users_only() {
    use helpline_domain::stats::{self, PeriodStats, Spread};
    use helpline_domain::ticket::Feedback;
    use helpline_domain::{Language, UserId};
    use helpline_i18n::Translator;
    use helpline_store::Page;

    const NAME_XSS: &str = "<img src=x onerror=alert(1)>";
    let world = World::start(MINUTE, DAY).await;
    let emulator = &world.emulator;
    let gamma = emulator
        .create_guild("Gamma <script>x</script>", world.ada, "en-US")
        .unwrap();
    let kim = emulator.create_user("Kim", "en-US");
    let rex = emulator.create_user(NAME_XSS, "en-US");
    for user in [kim, rex, world.mia] {
        emulator.add_member(gamma, user, &[]).unwrap();
    }
    let mut config = GuildConfig::new(Id::new(gamma.get()));
    config
        .add_panel(|id| TicketPanel::new(id, Id::new(79)))
        .unwrap();
    let config = world.store.save_guild_config(&config).await.unwrap();

    // Times are the real clock's: the panel reads it.
    let now = Timestamp::from_millis(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap(),
    );
    let hours_ago = |hours: i64| Timestamp::from_millis(now.as_millis() - hours * 3_600_000);
    let case = |hours_ago, state, claimer, answered_after, closed, rating| Case {
        hours_ago,
        state,
        claimer,
        answered_after,
        closed,
        rating,
    };
    // No time lies within hours of a period's edge.
    let cases = [
        case(2, TicketState::Requested, None, None, None, None),
        case(24, TicketState::Open, None, None, None, None),
        case(72, TicketState::Claimed, Some(kim), Some(10), None, None),
        case(
            120,
            TicketState::Closed,
            Some(kim),
            Some(30),
            Some((4, Some(kim))),
            Some(5),
        ),
        case(
            288,
            TicketState::Closed,
            Some(rex),
            Some(120),
            Some((48, Some(rex))),
            Some(3),
        ),
        case(480, TicketState::Closed, None, None, Some((1, None)), None),
        case(
            840,
            TicketState::Closed,
            Some(rex),
            Some(15),
            Some((168, Some(rex))),
            None,
        ),
        case(
            1080,
            TicketState::Closed,
            Some(kim),
            Some(60),
            Some((3, Some(kim))),
            None,
        ),
        case(1440, TicketState::Claimed, Some(rex), Some(20), None, None),
    ];
    let mut self_closer = None;
    for (index, case) in cases.iter().enumerate() {
        let index = u64::try_from(index).unwrap();
        let opener = TwilightId::new(5_000 + index);
        let created = hours_ago(case.hours_ago);
        let opened = open(
            &world.store,
            &config,
            (200 + index) << 22,
            opener,
            "Opener",
            created,
        )
        .await;
        let mut ticket = opened.clone();
        ticket.state = case.state;
        ticket.opened_at = (case.state != TicketState::Requested).then_some(created);
        let minutes = |m: i64| created.plus(Duration::from_secs(u64::try_from(m).unwrap() * 60));
        ticket.claimer = case.claimer.map(|u| Id::new(u.get()));
        ticket.claimed_at = case.claimer.map(|_| minutes(5));
        ticket.first_response_at = case.answered_after.map(minutes);
        if let Some((hours, by)) = case.closed {
            ticket.closed_at = Some(minutes(hours * 60));
            ticket.closed_by = Some(Id::new(by.unwrap_or(opener).get()));
            ticket.close_reason = Some(CloseReason::NoneGiven);
            if by.is_none() {
                self_closer = Some(opener);
            }
        }
        ticket.feedback = case.rating.map(|rating| Feedback {
            rating,
            comment: None,
            at: ticket.closed_at.unwrap(),
        });
        ticket.version += 1;
        world
            .store
            .update_ticket(&ticket, opened.version)
            .await
            .unwrap();
    }
    let stored = world
        .store
        .tickets_by_guild(
            Id::new(gamma.get()),
            &TicketState::ALL,
            Page {
                limit: 100,
                before: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), cases.len());

    // What the page must say, from the fixture: counts by the cases' own times; times and
    // ratings by the domain's statistics over the stored tickets, as `/stats` computes them.
    let periods = [Some(7 * 24), Some(30 * 24), None];
    let within = |period: Option<i64>, hours: i64| period.is_none_or(|p| hours < p);
    let closed_hours_ago = |c: &Case| c.closed.map(|(after, _)| c.hours_ago - after);
    let translator = Translator::new();
    let words = |language: Language, stats: &PeriodStats| -> Vec<String> {
        let none = translator.text(language, "ui-stats-none", &[]);
        let time = |spread: Option<Spread>, pick: fn(&Spread) -> Duration| {
            spread.map_or(none.clone(), |s| {
                translator.localizer(language).duration(pick(&s).as_secs())
            })
        };
        let rating = stats.rating_tenths().map_or(none.clone(), |tenths| {
            let separator = if language == Language::French {
                ','
            } else {
                '.'
            };
            let count = stats.ratings.1;
            let ratings = match (language, count) {
                (Language::English, 1) => "one rating".to_owned(),
                (Language::English, n) => format!("{n} ratings"),
                (Language::French, 1) => "une note".to_owned(),
                (Language::French, n) => format!("{n} notes"),
            };
            format!("{}{separator}{}/5 ({ratings})", tenths / 10, tenths % 10)
        });
        vec![
            time(stats.first_response, |s| s.median),
            time(stats.first_response, |s| s.p90),
            time(stats.resolution, |s| s.median),
            time(stats.resolution, |s| s.p90),
            rating,
        ]
    };
    let since = |period: Option<i64>| period.map(hours_ago);
    let expected_row = |row: usize, language: Language| -> Vec<String> {
        periods
            .iter()
            .map(|period| match row {
                0 => cases
                    .iter()
                    .filter(|c| within(*period, c.hours_ago))
                    .count()
                    .to_string(),
                1 => cases
                    .iter()
                    .filter(|c| closed_hours_ago(c).is_some_and(|h| within(*period, h)))
                    .count()
                    .to_string(),
                _ => {
                    words(language, &stats::period(&stored, since(*period), None))[row - 2].clone()
                }
            })
            .collect()
    };

    // Ada owns Gamma: the guild view links to the statistics.
    let mut ada = world.browser();
    let view = ada
        .sign_in(&world, world.ada, &format!("/guilds/{gamma}"))
        .await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert!(
        view.body.contains(&format!(
            r#"<a href="/guilds/{gamma}/stats">Statistics</a>"#
        )),
        "{}",
        view.body
    );
    let page = ada.get(&format!("/guilds/{gamma}/stats")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.header("content-security-policy")
            .starts_with("default-src 'none'; style-src 'self'; img-src 'self' data:"),
        "{}",
        page.header("content-security-policy")
    );
    let body = &page.body;
    assert!(body.contains("<h1>Statistics of Gamma &lt;script&gt;x&lt;/script&gt;</h1>"));
    assert!(!body.contains("<script"), "no script, and names escaped");
    assert!(!body.contains("<img src=x"), "{body}");
    let open_now = cases
        .iter()
        .filter(|c| matches!(c.state, TicketState::Open | TicketState::Claimed))
        .count();
    let waiting = cases
        .iter()
        .filter(|c| c.state == TicketState::Requested)
        .count();
    assert!(
        body.contains(&format!(
            "<dt>Open</dt><dd>{open_now}</dd><dt>Awaiting approval</dt><dd>{waiting}</dd>"
        )),
        "{body}"
    );
    assert_eq!((open_now, waiting), (3, 1), "the fixture as meant");
    let labels = [
        "Created",
        "Closed",
        "First response, median",
        "First response, 90th percentile",
        "Resolution, median",
        "Resolution, 90th percentile",
        "Average rating",
    ];
    for (row, label) in labels.iter().enumerate() {
        assert_eq!(
            cells_after(body, &format!(r#"<th scope="row">{label}</th>"#)),
            expected_row(row, Language::English),
            "{label}"
        );
    }
    // A few by hand, to check the expectations themselves: all-time resolutions are 1, 3, 4,
    // 48 and 168 hours (median the third, 90th percentile the fifth); ratings 5 and 3.
    assert_eq!(
        cells_after(body, r#"<th scope="row">Created</th>"#),
        ["4", "6", "9"]
    );
    assert_eq!(
        cells_after(body, r#"<th scope="row">Resolution, median</th>"#)[2],
        "4 hours"
    );
    assert_eq!(
        cells_after(body, r#"<th scope="row">Resolution, 90th percentile</th>"#)[2],
        "7 days"
    );
    assert_eq!(
        cells_after(body, r#"<th scope="row">Average rating</th>"#),
        [
            "5.0/5 (one rating)",
            "4.0/5 (2 ratings)",
            "4.0/5 (2 ratings)"
        ]
    );

    // The chart: bars drawn in SVG with a title, and each day's count in a table.
    assert!(
        body.contains(r#"role="img" aria-labelledby="created-chart-title""#),
        "{body}"
    );
    assert!(body.contains(
        r#"<title id="created-chart-title">Tickets created per day over the last 30 days (UTC)</title>"#
    ));
    let today = now.as_millis().div_euclid(86_400_000);
    let mut per_day = Vec::new();
    for day in today - 29..=today {
        let count = cases
            .iter()
            .filter(|c| hours_ago(c.hours_ago).as_millis().div_euclid(86_400_000) == day)
            .count();
        let (y, m, d) = Timestamp::from_millis(day * 86_400_000).civil_date();
        assert!(
            body.contains(&format!(
                r#"<tr><th scope="row">{y:04}-{m:02}-{d:02}</th><td>{count}</td></tr>"#
            )),
            "{y}-{m}-{d}: {count}"
        );
        per_day.push(count);
    }
    let bars = body.matches("<rect ").count();
    assert_eq!(bars, per_day.iter().filter(|c| **c > 0).count());
    let total: usize = per_day.iter().sum();
    assert!(
        body.contains(&format!(
            "{total} tickets created over these 30 days, at most {} in one day.",
            per_day.iter().max().unwrap()
        )),
        "{body}"
    );

    // Each staff member over the last 30 days (the default), by name, escaped.
    let staff_cells =
        |body: &str, user: TwilightId<UserMarker>| cells_after(body, &format!("?staff={user}\""));
    let expected_staff = |period: Option<i64>, user: TwilightId<UserMarker>, language| {
        let open = cases
            .iter()
            .filter(|c| c.claimer == Some(user) && c.closed.is_none())
            .count();
        let claimed = cases
            .iter()
            .filter(|c| c.claimer == Some(user) && within(period, c.hours_ago))
            .count();
        let closed = cases
            .iter()
            .filter(|c| {
                c.closed.is_some_and(|(_, by)| by == Some(user))
                    && closed_hours_ago(c).is_some_and(|h| within(period, h))
            })
            .count();
        let staff: UserId = Id::new(user.get());
        let mut row = vec![open.to_string(), claimed.to_string(), closed.to_string()];
        row.extend(words(
            language,
            &stats::period(&stored, since(period), Some(staff)),
        ));
        row
    };
    assert!(
        body.contains(&format!(
            r#"<a href="/guilds/{gamma}?staff={kim}">Kim</a> <span class="muted">{kim}</span>"#
        )),
        "{body}"
    );
    assert!(body.contains(&format!(
        r#"<a href="/guilds/{gamma}?staff={rex}">&lt;img src=x onerror=alert(1)&gt;</a>"#
    )));
    for user in [kim, rex] {
        assert_eq!(
            staff_cells(body, user),
            expected_staff(periods[1], user, Language::English)
        );
    }
    assert_eq!(staff_cells(body, kim)[..3], ["1", "2", "1"]);
    let self_closer = self_closer.unwrap();
    assert!(
        !body.contains(&format!("?staff={self_closer}\"")),
        "an opener closing their own ticket is not staff"
    );
    let all_time = ada.get(&format!("/guilds/{gamma}/stats?period=all")).await;
    assert!(
        all_time
            .body
            .contains(r#"aria-current="page">All time</a>"#)
    );
    for user in [kim, rex] {
        assert_eq!(
            staff_cells(&all_time.body, user),
            expected_staff(None, user, Language::English)
        );
    }

    // Mia is a member of Gamma: not found, exactly like a page that does not exist; and so for
    // Kim, who has handled tickets but holds no right over the server.
    let mut mia = world.browser();
    mia.sign_in(&world, world.mia, "/tickets").await;
    let missing = mia.get("/tickets/999999").await;
    for path in [
        format!("/guilds/{gamma}/stats"),
        format!("/guilds/{}/stats", world.alpha),
        "/guilds/nope/stats".to_owned(),
    ] {
        let answer = mia.get(&path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.body, missing.body, "{path}");
    }
    let mut kim_browser = world.browser();
    kim_browser.sign_in(&world, kim, "/tickets").await;
    assert_eq!(
        kim_browser
            .get(&format!("/guilds/{gamma}/stats"))
            .await
            .status,
        404
    );
    // Signed out: sign in first, then back here.
    let answer = world.browser().get(&format!("/guilds/{gamma}/stats")).await;
    assert_eq!(answer.status, 303);
    assert_eq!(
        answer.location(),
        format!("/login?next=%2Fguilds%2F{gamma}%2Fstats")
    );

    // Granted panel access (A7), Mia sees them, in French when her browser asks for it.
    world
        .store
        .grant_panel_access(
            Id::new(gamma.get()),
            Id::new(world.mia.get()),
            Id::new(world.ada.get()),
            now,
        )
        .await
        .unwrap();
    mia.language = "fr";
    let page = mia.get(&format!("/guilds/{gamma}/stats?period=week")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("<h1>Statistiques de Gamma &lt;script&gt;x&lt;/script&gt;</h1>"));
    assert!(body.contains(&format!(
        "<dt>Ouverts</dt><dd>{open_now}</dd><dt>En attente d’approbation</dt><dd>{waiting}</dd>"
    )));
    assert!(body.contains(
        r#"<th scope="col">7 derniers jours</th><th scope="col">30 derniers jours</th>"#
    ));
    let french = [
        "Créés",
        "Fermés",
        "Première réponse, médiane",
        "Première réponse, 90e centile",
        "Résolution, médiane",
        "Résolution, 90e centile",
        "Note moyenne",
    ];
    for (row, label) in french.iter().enumerate() {
        assert_eq!(
            cells_after(body, &format!(r#"<th scope="row">{label}</th>"#)),
            expected_row(row, Language::French),
            "{label}"
        );
    }
    assert_eq!(
        cells_after(body, r#"<th scope="row">Résolution, médiane</th>"#)[2],
        "4 heures"
    );
    assert!(body.contains("\u{202f}: un ticket</title>"), "{body}");
    // Rex did nothing this week: his times are "none yet", its apostrophe escaped.
    assert_eq!(
        staff_cells(body, rex),
        expected_staff(periods[0], rex, Language::French)
    );
    assert!(
        body.contains("<td>aucune pour l&#39;instant</td>"),
        "{body}"
    );
}

/// When Discord cannot be asked who someone is, the page says something went wrong and gives
/// a reference, never what failed or where (the log has that, under the same reference).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_shows_a_reference_and_nothing_of_the_insides() {
    let world = World::start(Duration::from_millis(1), DAY).await;
    let mut mia = world.browser();
    mia.sign_in(&world, world.mia, "/tickets").await;
    world.emulator.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    // Someone else's ticket: whether Mia may read it needs Discord; not knowing, it is not
    // found, as when it does not exist (R11).
    let leos = mia.get(&format!("/tickets/{}", world.leo_alpha.id.0)).await;
    assert_eq!(leos.status, 404);
    // A server's pages need Discord too: the failure is said, with a reference.
    let answer = mia.get(&format!("/guilds/{}", world.alpha)).await;
    assert_eq!(answer.status, 500);
    assert!(
        answer.body.contains("give this reference"),
        "{}",
        answer.body
    );
    for inside in ["127.0.0.1", "could not be reached", "hyper", "connect"] {
        assert!(!answer.body.contains(inside), "{inside}: {}", answer.body);
    }
    // Her own ticket needs nothing of Discord: still shown (without what only staff read).
    let own = mia.get(&format!("/tickets/{}", world.mia_alpha.id.0)).await;
    assert_eq!(own.status, 200, "{}", own.body);
}

/// Private threads need a text channel where the bot holds the thread permissions, as
/// `/settings set mode:` checks: a panel whose channel is not one is refused, nothing saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_mode_is_refused_where_threads_cannot_be_made() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let mode = format!("p{}-mode", before.panels[0].id.0);
    let settings = world.settings();
    let mut ada = world.browser();
    ada.sign_in(&world, world.ada, &settings).await;
    let page = ada.get(&settings).await;
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &mode, "thread");
    let refused = ada.post(&settings, &pairs(&fields)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("is not one: post the panel in a text channel first"),
        "the panel's channel (one Discord does not know) is refused: {}",
        refused.body
    );
    assert_eq!(world.alpha_config().await, before, "nothing saved");
}

/// The fields a browser sends with the templates form: `form_fields`' and its text areas (the
/// line break right after the tag is not part of the value, as in a browser).
fn template_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let mut fields = form_fields(html, action);
    let start = html.find(&format!(r#"action="{action}""#)).unwrap();
    let form = &html[start..];
    let form = &form[..form.find("</form>").unwrap()];
    for piece in form.split("<textarea").skip(1) {
        let (tag, rest) = piece.split_once('>').unwrap();
        let name = tag
            .split(r#" name=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        let value = &rest[..rest.find("</textarea>").unwrap()];
        let value = value.strip_prefix('\n').unwrap_or(value);
        fields.push((name.to_owned(), unescape(value)));
    }
    fields
}

/// The text of the preview `<pre>` of a field.
fn preview<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!(r#"<pre id="{id}-preview">"#))
        .unwrap_or_else(|| panic!("no preview of {id} in {html}"));
    let rest = &html[start + id.len() + 19..];
    &rest[..rest.find("</pre>").unwrap()]
}

impl World {
    fn templates(&self) -> String {
        format!("/guilds/{}/templates", self.alpha)
    }

    /// Gives Alpha a topic on its panel; its id.
    async fn alpha_topic(&self, name: &str) -> helpline_domain::TopicId {
        let mut config = self.alpha_config().await;
        let id = config
            .add_topic(|id| helpline_domain::Topic::new(id, name))
            .unwrap();
        let mut panel = config.panels[0].clone();
        panel.topics.push(id);
        config.update_panel(panel).unwrap();
        self.store.save_guild_config(&config).await.unwrap();
        id
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_saves_a_welcome_template_and_sees_it_previewed_as_text() {
    let world = World::start(MINUTE, DAY).await;
    let billing = world.alpha_topic("Billing <b>").await;
    let before = world.alpha_config().await;
    let templates = world.templates();
    let mut ada = world.browser();
    let settings = ada.sign_in(&world, world.ada, &world.settings()).await;
    assert!(
        settings
            .body
            .contains(&format!(r#"<a href="{templates}">Templates</a>"#)),
        "linked from the settings page: {}",
        settings.body
    );
    let page = ada.get(&templates).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Templates of Alpha</h1>"));
    for placeholder in helpline_domain::Placeholder::ALL {
        assert!(
            page.body
                .contains(&format!("<dt><code>${}</code></dt>", placeholder.name())),
            "{placeholder:?} listed"
        );
    }
    // The stored templates, previewed with sample values.
    assert_eq!(preview(&page.body, "name"), "ticket-0042");
    assert!(
        preview(&page.body, "welcome").starts_with("@Ada, thank you for opening a ticket"),
        "{}",
        page.body
    );
    let topic_welcome = format!("t{}-welcome", billing.0);
    let topic_name = format!("t{}-name", billing.0);

    let written =
        "Hi $author <script>alert(1)</script>\nabout $topic, ticket $counter ($reason) $staff";
    let mut fields = template_fields(&page.body, &templates);
    set(&mut fields, "welcome", &written.replace('\n', "\r\n"));
    set(&mut fields, &topic_name, "Bill $author $counter");
    // Previewed first: nothing saved.
    let mut previewing = fields.clone();
    previewing.push(("action".into(), "preview".into()));
    let previewed = ada.post(&templates, &pairs(&previewing)).await;
    assert_eq!(previewed.status, 200, "{}", previewed.body);
    assert!(previewed.body.contains("Nothing is saved until you save."));
    assert_eq!(
        world.alpha_config().await,
        before,
        "a preview saves nothing"
    );
    let shown = preview(&previewed.body, "welcome");
    assert_eq!(
        shown,
        "Hi @Ada &lt;script&gt;alert(1)&lt;/script&gt;\nabout Orders, ticket 0042 (My order has not arrived) @Support"
    );
    assert!(!previewed.body.contains("<script>"), "shown as text");
    // The topic's tickets: its own name, the server's welcome message with its topic.
    assert_eq!(preview(&previewed.body, &topic_name), "bill-ada-0042");
    assert!(
        preview(&previewed.body, &topic_welcome).contains("about Billing &lt;b&gt;, ticket 0042"),
        "{}",
        previewed.body
    );

    let saved = ada.post(&templates, &pairs(&fields)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location(), format!("{templates}?saved=1"));
    let after = world.alpha_config().await;
    let mut expected = before.clone();
    expected.version += 1;
    expected
        .set_template(helpline_domain::Field::WelcomeTemplate, written)
        .unwrap();
    let topic = expected
        .topics
        .iter_mut()
        .find(|t| t.id == billing)
        .unwrap();
    topic
        .set_template(
            helpline_domain::Field::NameTemplate,
            Some("Bill $author $counter"),
        )
        .unwrap();
    assert_eq!(after, expected);

    let shown = ada.get(saved.location()).await;
    assert!(shown.body.contains("Templates saved."), "{}", shown.body);
    assert!(!shown.body.contains("<script>"), "{}", shown.body);
    assert!(
        shown
            .body
            .contains("Hi $author &lt;script&gt;alert(1)&lt;/script&gt;\nabout $topic"),
        "the template in its field, escaped: {}",
        shown.body
    );
    // A topic's template emptied: its tickets use the server's again.
    let mut fields = template_fields(&shown.body, &templates);
    set(&mut fields, &topic_name, "");
    assert_eq!(ada.post(&templates, &pairs(&fields)).await.status, 303);
    let last = world.alpha_config().await;
    assert_eq!(last.topic(billing).unwrap().name_template, None);
    assert_eq!(last.version, before.version + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_the_domain_refuses_is_shown_beside_its_field_and_nothing_is_saved() {
    let world = World::start(MINUTE, DAY).await;
    let billing = world.alpha_topic("Billing").await;
    let before = world.alpha_config().await;
    let templates = world.templates();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &templates).await;
    let topic_welcome = format!("t{}-welcome", billing.0);
    let mut fields = template_fields(&page.body, &templates);
    set(&mut fields, "welcome", "Hello $user");
    set(&mut fields, "name", "valid-$counter");
    let too_long = "x".repeat(helpline_domain::Template::MAX_SOURCE + 1);
    set(&mut fields, &topic_welcome, &too_long);
    let refused = ada.post(&templates, &pairs(&fields)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Nothing was saved."));
    assert_eq!(
        element(&refused.body, "welcome-error"),
        "There is a mistake in <strong>Welcome message</strong>. <code>$user</code> is not a placeholder. The valid placeholders are: $author, $staff, $topic, $reason, $counter, $year, $month, $day. Write <code>$$</code> for a plain dollar sign."
    );
    assert!(
        refused.body.contains(
            "name=\"welcome\" rows=\"6\" aria-invalid=\"true\" aria-describedby=\"welcome-error\">\nHello $user</textarea>"
        ),
        "what was typed, marked invalid: {}",
        refused.body
    );
    assert!(
        element(&refused.body, &format!("{topic_welcome}-error")).contains(&format!(
            "This template is too long: {} characters",
            too_long.len()
        )),
        "{}",
        refused.body
    );
    // The valid one is previewed as typed, but not saved either.
    assert_eq!(preview(&refused.body, "name"), "valid-0042");
    assert_eq!(world.alpha_config().await, before, "nothing saved");

    // The same words as the commands', in the reader's language.
    ada.language = "fr";
    let mut fields = template_fields(&page.body, &templates);
    set(&mut fields, "name", "t-${author");
    let refused = ada.post(&templates, &pairs(&fields)).await;
    assert_eq!(refused.status, 422);
    assert!(
        element(&refused.body, "name-error").starts_with(
            "Le champ <strong>Modèle de nom des tickets</strong> contient une erreur. Une variable ouverte"
        ),
        "{}",
        refused.body
    );
    assert_eq!(world.alpha_config().await, before, "nothing saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_templates_form_read_before_another_save_is_refused_whole() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let templates = world.templates();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &templates).await;
    let mut fields = template_fields(&page.body, &templates);
    // Another admin saves meanwhile.
    let mut other = before.clone();
    other
        .set_template(helpline_domain::Field::NameTemplate, "other-$counter")
        .unwrap();
    let other = world.store.save_guild_config(&other).await.unwrap();
    set(&mut fields, "welcome", "Mine, $author");
    let conflict = ada.post(&templates, &pairs(&fields)).await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert!(
        conflict.body.contains("changed meanwhile"),
        "{}",
        conflict.body
    );
    let now = template_fields(&conflict.body, &templates);
    let field = |name: &str| {
        now.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    assert_eq!(field("version"), other.version.to_string());
    assert_eq!(field("name"), "other-$counter");
    assert_eq!(field("welcome"), before.welcome_template.source());
    assert_eq!(world.alpha_config().await, other, "nothing saved");
    // Sent again from the page as it is now, it is saved.
    let mut fields = now.clone();
    set(&mut fields, "welcome", "Mine, $author");
    assert_eq!(ada.post(&templates, &pairs(&fields)).await.status, 303);
    let after = world.alpha_config().await;
    assert_eq!(after.welcome_template.source(), "Mine, $author");
    assert_eq!(after.name_template.source(), "other-$counter");
    assert_eq!(after.version, other.version + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn templates_forms_need_this_sessions_token_and_origin() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let templates = world.templates();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &templates).await;
    let mut fields = template_fields(&page.body, &templates);
    set(&mut fields, "name", "forged-$counter");
    let without: Vec<(String, String)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf")
        .cloned()
        .collect();
    assert_eq!(ada.post(&templates, &pairs(&without)).await.status, 403);
    let mut forged = fields.clone();
    set(&mut forged, "csrf", "guess");
    assert_eq!(ada.post(&templates, &pairs(&forged)).await.status, 403);
    ada.origin = Some("https://evil.example".into());
    let elsewhere = ada.post(&templates, &pairs(&fields)).await;
    assert_eq!(elsewhere.status, 403);
    assert!(elsewhere.body.contains("Form out of date"));
    assert_eq!(world.alpha_config().await, before, "nothing saved");
    ada.origin = Some(world.url.clone());
    assert_eq!(ada.post(&templates, &pairs(&fields)).await.status, 303);
    assert_eq!(
        world.alpha_config().await.name_template.source(),
        "forged-$counter"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_and_staff_do_not_find_the_templates() {
    let world = World::start(MINUTE, DAY).await;
    let before = world.alpha_config().await;
    let templates = world.templates();
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &templates).await;
    let mut fields = template_fields(&page.body, &templates);
    set(&mut fields, "name", "theirs-$counter");
    for user in [world.mia, world.sam] {
        let mut browser = world.browser();
        let mine = browser.sign_in(&world, user, "/tickets").await;
        let missing = browser.get("/tickets/999999").await;
        let answer = browser.get(&templates).await;
        assert_eq!(answer.status, 404, "{user}");
        assert_eq!(answer.body, missing.body, "no existence leak");
        let mut theirs = fields.clone();
        set(&mut theirs, "csrf", &Browser::csrf(&mine.body));
        let answer = browser.post(&templates, &pairs(&theirs)).await;
        assert_eq!(answer.status, 404, "{user}");
        assert_eq!(answer.body, missing.body);
    }
    assert_eq!(world.alpha_config().await, before, "nothing saved");
    let mut stranger = world.browser();
    let answer = stranger.get(&templates).await;
    assert_eq!(answer.status, 303);
    assert!(answer.location().starts_with("/login?next=%2Fguilds%2F"));
}

/// A member added to a ticket reads it, but not the staff's notes in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_added_to_a_ticket_does_not_read_staff_notes() {
    let world = World::start(MINUTE, DAY).await;
    let mut added = world.mia_alpha.clone();
    added.added_members.insert(Id::new(world.leo.get()));
    added.version += 1;
    world
        .store
        .update_ticket(&added, world.mia_alpha.version)
        .await
        .unwrap();
    let mut leo = world.browser();
    leo.sign_in(&world, world.leo, "/tickets").await;
    let transcript = leo
        .get(&format!("/tickets/{}/transcript", world.mia_alpha.id.0))
        .await;
    assert_eq!(transcript.status, 200);
    assert!(transcript.body.contains("My invoice is wrong"));
    assert!(
        !transcript.body.contains("Refund her"),
        "staff notes stay with staff"
    );
}

/// Staff roles (and retention) are an admin's: a user granted panel access saves the other
/// settings, and the staff roles they send are ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_granted_user_does_not_make_staff() {
    let world = World::start(MINUTE, DAY).await;
    let helpers = world
        .emulator
        .create_role(world.alpha, "Helpers", Permissions::empty())
        .unwrap();
    world
        .store
        .grant_panel_access(
            Id::new(world.alpha.get()),
            Id::new(world.leo.get()),
            Id::new(world.ada.get()),
            Timestamp::from_secs(1_790_000_000),
        )
        .await
        .unwrap();
    let before = world.alpha_config().await;
    let limit = format!("p{}-open_limit", before.panels[0].id.0);
    let settings = world.settings();
    let mut leo = world.browser();
    leo.sign_in(&world, world.leo, &settings).await;
    let page = leo.get(&settings).await;
    let mut fields = form_fields(&page.body, &settings);
    set(&mut fields, &limit, "3");
    set(&mut fields, "retention_days", "1");
    fields.push(("staff".into(), helpers.to_string()));
    let saved = leo.post(&settings, &pairs(&fields)).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let after = world.alpha_config().await;
    assert_eq!(after.panels[0].settings.open_limit, 3, "the rest is saved");
    assert_eq!(
        after.staff_roles, before.staff_roles,
        "staff roles unchanged"
    );
    assert_eq!(
        after.settings.transcript_retention_days, before.settings.transcript_retention_days,
        "retention unchanged"
    );
}

/// A8 on the web: an admin turns tickets off after a confirmation and on again; the form needs
/// the session's token; a user granted panel access, or a member, does not see the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_turns_tickets_off_after_confirming_and_on_again() {
    let world = World::start(MINUTE, DAY).await;
    let state = format!("/guilds/{}/state", world.alpha);
    let mut ada = world.browser();
    let page = ada.sign_in(&world, world.ada, &state).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Tickets are on"), "{}", page.body);
    let csrf = Browser::csrf(&page.body);
    let version = world.alpha_config().await.version.to_string();
    // Asking first: nothing changes until confirmed.
    let asked = ada
        .post(
            &state,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "disable"),
            ],
        )
        .await;
    assert_eq!(asked.status, 200);
    assert!(
        asked.body.contains("Members will not be able to open any"),
        "{}",
        asked.body
    );
    assert!(world.alpha_config().await.enabled);
    let forged = ada
        .post(
            &state,
            &[
                ("csrf", "guess"),
                ("version", &version),
                ("action", "disable"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(world.alpha_config().await.enabled);
    let off = ada
        .post(
            &state,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "disable"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(off.status, 303, "{}", off.body);
    let config = world.alpha_config().await;
    assert!(!config.enabled, "tickets are off");
    let page = ada.get(&state).await;
    assert!(page.body.contains("Tickets are off"), "{}", page.body);
    let on = ada
        .post(
            &state,
            &[
                ("csrf", &csrf),
                ("version", &config.version.to_string()),
                ("action", "enable"),
            ],
        )
        .await;
    assert_eq!(on.status, 303);
    assert!(world.alpha_config().await.enabled, "on again");

    // Not for a granted user, nor a member.
    world
        .store
        .grant_panel_access(
            Id::new(world.alpha.get()),
            Id::new(world.leo.get()),
            Id::new(world.ada.get()),
            Timestamp::from_secs(1_790_000_000),
        )
        .await
        .unwrap();
    let mut leo = world.browser();
    let page = leo.sign_in(&world, world.leo, "/tickets").await;
    assert_eq!(page.status, 200);
    assert_eq!(leo.get(&state).await.status, 404);
    let mut mia = world.browser();
    mia.sign_in(&world, world.mia, "/tickets").await;
    assert_eq!(mia.get(&state).await.status, 404);
}

/// With `helpline proxy` named, the panel's calls with the bot's token go through it (one REST
/// budget with the bot); the user's own sign-in calls go to Discord.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panels_bot_calls_go_through_the_rest_proxy() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let world = World::start(MINUTE, DAY).await;
    let through = Arc::new(AtomicUsize::new(0));
    let bearer = Arc::new(AtomicUsize::new(0));
    let counted = {
        let (through, bearer) = (through.clone(), bearer.clone());
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let (through, bearer) = (through.clone(), bearer.clone());
            async move {
                through.fetch_add(1, Ordering::SeqCst);
                let authorization = request
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if !authorization.starts_with("Bot ") {
                    bearer.fetch_add(1, Ordering::SeqCst);
                }
                next.run(request).await
            }
        }
    };
    let proxy = helpline_proxy::router(
        helpline_proxy::ProxyConfig::new(world.emulator.base_url()),
        Arc::new(helpline_proxy::MemoryLimits::new()),
    )
    .layer(axum::middleware::from_fn(counted));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, proxy).await });
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let _panel = serve(
        PanelConfig {
            listen: format!("127.0.0.1:{port}").parse().unwrap(),
            public_url: url.clone(),
            client_id: world.emulator.application_id().get(),
            client_secret: world.emulator.client_secret(),
            session_key: [42; 32],
            bot_token: world.emulator.bot_token().to_owned(),
            discord_url: world.emulator.base_url().to_owned(),
            rest_proxy: Some(proxy_url),
            access_ttl: MINUTE,
            session_ttl: DAY,
        },
        world.store.clone(),
    )
    .await
    .unwrap();
    let mut ada = Browser::new(&url);
    ada.sign_in(&world, world.ada, "/guilds").await;
    let page = ada.get(&format!("/guilds/{}", world.alpha)).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        through.load(Ordering::SeqCst) > 0,
        "her standing was asked through the proxy"
    );
    // Ada's token (the code exchange, her user and guilds) went to Discord, never the proxy.
    assert_eq!(bearer.load(Ordering::SeqCst), 0, "only the bot's calls");
}

/// Discord asking the panel to wait a moment (a 429 with a short `retry_after`) is waited out
/// once: the page is shown, not a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_rate_limit_is_waited_out() {
    let mut config = EmulatorConfig::default();
    config.rate_limit.routes.push(discord_emulator::RouteLimit {
        method: "GET".into(),
        route: "/guilds/{guild_id}/members/{user_id}".into(),
        limit: 1,
        window: Duration::from_millis(400),
        shared: false,
    });
    // Nothing remembered: every page asks Discord for Ada's roles.
    let world = World::start_with(config, Duration::ZERO, DAY).await;
    let mut ada = world.browser();
    ada.sign_in(&world, world.ada, "/guilds").await;
    let limited = world.emulator.rate_limited_count("user");
    for _ in 0..3 {
        let page = ada.get(&format!("/guilds/{}", world.alpha)).await;
        assert_eq!(page.status, 200, "{page:?}");
    }
    assert!(
        world.emulator.rate_limited_count("user") > limited,
        "Discord did ask the panel to wait"
    );
}
