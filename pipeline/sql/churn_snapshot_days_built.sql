-- One row per snapshot day churn_features holds.
SELECT DISTINCT snapshot_date FROM churn_features ORDER BY snapshot_date;
