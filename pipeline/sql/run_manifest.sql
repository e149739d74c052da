-- One row per lake file a partition of this run read (the manifest rows of its partitions are replaced), with
-- the rows its footer declares (the reconciliation check compares them with what was published and quarantined).
DELETE FROM etl_manifest AS m
USING plan_partitions AS p
WHERE m.kind = p.kind AND m.partition_date = p.partition_date;

INSERT INTO etl_manifest
SELECT f.kind, f.partition_date, f.file_path, f.file_size, f.file_mtime_ns, f.row_count, $run_id, $now
FROM plan_files AS f
ORDER BY f.kind, f.partition_date, f.file_path;
