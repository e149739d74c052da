-- One row per selected platform: its average DAU and MAU over the $days days from $start to $end (a day with no
-- active user counts as 0), its average stickiness (DAU / MAU) over those days from $complete_from on (the days
-- whose 30-day window lies inside the data) with a monthly active user, and its events and sessions in the range
-- (in $segment and $age_group, or 'all').
WITH platforms AS (
    SELECT platform_key, platform_name, display_name, CAST(1 << (platform_key - 1) AS INTEGER) AS bit
    FROM dim_platform
    WHERE on_platforms(platform_key, $platform_mask)
),
averages AS (
    SELECT selected_mask AS bit, sum(coalesce(dau, 0)) / $days AS avg_dau, sum(mau) / $days AS avg_mau,
           list_avg(list(coalesce(dau, 0) / mau ORDER BY day) FILTER (WHERE mau > 0 AND day >= $complete_from))
               AS stickiness  -- summed in day order: the same digits every run
    FROM active_users_of((SELECT list(bit) FROM platforms), $segment, $age_group, $start, $end)
    GROUP BY selected_mask
),
volume AS (
    SELECT selected_mask AS bit, sum(events) AS events, sum(sessions) AS sessions
    FROM event_volume_of((SELECT list(bit) FROM platforms), $segment, $age_group, $start, $end)
    GROUP BY selected_mask
)
SELECT p.platform_name AS platform, p.display_name, coalesce(a.avg_dau, 0) AS avg_dau,
       coalesce(a.avg_mau, 0) AS avg_mau, a.stickiness, CAST(coalesce(v.events, 0) AS BIGINT) AS events,
       CAST(coalesce(v.sessions, 0) AS BIGINT) AS sessions
FROM platforms AS p
LEFT JOIN averages AS a USING (bit)
LEFT JOIN volume AS v USING (bit)
ORDER BY p.platform_key;
