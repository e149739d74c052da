-- One row per period ($grain: 'day' or 'week') from the one holding $start to $end: growth accounting of the users
-- active on the platforms of $platform_mask (in $segment and $age_group, or 'all'). new = first activity ever on
-- those platforms in the period, known only for people who signed up on or after the data's first day (new_users of
-- store/schema/metrics.sql, over the whole period); retained = active in it and the one before; resurrected =
-- active, not the period before, not new; churned = active the period before, not in it (reported as a positive
-- count).
WITH bounds AS (
    SELECT CASE $grain WHEN 'week' THEN CAST(date_trunc('week', CAST($start AS DATE)) AS DATE)
                ELSE CAST($start AS DATE) END AS first_period,
           CASE $grain WHEN 'week' THEN CAST(date_trunc('week', CAST($end AS DATE)) AS DATE) + 6
                ELSE CAST($end AS DATE) END AS last_day
),
transitions AS (
    SELECT period_start,
           sum(users) FILTER (WHERE mask_now & $platform_mask <> 0) AS active,
           sum(users) FILTER (WHERE mask_now & $platform_mask <> 0 AND mask_before & $platform_mask <> 0) AS retained,
           sum(users) FILTER (WHERE mask_now & $platform_mask = 0 AND mask_before & $platform_mask <> 0) AS churned
    FROM agg_growth_transitions
    WHERE grain = $grain AND segment = $segment AND age_group = $age_group
      AND period_start BETWEEN (SELECT first_period FROM bounds) AND $end
    GROUP BY period_start
),
newcomers AS (
    SELECT CASE $grain WHEN 'week' THEN CAST(date_trunc('week', day) AS DATE) ELSE day END AS period_start,
           sum(new_users) AS new_users
    FROM bounds, new_users($platform_mask, $segment, $age_group, first_period, last_day)
    GROUP BY ALL
),
periods AS (
    SELECT CAST(g.period AS DATE) AS period_start
    FROM bounds, generate_series(CAST(first_period AS TIMESTAMP), CAST($end AS TIMESTAMP),
                                 CASE $grain WHEN 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 DAY END) AS g(period)
)
SELECT p.period_start,
       CAST(coalesce(n.new_users, 0) AS BIGINT) AS new_users,
       CAST(coalesce(t.retained, 0) AS BIGINT) AS retained,
       CAST(coalesce(t.active, 0) - coalesce(t.retained, 0) - coalesce(n.new_users, 0) AS BIGINT) AS resurrected,
       CAST(coalesce(t.churned, 0) AS BIGINT) AS churned,
       CAST(coalesce(t.active, 0) AS BIGINT) AS active
FROM periods AS p
LEFT JOIN transitions AS t USING (period_start)
LEFT JOIN newcomers AS n USING (period_start)
ORDER BY p.period_start;
