//! The guild's statistics (S9), `GET /guilds/{guild}/stats`, for the people who see the guild
//! view: tickets created and closed, first-response and resolution times (median and 90th
//! percentile) and the average rating over the last 7 days, 30 days and all time, what is open
//! or waiting now, the same for each staff member, and the tickets created each day of the last
//! 30. Every figure comes from `helpline_domain::stats` over all of the guild's tickets, with
//! the periods `/stats` uses, so the panel and the bot never disagree.
//!
//! The chart is inline SVG drawn here (no script, nothing loaded from elsewhere), with a title
//! and a description for assistive technology and its numbers in a table as well.

use crate::Shared;
use crate::discord::Discord;
use crate::page::{Text, esc, layout};
use crate::routes::managed_page;
use crate::routes::{Viewer, failure, html};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use helpline_domain::stats::{self, Current, PeriodStats, Spread};
use helpline_domain::{GuildId, Language, Ticket, TicketState, Timestamp, UserId};
use helpline_i18n::{panel as key, ui};
use helpline_store::{Page, Store};
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

const DAY: Duration = Duration::from_secs(24 * 3600);
const DAY_MILLIS: i64 = 86_400_000;
/// Days the chart shows, today (UTC) included.
const CHART_DAYS: usize = 30;
/// Tickets read per store call.
const READ_PAGE: u32 = 500;
/// Staff members shown at most, the most active first (each one's name is asked of Discord).
const STAFF_ROWS: usize = 25;

/// A period the figures are given for, as `/stats` counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Week,
    Month,
    AllTime,
}

impl Period {
    const ALL: [Self; 3] = [Self::Week, Self::Month, Self::AllTime];

    /// Its name in the query (`?period=`).
    fn name(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::AllTime => "all",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Week => ui::STATS_WEEK,
            Self::Month => ui::STATS_MONTH,
            Self::AllTime => ui::STATS_ALL,
        }
    }

    /// The staff table's period: the one asked for, else the last 30 days.
    fn from_query(name: Option<&str>) -> Self {
        Self::ALL
            .into_iter()
            .find(|period| Some(period.name()) == name)
            .unwrap_or(Self::Month)
    }

    /// Where the period starts (`None`: all time), exactly as `/stats` computes it.
    fn since(self, now: Timestamp) -> Option<Timestamp> {
        let ago = |duration: Duration| {
            Timestamp::from_millis(
                now.as_millis() - i64::try_from(duration.as_millis()).unwrap_or(i64::MAX),
            )
        };
        match self {
            Self::Week => Some(ago(7 * DAY)),
            Self::Month => Some(ago(30 * DAY)),
            Self::AllTime => None,
        }
    }
}

/// One staff member's figures.
#[derive(Debug)]
struct StaffRow {
    user: UserId,
    /// Tickets they claimed that are open now.
    open: usize,
    /// Over the period the page shows.
    period: PeriodStats,
}

/// Everything the page shows, computed from the guild's tickets.
#[derive(Debug)]
struct Figures {
    now: Current,
    /// The guild's figures for each of [`Period::ALL`].
    periods: [PeriodStats; 3],
    /// Tickets created each day of the chart, oldest first: the day's start and the count.
    per_day: Vec<(Timestamp, usize)>,
    /// The most active staff members, at most [`STAFF_ROWS`].
    staff: Vec<StaffRow>,
    /// How many staff members there are in all.
    staff_total: usize,
}

impl Figures {
    fn of(tickets: &[Ticket], now: Timestamp, period: Period) -> Self {
        let periods = Period::ALL.map(|p| stats::period(tickets, p.since(now), None));
        let mut staff: Vec<(usize, StaffRow)> = staff_members(tickets)
            .into_iter()
            .map(|user| {
                let all_time = stats::period(tickets, None, Some(user));
                let row = StaffRow {
                    user,
                    open: stats::current(tickets, Some(user)).open,
                    period: stats::period(tickets, period.since(now), Some(user)),
                };
                (all_time.created + all_time.closed, row)
            })
            .collect();
        // The most active first; ties in a stable order.
        staff.sort_by(|(a, row_a), (b, row_b)| b.cmp(a).then(row_a.user.cmp(&row_b.user)));
        let staff_total = staff.len();
        Self {
            now: stats::current(tickets, None),
            periods,
            per_day: per_day(tickets, now),
            staff: staff
                .into_iter()
                .take(STAFF_ROWS)
                .map(|(_, row)| row)
                .collect(),
            staff_total,
        }
    }
}

/// The guild's staff members as its tickets tell: whoever claimed one, or closed one they did
/// not open (an opener closing their own ticket is not staff for it).
fn staff_members(tickets: &[Ticket]) -> BTreeSet<UserId> {
    let mut staff = BTreeSet::new();
    for ticket in tickets {
        staff.extend(ticket.claimer);
        staff.extend(ticket.closed_by.filter(|by| *by != ticket.opener));
    }
    staff
}

/// Tickets created on each of the last [`CHART_DAYS`] UTC days, today included.
fn per_day(tickets: &[Ticket], now: Timestamp) -> Vec<(Timestamp, usize)> {
    let days = i64::try_from(CHART_DAYS).unwrap_or(i64::MAX);
    let today = now.as_millis().div_euclid(DAY_MILLIS);
    let first = today - (days - 1);
    let mut counts = vec![0; CHART_DAYS];
    for ticket in tickets {
        let day = ticket.created_at.as_millis().div_euclid(DAY_MILLIS);
        if let Some(count) = usize::try_from(day - first)
            .ok()
            .and_then(|index| counts.get_mut(index))
        {
            *count += 1;
        }
    }
    (first..)
        .zip(counts)
        .map(|(day, count)| (Timestamp::from_millis(day * DAY_MILLIS), count))
        .collect()
}

/// Every ticket of the guild, read a page at a time (as `/stats` reads them).
async fn guild_tickets(
    store: &dyn Store,
    guild: GuildId,
) -> Result<Vec<Ticket>, helpline_store::Error> {
    let mut tickets = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .tickets_by_guild(
                guild,
                &TicketState::ALL,
                Page {
                    limit: READ_PAGE,
                    before,
                },
            )
            .await?;
        let full = page.len() == READ_PAGE as usize;
        before = page.last().map(|t| t.number);
        tickets.extend(page);
        if !full {
            return Ok(tickets);
        }
    }
}

/// The names staff members go by in the guild, asked of Discord together; one that cannot be
/// read (no longer a member, Discord unavailable) is shown by its ID.
async fn staff_names(
    discord: &Discord,
    guild: GuildId,
    users: impl Iterator<Item = UserId>,
) -> HashMap<UserId, String> {
    let mut lookups = tokio::task::JoinSet::new();
    for user in users {
        let discord = discord.clone();
        lookups.spawn(async move { (user, discord.member_name(guild.get(), user.get()).await) });
    }
    let mut names = HashMap::new();
    while let Some(done) = lookups.join_next().await {
        match done {
            Ok((user, Ok(Some(name)))) => {
                names.insert(user, name);
            }
            Ok((_, Ok(None))) => {}
            Ok((user, Err(error))) => {
                tracing::warn!(
                    %error,
                    user = user.get(),
                    "a staff member's name could not be read"
                );
            }
            Err(error) => tracing::warn!(%error, "a staff member's name lookup stopped"),
        }
    }
    names
}

fn now() -> Timestamp {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// The link to the statistics, for the guild view.
pub(crate) fn link(text: Text<'_>, guild: GuildId) -> String {
    crate::routes::guild_link(text, guild, "stats", key::STATS_LINK)
}

/// `GET /guilds/{guild}/stats?period=`: the guild's figures; `period` (`week`, `month`, `all`)
/// chooses the staff table's.
pub(crate) async fn stats_page(
    State(shared): State<Arc<Shared>>,
    viewer: Viewer,
    Path(guild): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let (_, guild, seen, _) = match managed_page(&shared, &viewer, &guild).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let tickets = match guild_tickets(&*shared.store, guild).await {
        Ok(tickets) => tickets,
        Err(error) => return failure(&shared, &viewer, &error),
    };
    let period = Period::from_query(query.get("period").map(String::as_str));
    let figures = Figures::of(&tickets, now(), period);
    let names = staff_names(
        &shared.discord,
        guild,
        figures.staff.iter().map(|row| row.user),
    )
    .await;
    let text = viewer.text(&shared);
    let server = seen.guild_name.clone().unwrap_or_else(|| guild.to_string());
    let title = text.with(key::STATS_TITLE, &[("server", server.as_str().into())]);
    let back = text.with(key::GUILD_TITLE, &[("server", server.as_str().into())]);
    let body = format!(
        r#"<p><a href="/guilds/{guild}">{back}</a></p>{}"#,
        render(text, guild, &figures, period, &names),
        back = esc(&back),
    );
    html(
        StatusCode::OK,
        layout(text, &title, &viewer.header(), &body),
    )
}

/// The page's body below its links.
fn render(
    text: Text<'_>,
    guild: GuildId,
    figures: &Figures,
    period: Period,
    names: &HashMap<UserId, String>,
) -> String {
    let mut body = String::new();
    // Now.
    let _ = write!(
        body,
        r#"<h2>{now}</h2><dl class="facts"><dt>{open}</dt><dd>{open_count}</dd><dt>{pending}</dt><dd>{pending_count}</dd></dl>"#,
        now = esc(&text.get(ui::STATS_NOW)),
        open = esc(&text.get(key::STATS_OPEN)),
        open_count = figures.now.open,
        pending = esc(&text.get(key::STATS_PENDING)),
        pending_count = figures.now.pending,
    );
    // The whole server, a column per period.
    let headers: String = Period::ALL
        .iter()
        .map(|p| format!(r#"<th scope="col">{}</th>"#, esc(&text.get(p.label()))))
        .collect();
    let rows: String = figure_rows(text)
        .iter()
        .map(|(label, value)| {
            let cells: String = figures
                .periods
                .iter()
                .map(|stats| format!("<td>{}</td>", esc(&value(text, stats))))
                .collect();
            format!(r#"<tr><th scope="row">{}</th>{cells}</tr>"#, esc(label))
        })
        .collect();
    let _ = write!(
        body,
        r#"<h2>{server}</h2><p class="muted">{note}</p><div class="table"><table><thead><tr><th scope="col">{figure}</th>{headers}</tr></thead><tbody>{rows}</tbody></table></div>"#,
        server = esc(&text.get(key::STATS_SERVER)),
        note = esc(&text.get(key::STATS_NOTE)),
        figure = esc(&text.get(key::STATS_FIGURE)),
    );
    // Tickets created per day.
    body.push_str(&chart(text, &figures.per_day));
    // Each staff member.
    body.push_str(&staff_table(text, guild, figures, period, names));
    body
}

/// A figure of a period, in words.
type FigureOf = fn(Text<'_>, &PeriodStats) -> String;

/// The figures of a period, each with its label, in the order the tables show them.
fn figure_rows(text: Text<'_>) -> [(String, FigureOf); 7] {
    [
        (text.get(key::STATS_CREATED), |_, p| p.created.to_string()),
        (text.get(key::STATS_CLOSED), |_, p| p.closed.to_string()),
        (text.get(key::STATS_FIRST_MEDIAN), |text, p| {
            spread(text, p.first_response, |s| s.median)
        }),
        (text.get(key::STATS_FIRST_P90), |text, p| {
            spread(text, p.first_response, |s| s.p90)
        }),
        (text.get(key::STATS_RESOLUTION_MEDIAN), |text, p| {
            spread(text, p.resolution, |s| s.median)
        }),
        (text.get(key::STATS_RESOLUTION_P90), |text, p| {
            spread(text, p.resolution, |s| s.p90)
        }),
        (text.get(key::STATS_RATING), rating),
    ]
}

/// A duration of a spread in words, as `/stats` words it; "none yet" without one.
fn spread(text: Text<'_>, spread: Option<Spread>, pick: fn(&Spread) -> Duration) -> String {
    match spread {
        None => text.get(ui::STATS_NONE),
        Some(spread) => text
            .translator
            .localizer(text.language)
            .duration(pick(&spread).as_secs()),
    }
}

/// The average rating ("4.5/5 (2 ratings)"), "none yet" without one.
fn rating(text: Text<'_>, period: &PeriodStats) -> String {
    let Some(tenths) = period.rating_tenths() else {
        return text.get(ui::STATS_NONE);
    };
    let separator = match text.language {
        Language::French => ',',
        Language::English => '.',
    };
    let average = format!("{}{separator}{}", tenths / 10, tenths % 10);
    text.with(
        key::STATS_RATING_VALUE,
        &[
            ("average", average.into()),
            ("count", period.ratings.1.into()),
        ],
    )
}

/// A day as `YYYY-MM-DD`.
fn date(day: Timestamp) -> String {
    let (year, month, day) = day.civil_date();
    format!("{year:04}-{month:02}-{day:02}")
}

/// The tickets created per day as bars, drawn in SVG, and the same numbers in a table for
/// screen readers.
fn chart(text: Text<'_>, days: &[(Timestamp, usize)]) -> String {
    // The drawing's geometry, in its own units (it scales to the page's width).
    const LEFT: usize = 36;
    const RIGHT: usize = 8;
    const TOP: usize = 10;
    const PLOT: usize = 160;
    const BOTTOM: usize = 26;
    const SLOT: usize = 22;
    const BAR: usize = 16;
    let width = LEFT + SLOT * days.len() + RIGHT;
    let height = TOP + PLOT + BOTTOM;
    let base = TOP + PLOT;
    let total: usize = days.iter().map(|(_, count)| count).sum();
    let max = days.iter().map(|(_, count)| *count).max().unwrap_or(0);
    let title = text.get(key::STATS_CHART_TITLE);
    let summary = text.with(
        key::STATS_CHART_SUMMARY,
        &[("total", total.into()), ("max", max.into())],
    );
    let mut svg = format!(
        r##"<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="created-chart-title" aria-describedby="created-chart-desc"><title id="created-chart-title">{title}</title><desc id="created-chart-desc">{summary}</desc><g fill="currentColor" font-family="system-ui, sans-serif" font-size="11"><line x1="{LEFT}" y1="{TOP}" x2="{right}" y2="{TOP}" stroke="currentColor" stroke-opacity=".25" stroke-dasharray="4 4"/><line x1="{LEFT}" y1="{base}" x2="{right}" y2="{base}" stroke="currentColor" stroke-opacity=".6"/><text x="{label_x}" y="{top_label}" text-anchor="end">{max}</text><text x="{label_x}" y="{base_label}" text-anchor="end">0</text>"##,
        title = esc(&title),
        summary = esc(&summary),
        right = width - RIGHT,
        label_x = LEFT - 6,
        top_label = TOP + 4,
        base_label = base + 4,
    );
    let scale = max.max(1);
    for (index, (day, count)) in days.iter().enumerate() {
        let slot = LEFT + index * SLOT;
        if *count > 0 {
            // At least a pixel, so that no day with tickets looks empty.
            let bar = (count * PLOT / scale).max(1);
            let label = text.with(
                key::STATS_CHART_BAR,
                &[("day", date(*day).into()), ("count", (*count).into())],
            );
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{BAR}" height="{bar}" fill="#5865f2"><title>{label}</title></rect>"##,
                x = slot + (SLOT - BAR) / 2,
                y = base - bar,
                label = esc(&label),
            );
        }
        // Every seventh day is labelled, counting back from today.
        if (days.len() - 1 - index).is_multiple_of(7) {
            let (_, month, day_of_month) = day.civil_date();
            let _ = write!(
                svg,
                r#"<text x="{x}" y="{y}" text-anchor="middle">{month:02}-{day_of_month:02}</text>"#,
                x = slot + SLOT / 2,
                y = base + 18,
            );
        }
    }
    svg.push_str("</g></svg>");
    let rows: String = days
        .iter()
        .map(|(day, count)| {
            format!(
                r#"<tr><th scope="row">{}</th><td>{count}</td></tr>"#,
                date(*day)
            )
        })
        .collect();
    format!(
        r#"<h2>{title}</h2>{svg}<table class="visually-hidden"><caption>{title}</caption><thead><tr><th scope="col">{day}</th><th scope="col">{count}</th></tr></thead><tbody>{rows}</tbody></table>"#,
        title = esc(&title),
        day = esc(&text.get(key::STATS_CHART_DAY)),
        count = esc(&text.get(key::STATS_CHART_COUNT)),
    )
}

/// Each staff member's figures over the chosen period, with links to the other periods.
fn staff_table(
    text: Text<'_>,
    guild: GuildId,
    figures: &Figures,
    period: Period,
    names: &HashMap<UserId, String>,
) -> String {
    let periods: String = Period::ALL
        .iter()
        .map(|p| {
            let current = if *p == period {
                r#" aria-current="page""#
            } else {
                ""
            };
            format!(
                r#"<a href="/guilds/{guild}/stats?period={}#staff"{current}>{}</a>"#,
                p.name(),
                esc(&text.get(p.label()))
            )
        })
        .collect();
    let mut out = format!(
        r#"<h2 id="staff">{staff}</h2><p class="muted">{intro}</p><nav class="periods" aria-label="{period_label}">{periods}</nav>"#,
        staff = esc(&text.get(key::STATS_STAFF)),
        intro = esc(&text.get(key::STATS_STAFF_INTRO)),
        period_label = esc(&text.get(key::STATS_PERIOD)),
    );
    if figures.staff.is_empty() {
        let _ = write!(out, "<p>{}</p>", esc(&text.get(key::STATS_NO_STAFF)));
        return out;
    }
    let columns = figure_rows(text);
    // The staff table says "claimed" where the server's says "created": a staff member's
    // tickets are the ones they claimed.
    let headers: String = columns
        .iter()
        .enumerate()
        .map(|(index, (label, _))| {
            let label = if index == 0 {
                text.get(key::STATS_CLAIMED)
            } else {
                label.clone()
            };
            format!(r#"<th scope="col">{}</th>"#, esc(&label))
        })
        .collect();
    let rows: String = figures
        .staff
        .iter()
        .map(|row| {
            let id = row.user.get();
            let who = match names.get(&row.user) {
                Some(name) => format!(
                    r#"<a href="/guilds/{guild}?staff={id}">{}</a> <span class="muted">{id}</span>"#,
                    esc(name)
                ),
                None => format!(r#"<a href="/guilds/{guild}?staff={id}">{id}</a>"#),
            };
            let cells: String = columns
                .iter()
                .map(|(_, value)| format!("<td>{}</td>", esc(&value(text, &row.period))))
                .collect();
            format!(
                r#"<tr><th scope="row">{who}</th><td>{open}</td>{cells}</tr>"#,
                open = row.open
            )
        })
        .collect();
    let _ = write!(
        out,
        r#"<div class="table"><table><caption>{caption}</caption><thead><tr><th scope="col">{member}</th><th scope="col">{open}</th>{headers}</tr></thead><tbody>{rows}</tbody></table></div>"#,
        caption = esc(&text.get(period.label())),
        member = esc(&text.get(key::STATS_STAFF_MEMBER)),
        open = esc(&text.get(key::STATS_CLAIMED_OPEN)),
    );
    if figures.staff_total > figures.staff.len() {
        let _ = write!(
            out,
            r#"<p class="muted">{}</p>"#,
            esc(&text.with(
                key::STATS_STAFF_MORE,
                &[
                    ("shown", figures.staff.len().into()),
                    ("total", figures.staff_total.into()),
                ]
            ))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::{Id, PanelId, TicketId};
    use helpline_i18n::Translator;

    const HOUR: i64 = 3_600_000;

    /// 2026-12-07 12:00 UTC.
    fn noon() -> Timestamp {
        Timestamp::from_secs(1_796_644_800)
    }

    fn ticket(id: u64, created: Timestamp) -> Ticket {
        Ticket {
            id: TicketId(id),
            guild_id: Id::new(1),
            number: u32::try_from(id).unwrap(),
            panel_id: PanelId(1),
            topic_id: None,
            opener: Id::new(100 + id),
            opener_name: "m".into(),
            opened_by: Id::new(100 + id),
            opener_language: None,
            channel: None,
            name: String::new(),
            state: TicketState::Open,
            claimer: None,
            added_members: BTreeSet::new(),
            added_roles: BTreeSet::new(),
            open_reason: None,
            answers: Vec::new(),
            close_reason: None,
            closed_by: None,
            close_request: None,
            created_at: created,
            opened_at: Some(created),
            claimed_at: None,
            first_response_at: None,
            last_activity_at: created,
            closed_at: None,
            reopened_at: None,
            deleted_at: None,
            timer: None,
            auto_close_warned_at: None,
            renamed_at: Vec::new(),
            feedback: None,
            purge_at: None,
            transcript_purged: false,
            version: 1,
        }
    }

    fn at(hours_ago: i64) -> Timestamp {
        Timestamp::from_millis(noon().as_millis() - hours_ago * HOUR)
    }

    #[test]
    fn days_are_utc_days_ending_today() {
        let tickets = [
            ticket(1, at(0)),
            ticket(2, at(12)),           // Today's midnight.
            ticket(3, at(13)),           // Yesterday, 23:00.
            ticket(4, at(29 * 24 + 12)), // The first day's midnight.
            ticket(5, at(29 * 24 + 13)), // Before the chart.
        ];
        let days = per_day(&tickets, noon());
        assert_eq!(days.len(), CHART_DAYS);
        assert_eq!(date(days[29].0), "2026-12-07");
        assert_eq!(date(days[0].0), "2026-11-08");
        assert_eq!(days[29].1, 2);
        assert_eq!(days[28].1, 1);
        assert_eq!(days[0].1, 1);
        assert_eq!(days.iter().map(|(_, c)| c).sum::<usize>(), 4);
    }

    #[test]
    fn staff_are_claimers_and_closers_of_tickets_they_did_not_open() {
        let sam = Id::new(7);
        let mut claimed = ticket(1, at(5));
        claimed.state = TicketState::Claimed;
        claimed.claimer = Some(sam);
        let mut self_closed = ticket(2, at(5));
        self_closed.state = TicketState::Closed;
        self_closed.closed_by = Some(self_closed.opener);
        let mut closed_by_staff = ticket(3, at(5));
        closed_by_staff.state = TicketState::Closed;
        closed_by_staff.closed_by = Some(Id::new(8));
        let staff = staff_members(&[claimed, self_closed, closed_by_staff]);
        assert_eq!(staff.into_iter().collect::<Vec<_>>(), [sam, Id::new(8)]);
    }

    #[test]
    fn bars_are_as_tall_as_their_share_of_the_busiest_day() {
        let translator = Translator::new();
        let text = Text {
            translator: &translator,
            language: Language::English,
        };
        let mut days: Vec<(Timestamp, usize)> = (0..30)
            .map(|i| (Timestamp::from_millis(i * DAY_MILLIS), 0))
            .collect();
        days[3].1 = 4;
        days[10].1 = 1;
        let svg = chart(text, &days);
        assert_eq!(svg.matches("<rect ").count(), 2, "no bar for an empty day");
        assert!(svg.contains(r#"width="16" height="160" fill"#), "{svg}");
        assert!(svg.contains(r#"width="16" height="40" fill"#), "{svg}");
        assert!(
            svg.contains("<title>1970-01-04: 4 tickets</title>"),
            "{svg}"
        );
        assert!(
            svg.contains("<title>1970-01-11: one ticket</title>"),
            "{svg}"
        );
        assert!(svg.contains("5 tickets created over these 30 days, at most 4 in one day."));
        assert!(svg.contains(r#"<tr><th scope="row">1970-01-04</th><td>4</td></tr>"#));
        // The last day and every seventh before it are labelled.
        assert_eq!(svg.matches(r#"text-anchor="middle""#).count(), 5);
        let empty = chart(text, &[(Timestamp::EPOCH, 0); 30]);
        assert!(empty.contains("No ticket created over these 30 days."));
        assert!(!empty.contains("<rect "));
    }

    #[test]
    fn the_staff_period_comes_from_the_query() {
        assert_eq!(Period::from_query(Some("week")), Period::Week);
        assert_eq!(Period::from_query(Some("all")), Period::AllTime);
        assert_eq!(Period::from_query(Some("year")), Period::Month);
        assert_eq!(Period::from_query(None), Period::Month);
        assert_eq!(Period::Week.since(noon()), Some(at(7 * 24)));
        assert_eq!(Period::AllTime.since(noon()), None);
    }
}
