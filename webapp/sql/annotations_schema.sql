-- One row per annotation (SQLite, <data>/web/sessions.sqlite3): a day marked on every time chart with a note (a
-- release, an outage), the admin who last wrote it, and when it was added and last changed (seconds since the
-- epoch).
CREATE TABLE IF NOT EXISTS annotations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    day        TEXT NOT NULL,  -- YYYY-MM-DD
    note       TEXT NOT NULL CHECK (length(note) BETWEEN 1 AND 200),
    author     TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS annotations_by_day ON annotations (day);
