-- One row per selected platform: its average DAU and MAU and average stickiness (DAU / MAU) over the days from
-- $start to $end that it had a monthly active user, and its events and sessions then (in $segment, or 'all').
WITH platforms AS (
    SELECT platform_key, platform_name, display_name, CAST(1 << (platform_key - 1) AS INTEGER) AS bit
    FROM dim_platform
    WHERE (1 << (platform_key - 1)) & $platform_mask <> 0
),
averages AS (
    SELECT selected_mask AS bit, avg(coalesce(dau, 0)) AS avg_dau, avg(mau) AS avg_mau,
           avg(coalesce(dau, 0) / mau) FILTER (WHERE mau > 0) AS stickiness
    FROM active_users_of((SELECT list(bit) FROM platforms), $segment, $start, $end)
    GROUP BY selected_mask
),
volume AS (
    SELECT selected_mask AS bit, sum(events) AS events, sum(sessions) AS sessions
    FROM event_volume_of((SELECT list(bit) FROM platforms), $segment, $start, $end)
    GROUP BY selected_mask
)
SELECT p.platform_name AS platform, p.display_name, coalesce(a.avg_dau, 0) AS avg_dau,
       coalesce(a.avg_mau, 0) AS avg_mau, a.stickiness, coalesce(v.events, 0) AS events,
       coalesce(v.sessions, 0) AS sessions
FROM platforms AS p
LEFT JOIN averages AS a USING (bit)
LEFT JOIN volume AS v USING (bit)
ORDER BY p.platform_key;
