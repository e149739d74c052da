-- One row per (period, scope, mask now, mask the period before): how many users made that transition, from
-- $from_date on (from its ISO week for the weekly grain); a scope is 'all' or a segment (a user version with no
-- segment counts in 'all' only). A user active in neither period is not counted; one active in only one has 0 for
-- the other. A user in one segment on every day read has the same transitions there as in 'all': paired once.
DELETE FROM agg_growth_transitions
WHERE (grain = 'day' AND period_start >= CAST($from_date AS DATE))
   OR (grain = 'week' AND period_start >= CAST(date_trunc('week', CAST($from_date AS DATE)) AS DATE));

INSERT INTO agg_growth_transitions
WITH bounds AS (
    SELECT CAST($from_date AS DATE) AS from_day,
           CAST(date_trunc('week', CAST($from_date AS DATE)) AS DATE) AS from_week,
           (SELECT max(activity_date) FROM agg_user_day) AS to_day
),
-- one row per user active since the first period read: their segment when it was the same on every day read (their
-- transitions in that segment are the ones of 'all', so they are paired once), else NULL
one_segment AS (
    SELECT * FROM users_in_one_segment((SELECT from_week - 7 FROM bounds))
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
-- the segments of users not in one segment throughout: the same, per segment
segment_periods AS NOT MATERIALIZED (
    SELECT 1 AS step, d.activity_date AS period_start, d.segment AS scope, d.user_id, d.platform_mask AS mask
    FROM agg_user_day AS d
    JOIN one_segment AS o ON o.user_id = d.user_id AND o.segment IS NULL
    WHERE d.activity_date >= (SELECT from_day - 1 FROM bounds) AND d.segment IS NOT NULL
    UNION ALL
    SELECT 7, w.week_start, w.segment, w.user_id, w.platform_mask
    FROM agg_user_week AS w
    JOIN one_segment AS o ON o.user_id = w.user_id AND o.segment IS NULL
    WHERE w.week_start >= (SELECT from_week - 7 FROM bounds) AND w.segment IS NOT NULL
),
all_pairs AS (
    SELECT coalesce(n.step, b.step) AS step, coalesce(n.period_start, b.period_start + b.step) AS period_start,
           coalesce(n.user_id, b.user_id) AS user_id, coalesce(n.mask, 0) AS mask_now,
           coalesce(b.mask, 0) AS mask_before
    FROM all_periods AS n
    FULL JOIN all_periods AS b ON b.user_id = n.user_id AND b.step = n.step AND b.period_start + b.step = n.period_start
),
-- one row per (period, mask now, mask before, segment or NULL) of 'all'; the segment is counted with its own too
all_counts AS (
    SELECT p.step, p.period_start, o.segment AS also, p.mask_now, p.mask_before, count(*) AS users
    FROM all_pairs AS p
    JOIN one_segment AS o USING (user_id)
    GROUP BY ALL
),
segment_pairs AS (
    SELECT coalesce(n.step, b.step) AS step, coalesce(n.period_start, b.period_start + b.step) AS period_start,
           coalesce(n.scope, b.scope) AS scope, coalesce(n.mask, 0) AS mask_now, coalesce(b.mask, 0) AS mask_before
    FROM segment_periods AS n
    FULL JOIN segment_periods AS b
      ON b.user_id = n.user_id AND b.scope = n.scope AND b.step = n.step AND b.period_start + b.step = n.period_start
),
counted AS (
    SELECT step, period_start, 'all' AS scope, mask_now, mask_before, users FROM all_counts
    UNION ALL
    SELECT step, period_start, also, mask_now, mask_before, users FROM all_counts WHERE also IS NOT NULL
    UNION ALL
    SELECT step, period_start, scope, mask_now, mask_before, 1 FROM segment_pairs
)
SELECT CASE step WHEN 1 THEN 'day' ELSE 'week' END AS grain, period_start, scope, mask_now, mask_before,
       CAST(sum(users) AS INTEGER)
FROM counted, bounds
WHERE period_start >= CASE step WHEN 1 THEN from_day ELSE from_week END
  AND period_start <= to_day
GROUP BY ALL
ORDER BY 1, 2, 3, 4, 5;
