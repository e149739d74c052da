-- One row: the run_id of a run asked for (from the admin page or the scheduler), recorded as queued.
INSERT INTO etl_runs (run_id, trigger, requested_by, parameters, status, queued_at)
VALUES (nextval('etl_run_id_seq'), $trigger, $requested_by, $parameters, 'queued', $now)
RETURNING run_id;
