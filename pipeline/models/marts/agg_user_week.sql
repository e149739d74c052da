-- One row per (ISO week, user, segment, age group) with activity: the platforms, for the weeks holding days this run
-- changed.
DELETE FROM agg_user_week
WHERE week_start IN (SELECT DISTINCT CAST(date_trunc('week', activity_date) AS DATE) FROM affected_dates);

INSERT INTO agg_user_week (week_start, user_id, segment, age_group, platform_mask)
SELECT CAST(date_trunc('week', activity_date) AS DATE) AS week_start, user_id, segment, age_group,
       CAST(bit_or(platform_mask) AS UTINYINT)
FROM agg_user_day
WHERE CAST(date_trunc('week', activity_date) AS DATE) IN
      (SELECT DISTINCT CAST(date_trunc('week', activity_date) AS DATE) FROM affected_dates)
GROUP BY ALL
ORDER BY week_start;
