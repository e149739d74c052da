-- One row per (segment, 5-point bin of engagement score): how many users active on the platforms of $platform_mask
-- between $start and $end (in $segment, or 'all') scored there: engagement_score (store/schema/metrics.sql) of
-- their active days and events over the range's $days days; their segment is the one of their last active day in
-- the range.
WITH days AS (
    SELECT user_id,
           count(*) FILTER (WHERE CASE WHEN $segment = 'all'
                                       THEN is_day_first AND day_platform_mask & $platform_mask <> 0
                                       ELSE platform_mask & $platform_mask <> 0 END) AS active_days,
           arg_max(segment, activity_date) FILTER (WHERE platform_mask & $platform_mask <> 0) AS segment
    FROM agg_user_day
    WHERE activity_date BETWEEN $start AND $end AND day_platform_mask & $platform_mask <> 0
      AND ($segment = 'all' OR segment = $segment)
    GROUP BY user_id
),
volume AS (
    SELECT * FROM user_events($start, $end, $platform_mask, $segment)
),
scored AS (
    SELECT d.segment,
           engagement_score(d.active_days, v.events, $days) AS score
    FROM days AS d
    JOIN volume AS v USING (user_id)
)
SELECT segment, CAST(least(floor(score / 5) * 5, 95) AS INTEGER) AS score_bin, count(*) AS users,
       avg(score) AS avg_score
FROM scored
GROUP BY ALL
ORDER BY segment, score_bin;
