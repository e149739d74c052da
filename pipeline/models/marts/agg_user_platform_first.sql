-- One row per (user, platform) ever active: the first day active there and the segment then (rebuilt).
DELETE FROM agg_user_platform_first;

INSERT INTO agg_user_platform_first
SELECT user_id, platform_key, min(activity_date), arg_min(segment, activity_date)
FROM agg_user_activity_daily
GROUP BY user_id, platform_key;
