-- One row: days in scope where agg_breakdown_daily's people per (day, platform), every segment together, differ
-- from agg_user_day's people active on that platform that day (a person counts once under a platform whatever the
-- versions of their day), or per (day, dimension other than segment) the people under all its values fall short of
-- those active.
WITH expected AS (
    SELECT d.activity_date, p.platform_name AS value, count(DISTINCT d.user_id) AS users
    FROM agg_user_day AS d
    JOIN dim_platform AS p ON (d.platform_mask >> (p.platform_key - 1)) & 1 = 1
    WHERE d.activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
actual AS (
    SELECT activity_date, value, sum(users) AS users
    FROM agg_breakdown_daily
    WHERE dimension = 'platform' AND segment = 'all' AND age_group = 'all'
      AND activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
active AS (
    SELECT activity_date, count(DISTINCT user_id) AS users
    FROM agg_user_day WHERE activity_date IN (SELECT day FROM dq_scope) GROUP BY ALL
),
covered AS (  -- every active person has a value of each dimension (a missing one is 'unknown'; a person without a
              -- segment has none of segment's): the values sum to at least DAU
    SELECT activity_date, dimension, sum(users) AS users
    FROM agg_breakdown_daily
    WHERE segment = 'all' AND age_group = 'all' AND dimension <> 'segment'
      AND activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
differing AS (
    SELECT coalesce(e.activity_date, a.activity_date) AS activity_date
    FROM expected AS e
    FULL JOIN actual AS a ON a.activity_date = e.activity_date AND a.value = e.value
    WHERE e.users IS DISTINCT FROM a.users
    UNION ALL
    SELECT t.activity_date
    FROM active AS t, (SELECT unnest(['platform', 'age_group', 'country', 'device']) AS dimension) AS d
    LEFT JOIN covered AS c ON c.activity_date = t.activity_date AND c.dimension = d.dimension
    WHERE coalesce(c.users, 0) < t.users
)
SELECT count(DISTINCT activity_date) AS observed, 'e.g. ' || min(activity_date) AS detail
FROM differing;
