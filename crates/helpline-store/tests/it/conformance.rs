//! The conformance suite, written once against the `Store` trait. A backend runs all of it with
//! `conformance_suite!(module_name, async_expression_returning_a_Backend)`.

use helpline_domain::lifecycle::{Context, opened};
use helpline_domain::lifecycle::{OpenLimits, OpenRequest, prepare_open};
use helpline_domain::permissions::Permissions;
use helpline_domain::{Effect, EffectKey, EffectKind};
use helpline_domain::{
    GuildConfig, GuildId, Id, Member, Panel, PanelId, Ticket, TicketChannel, TicketChannelKind,
    TicketId, TicketState, Timestamp, TranscriptAttachment, TranscriptMessage, UserId,
};
use helpline_store::{
    Error, GuildJob, GuildTask, InteractionClaim, JobRefusal, JobState, OpenOutcome, OutboxDepth,
    Page, Store, TicketMessage,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// A store under test, with whatever keeps it alive (a temporary directory, a CQL node).
pub(crate) struct Backend {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) _keep: Option<Box<dyn std::any::Any + Send + Sync>>,
}

/// Runs every conformance test against one backend: `conformance_suite!(name, backend)` makes
/// a module of tests, each on a fresh backend; `conformance_suite!(sequential name, backend)`
/// one test running them in turn, each on a fresh backend, where `backend` is an
/// `Option<Backend>` (`None`: skipped, and said so).
macro_rules! conformance_suite {
    ($name:ident, $backend:expr) => {
        conformance_suite!(@list module $name, $backend);
    };
    (sequential $name:ident, $backend:expr) => {
        conformance_suite!(@list sequential $name, $backend);
    };
    (@list $how:ident $name:ident, $backend:expr) => {
        conformance_suite!(@$how $name, $backend;
            guild_config_round_trip_and_conflicts,
            open_numbers_tickets_and_is_idempotent,
            fifty_concurrent_opens_by_one_member_make_one_ticket,
            two_hundred_concurrent_opens_number_one_to_two_hundred,
            open_limit_counts_only_active_tickets_of_the_panel,
            active_tickets_are_counted_by_state,
            cooldown_between_opens,
            lookups_by_id_channel_guild_and_member,
            participants_are_found_across_guilds,
            updates_use_optimistic_concurrency,
            concurrent_updates_from_one_version_let_one_win,
            transcript_appends_once_and_keeps_edits_and_deletions,
            batched_appends_match_single_ones,
            attachments_are_kept_under_the_cap,
            attachments_are_kept_within_the_ticket_budget,
            concurrent_attachments_never_overshoot_the_ticket_budget,
            panel_access_grants,
            interactions_are_claimed_once,
            effects_are_queued_with_their_ticket_and_settled_once,
            the_outbox_gives_up_by_ticket_and_guild_and_purges,
            stalled_tickets_are_those_nothing_works_on,
            ticket_messages_are_remembered_per_slot,
            writes_with_an_older_fencing_token_are_refused,
            due_timers_are_found_by_their_stored_deadline,
            transcripts_are_purged_whole_after_their_retention,
            guild_jobs_run_once_retry_and_are_purged,
            panel_sign_outs_only_move_forward
        );
    };
    (@module $name:ident, $backend:expr; $($test:ident),*) => {
        mod $name {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $test() {
                    let backend = $backend.await;
                    crate::conformance::$test(backend.store.clone()).await;
                }
            )*
        }
    };
    (@sequential $name:ident, $backend:expr; $($test:ident),*) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            $(
                let Some(backend) = $backend.await else { return };
                eprintln!("conformance: {}", stringify!($test));
                crate::conformance::$test(backend.store.clone()).await;
            )*
        }
    };
}

const GUILD: u64 = 1_000;
const PANEL: PanelId = PanelId(1);

fn guild(id: u64) -> GuildId {
    Id::new(id)
}

fn user(id: u64) -> UserId {
    Id::new(id)
}

pub(crate) fn config(guild_id: u64, open_limit: u32, cooldown_secs: u32) -> GuildConfig {
    let mut config = GuildConfig::new(guild(guild_id));
    let mut panel = Panel::new(PANEL, Id::new(77));
    panel.settings.open_limit = open_limit;
    panel.settings.cooldown_secs = cooldown_secs;
    let id = config
        .add_panel(|id| Panel { id, ..panel })
        .expect("valid panel");
    assert_eq!(id, PANEL);
    config
}

/// A ticket as the bot builds it for `opener`, through the domain's own open check.
pub(crate) fn new_ticket(
    config: &GuildConfig,
    id: u64,
    opener: u64,
    now: Timestamp,
) -> (Ticket, OpenLimits) {
    let request = OpenRequest {
        ticket_id: TicketId(id),
        panel_id: PANEL,
        topic_id: None,
        opener: user(opener),
        opener_name: format!("member {opener}"),
        requested_by: Member {
            user_id: user(opener),
            roles: Vec::new(),
            permissions: Permissions::empty(),
        },
        reason: Some("help".into()),
        answers: Vec::new(),
    };
    prepare_open(config, request, now).expect("open request is valid")
}

async fn create(
    store: &Arc<dyn Store>,
    config: &GuildConfig,
    id: u64,
    opener: u64,
    now: Timestamp,
) -> Ticket {
    let (ticket, limits) = new_ticket(config, id, opener, now);
    match store
        .open_ticket(ticket, limits, now, None)
        .await
        .expect("store works")
    {
        OpenOutcome::Created(ticket) => ticket,
        other => panic!("ticket {id} was not created: {other:?}"),
    }
}

/// Moves a stored ticket to `state` through an update, as the executor would.
async fn set_state(
    store: &Arc<dyn Store>,
    ticket: &Ticket,
    state: TicketState,
    at: Timestamp,
) -> Ticket {
    let mut next = ticket.clone();
    next.state = state;
    next.version += 1;
    if state == TicketState::Closed {
        next.closed_at = Some(at);
        next.close_reason = Some(helpline_domain::CloseReason::NoneGiven);
    }
    store
        .update_ticket(&next, ticket.version)
        .await
        .expect("update");
    next
}

pub(crate) async fn guild_config_round_trip_and_conflicts(store: Arc<dyn Store>) {
    assert_eq!(store.guild_config(guild(GUILD)).await.unwrap(), None);
    let mut config = config(GUILD, 1, 60);
    config.staff_roles.push(Id::new(5));
    let saved = store.save_guild_config(&config).await.unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(
        store.guild_config(guild(GUILD)).await.unwrap(),
        Some(saved.clone())
    );

    // A write based on a stale read is refused and changes nothing.
    let error = store.save_guild_config(&config).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Conflict {
                expected: 0,
                actual: Some(1),
                ..
            }
        ),
        "{error:?}"
    );
    let mut edited = saved.clone();
    edited.settings.claim_announcement = false;
    let edited = store.save_guild_config(&edited).await.unwrap();
    assert_eq!(edited.version, 2);
    let error = store.save_guild_config(&saved).await.unwrap_err();
    assert!(matches!(error, Error::Conflict { .. }));
    assert!(
        !store
            .guild_config(guild(GUILD))
            .await
            .unwrap()
            .unwrap()
            .settings
            .claim_announcement
    );

    assert!(store.delete_guild_config(guild(GUILD)).await.unwrap());
    assert!(!store.delete_guild_config(guild(GUILD)).await.unwrap());
    assert_eq!(store.guild_config(guild(GUILD)).await.unwrap(), None);
}

pub(crate) async fn open_numbers_tickets_and_is_idempotent(store: Arc<dyn Store>) {
    let config = config(GUILD, 5, 0);
    let now = Timestamp::from_secs(1_000);
    let first = create(&store, &config, 10, 1, now).await;
    let second = create(&store, &config, 11, 2, now).await;
    assert_eq!((first.number, second.number), (1, 2));
    // Numbers are per guild.
    let other = config_for_other_guild();
    assert_eq!(create(&store, &other, 12, 1, now).await.number, 1);

    // The same ticket id again (a redelivered interaction) finds the first ticket.
    let (again, limits) = new_ticket(&config, 10, 1, now);
    match store.open_ticket(again, limits, now, None).await.unwrap() {
        OpenOutcome::Existing(existing) => assert_eq!(existing, first),
        other => panic!("expected the existing ticket, got {other:?}"),
    }
    assert_eq!(
        store
            .tickets_by_guild(guild(GUILD), &[], Page::first(10))
            .await
            .unwrap()
            .len(),
        2
    );
}

fn config_for_other_guild() -> GuildConfig {
    config(GUILD + 1, 5, 0)
}

pub(crate) async fn fifty_concurrent_opens_by_one_member_make_one_ticket(store: Arc<dyn Store>) {
    let config = Arc::new(config(GUILD, 1, 60));
    let now = Timestamp::from_secs(5_000);
    let mut tasks = Vec::new();
    for n in 0..50 {
        let (store, config) = (store.clone(), config.clone());
        tasks.push(tokio::spawn(async move {
            let (ticket, limits) = new_ticket(&config, 100 + n, 7, now);
            store.open_ticket(ticket, limits, now, None).await.unwrap()
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            OpenOutcome::Created(_) => created += 1,
            OpenOutcome::LimitReached { limit: 1, open } => assert_eq!(open.len(), 1),
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!(created, 1);
    let tickets = store
        .tickets_by_member(user(7), Page::first(100))
        .await
        .unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].number, 1);
}

pub(crate) async fn two_hundred_concurrent_opens_number_one_to_two_hundred(store: Arc<dyn Store>) {
    let config = Arc::new(config(GUILD, 1, 60));
    let now = Timestamp::from_secs(5_000);
    let mut tasks = Vec::new();
    for n in 0..200 {
        let (store, config) = (store.clone(), config.clone());
        tasks.push(tokio::spawn(async move {
            let (ticket, limits) = new_ticket(&config, 1_000 + n, 10_000 + n, now);
            match store.open_ticket(ticket, limits, now, None).await.unwrap() {
                OpenOutcome::Created(ticket) => ticket.number,
                other => panic!("unexpected outcome {other:?}"),
            }
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(task.await.unwrap());
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=200).collect::<Vec<u32>>());
    let stored = store
        .tickets_by_guild(guild(GUILD), &[], Page::first(500))
        .await
        .unwrap();
    let stored: BTreeSet<u32> = stored.iter().map(|t| t.number).collect();
    assert_eq!(stored, (1..=200).collect());
}

pub(crate) async fn open_limit_counts_only_active_tickets_of_the_panel(store: Arc<dyn Store>) {
    let config = config(GUILD, 2, 0);
    let now = Timestamp::from_secs(10_000);
    let a = create(&store, &config, 1, 9, now).await;
    let b = create(&store, &config, 2, 9, now).await;
    let (third, limits) = new_ticket(&config, 3, 9, now);
    match store
        .open_ticket(third.clone(), limits, now, None)
        .await
        .unwrap()
    {
        OpenOutcome::LimitReached { limit: 2, open } => {
            assert_eq!(open.iter().map(|t| t.id).collect::<Vec<_>>(), [a.id, b.id]);
        }
        other => panic!("expected the limit, got {other:?}"),
    }
    // Another member, or another guild, is not limited by this member's tickets.
    create(&store, &config, 4, 10, now).await;
    create(&store, &config_for_other_guild(), 5, 9, now).await;
    // A closed ticket no longer counts.
    set_state(&store, &a, TicketState::Closed, now).await;
    match store.open_ticket(third, limits, now, None).await.unwrap() {
        OpenOutcome::Created(ticket) => assert_eq!(ticket.number, 4),
        other => panic!("expected a ticket, got {other:?}"),
    }
}

pub(crate) async fn active_tickets_are_counted_by_state(store: Arc<dyn Store>) {
    let counts = |store: Arc<dyn Store>| async move {
        store
            .count_active_tickets()
            .await
            .unwrap()
            .into_iter()
            .map(|(state, count)| (state.name(), count))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        counts(store.clone()).await,
        [("requested", 0), ("open", 0), ("claimed", 0)],
        "every active state, at zero"
    );
    let config = config(GUILD, 10, 0);
    let now = Timestamp::from_secs(25_000);
    let mut tickets = Vec::new();
    for n in 0..4 {
        tickets.push(create(&store, &config, 700 + n, 70 + n, now).await);
    }
    create(&store, &config_for_other_guild(), 710, 80, now).await;
    set_state(&store, &tickets[0], TicketState::Requested, now).await;
    set_state(&store, &tickets[1], TicketState::Claimed, now).await;
    set_state(&store, &tickets[2], TicketState::Closed, now).await;
    assert_eq!(
        counts(store.clone()).await,
        [("requested", 1), ("open", 2), ("claimed", 1)],
        "every guild together; closed tickets are not counted"
    );
}

pub(crate) async fn cooldown_between_opens(store: Arc<dyn Store>) {
    let config = config(GUILD, 5, 60);
    let start = Timestamp::from_secs(20_000);
    create(&store, &config, 1, 9, start).await;
    let later = start.plus(Duration::from_secs(45));
    let (ticket, limits) = new_ticket(&config, 2, 9, later);
    match store
        .open_ticket(ticket.clone(), limits, later, None)
        .await
        .unwrap()
    {
        OpenOutcome::Cooldown { retry_after } => assert_eq!(retry_after, Duration::from_secs(15)),
        other => panic!("expected the cooldown, got {other:?}"),
    }
    let after = start.plus(Duration::from_secs(60));
    assert!(matches!(
        store
            .open_ticket(ticket, limits, after, None)
            .await
            .unwrap(),
        OpenOutcome::Created(_)
    ));
    // Nothing was numbered for the refused attempt.
    let numbers: Vec<u32> = store
        .tickets_by_guild(guild(GUILD), &[], Page::first(10))
        .await
        .unwrap()
        .iter()
        .map(|t| t.number)
        .collect();
    assert_eq!(numbers, [2, 1]);
    // A ticket Discord never gave a channel (abandoned: its open failed) does not start a
    // cooldown: the member did not get a ticket. One whose channel staff deleted does.
    let end = |ticket: &Ticket, reason: helpline_domain::CloseReason| {
        let mut next = ticket.clone();
        next.state = TicketState::Deleted;
        next.close_reason = Some(reason);
        next.version += 1;
        next
    };
    let retry_at = after.plus(Duration::from_secs(1));
    let failed = create(&store, &config, 3, 19, after).await;
    store
        .update_ticket(
            &end(&failed, helpline_domain::CloseReason::OpenFailed),
            failed.version,
        )
        .await
        .unwrap();
    let (retry, limits) = new_ticket(&config, 4, 19, retry_at);
    assert!(matches!(
        store
            .open_ticket(retry, limits, retry_at, None)
            .await
            .unwrap(),
        OpenOutcome::Created(_)
    ));
    let removed = create(&store, &config, 5, 29, after).await;
    store
        .update_ticket(
            &end(&removed, helpline_domain::CloseReason::ChannelDeleted),
            removed.version,
        )
        .await
        .unwrap();
    let (again, limits) = new_ticket(&config, 6, 29, retry_at);
    assert!(matches!(
        store
            .open_ticket(again, limits, retry_at, None)
            .await
            .unwrap(),
        OpenOutcome::Cooldown { .. }
    ));
}

pub(crate) async fn lookups_by_id_channel_guild_and_member(store: Arc<dyn Store>) {
    let config = config(GUILD, 10, 0);
    let now = Timestamp::from_secs(30_000);
    let mut tickets = Vec::new();
    for n in 0..6u64 {
        tickets.push(create(&store, &config, 500 + n, 40 + n % 2, now).await);
    }
    let elsewhere = create(&store, &config_for_other_guild(), 600, 40, now).await;

    assert_eq!(
        store.ticket(TicketId(502)).await.unwrap(),
        Some(tickets[2].clone())
    );
    assert_eq!(store.ticket(TicketId(9_999)).await.unwrap(), None);

    let mut with_channel = tickets[3].clone();
    with_channel.channel = Some(TicketChannel {
        id: Id::new(4_242),
        kind: TicketChannelKind::Channel,
    });
    with_channel.version += 1;
    store
        .update_ticket(&with_channel, tickets[3].version)
        .await
        .unwrap();
    assert_eq!(
        store.ticket_by_channel(Id::new(4_242)).await.unwrap(),
        Some(with_channel.clone())
    );
    assert_eq!(store.ticket_by_channel(Id::new(4_243)).await.unwrap(), None);

    set_state(&store, &tickets[0], TicketState::Closed, now).await;
    let claimed = {
        let mut next = tickets[1].clone();
        next.state = TicketState::Claimed;
        next.claimer = Some(user(99));
        next.claimed_at = Some(now);
        next.version += 1;
        store
            .update_ticket(&next, tickets[1].version)
            .await
            .unwrap();
        next
    };
    let open = store
        .tickets_by_guild(
            guild(GUILD),
            &[TicketState::Open, TicketState::Claimed],
            Page::first(10),
        )
        .await
        .unwrap();
    assert_eq!(
        open.iter().map(|t| t.number).collect::<Vec<_>>(),
        [6, 5, 4, 3, 2]
    );
    assert_eq!(open[4], claimed);
    let closed = store
        .tickets_by_guild(guild(GUILD), &[TicketState::Closed], Page::first(10))
        .await
        .unwrap();
    assert_eq!(closed.iter().map(|t| t.number).collect::<Vec<_>>(), [1]);
    // Paging by number.
    let first_page = store
        .tickets_by_guild(guild(GUILD), &[], Page::first(4))
        .await
        .unwrap();
    assert_eq!(
        first_page.iter().map(|t| t.number).collect::<Vec<_>>(),
        [6, 5, 4, 3]
    );
    let next_page = store
        .tickets_by_guild(
            guild(GUILD),
            &[],
            Page {
                limit: 4,
                before: Some(3),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        next_page.iter().map(|t| t.number).collect::<Vec<_>>(),
        [2, 1]
    );

    // A member's tickets across guilds, newest first, paged by id.
    let mine = store
        .tickets_by_member(user(40), Page::first(10))
        .await
        .unwrap();
    assert_eq!(
        mine.iter().map(|t| t.id.0).collect::<Vec<_>>(),
        [600, 504, 502, 500]
    );
    assert_eq!(mine[0], elsewhere);
    let older = store
        .tickets_by_member(
            user(40),
            Page {
                limit: 2,
                before: Some(TicketId(504)),
            },
        )
        .await
        .unwrap();
    assert_eq!(older.iter().map(|t| t.id.0).collect::<Vec<_>>(), [502, 500]);
}

/// "My tickets" of someone who did not open them: tickets they wrote in (a bot's messages do
/// not count) or were added to (while they still are), across guilds, newest first, paged.
pub(crate) async fn participants_are_found_across_guilds(store: Arc<dyn Store>) {
    let config = config(GUILD, 10, 0);
    let other = config_for_other_guild();
    let now = Timestamp::from_secs(31_000);
    let first = create(&store, &config, 801, 1, now).await;
    let second = create(&store, &other, 802, 2, now).await;
    let third = create(&store, &config, 803, 3, now).await;
    let own = create(&store, &config, 804, 50, now).await;
    let said = |id: u64, ticket: &Ticket, author: u64, bot: bool| {
        let store = store.clone();
        let ticket = ticket.id;
        async move {
            let mut message = message(id << 22, "hello", Vec::new());
            message.author_id = user(author);
            message.author_is_bot = bot;
            store.append_message(ticket, &message).await.unwrap();
        }
    };
    said(1, &first, 50, false).await;
    said(2, &first, 60, true).await;
    store
        .append_messages(&[(second.id, {
            let mut message = message(3 << 22, "batched", Vec::new());
            message.author_id = user(50);
            message
        })])
        .await
        .unwrap();
    said(4, &own, 50, false).await;
    let mut added = third.clone();
    added.added_members.insert(user(50));
    added.version += 1;
    store.update_ticket(&added, third.version).await.unwrap();
    let ids = |tickets: Vec<Ticket>| tickets.iter().map(|t| t.id.0).collect::<Vec<_>>();
    assert_eq!(
        ids(store
            .tickets_of_participant(user(50), Page::first(10))
            .await
            .unwrap()),
        [803, 802, 801],
        "added to, wrote in (one by a batch), across guilds; not their own"
    );
    assert!(
        store
            .tickets_of_participant(user(60), Page::first(10))
            .await
            .unwrap()
            .is_empty(),
        "a bot's messages make no participant"
    );
    assert_eq!(
        ids(store
            .tickets_of_participant(user(50), Page::first(1))
            .await
            .unwrap()),
        [803]
    );
    assert_eq!(
        ids(store
            .tickets_of_participant(
                user(50),
                Page {
                    limit: 5,
                    before: Some(TicketId(803))
                }
            )
            .await
            .unwrap()),
        [802, 801]
    );
    // Removed from the third: no longer listed for it.
    let mut removed = added.clone();
    removed.added_members.clear();
    removed.version += 1;
    store.update_ticket(&removed, added.version).await.unwrap();
    assert_eq!(
        ids(store
            .tickets_of_participant(user(50), Page::first(10))
            .await
            .unwrap()),
        [802, 801]
    );
}

pub(crate) async fn updates_use_optimistic_concurrency(store: Arc<dyn Store>) {
    let config = config(GUILD, 1, 0);
    let now = Timestamp::from_secs(40_000);
    let ticket = create(&store, &config, 1, 9, now).await;
    let claimed = set_state(&store, &ticket, TicketState::Open, now).await;
    // Based on the old version: refused, nothing changes.
    let mut stale = ticket.clone();
    stale.state = TicketState::Closed;
    stale.version += 1;
    let error = store
        .update_ticket(&stale, ticket.version)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Conflict { what: "ticket", expected, actual: Some(actual) } if expected == ticket.version && actual == claimed.version),
        "{error:?}"
    );
    assert_eq!(
        store.ticket(ticket.id).await.unwrap(),
        Some(claimed.clone())
    );
    // A version that does not follow the expected one is a caller bug.
    let mut skipping = claimed.clone();
    skipping.version += 2;
    assert!(matches!(
        store.update_ticket(&skipping, claimed.version).await,
        Err(Error::Invalid(_))
    ));
    // An unknown ticket is a conflict with nothing.
    let mut unknown = claimed;
    unknown.id = TicketId(123_456);
    unknown.version += 1;
    assert!(matches!(
        store.update_ticket(&unknown, unknown.version - 1).await,
        Err(Error::Conflict { actual: None, .. })
    ));
}

pub(crate) async fn concurrent_updates_from_one_version_let_one_win(store: Arc<dyn Store>) {
    let config = config(GUILD, 1, 0);
    let now = Timestamp::from_secs(50_000);
    let ticket = create(&store, &config, 1, 9, now).await;
    let mut tasks = Vec::new();
    for claimer in 0..20u64 {
        let (store, ticket) = (store.clone(), ticket.clone());
        tasks.push(tokio::spawn(async move {
            let mut next = ticket.clone();
            next.state = TicketState::Claimed;
            next.claimer = Some(user(1_000 + claimer));
            next.claimed_at = Some(now);
            next.version += 1;
            store
                .update_ticket(&next, ticket.version)
                .await
                .map(|()| next)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        match task.await.unwrap() {
            Ok(next) => winners.push(next),
            Err(Error::Conflict { .. }) => {}
            Err(other) => panic!("unexpected error {other}"),
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(
        store.ticket(ticket.id).await.unwrap(),
        Some(winners.remove(0))
    );
}

pub(crate) fn message(
    id: u64,
    content: &str,
    attachments: Vec<TranscriptAttachment>,
) -> TranscriptMessage {
    TranscriptMessage {
        message_id: Id::new(id),
        author_id: user(9),
        author_name: "member".into(),
        author_is_bot: false,
        content: content.into(),
        created_at: Timestamp::of_snowflake(id),
        edits: Vec::new(),
        deleted_at: None,
        embeds: Vec::new(),
        attachments,
        staff_note: false,
    }
}

pub(crate) async fn transcript_appends_once_and_keeps_edits_and_deletions(store: Arc<dyn Store>) {
    let ticket = TicketId(77);
    let other = TicketId(78);
    // Appended out of order and twice each: read back once each, in message order.
    for id in [3u64 << 22, 1 << 22, 2 << 22, 3 << 22, 1 << 22] {
        store
            .append_message(
                ticket,
                &message(id, &format!("message {}", id >> 22), vec![]),
            )
            .await
            .unwrap();
    }
    assert!(
        !store
            .append_message(ticket, &message(1 << 22, "again", vec![]))
            .await
            .unwrap()
    );
    assert!(
        store
            .append_message(other, &message(1 << 22, "elsewhere", vec![]))
            .await
            .unwrap()
    );
    let transcript = store.transcript(ticket).await.unwrap();
    assert_eq!(
        transcript
            .iter()
            .map(|m| m.content.as_str())
            .collect::<Vec<_>>(),
        ["message 1", "message 2", "message 3"]
    );

    let at = Timestamp::from_secs(60_000);
    assert!(
        store
            .record_edit(ticket, Id::new(2 << 22), "edited once".into(), at)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_edit(
                ticket,
                Id::new(2 << 22),
                "edited twice".into(),
                at.plus(Duration::from_secs(1))
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_edit(ticket, Id::new(2 << 22), "edited twice".into(), at)
            .await
            .unwrap(),
        "no change"
    );
    assert!(
        !store
            .record_edit(ticket, Id::new(9 << 22), "unknown".into(), at)
            .await
            .unwrap()
    );
    assert!(
        store
            .record_deletion(ticket, Id::new(3 << 22), at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_deletion(ticket, Id::new(3 << 22), at)
            .await
            .unwrap()
    );

    let transcript = store.transcript(ticket).await.unwrap();
    let edited = &transcript[1];
    assert_eq!(edited.content, "edited twice");
    assert_eq!(
        edited
            .edits
            .iter()
            .map(|e| e.previous_content.as_str())
            .collect::<Vec<_>>(),
        ["message 2", "edited once"]
    );
    assert_eq!(transcript[2].deleted_at, Some(at));
    assert_eq!(
        transcript[2].content, "message 3",
        "a deleted message keeps its content"
    );
    assert_eq!(store.transcript(other).await.unwrap().len(), 1);
    assert!(store.transcript(TicketId(79)).await.unwrap().is_empty());
}

pub(crate) async fn batched_appends_match_single_ones(store: Arc<dyn Store>) {
    let (a, b) = (TicketId(90), TicketId(91));
    store
        .append_message(a, &message(1 << 22, "already there", vec![]))
        .await
        .unwrap();
    let batch = vec![
        (a, message(1 << 22, "again", vec![])),
        (b, message(3 << 22, "b three", vec![])),
        (a, message(2 << 22, "a two", vec![])),
        (b, message(3 << 22, "b three again", vec![])),
    ];
    assert_eq!(
        store.append_messages(&batch).await.unwrap(),
        [false, true, true, false]
    );
    let contents = |ticket| {
        let store = store.clone();
        async move {
            store
                .transcript(ticket)
                .await
                .unwrap()
                .into_iter()
                .map(|m| m.content)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(contents(a).await, ["already there", "a two"]);
    assert_eq!(contents(b).await, ["b three"]);
    assert!(store.append_messages(&[]).await.unwrap().is_empty());
}

pub(crate) async fn attachments_are_kept_under_the_cap(store: Arc<dyn Store>) {
    // Every backend under test is built with a 1 MiB cap and a 3 MiB budget per ticket.
    let ticket = TicketId(88);
    let small = TranscriptAttachment {
        id: 501,
        filename: "log.txt".into(),
        content_type: Some("text/plain".into()),
        size: 5,
        stored: false,
    };
    let large = TranscriptAttachment {
        id: 502,
        filename: "video.mp4".into(),
        content_type: None,
        size: 2 << 20,
        stored: false,
    };
    store
        .append_message(
            ticket,
            &message(5 << 22, "files", vec![small.clone(), large.clone()]),
        )
        .await
        .unwrap();
    assert!(
        store
            .store_attachment(ticket, Id::new(5 << 22), 501, b"hello".to_vec())
            .await
            .unwrap()
    );
    assert!(
        store
            .store_attachment(ticket, Id::new(5 << 22), 501, b"hello".to_vec())
            .await
            .unwrap(),
        "idempotent"
    );
    assert!(
        !store
            .store_attachment(ticket, Id::new(5 << 22), 502, vec![0; 2 << 20])
            .await
            .unwrap()
    );
    assert!(
        !store
            .store_attachment(ticket, Id::new(6 << 22), 503, b"x".to_vec())
            .await
            .unwrap(),
        "unknown message"
    );
    assert_eq!(
        store.attachment(ticket, 501).await.unwrap(),
        Some(b"hello".to_vec())
    );
    assert_eq!(store.attachment(ticket, 502).await.unwrap(), None);
    assert_eq!(store.attachment(TicketId(89), 501).await.unwrap(), None);
    let transcript = store.transcript(ticket).await.unwrap();
    let stored: Vec<(u64, bool)> = transcript[0]
        .attachments
        .iter()
        .map(|a| (a.id, a.stored))
        .collect();
    assert_eq!(stored, [(501, true), (502, false)]);
}

/// `count` attachments of `size` bytes on one message of `ticket`, none kept yet.
async fn message_with_attachments(
    store: &Arc<dyn Store>,
    ticket: TicketId,
    message_id: u64,
    count: u64,
    size: u64,
) {
    let attachments = (1..=count)
        .map(|id| TranscriptAttachment {
            id,
            filename: format!("part-{id}.bin"),
            content_type: None,
            size,
            stored: false,
        })
        .collect();
    store
        .append_message(ticket, &message(message_id, "files", attachments))
        .await
        .unwrap();
}

pub(crate) async fn attachments_are_kept_within_the_ticket_budget(store: Arc<dyn Store>) {
    // Every backend under test is built with a 1 MiB cap and a 3 MiB budget per ticket.
    const MIB: usize = 1 << 20;
    let ticket = TicketId(90);
    let message_id = 7 << 22;
    message_with_attachments(&store, ticket, message_id, 5, MIB as u64).await;
    let keep = |id: u64, len: usize| {
        let store = store.clone();
        async move {
            store
                .store_attachment(ticket, Id::new(message_id), id, vec![id as u8; len])
                .await
                .unwrap()
        }
    };
    assert!(keep(1, MIB).await && keep(2, MIB).await);
    assert!(keep(3, MIB - 1).await, "exactly at the budget is within it");
    assert!(!keep(4, 2).await, "one byte over the budget");
    assert!(keep(5, 1).await, "the last byte of the budget");
    assert!(!keep(4, 1).await, "the budget is spent");
    assert!(keep(1, MIB).await, "an attachment already kept stays kept");
    assert_eq!(
        store.attachment(ticket, 4).await.unwrap(),
        None,
        "nothing kept"
    );
    assert_eq!(
        store.attachment_sizes(ticket).await.unwrap(),
        [
            (1, MIB as u64),
            (2, MIB as u64),
            (3, MIB as u64 - 1),
            (5, 1)
        ]
    );
    let stored: Vec<(u64, bool)> = store.transcript(ticket).await.unwrap()[0]
        .attachments
        .iter()
        .map(|a| (a.id, a.stored))
        .collect();
    assert_eq!(
        stored,
        [(1, true), (2, true), (3, true), (4, false), (5, true)]
    );

    // The budget is per ticket: another ticket's attachments do not count.
    let other = TicketId(91);
    message_with_attachments(&store, other, message_id, 1, MIB as u64).await;
    assert!(
        store
            .store_attachment(other, Id::new(message_id), 1, vec![0; MIB])
            .await
            .unwrap()
    );
    assert_eq!(
        store.attachment_sizes(other).await.unwrap(),
        [(1, MIB as u64)]
    );
    assert!(
        store
            .attachment_sizes(TicketId(92))
            .await
            .unwrap()
            .is_empty()
    );
}

pub(crate) async fn concurrent_attachments_never_overshoot_the_ticket_budget(
    store: Arc<dyn Store>,
) {
    // Twenty 512 KiB attachments at once against a 3 MiB budget: exactly six are kept.
    const HALF_MIB: usize = 1 << 19;
    let ticket = TicketId(93);
    let message_id = 8 << 22;
    message_with_attachments(&store, ticket, message_id, 20, HALF_MIB as u64).await;
    let tasks: Vec<_> = (1..=20u64)
        .map(|id| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .store_attachment(ticket, Id::new(message_id), id, vec![0; HALF_MIB])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut kept = 0;
    for task in tasks {
        kept += usize::from(task.await.unwrap());
    }
    assert_eq!(kept, 6);
    let sizes = store.attachment_sizes(ticket).await.unwrap();
    assert_eq!(sizes.len(), 6);
    assert_eq!(sizes.iter().map(|(_, len)| len).sum::<u64>(), 3 << 20);
}

pub(crate) async fn panel_access_grants(store: Arc<dyn Store>) {
    let at = Timestamp::from_secs(70_000);
    assert!(
        store
            .grant_panel_access(guild(GUILD), user(5), user(1), at)
            .await
            .unwrap()
    );
    assert!(
        !store
            .grant_panel_access(guild(GUILD), user(5), user(2), at)
            .await
            .unwrap()
    );
    assert!(
        store
            .grant_panel_access(
                guild(GUILD),
                user(6),
                user(1),
                at.plus(Duration::from_secs(1))
            )
            .await
            .unwrap()
    );
    assert!(store.has_panel_access(guild(GUILD), user(5)).await.unwrap());
    assert!(
        !store
            .has_panel_access(guild(GUILD + 1), user(5))
            .await
            .unwrap()
    );
    let grants = store.panel_access(guild(GUILD)).await.unwrap();
    assert_eq!(
        grants
            .iter()
            .map(|g| (g.user_id, g.granted_by))
            .collect::<Vec<_>>(),
        [(user(5), user(1)), (user(6), user(1))]
    );
    assert_eq!(grants[0].granted_at, at);
    assert!(
        store
            .revoke_panel_access(guild(GUILD), user(5))
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_panel_access(guild(GUILD), user(5))
            .await
            .unwrap()
    );
    assert!(!store.has_panel_access(guild(GUILD), user(5)).await.unwrap());
}

pub(crate) async fn interactions_are_claimed_once(store: Arc<dyn Store>) {
    let start = Timestamp::from_secs(80_000);
    // Ten concurrent deliveries of one interaction: one owner.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.begin_interaction(42, start).await.unwrap()
        }));
    }
    let mut new = 0;
    for task in tasks {
        match task.await.unwrap() {
            InteractionClaim::New => new += 1,
            InteractionClaim::InProgress { started_at } => assert_eq!(started_at, start),
            InteractionClaim::Done { .. } => panic!("not finished yet"),
        }
    }
    assert_eq!(new, 1);
    store
        .finish_interaction(42, "opened ticket 7")
        .await
        .unwrap();
    assert_eq!(
        store.begin_interaction(42, start).await.unwrap(),
        InteractionClaim::Done {
            outcome: "opened ticket 7".into()
        }
    );
    assert!(matches!(
        store.finish_interaction(43, "x").await,
        Err(Error::Invalid(_))
    ));
    store
        .begin_interaction(43, start.plus(Duration::from_secs(100)))
        .await
        .unwrap();
    assert_eq!(
        store
            .purge_interactions(start.plus(Duration::from_secs(50)))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store.begin_interaction(42, start).await.unwrap(),
        InteractionClaim::New
    );
}

/// The domain's opening transition of a stored ticket, as the bot commits it.
fn opening(config: &GuildConfig, ticket: &Ticket, now: Timestamp) -> helpline_domain::Transition {
    opened(
        ticket,
        &Context {
            config,
            bot_id: user(1),
            now,
        },
    )
}

pub(crate) async fn effects_are_queued_with_their_ticket_and_settled_once(store: Arc<dyn Store>) {
    let config = config(GUILD, 1, 0);
    let now = Timestamp::from_secs(70_000);
    let ticket = create(&store, &config, 1, 9, now).await;
    let transition = opening(&config, &ticket, now);
    let queued: Vec<&Effect> = transition
        .effects
        .iter()
        .filter(|e| !matches!(e.kind, EffectKind::SaveTicket { .. }))
        .collect();
    assert!(queued.len() >= 3, "channel, welcome and log at least");
    store
        .commit_ticket(
            &transition.ticket,
            ticket.version,
            &transition.effects,
            now,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.ticket(ticket.id).await.unwrap(),
        Some(transition.ticket.clone())
    );
    let pending = store.pending_effects(ticket.id).await.unwrap();
    assert_eq!(
        pending.iter().map(|p| &p.effect).collect::<Vec<_>>(),
        queued,
        "every effect but the write itself, in order"
    );
    assert!(pending.iter().all(|p| p.attempts == 0
        && p.next_attempt_at == now
        && p.created_at == now
        && p.guild_id == guild(GUILD)
        && p.last_error.is_none()));
    assert_eq!(
        store.outbox_depth().await.unwrap(),
        OutboxDepth {
            pending: queued.len() as u64,
            oldest: Some(now)
        }
    );

    // A commit from a stale version queues nothing.
    let mut stale = transition.ticket.clone();
    stale.version = ticket.version + 1;
    let stale_effects = vec![Effect {
        key: EffectKey {
            ticket: ticket.id,
            version: 99,
            step: 1,
        },
        kind: EffectKind::DeleteChannel,
    }];
    assert!(matches!(
        store
            .commit_ticket(&stale, ticket.version, &stale_effects, now, None)
            .await,
        Err(Error::Conflict { .. })
    ));
    assert_eq!(store.pending_effects(ticket.id).await.unwrap(), pending);

    // Due now, not before.
    assert_eq!(
        store.due_tickets(now, 10).await.unwrap(),
        vec![(ticket.id, guild(GUILD))]
    );
    assert!(
        store
            .due_tickets(Timestamp::from_millis(now.as_millis() - 1), 10)
            .await
            .unwrap()
            .is_empty()
    );

    // The first effect is confirmed once; the second fails and waits.
    let first = pending[0].effect.key;
    let second = pending[1].effect.key;
    assert!(store.finish_effect(first, now).await.unwrap());
    assert!(!store.finish_effect(first, now).await.unwrap(), "done once");
    let later = Timestamp::from_secs(70_010);
    assert!(store.retry_effect(second, later, "HTTP 502").await.unwrap());
    let pending = store.pending_effects(ticket.id).await.unwrap();
    assert_eq!(pending.len(), queued.len() - 1);
    assert_eq!(pending[0].effect.key, second);
    assert_eq!(pending[0].attempts, 1);
    assert_eq!(pending[0].next_attempt_at, later);
    assert_eq!(pending[0].last_error.as_deref(), Some("HTTP 502"));
    assert!(!store.retry_effect(first, later, "x").await.unwrap());
    // The third effect is still due now, so the ticket is; the earliest due comes first.
    let other = create(&store, &config, 2, 10, now).await;
    let other_transition = opening(&config, &other, later);
    store
        .commit_ticket(
            &other_transition.ticket,
            other.version,
            &other_transition.effects,
            later,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.due_tickets(later, 10).await.unwrap(),
        vec![(ticket.id, guild(GUILD)), (other.id, guild(GUILD))]
    );
    assert_eq!(
        store.due_tickets(later, 1).await.unwrap(),
        vec![(ticket.id, guild(GUILD))]
    );

    // Given up: no longer pending, and not settled twice.
    assert!(store.give_up_effect(second, later, "50013").await.unwrap());
    assert!(!store.give_up_effect(second, later, "50013").await.unwrap());
    assert!(!store.finish_effect(second, later).await.unwrap());
    assert_eq!(
        store.pending_effects(ticket.id).await.unwrap().len(),
        queued.len() - 2
    );

    // Committing an already queued key again leaves it as it is.
    let mut next = transition.ticket.clone();
    next.version += 1;
    store
        .commit_ticket(
            &next,
            transition.ticket.version,
            &transition.effects,
            later,
            None,
        )
        .await
        .unwrap();
    let again = store.pending_effects(ticket.id).await.unwrap();
    assert_eq!(
        again.len(),
        queued.len() - 2,
        "done and given-up keys stay settled"
    );
    assert!(again.iter().all(|p| p.created_at == now));

    // An effect of another ticket is refused, and nothing of that commit is kept.
    let mut foreign = next.clone();
    foreign.version += 1;
    let wrong = vec![Effect {
        key: EffectKey {
            ticket: other.id,
            version: 1,
            step: 9,
        },
        kind: EffectKind::DeleteChannel,
    }];
    assert!(matches!(
        store
            .commit_ticket(&foreign, next.version, &wrong, later, None)
            .await,
        Err(Error::Invalid(_))
    ));
    assert_eq!(store.ticket(ticket.id).await.unwrap(), Some(next));
}

pub(crate) async fn the_outbox_gives_up_by_ticket_and_guild_and_purges(store: Arc<dyn Store>) {
    let now = Timestamp::from_secs(80_000);
    let mut committed = Vec::new();
    for (guild_id, id) in [(GUILD, 1), (GUILD, 2), (GUILD + 1, 3)] {
        let config = config(guild_id, 1, 0);
        let ticket = create(&store, &config, id, 9 + id, now).await;
        let transition = opening(&config, &ticket, now);
        store
            .commit_ticket(
                &transition.ticket,
                ticket.version,
                &transition.effects,
                now,
                None,
            )
            .await
            .unwrap();
        committed.push((ticket.id, transition.effects.len() as u64 - 1));
    }
    let total: u64 = committed.iter().map(|(_, n)| n).sum();
    assert_eq!(store.outbox_depth().await.unwrap().pending, total);
    let later = Timestamp::from_secs(80_100);
    assert_eq!(
        store
            .give_up_ticket_effects(committed[0].0, later, "abandoned")
            .await
            .unwrap(),
        committed[0].1
    );
    assert!(
        store
            .pending_effects(committed[0].0)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .give_up_guild_effects(guild(GUILD + 1), later, "the bot left")
            .await
            .unwrap(),
        committed[2].1
    );
    assert_eq!(
        store.outbox_depth().await.unwrap(),
        OutboxDepth {
            pending: committed[1].1,
            oldest: Some(now)
        },
        "only the untouched ticket of the first guild is left"
    );
    // Settled effects are purged once old enough; pending ones never.
    assert_eq!(store.purge_effects(later).await.unwrap(), 0);
    let purged = store
        .purge_effects(Timestamp::from_secs(80_101))
        .await
        .unwrap();
    assert_eq!(purged, committed[0].1 + committed[2].1);
    assert_eq!(
        store.pending_effects(committed[1].0).await.unwrap().len() as u64,
        committed[1].1
    );
}

pub(crate) async fn stalled_tickets_are_those_nothing_works_on(store: Arc<dyn Store>) {
    let config = config(GUILD, 5, 0);
    let now = Timestamp::from_secs(90_000);
    let cutoff = Timestamp::from_secs(90_060);
    // Never announced: a crash right after the store created it.
    let unannounced = create(&store, &config, 1, 9, now).await;
    // Announced and being worked on.
    let working = create(&store, &config, 2, 10, now).await;
    let transition = opening(&config, &working, now);
    store
        .commit_ticket(
            &transition.ticket,
            working.version,
            &transition.effects,
            now,
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.stalled_tickets(cutoff, 10).await.unwrap(),
        vec![unannounced.clone()]
    );
    assert!(
        store.stalled_tickets(now, 10).await.unwrap().is_empty(),
        "too young to call stalled"
    );
    // Its effects were given up without a channel: stalled too.
    store
        .give_up_ticket_effects(working.id, now, "gone")
        .await
        .unwrap();
    let stalled = store.stalled_tickets(cutoff, 10).await.unwrap();
    assert_eq!(
        stalled.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![unannounced.id, working.id]
    );
    assert_eq!(store.stalled_tickets(cutoff, 1).await.unwrap().len(), 1);
    // With a channel it is settled; closed or deleted tickets never stall.
    let mut settled = transition.ticket.clone();
    settled.channel = Some(TicketChannel {
        id: Id::new(5_000),
        kind: TicketChannelKind::Channel,
    });
    settled.version += 1;
    store
        .update_ticket(&settled, transition.ticket.version)
        .await
        .unwrap();
    set_state(&store, &unannounced, TicketState::Deleted, now).await;
    assert!(store.stalled_tickets(cutoff, 10).await.unwrap().is_empty());
    // A request waiting for staff has no channel by design.
    let mut manual = config.clone();
    manual.panels[0].settings.approval = helpline_domain::ApprovalMode::Manual;
    let requested = create(&store, &manual, 3, 11, now).await;
    assert_eq!(requested.state, TicketState::Requested);
    let announced = opening(&manual, &requested, now);
    store
        .commit_ticket(&announced.ticket, requested.version, &[], now, None)
        .await
        .unwrap();
    assert!(store.stalled_tickets(cutoff, 10).await.unwrap().is_empty());
}

pub(crate) async fn ticket_messages_are_remembered_per_slot(store: Arc<dyn Store>) {
    let ticket = TicketId(1);
    assert_eq!(
        store
            .ticket_message(ticket, TicketMessage::Welcome)
            .await
            .unwrap(),
        None
    );
    store
        .set_ticket_message(ticket, TicketMessage::Welcome, Id::new(10))
        .await
        .unwrap();
    store
        .set_ticket_message(ticket, TicketMessage::Closed, Id::new(11))
        .await
        .unwrap();
    store
        .set_ticket_message(ticket, TicketMessage::Closed, Id::new(12))
        .await
        .unwrap();
    assert_eq!(
        store
            .ticket_message(ticket, TicketMessage::Welcome)
            .await
            .unwrap(),
        Some(Id::new(10))
    );
    assert_eq!(
        store
            .ticket_message(ticket, TicketMessage::Closed)
            .await
            .unwrap(),
        Some(Id::new(12)),
        "the latest replaces the previous"
    );
    assert_eq!(
        store
            .ticket_message(TicketId(2), TicketMessage::Welcome)
            .await
            .unwrap(),
        None
    );
}

pub(crate) async fn writes_with_an_older_fencing_token_are_refused(store: Arc<dyn Store>) {
    use helpline_store::Fence;
    let config = config(GUILD, 5, 0);
    let now = Timestamp::from_secs(90_000);
    let old = Fence { shard: 3, token: 4 };
    let new = Fence { shard: 3, token: 5 };
    fn fenced<T>(result: helpline_store::Result<T>) -> bool {
        matches!(
            result,
            Err(Error::Fenced {
                shard: 3,
                token: 4,
                current: 5
            })
        )
    }
    // Nothing seen yet: the old holder writes, and its token is recorded.
    store.check_fence(old).await.unwrap();
    let (ticket, limits) = new_ticket(&config, 1, 7, now);
    let OpenOutcome::Created(ticket) = store
        .open_ticket(ticket, limits, now, Some(old))
        .await
        .unwrap()
    else {
        panic!("the first open is created");
    };
    // A process takes the shard: from then on the old token is refused everywhere.
    store.advance_fence(new).await.unwrap();
    assert!(fenced(store.check_fence(old).await));
    assert!(
        fenced(store.advance_fence(old).await),
        "tokens never go back"
    );
    let (refused, _) = new_ticket(&config, 2, 8, now);
    assert!(fenced(
        store
            .open_ticket(refused.clone(), limits, now, Some(old))
            .await
    ));
    assert_eq!(
        store.ticket(refused.id).await.unwrap(),
        None,
        "nothing written"
    );
    let transition = opening(&config, &ticket, now);
    assert!(fenced(
        store
            .commit_ticket(
                &transition.ticket,
                ticket.version,
                &transition.effects,
                now,
                Some(old)
            )
            .await
    ));
    assert_eq!(store.ticket(ticket.id).await.unwrap(), Some(ticket.clone()));
    assert!(
        store.pending_effects(ticket.id).await.unwrap().is_empty(),
        "nothing queued"
    );
    // The new holder writes; other shards and unfenced writes are not concerned.
    store
        .commit_ticket(
            &transition.ticket,
            ticket.version,
            &transition.effects,
            now,
            Some(new),
        )
        .await
        .unwrap();
    store.check_fence(new).await.unwrap();
    store
        .check_fence(Fence { shard: 4, token: 1 })
        .await
        .unwrap();
    assert!(
        matches!(
            store.advance_fence(new).await,
            Err(Error::Fenced {
                shard: 3,
                token: 5,
                current: 5
            })
        ),
        "a token is granted once: seen again, the coordinator lost its data"
    );
    store
        .advance_fence(Fence { shard: 3, token: 6 })
        .await
        .unwrap();
    let (unfenced, _) = new_ticket(&config, 3, 9, now);
    assert!(matches!(
        store
            .open_ticket(unfenced, limits, now, None)
            .await
            .unwrap(),
        OpenOutcome::Created(_)
    ));
}

/// The scheduler's query: tickets whose stored timer is due, earliest first; a ticket whose
/// timer moves or goes away is no longer due; the deadline survives a reopen of the store
/// (it is a column of the ticket, not memory).
pub(crate) async fn due_timers_are_found_by_their_stored_deadline(store: Arc<dyn Store>) {
    let hour = std::time::Duration::from_secs(3600);
    let mut config = GuildConfig::new(guild(GUILD));
    config.settings.auto_close_hours = Some(24);
    config
        .add_panel(|id| Panel::new(id, Id::new(77)))
        .expect("panel");
    store.save_guild_config(&config).await.unwrap();
    let now = Timestamp::from_secs(1_800_000_000);
    let first = create(&store, &config, 1, 10, now).await;
    let second = create(&store, &config, 2, 11, now.plus(hour)).await;
    let _quiet = {
        let mut other = GuildConfig::new(guild(GUILD + 1));
        other
            .add_panel(|id| Panel::new(id, Id::new(78)))
            .expect("panel");
        create(&store, &other, 3, 12, now).await
    };
    assert_eq!(first.timer.map(|t| t.at), Some(now.plus(23 * hour)));
    assert!(
        store
            .due_timers(now.plus(22 * hour), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .due_timers(now.plus(30 * hour), None, 10)
            .await
            .unwrap()
            .iter()
            .map(|(id, guild, _)| (*id, *guild))
            .collect::<Vec<_>>(),
        [(first.id, guild(GUILD)), (second.id, guild(GUILD))],
        "earliest first; a guild without auto-close has no timer"
    );
    assert_eq!(
        store
            .due_timers(now.plus(30 * hour), None, 1)
            .await
            .unwrap()
            .len(),
        1
    );
    // Paging past the first row (a caller skipping it) reaches the next.
    let page = store
        .due_timers(now.plus(30 * hour), None, 1)
        .await
        .unwrap();
    let (id, _, at) = page[0];
    let next = store
        .due_timers(now.plus(30 * hour), Some((at, id)), 10)
        .await
        .unwrap();
    assert_eq!(
        next.iter().map(|(id, _, _)| *id).collect::<Vec<_>>(),
        [second.id]
    );
    // A message moves the first ticket's timer; closing the second clears it.
    let mut moved = first.clone();
    moved.record_message(false, now.plus(20 * hour), &config.settings);
    moved.version += 1;
    store.update_ticket(&moved, first.version).await.unwrap();
    let mut closed = second.clone();
    closed.state = TicketState::Closed;
    closed.closed_at = Some(now.plus(2 * hour));
    closed.close_reason = Some(helpline_domain::CloseReason::NoneGiven);
    closed.schedule(&config.settings);
    closed.version += 1;
    store.update_ticket(&closed, second.version).await.unwrap();
    assert!(
        store
            .due_timers(now.plus(30 * hour), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .due_timers(now.plus(43 * hour), None, 10)
            .await
            .unwrap()
            .iter()
            .map(|(id, guild, _)| (*id, *guild))
            .collect::<Vec<_>>(),
        [(first.id, guild(GUILD))]
    );
}

/// Retention (R18): an ended ticket's transcript and attachments go together once its
/// retention is over, and the ticket says so; a ticket reopened meanwhile keeps its transcript.
pub(crate) async fn transcripts_are_purged_whole_after_their_retention(store: Arc<dyn Store>) {
    let day = std::time::Duration::from_secs(86_400);
    let mut config = GuildConfig::new(guild(GUILD));
    config.settings.transcript_retention_days = 2;
    config
        .add_panel(|id| Panel::new(id, Id::new(77)))
        .expect("panel");
    store.save_guild_config(&config).await.unwrap();
    let now = Timestamp::from_secs(1_800_000_000);
    let mut kept = Vec::new();
    for (id, opener) in [(1, 10), (2, 11)] {
        let ticket = create(&store, &config, id, opener, now).await;
        let message_id = (id + 4) << 22;
        let attachment = TranscriptAttachment {
            id: 500 + id,
            filename: "a.txt".into(),
            content_type: None,
            size: 5,
            stored: true,
        };
        store
            .append_message(ticket.id, &message(message_id, "hello", vec![attachment]))
            .await
            .unwrap();
        store
            .store_attachment(ticket.id, Id::new(message_id), 500 + id, b"hello".to_vec())
            .await
            .unwrap();
        let mut closed = ticket.clone();
        closed.state = TicketState::Closed;
        closed.closed_at = Some(now);
        closed.close_reason = Some(helpline_domain::CloseReason::NoneGiven);
        closed.schedule(&config.settings);
        closed.version += 1;
        assert_eq!(closed.purge_at, Some(now.plus(2 * day)));
        store.update_ticket(&closed, ticket.version).await.unwrap();
        kept.push(closed);
    }
    // The second is reopened before its retention ends: it keeps its transcript.
    let mut reopened = kept[1].clone();
    reopened.state = TicketState::Open;
    reopened.closed_at = None;
    reopened.close_reason = None;
    reopened.schedule(&config.settings);
    reopened.version += 1;
    assert_eq!(reopened.purge_at, None);
    store
        .update_ticket(&reopened, kept[1].version)
        .await
        .unwrap();

    assert!(
        store
            .due_purges(now.plus(day), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = now.plus(3 * day);
    assert_eq!(store.due_purges(later, 10).await.unwrap(), [kept[0].id]);
    assert!(
        store
            .purge_transcript(kept[0].id, now.plus(day))
            .await
            .unwrap()
            == 0,
        "not yet"
    );
    assert_eq!(store.purge_transcript(kept[0].id, later).await.unwrap(), 2);
    assert!(store.transcript(kept[0].id).await.unwrap().is_empty());
    assert_eq!(store.attachment(kept[0].id, 501).await.unwrap(), None);
    let purged = store.ticket(kept[0].id).await.unwrap().unwrap();
    assert!(purged.transcript_purged && purged.purge_at.is_none());
    assert!(
        purged.open_reason.is_none() && purged.answers.is_empty(),
        "what the record held of the conversation goes too"
    );
    assert_eq!(purged.version, kept[0].version + 1);
    assert!(store.due_purges(later, 10).await.unwrap().is_empty());
    assert_eq!(
        store.purge_transcript(kept[0].id, later).await.unwrap(),
        0,
        "once"
    );
    assert_eq!(store.purge_transcript(reopened.id, later).await.unwrap(), 0);
    assert_eq!(store.transcript(reopened.id).await.unwrap().len(), 1);
    assert_eq!(
        store.attachment(reopened.id, 502).await.unwrap().as_deref(),
        Some(&b"hello"[..])
    );
}

pub(crate) async fn guild_jobs_run_once_retry_and_are_purged(store: Arc<dyn Store>) {
    let at = Timestamp::from_secs(1_800_000_000);
    let later = |secs| at.plus(Duration::from_secs(secs));
    let setup = GuildTask::Setup {
        panel_channel: None,
        log_channel: Some(Id::new(40)),
        category: None,
        force: false,
        language: Some(helpline_domain::Language::French),
    };
    let first = GuildJob::new(GuildJob::new_id(at, 1), guild(GUILD), setup, user(5), at);
    let show = GuildTask::ShowPanels {
        panels: vec![PanelId(1), PanelId(2)],
    };
    let second = GuildJob::new(
        GuildJob::new_id(later(1), 2),
        guild(GUILD),
        show,
        user(5),
        later(1),
    );
    let remove = GuildTask::RemoveMessages {
        messages: vec![(Id::new(41), Id::new(42))],
    };
    let other = GuildJob::new(
        GuildJob::new_id(later(2), 3),
        guild(GUILD + 1),
        remove,
        user(6),
        later(2),
    );
    for job in [&first, &second, &other] {
        assert!(store.submit_guild_job(job).await.unwrap());
    }
    // The same request twice is one job, and the first one's.
    let mut again = first.clone();
    again.requested_by = user(9);
    assert!(!store.submit_guild_job(&again).await.unwrap());

    // A guild's jobs, newest first; none of another guild's.
    let listed = store.guild_jobs(guild(GUILD), 10).await.unwrap();
    assert_eq!(listed, vec![second.clone(), first.clone()]);
    assert_eq!(
        store.guild_jobs(guild(GUILD), 1).await.unwrap(),
        vec![second.clone()]
    );
    assert_eq!(
        store.guild_jobs(guild(GUILD + 5), 10).await.unwrap(),
        vec![]
    );

    // Due: every guild's, soonest first, only those due, at most `limit`.
    let ids = |jobs: Vec<GuildJob>| jobs.into_iter().map(|j| j.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store.due_guild_jobs(later(1), 10).await.unwrap()),
        vec![first.id, second.id]
    );
    assert_eq!(
        ids(store.due_guild_jobs(later(5), 10).await.unwrap()),
        vec![first.id, second.id, other.id]
    );
    assert_eq!(
        ids(store.due_guild_jobs(later(5), 2).await.unwrap()),
        vec![first.id, second.id]
    );

    // A failed attempt puts the job off; it is due again then, with the attempt counted.
    assert!(
        store
            .retry_guild_job(guild(GUILD), first.id, later(60))
            .await
            .unwrap()
    );
    assert_eq!(
        ids(store.due_guild_jobs(later(5), 10).await.unwrap()),
        vec![second.id, other.id]
    );
    let due = store.due_guild_jobs(later(60), 10).await.unwrap();
    assert_eq!(ids(due.clone()), vec![second.id, other.id, first.id]);
    assert_eq!(due[2].attempts, 1);
    assert_eq!(due[2].due_at, later(60));
    // Another guild's id does not reach it.
    assert!(
        !store
            .retry_guild_job(guild(GUILD + 1), first.id, later(61))
            .await
            .unwrap()
    );

    // Ended once: a second process ending it (or retrying it) changes nothing.
    let refused = JobState::Refused {
        reason: JobRefusal::PublicLog {
            channel: Id::new(40),
        },
    };
    assert!(
        store
            .end_guild_job(guild(GUILD), first.id, refused, later(70))
            .await
            .unwrap()
    );
    assert!(
        !store
            .end_guild_job(guild(GUILD), first.id, JobState::Done, later(71))
            .await
            .unwrap()
    );
    assert!(
        !store
            .retry_guild_job(guild(GUILD), first.id, later(80))
            .await
            .unwrap()
    );
    assert!(
        store
            .end_guild_job(guild(GUILD), second.id, JobState::Done, later(75))
            .await
            .unwrap()
    );
    assert!(matches!(
        store
            .end_guild_job(guild(GUILD + 1), other.id, JobState::Pending, later(75))
            .await,
        Err(Error::Invalid(_))
    ));
    let listed = store.guild_jobs(guild(GUILD), 10).await.unwrap();
    assert_eq!(listed[1].state, refused);
    assert_eq!(listed[1].ended_at, Some(later(70)));
    assert_eq!(listed[0].state, JobState::Done);
    assert_eq!(
        ids(store.due_guild_jobs(later(1000), 10).await.unwrap()),
        vec![other.id]
    );

    // Ended jobs go after they are old enough; pending ones stay whatever their age.
    assert_eq!(store.purge_guild_jobs(later(72)).await.unwrap(), 1);
    assert_eq!(
        ids(store.guild_jobs(guild(GUILD), 10).await.unwrap()),
        vec![second.id]
    );
    assert_eq!(store.purge_guild_jobs(later(10_000)).await.unwrap(), 1);
    assert_eq!(store.guild_jobs(guild(GUILD), 10).await.unwrap(), vec![]);
    assert_eq!(
        ids(store.guild_jobs(guild(GUILD + 1), 10).await.unwrap()),
        vec![other.id]
    );
}

pub(crate) async fn panel_sign_outs_only_move_forward(store: Arc<dyn Store>) {
    let at = Timestamp::from_secs(1_800_000_000);
    assert_eq!(store.panel_sessions_ended(user(5)).await.unwrap(), None);
    store.end_panel_sessions(user(5), at).await.unwrap();
    assert_eq!(store.panel_sessions_ended(user(5)).await.unwrap(), Some(at));
    // A sign-out recorded late (an older time) does not bring old sessions back.
    store
        .end_panel_sessions(user(5), Timestamp::from_secs(1_700_000_000))
        .await
        .unwrap();
    assert_eq!(store.panel_sessions_ended(user(5)).await.unwrap(), Some(at));
    let later = at.plus(Duration::from_secs(60));
    store.end_panel_sessions(user(5), later).await.unwrap();
    assert_eq!(
        store.panel_sessions_ended(user(5)).await.unwrap(),
        Some(later)
    );
    assert_eq!(store.panel_sessions_ended(user(6)).await.unwrap(), None);
}
