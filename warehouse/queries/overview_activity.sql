-- One row per day from $start to $end: the users active on the platforms of $platform_mask (and in $segment, or
-- 'all') that day, in the 7 and 30 days ending that day, stickiness (DAU / MAU), their events there, and the users
-- whose first activity ever on those platforms was that day.
WITH days AS (
    SELECT CAST(g.day AS DATE) AS day
    FROM generate_series(CAST($start AS TIMESTAMP), CAST($end AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
),
active AS (
    SELECT activity_date AS day,
           sum(users) FILTER (WHERE window_days = 1) AS dau,
           sum(users) FILTER (WHERE window_days = 7) AS wau,
           sum(users) FILTER (WHERE window_days = 30) AS mau
    FROM agg_active_masks
    WHERE segment = $segment AND activity_date BETWEEN $start AND $end AND platform_mask & $platform_mask <> 0
    GROUP BY activity_date
),
volume AS (
    SELECT activity_date AS day, sum(events) AS events
    FROM agg_daily_volume
    WHERE activity_date BETWEEN $start AND $end AND (1 << (platform_key - 1)) & $platform_mask <> 0
      AND ($segment = 'all' OR segment = $segment)
    GROUP BY activity_date
),
firsts AS (
    SELECT * FROM first_activity($platform_mask)
),
newcomers AS (
    SELECT first_day AS day, count(*) AS new_users
    FROM firsts
    WHERE first_day BETWEEN $start AND $end AND ($segment = 'all' OR first_segment = $segment)
    GROUP BY first_day
)
SELECT d.day, coalesce(a.dau, 0) AS dau, coalesce(a.wau, 0) AS wau, coalesce(a.mau, 0) AS mau,
       CASE WHEN a.mau > 0 THEN a.dau / a.mau END AS stickiness,
       coalesce(v.events, 0) AS events, coalesce(n.new_users, 0) AS new_users
FROM days AS d
LEFT JOIN active AS a USING (day)
LEFT JOIN volume AS v USING (day)
LEFT JOIN newcomers AS n USING (day)
ORDER BY d.day;
