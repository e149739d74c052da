-- One row per funnel step (view, like, comment, share, create): the users who reached it between $start and $end
-- on the platforms of $platform_mask (in $segment, or 'all'). A step counts when it happens after the user's
-- previous step: each step's time is the first event of that type after the previous step's time.
WITH events AS NOT MATERIALIZED (  -- read once per step: stored by day and step, the others are skipped
    SELECT user_id, step, event_ts
    FROM fct_funnel_events
    WHERE date_key BETWEEN date_key_of(CAST($start AS DATE)) AND date_key_of(CAST($end AS DATE))
      AND on_platforms(platform_key, $platform_mask)
      AND ($segment = 'all' OR segment = $segment)
),
step_1 AS (
    SELECT user_id, min(event_ts) AS reached_at FROM events WHERE step = 1 GROUP BY user_id
),
step_2 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at
    FROM events AS e JOIN step_1 AS p USING (user_id)
    WHERE e.step = 2 AND e.event_ts > p.reached_at
    GROUP BY e.user_id
),
step_3 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at
    FROM events AS e JOIN step_2 AS p USING (user_id)
    WHERE e.step = 3 AND e.event_ts > p.reached_at
    GROUP BY e.user_id
),
step_4 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at
    FROM events AS e JOIN step_3 AS p USING (user_id)
    WHERE e.step = 4 AND e.event_ts > p.reached_at
    GROUP BY e.user_id
),
step_5 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at
    FROM events AS e JOIN step_4 AS p USING (user_id)
    WHERE e.step = 5 AND e.event_ts > p.reached_at
    GROUP BY e.user_id
),
reached AS (
    SELECT 1 AS step, count(*) AS users FROM step_1
    UNION ALL SELECT 2, count(*) FROM step_2
    UNION ALL SELECT 3, count(*) FROM step_3
    UNION ALL SELECT 4, count(*) FROM step_4
    UNION ALL SELECT 5, count(*) FROM step_5
)
SELECT r.step, t.event_type, CAST(r.users AS BIGINT) AS users
FROM reached AS r
JOIN dim_event_type AS t ON t.funnel_step = r.step
ORDER BY r.step;
