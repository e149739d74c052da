-- One row per view a user may open: their own and those others shared, the latest saved first (SQLite).
SELECT id, owner, name, path, query, shared, created_at, updated_at
FROM saved_views
WHERE owner = $user OR shared = 1
ORDER BY updated_at DESC, id DESC;
