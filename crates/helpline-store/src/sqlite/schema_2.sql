-- Schema version 2: the effect outbox and the messages a ticket's buttons live on.

-- A transition's effects, written in the transaction that stores its ticket, keyed by the
-- domain's EffectKey (ticket, version, step). The executor marks each done as Discord confirms
-- it, or gives it up when Discord refuses it for good; a pending effect whose next attempt is
-- due is what the reconciler resumes after a crash, a 5xx or a timeout.
CREATE TABLE effects (
    ticket_id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    step INTEGER NOT NULL,
    guild_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    last_error TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (ticket_id, version, step)
) WITHOUT ROWID;
CREATE INDEX effects_due ON effects (next_attempt_at) WHERE status = 'pending';
CREATE INDEX effects_pending_by_guild ON effects (guild_id) WHERE status = 'pending';
CREATE INDEX effects_finished ON effects (finished_at) WHERE status != 'pending';

-- Active tickets that may need the reconciler: never announced (version 0), or open without a
-- channel. Small by construction: a healthy ticket leaves it within milliseconds.
CREATE INDEX tickets_unsettled ON tickets (created_at)
    WHERE state IN ('requested', 'open', 'claimed') AND (version = 0 OR channel_id IS NULL);

-- Messages of a ticket whose buttons follow its state (the welcome message, the closed notice).
CREATE TABLE ticket_messages (
    ticket_id INTEGER NOT NULL,
    slot TEXT NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, slot)
) WITHOUT ROWID;
