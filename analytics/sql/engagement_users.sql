-- One row per (segment, 5-point bin of engagement score): how many users active on the platforms of $platform_mask
-- between $start and $end (in $segment and $age_group, or 'all') scored there: engagement_score
-- (store/schema/metrics.sql) of their active days and events over the range's $days days; their segment is the one
-- of the user version in effect at their last event in the range there (of their versions with activity, the one
-- valid from latest).
WITH days AS (  -- active days per person: one of the two branches runs (the other's WHERE is false)
    SELECT user_id, count(*) FILTER (WHERE is_day_first AND day_platform_mask & $platform_mask <> 0) AS active_days
    FROM agg_user_day
    WHERE $segment = 'all' AND $age_group = 'all'
      AND activity_date BETWEEN $start AND $end AND day_platform_mask & $platform_mask <> 0
    GROUP BY user_id
    UNION ALL  -- a population filter: a day may hold two of their versions in it (a birthday, a change of segment)
    SELECT user_id, count(*)
    FROM (SELECT user_id, activity_date
          FROM agg_user_day
          WHERE NOT ($segment = 'all' AND $age_group = 'all')
            AND activity_date BETWEEN $start AND $end AND platform_mask & $platform_mask <> 0
            AND ($segment = 'all' OR segment = $segment) AND ($age_group = 'all' OR age_group = $age_group)
          GROUP BY user_id, activity_date)
    GROUP BY user_id
),
per_version AS (  -- grouped by the integer key first: an array, not a hash table (perfect_ht_threshold)
    SELECT user_key, sum(event_count) AS events
    FROM agg_user_activity_daily
    WHERE activity_date BETWEEN $start AND $end AND on_platforms(platform_key, $platform_mask)
      AND ($segment = 'all' OR segment = $segment) AND ($age_group = 'all' OR age_group = $age_group)
    GROUP BY user_key
),
volume AS (
    SELECT u.user_id, sum(v.events) AS events, arg_max(v.user_key, u.valid_from) AS last_key
    FROM per_version AS v
    JOIN dim_users AS u USING (user_key)
    GROUP BY u.user_id
),
scored AS (
    SELECT u.segment, engagement_score(d.active_days, v.events, $days) AS score
    FROM days AS d
    JOIN volume AS v USING (user_id)
    JOIN dim_users AS u ON u.user_key = v.last_key  -- the version of their last event (an integer to group, not a name)
)
SELECT segment, CAST(least(floor(score / 5) * 5, 95) AS INTEGER) AS score_bin, CAST(count(*) AS BIGINT) AS users,
       list_avg(list(score ORDER BY score)) AS avg_score  -- summed in one order: the same digits every run
FROM scored
GROUP BY ALL
ORDER BY segment, score_bin;
