-- One row per table an earlier version built and this one defines as a view (metrics.sql): dropped before the
-- views are created, so a warehouse from before opens as it is (nothing in them is lost: each is derived).
SELECT table_name
FROM duckdb_tables()
WHERE NOT temporary AND schema_name = 'main' AND list_contains($names, table_name);
