-- One row: days in scope where growth accounting, classified user by user from agg_user_day (one is_day_first row
-- per user and day), breaks an identity with the DAU of agg_daily_metrics (from agg_active_masks):
-- active(t) = new + retained + resurrected and active(t-1) = retained + churned. new = first activity ever on t
-- (agg_user_platform_first), known for people who signed up on or after the data's first day; retained = active
-- on t and t-1; resurrected = active on t, not t-1, not new; churned = active on t-1, not t.
WITH user_days AS (
    SELECT user_id, activity_date
    FROM agg_user_day
    WHERE is_day_first
      AND (activity_date IN (SELECT day FROM dq_scope) OR activity_date + 1 IN (SELECT day FROM dq_scope))
),
first_days AS (
    SELECT user_id, min(first_date) AS first_day
    FROM agg_user_platform_first
    WHERE user_id IN (SELECT user_id FROM user_days) AND signup_date >= (SELECT min(activity_date) FROM agg_user_day)
    GROUP BY user_id
),
today AS (
    SELECT user_id, activity_date AS day FROM user_days WHERE activity_date IN (SELECT day FROM dq_scope)
),
yesterday AS (
    SELECT user_id, activity_date + 1 AS day FROM user_days WHERE activity_date + 1 IN (SELECT day FROM dq_scope)
),
classified AS (
    SELECT coalesce(t.day, y.day) AS day,
           t.user_id IS NOT NULL AND f.first_day = t.day AS is_new,
           t.user_id IS NOT NULL AND y.user_id IS NOT NULL AS is_retained,
           t.user_id IS NOT NULL AND y.user_id IS NULL AND f.first_day IS DISTINCT FROM t.day AS is_resurrected,
           t.user_id IS NULL AS is_churned
    FROM today AS t
    FULL JOIN yesterday AS y USING (user_id, day)
    LEFT JOIN first_days AS f ON f.user_id = coalesce(t.user_id, y.user_id)
),
accounting AS (
    SELECT day,
           count(*) FILTER (WHERE is_new) AS new_users,
           count(*) FILTER (WHERE is_retained) AS retained,
           count(*) FILTER (WHERE is_resurrected) AS resurrected,
           count(*) FILTER (WHERE is_churned) AS churned
    FROM classified
    GROUP BY day
),
dau AS (
    SELECT metric_date AS day, dau FROM dq_daily_metrics WHERE platform = 'all'
),
checked AS (
    SELECT s.day,
           coalesce(a.new_users + a.retained + a.resurrected, 0) = coalesce(d.dau, 0)
           AND coalesce(a.retained + a.churned, 0) = coalesce(p.dau, 0) AS holds
    FROM dq_scope AS s
    LEFT JOIN accounting AS a ON a.day = s.day
    LEFT JOIN dau AS d ON d.day = s.day
    LEFT JOIN dau AS p ON p.day = s.day - 1
)
SELECT count(*) FILTER (WHERE NOT holds) AS observed, 'e.g. ' || min(day) FILTER (WHERE NOT holds) AS detail
FROM checked;
