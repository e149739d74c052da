-- One row written: a new session (SQLite).
INSERT INTO sessions (token_sha256, user_name, user_stamp, created_at, seen_at, revoked_at, client)
VALUES ($token_sha256, $user_name, $user_stamp, $now, $now, NULL, $client);
