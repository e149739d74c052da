-- One row updated and returned (or none): an annotation's day and note, and who changed it when (SQLite).
UPDATE annotations SET day = $day, note = $note, author = $author, updated_at = $now
WHERE id = $id
RETURNING id, day, note, author, created_at, updated_at;
