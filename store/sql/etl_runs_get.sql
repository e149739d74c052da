-- At most one row: the run $run_id with its check counts and the names of the checks that failed or warned.
SELECT * FROM run_history() WHERE run_id = $run_id;
