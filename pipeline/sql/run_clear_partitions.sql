-- One row per event partition this run replaces, in affected_dates; its published facts and quarantined rows are
-- removed first (before anything is staged, so a row of a replaced partition is never taken for a duplicate).
DELETE FROM fct_events
WHERE date_key IN (SELECT date_key_of(partition_date) FROM plan_partitions WHERE kind = 'events');

DELETE FROM quarantine_events
WHERE event_date IN (SELECT partition_date FROM plan_partitions WHERE kind = 'events');

INSERT INTO affected_dates
SELECT partition_date FROM plan_partitions WHERE kind = 'events';
