-- One row updated (the open incident $incident_key): found again by run $run_id, its text brought up to date.
UPDATE alert_incidents
SET last_seen_at = $now, last_seen_run = $run_id, summary = $summary, details = $details
WHERE incident_key = $incident_key AND resolved_at IS NULL;
