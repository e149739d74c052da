-- Recompute the affected days of agg_user_activity_daily: one row per (day, platform, user version) with activity,
-- carrying the user's segment and home country valid when the events happened. Stored in day order.
DELETE FROM agg_user_activity_daily
WHERE activity_date IN (SELECT activity_date FROM affected_dates);

INSERT INTO agg_user_activity_daily
WITH days AS (
    SELECT DISTINCT activity_date, date_key_of(activity_date) AS date_key FROM affected_dates
),
-- one row per session of a user version on a platform and day (counts sessions without a DISTINCT aggregate)
sessions AS (
    SELECT date_key, f.platform_key, f.user_key, f.user_id, f.session_id, count(*) AS events
    FROM fct_events AS f
    JOIN days USING (date_key)
    GROUP BY ALL
),
per_version AS (
    SELECT date_key, platform_key, user_key, user_id, sum(events) AS event_count, count(*) AS session_count
    FROM sessions
    GROUP BY ALL
)
SELECT days.activity_date, a.date_key, a.platform_key, a.user_key, a.user_id, u.segment, u.country,
       a.event_count, a.session_count
FROM per_version AS a
JOIN days USING (date_key)
JOIN dim_users AS u ON u.user_key = a.user_key
ORDER BY days.activity_date;
