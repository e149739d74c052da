-- One row per (day, segment or 'all', window, mask) from $from_date to the last active day: the users whose
-- platforms over the window ending that day are exactly that mask (a user version with no segment counts in 'all'
-- only). One file, two ways to compute the same rows
-- ($recent chooses; the other statement is pruned before it runs):
-- - a few days ($recent): per day and window, each user's platforms OR-ed over the window's days, then counted per
--   mask. Its cost grows with the days recomputed.
-- - any span: per (scope, user, platform), "active on it in the last W days" holds on islands: an island starts on
--   an active day more than W days after the previous one, and ends W days after an active day followed by none
--   within W. Adding the platform's bit at island starts and subtracting it at island ends makes each user's
--   running sum their mask; each stretch of a non-zero mask then adds one user to that mask's count, day by day.
--   Only the last active day before $from_date can cover days from $from_date on, so earlier ones are not read.
--   One day: the day's masks, counted directly.
DELETE FROM agg_active_masks WHERE activity_date >= CAST($from_date AS DATE);

INSERT INTO agg_active_masks
SELECT * FROM (
    WITH days AS (
        SELECT CAST(g.day AS DATE) AS day
        FROM generate_series(CAST($from_date AS TIMESTAMP),
                             (SELECT CAST(max(activity_date) AS TIMESTAMP) FROM agg_user_day), INTERVAL 1 DAY) AS g(day)
    ),
    windows AS (
        SELECT * FROM (VALUES (1), (7), (30)) AS w(window_days)
    ),
    per_segment AS (
        SELECT d.day, w.window_days, u.segment AS scope, u.user_id, bit_or(u.platform_mask) AS mask
        FROM days AS d, windows AS w, agg_user_day AS u
        WHERE u.activity_date > d.day - w.window_days AND u.activity_date <= d.day
        GROUP BY ALL
    ),
    per_user AS (
        SELECT day, window_days, scope, mask FROM per_segment WHERE scope IS NOT NULL
        UNION ALL
        SELECT day, window_days, 'all', bit_or(mask) FROM per_segment GROUP BY day, window_days, user_id
    )
    SELECT day, scope, window_days, mask, count(*)
    FROM per_user
    GROUP BY ALL
) WHERE $recent
ORDER BY 1, 2, 3, 4;

INSERT INTO agg_active_masks
SELECT * FROM (
    WITH bounds AS (
        SELECT CAST($from_date AS DATE) AS from_date,
               CAST($from_date AS DATE) - 29 AS window_start,
               (SELECT max(activity_date) FROM agg_user_day) AS to_date
    ),
    windows AS (
        SELECT * FROM (VALUES (7), (30)) AS w(window_days)
    ),
    -- one row per (scope, user, platform bit, active day) since window_start
    bits AS NOT MATERIALIZED (
        SELECT d.segment AS scope, d.user_id, b.bit, d.activity_date
        FROM agg_user_day AS d, range(5) AS b(bit)
        WHERE d.activity_date >= (SELECT window_start FROM bounds) AND (d.platform_mask >> b.bit) & 1 = 1
          AND d.segment IS NOT NULL
        UNION ALL
        SELECT DISTINCT 'all', d.user_id, b.bit, d.activity_date
        FROM agg_user_day AS d, range(5) AS b(bit)
        WHERE d.activity_date >= (SELECT window_start FROM bounds) AND (d.platform_mask >> b.bit) & 1 = 1
    ),
    kept AS (
        SELECT scope, user_id, bit, max(activity_date) AS activity_date
        FROM bits
        WHERE activity_date < (SELECT from_date FROM bounds)
        GROUP BY scope, user_id, bit
        UNION ALL
        SELECT * FROM bits WHERE activity_date >= (SELECT from_date FROM bounds)
    ),
    marked AS (
        SELECT scope, user_id, bit, activity_date,
               lag(activity_date) OVER by_platform AS prev_day,
               lead(activity_date) OVER by_platform AS next_day
        FROM kept
        WINDOW by_platform AS (PARTITION BY scope, user_id, bit ORDER BY activity_date)
    ),
    changes AS (
        SELECT m.scope, m.user_id, w.window_days, m.activity_date AS day, CAST(1 << m.bit AS INTEGER) AS delta
        FROM marked AS m, windows AS w
        WHERE m.prev_day IS NULL OR m.activity_date - m.prev_day > w.window_days
        UNION ALL
        SELECT m.scope, m.user_id, w.window_days, m.activity_date + w.window_days, -CAST(1 << m.bit AS INTEGER)
        FROM marked AS m, windows AS w
        WHERE m.next_day IS NULL OR m.next_day - m.activity_date > w.window_days
    ),
    per_user AS (
        SELECT scope, user_id, window_days, day, sum(delta) AS delta FROM changes GROUP BY ALL
    ),
    stretches AS (
        SELECT scope, window_days, day,
               sum(delta) OVER by_user AS mask,
               lead(day) OVER by_user AS until
        FROM per_user
        WINDOW by_user AS (PARTITION BY scope, user_id, window_days ORDER BY day ROWS UNBOUNDED PRECEDING)
    ),
    counted AS (
        SELECT scope, window_days, mask, day, count(*) AS delta FROM stretches WHERE mask <> 0 GROUP BY ALL
        UNION ALL
        SELECT scope, window_days, mask, until, -count(*) FROM stretches WHERE mask <> 0 GROUP BY ALL
    ),
    daily AS (
        SELECT scope, window_days, mask, day, sum(delta) AS delta FROM counted GROUP BY ALL
    ),
    spine AS (
        SELECT k.scope, k.window_days, k.mask, CAST(g.day AS DATE) AS day
        FROM (SELECT DISTINCT scope, window_days, mask FROM daily) AS k,
             bounds,
             generate_series(CAST(window_start AS TIMESTAMP), CAST(to_date AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
    ),
    -- one day: each user's mask that day, counted directly
    today AS (
        SELECT activity_date AS day, segment AS scope, CAST(platform_mask AS INTEGER) AS mask
        FROM agg_user_day
        WHERE activity_date >= (SELECT from_date FROM bounds) AND segment IS NOT NULL
        UNION ALL
        SELECT activity_date, 'all', CAST(bit_or(platform_mask) AS INTEGER)
        FROM agg_user_day
        WHERE activity_date >= (SELECT from_date FROM bounds)
        GROUP BY activity_date, user_id
    ),
    running AS (
        SELECT s.day, s.scope, s.window_days, s.mask,
               sum(coalesce(d.delta, 0)) OVER (PARTITION BY s.scope, s.window_days, s.mask ORDER BY s.day
                                               ROWS UNBOUNDED PRECEDING) AS users
        FROM spine AS s
        LEFT JOIN daily AS d USING (scope, window_days, mask, day)
    )
    SELECT day, scope, 1, mask, count(*) FROM today GROUP BY ALL
    UNION ALL
    SELECT day, scope, window_days, mask, users
    FROM running
    WHERE day >= (SELECT from_date FROM bounds) AND users > 0
) WHERE NOT $recent
ORDER BY 1, 2, 3, 4;
