-- One row: the last day with published activity (NULL when none).
SELECT max(activity_date) FROM agg_user_activity_daily;
