-- Record what this run loaded: the manifest rows of its partitions are replaced by one row per file it read.
DELETE FROM etl_manifest AS m
USING plan_partitions AS p
WHERE m.kind = p.kind AND m.partition_date = p.partition_date;

INSERT INTO etl_manifest
SELECT f.kind, f.partition_date, f.file_path, f.file_size, f.file_mtime_ns, coalesce(l.rows_read, 0), $run_id, $now
FROM plan_files AS f
LEFT JOIN loaded_files AS l USING (file_path)
ORDER BY f.kind, f.partition_date, f.file_path;
