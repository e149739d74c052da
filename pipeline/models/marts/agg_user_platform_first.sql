-- One row per (user, platform) ever active: the first day active there, the segment and age group of the version in
-- effect at the first event there (of the versions active that day, the one valid from earliest), when that version
-- became valid, and the user's sign-up date (the earliest any of their versions gives). Updated from $from_date on,
-- at a cost that follows the days changed, not the history: a row whose first day is before $from_date stands
-- (nothing before that day changed, and a re-pointed day is an affected one); every other pair active from
-- $from_date on had no activity there before it, so its first day, segment, age group and version come from the
-- activity since. Sign-up dates of the users whose versions this run touched are refreshed.
DELETE FROM agg_user_platform_first WHERE first_date >= CAST($from_date AS DATE);

INSERT INTO agg_user_platform_first (user_id, platform_key, first_date, segment, age_group, first_valid_from,
                                     signup_date)
WITH recent AS (
    SELECT a.user_id, a.platform_key, a.activity_date, a.segment, a.age_group, a.user_key
    FROM agg_user_activity_daily AS a
    ANTI JOIN agg_user_platform_first AS f ON f.user_id = a.user_id AND f.platform_key = a.platform_key
    WHERE a.activity_date >= CAST($from_date AS DATE)
),
signups AS (
    SELECT user_id, min(signup_date) AS signup_date
    FROM dim_users
    WHERE user_id IN (SELECT user_id FROM recent)
    GROUP BY user_id
)
SELECT a.user_id, a.platform_key, min(a.activity_date), arg_min(a.segment, u.valid_from),
       arg_min(a.age_group, u.valid_from), min(u.valid_from),
       any_value(s.signup_date)
FROM recent AS a
JOIN dim_users AS u USING (user_key)
LEFT JOIN signups AS s ON s.user_id = a.user_id
GROUP BY a.user_id, a.platform_key;

UPDATE agg_user_platform_first AS f
SET signup_date = s.signup_date
FROM (SELECT user_id, min(signup_date) AS signup_date
      FROM dim_users
      WHERE user_id IN (SELECT user_id FROM dim_users_touched)
      GROUP BY user_id) AS s
WHERE f.user_id = s.user_id AND f.signup_date IS DISTINCT FROM s.signup_date;
