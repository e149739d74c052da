-- One row per N in 1, 3, 7, 14, 30: of the users whose first active day ever on the platforms of $platform_mask is
-- known (first_activity, store/schema/metrics.sql; their segment and age group at that first event
-- $segment and $age_group, or 'all'), falls
-- between $start and $end and is at least N days before the last loaded day, how many were active there (in
-- $segment and $age_group) on exactly day N after it.
WITH firsts AS (
    SELECT * FROM first_activity($platform_mask)
),
cohort AS (
    SELECT user_id, first_day FROM firsts
    WHERE first_day BETWEEN $start AND $end AND ($segment = 'all' OR first_segment = $segment)
      AND ($age_group = 'all' OR first_age_group = $age_group)
),
offsets AS (
    SELECT unnest([1, 3, 7, 14, 30]) AS day_n
),
eligible AS (
    SELECT c.user_id, c.first_day + o.day_n AS target_day, o.day_n
    FROM cohort AS c, offsets AS o
    WHERE c.first_day + o.day_n <= (SELECT max(activity_date) FROM agg_user_day)
),
returned AS (
    SELECT e.day_n, count(DISTINCT e.user_id) AS users
    FROM eligible AS e
    JOIN agg_user_day AS d ON d.user_id = e.user_id AND d.activity_date = e.target_day
    WHERE d.activity_date BETWEEN CAST($start AS DATE) + 1 AND CAST($end AS DATE) + 30
      AND d.platform_mask & $platform_mask <> 0 AND ($segment = 'all' OR d.segment = $segment)
      AND ($age_group = 'all' OR d.age_group = $age_group)
    GROUP BY e.day_n
)
SELECT o.day_n, CAST(count(e.user_id) AS BIGINT) AS cohort_users,
       CAST(coalesce(any_value(r.users), 0) AS BIGINT) AS returned_users,
       coalesce(any_value(r.users), 0) / nullif(count(e.user_id), 0) AS retention
FROM offsets AS o
LEFT JOIN eligible AS e USING (day_n)
LEFT JOIN returned AS r USING (day_n)
GROUP BY o.day_n
ORDER BY o.day_n;
