-- One row per person of the latest snapshot day in churn_features: their features, to be scored.
SELECT *
FROM churn_features
WHERE snapshot_date = (SELECT max(snapshot_date) FROM churn_features)
ORDER BY user_id;
