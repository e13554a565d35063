//! discord.py, a real client library other than twilight, run unmodified against the
//! emulator (only its base URLs changed): `tests/discord_py/bot.py` on the venv that
//! `cargo xtask test` installs into `target/venv`.

use std::{
    io::{BufRead as _, BufReader, Write as _},
    path::PathBuf,
    process::{Child, ChildStdin, Command, Stdio},
    time::Duration,
};

use tokio::{sync::mpsc, time::timeout};

use crate::common;

/// How long the script may take to reach a step (its first start imports discord.py).
const STEP_WAIT: Duration = Duration::from_secs(30);

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The venv's Python, or a failure saying how to get it: this test never passes silently.
fn python() -> PathBuf {
    let venv = std::env::var_os("DISCORD_PY_VENV")
        .map_or_else(|| workspace().join("target/venv"), PathBuf::from);
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "discord.py is not installed: {} is missing. `cargo xtask test` installs it; or run \
         `python3 -m venv target/venv && target/venv/bin/pip install discord.py` at the \
         workspace root (or set DISCORD_PY_VENV to a venv that has it)",
        python.display()
    );
    python
}

/// The script's process, its stdin for cues and its `STEP` lines.
struct Script {
    child: Child,
    stdin: ChildStdin,
    steps: mpsc::UnboundedReceiver<String>,
}

impl Script {
    async fn expect(&mut self, prefix: &str) -> String {
        timeout(STEP_WAIT, async {
            loop {
                let line = self
                    .steps
                    .recv()
                    .await
                    .unwrap_or_else(|| panic!("discord.py exited before `{prefix}`"));
                if line.starts_with(prefix) {
                    return line;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("discord.py reached `{prefix}` in time"))
    }

    fn cue(&mut self, cue: &str) {
        writeln!(self.stdin, "{cue}").expect("the script reads its cues");
        self.stdin.flush().unwrap();
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discord_py_connects_answers_interactions_respects_limits_and_reconnects() {
    let python = python();
    let emulator = common::start().await;
    let world = common::world(&emulator, common::bot_permissions());
    let mut child = Command::new(python)
        .arg(workspace().join("crates/discord-emulator/tests/discord_py/bot.py"))
        .env("EMULATOR_URL", emulator.base_url())
        .env("EMULATOR_GATEWAY", emulator.gateway_url())
        .env("EMULATOR_TOKEN", emulator.bot_token())
        .env("EMULATOR_GUILD", world.guild.to_string())
        .env("EMULATOR_CHANNEL", world.general.to_string())
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the venv's python starts");
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, steps) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            eprintln!("discord.py: {line}");
            if let Some(step) = line.strip_prefix("STEP ")
                && tx.send(step.to_owned()).is_err()
            {
                return;
            }
        }
    });
    let mut script = Script {
        child,
        stdin,
        steps,
    };

    // Connect and sync the guild command.
    assert_eq!(script.expect("synced").await, "synced ticket");
    let ready = script.expect("ready 1").await;
    assert_eq!(ready, format!("ready 1 {}", emulator.bot_user_id()));

    // A person runs it: discord.py answers with a button, then updates the message on a click.
    let alice = emulator.as_user(world.alice);
    let outcome = alice
        .run_command(world.guild, world.general, "ticket", &[])
        .await
        .unwrap();
    let message = outcome.expect_message().message.clone();
    assert_eq!(message.content, "Ticket?");
    script.expect("answered").await;
    let clicked = alice
        .click_button(world.general, message.id, "open")
        .await
        .unwrap();
    assert!(!clicked.failed(), "the click was answered in time");
    script.expect("clicked").await;
    let updated = emulator.message(world.general, message.id).unwrap();
    assert_eq!(updated.content, "Opened");
    assert!(updated.components.is_empty());

    // Eight messages into one channel at once: discord.py paces them by the bucket's headers.
    script.cue("burst");
    assert_eq!(script.expect("burst").await, "burst 8");
    let limited: Vec<_> = emulator
        .requests()
        .into_iter()
        .filter(|request| request.status == 429)
        .collect();
    assert!(limited.is_empty(), "no 429: {limited:?}");
    let burst = emulator
        .messages(world.general)
        .iter()
        .filter(|message| message.content.starts_with("burst "))
        .count();
    assert_eq!(burst, 8);

    // Op 7: discord.py resumes. Op 9 (not resumable): it identifies again.
    assert_eq!(emulator.reconnect_shards(None), 1);
    script.expect("resumed").await;
    assert_eq!(emulator.invalidate_sessions(None, false), 1);
    script.expect("ready 2").await;

    script.cue("quit");
    let status = tokio::task::spawn_blocking(move || {
        let mut script = script;
        let status = script.child.wait();
        drop(script);
        status
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success(), "discord.py exited cleanly: {status}");
}
