-- One row per funnel step (view, like, comment, share, create): the users who reached it between $start and $end on
-- the platforms of $platform_mask (in $segment and $age_group, or 'all'), and how long they took from the step
-- before (microseconds: median and the 10th, 25th, 75th and 90th percentiles; none for the first step). A step
-- counts when it happens after the user's previous step: each step's time is the first event of that type after the
-- previous step's time. The funnel's default view; funnel_options.sql is the same with other steps, a conversion
-- window and a breakdown.
WITH events AS NOT MATERIALIZED (  -- read once per step: stored by day and step, the others are skipped
    SELECT user_id, step, event_ts
    FROM fct_funnel_events
    WHERE date_key BETWEEN date_key_of(CAST($start AS DATE)) AND date_key_of(CAST($end AS DATE))
      AND on_platforms(platform_key, $platform_mask)
      AND ($segment = 'all' OR segment = $segment) AND ($age_group = 'all' OR age_group = $age_group)
),
step_1 AS (
    SELECT user_id, min(event_ts) AS reached_at, CAST(NULL AS TIMESTAMP) AS previous_at
    FROM events WHERE step = 1 GROUP BY user_id
),
step_2 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_1 AS p USING (user_id)
    WHERE e.step = 2 AND e.event_ts > p.reached_at
    GROUP BY e.user_id, p.reached_at
),
step_3 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_2 AS p USING (user_id)
    WHERE e.step = 3 AND e.event_ts > p.reached_at
    GROUP BY e.user_id, p.reached_at
),
step_4 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_3 AS p USING (user_id)
    WHERE e.step = 4 AND e.event_ts > p.reached_at
    GROUP BY e.user_id, p.reached_at
),
step_5 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_4 AS p USING (user_id)
    WHERE e.step = 5 AND e.event_ts > p.reached_at
    GROUP BY e.user_id, p.reached_at
),
reached AS (  -- (step, microseconds from the step before) per person who reached it
    SELECT 1 AS step, CAST(NULL AS BIGINT) AS micros FROM step_1
    UNION ALL SELECT 2, date_diff('microsecond', previous_at, reached_at) FROM step_2
    UNION ALL SELECT 3, date_diff('microsecond', previous_at, reached_at) FROM step_3
    UNION ALL SELECT 4, date_diff('microsecond', previous_at, reached_at) FROM step_4
    UNION ALL SELECT 5, date_diff('microsecond', previous_at, reached_at) FROM step_5
),
per_step AS (
    SELECT step, count(*) AS users, quantile_cont(micros, [0.1, 0.25, 0.5, 0.75, 0.9]) AS q
    FROM reached
    GROUP BY step
)
SELECT CAST(t.funnel_step AS BIGINT) AS step, t.event_type, CAST(coalesce(s.users, 0) AS BIGINT) AS users,
       s.q[3] / 1e6 AS median_seconds, s.q[1] / 1e6 AS p10_seconds, s.q[2] / 1e6 AS p25_seconds,
       s.q[4] / 1e6 AS p75_seconds, s.q[5] / 1e6 AS p90_seconds
FROM dim_event_type AS t
LEFT JOIN per_step AS s ON s.step = t.funnel_step
WHERE t.funnel_step BETWEEN 1 AND 5
ORDER BY t.funnel_step;
