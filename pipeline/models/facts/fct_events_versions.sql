-- One row per event whose user version moved (a late or corrected change record) is re-pointed at the version
-- valid at its event_ts, and its day marked affected. Facts before $changed_from (the earliest version added or
-- removed) cannot have moved.
INSERT INTO affected_dates
SELECT DISTINCT CAST(f.event_ts AS DATE)
FROM fct_events AS f
JOIN dim_users AS u ON u.user_id = f.user_id AND f.event_ts >= u.valid_from AND f.event_ts < u.valid_to
WHERE f.event_ts >= CAST($changed_from AS TIMESTAMP)
  AND f.user_id IN (SELECT user_id FROM dim_users_touched)
  AND f.user_key <> u.user_key;

UPDATE fct_events AS f
SET user_key = u.user_key
FROM dim_users AS u
WHERE u.user_id = f.user_id AND f.event_ts >= u.valid_from AND f.event_ts < u.valid_to
  AND f.event_ts >= CAST($changed_from AS TIMESTAMP)
  AND f.user_id IN (SELECT user_id FROM dim_users_touched)
  AND f.user_key <> u.user_key;
