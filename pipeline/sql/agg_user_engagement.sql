-- Rebuild agg_user_engagement: one row per user who was ever active, lifetime and last-28-days figures as of the last
-- loaded day. engagement_score (0..100) = 60 x (active days in the last 28) / 28
--                                        + 40 x min(1, ln(1 + events in the last 28) / ln(501)).
DELETE FROM agg_user_engagement;

INSERT INTO agg_user_engagement
WITH last_day AS (
    SELECT max(activity_date) AS day FROM agg_user_activity_daily
),
user_days AS (
    SELECT user_id, activity_date, sum(event_count) AS events, sum(session_count) AS sessions
    FROM agg_user_activity_daily
    GROUP BY ALL
),
lifetime AS (
    SELECT user_id,
           min(activity_date) AS first_active_date,
           max(activity_date) AS last_active_date,
           count(*) AS active_days,
           sum(events) AS events,
           sum(sessions) AS sessions,
           count(*) FILTER (WHERE activity_date > last_day.day - 28) AS active_days_l28,
           coalesce(sum(events) FILTER (WHERE activity_date > last_day.day - 28), 0) AS events_l28
    FROM user_days, last_day
    GROUP BY user_id
),
platforms AS (
    SELECT user_id, count(DISTINCT platform_key) AS platforms_used
    FROM agg_user_activity_daily
    GROUP BY user_id
)
SELECT l.user_id, l.first_active_date, l.last_active_date, l.active_days, l.events, l.sessions,
       p.platforms_used, l.active_days_l28, l.events_l28,
       round(60.0 * l.active_days_l28 / 28 + 40.0 * least(1.0, ln(1 + l.events_l28) / ln(501)), 2)
FROM lifetime AS l
JOIN platforms AS p USING (user_id)
ORDER BY l.user_id;
