-- Rebuild agg_user_engagement: one row per user who was ever active, lifetime and last-28-days figures as of the last
-- loaded day. engagement_score (0..100) = 60 x (active days in the last 28) / 28
--                                        + 40 x min(1, ln(1 + events in the last 28) / ln(501)).
DELETE FROM agg_user_engagement;

INSERT INTO agg_user_engagement
WITH last_day AS (
    SELECT max(activity_date) AS day FROM agg_user_day
),
lifetime AS (
    SELECT user_id,
           min(activity_date) AS first_active_date,
           max(activity_date) AS last_active_date,
           count(DISTINCT activity_date) AS active_days,
           sum(events) AS events,
           sum(sessions) AS sessions,
           bit_count(bit_or(platform_mask)) AS platforms_used,
           count(DISTINCT activity_date) FILTER (WHERE activity_date > last_day.day - 28) AS active_days_l28,
           coalesce(sum(events) FILTER (WHERE activity_date > last_day.day - 28), 0) AS events_l28
    FROM agg_user_day, last_day
    GROUP BY user_id
)
SELECT user_id, first_active_date, last_active_date, active_days, events, sessions, platforms_used,
       active_days_l28, events_l28,
       round(60.0 * active_days_l28 / 28 + 40.0 * least(1.0, ln(1 + events_l28) / ln(501)), 2)
FROM lifetime
ORDER BY user_id;
