-- One row per (breakdown value, step) of a funnel with options: the people who reached step k of the event types
-- $steps (their funnel_step keys, in order: 2 to 6) between $start and $end on the platforms of $platform_mask (in
-- $segment and $age_group, or 'all'), within $window_seconds of their entry (NULL: anywhere in the range), and how
-- long they took from the step before (microseconds: median and the 10th, 25th, 75th and 90th percentiles; none for
-- step 1). A person enters at their earliest step-1 event; step k is their earliest step-k event strictly after step
-- k-1 and at most $window_seconds after the entry. The value is that of $breakdown ('none', 'platform', 'segment',
-- 'age_group', 'country' or 'device') at the entry event ('unknown' when missing; of simultaneous entry events the
-- smallest); beyond the $top_values values with most people entering (NULL: no limit) the rest are 'Other'.
WITH events AS NOT MATERIALIZED (  -- read once per step: stored by day and step, the others are skipped
    SELECT user_id, step, event_ts, platform_key, segment, user_key, device
    FROM fct_funnel_events
    WHERE date_key BETWEEN date_key_of(CAST($start AS DATE)) AND date_key_of(CAST($end AS DATE))
      AND on_platforms(platform_key, $platform_mask)
      AND ($segment = 'all' OR segment = $segment) AND ($age_group = 'all' OR age_group = $age_group)
),
firsts AS (  -- with a breakdown by platform or device: each person's earliest step-1 event per platform or device
    SELECT user_id, CASE WHEN $breakdown = 'platform' THEN platform_key END AS platform_key,
           CASE WHEN $breakdown = 'device' THEN coalesce(device, 'unknown') END AS device, min(event_ts) AS first_at
    FROM events
    WHERE step = $steps[1] AND $breakdown IN ('platform', 'device')
    GROUP BY ALL
),
step_1 AS (  -- the entry: each person's earliest step-1 event, and the breakdown's value at it (one branch runs)
    SELECT user_id, min(event_ts) AS reached_at, min(event_ts) AS entered_at, CAST(NULL AS TIMESTAMP) AS previous_at,
           'all' AS value
    FROM events
    WHERE step = $steps[1] AND $breakdown = 'none'
    GROUP BY user_id
    UNION ALL  -- the user version's attribute: all step-1 events at the entry's time share that version
    SELECT e.user_id, e.reached_at, e.reached_at, NULL,
           coalesce(CASE $breakdown WHEN 'segment' THEN u.segment WHEN 'age_group' THEN u.age_group
                                    WHEN 'country' THEN u.country END, 'unknown')
    FROM (SELECT user_id, min(event_ts) AS reached_at, arg_min(user_key, event_ts) AS user_key
          FROM events
          WHERE step = $steps[1] AND $breakdown IN ('segment', 'age_group', 'country')
          GROUP BY user_id) AS e
    LEFT JOIN dim_users AS u USING (user_key)
    UNION ALL  -- the event's platform or device: of simultaneous entry events, the smallest by name
    SELECT user_id, min(first_at), min(first_at), NULL, min({'at': first_at, 'value': value}).value
    FROM (SELECT f.user_id, coalesce(p.platform_name, f.device) AS value, min(f.first_at) AS first_at
          FROM firsts AS f LEFT JOIN dim_platform AS p USING (platform_key)
          GROUP BY ALL)
    GROUP BY user_id
),
step_2 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.entered_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_1 AS p USING (user_id)
    WHERE e.step = $steps[2] AND e.event_ts > p.reached_at
      AND ($window_seconds IS NULL OR e.event_ts <= p.entered_at + to_seconds($window_seconds))
    GROUP BY e.user_id, p.entered_at, p.reached_at
),
step_3 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.entered_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_2 AS p USING (user_id)
    WHERE e.step = $steps[3] AND e.event_ts > p.reached_at
      AND ($window_seconds IS NULL OR e.event_ts <= p.entered_at + to_seconds($window_seconds))
    GROUP BY e.user_id, p.entered_at, p.reached_at
),
step_4 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.entered_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_3 AS p USING (user_id)
    WHERE e.step = $steps[4] AND e.event_ts > p.reached_at
      AND ($window_seconds IS NULL OR e.event_ts <= p.entered_at + to_seconds($window_seconds))
    GROUP BY e.user_id, p.entered_at, p.reached_at
),
step_5 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.entered_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_4 AS p USING (user_id)
    WHERE e.step = $steps[5] AND e.event_ts > p.reached_at
      AND ($window_seconds IS NULL OR e.event_ts <= p.entered_at + to_seconds($window_seconds))
    GROUP BY e.user_id, p.entered_at, p.reached_at
),
step_6 AS (
    SELECT e.user_id, min(e.event_ts) AS reached_at, p.entered_at, p.reached_at AS previous_at
    FROM events AS e JOIN step_5 AS p USING (user_id)
    WHERE e.step = $steps[6] AND e.event_ts > p.reached_at
      AND ($window_seconds IS NULL OR e.event_ts <= p.entered_at + to_seconds($window_seconds))
    GROUP BY e.user_id, p.entered_at, p.reached_at
),
reached AS (  -- (step, person, microseconds from the step before); a step past len($steps) matches no event
    SELECT 1 AS step, user_id, CAST(NULL AS BIGINT) AS micros FROM step_1
    UNION ALL SELECT 2, user_id, date_diff('microsecond', previous_at, reached_at) FROM step_2
    UNION ALL SELECT 3, user_id, date_diff('microsecond', previous_at, reached_at) FROM step_3
    UNION ALL SELECT 4, user_id, date_diff('microsecond', previous_at, reached_at) FROM step_4
    UNION ALL SELECT 5, user_id, date_diff('microsecond', previous_at, reached_at) FROM step_5
    UNION ALL SELECT 6, user_id, date_diff('microsecond', previous_at, reached_at) FROM step_6
),
ranked AS (  -- each value by the people entering with it (most first, then by name)
    SELECT value, row_number() OVER (ORDER BY count(*) DESC, value) AS value_rank, count(*) OVER () AS values_seen
    FROM step_1
    GROUP BY value
),
grouped AS (  -- each value kept, or 'Other' beyond the top ones (only when that leaves out two or more)
    SELECT v.user_id,
           CASE WHEN $top_values IS NOT NULL AND r.values_seen > $top_values + 1 AND r.value_rank > $top_values
                THEN 'Other' ELSE v.value END AS value,
           CASE WHEN $top_values IS NOT NULL AND r.values_seen > $top_values + 1 AND r.value_rank > $top_values
                THEN $top_values + 1 ELSE r.value_rank END AS value_rank
    FROM step_1 AS v JOIN ranked AS r USING (value)
),
per_step AS (
    SELECT g.value, g.value_rank, r.step, count(*) AS users,
           quantile_cont(r.micros, [0.1, 0.25, 0.5, 0.75, 0.9]) AS q
    FROM reached AS r
    JOIN grouped AS g USING (user_id)
    GROUP BY ALL
),
grid AS (  -- every value with entries (without a breakdown: 'all', even with none), at every chosen step
    SELECT v.value, v.value_rank, k.step
    FROM (SELECT value, value_rank FROM per_step UNION SELECT 'all', 1 WHERE $breakdown = 'none') AS v
    CROSS JOIN (SELECT unnest(range(1, len($steps) + 1)) AS step) AS k
)
SELECT g.value, g.step, t.event_type, CAST(coalesce(s.users, 0) AS BIGINT) AS users,
       s.q[3] / 1e6 AS median_seconds, s.q[1] / 1e6 AS p10_seconds, s.q[2] / 1e6 AS p25_seconds,
       s.q[4] / 1e6 AS p75_seconds, s.q[5] / 1e6 AS p90_seconds
FROM grid AS g
JOIN dim_event_type AS t ON t.funnel_step = $steps[g.step]
LEFT JOIN per_step AS s USING (value, step)
ORDER BY g.value_rank, g.step;
