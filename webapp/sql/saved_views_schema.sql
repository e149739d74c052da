-- One row per saved view (SQLite, <data>/web/sessions.sqlite3): who saved it under which name, the page and the
-- filters' query string ("?platforms=...&range=..."; webapp/url_filters.py), whether everyone who logs in sees it,
-- and when it was first and last saved (seconds since the epoch). A name is its owner's once: saving it again
-- updates the row.
CREATE TABLE IF NOT EXISTS saved_views (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner      TEXT NOT NULL,
    name       TEXT NOT NULL,
    path       TEXT NOT NULL,
    query      TEXT NOT NULL,
    shared     INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    UNIQUE (owner, name)
);
CREATE INDEX IF NOT EXISTS saved_views_shared ON saved_views (shared) WHERE shared = 1;
