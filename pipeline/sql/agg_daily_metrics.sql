-- Recompute agg_daily_metrics from $from_date to the last active day: one row per (day, platform or 'all').
-- Distinct users come from agg_active_masks (users whose platforms over the window include the platform; 'all'
-- counts a person once across apps), events and sessions from agg_user_activity_daily, new users (first activity
-- ever on the platform, or anywhere for 'all') from agg_user_platform_first.
DELETE FROM agg_daily_metrics WHERE metric_date >= CAST($from_date AS DATE);

INSERT INTO agg_daily_metrics
WITH scopes AS (
    SELECT platform_name AS platform, platform_key, CAST(1 << (platform_key - 1) AS INTEGER) AS bits
    FROM dim_platform
    UNION ALL
    SELECT 'all', NULL, CAST(bit_or(1 << (platform_key - 1)) AS INTEGER) FROM dim_platform
),
days AS (
    SELECT CAST(g.day AS DATE) AS day
    FROM generate_series(CAST($from_date AS TIMESTAMP),
                         (SELECT CAST(max(activity_date) AS TIMESTAMP) FROM agg_user_activity_daily),
                         INTERVAL 1 DAY) AS g(day)
),
active AS (
    SELECT m.activity_date AS day, s.platform,
           sum(m.users) FILTER (WHERE m.window_days = 1) AS dau,
           sum(m.users) FILTER (WHERE m.window_days = 7) AS wau,
           sum(m.users) FILTER (WHERE m.window_days = 30) AS mau
    FROM agg_active_masks AS m
    JOIN scopes AS s ON m.platform_mask & s.bits <> 0
    WHERE m.segment = 'all' AND m.activity_date >= CAST($from_date AS DATE)
    GROUP BY ALL
),
volume AS (
    SELECT a.activity_date AS day, s.platform, sum(a.event_count) AS events, sum(a.session_count) AS sessions
    FROM agg_user_activity_daily AS a
    JOIN scopes AS s ON s.platform_key = a.platform_key OR s.platform_key IS NULL
    WHERE a.activity_date >= CAST($from_date AS DATE)
    GROUP BY ALL
),
firsts AS (
    SELECT s.platform, f.first_date AS day, count(*) AS new_users
    FROM agg_user_platform_first AS f
    JOIN scopes AS s USING (platform_key)
    WHERE f.first_date >= CAST($from_date AS DATE)
    GROUP BY ALL
    UNION ALL
    SELECT 'all', day, count(*)
    FROM (SELECT min(first_date) AS day FROM agg_user_platform_first GROUP BY user_id)
    WHERE day >= CAST($from_date AS DATE)
    GROUP BY ALL
)
SELECT d.day, s.platform, coalesce(a.dau, 0), coalesce(a.wau, 0), coalesce(a.mau, 0),
       CASE WHEN a.mau > 0 THEN coalesce(a.dau, 0) / a.mau END,
       coalesce(v.events, 0), coalesce(v.sessions, 0), coalesce(f.new_users, 0)
FROM days AS d
CROSS JOIN scopes AS s
LEFT JOIN active AS a ON a.day = d.day AND a.platform = s.platform
LEFT JOIN volume AS v ON v.day = d.day AND v.platform = s.platform
LEFT JOIN firsts AS f ON f.day = d.day AND f.platform = s.platform
ORDER BY d.day, s.platform;
