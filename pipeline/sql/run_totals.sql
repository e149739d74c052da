-- One row: what this run read from the lake (events and user records) and loaded; the rest went to quarantine.
SELECT coalesce(sum(value) FILTER (WHERE metric = 'rows'), 0) AS rows_read,
       coalesce(sum(value) FILTER (WHERE metric = 'rows'), 0)
           - coalesce(sum(value) FILTER (WHERE metric = 'quarantined'), 0) AS rows_loaded
FROM stg_profile
WHERE table_name IN ('stg_events', 'stg_users');
