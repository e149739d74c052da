-- One row per (day, user, segment, age group) with activity, for the days of the pass (pass_days), from
-- agg_user_activity_daily (a user whose segment or age group changed that day has a row per version).
-- day_platform_mask and is_day_first let "days active on these platforms, any segment" be counted without a
-- DISTINCT.
DELETE FROM agg_user_day WHERE activity_date IN (SELECT activity_date FROM pass_days);

INSERT INTO agg_user_day (activity_date, user_id, segment, platform_mask, user_country, events, sessions,
                          day_platform_mask, is_day_first, age_group)
WITH per_version AS (
    SELECT activity_date, user_id, segment, age_group,
           CAST(bit_or(CAST(1 AS UTINYINT) << (platform_key - 1)) AS UTINYINT) AS platform_mask,
           max(user_country) AS user_country,
           sum(event_count) AS events, sum(session_count) AS sessions
    FROM agg_user_activity_daily
    WHERE activity_date IN (SELECT activity_date FROM pass_days)
    GROUP BY activity_date, user_id, segment, age_group
)
SELECT activity_date, user_id, segment, platform_mask, user_country, events, sessions,
       CAST(bit_or(platform_mask) OVER same_day AS UTINYINT),
       row_number() OVER (same_day ORDER BY segment NULLS FIRST, age_group NULLS FIRST) = 1,
       age_group
FROM per_version
WINDOW same_day AS (PARTITION BY activity_date, user_id)
ORDER BY activity_date;
