-- One row: days in scope where the one-day counts of agg_active_masks differ from agg_user_day: per segment, the
-- users with a row that day; for 'all', the distinct users that day.
WITH masks AS (
    SELECT activity_date AS day, segment, sum(users) AS users
    FROM agg_active_masks
    WHERE window_days = 1 AND activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
days AS (
    SELECT activity_date AS day, segment, count(*) AS users
    FROM agg_user_day
    WHERE activity_date IN (SELECT day FROM dq_scope) AND segment IS NOT NULL  -- no segment: in 'all' only
    GROUP BY ALL
    UNION ALL
    SELECT activity_date, 'all', count(*)
    FROM (SELECT activity_date, user_id  -- grouped, not count(DISTINCT): a grouping spills under the memory limit
          FROM agg_user_day
          WHERE activity_date IN (SELECT day FROM dq_scope)
          GROUP BY ALL)
    GROUP BY ALL
),
compared AS (
    SELECT day, segment, coalesce(m.users, 0) AS mask_users, coalesce(d.users, 0) AS day_users
    FROM masks AS m
    FULL JOIN days AS d USING (day, segment)
)
SELECT count(DISTINCT day) FILTER (WHERE mask_users <> day_users) AS observed,
       'e.g. ' || min(day) FILTER (WHERE mask_users <> day_users) AS detail
FROM compared;
