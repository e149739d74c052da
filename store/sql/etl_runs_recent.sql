-- One row per run, newest first, with its check counts and the names of the checks that failed or warned.
WITH checks AS (
    SELECT run_id,
           count(*) AS checks,
           count(*) FILTER (WHERE status = 'pass') AS checks_passed,
           count(*) FILTER (WHERE status = 'warn') AS checks_warned,
           count(*) FILTER (WHERE status = 'fail') AS checks_failed,
           string_agg(check_name, ', ' ORDER BY check_name) FILTER (WHERE status = 'fail') AS failed_checks,
           string_agg(check_name, ', ' ORDER BY check_name) FILTER (WHERE status = 'warn') AS warned_checks
    FROM dq_results
    GROUP BY run_id
)
SELECT r.run_id, r.trigger, r.requested_by, json_extract_string(r.parameters, '$.mode') AS mode, r.parameters,
       r.status, r.queued_at, r.started_at, r.ended_at, r.partitions, r.partitions_done, r.rows_read, r.rows_loaded, r.rows_quarantined,
       r.message, r.error, r.step_seconds,
       coalesce(c.checks, 0) AS checks, coalesce(c.checks_passed, 0) AS checks_passed,
       coalesce(c.checks_warned, 0) AS checks_warned, coalesce(c.checks_failed, 0) AS checks_failed,
       c.failed_checks, c.warned_checks
FROM etl_runs AS r
LEFT JOIN checks AS c USING (run_id)
ORDER BY r.run_id DESC
LIMIT $limit;
