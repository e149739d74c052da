-- One row (none when nothing is queued): the oldest queued run, now marked running: its id and parameters.
UPDATE etl_runs
SET status = 'running', started_at = $now
WHERE run_id = (SELECT min(run_id) FROM etl_runs WHERE status = 'queued')
RETURNING run_id, trigger, requested_by, parameters;
