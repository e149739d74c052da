-- One row of etl_runs updated: a run's progress, partitions planned and done so far. Written outside the run's
-- transaction, by a cursor of its own, so the admin page and /readyz see it while the run executes.
UPDATE etl_runs
SET partitions = $partitions, partitions_done = $partitions_done
WHERE run_id = $run_id;
