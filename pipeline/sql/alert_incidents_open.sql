-- One row per open incident (not resolved): its key, kind, when it opened, and whether its alert was delivered.
SELECT incident_key, kind, opened_at, notified_at
FROM alert_incidents
WHERE resolved_at IS NULL
ORDER BY opened_at, incident_key;
