-- One row (none when the run is not queued): the queued run $run_id, now cancelled (it never starts).
UPDATE etl_runs
SET status = 'cancelled', ended_at = $now, message = $message
WHERE run_id = $run_id AND status = 'queued'
RETURNING run_id;
