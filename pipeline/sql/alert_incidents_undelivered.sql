-- One row per message still to deliver, oldest first: an open incident whose alert was not delivered (resolved
-- false), or a resolved one whose resolved message was not (resolved true); with its text and fields.
SELECT incident_key, kind, summary, details, opened_at, opened_by_run, last_seen_run, resolved_at, resolved_by_run,
       notified_at,
       resolved_at IS NOT NULL AS resolved
FROM alert_incidents
WHERE (resolved_at IS NULL AND notified_at IS NULL) OR (resolved_at IS NOT NULL AND resolved_notified_at IS NULL)
ORDER BY coalesce(resolved_at, opened_at), incident_key;
