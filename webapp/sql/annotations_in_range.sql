-- One row per annotation on a day from $start to $end (YYYY-MM-DD, both included), by day then id (SQLite).
SELECT id, day, note, author, created_at, updated_at
FROM annotations
WHERE day BETWEEN $start AND $end
ORDER BY day, id;
