-- One row of etl_runs updated: a run's end (its status, figures, message or error, seconds per step). Never
-- `partitions` or `partitions_done`: those are the progress cursor's (etl_runs_progress.sql), so this can run inside
-- the run's own transaction without a conflict.
UPDATE etl_runs
SET status = $status, ended_at = $now, rows_read = $rows_read, rows_loaded = $rows_loaded,
    rows_quarantined = $rows_quarantined, message = $message, error = $error,
    step_seconds = $step_seconds, skipped = $skipped, planned = $planned, engine = $engine
WHERE run_id = $run_id;
