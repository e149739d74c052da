-- Record a run asked for (from the admin page or the scheduler) as queued; returns its run_id.
INSERT INTO etl_runs (run_id, trigger, requested_by, parameters, status, queued_at)
VALUES (nextval('etl_run_id_seq'), $trigger, $requested_by, $parameters, 'queued', $now)
RETURNING run_id;
