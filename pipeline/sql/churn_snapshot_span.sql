-- One row: the first and the last day with activity, between which churn snapshots can be taken.
SELECT data_first_day() AS first_day, data_last_day() AS last_day;
