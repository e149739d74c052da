-- One row per (day, platform, user version) with loadable events in the run's partitions: its events and sessions
-- (the events of one session_id; those with none make one session), the per-partition reduction the marts start
-- from. The Spark SQL twin of the first two steps of pipeline/models/marts/agg_user_activity_daily.sql (which
-- uses these rows for a day only when the day's published facts are exactly the rows counted here).
-- View: stg_events (the rows of stg_events.sql, as written).
WITH sessions AS (
    SELECT event_date, date_key, platform_key, user_key, user_id, session_id, count(*) AS events
    FROM stg_events
    WHERE reject_reason IS NULL
    GROUP BY event_date, date_key, platform_key, user_key, user_id, session_id
)
SELECT event_date AS activity_date, date_key, platform_key, user_key, user_id, sum(events) AS event_count,
       count(*) AS session_count
FROM sessions
GROUP BY event_date, date_key, platform_key, user_key, user_id
