-- One row per (period, scope, mask now, mask the period before): how many users made that transition, from
-- $from_date on (from its ISO week for the weekly grain); a scope is a (segment or 'all', age group or 'all') pair,
-- a user version counting in those version_scopes gives it (its segment, its age group, the pair) and in
-- ('all', 'all'). A user active in neither period is not counted; one active in only one has 0 for the other. A
-- user in one segment (age group, or both) on every day read has the same transitions there as in 'all': paired once.
DELETE FROM agg_growth_transitions
WHERE (grain = 'day' AND period_start >= CAST($from_date AS DATE))
   OR (grain = 'week' AND period_start >= CAST(date_trunc('week', CAST($from_date AS DATE)) AS DATE));

INSERT INTO agg_growth_transitions (grain, period_start, segment, age_group, mask_now, mask_before, users)
WITH bounds AS (
    SELECT CAST($from_date AS DATE) AS from_day,
           CAST(date_trunc('week', CAST($from_date AS DATE)) AS DATE) AS from_week,
           (SELECT max(activity_date) FROM agg_user_day) AS to_day
),
-- one row per user active since the first period read: their segment and age group when the same on every day read
-- (the scopes version_scopes gives them have the transitions of 'all') and the kinds of scope paired from their rows
-- instead (`kinds`)
user_scopes AS (
    SELECT * FROM users_in_one_scope((SELECT from_week - 7 FROM bounds))
),
-- 'all': one row per (period length in days, period, user) with the platforms used that period
all_periods AS NOT MATERIALIZED (
    SELECT 1 AS step, activity_date AS period_start, user_id, day_platform_mask AS mask
    FROM agg_user_day
    WHERE activity_date >= (SELECT from_day - 1 FROM bounds) AND is_day_first
    UNION ALL
    SELECT 7, week_start, user_id, CAST(bit_or(platform_mask) AS UTINYINT)
    FROM agg_user_week
    WHERE week_start >= (SELECT from_week - 7 FROM bounds)
    GROUP BY week_start, user_id
),
-- the scopes of the kinds a user changed in: one row per (period length, period, scope, user) with the platforms
version_periods AS NOT MATERIALIZED (
    SELECT 1 AS step, d.activity_date AS period_start, d.user_id, d.platform_mask AS mask,
           unnest(version_scopes(d.segment, d.age_group, s.kinds)) AS scope
    FROM agg_user_day AS d
    JOIN user_scopes AS s ON s.user_id = d.user_id AND s.kinds <> 0
    WHERE d.activity_date >= (SELECT from_day - 1 FROM bounds)
    UNION ALL
    SELECT 7, w.week_start, w.user_id, w.platform_mask, unnest(version_scopes(w.segment, w.age_group, s.kinds))
    FROM agg_user_week AS w
    JOIN user_scopes AS s ON s.user_id = w.user_id AND s.kinds <> 0
    WHERE w.week_start >= (SELECT from_week - 7 FROM bounds)
),
scope_periods AS (
    SELECT step, period_start, scope.segment AS segment, scope.age_group AS age_group, user_id,
           CAST(bit_or(mask) AS UTINYINT) AS mask
    FROM version_periods
    GROUP BY ALL
),
all_pairs AS (
    SELECT coalesce(n.step, b.step) AS step, coalesce(n.period_start, b.period_start + b.step) AS period_start,
           coalesce(n.user_id, b.user_id) AS user_id, coalesce(n.mask, 0) AS mask_now,
           coalesce(b.mask, 0) AS mask_before
    FROM all_periods AS n
    FULL JOIN all_periods AS b ON b.user_id = n.user_id AND b.step = n.step AND b.period_start + b.step = n.period_start
),
-- one row per (period, mask now, mask before, constant segment and age group) of 'all'
all_counts AS (
    SELECT p.step, p.period_start, s.segment, s.age_group, p.mask_now, p.mask_before, count(*) AS users
    FROM all_pairs AS p
    JOIN user_scopes AS s USING (user_id)
    GROUP BY ALL
),
scope_pairs AS (
    SELECT coalesce(n.step, b.step) AS step, coalesce(n.period_start, b.period_start + b.step) AS period_start,
           coalesce(n.segment, b.segment) AS segment, coalesce(n.age_group, b.age_group) AS age_group,
           coalesce(n.mask, 0) AS mask_now, coalesce(b.mask, 0) AS mask_before
    FROM scope_periods AS n
    FULL JOIN scope_periods AS b
      ON b.user_id = n.user_id AND b.segment = n.segment AND b.age_group = n.age_group AND b.step = n.step
     AND b.period_start + b.step = n.period_start
),
counted AS (
    SELECT step, period_start, 'all' AS segment, 'all' AS age_group, mask_now, mask_before, users FROM all_counts
    UNION ALL
    SELECT step, period_start, scope.segment, scope.age_group, mask_now, mask_before, users
    FROM (SELECT step, period_start, mask_now, mask_before, users,
                 unnest(version_scopes(segment, age_group, 7)) AS scope
          FROM all_counts WHERE segment IS NOT NULL OR age_group IS NOT NULL)
    UNION ALL
    SELECT step, period_start, segment, age_group, mask_now, mask_before, 1 FROM scope_pairs
)
SELECT CASE step WHEN 1 THEN 'day' ELSE 'week' END AS grain, period_start, segment, age_group, mask_now, mask_before,
       CAST(sum(users) AS INTEGER)
FROM counted, bounds
WHERE period_start >= CASE step WHEN 1 THEN from_day ELSE from_week END
  AND period_start <= to_day
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5, 6;
