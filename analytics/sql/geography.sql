-- One row per home country: the users active on the platforms of $platform_mask between $start and $end (in $segment
-- and $age_group, or 'all') with that home country in the user version in effect at their events (someone who moved,
-- even in the middle of a day, counts in both), and its ISO codes.
WITH versions AS (  -- grouped, not DISTINCT: a grouping by the integer key uses an array (perfect_ht_threshold)
    SELECT user_key
    FROM agg_user_activity_daily
    WHERE activity_date BETWEEN $start AND $end AND on_platforms(platform_key, $platform_mask)
      AND ($segment = 'all' OR segment = $segment) AND ($age_group = 'all' OR age_group = $age_group)
    GROUP BY user_key
),
people AS (
    SELECT u.country AS user_country, u.user_id
    FROM versions AS v
    JOIN dim_users AS u USING (user_key)
    GROUP BY ALL
)
SELECT p.user_country AS country_code, c.iso3, coalesce(c.country_name, p.user_country) AS country_name,
       c.region, CAST(count(*) AS BIGINT) AS users
FROM people AS p
LEFT JOIN dim_country AS c ON c.country_code = p.user_country
GROUP BY ALL
ORDER BY users DESC, country_code;
