-- One row per lake partition (kind, day) the warehouse holds: the run that loaded its current files, and their
-- rows.
SELECT kind, partition_date AS day, max(run_id) AS run_id, sum(row_count) AS rows
FROM etl_manifest
GROUP BY kind, partition_date
ORDER BY kind, day;
