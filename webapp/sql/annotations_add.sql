-- One row written and returned: a new annotation (SQLite).
INSERT INTO annotations (day, note, author, created_at, updated_at)
VALUES ($day, $note, $author, $now, $now)
RETURNING id, day, note, author, created_at, updated_at;
