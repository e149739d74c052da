-- Record a run's end and its figures.
UPDATE etl_runs
SET status = $status, ended_at = $now, partitions = $partitions, partitions_done = $partitions_done,
    rows_read = $rows_read, rows_loaded = $rows_loaded, rows_quarantined = $rows_quarantined,
    message = $message, error = $error
WHERE run_id = $run_id;
