-- One row inserted: a new incident $incident_key, opened now by run $run_id (delivered later: notified_at).
INSERT INTO alert_incidents (incident_key, kind, summary, details, opened_at, opened_by_run, last_seen_at,
                             last_seen_run)
VALUES ($incident_key, $kind, $summary, $details, $now, $run_id, $now, $run_id);
