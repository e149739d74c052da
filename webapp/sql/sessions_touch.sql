-- One row updated: a session's last use (SQLite).
UPDATE sessions SET seen_at = $now WHERE token_sha256 = $token_sha256;
