-- One row updated (the incident $incident_key opened at $opened_at): its alert ($resolved false) or its resolved
-- message ($resolved true) delivered now.
UPDATE alert_incidents
SET notified_at = CASE WHEN $resolved THEN notified_at ELSE $now END,
    resolved_notified_at = CASE WHEN $resolved THEN $now ELSE resolved_notified_at END
WHERE incident_key = $incident_key AND opened_at = $opened_at;
