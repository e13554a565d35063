//! The reconciler: at start and on a timer it finishes what a crash, a 5xx or a timeout left
//! undone. It resumes every ticket whose pending effects are due, announces tickets a crash
//! left unannounced (created by the store, never committed with their effects), abandons open
//! tickets left without a channel and with nothing pending, and forgets old outbox and
//! interaction records.

use crate::executor::{self, Mode};
use crate::{Bot, Error};
use futures_util::StreamExt as _;
use helpline_domain::lifecycle::{Context, opened};
use helpline_domain::{GuildId, TicketId, Timestamp};
use std::time::Duration;

/// Tickets resumed at once.
const CONCURRENCY: usize = 16;
/// Tickets looked at per query.
const BATCH: u32 = 256;
/// Settled effects and interaction records are kept this long.
const KEEP_RECORDS: Duration = Duration::from_secs(7 * 24 * 3600);

/// What one pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pass {
    /// Tickets whose pending effects were run.
    pub resumed: usize,
    /// Tickets a crash left unannounced, announced now.
    pub announced: usize,
    /// Open tickets without a channel and without pending effects, abandoned.
    pub abandoned: usize,
    /// Ended tickets whose transcript was deleted after the guild's retention (R18).
    pub purged: usize,
}

fn before(now: Timestamp, age: Duration) -> Timestamp {
    Timestamp::from_millis(now.as_millis() - i64::try_from(age.as_millis()).unwrap_or(i64::MAX))
}

/// Orders tickets so that consecutive ones belong to different guilds where possible: Discord
/// limits channel creation per guild (and most routes per channel), so resuming one guild's
/// tickets side by side would wait on one bucket while others sit idle.
fn interleave_guilds(due: Vec<(TicketId, GuildId)>) -> Vec<TicketId> {
    let mut by_guild: Vec<(GuildId, std::collections::VecDeque<TicketId>)> = Vec::new();
    for (ticket, guild) in due {
        match by_guild.iter_mut().find(|(g, _)| *g == guild) {
            Some((_, tickets)) => tickets.push_back(ticket),
            None => by_guild.push((guild, std::collections::VecDeque::from([ticket]))),
        }
    }
    let mut order = Vec::new();
    while by_guild.iter().any(|(_, tickets)| !tickets.is_empty()) {
        for (_, tickets) in &mut by_guild {
            order.extend(tickets.pop_front());
        }
    }
    order
}

/// One pass over the store.
pub(crate) async fn pass(bot: &Bot) -> Result<Pass, Error> {
    let store = &bot.inner.store;
    let mut done = Pass::default();
    let now = bot.now();
    // Each round settles its tickets' due effects (done, given up, or due later), so the
    // rounds end; the bound only guards against a store that keeps answering the same.
    for _ in 0..64 {
        let mut due = store.due_tickets(now, BATCH).await?;
        let count = due.len();
        // Other processes' shards are theirs to resume.
        due.retain(|(_, guild)| bot.inner.leases.holds(*guild));
        if due.is_empty() {
            break;
        }
        let held = due.len();
        let left = std::sync::atomic::AtomicUsize::new(0);
        futures_util::stream::iter(interleave_guilds(due))
            .for_each_concurrent(CONCURRENCY, |ticket| {
                let left = &left;
                async move {
                    match executor::run(bot, ticket, Mode::Reconcile).await {
                        Ok(report) if report.left_to_committer => {
                            left.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Ok(_) => {}
                        Err(error) => tracing::warn!(%ticket, %error, "cannot resume effects"),
                    }
                }
            })
            .await;
        let left = left.into_inner();
        done.resumed += held - left;
        // Tickets left to their committers come back in the next round: stop at a round of
        // nothing else.
        if count < BATCH as usize || left == held {
            break;
        }
    }
    let stalled = store
        .stalled_tickets(before(now, bot.inner.stall_after), BATCH)
        .await?;
    for ticket in stalled {
        if bot.inner.departed.contains(ticket.guild_id) || !bot.inner.leases.holds(ticket.guild_id)
        {
            continue;
        }
        let Some(config) = store.guild_config(ticket.guild_id).await? else {
            continue;
        };
        if ticket.version == 0 {
            let context = Context {
                config: &config,
                bot_id: bot.inner.bot_id,
                now: bot.now(),
            };
            let transition = opened(&ticket, &context);
            match executor::commit(bot, &transition).await {
                Ok(()) => {
                    tracing::info!(ticket = %ticket.id, "announcing a ticket a crash left unannounced");
                    executor::run(bot, ticket.id, Mode::Resume).await?;
                    done.announced += 1;
                }
                Err(executor::Stop::Conflict) => {}
                Err(executor::Stop::Failed(error)) => return Err(error),
            }
        } else {
            tracing::warn!(ticket = %ticket.id, "abandoning an open ticket left without a channel");
            executor::abandon(bot, &config, ticket.id).await?;
            done.abandoned += 1;
        }
    }
    // Transcripts past their retention go, each ticket's in one transaction: nothing is left
    // half-deleted, and a ticket reopened meanwhile keeps its transcript.
    for _ in 0..64 {
        let due = store.due_purges(now, BATCH).await?;
        for ticket in &due {
            let rows = store.purge_transcript(*ticket, now).await?;
            tracing::info!(%ticket, rows, "transcript deleted after its retention");
            done.purged += 1;
        }
        if due.len() < BATCH as usize {
            break;
        }
    }
    let old = before(now, KEEP_RECORDS);
    store.purge_effects(old).await?;
    store.purge_interactions(old).await?;
    store
        .purge_guild_jobs(before(now, crate::handlers::jobs::KEEP))
        .await?;
    let depth = store.outbox_depth().await?;
    #[allow(clippy::cast_precision_loss)]
    {
        ::metrics::gauge!(crate::metrics::OUTBOX_PENDING).set(depth.pending as f64);
        let age = depth
            .oldest
            .map_or(0.0, |oldest| now.since(oldest).as_secs_f64());
        ::metrics::gauge!(crate::metrics::OUTBOX_OLDEST).set(age);
        for (state, count) in store.count_active_tickets().await? {
            ::metrics::gauge!(crate::metrics::ACTIVE_TICKETS, "state" => state.name())
                .set(count as f64);
        }
    }
    crate::shards::publish_cache(bot);
    Ok(done)
}

/// Passes at start, then every `interval`, until the task is dropped.
pub(crate) async fn run(bot: Bot, interval: Duration) {
    loop {
        let outcome = pass(&bot).await;
        // The pass reads and writes the store throughout: whether it went through is the
        // store's health as an alert sees it.
        ::metrics::gauge!(crate::metrics::STORE_UP).set(if outcome.is_ok() { 1.0 } else { 0.0 });
        match outcome {
            Ok(done) if done != Pass::default() => {
                tracing::info!(
                    resumed = done.resumed,
                    announced = done.announced,
                    abandoned = done.abandoned,
                    purged = done.purged,
                    "reconciled"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "reconciliation failed"),
        }
        ::metrics::counter!(crate::metrics::RECONCILER_PASSES).increment(1);
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helpline_domain::Id;

    #[test]
    fn guilds_take_turns() {
        let (a, b, c) = (Id::new(1), Id::new(2), Id::new(3));
        let due = vec![
            (TicketId(1), a),
            (TicketId(2), a),
            (TicketId(3), a),
            (TicketId(4), b),
            (TicketId(5), c),
            (TicketId(6), b),
        ];
        let order: Vec<u64> = interleave_guilds(due).into_iter().map(|t| t.0).collect();
        assert_eq!(order, [1, 4, 5, 2, 6, 3]);
    }
}
