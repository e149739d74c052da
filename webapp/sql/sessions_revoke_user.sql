-- One row updated per open session of a user: each revoked (SQLite).
UPDATE sessions SET revoked_at = $now WHERE user_name = $user_name AND revoked_at IS NULL;
