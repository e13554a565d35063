-- Schema version 5: who took part in which ticket (wrote in it, or was added to it), for the
-- web panel's "my tickets" across servers. Filled from here on by appends and ticket writes;
-- what earlier rows tell without opening sealed records is copied now.
CREATE TABLE ticket_participants (
    user_id INTEGER NOT NULL,
    ticket_id INTEGER NOT NULL,
    -- 1: wrote in it; 0: added to it.
    wrote INTEGER NOT NULL,
    PRIMARY KEY (user_id, ticket_id, wrote)
) WITHOUT ROWID;
INSERT OR IGNORE INTO ticket_participants (user_id, ticket_id, wrote)
    SELECT CAST(json_extract(data, '$.author_id') AS INTEGER), ticket_id, 1
    FROM transcript_messages
    WHERE key_id IS NULL AND json_extract(data, '$.author_is_bot') = 0;
INSERT OR IGNORE INTO ticket_participants (user_id, ticket_id, wrote)
    SELECT CAST(added.value AS INTEGER), tickets.id, 0
    FROM tickets, json_each(tickets.data, '$.added_members') AS added;
