-- One row: the newest snapshot day whose $horizon-day label is known, and the latest model trained for that
-- horizon with the snapshot day it held out (NULLs when there is none).
SELECT (SELECT max(snapshot_date) FROM churn_labels($horizon)) AS newest_labelled,
       (SELECT max(holdout_day) FROM churn_models WHERE horizon_days = $horizon) AS last_holdout;
