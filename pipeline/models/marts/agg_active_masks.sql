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
--   A user in one segment on every day read has the same islands in that segment as in 'all': computed once.
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
    -- one row per user active since window_start: their segment when it was the same on every such day (their
    -- islands in that segment's scope are the ones of 'all', so they are computed once), else NULL
    one_segment AS (
        SELECT * FROM users_in_one_segment((SELECT window_start FROM bounds))
    ),
    -- 'all': one row per (user, platform bit, active day) since window_start (is_day_first: one row per user and day)
    all_bits AS NOT MATERIALIZED (
        SELECT d.user_id, CAST(b.bit AS UTINYINT) AS bit, d.activity_date
        FROM agg_user_day AS d, range(5) AS b(bit)
        WHERE d.activity_date >= (SELECT window_start FROM bounds) AND d.is_day_first
          AND (d.day_platform_mask >> b.bit) & 1 = 1
    ),
    -- the segments of users not in one segment throughout: one row per (segment, user, platform bit, active day)
    segment_bits AS NOT MATERIALIZED (
        SELECT d.segment AS scope, d.user_id, CAST(b.bit AS UTINYINT) AS bit, d.activity_date
        FROM agg_user_day AS d
        JOIN one_segment AS o ON o.user_id = d.user_id AND o.segment IS NULL
        CROSS JOIN range(5) AS b(bit)
        WHERE d.activity_date >= (SELECT window_start FROM bounds) AND d.segment IS NOT NULL
          AND (d.platform_mask >> b.bit) & 1 = 1
    ),
    all_kept AS (
        SELECT user_id, bit, max(activity_date) AS activity_date
        FROM all_bits
        WHERE activity_date < (SELECT from_date FROM bounds)
        GROUP BY user_id, bit
        UNION ALL
        SELECT * FROM all_bits WHERE activity_date >= (SELECT from_date FROM bounds)
    ),
    segment_kept AS (
        SELECT scope, user_id, bit, max(activity_date) AS activity_date
        FROM segment_bits
        WHERE activity_date < (SELECT from_date FROM bounds)
        GROUP BY scope, user_id, bit
        UNION ALL
        SELECT * FROM segment_bits WHERE activity_date >= (SELECT from_date FROM bounds)
    ),
    -- (windows partitioned without the scope where it is the same for all rows: sorting on a string costs)
    marked AS (
        SELECT 'all' AS scope, user_id, bit, activity_date,
               lag(activity_date) OVER by_platform AS prev_day,
               lead(activity_date) OVER by_platform AS next_day
        FROM all_kept
        WINDOW by_platform AS (PARTITION BY user_id, bit ORDER BY activity_date)
        UNION ALL
        SELECT scope, user_id, bit, activity_date,
               lag(activity_date) OVER by_platform AS prev_day,
               lead(activity_date) OVER by_platform AS next_day
        FROM segment_kept
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
    -- one row per stretch of days a user's mask stays the same; `also`: the segment a stretch of 'all' counts in too
    stretches AS (
        SELECT 'all' AS scope, o.segment AS also, p.window_days, p.day,
               sum(p.delta) OVER by_user AS mask,
               lead(p.day) OVER by_user AS until
        FROM per_user AS p
        JOIN one_segment AS o USING (user_id)
        WHERE p.scope = 'all'
        WINDOW by_user AS (PARTITION BY p.user_id, p.window_days ORDER BY p.day ROWS UNBOUNDED PRECEDING)
        UNION ALL
        SELECT scope, NULL, window_days, day,
               sum(delta) OVER by_user AS mask,
               lead(day) OVER by_user AS until
        FROM per_user
        WHERE scope <> 'all'
        WINDOW by_user AS (PARTITION BY scope, user_id, window_days ORDER BY day ROWS UNBOUNDED PRECEDING)
    ),
    counted AS (
        SELECT scope, window_days, mask, day, count(*) AS delta FROM stretches WHERE mask <> 0 GROUP BY ALL
        UNION ALL
        SELECT scope, window_days, mask, until, -count(*) FROM stretches WHERE mask <> 0 GROUP BY ALL
        UNION ALL
        SELECT also, window_days, mask, day, count(*) FROM stretches WHERE mask <> 0 AND also IS NOT NULL GROUP BY ALL
        UNION ALL
        SELECT also, window_days, mask, until, -count(*) FROM stretches WHERE mask <> 0 AND also IS NOT NULL
        GROUP BY ALL
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
        SELECT activity_date, 'all', CAST(day_platform_mask AS INTEGER)
        FROM agg_user_day
        WHERE activity_date >= (SELECT from_date FROM bounds) AND is_day_first
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
