-- Empty the event partitions this run replaces (published facts and quarantined rows) and mark their days affected.
DELETE FROM fct_events
WHERE date_key IN (SELECT date_key_of(partition_date) FROM plan_partitions WHERE kind = 'events');

DELETE FROM fct_funnel_events
WHERE date_key IN (SELECT date_key_of(partition_date) FROM plan_partitions WHERE kind = 'events');

DELETE FROM quarantine_events
WHERE event_date IN (SELECT partition_date FROM plan_partitions WHERE kind = 'events');

INSERT INTO affected_dates
SELECT partition_date FROM plan_partitions WHERE kind = 'events';
