-- One row per lake event of the staged batch that could not be loaded, with why (the run emptied the partitions'
-- earlier rows first).
INSERT INTO quarantine_events
SELECT $run_id, event_date, source_file, reject_reason, event_id, user_id, platform, event_type, event_ts,
       session_id, device, country, $now
FROM stg_events
WHERE reject_reason IS NOT NULL;
