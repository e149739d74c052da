-- One row: the versions of what the panels show. version: data_version() (store/schema/runs.sql), the last
-- succeeded run that published partitions; checks_version: the last succeeded run of any kind (each records check
-- results).
SELECT data_version() AS version,
       (SELECT coalesce(max(run_id), 0) FROM etl_runs WHERE run_succeeded(status)) AS checks_version;
