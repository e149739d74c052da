-- One row per home country: the users active on the platforms of $platform_mask between $start and $end (in
-- $segment, or 'all') with that home country in the user version in effect at their events (someone who moved,
-- even in the middle of a day, counts in both), and its ISO codes.
WITH people AS (
    SELECT DISTINCT user_country, user_id
    FROM agg_user_activity_daily
    WHERE activity_date BETWEEN $start AND $end AND (1 << (platform_key - 1)) & $platform_mask <> 0
      AND ($segment = 'all' OR segment = $segment)
)
SELECT p.user_country AS country_code, c.iso3, coalesce(c.country_name, p.user_country) AS country_name,
       c.region, CAST(count(*) AS BIGINT) AS users
FROM people AS p
LEFT JOIN dim_country AS c ON c.country_code = p.user_country
GROUP BY ALL
ORDER BY users DESC, country_code;
