-- One row per percentile of users (1..100, most active first) active on the platforms of $platform_mask between
-- $start and $end (in $segment and $age_group, or 'all'): the share of those events that percentile and all above it
-- produced.
WITH per_user AS (
    SELECT * FROM user_events($start, $end, $platform_mask, $segment, $age_group)
),
ranked AS (
    SELECT events, ntile(100) OVER (ORDER BY events DESC, user_id) AS percentile FROM per_user
),
per_percentile AS (
    SELECT percentile, sum(events) AS events, count(*) AS users FROM ranked GROUP BY percentile
)
SELECT percentile, CAST(users AS BIGINT) AS users, CAST(events AS BIGINT) AS events,
       sum(events) OVER (ORDER BY percentile ROWS UNBOUNDED PRECEDING) / sum(events) OVER () AS cumulative_share
FROM per_percentile
ORDER BY percentile;
