-- One row: the versions of what the panels show. version: the last succeeded run that published partitions (0 before
-- any; a run that found nothing new, or a data-quality run, changes no panel data); checks_version: the last
-- succeeded run of any kind (each records check results).
SELECT coalesce(max(run_id) FILTER (WHERE coalesce(partitions, 0) > 0
                                      AND coalesce(json_extract_string(parameters, '$.mode'), '') <> 'dq'), 0)
           AS version,
       coalesce(max(run_id), 0) AS checks_version
FROM etl_runs
WHERE status = 'succeeded';
