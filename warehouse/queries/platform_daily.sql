-- One row per selected platform: its average DAU and MAU and average stickiness (DAU / MAU) over the days from
-- $start to $end, and its events and sessions then (in $segment, or 'all').
WITH platforms AS (
    SELECT platform_key, platform_name, display_name, CAST(1 << (platform_key - 1) AS INTEGER) AS bit
    FROM dim_platform
    WHERE (1 << (platform_key - 1)) & $platform_mask <> 0
),
daily AS (
    SELECT p.platform_key, m.activity_date,
           sum(m.users) FILTER (WHERE m.window_days = 1) AS dau,
           sum(m.users) FILTER (WHERE m.window_days = 30) AS mau
    FROM agg_active_masks AS m
    JOIN platforms AS p ON m.platform_mask & p.bit <> 0
    WHERE m.segment = $segment AND m.activity_date BETWEEN $start AND $end
    GROUP BY ALL
),
averages AS (
    SELECT platform_key, avg(coalesce(dau, 0)) AS avg_dau, avg(mau) AS avg_mau,
           avg(coalesce(dau, 0) / mau) FILTER (WHERE mau > 0) AS stickiness
    FROM daily
    GROUP BY platform_key
),
volume AS (
    SELECT platform_key, sum(events) AS events, sum(sessions) AS sessions
    FROM agg_daily_volume
    WHERE activity_date BETWEEN $start AND $end AND ($segment = 'all' OR segment = $segment)
    GROUP BY platform_key
)
SELECT p.platform_name AS platform, p.display_name, coalesce(a.avg_dau, 0) AS avg_dau,
       coalesce(a.avg_mau, 0) AS avg_mau, a.stickiness, coalesce(v.events, 0) AS events,
       coalesce(v.sessions, 0) AS sessions
FROM platforms AS p
LEFT JOIN averages AS a USING (platform_key)
LEFT JOIN volume AS v USING (platform_key)
ORDER BY p.platform_key;
