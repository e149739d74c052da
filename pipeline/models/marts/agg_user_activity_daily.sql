-- One row per (day, platform, user version) with activity, for the days of the pass (pass_days: a batch's days, or
-- the changed days no batch staged), from their published facts: the user's segment, home country and age group
-- valid when the events happened, events and sessions (the events of one session_id; those with none make one
-- session). A day the engine already reduced (stg_activity: the Spark engine's rows, none on DuckDB's) takes its
-- rows from there when the day's published facts are exactly the events it counted. Stored in day order.
DELETE FROM agg_user_activity_daily
WHERE activity_date IN (SELECT activity_date FROM pass_days);

INSERT INTO agg_user_activity_daily (activity_date, date_key, platform_key, user_key, user_id, segment, user_country,
                                     event_count, session_count, age_group)
WITH engine_days AS (
    SELECT a.date_key
    FROM (SELECT date_key, sum(event_count) AS events
          FROM stg_activity
          WHERE date_key IN (SELECT date_key FROM pass_days)
          GROUP BY date_key) AS a
    WHERE a.events = (SELECT count(*) FROM fct_events AS f WHERE f.date_key = a.date_key)
),
sessions AS (
    SELECT date_key, platform_key, user_key, user_id, session_id, count(*) AS events
    FROM fct_events
    WHERE date_key IN (SELECT date_key FROM pass_days) AND date_key NOT IN (SELECT date_key FROM engine_days)
    GROUP BY ALL
),
per_version AS (
    SELECT date_key, platform_key, user_key, user_id, sum(events) AS event_count, count(*) AS session_count
    FROM sessions
    GROUP BY ALL
    UNION ALL
    SELECT date_key, platform_key, user_key, user_id, event_count, session_count
    FROM stg_activity
    WHERE date_key IN (SELECT date_key FROM engine_days)
)
SELECT date_of_key(a.date_key) AS activity_date, a.date_key, a.platform_key, a.user_key, a.user_id, u.segment,
       u.country, a.event_count, a.session_count, u.age_group
FROM per_version AS a
JOIN dim_users AS u ON u.user_key = a.user_key
ORDER BY activity_date;
