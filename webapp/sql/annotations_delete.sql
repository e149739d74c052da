-- One row deleted (or none): an annotation (SQLite).
DELETE FROM annotations WHERE id = $id;
