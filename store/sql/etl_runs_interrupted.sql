-- One row per run a process that died left 'running', now marked failed: it did not publish (the publish is one
-- transaction), so nothing was done.
UPDATE etl_runs
SET status = 'failed', ended_at = $now, partitions_done = 0,
    error = 'interrupted: the process stopped before the run finished; nothing it did was published'
WHERE status = 'running'
RETURNING run_id;
