-- One row updated (the open incident $incident_key, if any): resolved now by run $run_id.
UPDATE alert_incidents
SET resolved_at = $now, resolved_by_run = $run_id
WHERE incident_key = $incident_key AND resolved_at IS NULL;
