//! The effect executor. A step's ticket and its effects are written to the store together
//! ([`commit`]): from then on the effects are owed, whatever happens to this process. [`run`]
//! performs a ticket's pending effects in order, marking each done as Discord confirms it; a
//! transient failure (5xx, 429, timeout, lost connection) keeps the effect pending with a
//! backoff and holds back the ones after it, a final refusal (4xx) gives that effect up and
//! goes on. What a crash, a 5xx or a timeout leaves pending is finished by a scheduled retry or
//! by the reconciler (`crate::reconciler`), which looks for what an earlier attempt may have
//! done before doing it again (see `perform`).

mod perform;

use crate::{Bot, Error};
use helpline_domain::{EffectKind, GuildConfig, Ticket, TicketId, Timestamp, Transition};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) use crate::render::number;

/// Attempts of an effect before it is given up: with the backoff below, about 40 minutes of a
/// failing Discord.
pub(crate) const MAX_ATTEMPTS: u32 = 15;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// Why a step could not be committed.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The ticket changed since it was read: decide again.
    Conflict,
    /// The store failed.
    Failed(Error),
}

impl From<helpline_store::Error> for Stop {
    fn from(error: helpline_store::Error) -> Self {
        match error {
            helpline_store::Error::Conflict { .. } => Self::Conflict,
            other => Self::Failed(other.into()),
        }
    }
}

/// How one attempt at an effect failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth trying again later.
    Transient(Error),
    /// Discord refused for good: give the effect up.
    Permanent(Error),
    /// Discord refused to create the ticket's channel: the ticket is abandoned.
    Abandon(Error),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        if error.is_transient() {
            Self::Transient(error)
        } else {
            Self::Permanent(error)
        }
    }
}

impl Failure {
    /// A failure to create the ticket's channel: final refusals abandon the ticket.
    fn opening(error: Error) -> Self {
        match Self::from(error) {
            Self::Permanent(error) => Self::Abandon(error),
            other => other,
        }
    }
}

/// What running a ticket's effects did.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// The ticket as it is after the run.
    pub(crate) ticket: Option<Ticket>,
    /// Effects Discord refused for good (logged, and told to the member).
    pub(crate) failures: Vec<(&'static str, Error)>,
    /// Some effect waits for a retry.
    pub(crate) waiting: bool,
    /// Discord refused the ticket's channel; the ticket was abandoned.
    pub(crate) abandoned: bool,
    /// The reconciler left an effect to the process that committed it (`Mode::Reconcile`).
    pub(crate) left_to_committer: bool,
}

/// How a run starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Right after the commit, in this process: nothing was attempted yet.
    Fresh,
    /// Resuming effects an earlier attempt (maybe of a crashed process) may have reached
    /// Discord with.
    Resume,
    /// The reconciler's resumption: as `Resume`, but a channel creation never attempted and
    /// committed less than [`BotConfig::first_attempt_grace`] ago is left alone (its committer,
    /// maybe another process, may be making its first attempt right now); only a committer that
    /// stopped leaves it older than that.
    ///
    /// [`BotConfig::first_attempt_grace`]: crate::BotConfig::first_attempt_grace
    Reconcile,
}

/// One lock per ticket with effects running, so two runs never interleave a ticket's effects.
#[derive(Debug, Default)]
pub(crate) struct TicketLocks {
    locks: Mutex<HashMap<TicketId, Arc<tokio::sync::Mutex<()>>>>,
}

impl TicketLocks {
    fn get(&self, ticket: TicketId) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        // Forget locks nobody holds or waits for, so the map stays as small as the work.
        if locks.len() > 1024 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        Arc::clone(locks.entry(ticket).or_default())
    }
}

/// The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s… up to five minutes, with up to a
/// quarter more at random so that many tickets hit by one outage do not retry in lockstep.
fn backoff(attempts: u32) -> Duration {
    let base = Duration::from_secs(1u64 << attempts.saturating_sub(1).min(16)).min(MAX_BACKOFF);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let jitter = u64::from(std::process::id() ^ nanos) % 1000;
    base + base / 4 * u32::try_from(jitter).unwrap_or(0) / 1000
}

/// Writes the step's ticket and queues its effects, atomically.
pub(crate) async fn commit(bot: &Bot, transition: &Transition) -> Result<(), Stop> {
    let expected = transition.ticket.version.saturating_sub(1);
    let fence = bot
        .inner
        .leases
        .fence(transition.ticket.guild_id)
        .map_err(Stop::Failed)?;
    bot.inner
        .store
        .commit_ticket(
            &transition.ticket,
            expected,
            &transition.effects,
            bot.now(),
            fence,
        )
        .await?;
    if let Some(channel) = transition.ticket.channel {
        bot.inner
            .ticket_channels
            .update(channel.id, crate::channels::Known::of(&transition.ticket));
    }
    Ok(())
}

/// Commits the step, then performs its effects.
pub(crate) async fn execute(bot: &Bot, transition: Transition) -> Result<Report, Stop> {
    commit(bot, &transition).await?;
    run(bot, transition.ticket.id, Mode::Fresh)
        .await
        .map_err(Stop::Failed)
}

/// Performs a ticket's pending effects, in order, as far as they go.
pub(crate) async fn run(bot: &Bot, ticket_id: TicketId, mode: Mode) -> Result<Report, Error> {
    let lock = bot.inner.ticket_locks.get(ticket_id);
    let _running = lock.lock().await;
    let store = &bot.inner.store;
    let mut report = Report::default();
    let pending = store.pending_effects(ticket_id).await?;
    let Some(mut ticket) = store.ticket(ticket_id).await? else {
        store
            .give_up_ticket_effects(ticket_id, bot.now(), "the ticket no longer exists")
            .await?;
        return Ok(report);
    };
    if pending.is_empty() {
        report.ticket = Some(ticket);
        return Ok(report);
    }
    if bot.inner.departed.contains(ticket.guild_id) {
        let given_up = store
            .give_up_ticket_effects(ticket_id, bot.now(), "the bot is no longer in the guild")
            .await?;
        tracing::info!(ticket = %ticket_id, given_up, "effects dropped: the bot left the guild");
        report.ticket = Some(ticket);
        return Ok(report);
    }
    let config = store
        .guild_config(ticket.guild_id)
        .await?
        .unwrap_or_else(|| GuildConfig::new(ticket.guild_id));
    for pending in pending {
        let started = bot.now();
        if pending.next_attempt_at > started {
            report.waiting = true;
            schedule(bot, ticket_id, pending.next_attempt_at);
            break;
        }
        if mode == Mode::Reconcile
            && pending.attempts == 0
            && creates_the_channel(&pending.effect.kind)
            && started.since(pending.created_at) < bot.inner.first_attempt_grace
        {
            // Its committer's first attempt may be under way: performing it beside that one
            // would make a second ticket channel (every other effect is idempotent — messages
            // carry nonces, overwrites and names are set whole — so those, and whatever the web
            // panel commits for the bot to do, are taken at once). A later pass takes it if it
            // is still pending then.
            report.left_to_committer = true;
            break;
        }
        // Only the holder of the guild's shard acts on Discord: a process that lost its lease
        // (paused past it, cut from the coordinator) leaves the effect to the new holder.
        if let Some(fence) = bot.inner.leases.fence(ticket.guild_id)? {
            store.check_fence(fence).await?;
        }
        let key = pending.effect.key;
        let name = pending.effect.kind.name();
        let resume = mode != Mode::Fresh || pending.attempts > 0;
        let outcome = perform::perform(bot, &config, &ticket, &pending.effect, resume).await;
        ::metrics::counter!(crate::metrics::EFFECTS, "effect" => name, "outcome" => outcome_name(&outcome)).increment(1);
        match outcome {
            Ok(()) => {
                let now = bot.now();
                ::metrics::histogram!(crate::metrics::EFFECT_AGE)
                    .record(now.since(pending.created_at).as_secs_f64());
                store.finish_effect(key, now).await?;
            }
            Err(Failure::Transient(error)) => {
                let attempts = pending.attempts + 1;
                if attempts >= MAX_ATTEMPTS {
                    tracing::error!(ticket = %ticket_id, effect = name, attempts, %error, "effect given up after its last attempt");
                    store
                        .give_up_effect(key, bot.now(), &error.to_string())
                        .await?;
                    report.failures.push((name, error));
                    continue;
                }
                let next = bot.now().plus(backoff(attempts));
                tracing::warn!(ticket = %ticket_id, effect = name, attempts, %error, "effect failed, will retry");
                store.retry_effect(key, next, &error.to_string()).await?;
                schedule(bot, ticket_id, next);
                report.waiting = true;
                break;
            }
            Err(Failure::Permanent(error)) => {
                tracing::warn!(ticket = %ticket_id, effect = name, %error, "discord refused an effect");
                store
                    .give_up_effect(key, bot.now(), &error.to_string())
                    .await?;
                report.failures.push((name, error));
            }
            Err(Failure::Abandon(error)) => {
                tracing::warn!(ticket = %ticket_id, %error, "discord refused the ticket channel, ticket abandoned");
                store
                    .give_up_effect(key, bot.now(), &error.to_string())
                    .await?;
                abandon(bot, &config, ticket_id).await?;
                report.abandoned = true;
                report.failures.push((name, error));
                break;
            }
        }
        // The next effect renders what the ticket is now (a channel recorded, a claim
        // committed meanwhile).
        ticket = store.ticket(ticket_id).await?.unwrap_or(ticket);
    }
    report.ticket = Some(ticket);
    Ok(report)
}

fn outcome_name(outcome: &Result<(), Failure>) -> &'static str {
    match outcome {
        Ok(()) => "done",
        Err(Failure::Transient(_)) => "retry",
        Err(Failure::Permanent(_)) => "refused",
        Err(Failure::Abandon(_)) => "abandoned",
    }
}

/// Runs the ticket's effects again once `at` has come (the reconciler does it too, after a
/// restart).
fn schedule(bot: &Bot, ticket: TicketId, at: Timestamp) {
    let wait =
        Duration::from_millis(u64::try_from(at.as_millis() - bot.now().as_millis()).unwrap_or(0));
    let timers = bot.inner.timers.clone();
    let bot = bot.clone();
    timers.spawn(async move {
        tokio::time::sleep(wait).await;
        if let Err(error) = run(&bot, ticket, Mode::Resume).await {
            tracing::warn!(%ticket, %error, "retrying effects failed");
        }
    });
}

/// Deletes a ticket whose channel Discord refused, so it holds no place in the open limit, and
/// drops the rest of its effects (they need the channel).
pub(crate) async fn abandon(
    bot: &Bot,
    config: &GuildConfig,
    ticket_id: TicketId,
) -> Result<(), Error> {
    use helpline_domain::lifecycle::{Action, Context, apply};
    let store = &bot.inner.store;
    for _ in 0..5 {
        let Some(ticket) = store.ticket(ticket_id).await? else {
            return Ok(());
        };
        let context = Context {
            config,
            bot_id: bot.inner.bot_id,
            now: bot.now(),
        };
        let transition = match apply(
            &ticket,
            &helpline_domain::Actor::System,
            Action::Abandon,
            &context,
        ) {
            Ok(transition) => transition,
            Err(refusal) => {
                tracing::warn!(ticket = %ticket_id, %refusal, "ticket not abandoned");
                break;
            }
        };
        match store
            .commit_ticket(
                &transition.ticket,
                ticket.version,
                &[],
                context.now,
                bot.inner.leases.fence(ticket.guild_id)?,
            )
            .await
        {
            Ok(()) => break,
            Err(helpline_store::Error::Conflict { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    store
        .give_up_ticket_effects(ticket_id, bot.now(), "the ticket was abandoned")
        .await?;
    Ok(())
}

/// Whether an effect creates the ticket's channel or thread: the one effect two processes
/// performing it side by side would do twice.
fn creates_the_channel(kind: &EffectKind) -> bool {
    matches!(
        kind,
        EffectKind::CreateChannel { .. } | EffectKind::CreatePrivateThread { .. }
    )
}
