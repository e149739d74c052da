-- Recompute the affected days of agg_user_day: one row per (day, user, segment) with activity, from
-- agg_user_activity_daily (a user whose segment changed that day has a row per segment).
DELETE FROM agg_user_day WHERE activity_date IN (SELECT activity_date FROM affected_dates);

INSERT INTO agg_user_day
SELECT activity_date, user_id, segment,
       CAST(bit_or(CAST(1 AS UTINYINT) << (platform_key - 1)) AS UTINYINT) AS platform_mask,
       max(user_country) AS user_country,
       sum(event_count) AS events, sum(session_count) AS sessions
FROM agg_user_activity_daily
WHERE activity_date IN (SELECT activity_date FROM affected_dates)
GROUP BY activity_date, user_id, segment
ORDER BY activity_date;
