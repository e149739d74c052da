-- Recompute agg_active_masks from $from_date to the last active day, for a short span (a few days): per day and
-- window, each user's platforms OR-ed over the window's days, then counted per mask. Gives the rows
-- agg_active_masks.sql gives; its cost grows with the days recomputed, so longer spans use that one.
DELETE FROM agg_active_masks WHERE activity_date >= CAST($from_date AS DATE);

INSERT INTO agg_active_masks
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
    SELECT day, window_days, scope, mask FROM per_segment
    UNION ALL
    SELECT day, window_days, 'all', bit_or(mask) FROM per_segment GROUP BY day, window_days, user_id
)
SELECT day, scope, window_days, mask, count(*)
FROM per_user
GROUP BY ALL
ORDER BY 1, 2, 3, 4;
