//! A1, A2, A3 and A8's reset from the web, with the bot running on the panel's store: the
//! panel asks, the bot does it on Discord (the emulator), and the page shows what became of it.

use crate::{Browser, World};
use helpline_store::JobState;
use std::time::Duration;
use twilight_model::channel::message::Component;
use twilight_model::id::Id as TwilightId;
use twilight_model::id::marker::{ChannelMarker, GuildMarker};

/// The bot on the world's store; Gamma (Ada's) with the bot's permissions and a public channel.
async fn bot_on_gamma(
    world: &World,
) -> (
    helpline_bot::RunningBot,
    TwilightId<GuildMarker>,
    TwilightId<ChannelMarker>,
) {
    let emulator = &world.emulator;
    let gamma = emulator.create_guild("Gamma", world.ada, "en-US").unwrap();
    emulator
        .set_bot_permissions(gamma, helpline_domain::permissions::BOT_REQUIRED)
        .unwrap();
    let general = emulator
        .create_text_channel(gamma, "general", None)
        .unwrap();
    emulator.add_member(gamma, world.mia, &[]).unwrap();
    let config = helpline_bot::BotConfig {
        rest_proxy: Some(helpline_bot::RestProxy {
            host: emulator.http_host().to_owned(),
            use_http: true,
        }),
        gateway_url: Some(emulator.gateway_url().to_owned()),
        rest_timeout: Duration::from_secs(5),
        ..helpline_bot::BotConfig::new(emulator.bot_token().to_owned())
    };
    let bot = helpline_bot::Bot::start(config, world.store.clone())
        .await
        .expect("the bot starts");
    assert!(emulator.wait_for_sessions(1, Duration::from_secs(10)).await);
    (bot, gamma, general)
}

/// Waits until every job of the guild has ended; returns the newest one's state.
async fn jobs_ended(world: &World, guild: TwilightId<GuildMarker>) -> JobState {
    let guild = helpline_domain::Id::new(guild.get());
    for _ in 0..300 {
        let jobs = world.store.guild_jobs(guild, 10).await.unwrap();
        if !jobs.is_empty() && jobs.iter().all(|j| j.state.ended()) {
            return jobs[0].state;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the guild's jobs did not end");
}

/// Labels of the buttons and options of the messages in a channel with an open button.
fn panel_messages(world: &World, channel: TwilightId<ChannelMarker>) -> Vec<(u64, Vec<String>)> {
    world
        .emulator
        .messages(channel)
        .into_iter()
        .filter_map(|message| {
            let mut labels = Vec::new();
            let mut opens = false;
            for row in &message.components {
                let Component::ActionRow(row) = row else {
                    continue;
                };
                for component in &row.components {
                    match component {
                        Component::Button(button) => {
                            opens |= button
                                .custom_id
                                .as_deref()
                                .is_some_and(|id| id.starts_with("hl:open:"));
                            labels.extend(button.label.clone());
                        }
                        Component::SelectMenu(menu) => {
                            opens = true;
                            labels.extend(menu.options.iter().flatten().map(|o| o.label.clone()));
                        }
                        _ => {}
                    }
                }
            }
            opens.then_some((message.id.get(), labels))
        })
        .collect()
}

async fn config(
    world: &World,
    guild: TwilightId<GuildMarker>,
) -> Option<helpline_domain::GuildConfig> {
    world
        .store
        .guild_config(helpline_domain::Id::new(guild.get()))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_a_server_up_edits_its_panels_and_erases_it_from_the_web() {
    let world = World::start(crate::MINUTE, crate::DAY).await;
    let (_bot, gamma, general) = bot_on_gamma(&world).await;
    let emulator = &world.emulator;
    let mut ada = world.browser();
    let servers = ada.sign_in(&world, world.ada, "/guilds").await;
    // Gamma is not set up: offered for setup to its owner.
    assert!(
        servers
            .body
            .contains(&format!(r#"href="/guilds/{gamma}/setup""#)),
        "{}",
        servers.body
    );
    let url = format!("/guilds/{gamma}/setup");
    let page = ada.get(&url).await;
    assert_eq!(page.status, 200, "{page:?}");
    assert!(
        page.body.contains("#general"),
        "the server's channels are offered"
    );
    let csrf = Browser::csrf(&page.body);

    // A log channel everyone reads is refused by the bot, with the reason; nothing is made.
    let general_id = general.to_string();
    let asked = ada
        .post(&url, &[("csrf", &csrf), ("log_channel", &general_id)])
        .await;
    assert_eq!(asked.status, 303, "{asked:?}");
    assert!(matches!(
        jobs_ended(&world, gamma).await,
        JobState::Refused { .. }
    ));
    assert!(config(&world, gamma).await.is_none());
    assert_eq!(emulator.channels(gamma).len(), 1, "nothing was created");
    let page = ada.get(&url).await;
    assert!(
        page.body.contains("everyone can read #general"),
        "{}",
        page.body
    );

    // A channel of another server is not one this page offers: not found, and no job.
    let jobs_before = world
        .store
        .guild_jobs(helpline_domain::Id::new(gamma.get()), 50)
        .await
        .unwrap()
        .len();
    let foreign = ada
        .post(&url, &[("csrf", &csrf), ("panel_channel", "77")])
        .await;
    assert_eq!(foreign.status, 404);
    assert_eq!(
        world
            .store
            .guild_jobs(helpline_domain::Id::new(gamma.get()), 50)
            .await
            .unwrap()
            .len(),
        jobs_before
    );

    // Everything created: category, panel channel, private log, the panel posted.
    let asked = ada.post(&url, &[("csrf", &csrf), ("language", "fr")]).await;
    assert_eq!(asked.status, 303, "{asked:?}");
    assert_eq!(jobs_ended(&world, gamma).await, JobState::Done);
    let set_up = config(&world, gamma).await.expect("saved by the bot");
    let setup = set_up.setup.expect("set up");
    assert_eq!(set_up.settings.language, helpline_domain::Language::French);
    let panel_channel = TwilightId::<ChannelMarker>::new(setup.panel_channel.get());
    let posted = panel_messages(&world, panel_channel);
    assert_eq!(posted.len(), 1, "one panel message: {posted:?}");
    assert_eq!(
        Some(posted[0].0),
        set_up.panels[0].message_id.map(|m| m.get())
    );
    assert_eq!(
        emulator.channels(gamma).len(),
        4,
        "category, panel, log, general"
    );
    let page = ada.get(&url).await;
    assert!(page.body.contains("done"), "{}", page.body);

    // A topic added on the panels page shows on the posted panel.
    let panels = format!("/guilds/{gamma}/panels");
    let page = ada.get(&panels).await;
    assert_eq!(page.status, 200, "{page:?}");
    let version = set_up.version.to_string();
    let first = set_up.panels[0].id.to_string();
    let on_first = format!("on_{first}");
    let added = ada
        .post(
            &panels,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "add_topic"),
                ("name", "Billing"),
                ("description", "Invoices and refunds"),
                (&on_first, "yes"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{added:?}");
    assert_eq!(jobs_ended(&world, gamma).await, JobState::Done);
    let posted = panel_messages(&world, panel_channel);
    assert_eq!(posted.len(), 1, "edited, not posted again: {posted:?}");
    assert!(posted[0].1.iter().any(|l| l == "Billing"), "{posted:?}");

    // A topic the domain refuses (a name taken) is answered on the page; nothing is saved.
    let now = config(&world, gamma).await.unwrap();
    let version = now.version.to_string();
    let refused = ada
        .post(
            &panels,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "add_topic"),
                ("name", "billing"),
            ],
        )
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains(r#"role="alert""#), "{}", refused.body);
    assert_eq!(config(&world, gamma).await.unwrap().version, now.version);

    // A second panel, in #general: posted there; deleted after a confirmation: taken down.
    let created = ada
        .post(
            &panels,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "create_panel"),
                ("name", "Sales"),
                ("channel", &general_id),
                ("style", "buttons"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{created:?}");
    assert_eq!(jobs_ended(&world, gamma).await, JobState::Done);
    assert_eq!(panel_messages(&world, general).len(), 1);
    let now = config(&world, gamma).await.unwrap();
    let sales = now.panel_named("Sales").unwrap();
    assert!(sales.message_id.is_some(), "the bot recorded its message");
    let (sales_id, version) = (sales.id.to_string(), now.version.to_string());
    let delete = [
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("action", "delete_panel"),
        ("panel", sales_id.as_str()),
    ];
    let asking = ada.post(&panels, &delete).await;
    assert_eq!(asking.status, 200, "a confirmation first");
    assert!(
        asking.body.contains("Delete the panel Sales?"),
        "{}",
        asking.body
    );
    assert!(
        config(&world, gamma)
            .await
            .unwrap()
            .panel_named("Sales")
            .is_some()
    );
    let mut confirmed = delete.to_vec();
    confirmed.push(("confirm", "yes"));
    assert_eq!(ada.post(&panels, &confirmed).await.status, 303);
    assert_eq!(jobs_ended(&world, gamma).await, JobState::Done);
    assert!(panel_messages(&world, general).is_empty(), "taken down");
    assert!(
        config(&world, gamma)
            .await
            .unwrap()
            .panel_named("Sales")
            .is_none()
    );

    // A form read before another change is refused whole.
    let stale = ada
        .post(
            &panels,
            &[
                ("csrf", &csrf),
                ("version", &version),
                ("action", "post"),
                ("panel", &first),
            ],
        )
        .await;
    assert_eq!(stale.status, 200);
    assert!(stale.body.contains("changed meanwhile"), "{}", stale.body);

    // Mia, a member, finds neither page.
    let mut mia = world.browser();
    mia.sign_in(&world, world.mia, "/tickets").await;
    assert_eq!(mia.get(&url).await.status, 404);
    assert_eq!(mia.get(&panels).await.status, 404);

    // Erased after a confirmation: the configuration goes, the bot takes the panel down.
    let state = format!("/guilds/{gamma}/state");
    let now = config(&world, gamma).await.unwrap();
    let version = now.version.to_string();
    let reset = [
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("action", "reset"),
    ];
    let asking = ada.post(&state, &reset).await;
    assert_eq!(asking.status, 200);
    assert!(
        config(&world, gamma).await.is_some(),
        "not before the confirmation"
    );
    let mut confirmed = reset.to_vec();
    confirmed.push(("confirm", "yes"));
    let erased = ada.post(&state, &confirmed).await;
    assert_eq!(erased.status, 303, "{erased:?}");
    assert_eq!(erased.location(), format!("{url}?reset=1"));
    assert_eq!(jobs_ended(&world, gamma).await, JobState::Done);
    assert!(config(&world, gamma).await.is_none());
    assert!(
        panel_messages(&world, panel_channel).is_empty(),
        "taken down"
    );
}
