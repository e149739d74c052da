-- At most one row: the newest run that has ended (succeeded or failed), for the readiness endpoint.
SELECT run_id, json_extract_string(parameters, '$.mode') AS mode, status, ended_at, error
FROM etl_runs
WHERE status NOT IN ('queued', 'running')
ORDER BY run_id DESC
LIMIT 1;
