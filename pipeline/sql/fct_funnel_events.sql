-- Days whose facts were re-pointed to other user versions but not staged: rebuild their funnel events (the user's
-- segment may have changed). Staged days were written batch by batch (fct_events.sql).
DELETE FROM fct_funnel_events
WHERE date_key IN (SELECT date_key_of(activity_date) FROM affected_dates
                   WHERE activity_date NOT IN (SELECT partition_date FROM plan_partitions WHERE kind = 'events'));

INSERT INTO fct_funnel_events
SELECT f.date_key, f.user_id, f.platform_key, u.segment, t.funnel_step, f.event_ts
FROM fct_events AS f
JOIN dim_event_type AS t USING (event_type_key)
JOIN dim_users AS u USING (user_key)
WHERE t.funnel_step IS NOT NULL
  AND f.date_key IN (SELECT date_key_of(activity_date) FROM affected_dates
                     WHERE activity_date NOT IN (SELECT partition_date FROM plan_partitions WHERE kind = 'events'))
ORDER BY f.date_key;
