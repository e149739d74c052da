-- One row per (day, platform, user version) with activity, for the days this run changed: the user's segment and
-- home country valid when the events happened, events and sessions. Stored in day order.
DELETE FROM agg_user_activity_daily
WHERE activity_date IN (SELECT activity_date FROM affected_dates);

INSERT INTO agg_user_activity_daily
WITH sessions AS (
    SELECT activity_date, date_key, platform_key, user_key, user_id, session_id, events
    FROM stg_sessions
    UNION ALL
    -- days no batch staged whose facts were re-pointed to other user versions: their sessions from the facts
    SELECT date_of_key(f.date_key), f.date_key, f.platform_key, f.user_key, f.user_id, f.session_id, count(*)
    FROM fct_events AS f
    WHERE f.date_key IN (SELECT date_key_of(activity_date) FROM affected_dates
                         WHERE activity_date NOT IN (SELECT partition_date FROM plan_partitions
                                                     WHERE kind = 'events'))
    GROUP BY ALL
),
per_version AS (
    SELECT activity_date, date_key, platform_key, user_key, user_id, sum(events) AS event_count,
           count(*) AS session_count
    FROM sessions
    GROUP BY ALL
)
SELECT a.activity_date, a.date_key, a.platform_key, a.user_key, a.user_id, u.segment, u.country,
       a.event_count, a.session_count
FROM per_version AS a
JOIN dim_users AS u ON u.user_key = a.user_key
ORDER BY a.activity_date;
