//! `helpline demo`: the local Discord emulator and the bot in one process, with a seeded "Demo
//! Server" — an admin, two staff, three members — so anyone can try Helpline without a token.
//! Interactive, it prints how to act as each person through the emulator's admin routes;
//! with `--script` it plays the whole story (setup, open, write, claim, close, transcript,
//! delete, then a second panel with a topic and its form), prints one line per step, and exits non-zero naming the step that failed.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail, ensure};
use discord_emulator::{Emulator, EmulatorConfig, InteractionOutcome, OptionValue};
use helpline_bot::{Bot, BotConfig, RestProxy};
use helpline_domain::permissions::{BOT_REQUIRED, Permissions};
use helpline_domain::{ChannelId, GuildId, RoleId, UserId};
use helpline_store::{SqliteStore, Store, StoreLimits};
use twilight_model::channel::Message;
use twilight_model::channel::message::Component;

use crate::settings::Settings;
use crate::telemetry;

/// The seeded world.
struct Demo {
    emulator: Emulator,
    store: Arc<dyn Store>,
    guild: GuildId,
    general: ChannelId,
    admin: UserId,
    staff: [(UserId, &'static str); 2],
    staff_role: RoleId,
    members: [(UserId, &'static str); 3],
}

pub(crate) async fn run(
    settings: &Settings,
    listen: SocketAddr,
    script: bool,
) -> anyhow::Result<()> {
    let readiness = match settings.metrics.listen {
        Some(metrics) => Some(telemetry::serve_metrics(metrics).await?),
        None => None,
    };
    let limits = settings.store.limits();
    let demo = seed(listen, limits).await?;
    let config = BotConfig {
        rest_proxy: Some(RestProxy {
            host: demo.emulator.http_host().to_owned(),
            use_http: true,
        }),
        gateway_url: Some(demo.emulator.gateway_url().to_owned()),
        store_limits: limits,
        ..BotConfig::new(demo.emulator.bot_token().to_owned())
    };
    let running = Bot::start(config, demo.store.clone())
        .await
        .map_err(|error| anyhow!("cannot start the bot: {error}"))?;
    if let Some(readiness) = readiness {
        let bot = running.bot.clone();
        readiness.set(Arc::new(move || {
            let bot = bot.clone();
            Box::pin(async move { bot.readiness().await })
        }));
    }
    ensure!(
        demo.emulator
            .wait_for_sessions(1, Duration::from_secs(10))
            .await,
        "the bot did not connect to the emulator's gateway"
    );
    wait_until(|| running.bot.knows_guild(demo.guild))
        .await
        .context("the bot never received the Demo Server")?;
    let result = if script {
        play(&demo).await
    } else {
        // Ada names the staff the way an admin does; then it is the visitor's turn.
        staff_add(&demo).await?;
        interactive(&demo).await
    };
    running.stop().await;
    demo.emulator.shutdown();
    result
}

async fn seed(listen: SocketAddr, limits: StoreLimits) -> anyhow::Result<Demo> {
    let emulator = Emulator::start(EmulatorConfig {
        listen,
        ..EmulatorConfig::default()
    })
    .await
    .with_context(|| format!("cannot start the Discord emulator on {listen}"))?;
    let admin = emulator.create_user("Ada", "en-US");
    let guild = emulator.create_guild("Demo Server", admin, "en-US")?;
    emulator.set_bot_permissions(guild, BOT_REQUIRED)?;
    let staff_role = emulator.create_role(guild, "Support", Permissions::empty())?;
    let staff = [
        (emulator.create_user("Sam", "en-US"), "Sam"),
        (emulator.create_user("Sky", "fr"), "Sky"),
    ];
    for (user, _) in staff {
        emulator.add_member(guild, user, &[staff_role])?;
    }
    let members = [
        (emulator.create_user("Mia", "en-US"), "Mia"),
        (emulator.create_user("Max", "fr"), "Max"),
        (emulator.create_user("Noa", "en-US"), "Noa"),
    ];
    for (user, _) in members {
        emulator.add_member(guild, user, &[])?;
    }
    let general = emulator.create_text_channel(guild, "general", None)?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory(limits).await?);
    Ok(Demo {
        emulator,
        store,
        guild,
        general,
        admin,
        staff,
        staff_role,
        members,
    })
}

async fn wait_until(condition: impl Fn() -> bool) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        if tokio::time::Instant::now() >= deadline {
            bail!("timed out");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

#[allow(clippy::print_stdout)]
async fn interactive(demo: &Demo) -> anyhow::Result<()> {
    let base = demo.emulator.base_url();
    let act = |user: UserId| format!("{base}/_emulator/act/{user}");
    println!("Helpline demo: the bot runs against a local Discord emulator.");
    println!("  REST    {base}/api/v10");
    println!("  gateway {}", demo.emulator.gateway_url());
    println!();
    println!("Demo Server {} — #general {}", demo.guild, demo.general);
    println!("  Ada (admin)   {}", demo.admin);
    for (user, name) in demo.staff {
        println!(
            "  {name} (staff)   {user}   role Support {}",
            demo.staff_role
        );
    }
    for (user, name) in demo.members {
        println!("  {name} (member)  {user}");
    }
    println!();
    println!("Act as a person with the emulator's admin routes, for example:");
    println!(
        "  curl -s -X POST {} -H 'content-type: application/json' -d '{{\"guild_id\":\"{}\",\"channel_id\":\"{}\",\"name\":\"setup\"}}'",
        act(demo.admin) + "/command",
        demo.guild,
        demo.general
    );
    println!(
        "  curl -s {base}/_emulator/state    # every guild, channel and member; then read a channel:"
    );
    println!("  curl -s {base}/_emulator/channels/CHANNEL_ID/messages");
    println!(
        "  curl -s -X POST {} -H 'content-type: application/json' -d '{{\"channel_id\":\"PANEL_CHANNEL\",\"message_id\":\"PANEL_MESSAGE\",\"custom_id\":\"hl:open:1\"}}'",
        act(demo.members[0].0) + "/click"
    );
    println!(
        "  curl -s -X POST {} -H 'content-type: application/json' -d '{{\"channel_id\":\"TICKET_CHANNEL\",\"content\":\"hello\"}}'",
        act(demo.members[0].0) + "/message"
    );
    println!("Or run `helpline demo --script` to watch the whole story. Ctrl-C stops.");
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for ctrl-c")?;
    Ok(())
}

/// The custom id of the button labelled `label` on `message`.
fn button(message: &Message, label: &str) -> anyhow::Result<String> {
    fn find(components: &[Component], label: &str) -> Option<String> {
        components.iter().find_map(|component| match component {
            Component::ActionRow(row) => find(&row.components, label),
            Component::Button(button) if button.label.as_deref() == Some(label) => {
                button.custom_id.clone()
            }
            _ => None,
        })
    }
    find(&message.components, label).ok_or_else(|| anyhow!("no {label:?} button"))
}

/// What the person read in answer.
fn reply(outcome: &InteractionOutcome) -> anyhow::Result<String> {
    outcome
        .message()
        .map(|m| m.text())
        .ok_or_else(|| anyhow!("no answer, the person saw {:?}", outcome.answer()))
}

/// Ada makes Support the staff role with `/staff add`.
async fn staff_add(demo: &Demo) -> anyhow::Result<String> {
    let outcome = demo
        .emulator
        .as_user(demo.admin)
        .run_command(
            demo.guild,
            demo.general,
            "staff add",
            &[("role1", OptionValue::Role(demo.staff_role))],
        )
        .await?;
    let text = reply(&outcome)?;
    ensure!(
        text.contains("can now answer tickets"),
        "unexpected answer {text:?}"
    );
    Ok(text)
}

/// Plays the story; returns the first failed step.
#[allow(clippy::print_stdout)]
async fn play(demo: &Demo) -> anyhow::Result<()> {
    let mut step = 0;
    let mut run = async |name: &str, result: anyhow::Result<String>| -> anyhow::Result<()> {
        step += 1;
        match result {
            Ok(detail) => {
                println!("ok   {step}. {name}: {detail}");
                let _ = std::io::stdout().flush();
                Ok(())
            }
            Err(error) => {
                println!("FAIL {step}. {name}: {error:#}");
                Err(anyhow!("step {step} failed: {name}"))
            }
        }
    };
    let emulator = &demo.emulator;
    let (mia, _) = demo.members[0];
    let (sam, _) = demo.staff[0];

    run(
        "Ada (admin) names the staff with /staff add",
        staff_add(demo).await,
    )
    .await?;
    let setup = async {
        let outcome = emulator
            .as_user(demo.admin)
            .run_command(demo.guild, demo.general, "setup", &[])
            .await?;
        let text = reply(&outcome)?;
        ensure!(text.contains("is ready"), "unexpected answer {text:?}");
        Ok(text)
    };
    run("Ada (admin) runs /setup", setup.await).await?;
    let config = demo
        .store
        .guild_config(demo.guild)
        .await?
        .context("no configuration saved")?;
    let channels = config.setup.context("no setup saved")?;
    let panel = emulator
        .messages(channels.panel_channel)
        .into_iter()
        .find(|m| !m.components.is_empty())
        .context("no panel message")?;

    let open = async {
        let outcome = emulator
            .as_user(mia)
            .click_button(
                channels.panel_channel,
                panel.id,
                &button(&panel, "Open a ticket")?,
            )
            .await?;
        reply(&outcome)
    };
    let opened = open.await;
    let ticket_channel = opened
        .as_ref()
        .ok()
        .and_then(|text| text.split("<#").nth(1)?.split('>').next()?.parse().ok())
        .map(ChannelId::new);
    run("Mia clicks Open a ticket", opened).await?;
    let channel = ticket_channel.context("the answer names no channel")?;
    ensure!(
        !emulator.can_view(demo.members[1].0, channel),
        "Max can see Mia's ticket"
    );

    let write = async {
        emulator
            .as_user(mia)
            .send_message(
                channel,
                "Hello, my invoice is wrong.",
                [("invoice.txt", b"total: 42".to_vec())],
            )
            .await?;
        // The bot captures it from the gateway: wait until the transcript holds it, file included.
        let ticket = demo
            .store
            .ticket_by_channel(channel)
            .await?
            .context("no ticket for the channel")?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let messages = demo.store.transcript(ticket.id).await?;
            if messages
                .iter()
                .any(|m| m.attachments.iter().any(|a| a.stored))
            {
                break;
            }
            ensure!(
                tokio::time::Instant::now() < deadline,
                "the message never reached the transcript"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok("a message with invoice.txt, captured for the transcript".to_owned())
    };
    run("Mia writes in her ticket", write.await).await?;
    let welcome = emulator
        .pins(channel)
        .into_iter()
        .next()
        .context("no pinned welcome message")?;

    let claim = async {
        let outcome = emulator
            .as_user(sam)
            .click_button(channel, welcome.id, &button(&welcome, "Claim")?)
            .await?;
        reply(&outcome)
    };
    run("Sam (staff) claims it", claim.await).await?;

    let close = async {
        let outcome = emulator
            .as_user(mia)
            .click_button(channel, welcome.id, &button(&welcome, "Close")?)
            .await?;
        let confirm = outcome.message().context("no confirmation")?;
        let confirm_message = confirm.message.clone();
        let outcome = emulator
            .as_user(mia)
            .click_button(
                channel,
                confirm_message.id,
                &button(&confirm_message, "Close now")?,
            )
            .await?;
        reply(&outcome)
    };
    run("Mia closes it", close.await).await?;

    let transcript = async {
        wait_until(|| {
            emulator
                .messages(channels.log_channel)
                .iter()
                .any(|m| !m.attachments.is_empty())
        })
        .await?;
        let file = emulator
            .messages(channels.log_channel)
            .into_iter()
            .find_map(|m| m.attachments.into_iter().next())
            .context("no transcript")?;
        let html = emulator
            .attachment_bytes(&file.url)
            .context("transcript not downloadable")?;
        let html = String::from_utf8_lossy(&html);
        ensure!(
            html.contains("my invoice is wrong"),
            "the transcript misses Mia's message"
        );
        ensure!(
            html.contains("invoice.txt"),
            "the transcript misses the attachment"
        );
        Ok(format!(
            "{} ({} bytes) in the log channel",
            file.filename,
            html.len()
        ))
    };
    run("the transcript is posted", transcript.await).await?;

    let delete = async {
        let notice = emulator
            .messages(channel)
            .into_iter()
            .rev()
            .find(|m| !m.components.is_empty())
            .context("no closed notice")?;
        let outcome = emulator
            .as_user(sam)
            .click_button(channel, notice.id, &button(&notice, "Delete")?)
            .await?;
        let text = reply(&outcome)?;
        wait_until(|| emulator.channel(channel).is_none())
            .await
            .context("the channel was not deleted")?;
        Ok(text)
    };
    run("Sam deletes it", delete.await).await?;

    // The configuration an admin adds next: a second panel with a topic and its form.
    let admin = emulator.as_user(demo.admin);
    let create_panel = async {
        let outcome = admin
            .run_command(
                demo.guild,
                demo.general,
                "panel create",
                &[
                    ("name", OptionValue::String("Sales".into())),
                    ("open_limit", OptionValue::Integer(2)),
                ],
            )
            .await?;
        let text = reply(&outcome)?;
        ensure!(
            text.starts_with("Panel **Sales** posted"),
            "unexpected answer {text:?}"
        );
        Ok(text)
    };
    run(
        "Ada (admin) creates a Sales panel with /panel create",
        create_panel.await,
    )
    .await?;
    let add_topic = async {
        let outcome = admin
            .run_command(
                demo.guild,
                demo.general,
                "topic add",
                &[
                    ("name", OptionValue::String("Quotes".into())),
                    ("panel", OptionValue::String("Sales".into())),
                ],
            )
            .await?;
        let text = reply(&outcome)?;
        ensure!(
            text.starts_with("Topic **Quotes** added"),
            "unexpected answer {text:?}"
        );
        Ok(text)
    };
    run(
        "Ada (admin) adds the topic Quotes to it with /topic add",
        add_topic.await,
    )
    .await?;
    let questions = async {
        let outcome = admin
            .run_command(
                demo.guild,
                demo.general,
                "topic questions",
                &[("name", OptionValue::String("Quotes".into()))],
            )
            .await?;
        let modal = outcome.modal().context("no questions form")?.clone();
        let outcome = admin
            .submit_modal(
                demo.general,
                &modal.custom_id,
                &[("q0", "Team size\ntype: select\nchoices: 1-10, 11-100, 100+")],
            )
            .await?;
        reply(&outcome)
    };
    run(
        "Ada (admin) gives Quotes a question with /topic questions",
        questions.await,
    )
    .await?;
    let (max, _) = demo.members[1];
    let open_quote = async {
        let outcome = emulator
            .as_user(max)
            .run_command(
                demo.guild,
                demo.general,
                "ticket",
                &[("topic", OptionValue::String("Quotes".into()))],
            )
            .await?;
        let form = outcome.modal().context("no form shown")?.clone();
        let outcome = emulator
            .as_user(max)
            .submit_modal(demo.general, &form.custom_id, &[("q0", "11-100")])
            .await?;
        reply(&outcome)
    };
    run(
        "Max opens a Quotes ticket with /ticket, answering its form",
        open_quote.await,
    )
    .await?;
    println!("the whole story played");
    Ok(())
}
