-- One row written and returned: a view saved (a name its owner already has: that row updated, created_at kept)
-- (SQLite).
INSERT INTO saved_views (owner, name, path, query, shared, created_at, updated_at)
VALUES ($owner, $name, $path, $query, $shared, $now, $now)
ON CONFLICT (owner, name) DO UPDATE SET path = excluded.path, query = excluded.query, shared = excluded.shared,
                                        updated_at = excluded.updated_at
RETURNING id, owner, name, path, query, shared, created_at, updated_at;
