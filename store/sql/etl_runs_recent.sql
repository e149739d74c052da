-- One row per run, newest first (at most $limit), with its check counts and the names of the checks that failed or
-- warned (run_history).
SELECT * FROM run_history() ORDER BY run_id DESC LIMIT $limit;
