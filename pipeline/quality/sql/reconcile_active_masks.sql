-- One row: days in scope where the one-day counts of agg_active_masks differ from agg_user_day: per scope (segment,
-- age group, the pair: version_scopes), the distinct users with a row in it that day; for 'all', those of the day.
-- A user with one row that day counts in its scopes; one with two rows or more (a change that day), once per scope
-- (a wrong is_day_first only sends more users the exact way, or counts some twice: a difference either way).
WITH masks AS (
    SELECT activity_date AS day, segment, age_group, sum(users) AS users
    FROM agg_active_masks
    WHERE window_days = 1 AND activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
several AS (  -- (day, user) with two rows or more: all but the first are not is_day_first
    SELECT DISTINCT activity_date, user_id
    FROM agg_user_day
    WHERE activity_date IN (SELECT day FROM dq_scope) AND NOT is_day_first
),
per_version AS (  -- users with one row that day, per (day, segment, age group)
    SELECT d.activity_date AS day, d.segment, d.age_group, count(*) AS users
    FROM agg_user_day AS d
    ANTI JOIN several AS s USING (activity_date, user_id)
    WHERE d.activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
days AS (
    SELECT day, scope.segment, scope.age_group, sum(users) AS users
    FROM (SELECT day, users, unnest(version_scopes(segment, age_group, 7)) AS scope FROM per_version
          UNION ALL
          SELECT day, 1, scope
          FROM (SELECT DISTINCT d.activity_date AS day, d.user_id,
                                unnest(version_scopes(d.segment, d.age_group, 7)) AS scope
                FROM agg_user_day AS d
                SEMI JOIN several AS s USING (activity_date, user_id)))
    GROUP BY ALL
    UNION ALL
    SELECT activity_date, 'all', 'all', count(*)
    FROM (SELECT activity_date, user_id  -- grouped, not count(DISTINCT): a grouping spills under the memory limit
          FROM agg_user_day
          WHERE activity_date IN (SELECT day FROM dq_scope)
          GROUP BY ALL)
    GROUP BY ALL
),
compared AS (
    SELECT day, segment, age_group, coalesce(m.users, 0) AS mask_users, coalesce(d.users, 0) AS day_users
    FROM masks AS m
    FULL JOIN days AS d USING (day, segment, age_group)
)
SELECT count(DISTINCT day) FILTER (WHERE mask_users <> day_users) AS observed,
       'e.g. ' || min(day) FILTER (WHERE mask_users <> day_users) AS detail
FROM compared;
