-- One row: how many sessions count now (not revoked, not idle too long, not too old) (SQLite).
SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND created_at > $now - $max_seconds AND seen_at > $now - $idle_seconds;
