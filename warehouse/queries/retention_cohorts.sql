-- One row per (cohort week, period): a cohort is the users whose first active week ever on the platforms of
-- $platform_mask (in $segment, or 'all') falls between $start and $end; period N counts those active there in the
-- N-th week after it. Periods run to the last loaded week; is_complete says the week is fully loaded.
WITH weeks AS (
    SELECT DISTINCT user_id, week_start
    FROM agg_user_week
    WHERE platform_mask & $platform_mask <> 0 AND ($segment = 'all' OR segment = $segment)
),
cohorts AS (
    SELECT user_id, min(week_start) AS cohort_week FROM weeks GROUP BY user_id
    HAVING min(week_start) BETWEEN CAST(date_trunc('week', CAST($start AS DATE)) AS DATE) AND $end
),
sizes AS (
    SELECT cohort_week, count(*) AS cohort_size FROM cohorts GROUP BY cohort_week
),
active AS (
    SELECT c.cohort_week, CAST((w.week_start - c.cohort_week) / 7 AS INTEGER) AS period, count(*) AS users
    FROM weeks AS w JOIN cohorts AS c USING (user_id)
    GROUP BY ALL
),
last_day AS (
    SELECT max(activity_date) AS day FROM agg_user_day
),
grid AS (
    SELECT s.cohort_week, s.cohort_size, CAST(g.period AS INTEGER) AS period
    FROM sizes AS s, last_day,
         generate_series(0, CAST((CAST(date_trunc('week', last_day.day) AS DATE) - s.cohort_week) / 7 AS BIGINT))
             AS g(period)
)
SELECT g.cohort_week, g.period, g.cohort_size, coalesce(a.users, 0) AS active_users,
       coalesce(a.users, 0) / g.cohort_size AS retention,
       g.cohort_week + 7 * g.period + 6 <= (SELECT day FROM last_day) AS is_complete
FROM grid AS g
LEFT JOIN active AS a USING (cohort_week, period)
ORDER BY g.cohort_week, g.period;
