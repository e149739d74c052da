-- One row: the run that published the data the panels show (data_version(), store/schema/runs.sql) and the days the
-- data spans: run_id (0 before any load), its mode, trigger, who asked for it, when it started and ended, how many
-- partitions and rows it loaded; first_day and last_day of activity.
SELECT data_version() AS data_version,
       r.mode, r.trigger, r.requested_by, r.started_at, r.ended_at, r.partitions, r.rows_loaded,
       data_first_day() AS first_day, data_last_day() AS last_day
FROM (SELECT 1) AS one
LEFT JOIN (SELECT run_id, json_extract_string(parameters, '$.mode') AS mode, trigger, requested_by, started_at,
                  ended_at, partitions, rows_loaded
           FROM etl_runs) AS r ON r.run_id = data_version();
