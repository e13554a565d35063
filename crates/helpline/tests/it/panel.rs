//! `helpline panel` run as an operator runs it: beside a `helpline run` cluster process on one
//! SQLite file it serves `/healthz`, sends a browser to Discord's consent page with PKCE, signs
//! a member in through the emulator's OAuth2 and lists the ticket the bot stored, and stops on
//! SIGTERM; beside a single-node `helpline run` it is refused with what to change; a missing
//! setting, a bad session key or a missing store is an exit 1 with the exact message.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cluster::Cluster;
use crate::{RunAgainstEmulator, TOKEN, helpline, stderr};

/// The base64 of 32 `A`s: a session key.
const SESSION_KEY: &str = "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=";

/// A free port on the loopback.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Everything `helpline panel` needs against `emulator`, listening on `port`.
fn panel_env(emulator: &discord_emulator::Emulator, port: u16) -> Vec<(String, String)> {
    [
        ("DISCORD_TOKEN", emulator.bot_token().to_owned()),
        (
            "HELPLINE_DISCORD_API_URL",
            format!("http://{}", emulator.http_host()),
        ),
        ("HELPLINE_PANEL_LISTEN", format!("127.0.0.1:{port}")),
        (
            "HELPLINE_PANEL_PUBLIC_URL",
            format!("http://127.0.0.1:{port}"),
        ),
        (
            "HELPLINE_PANEL_CLIENT_ID",
            emulator.application_id().to_string(),
        ),
        ("HELPLINE_PANEL_CLIENT_SECRET", emulator.client_secret()),
        ("HELPLINE_PANEL_SESSION_KEY", SESSION_KEY.to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect()
}

/// `helpline panel` in `dir`, its stderr piped.
fn spawn_panel(dir: &Path, env: &[(String, String)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_helpline"))
        .arg("panel")
        .current_dir(dir)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// An HTTP answer.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map_or("", |(_, value)| value.as_str())
    }
}

/// A browser of one site: its cookies, kept as the site sets them.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    fn header(&self) -> String {
        let pairs: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.join("; ")
    }

    fn keep(&mut self, reply: &Reply) {
        for (name, value) in &reply.headers {
            if !name.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (cookie, content) = pair.split_once('=').unwrap();
            assert!(attributes.contains("HttpOnly"), "{value}");
            if attributes.contains("Max-Age=0") {
                self.0.remove(cookie);
            } else {
                self.0.insert(cookie.to_owned(), content.to_owned());
            }
        }
    }
}

/// One HTTP/1.0 request to an `http://` URL (HTTP/1.0: the answer is never chunked).
fn request(method: &str, url: &str, cookies: &str, form: Option<&str>) -> Reply {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = match rest.split_once('/') {
        Some((host, path)) => (host, format!("/{path}")),
        None => (rest, "/".to_owned()),
    };
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head =
        format!("{method} {path} HTTP/1.0\r\nHost: {host}\r\nAccept-Language: en-US\r\n");
    if !cookies.is_empty() {
        head.push_str(&format!("Cookie: {cookies}\r\n"));
    }
    let body = form.unwrap_or_default();
    if form.is_some() {
        head.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The `name=value` pairs of a URL's query, still encoded.
fn query(url: &str) -> BTreeMap<String, String> {
    url.split_once('?')
        .map_or("", |(_, query)| query)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// The hidden inputs of a form, as `name=value` form-encoded pairs.
fn hidden_fields(html: &str) -> Vec<String> {
    html.split("<input")
        .skip(1)
        .filter_map(|piece| {
            let tag = piece.split('>').next()?;
            if !tag.contains(r#"type="hidden""#) {
                return None;
            }
            let attribute = |name: &str| {
                let value = tag
                    .split(&format!(r#"{name}=""#))
                    .nth(1)?
                    .split('"')
                    .next()?;
                Some(value.replace("&quot;", "\"").replace("&amp;", "&"))
            };
            Some(format!(
                "{}={}",
                attribute("name")?,
                percent_encode(&attribute("value")?)
            ))
        })
        .collect()
}

/// Waits for the panel's `/healthz`; fails with its log if it exits first.
fn wait_healthy(panel: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            let health = request("GET", &format!("http://127.0.0.1:{port}/healthz"), "", None);
            assert_eq!(health.status, 200, "{health:?}");
            assert_eq!(health.body, "ok\n");
            return;
        }
        if let Some(exit) = panel.try_wait().unwrap() {
            let mut err = String::new();
            panel
                .stderr
                .as_mut()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!("the panel exited with {exit:?}: {err}");
        }
        assert!(Instant::now() < deadline, "the panel never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The whole way a member goes: the bot (a cluster process on the SQLite file) opens their
/// ticket; the panel beside it on the same file sends them to Discord's consent page with a
/// PKCE challenge, takes them back signed in, and lists that ticket; SIGTERM stops it.
#[test]
fn the_panel_beside_a_cluster_process_lists_the_ticket_the_bot_stored() {
    let mut cluster = Cluster::start(1, 1, 1);
    cluster.spawn(0);
    cluster.wait_settled(&[0], Duration::from_secs(30));
    let (_guild, members, button) = cluster.guild_with_panel(1);
    let member = members[0];
    cluster.open(member, &button);

    let port = free_port();
    let panel_url = format!("http://127.0.0.1:{port}");
    let mut panel = spawn_panel(cluster.dir.path(), &panel_env(&cluster.emulator, port));
    wait_healthy(&mut panel, port);

    // Off to Discord: the application's id, the redirect URI under public_url, PKCE (S256).
    let mut jar = Jar::default();
    let login = request("GET", &format!("{panel_url}/login"), "", None);
    assert_eq!(login.status, 303, "{login:?}");
    jar.keep(&login);
    assert!(jar.0.contains_key("__Host-helpline_login"), "{login:?}");
    let authorize = login.header("location").to_owned();
    assert!(
        authorize.starts_with(&format!(
            "{}/oauth2/authorize?",
            cluster.emulator.base_url()
        )),
        "{authorize}"
    );
    let parameters = query(&authorize);
    assert_eq!(
        parameters["client_id"],
        cluster.emulator.application_id().to_string()
    );
    assert_eq!(
        parameters["redirect_uri"],
        percent_encode(&format!("{panel_url}/callback"))
    );
    assert_eq!(parameters["response_type"], "code");
    assert_eq!(parameters["code_challenge_method"], "S256");
    assert_eq!(parameters["code_challenge"].len(), 43, "{authorize}");
    assert!(!parameters["state"].is_empty());

    // The member consents on the emulator's page, and comes back signed in.
    let consent = request("GET", &authorize, "", None);
    assert_eq!(consent.status, 200, "{consent:?}");
    let mut fields = hidden_fields(&consent.body);
    fields.push(format!("user_id={member}"));
    let consented = request(
        "POST",
        &format!("{}/oauth2/authorize", cluster.emulator.base_url()),
        "",
        Some(&fields.join("&")),
    );
    assert_eq!(consented.status, 302, "{consented:?}");
    let back = consented.header("location").to_owned();
    assert!(
        back.starts_with(&format!("{panel_url}/callback?")),
        "{back}"
    );
    let signed_in = request("GET", &back, &jar.header(), None);
    assert_eq!(signed_in.status, 303, "{signed_in:?}");
    jar.keep(&signed_in);
    assert!(
        jar.0.contains_key("__Host-helpline_session"),
        "{signed_in:?}"
    );

    let tickets = request("GET", &format!("{panel_url}/tickets"), &jar.header(), None);
    assert_eq!(tickets.status, 200, "{tickets:?}");
    assert!(
        tickets
            .body
            .contains("#0001</a></td><td>Cluster Server</td>"),
        "the ticket the bot stored: {}",
        tickets.body
    );

    let status = Command::new("kill")
        .args(["-TERM", &panel.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = panel.wait().unwrap();
    let mut err = String::new();
    panel
        .stderr
        .as_mut()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(exit.success(), "{exit:?}: {err}");
    assert!(started.elapsed() < Duration::from_secs(10), "{err}");
    for secret in [cluster.emulator.bot_token(), SESSION_KEY] {
        assert!(!err.contains(secret), "{err}");
    }
    assert!(
        !err.contains(&cluster.emulator.client_secret()),
        "the client secret is never logged: {err}"
    );
    // The bot kept running beside it.
    assert!(
        cluster.emulator.sessions().iter().any(|s| s.connected),
        "{}",
        cluster.logs()
    );
}

/// A single-node `helpline run` holds the SQLite file alone: the panel beside it is refused,
/// and says what to change.
#[test]
fn the_panel_beside_a_single_node_run_is_refused_with_what_to_change() {
    let mut run = RunAgainstEmulator::start(&[]);
    let port = free_port();
    let mut panel = spawn_panel(run.dir.path(), &panel_env(&run.emulator, port));
    let exit = panel.wait().unwrap();
    let mut err = String::new();
    panel
        .stderr
        .as_mut()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(exit.code(), Some(1), "{err}");
    assert_eq!(
        err,
        "error: cannot open the SQLite store helpline.sqlite3: another process holds it alone \
         (a single-node `helpline run`, or `helpline migrate`). The panel shares the file only \
         with bot processes that share it: start `helpline run` with cluster.redis_url set (one \
         process is a cluster of one), or keep tickets in ScyllaDB (store.backend = scylla)\n"
    );
    // The bot is untouched.
    run.signal("TERM");
    let (exit, _, err) = run.wait();
    assert!(exit.success(), "{exit:?}\n{err}");
}

/// What an operator gets wrong is an exit 1 naming the setting and how to give it, before
/// anything is contacted or created; secrets are never repeated.
#[test]
fn the_panel_s_missing_or_bad_settings_are_exit_1_with_the_exact_message() {
    let dir = tempfile::tempdir().unwrap();
    let complete = [
        ("DISCORD_TOKEN", TOKEN),
        ("HELPLINE_PANEL_PUBLIC_URL", "https://panel.example.com"),
        ("HELPLINE_PANEL_CLIENT_ID", "1234567890123456789"),
        ("HELPLINE_PANEL_CLIENT_SECRET", "oauth2-very-secret"),
        ("HELPLINE_PANEL_SESSION_KEY", SESSION_KEY),
    ];
    let without = |name: &str| -> Vec<(&str, &str)> {
        complete
            .iter()
            .copied()
            .filter(|(key, _)| *key != name)
            .collect()
    };
    let with = |name: &'static str, value: &'static str| -> Vec<(&str, &str)> {
        let mut env = without(name);
        env.push((name, value));
        env
    };
    for (env, message) in [
        (
            without("HELPLINE_PANEL_PUBLIC_URL"),
            "error: panel.public_url is not set: set HELPLINE_PANEL_PUBLIC_URL to the address \
             users reach the panel at, such as https://panel.example.com, and register \
             <public_url>/callback as a redirect URI of the Discord application\n",
        ),
        (
            with("HELPLINE_PANEL_PUBLIC_URL", "https://example.com/panel"),
            "error: cannot load settings: invalid environment variable \
             HELPLINE_PANEL_PUBLIC_URL (setting `panel.public_url`): expected the address \
             users reach the panel at, an http(s) URL without a path such as \
             https://panel.example.com, got `https://example.com/panel`\n",
        ),
        (
            with("HELPLINE_PANEL_SESSION_KEY", "c2hvcnQ="),
            "error: cannot load settings: invalid environment variable \
             HELPLINE_PANEL_SESSION_KEY (setting `panel.session_key`): expected the base64 of 32 \
             random bytes, such as `head -c32 /dev/urandom | base64` prints; the value given \
             decodes to 5 bytes\n",
        ),
        (
            without("HELPLINE_PANEL_SESSION_KEY"),
            "error: panel.session_key is not set: set HELPLINE_PANEL_SESSION_KEY to the base64 \
             of 32 random bytes (`head -c32 /dev/urandom | base64`), the same for every \
             replica\n",
        ),
        (
            without("HELPLINE_PANEL_CLIENT_SECRET"),
            "error: panel.client_secret is not set: set HELPLINE_PANEL_CLIENT_SECRET to the \
             Discord application's OAuth2 client secret\n",
        ),
        // Every setting right, but no store where the bot keeps it.
        (
            complete.to_vec(),
            "error: the SQLite store helpline.sqlite3 does not exist: the panel reads the bot's \
             store, so give it the bot's store.sqlite_path (or run `helpline migrate` first)\n",
        ),
    ] {
        let output = helpline(dir.path(), &["panel"], &env);
        assert_eq!(output.status.code(), Some(1), "{output:?}");
        assert_eq!(stderr(&output), message);
    }
    // A key in the settings file is checked when the panel starts, and never shown.
    let path = crate::write(
        dir.path(),
        "helpline.toml",
        "[panel]\nsession_key = \"c2hvcnQ=\"\n",
    );
    let output = helpline(
        dir.path(),
        &["--config", &path, "panel"],
        &without("HELPLINE_PANEL_SESSION_KEY"),
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(
        stderr(&output),
        "error: panel.session_key: expected the base64 of 32 random bytes, such as `head -c32 \
         /dev/urandom | base64` prints; the value given decodes to 5 bytes\n"
    );
    assert!(
        !dir.path().join("helpline.sqlite3").exists(),
        "nothing is created on disk"
    );
}

/// `helpline config` shows the panel's settings and redacts its two secrets.
#[test]
fn config_never_prints_the_panel_s_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let output = helpline(
        dir.path(),
        &["config"],
        &[
            ("HELPLINE_PANEL_CLIENT_SECRET", "oauth2-very-secret"),
            ("HELPLINE_PANEL_SESSION_KEY", SESSION_KEY),
            ("HELPLINE_PANEL_CLIENT_ID", "1234567890123456789"),
            ("RUST_LOG", "trace"),
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let (out, err) = (crate::stdout(&output), stderr(&output));
    for secret in ["oauth2-very-secret", SESSION_KEY] {
        assert!(!out.contains(secret) && !err.contains(secret), "{out}{err}");
    }
    for line in [
        "[panel]\n",
        "listen = \"0.0.0.0:8080\"  # default\n",
        "# public_url: unset (default)\n",
        "client_id = \"1234567890123456789\"  # environment HELPLINE_PANEL_CLIENT_ID\n",
        "client_secret = \"[redacted]\"  # environment HELPLINE_PANEL_CLIENT_SECRET\n",
        "session_key = \"[redacted]\"  # environment HELPLINE_PANEL_SESSION_KEY\n",
        "access_cache_secs = 60  # default\n",
        "session_hours = 12  # default\n",
    ] {
        assert!(out.contains(line), "{line} missing in\n{out}");
    }
}
