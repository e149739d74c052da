-- One row (none before any training): the churn model whose scores are shown (the latest trained when nothing is
-- scored): when and on what it was trained, its parameters, its holdout metrics beside the recency-only
-- baseline's, and the features' mean absolute contributions (JSON texts).
SELECT model_id, trained_at, data_version, horizon_days, train_days, holdout_day, train_rows, holdout_rows,
       parameters, metrics, importances, seconds
FROM churn_models
WHERE model_id = coalesce((SELECT max(model_id) FROM churn_scores), (SELECT max(model_id) FROM churn_models));
