-- One row: how many feature snapshots churn_features holds for the snapshot days $days.
SELECT count(*) AS rows FROM churn_features WHERE snapshot_date IN (SELECT CAST(unnest($days) AS DATE));
