-- One row per (value of $dimension, N in 1, 3, 7, 14, 30): N-day retention (retention_days.sql) of the new users
-- whose $dimension at their first activity on the platforms of $platform_mask was that value (age_group, country:
-- the user version in effect at that first event; missing: 'unknown'): cohort_users (old enough to have day N),
-- returned_users (active on exactly day N after it, on those platforms, in $segment and $age_group), retention.
WITH firsts AS (
    SELECT f.user_id, f.first_day, f.first_segment, f.first_age_group
    FROM first_activity($platform_mask) AS f
),
attributes AS (  -- the version in effect at each person's first event on those platforms
    SELECT p.user_id, arg_min(CASE $dimension WHEN 'age_group' THEN coalesce(u.age_group, 'unknown')
                                              ELSE coalesce(u.country, 'unknown') END, p.first_valid_from) AS value
    FROM agg_user_platform_first AS p
    JOIN dim_users AS u ON u.user_id = p.user_id AND u.valid_from = p.first_valid_from
    WHERE on_platforms(p.platform_key, $platform_mask)
    GROUP BY p.user_id
),
cohort AS (
    SELECT f.user_id, f.first_day, a.value
    FROM firsts AS f JOIN attributes AS a USING (user_id)
    WHERE f.first_day BETWEEN $start AND $end AND ($segment = 'all' OR f.first_segment = $segment)
      AND ($age_group = 'all' OR f.first_age_group = $age_group)
),
offsets AS (
    SELECT unnest([1, 3, 7, 14, 30]) AS day_n
),
eligible AS (
    SELECT c.user_id, c.value, c.first_day + o.day_n AS target_day, o.day_n
    FROM cohort AS c, offsets AS o
    WHERE c.first_day + o.day_n <= (SELECT max(activity_date) FROM agg_user_day)
),
returned AS (
    SELECT e.value, e.day_n, count(DISTINCT e.user_id) AS users
    FROM eligible AS e
    JOIN agg_user_day AS d ON d.user_id = e.user_id AND d.activity_date = e.target_day
    WHERE d.activity_date BETWEEN CAST($start AS DATE) + 1 AND CAST($end AS DATE) + 30
      AND d.platform_mask & $platform_mask <> 0 AND ($segment = 'all' OR d.segment = $segment)
      AND ($age_group = 'all' OR d.age_group = $age_group)
    GROUP BY ALL
),
sized AS (
    SELECT value, day_n, count(*) AS cohort_users FROM eligible GROUP BY ALL
)
SELECT v.value, o.day_n, CAST(coalesce(s.cohort_users, 0) AS BIGINT) AS cohort_users,
       CAST(coalesce(r.users, 0) AS BIGINT) AS returned_users,
       coalesce(r.users, 0) / nullif(s.cohort_users, 0) AS retention
FROM (SELECT DISTINCT value FROM cohort) AS v
CROSS JOIN offsets AS o
LEFT JOIN sized AS s USING (value, day_n)
LEFT JOIN returned AS r USING (value, day_n)
ORDER BY v.value, o.day_n;
