-- Schema version 6: guild jobs, the Discord work the web panel asks of the bot (setup, showing
-- and removing panel messages; `task` and `state` are JSON, pending jobs are found by
-- `due_at`), and when each user last signed out of the web panel.
CREATE TABLE guild_jobs (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    task TEXT NOT NULL,
    requested_by INTEGER NOT NULL,
    requested_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    pending INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE INDEX guild_jobs_by_guild ON guild_jobs (guild_id, id);
CREATE INDEX guild_jobs_due ON guild_jobs (due_at) WHERE pending = 1;
CREATE INDEX guild_jobs_ended ON guild_jobs (ended_at) WHERE pending = 0;
CREATE TABLE panel_sign_outs (
    user_id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL
);
