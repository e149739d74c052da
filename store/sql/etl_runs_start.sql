-- One row: the run_id of a run recorded as started.
INSERT INTO etl_runs (run_id, trigger, requested_by, parameters, status, queued_at, started_at)
VALUES (nextval('etl_run_id_seq'), $trigger, $requested_by, $parameters, 'running', $now, $now)
RETURNING run_id;
