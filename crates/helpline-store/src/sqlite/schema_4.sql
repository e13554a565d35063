-- When each ticket's timer is due (a close request's expiry, the auto-close warning, auto-close),
-- so the scheduler finds due tickets without reading every ticket; NULL when it has none.
ALTER TABLE tickets ADD COLUMN timer_at INTEGER;
CREATE INDEX tickets_by_timer ON tickets (timer_at) WHERE timer_at IS NOT NULL;
-- When each ended ticket's transcript is deleted (the guild's retention, R18); NULL for active
-- tickets and once deleted.
ALTER TABLE tickets ADD COLUMN purge_at INTEGER;
CREATE INDEX tickets_by_purge ON tickets (purge_at) WHERE purge_at IS NOT NULL;
-- Transcript records sealed at rest (AES-256-GCM) name the key that sealed them; NULL: stored
-- as given. Attachments keep their size, which their sealed bytes no longer tell.
ALTER TABLE transcript_messages ADD COLUMN key_id INTEGER;
ALTER TABLE attachments ADD COLUMN key_id INTEGER;
ALTER TABLE attachments ADD COLUMN size INTEGER;
