-- One row per annotation, the latest day first (SQLite).
SELECT id, day, note, author, created_at, updated_at FROM annotations ORDER BY day DESC, id DESC;
