-- Rebuild agg_retention_cohorts: one row per (cohort week, period) from period 0 to the last loaded week. The cohort
-- is the ISO week of a user's first activity on any platform; a period is complete when its week is fully loaded.
DELETE FROM agg_retention_cohorts;

INSERT INTO agg_retention_cohorts
WITH last_day AS (
    SELECT max(activity_date) AS day FROM agg_user_activity_daily
),
user_weeks AS (
    SELECT DISTINCT user_id, CAST(date_trunc('week', activity_date) AS DATE) AS week
    FROM agg_user_activity_daily
),
cohorts AS (
    SELECT user_id, min(week) AS cohort_week FROM user_weeks GROUP BY user_id
),
sizes AS (
    SELECT cohort_week, count(*) AS cohort_size FROM cohorts GROUP BY cohort_week
),
active AS (
    SELECT c.cohort_week, CAST((w.week - c.cohort_week) / 7 AS INTEGER) AS period, count(*) AS active_users
    FROM user_weeks AS w
    JOIN cohorts AS c USING (user_id)
    GROUP BY ALL
),
grid AS (
    SELECT s.cohort_week, s.cohort_size, CAST(g.period AS INTEGER) AS period
    FROM sizes AS s, last_day,
         generate_series(0, CAST((CAST(date_trunc('week', last_day.day) AS DATE) - s.cohort_week) / 7 AS BIGINT)) AS g(period)
)
SELECT g.cohort_week, g.period, g.cohort_size, coalesce(a.active_users, 0),
       coalesce(a.active_users, 0) / g.cohort_size,
       g.cohort_week + 7 * g.period + 6 <= (SELECT day FROM last_day)
FROM grid AS g
LEFT JOIN active AS a USING (cohort_week, period)
ORDER BY g.cohort_week, g.period;
