-- One row per (snapshot day of $days, person active on any platform in the 28 days ending it): their features as
-- of the end of that day (docs/churn.md). Point in time: activity on days up to the snapshot day and user versions
-- valid from before it ended, nothing later. Replaces the rows of those snapshot days.
DELETE FROM churn_features WHERE snapshot_date IN (SELECT CAST(unnest($days) AS DATE));

INSERT INTO churn_features BY NAME
WITH snapshots AS (
    SELECT DISTINCT CAST(unnest($days) AS DATE) AS snapshot_date
),
-- activity per (snapshot, person): days, events, sessions and platforms over the 28 days and the last 7
activity AS (
    SELECT s.snapshot_date, d.user_id,
           s.snapshot_date - max(d.activity_date) AS recency_days,
           count(*) FILTER (WHERE d.is_day_first AND d.activity_date > s.snapshot_date - 7) AS active_days_7,
           count(*) FILTER (WHERE d.is_day_first) AS active_days_28,
           coalesce(sum(d.events) FILTER (WHERE d.activity_date > s.snapshot_date - 7), 0) AS events_7,
           sum(d.events) AS events_28,
           sum(d.sessions) AS sessions_28,
           coalesce(bit_count(bit_or(d.day_platform_mask) FILTER (WHERE d.activity_date > s.snapshot_date - 7)), 0)
               AS platforms_7,
           bit_count(bit_or(d.day_platform_mask)) AS platforms_28,
           bit_or(d.day_platform_mask) AS platform_mask_28
    FROM snapshots AS s
    JOIN agg_user_day AS d ON d.activity_date > s.snapshot_date - 28 AND d.activity_date <= s.snapshot_date
    GROUP BY s.snapshot_date, d.user_id
),
-- each person's events per platform over the 28 days: the one with most (ties: the lower platform key) and its share
platform_mix AS (
    SELECT snapshot_date, user_id, first(platform_key ORDER BY events DESC, platform_key) AS top_platform_key,
           max(events) / sum(events) AS top_platform_share
    FROM (
        SELECT s.snapshot_date, a.user_id, a.platform_key, sum(a.event_count) AS events
        FROM snapshots AS s
        JOIN agg_user_activity_daily AS a
          ON a.activity_date > s.snapshot_date - 28 AND a.activity_date <= s.snapshot_date
        GROUP BY ALL
    )
    GROUP BY snapshot_date, user_id
),
-- funnel events past a view (like, comment, share, create) over the 28 days
depth AS (
    SELECT s.snapshot_date, f.user_id, count(*) AS deep_events
    FROM snapshots AS s
    JOIN fct_funnel_events AS f
      ON f.date_key > date_key_of(s.snapshot_date - 28) AND f.date_key <= date_key_of(s.snapshot_date)
    WHERE f.step >= 2
    GROUP BY ALL
),
-- the device of most of their events over the 28 days (ties: the first by name)
devices AS (
    SELECT snapshot_date, user_id, first(device ORDER BY events DESC, device) AS device
    FROM (
        SELECT s.snapshot_date, e.user_id, e.device, count(*) AS events
        FROM snapshots AS s
        JOIN fct_events AS e
          ON e.date_key > date_key_of(s.snapshot_date - 28) AND e.date_key <= date_key_of(s.snapshot_date)
        WHERE e.device IS NOT NULL
        GROUP BY ALL
    )
    GROUP BY snapshot_date, user_id
),
-- the version of their attributes in effect at the end of the snapshot day, and how many began in the 28 days
firsts AS (
    SELECT user_id, min(valid_from) AS first_from FROM dim_users GROUP BY user_id
),
versions AS (
    SELECT s.snapshot_date, u.user_id,
           arg_max(u.user_key, u.valid_from) AS user_key,
           count(*) FILTER (WHERE u.valid_from >= CAST(s.snapshot_date - 27 AS TIMESTAMP)
                              AND u.valid_from > f.first_from) AS attribute_changes_28
    FROM snapshots AS s
    JOIN dim_users AS u ON u.valid_from < CAST(s.snapshot_date + 1 AS TIMESTAMP)
    JOIN firsts AS f USING (user_id)
    WHERE u.user_id IN (SELECT user_id FROM activity)
    GROUP BY s.snapshot_date, u.user_id
)
SELECT a.snapshot_date, a.user_id, CAST(a.recency_days AS INTEGER) AS recency_days,
       CAST(a.active_days_7 AS INTEGER) AS active_days_7, CAST(a.active_days_28 AS INTEGER) AS active_days_28,
       a.events_7, a.events_28,
       a.active_days_7 / 7 - (a.active_days_28 - a.active_days_7) / 21 AS activity_trend,
       a.events_7 / 7 - (a.events_28 - a.events_7) / 21 AS events_trend,
       a.sessions_28, a.events_28 / greatest(a.sessions_28, 1) AS events_per_session_28,
       CAST(a.platforms_7 AS INTEGER) AS platforms_7, CAST(a.platforms_28 AS INTEGER) AS platforms_28,
       p.platform_name AS top_platform, m.top_platform_share,
       coalesce(dp.deep_events, 0) / a.events_28 AS funnel_depth_28,
       CAST(a.snapshot_date - u.signup_date AS INTEGER) AS tenure_days,
       u.segment, u.age_group, u.country, dv.device,
       CAST(coalesce(v.attribute_changes_28, 0) AS INTEGER) AS attribute_changes_28,
       CAST(a.platform_mask_28 AS INTEGER) AS platform_mask_28
FROM activity AS a
JOIN platform_mix AS m USING (snapshot_date, user_id)
JOIN dim_platform AS p ON p.platform_key = m.top_platform_key
LEFT JOIN depth AS dp USING (snapshot_date, user_id)
LEFT JOIN devices AS dv USING (snapshot_date, user_id)
LEFT JOIN versions AS v USING (snapshot_date, user_id)
LEFT JOIN dim_users AS u ON u.user_key = v.user_key
ORDER BY a.snapshot_date, a.user_id;
