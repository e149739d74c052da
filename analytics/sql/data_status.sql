-- One row: the days loaded, and the latest data-quality results: the last run that recorded checks, how many failed
-- or warned and which.
WITH latest AS (
    SELECT max(run_id) AS run_id FROM dq_results
)
SELECT data_first_day() AS first_day, data_last_day() AS last_day,
       latest.run_id AS checks_run_id,
       count(*) FILTER (WHERE r.status = 'fail') AS checks_failed,
       count(*) FILTER (WHERE r.status = 'warn') AS checks_warned,
       coalesce(string_agg(r.check_name, ', ' ORDER BY r.check_name) FILTER (WHERE r.status <> 'pass'), '')
           AS checks_flagged
FROM latest
LEFT JOIN dq_results AS r USING (run_id)
GROUP BY latest.run_id;
