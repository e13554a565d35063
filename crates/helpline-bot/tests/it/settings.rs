//! Admins see and change the guild's settings with `/settings`, and members meet the result.

use crate::story::open_ticket;
use crate::world::World;
use discord_emulator::OptionValue;
use helpline_domain::{ApprovalMode, Language, OpenerLeaves};

/// Runs `/settings <subcommand>` as the admin; returns the embed's fields as (name, value).
async fn settings(
    world: &World,
    subcommand: &str,
    options: &[(&str, OptionValue)],
) -> (String, Vec<(String, String)>) {
    let outcome = world
        .emulator
        .as_user(world.admin)
        .run_command(
            world.guild,
            world.general,
            &format!("settings {subcommand}"),
            options,
        )
        .await
        .expect("the command runs");
    let message = outcome.expect_message();
    assert!(message.ephemeral);
    let fields = message
        .message
        .embeds
        .first()
        .map(|embed| {
            embed
                .fields
                .iter()
                .map(|f| (f.name.clone(), f.value.clone()))
                .collect()
        })
        .unwrap_or_default();
    (message.text(), fields)
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {name} in {fields:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_change_settings_and_members_meet_them() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, ..] = world.members;
    let (text, fields) = settings(&world, "show", &[]).await;
    assert!(text.starts_with("Helpline settings"), "{text}");
    assert_eq!(value(&fields, "Language"), "English");
    assert_eq!(value(&fields, "Approval"), "Automatic");
    assert_eq!(value(&fields, "Open tickets per member"), "1");
    assert_eq!(value(&fields, "Wait between two tickets"), "1 minute");
    assert_eq!(value(&fields, "Transcripts kept"), "365 days");
    assert_eq!(
        value(&fields, "Staff roles"),
        format!("<@&{}>", world.staff_role)
    );

    // Nothing to change is said so.
    let (text, fields) = settings(&world, "set", &[]).await;
    assert!(fields.is_empty());
    assert!(text.contains("at least one setting"), "{text}");

    let (_, fields) = settings(
        &world,
        "set",
        &[
            ("language", OptionValue::String("fr".into())),
            ("approval", OptionValue::String("manual".into())),
            ("open_limit", OptionValue::Integer(2)),
            ("cooldown", OptionValue::Integer(0)),
            ("opener_leaves", OptionValue::String("keep".into())),
            ("retention_days", OptionValue::Integer(30)),
            ("dm_on_close", OptionValue::Boolean(false)),
        ],
    )
    .await;
    // The admin's own locale (en-US) answers; the guild now speaks French.
    assert_eq!(value(&fields, "Language"), "Français");
    assert_eq!(value(&fields, "Approval"), "Staff accept each ticket");
    assert_eq!(value(&fields, "Open tickets per member"), "2");
    assert_eq!(value(&fields, "Transcripts kept"), "30 days");
    assert_eq!(
        value(&fields, "Transcript sent to the opener on close"),
        "no"
    );
    let config = world.config().await;
    assert_eq!(config.settings.language, Language::French);
    assert_eq!(config.settings.opener_leaves, OpenerLeaves::Keep);
    assert!(
        config
            .panels
            .iter()
            .all(|p| p.settings.approval == ApprovalMode::Manual && p.settings.open_limit == 2)
    );

    // A member's click now goes to staff for approval, and the log speaks French.
    let (reply, channel) = open_ticket(&world, panel, mia).await;
    assert!(channel.is_none(), "no channel before staff accept: {reply}");
    assert!(reply.contains("sent to the staff"), "{reply}");
    let log = world.log_channel().await;
    world
        .wait_until(|| {
            world.emulator.messages(log).iter().any(|m| {
                m.embeds
                    .first()
                    .and_then(|e| e.title.as_deref())
                    .is_some_and(|t| t.starts_with("Demande de ticket"))
            })
        })
        .await;

    // Back to automatic: Max's ticket opens at once, welcomed in French, the guild's language
    // (the default welcome follows it; a guild's own template would not change).
    let (_, fields) = settings(
        &world,
        "set",
        &[("approval", OptionValue::String("automatic".into()))],
    )
    .await;
    assert_eq!(value(&fields, "Approval"), "Automatic");
    let [_, max, _] = world.members;
    let (_, channel) = open_ticket(&world, panel, max).await;
    let welcome = world.emulator.pins(channel.unwrap()).remove(0);
    let text = welcome.embeds[0].description.clone().unwrap();
    assert!(
        text.starts_with(&format!("<@{max}>, merci d'avoir ouvert un ticket")),
        "{text}"
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_channel_stays_private_and_new_tickets_follow_the_default_category() {
    use helpline_domain::permissions::Permissions;
    use twilight_model::channel::permission_overwrite::{
        PermissionOverwrite, PermissionOverwriteType,
    };
    let world = World::new().await;
    let panel = world.set_up().await;
    let before = world.config().await;
    // #general is readable by every member: refused, nothing changes.
    let (text, fields) = settings(
        &world,
        "set",
        &[("log_channel", OptionValue::Channel(world.general))],
    )
    .await;
    assert!(fields.is_empty());
    assert!(text.contains("can be read by every member"), "{text}");
    let after = world.config().await;
    assert_eq!(after.settings, before.settings);

    let staff_log = world
        .emulator
        .create_text_channel(world.guild, "staff-log", None)
        .unwrap();
    world
        .emulator
        .set_channel_overwrites(
            staff_log,
            vec![PermissionOverwrite {
                id: world.guild.cast(),
                kind: PermissionOverwriteType::Role,
                allow: Permissions::empty(),
                deny: Permissions::VIEW_CHANNEL,
            }],
        )
        .unwrap();
    let escalations = world
        .emulator
        .create_category(world.guild, "Escalations")
        .unwrap();
    let (_, fields) = settings(
        &world,
        "set",
        &[
            ("log_channel", OptionValue::Channel(staff_log)),
            ("default_category", OptionValue::Channel(escalations)),
            ("reason", OptionValue::String("required".into())),
        ],
    )
    .await;
    assert_eq!(value(&fields, "Log channel"), format!("<#{staff_log}>"));
    assert_eq!(
        value(&fields, "Category of new tickets"),
        format!("<#{escalations}>")
    );
    assert_eq!(value(&fields, "Reason when opening"), "Required");
    let config = world.config().await;
    assert!(
        config
            .panels
            .iter()
            .all(|p| p.settings.reason == helpline_domain::ReasonMode::Required)
    );
    // Back to optional (the form is another test's): Mia's ticket goes to the new category.
    settings(
        &world,
        "set",
        &[("reason", OptionValue::String("optional".into()))],
    )
    .await;
    let [mia, ..] = world.members;
    let (_, channel) = open_ticket(&world, panel, mia).await;
    assert_eq!(
        world.emulator.channel(channel.unwrap()).unwrap().parent_id,
        Some(escalations)
    );
    world.bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_opened_outside_support_hours_say_when_staff_are_back() {
    let world = World::new().await;
    let panel = world.set_up().await;
    let [mia, max, _] = world.members;
    // A time zone where it is about noon now, and hours that are not.
    let now_minutes = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 60
        % 1440;
    let offset = 720 - now_minutes;
    let zone = format!(
        "{}{:02}:{:02}",
        if offset < 0 { '-' } else { '+' },
        offset.abs() / 60,
        offset.abs() % 60
    );
    let (_, fields) = settings(
        &world,
        "set",
        &[
            (
                "support_hours",
                OptionValue::String("Mon-Sun 03:00-03:30".into()),
            ),
            ("timezone", OptionValue::String(zone.clone())),
        ],
    )
    .await;
    let shown = fields
        .iter()
        .find(|(name, _)| name == "Support hours")
        .map(|(_, value)| value.clone());
    assert_eq!(
        shown.as_deref(),
        Some(format!("mon-sun 03:00-03:30 UTC{zone}").as_str())
    );
    let (_, channel) = open_ticket(&world, panel, mia).await;
    let channel = channel.unwrap();
    world.wait_for_outbox().await;
    let away = world
        .emulator
        .messages(channel)
        .into_iter()
        .find(|m| m.content.starts_with("Our staff are away right now"))
        .expect("the away notice");
    assert!(away.content.contains(":F> (<t:"), "{}", away.content);

    // A time zone alone moves the same hours; an unreadable one is refused.
    let (_, fields) = settings(
        &world,
        "set",
        &[("timezone", OptionValue::String("+05:45".into()))],
    )
    .await;
    assert!(fields.contains(&(
        "Support hours".into(),
        "mon-sun 03:00-03:30 UTC+05:45".into()
    )));
    let (text, _) = settings(
        &world,
        "set",
        &[("timezone", OptionValue::String("Paris".into()))],
    )
    .await;
    assert!(text.starts_with("Write support hours as days"), "{text}");
    // Unreadable hours are refused and change nothing.
    let (text, _) = settings(
        &world,
        "set",
        &[("support_hours", OptionValue::String("whenever".into()))],
    )
    .await;
    assert!(text.starts_with("Write support hours as days"), "{text}");
    // Off: always open, no notice.
    let (_, fields) = settings(
        &world,
        "set",
        &[("support_hours", OptionValue::String("off".into()))],
    )
    .await;
    assert!(fields.contains(&("Support hours".into(), "Always".into())));
    let (_, channel) = open_ticket(&world, panel, max).await;
    let channel = channel.unwrap();
    world.wait_for_outbox().await;
    assert!(
        !world
            .emulator
            .messages(channel)
            .iter()
            .any(|m| m.content.contains("away right now") || m.content.contains("absent"))
    );
}
