-- Schema version 1. Ids are Discord snowflakes stored bit for bit in SQLite's signed integers;
-- records are JSON in `data`, with the columns queries filter or order on copied beside it.

CREATE TABLE guild_configs (
    guild_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);

-- The last ticket number given in each guild; incremented in the transaction that creates the
-- ticket, so numbers have no gap and no duplicate.
CREATE TABLE guild_counters (
    guild_id INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    panel_id INTEGER NOT NULL,
    opener_id INTEGER NOT NULL,
    channel_id INTEGER,
    state TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (guild_id, number)
);
CREATE INDEX tickets_by_guild_state ON tickets (guild_id, state, number);
CREATE INDEX tickets_by_opener ON tickets (opener_id, id);
CREATE INDEX tickets_by_member_panel ON tickets (guild_id, panel_id, opener_id, created_at);
CREATE UNIQUE INDEX tickets_by_channel ON tickets (channel_id) WHERE channel_id IS NOT NULL;

CREATE TABLE transcript_messages (
    ticket_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (ticket_id, message_id)
) WITHOUT ROWID;

CREATE TABLE attachments (
    ticket_id INTEGER NOT NULL,
    attachment_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (ticket_id, attachment_id)
);

CREATE TABLE panel_access (
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    granted_by INTEGER NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;

CREATE TABLE interactions (
    interaction_id INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    outcome TEXT
);
CREATE INDEX interactions_by_start ON interactions (started_at);
