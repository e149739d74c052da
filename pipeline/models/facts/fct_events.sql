-- One row per event: the loadable rows of one staged batch of partitions (the run emptied the partitions first).
INSERT INTO fct_events
SELECT event_id, session_id, event_ts, date_key, user_key, user_id, platform_key, event_type_key, device, country
FROM stg_events
WHERE reject_reason IS NULL;
