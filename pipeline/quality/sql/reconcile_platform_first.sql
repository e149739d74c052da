-- One row: activity rows on days in scope of a (user, platform) with no first day in agg_user_platform_first, or a
-- first day after them; plus first days in scope with no activity of that user there that day.
WITH before_first AS (
    SELECT a.user_id
    FROM agg_user_activity_daily AS a
    LEFT JOIN agg_user_platform_first AS f USING (user_id, platform_key)
    WHERE a.activity_date IN (SELECT day FROM dq_scope)
      AND (f.first_date IS NULL OR a.activity_date < f.first_date)
),
no_activity AS (
    SELECT f.user_id
    FROM agg_user_platform_first AS f
    WHERE f.first_date IN (SELECT day FROM dq_scope)
      AND NOT EXISTS (SELECT 1 FROM agg_user_activity_daily AS a
                      WHERE a.user_id = f.user_id AND a.platform_key = f.platform_key
                        AND a.activity_date = f.first_date
                        AND a.activity_date IN (SELECT day FROM dq_scope))
)
SELECT (SELECT count(*) FROM before_first) + (SELECT count(*) FROM no_activity) AS observed,
       'e.g. user ' || coalesce((SELECT min(user_id) FROM before_first), (SELECT min(user_id) FROM no_activity))
           AS detail;
