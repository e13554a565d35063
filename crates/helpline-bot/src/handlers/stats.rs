//! `/stats [member]` (S9): the guild's tickets, or one staff member's, over the last 7 and 30
//! days and all time — created (claimed), closed, first-response and resolution times (median
//! and 90th percentile) — and what is open or waiting now, from the tickets' own timestamps.
//! For staff and admins.

use super::{guild_id, language, member};
use crate::reply::{Responder, empty_embed};
use crate::{Bot, Error, Result};
use helpline_domain::auth::{Standing, standing};
use helpline_domain::lifecycle::Refusal;
use helpline_domain::stats::{self, PeriodStats, Spread};
use helpline_domain::{GuildConfig, Language, TicketState, Timestamp};
use helpline_i18n::ui;
use std::time::Duration;
use twilight_model::application::interaction::application_command::{
    CommandData, CommandOptionValue,
};
use twilight_model::channel::message::embed::EmbedField;

const DAY: Duration = Duration::from_secs(24 * 3600);

pub(super) async fn run(bot: &Bot, responder: &Responder<'_>, data: &CommandData) -> Result<()> {
    responder.defer(true).await?;
    let interaction = responder.interaction;
    let guild = guild_id(interaction)?;
    let translator = &bot.inner.translator;
    let config = bot
        .inner
        .store
        .guild_config(guild)
        .await?
        .unwrap_or_else(|| GuildConfig::new(guild));
    let lang = language(bot, interaction, Some(&config));
    let actor =
        member(interaction).ok_or_else(|| Error::Unexpected("/stats without a member".into()))?;
    let topic_staff = config
        .topics
        .iter()
        .any(|t| actor.roles.iter().any(|r| t.staff_roles.contains(r)));
    if standing(&actor, &config, None) == Standing::Member && !topic_staff {
        return responder
            .follow_up(&translator.render(lang, &Refusal::NotStaff))
            .await;
    }
    let staff = data
        .options
        .iter()
        .find_map(|o| match (&o.value, o.name.as_str()) {
            (CommandOptionValue::User(user), "member") => Some(*user),
            _ => None,
        });
    let tickets = crate::guild::tickets_in(bot, guild, &TicketState::ALL).await?;
    let now = bot.now();
    let ago = |duration: Duration| {
        Timestamp::from_millis(
            now.as_millis() - i64::try_from(duration.as_millis()).unwrap_or(i64::MAX),
        )
    };
    let current = stats::current(&tickets, staff);
    let mut fields = vec![EmbedField {
        inline: false,
        name: translator.text(lang, ui::STATS_NOW, &[]),
        value: translator.text(
            lang,
            if staff.is_some() {
                ui::STATS_NOW_MEMBER
            } else {
                ui::STATS_NOW_VALUE
            },
            &[
                ("open", current.open.into()),
                ("pending", current.pending.into()),
            ],
        ),
    }];
    for (key, since) in [
        (ui::STATS_WEEK, Some(ago(7 * DAY))),
        (ui::STATS_MONTH, Some(ago(30 * DAY))),
        (ui::STATS_ALL, None),
    ] {
        let period = stats::period(&tickets, since, staff);
        fields.push(EmbedField {
            inline: true,
            name: translator.text(lang, key, &[]),
            value: period_text(bot, lang, &period, staff.is_some()),
        });
    }
    let title = match staff {
        Some(user) => translator.text(
            lang,
            ui::STATS_TITLE_MEMBER,
            &[("member", super::resolved_name(data, user).into())],
        ),
        None => translator.text(lang, ui::STATS_TITLE, &[]),
    };
    responder
        .embed(twilight_model::channel::message::Embed {
            title: Some(title),
            color: Some(0x5865F2),
            fields,
            ..empty_embed()
        })
        .await
}

fn period_text(bot: &Bot, lang: Language, period: &PeriodStats, for_staff: bool) -> String {
    let translator = &bot.inner.translator;
    let spread = |spread: Option<Spread>| match spread {
        None => translator.text(lang, ui::STATS_NONE, &[]),
        Some(spread) => {
            let mut localizer = translator.localizer(lang);
            let median = localizer.duration(spread.median.as_secs());
            let p90 = localizer.duration(spread.p90.as_secs());
            translator.text(
                lang,
                ui::STATS_SPREAD,
                &[("median", median.into()), ("p90", p90.into())],
            )
        }
    };
    let rating = match period.rating_tenths() {
        None => translator.text(lang, ui::STATS_NONE, &[]),
        Some(tenths) => format!("{}.{}/5 ({})", tenths / 10, tenths % 10, period.ratings.1),
    };
    translator.text(
        lang,
        if for_staff {
            ui::STATS_PERIOD_MEMBER
        } else {
            ui::STATS_PERIOD
        },
        &[
            ("created", period.created.into()),
            ("closed", period.closed.into()),
            ("first", spread(period.first_response).into()),
            ("resolution", spread(period.resolution).into()),
            ("rating", rating.into()),
        ],
    )
}
