-- Recompute agg_daily_metrics from $from_date to the last active day: one row per (day, platform), 'all' counting a
-- person once across apps.
-- Distinct counts by activity intervals, with no DISTINCT: each activity row opens a window at its day that
-- closes N days later (DAU 1, WAU 7, MAU 30) or at the same user's next activity row, whichever comes first.
-- Windows of one user never overlap (a second row on the same day closes at once), so the running sum of opened
-- minus closed windows is the number of distinct users. Windows reach back 29 days before $from_date. Days before
-- $from_date are computed only as far as needed and not written.
DELETE FROM agg_daily_metrics WHERE metric_date >= CAST($from_date AS DATE);

INSERT INTO agg_daily_metrics
WITH bounds AS (
    SELECT CAST($from_date AS DATE) AS from_date,
           CAST($from_date AS DATE) - 29 AS window_start,
           (SELECT max(activity_date) FROM agg_user_activity_daily) AS to_date
),
activity AS NOT MATERIALIZED (
    SELECT p.platform_name AS platform, a.user_id, a.activity_date, a.event_count, a.session_count
    FROM agg_user_activity_daily AS a
    JOIN dim_platform AS p USING (platform_key)
    WHERE a.activity_date >= (SELECT window_start FROM bounds)
),
scoped AS NOT MATERIALIZED (
    SELECT * FROM activity
    UNION ALL
    SELECT 'all', user_id, activity_date, event_count, session_count FROM activity
),
-- of a user's active days before from_date only the last can open a window that reaches from_date (the earlier
-- ones close at their next active day): carry that one, then every row from from_date on
carried AS (
    SELECT platform, user_id, max(activity_date) AS activity_date, 0 AS event_count, 0 AS session_count
    FROM scoped
    WHERE activity_date < (SELECT from_date FROM bounds)
    GROUP BY platform, user_id
    UNION ALL
    SELECT * FROM scoped WHERE activity_date >= (SELECT from_date FROM bounds)
),
spans AS (
    SELECT platform, activity_date, event_count, session_count,
           lead(activity_date) OVER (PARTITION BY platform, user_id ORDER BY activity_date) AS next_date
    FROM carried
),
opened AS (
    SELECT platform, activity_date AS day, count(*) AS opened, sum(event_count) AS events,
           sum(session_count) AS sessions
    FROM spans
    GROUP BY ALL
),
closed_1 AS (
    SELECT platform, least(activity_date + 1, next_date) AS day, count(*) AS closed FROM spans GROUP BY ALL
),
closed_7 AS (
    SELECT platform, least(activity_date + 7, next_date) AS day, count(*) AS closed FROM spans GROUP BY ALL
),
closed_30 AS (
    SELECT platform, least(activity_date + 30, next_date) AS day, count(*) AS closed FROM spans GROUP BY ALL
),
spine AS (
    SELECT p.platform, CAST(g.day AS DATE) AS day
    FROM (SELECT platform_name AS platform FROM dim_platform UNION ALL SELECT 'all') AS p,
         bounds,
         generate_series(CAST(window_start AS TIMESTAMP), CAST(to_date AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
),
rolling AS (
    SELECT s.platform, s.day, coalesce(o.events, 0) AS events, coalesce(o.sessions, 0) AS sessions,
           sum(coalesce(o.opened, 0) - coalesce(c1.closed, 0)) OVER running AS dau,
           sum(coalesce(o.opened, 0) - coalesce(c7.closed, 0)) OVER running AS wau,
           sum(coalesce(o.opened, 0) - coalesce(c30.closed, 0)) OVER running AS mau
    FROM spine AS s
    LEFT JOIN opened AS o USING (platform, day)
    LEFT JOIN closed_1 AS c1 USING (platform, day)
    LEFT JOIN closed_7 AS c7 USING (platform, day)
    LEFT JOIN closed_30 AS c30 USING (platform, day)
    WINDOW running AS (PARTITION BY s.platform ORDER BY s.day ROWS UNBOUNDED PRECEDING)
),
-- first activity ever (whole history), per platform and overall
first_days AS (
    SELECT p.platform_name AS platform, min(a.activity_date) AS day
    FROM agg_user_activity_daily AS a
    JOIN dim_platform AS p USING (platform_key)
    GROUP BY p.platform_name, a.user_id
    UNION ALL
    SELECT 'all', min(activity_date)
    FROM agg_user_activity_daily
    GROUP BY user_id
),
new_users AS (
    SELECT platform, day, count(*) AS new_users
    FROM first_days
    WHERE day >= (SELECT from_date FROM bounds)
    GROUP BY ALL
)
SELECT r.day, r.platform, CAST(r.dau AS INTEGER), CAST(r.wau AS INTEGER), CAST(r.mau AS INTEGER),
       CASE WHEN r.mau > 0 THEN r.dau / r.mau END,
       r.events, r.sessions, coalesce(n.new_users, 0)
FROM rolling AS r
LEFT JOIN new_users AS n USING (platform, day)
WHERE r.day >= (SELECT from_date FROM bounds)
ORDER BY r.day, r.platform;
