-- One row per combination of the selected platforms (a mask within $platform_mask): how many users were active on
-- exactly those of the selected platforms between $start and $end (in $segment and $age_group, or 'all').
WITH per_user AS (
    SELECT user_id, bit_or(platform_mask) & $platform_mask AS mask
    FROM agg_user_day
    WHERE activity_date BETWEEN $start AND $end AND ($segment = 'all' OR segment = $segment)
      AND ($age_group = 'all' OR age_group = $age_group)
    GROUP BY user_id
)
SELECT CAST(mask AS INTEGER) AS platform_mask, CAST(count(*) AS BIGINT) AS users
FROM per_user
WHERE mask <> 0
GROUP BY mask
ORDER BY mask;
