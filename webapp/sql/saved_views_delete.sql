-- One row deleted (or none): a view, when the user is its owner or an admin ($admin 1) (SQLite).
DELETE FROM saved_views WHERE id = $id AND (owner = $user OR $admin = 1);
