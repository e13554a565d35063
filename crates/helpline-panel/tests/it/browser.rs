//! The panel in a real browser: headless Chromium driven over WebDriver (W3C) through
//! `chromedriver`, both installed by `cargo xtask test`. A person signs in on the emulator's
//! consent page, reads their tickets and a transcript, in English and French; a transcript
//! full of script tricks runs none of them. Each page's screenshot is saved under
//! `target/panel-screenshots/`.

use crate::World;
use base64::Engine as _;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// `chromedriver` on a free port, and one browser session.
struct Driver {
    child: Child,
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    /// A headless Chromium reading pages in `language` first.
    async fn start(language: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver runs (cargo xtask test installs chromium-driver)");
        let mut driver = Self {
            child,
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
        };
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--window-size=1200,900",
                         format!("--lang={language}")],
                "prefs": {"intl.accept_languages": language},
            },
        }}});
        let mut started = None;
        for _ in 0..100 {
            if let Ok(value) = driver
                .try_call("POST", "/session", Some(&capabilities))
                .await
            {
                started = Some(value);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let started = started.expect("a browser session");
        driver.session = started["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {started}"))
            .to_owned();
        driver
    }

    async fn try_call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(
                body.map_or_else(String::new, Value::to_string),
            )))
            .unwrap();
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!("{method} {path}: {status} {value}"));
        }
        Ok(value["value"].clone())
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        self.try_call(method, &path, body.as_ref())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url}))).await;
    }

    async fn url(&self) -> String {
        self.call("GET", "/url", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn find(&self, css: &str) -> String {
        let found = self
            .call(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.call("GET", &format!("/element/{element}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn script(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Saves the page as `target/panel-screenshots/NAME.png`.
    async fn screenshot(&self, name: &str) {
        let png = self.call("GET", "/screenshot", None).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/panel-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// Waits until the page's URL starts with `prefix`.
    async fn wait_for_url(&self, prefix: &str) {
        for _ in 0..100 {
            if self.url().await.starts_with(prefix) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("never reached {prefix}: at {}", self.url().await);
    }

    /// Signs in from `path` on the emulator's consent page, as `name`.
    async fn sign_in(&self, world: &World, name: &str, path: &str) {
        self.go(&format!("{}{path}", world.url)).await;
        self.wait_for_url(world.emulator.base_url()).await;
        self.click(&format!(
            "button[data-user-id=\"{}\"]",
            match name {
                "Mia" => world.mia,
                "Leo" => world.leo,
                "Ada" => world.ada,
                _ => world.sam,
            }
        ))
        .await;
        self.wait_for_url(&format!("{}{path}", world.url)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signs_in_and_reads_her_tickets_in_a_real_browser() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    let browser = Driver::start("en-US").await;
    browser.sign_in(&world, "Mia", "/tickets").await;
    assert_eq!(browser.text("h1").await, "My tickets");
    let rows = browser
        .script("return [...document.querySelectorAll('tbody tr')].map(r => r.innerText)")
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
    browser.screenshot("my-tickets-en").await;

    browser
        .go(&format!("{}/tickets/{}", world.url, world.mia_alpha.id.0))
        .await;
    assert_eq!(browser.text("h1").await, "Ticket #0001 on Alpha");
    // The transcript, in its sandboxed frame: her message, not the staff note.
    let frame = browser.find("iframe.transcript").await;
    browser
        .call("POST", "/frame", Some(json!({"id": {ELEMENT: frame}})))
        .await;
    let text = browser.script("return document.body.innerText").await;
    let text = text.as_str().unwrap();
    assert!(text.contains("My invoice is wrong"), "{text}");
    assert!(!text.contains("Refund her"), "{text}");
    browser.call("POST", "/frame/parent", Some(json!({}))).await;
    browser.screenshot("ticket-en").await;

    // Signing out from the header's button.
    browser.click("nav form button").await;
    for _ in 0..100 {
        if browser.url().await == format!("{}/", world.url) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(browser.url().await, format!("{}/", world.url));
    assert!(browser.text("main").await.contains("Sign in with Discord"));
    browser.go(&format!("{}/tickets", world.url)).await;
    browser.wait_for_url(world.emulator.base_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_speaks_the_browsers_french() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    let browser = Driver::start("fr").await;
    browser.sign_in(&world, "Ada", "/guilds").await;
    assert_eq!(browser.text("h1").await, "Serveurs");
    browser.click("main a").await;
    browser
        .wait_for_url(&format!("{}/guilds/{}", world.url, world.alpha))
        .await;
    assert_eq!(browser.text("h1").await, "Tickets de Alpha");
    assert!(
        browser
            .text("form.filters")
            .await
            .contains("Rechercher dans les transcriptions"),
        "the filters are labelled in French"
    );
    browser.screenshot("guild-fr").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transcript_full_of_script_tricks_runs_none_of_them() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    crate::say(
        &world.store,
        &world.leo_alpha,
        20 << 22,
        world.leo,
        "Leo",
        concat!(
            "<svg onload=\"window.pwned=3\"></svg> <iframe src=\"javascript:parent.pwned=4\"></iframe> ",
            "[link](javascript:window.pwned=5) <a href=\"javascript:window.pwned=6\">x</a> ",
            "\"><script>window.pwned=7</script> <style>body{display:none}</style>"
        ),
        false,
    )
    .await;
    let browser = Driver::start("en-US").await;
    browser.sign_in(&world, "Leo", "/tickets").await;
    // The transcript opened on its own, and inside the ticket page.
    browser
        .go(&format!(
            "{}/tickets/{}/transcript",
            world.url, world.leo_alpha.id.0
        ))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let state = browser
        .script("return [typeof window.pwned, document.scripts.length, document.body.innerText.includes('window.pwned=7')]")
        .await;
    assert_eq!(
        state,
        json!(["undefined", 0, true]),
        "no script ran, the text is shown"
    );
    browser.screenshot("transcript-xss").await;
    browser
        .go(&format!("{}/tickets/{}", world.url, world.leo_alpha.id.0))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let outer = browser.script("return typeof window.pwned").await;
    assert_eq!(outer, json!("undefined"));
    let frame = browser.find("iframe.transcript").await;
    browser
        .call("POST", "/frame", Some(json!({"id": {ELEMENT: frame}})))
        .await;
    let inner = browser
        .script("return [typeof window.pwned, document.body.innerText.includes('the printer is on fire')]")
        .await;
    assert_eq!(inner, json!(["undefined", true]));
}

/// The bot running on the world's store, and a server "Gamma" Ada set up with `/setup` (its
/// staff role `staff`, if any), Mia a member; the panel's open button.
async fn gamma_with_the_bot(
    world: &World,
    staff: Option<twilight_model::id::Id<twilight_model::id::marker::RoleMarker>>,
    gamma: twilight_model::id::Id<twilight_model::id::marker::GuildMarker>,
) -> (
    helpline_bot::RunningBot,
    (
        twilight_model::id::Id<twilight_model::id::marker::ChannelMarker>,
        twilight_model::id::Id<twilight_model::id::marker::MessageMarker>,
        String,
    ),
) {
    let emulator = &world.emulator;
    let config = helpline_bot::BotConfig {
        rest_proxy: Some(helpline_bot::RestProxy {
            host: emulator.http_host().to_owned(),
            use_http: true,
        }),
        gateway_url: Some(emulator.gateway_url().to_owned()),
        rest_timeout: Duration::from_secs(5),
        reconcile_interval: Duration::from_millis(200),
        ..helpline_bot::BotConfig::new(emulator.bot_token().to_owned())
    };
    let bot = helpline_bot::Bot::start(config, world.store.clone())
        .await
        .expect("the bot starts");
    assert!(emulator.wait_for_sessions(1, Duration::from_secs(10)).await);
    emulator
        .set_bot_permissions(gamma, helpline_domain::permissions::BOT_REQUIRED)
        .unwrap();
    let general = emulator
        .create_text_channel(gamma, "general", None)
        .unwrap();
    emulator.add_member(gamma, world.mia, &[]).unwrap();
    let options: Vec<(&str, discord_emulator::OptionValue)> = staff
        .map(|role| ("staff_role", discord_emulator::OptionValue::Role(role)))
        .into_iter()
        .collect();
    let mut setup = None;
    for _ in 0..50 {
        let outcome = emulator
            .as_user(world.ada)
            .run_command(gamma, general, "setup", &options)
            .await
            .unwrap();
        if !outcome.failed() {
            setup = Some(outcome);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let setup = setup.expect("/setup answered");
    assert!(setup.expect_message().text().contains("is ready"));
    let button = {
        let mut found = None;
        for _ in 0..100 {
            found = emulator.channels(gamma).into_iter().find_map(|channel| {
                emulator
                    .messages(channel.id)
                    .into_iter()
                    .find_map(|message| {
                        message.components.iter().find_map(|row| {
                            let twilight_model::channel::message::Component::ActionRow(row) = row
                            else {
                                return None;
                            };
                            row.components.iter().find_map(|component| match component {
                                twilight_model::channel::message::Component::Button(button) => {
                                    button
                                        .custom_id
                                        .as_ref()
                                        .filter(|id| id.starts_with("hl:open:"))
                                        .map(|id| (channel.id, message.id, id.clone()))
                                }
                                _ => None,
                            })
                        })
                    })
            });
            if found.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        found.expect("the panel's open button")
    };
    (bot, button)
}

/// An admin changes a panel's open limit on the settings page, and the bot, reading the same
/// store, lets a member open a second ticket it refused a moment before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_changes_a_setting_in_the_browser_and_the_bot_uses_it() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    let emulator = &world.emulator;
    let gamma = emulator.create_guild("Gamma", world.ada, "en-US").unwrap();
    let (_bot, button) = gamma_with_the_bot(&world, None, gamma).await;
    let tickets = || {
        emulator
            .channels(gamma)
            .into_iter()
            .filter(|c| {
                c.name.as_deref().is_some_and(|n| {
                    n.strip_prefix("ticket-")
                        .is_some_and(|number| number.bytes().all(|b| b.is_ascii_digit()))
                })
            })
            .count()
    };
    let click = || async {
        emulator
            .as_user(world.mia)
            .click_button(button.0, button.1, &button.2)
            .await
            .unwrap()
    };
    click().await;
    for _ in 0..100 {
        if tickets() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tickets(), 1);
    // Mia reads French: she is told, in French, that her open ticket is the one to use.
    let refused = click().await;
    let refusal = refused.expect_message().text();
    assert!(refusal.contains("déjà un ticket ouvert"), "{refusal}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(tickets(), 1, "the default limit of one holds");

    // Ada raises the panel's open limit to 2, and drops its cooldown, in the browser.
    let browser = Driver::start("en-US").await;
    browser
        .sign_in(&world, "Ada", &format!("/guilds/{gamma}/settings"))
        .await;
    browser.screenshot("settings-en").await;
    let limit = browser.find("input[name$='-open_limit']").await;
    browser
        .call("POST", &format!("/element/{limit}/clear"), Some(json!({})))
        .await;
    browser
        .call(
            "POST",
            &format!("/element/{limit}/value"),
            Some(json!({"text": "2"})),
        )
        .await;
    let cooldown = browser.find("input[name$='-cooldown']").await;
    browser
        .call(
            "POST",
            &format!("/element/{cooldown}/clear"),
            Some(json!({})),
        )
        .await;
    browser
        .call(
            "POST",
            &format!("/element/{cooldown}/value"),
            Some(json!({"text": "0"})),
        )
        .await;
    browser.click("main form button[type='submit']").await;
    let mut saved = None;
    for _ in 0..100 {
        let config = world
            .store
            .guild_config(helpline_domain::Id::new(gamma.get()))
            .await
            .unwrap()
            .unwrap();
        if config.panels[0].settings.open_limit == 2 && config.panels[0].settings.cooldown_secs == 0
        {
            saved = Some(config);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(saved.is_some(), "the page saved the new limit");
    browser.screenshot("settings-saved-en").await;

    // The same click now opens a second ticket.
    let opened = click().await;
    assert!(!opened.failed());
    for _ in 0..100 {
        if tickets() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tickets(), 2, "the bot used the limit set in the panel");
}

/// An admin takes a staff role away on the settings page: the bot, handed the change through
/// the store, takes that role's access to the open ticket away.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_role_removed_in_the_browser_loses_the_ticket_channel() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    let emulator = &world.emulator;
    let gamma = emulator.create_guild("Gamma", world.ada, "en-US").unwrap();
    let helpers = emulator
        .create_role(
            gamma,
            "Helpers",
            helpline_domain::permissions::Permissions::empty(),
        )
        .unwrap();
    emulator.add_member(gamma, world.sam, &[helpers]).unwrap();
    let (_bot, button) = gamma_with_the_bot(&world, Some(helpers), gamma).await;
    emulator
        .as_user(world.mia)
        .click_button(button.0, button.1, &button.2)
        .await
        .unwrap();
    let mut channel = None;
    for _ in 0..100 {
        channel = emulator
            .channels(gamma)
            .into_iter()
            .find(|c| c.name.as_deref().is_some_and(|n| n.starts_with("ticket-0")));
        if channel.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let channel = channel.expect("Mia's ticket channel").id;
    assert!(
        emulator.can_view(world.sam, channel),
        "staff see the ticket"
    );

    let browser = Driver::start("en-US").await;
    browser
        .sign_in(&world, "Ada", &format!("/guilds/{gamma}/settings"))
        .await;
    browser.click(&format!("#staff-{helpers}")).await;
    browser.click("main form button[type='submit']").await;
    let mut gone = false;
    for _ in 0..200 {
        if !emulator.can_view(world.sam, channel) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let config = world
        .store
        .guild_config(helpline_domain::Id::new(gamma.get()))
        .await
        .unwrap()
        .unwrap();
    assert!(config.staff_roles.is_empty(), "saved without the role");
    assert!(gone, "the removed role no longer sees the ticket");
    assert!(
        emulator.can_view(world.mia, channel),
        "the opener still does"
    );
}

/// In French, an admin adds a topic to the server's panel on the panels page: the bot shows it
/// on the posted panel on Discord; the setup page offers to install again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_topic_in_the_browser_and_the_panel_on_discord_shows_it() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    let emulator = &world.emulator;
    let gamma = emulator.create_guild("Gamma", world.ada, "fr").unwrap();
    let (_bot, button) = gamma_with_the_bot(&world, None, gamma).await;
    let browser = Driver::start("fr").await;
    browser
        .sign_in(&world, "Ada", &format!("/guilds/{gamma}/panels"))
        .await;
    browser.screenshot("panels-fr").await;
    let name = browser.find("#new-topic-name").await;
    browser
        .call(
            "POST",
            &format!("/element/{name}/value"),
            Some(json!({"text": "Facturation"})),
        )
        .await;
    browser.click("input[id^='new-topic-on-']").await;
    browser
        .click("section[aria-labelledby='new-topic'] button[type='submit']")
        .await;
    let mut shown = false;
    for _ in 0..200 {
        let labels: Vec<String> = emulator
            .messages(button.0)
            .into_iter()
            .filter(|m| m.id == button.1)
            .flat_map(|m| m.components)
            .flat_map(|row| match row {
                twilight_model::channel::message::Component::ActionRow(row) => row.components,
                _ => Vec::new(),
            })
            .filter_map(|c| match c {
                twilight_model::channel::message::Component::Button(b) => b.label,
                _ => None,
            })
            .collect();
        if labels.iter().any(|l| l == "Facturation") {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        shown,
        "the bot edited the posted panel to offer the new topic"
    );
    let status = browser.text("main [role='status']").await;
    assert!(status.contains("Enregistré"), "{status}");
    browser.screenshot("panels-saved-fr").await;
    browser
        .go(&format!("{}/guilds/{gamma}/setup", world.url))
        .await;
    let page = browser.text("main").await;
    assert!(page.contains("Réinstaller"), "{page}");
    browser.screenshot("setup-fr").await;
}
