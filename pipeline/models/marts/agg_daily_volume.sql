-- One row per (day, platform, segment, age group) with activity: users, events and sessions, for the days of the
-- pass (pass_days).
DELETE FROM agg_daily_volume WHERE activity_date IN (SELECT activity_date FROM pass_days);

INSERT INTO agg_daily_volume (activity_date, platform_key, segment, age_group, users, events, sessions)
SELECT activity_date, platform_key, segment, age_group, count(*), sum(event_count), sum(session_count)
FROM agg_user_activity_daily
WHERE activity_date IN (SELECT activity_date FROM pass_days)
GROUP BY ALL
ORDER BY activity_date;
