-- Take the oldest queued run to execute: mark it running. Returns its id and parameters (no row: none queued).
UPDATE etl_runs
SET status = 'running', started_at = $now
WHERE run_id = (SELECT min(run_id) FROM etl_runs WHERE status = 'queued')
RETURNING run_id, trigger, requested_by, parameters;
