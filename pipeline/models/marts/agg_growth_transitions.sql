-- One row per (period, scope, mask now, mask the period before): how many users made that transition, from
-- $from_date on (from its ISO week for the weekly grain); a scope is 'all' or a segment (a user version with no
-- segment counts in 'all' only). A user active in neither period is not counted; one active in only one has 0 for
-- the other.
DELETE FROM agg_growth_transitions
WHERE (grain = 'day' AND period_start >= CAST($from_date AS DATE))
   OR (grain = 'week' AND period_start >= CAST(date_trunc('week', CAST($from_date AS DATE)) AS DATE));

INSERT INTO agg_growth_transitions
WITH bounds AS (
    SELECT CAST($from_date AS DATE) AS from_day,
           CAST(date_trunc('week', CAST($from_date AS DATE)) AS DATE) AS from_week,
           (SELECT max(activity_date) FROM agg_user_day) AS to_day
),
periods AS NOT MATERIALIZED (
    SELECT 'day' AS grain, 1 AS step, activity_date AS period_start, segment AS scope, user_id, platform_mask AS mask
    FROM agg_user_day
    WHERE activity_date >= (SELECT from_day - 1 FROM bounds) AND segment IS NOT NULL
    UNION ALL
    SELECT 'day', 1, activity_date, 'all', user_id, CAST(bit_or(platform_mask) AS UTINYINT)
    FROM agg_user_day
    WHERE activity_date >= (SELECT from_day - 1 FROM bounds)
    GROUP BY activity_date, user_id
    UNION ALL
    SELECT 'week', 7, week_start, segment, user_id, platform_mask
    FROM agg_user_week
    WHERE week_start >= (SELECT from_week - 7 FROM bounds) AND segment IS NOT NULL
    UNION ALL
    SELECT 'week', 7, week_start, 'all', user_id, CAST(bit_or(platform_mask) AS UTINYINT)
    FROM agg_user_week
    WHERE week_start >= (SELECT from_week - 7 FROM bounds)
    GROUP BY week_start, user_id
),
pairs AS (
    SELECT coalesce(n.grain, b.grain) AS grain,
           coalesce(n.period_start, b.period_start + b.step) AS period_start,
           coalesce(n.scope, b.scope) AS scope,
           coalesce(n.mask, 0) AS mask_now, coalesce(b.mask, 0) AS mask_before
    FROM periods AS n
    FULL JOIN periods AS b
      ON b.grain = n.grain AND b.scope = n.scope AND b.user_id = n.user_id AND b.period_start + b.step = n.period_start
)
SELECT grain, period_start, scope, mask_now, mask_before, count(*)
FROM pairs, bounds
WHERE period_start >= CASE grain WHEN 'day' THEN from_day ELSE from_week END
  AND period_start <= to_day
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5;
