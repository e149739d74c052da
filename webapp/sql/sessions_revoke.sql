-- One row updated (or none): the session of a token revoked, e.g. at logout (SQLite).
UPDATE sessions SET revoked_at = $now WHERE token_sha256 = $token_sha256 AND revoked_at IS NULL;
