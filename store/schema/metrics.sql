-- The served metrics, each defined once over the marts (docs/metrics.md): table macros the panel queries call
-- with the filters (analytics/sql), and the three named marts as views over the same macros with no filter.
-- `selected_mask`: the selected platforms' bits; `segment_filter`: a segment, or 'all'; `age_filter`: an age group,
-- or 'all' (a person counts in a segment or age group by the user version in effect at their events). Idempotent.

-- The first and last days with activity in the warehouse: the edges of the data.
CREATE OR REPLACE MACRO data_first_day() AS (SELECT min(activity_date) FROM agg_user_day);
CREATE OR REPLACE MACRO data_last_day() AS (SELECT max(activity_date) FROM agg_user_day);

-- One row per user whose first activity ever on the platforms of a mask is known: the day of it and the segment and
-- age group in effect at that first event. It is known when they signed up on or after the data's first day (the
-- data holds their whole history); for people who signed up before, or with no sign-up date, activity before the
-- data is unknown, so they are never new (docs/metrics.md#new-users).
CREATE OR REPLACE MACRO first_activity(selected_mask) AS TABLE
    SELECT user_id, min(first_date) AS first_day, arg_min(segment, first_valid_from) AS first_segment,
           arg_min(age_group, first_valid_from) AS first_age_group
    FROM agg_user_platform_first
    WHERE on_platforms(platform_key, selected_mask) AND signup_date >= data_first_day()
    GROUP BY user_id;

-- One row per user active on the platforms of a mask between two days (in a segment and age group, or 'all'): their
-- events.
CREATE OR REPLACE MACRO user_events(from_day, to_day, selected_mask, segment_filter, age_filter) AS TABLE
    SELECT user_id, sum(event_count) AS events
    FROM agg_user_activity_daily
    WHERE activity_date BETWEEN from_day AND to_day AND on_platforms(platform_key, selected_mask)
      AND (segment_filter = 'all' OR segment = segment_filter) AND (age_filter = 'all' OR age_group = age_filter)
    GROUP BY user_id;

-- One row per (mask of a list, day with activity): DAU, WAU (7 days ending that day) and MAU (30 days) of the users
-- active on the platforms of that mask; several masks at once (a platform each, on the platforms page).
CREATE OR REPLACE MACRO active_users_of(masks, segment_filter, age_filter, from_day, to_day) AS TABLE
    SELECT s.selected_mask, m.activity_date AS day,
           sum(m.users) FILTER (WHERE m.window_days = 1) AS dau,
           sum(m.users) FILTER (WHERE m.window_days = 7) AS wau,
           sum(m.users) FILTER (WHERE m.window_days = 30) AS mau
    FROM agg_active_masks AS m, (SELECT unnest(masks) AS selected_mask) AS s
    WHERE m.segment = segment_filter AND m.age_group = age_filter AND m.activity_date BETWEEN from_day AND to_day
      AND m.platform_mask & s.selected_mask <> 0
    GROUP BY s.selected_mask, m.activity_date;

-- One row per day with activity: DAU, WAU and MAU on the platforms of a mask.
CREATE OR REPLACE MACRO active_users(selected_mask, segment_filter, age_filter, from_day, to_day) AS TABLE
    SELECT day, dau, wau, mau FROM active_users_of([selected_mask], segment_filter, age_filter, from_day, to_day);

-- One row per (mask of a list, day with activity): events and sessions on the platforms of that mask.
CREATE OR REPLACE MACRO event_volume_of(masks, segment_filter, age_filter, from_day, to_day) AS TABLE
    SELECT s.selected_mask, v.activity_date AS day, sum(v.events) AS events, sum(v.sessions) AS sessions
    FROM agg_daily_volume AS v, (SELECT unnest(masks) AS selected_mask) AS s
    WHERE v.activity_date BETWEEN from_day AND to_day AND on_platforms(v.platform_key, s.selected_mask)
      AND (segment_filter = 'all' OR v.segment = segment_filter) AND (age_filter = 'all' OR v.age_group = age_filter)
    GROUP BY s.selected_mask, v.activity_date;

-- One row per day with activity: events and sessions on the platforms of a mask.
CREATE OR REPLACE MACRO event_volume(selected_mask, segment_filter, age_filter, from_day, to_day) AS TABLE
    SELECT day, events, sessions FROM event_volume_of([selected_mask], segment_filter, age_filter, from_day, to_day);

-- One row per day with newcomers: people whose first activity ever on the platforms of a mask was that day (their
-- segment and age group then the ones filtered, or 'all').
CREATE OR REPLACE MACRO new_users(selected_mask, segment_filter, age_filter, from_day, to_day) AS TABLE
    SELECT first_day AS day, count(*) AS new_users
    FROM first_activity(selected_mask)
    WHERE first_day BETWEEN from_day AND to_day AND (segment_filter = 'all' OR first_segment = segment_filter)
      AND (age_filter = 'all' OR first_age_group = age_filter)
    GROUP BY first_day;

-- One row per day from from_day to to_day: DAU, WAU, MAU, stickiness (DAU / MAU; NULL when MAU is 0), events,
-- sessions and new users on the platforms of a mask.
CREATE OR REPLACE MACRO daily_activity(selected_mask, segment_filter, age_filter, from_day, to_day) AS TABLE
    WITH days AS (
        SELECT CAST(g.day AS DATE) AS day
        FROM generate_series(CAST(from_day AS TIMESTAMP), CAST(to_day AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
    )
    SELECT d.day, CAST(coalesce(a.dau, 0) AS BIGINT) AS dau, CAST(coalesce(a.wau, 0) AS BIGINT) AS wau,
           CAST(coalesce(a.mau, 0) AS BIGINT) AS mau,
           CASE WHEN a.mau > 0 THEN coalesce(a.dau, 0) / a.mau END AS stickiness,
           CAST(coalesce(v.events, 0) AS BIGINT) AS events, CAST(coalesce(v.sessions, 0) AS BIGINT) AS sessions,
           CAST(coalesce(n.new_users, 0) AS BIGINT) AS new_users
    FROM days AS d
    LEFT JOIN active_users(selected_mask, segment_filter, age_filter, from_day, to_day) AS a USING (day)
    LEFT JOIN event_volume(selected_mask, segment_filter, age_filter, from_day, to_day) AS v USING (day)
    LEFT JOIN new_users(selected_mask, segment_filter, age_filter, from_day, to_day) AS n USING (day);

-- One row per (cohort week, period): a cohort is the users whose first activity ever on the platforms of a mask
-- (first_activity: known, their segment and age group then the ones filtered, or 'all') falls from from_day to
-- to_day, grouped by its week; period N counts those active there (in the segment and age group) in the N-th week
-- after it. Periods run to the last
-- loaded week; is_complete says that week is fully loaded, is_cohort_complete that the cohort's own week lies inside
-- both the data and the range (a week reaching before either misses the people who joined before it starts, one
-- past either is cut or still filling).
CREATE OR REPLACE MACRO retention_cohorts(selected_mask, segment_filter, age_filter, from_day, to_day) AS TABLE
    WITH edges AS (
        SELECT data_first_day() AS first_day, data_last_day() AS last_day
    ),
    cohorts AS (
        SELECT user_id, CAST(date_trunc('week', first_day) AS DATE) AS cohort_week
        FROM first_activity(selected_mask)
        WHERE (segment_filter = 'all' OR first_segment = segment_filter)
          AND (age_filter = 'all' OR first_age_group = age_filter)
          AND first_day BETWEEN CAST(from_day AS DATE) AND CAST(to_day AS DATE)
    ),
    sizes AS (
        SELECT cohort_week, count(*) AS cohort_size FROM cohorts GROUP BY cohort_week
    ),
    weeks AS (
        SELECT DISTINCT user_id, week_start
        FROM agg_user_week
        WHERE platform_mask & selected_mask <> 0 AND (segment_filter = 'all' OR segment = segment_filter)
          AND (age_filter = 'all' OR age_group = age_filter)
          AND user_id IN (SELECT user_id FROM cohorts)
    ),
    active AS (
        SELECT c.cohort_week, CAST((w.week_start - c.cohort_week) / 7 AS INTEGER) AS period, count(*) AS users
        FROM weeks AS w JOIN cohorts AS c USING (user_id)
        WHERE w.week_start >= c.cohort_week
        GROUP BY ALL
    ),
    grid AS (
        SELECT s.cohort_week, s.cohort_size, CAST(g.period AS INTEGER) AS period
        FROM sizes AS s, edges,
             generate_series(0, CAST((CAST(date_trunc('week', edges.last_day) AS DATE) - s.cohort_week) / 7 AS BIGINT))
                 AS g(period)
    )
    SELECT g.cohort_week, g.period, CAST(g.cohort_size AS BIGINT) AS cohort_size,
           CAST(coalesce(a.users, 0) AS BIGINT) AS active_users, coalesce(a.users, 0) / g.cohort_size AS retention,
           g.cohort_week + 7 * g.period + 6 <= edges.last_day AS is_complete,
           g.cohort_week >= greatest(edges.first_day, CAST(from_day AS DATE))
               AND g.cohort_week + 6 <= least(edges.last_day, CAST(to_day AS DATE)) AS is_cohort_complete
    FROM grid AS g
    CROSS JOIN edges
    LEFT JOIN active AS a USING (cohort_week, period);

-- A user's engagement score over a span of `days` days (0..100): 60 x the share of the days they were active +
-- 40 x min(1, ln(1 + events per 28 days) / ln(501)).
CREATE OR REPLACE MACRO engagement_score(active_days, events, days) AS
    60.0 * active_days / days + 40.0 * least(1.0, ln(1 + events * 28.0 / days) / ln(501));

-- The named marts, as views over the definitions above (no filter: every platform, every segment) ------------------

-- One row per (day, platform or 'all') from `from_day` to `to_day`: 'all' counts a person once across the apps.
CREATE OR REPLACE MACRO daily_metrics(from_day, to_day) AS TABLE
WITH scopes AS (
    SELECT platform_name AS platform, CAST(1 << (platform_key - 1) AS INTEGER) AS bits FROM dim_platform
    UNION ALL
    SELECT 'all', CAST(bit_or(1 << (platform_key - 1)) AS INTEGER) FROM dim_platform
)
SELECT m.day AS metric_date, s.platform, m.dau, m.wau, m.mau, m.stickiness, m.events, m.sessions, m.new_users
FROM scopes AS s, LATERAL daily_activity(s.bits, 'all', 'all', from_day, to_day) AS m;

-- One row per (day, platform or 'all') from the first to the last day with activity.
CREATE OR REPLACE VIEW agg_daily_metrics AS
WITH span AS (
    SELECT data_first_day() AS first_day, data_last_day() AS last_day
)
SELECT m.* FROM span, LATERAL daily_metrics(span.first_day, span.last_day) AS m;

-- One row per (cohort week, period) over every cohort: cohort = the ISO week of a user's first activity anywhere.
CREATE OR REPLACE VIEW agg_retention_cohorts AS
SELECT *
FROM retention_cohorts((SELECT CAST(bit_or(1 << (platform_key - 1)) AS INTEGER) FROM dim_platform), 'all', 'all',
                       data_first_day(), data_last_day());

-- One row per user active in the 28 days ending on `last_day`: active days (counted once per day: is_day_first
-- marks one row per user and day) and events over them, and the engagement score they give. Reads those 28 days only.
CREATE OR REPLACE MACRO engagement_l28(last_day) AS TABLE
SELECT user_id,
       count(*) FILTER (WHERE is_day_first) AS active_days_l28,
       sum(events) AS events_l28,
       round(engagement_score(count(*) FILTER (WHERE is_day_first), sum(events), 28), 2) AS engagement_score
FROM agg_user_day
WHERE activity_date > last_day - 28 AND activity_date <= last_day
GROUP BY user_id;

-- One row per user ever active: lifetime figures, and the last 28 days' ending on the last loaded day with the
-- engagement score over them (engagement_l28; 0 for a user not active in them).
CREATE OR REPLACE VIEW agg_user_engagement AS
WITH lifetime AS (
    SELECT user_id,
           min(activity_date) AS first_active_date,
           max(activity_date) AS last_active_date,
           count(*) FILTER (WHERE is_day_first) AS active_days,
           sum(events) AS events,
           sum(sessions) AS sessions,
           bit_count(bit_or(platform_mask)) AS platforms_used
    FROM agg_user_day
    GROUP BY user_id
)
SELECT l.user_id, l.first_active_date, l.last_active_date, l.active_days, l.events, l.sessions, l.platforms_used,
       coalesce(e.active_days_l28, 0) AS active_days_l28, coalesce(e.events_l28, 0) AS events_l28,
       coalesce(e.engagement_score, round(engagement_score(0, 0, 28), 2)) AS engagement_score
FROM lifetime AS l
LEFT JOIN engagement_l28(data_last_day()) AS e USING (user_id);
