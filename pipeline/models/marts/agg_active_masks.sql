-- One row per (day, segment or 'all', age group or 'all', window, mask) from $from_date to the last active day: the
-- users whose platforms over the window ending that day are exactly that mask (a user version counts in the scopes
-- version_scopes gives it: its segment, its age group, the pair; one with neither known in ('all', 'all') only).
-- One file, two ways to compute the same rows ($recent chooses; the other statement is pruned before it runs):
-- - a few days ($recent): per day and window, each user's platforms OR-ed over the window's days, then counted per
--   mask (per scope only for users whose segment or age group changed in the days read; the others' counts in
--   'all' are their scopes' too). Its cost grows with the days recomputed.
-- - any span: per (scope, user, platform), "active on it in the last W days" holds on islands: an island starts on
--   an active day more than W days after the previous one, and ends W days after an active day followed by none
--   within W. Adding the platform's bit at island starts and subtracting it at island ends makes each user's
--   running sum their mask; each stretch of a non-zero mask then adds one user to that mask's count, day by day.
--   Only the last active day before $from_date can cover days from $from_date on, so earlier ones are not read.
--   A user in one segment on every day read has the same islands in that segment as in 'all' (likewise one age
--   group, and the pair when both stay): computed once, for 'all', and counted in those scopes too.
--   One day: the day's masks, counted directly.
DELETE FROM agg_active_masks WHERE activity_date >= CAST($from_date AS DATE);

INSERT INTO agg_active_masks (activity_date, segment, age_group, window_days, platform_mask, users)
SELECT * FROM (
    WITH days AS (
        SELECT CAST(g.day AS DATE) AS day
        FROM generate_series(CAST($from_date AS TIMESTAMP),
                             (SELECT CAST(max(activity_date) AS TIMESTAMP) FROM agg_user_day), INTERVAL 1 DAY) AS g(day)
    ),
    windows AS (
        SELECT * FROM (VALUES (1), (7), (30)) AS w(window_days)
    ),
    -- one row per user active in the days the windows reach: their segment and age group when the same on every
    -- such day (their masks in the scopes version_scopes gives them are their masks in 'all') and the kinds of
    -- scope computed from their rows instead (`kinds`)
    user_scopes AS (
        SELECT * FROM users_in_one_scope(CAST($from_date AS DATE) - 29)
    ),
    per_all AS (
        SELECT d.day, w.window_days, u.user_id, bit_or(u.day_platform_mask) AS mask
        FROM days AS d, windows AS w, agg_user_day AS u
        WHERE u.activity_date > d.day - w.window_days AND u.activity_date <= d.day AND u.is_day_first
        GROUP BY ALL
    ),
    all_counts AS (  -- per (day, window, mask, the user's constant segment and age group)
        SELECT p.day, p.window_days, p.mask, s.segment, s.age_group, count(*) AS users
        FROM per_all AS p JOIN user_scopes AS s USING (user_id)
        GROUP BY ALL
    ),
    changed_rows AS (  -- the rows of users who changed, once per scope of a kind they changed in
        SELECT d.activity_date, d.user_id, d.platform_mask,
               unnest(version_scopes(d.segment, d.age_group, s.kinds)) AS scope
        FROM agg_user_day AS d
        JOIN user_scopes AS s ON s.user_id = d.user_id AND s.kinds <> 0
        WHERE d.activity_date > CAST($from_date AS DATE) - 30
    ),
    per_scope AS (
        SELECT d.day, w.window_days, u.scope.segment AS segment, u.scope.age_group AS age_group, u.user_id,
               bit_or(u.platform_mask) AS mask
        FROM days AS d, windows AS w, changed_rows AS u
        WHERE u.activity_date > d.day - w.window_days AND u.activity_date <= d.day
        GROUP BY ALL
    ),
    counted AS (
        SELECT day, 'all' AS segment, 'all' AS age_group, window_days, mask, users FROM all_counts
        UNION ALL
        SELECT day, scope.segment, scope.age_group, window_days, mask, users
        FROM (SELECT day, window_days, mask, users, unnest(version_scopes(segment, age_group, 7)) AS scope
              FROM all_counts WHERE segment IS NOT NULL OR age_group IS NOT NULL)
        UNION ALL
        SELECT day, segment, age_group, window_days, mask, 1 FROM per_scope
    )
    SELECT day, segment, age_group, window_days, mask, CAST(sum(users) AS INTEGER)
    FROM counted
    GROUP BY ALL
) WHERE $recent
ORDER BY 1, 2, 3, 4, 5;

INSERT INTO agg_active_masks (activity_date, segment, age_group, window_days, platform_mask, users)
SELECT * FROM (
    WITH bounds AS (
        SELECT CAST($from_date AS DATE) AS from_date,
               CAST($from_date AS DATE) - 29 AS window_start,
               (SELECT max(activity_date) FROM agg_user_day) AS to_date
    ),
    windows AS (
        SELECT * FROM (VALUES (7), (30)) AS w(window_days)
    ),
    -- one row per user active since window_start: their segment and age group when the same on every such day
    -- (`segment`, `age_group`: the scopes version_scopes gives them have the islands of 'all') and the kinds of scope
    -- computed from their rows instead (`kinds`)
    user_scopes AS (
        SELECT * FROM users_in_one_scope((SELECT window_start FROM bounds))
    ),
    -- 'all': one row per (user, platform bit, active day) since window_start (is_day_first: one row per user and day)
    all_bits AS NOT MATERIALIZED (
        SELECT d.user_id, CAST(b.bit AS UTINYINT) AS bit, d.activity_date
        FROM agg_user_day AS d, range(5) AS b(bit)
        WHERE d.activity_date >= (SELECT window_start FROM bounds) AND d.is_day_first
          AND (d.day_platform_mask >> b.bit) & 1 = 1
    ),
    -- the scopes of the kinds a user changed in: one row per (scope, user, platform bit, active day); a day on which
    -- a user had two versions in one scope gives it twice (the islands are the same)
    scope_bits AS NOT MATERIALIZED (
        SELECT scope.segment AS segment, scope.age_group AS age_group, user_id, bit, activity_date
        FROM (
            SELECT unnest(version_scopes(d.segment, d.age_group, s.kinds)) AS scope, d.user_id,
                   CAST(b.bit AS UTINYINT) AS bit, d.activity_date
            FROM agg_user_day AS d
            JOIN user_scopes AS s ON s.user_id = d.user_id AND s.kinds <> 0
            CROSS JOIN range(5) AS b(bit)
            WHERE d.activity_date >= (SELECT window_start FROM bounds) AND (d.platform_mask >> b.bit) & 1 = 1
        )
    ),
    all_kept AS (
        SELECT user_id, bit, max(activity_date) AS activity_date
        FROM all_bits
        WHERE activity_date < (SELECT from_date FROM bounds)
        GROUP BY user_id, bit
        UNION ALL
        SELECT * FROM all_bits WHERE activity_date >= (SELECT from_date FROM bounds)
    ),
    scope_kept AS (
        SELECT segment, age_group, user_id, bit, max(activity_date) AS activity_date
        FROM scope_bits
        WHERE activity_date < (SELECT from_date FROM bounds)
        GROUP BY segment, age_group, user_id, bit
        UNION ALL
        SELECT * FROM scope_bits WHERE activity_date >= (SELECT from_date FROM bounds)
    ),
    -- (windows partitioned without the scope where it is the same for all rows: sorting on strings costs)
    marked AS (
        SELECT 'all' AS segment, 'all' AS age_group, user_id, bit, activity_date,
               lag(activity_date) OVER by_platform AS prev_day,
               lead(activity_date) OVER by_platform AS next_day
        FROM all_kept
        WINDOW by_platform AS (PARTITION BY user_id, bit ORDER BY activity_date)
        UNION ALL
        SELECT segment, age_group, user_id, bit, activity_date,
               lag(activity_date) OVER by_platform AS prev_day,
               lead(activity_date) OVER by_platform AS next_day
        FROM scope_kept
        WINDOW by_platform AS (PARTITION BY segment, age_group, user_id, bit ORDER BY activity_date)
    ),
    changes AS (
        SELECT m.segment, m.age_group, m.user_id, w.window_days, m.activity_date AS day,
               CAST(1 << m.bit AS INTEGER) AS delta
        FROM marked AS m, windows AS w
        WHERE m.prev_day IS NULL OR m.activity_date - m.prev_day > w.window_days
        UNION ALL
        SELECT m.segment, m.age_group, m.user_id, w.window_days, m.activity_date + w.window_days,
               -CAST(1 << m.bit AS INTEGER)
        FROM marked AS m, windows AS w
        WHERE m.next_day IS NULL OR m.next_day - m.activity_date > w.window_days
    ),
    per_user AS (
        SELECT segment, age_group, user_id, window_days, day, sum(delta) AS delta FROM changes GROUP BY ALL
    ),
    -- one row per stretch of days a user's mask stays the same; a stretch of 'all' counts in the scopes of the
    -- user's constant segment and age group too (`also_segment`, `also_age`)
    stretches AS (
        SELECT 'all' AS segment, 'all' AS age_group, s.segment AS also_segment, s.age_group AS also_age,
               p.window_days, p.day,
               sum(p.delta) OVER by_user AS mask,
               lead(p.day) OVER by_user AS until
        FROM per_user AS p
        JOIN user_scopes AS s USING (user_id)
        WHERE p.segment = 'all' AND p.age_group = 'all'
        WINDOW by_user AS (PARTITION BY p.user_id, p.window_days ORDER BY p.day ROWS UNBOUNDED PRECEDING)
        UNION ALL
        SELECT segment, age_group, NULL, NULL, window_days, day,
               sum(delta) OVER by_user AS mask,
               lead(day) OVER by_user AS until
        FROM per_user
        WHERE NOT (segment = 'all' AND age_group = 'all')
        WINDOW by_user AS (PARTITION BY segment, age_group, user_id, window_days ORDER BY day ROWS UNBOUNDED PRECEDING)
    ),
    counted AS (  -- stretches starting (+) and ending (-) per day, then each counted in its `also` scopes too
        SELECT segment, age_group, also_segment, also_age, window_days, mask, day, count(*) AS delta
        FROM stretches WHERE mask <> 0 GROUP BY ALL
        UNION ALL
        SELECT segment, age_group, also_segment, also_age, window_days, mask, until, -count(*)
        FROM stretches WHERE mask <> 0 GROUP BY ALL
    ),
    expanded AS (
        SELECT segment, age_group, window_days, mask, day, delta FROM counted
        UNION ALL
        SELECT scope.segment, scope.age_group, window_days, mask, day, delta
        FROM (SELECT window_days, mask, day, delta, unnest(version_scopes(also_segment, also_age, 7)) AS scope
              FROM counted
              WHERE also_segment IS NOT NULL OR also_age IS NOT NULL)
    ),
    daily AS (
        SELECT segment, age_group, window_days, mask, day, sum(delta) AS delta FROM expanded GROUP BY ALL
    ),
    spine AS (
        SELECT k.segment, k.age_group, k.window_days, k.mask, CAST(g.day AS DATE) AS day
        FROM (SELECT DISTINCT segment, age_group, window_days, mask FROM daily) AS k,
             bounds,
             generate_series(CAST(window_start AS TIMESTAMP), CAST(to_date AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
    ),
    -- one day: each user's mask that day, counted per version, then in the version's scopes; a user with two
    -- versions that day (a change: rare) counted per scope with their masks OR-ed
    two_versions AS (
        SELECT activity_date, user_id
        FROM agg_user_day
        WHERE activity_date >= (SELECT from_date FROM bounds) AND NOT is_day_first
        GROUP BY ALL
    ),
    one_version AS (
        SELECT d.activity_date AS day, d.segment, d.age_group, CAST(d.platform_mask AS INTEGER) AS mask,
               count(*) AS users
        FROM agg_user_day AS d
        ANTI JOIN two_versions AS t USING (activity_date, user_id)
        WHERE d.activity_date >= (SELECT from_date FROM bounds)
        GROUP BY ALL
    ),
    two_scoped AS (
        SELECT day, scope.segment AS segment, scope.age_group AS age_group, user_id,
               CAST(bit_or(platform_mask) AS INTEGER) AS mask
        FROM (SELECT d.activity_date AS day, d.user_id, d.platform_mask,
                     unnest(version_scopes(d.segment, d.age_group, 7)) AS scope
              FROM agg_user_day AS d
              SEMI JOIN two_versions AS t USING (activity_date, user_id))
        GROUP BY ALL
    ),
    today AS (
        SELECT day, scope.segment, scope.age_group, mask, users
        FROM (SELECT day, mask, users, unnest(version_scopes(segment, age_group, 7)) AS scope FROM one_version)
        UNION ALL
        SELECT day, segment, age_group, mask, 1 FROM two_scoped
        UNION ALL
        SELECT activity_date, 'all', 'all', CAST(day_platform_mask AS INTEGER), 1
        FROM agg_user_day
        WHERE activity_date >= (SELECT from_date FROM bounds) AND is_day_first
    ),
    running AS (
        SELECT s.day, s.segment, s.age_group, s.window_days, s.mask,
               sum(coalesce(d.delta, 0)) OVER (PARTITION BY s.segment, s.age_group, s.window_days, s.mask
                                               ORDER BY s.day ROWS UNBOUNDED PRECEDING) AS users
        FROM spine AS s
        LEFT JOIN daily AS d USING (segment, age_group, window_days, mask, day)
    )
    SELECT day, segment, age_group, 1, mask, sum(users) FROM today GROUP BY ALL
    UNION ALL
    SELECT day, segment, age_group, window_days, mask, users
    FROM running
    WHERE day >= (SELECT from_date FROM bounds) AND users > 0
) WHERE NOT $recent
ORDER BY 1, 2, 3, 4, 5;
