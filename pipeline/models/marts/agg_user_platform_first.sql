-- One row per (user, platform) ever active: the first day active there, the segment of the version in effect at the
-- first event there (of the versions active that day, the one valid from earliest), when that version became valid,
-- and the user's sign-up date (the earliest any of their versions gives). Rebuilt.
DELETE FROM agg_user_platform_first;

INSERT INTO agg_user_platform_first (user_id, platform_key, first_date, segment, first_valid_from, signup_date)
WITH signups AS (
    SELECT user_id, min(signup_date) AS signup_date FROM dim_users GROUP BY user_id
)
SELECT a.user_id, a.platform_key, min(a.activity_date), arg_min(a.segment, u.valid_from), min(u.valid_from),
       any_value(s.signup_date)
FROM agg_user_activity_daily AS a
JOIN dim_users AS u USING (user_key)
LEFT JOIN signups AS s ON s.user_id = a.user_id
GROUP BY a.user_id, a.platform_key;
