-- One row: the earliest day whose activity this run changed (NULL when none), and the last day with activity.
SELECT min(activity_date), (SELECT max(activity_date) FROM agg_user_activity_daily) FROM affected_dates;
