-- One row per run, newest first.
SELECT run_id, trigger, requested_by, parameters, status, started_at, ended_at, partitions, rows_read, rows_loaded,
       rows_quarantined, message, error
FROM etl_runs
ORDER BY run_id DESC
LIMIT $limit;
