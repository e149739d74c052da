-- One row: a training run of the churn model recorded, on the data version it saw.
INSERT INTO churn_models
SELECT $model_id, now()::TIMESTAMP, data_version(), $horizon_days, CAST($train_days AS DATE[]),
       CAST($holdout_day AS DATE), $train_rows, $holdout_rows, $parameters, $metrics, $importances, $model_path,
       $seconds;
