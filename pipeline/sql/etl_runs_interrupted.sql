-- Runs left 'running' by a process that died: they did not publish (the publish is one transaction), so mark them
-- failed. Returns one row per run marked.
UPDATE etl_runs
SET status = 'failed', ended_at = $now,
    error = 'interrupted: the process stopped before the run finished; nothing it did was published'
WHERE status = 'running'
RETURNING run_id;
