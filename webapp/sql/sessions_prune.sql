-- One row deleted per session over for a day or more (SQLite): past its absolute timeout, or revoked.
DELETE FROM sessions WHERE created_at < $now - $max_seconds - 86400 OR revoked_at < $now - 86400;
