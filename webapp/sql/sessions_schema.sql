-- One row per login (SQLite, <data>/web/sessions.sqlite3): the SHA-256 of its cookie token, who, the user's stamp at
-- login, when it was opened, last used and revoked (NULL while it may count), and the client that opened it.
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_name    TEXT NOT NULL,
    user_stamp   TEXT NOT NULL,
    created_at   REAL NOT NULL,
    seen_at      REAL NOT NULL,
    revoked_at   REAL,
    client       TEXT
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_name);
