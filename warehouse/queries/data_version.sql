-- One row: the data version, the id of the last run that succeeded (0 before any).
SELECT coalesce(max(run_id), 0) AS version FROM etl_runs WHERE status = 'succeeded';
