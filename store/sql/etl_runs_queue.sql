-- One row per run queued or running, oldest first, with how many runs are ahead of it and its progress so far.
SELECT run_id, trigger, requested_by, parameters, json_extract_string(parameters, '$.mode') AS mode, status,
       queued_at, started_at, partitions, partitions_done,
       row_number() OVER (ORDER BY status = 'queued', run_id) - 1 AS ahead
FROM etl_runs
WHERE status IN ('queued', 'running')
ORDER BY ahead;
