-- One row (or none): the session of a token, unless revoked (SQLite).
SELECT user_name, user_stamp, created_at, seen_at FROM sessions WHERE token_sha256 = $token_sha256 AND revoked_at IS NULL;
