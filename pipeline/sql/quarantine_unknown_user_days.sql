-- One row per event partition holding quarantined events whose user was unknown at load time: a run that loads
-- user records reloads these partitions, so late-arriving users' events are published.
SELECT DISTINCT event_date FROM quarantine_events WHERE reason = 'user unknown at event_ts';
