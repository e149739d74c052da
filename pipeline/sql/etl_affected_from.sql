-- One row: the earliest day whose activity this run changed (NULL when none).
SELECT min(activity_date) FROM affected_dates;
