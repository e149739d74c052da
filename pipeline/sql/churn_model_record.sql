-- One row: a training run of the churn model recorded, on the data version it saw.
INSERT INTO churn_models
SELECT $model_id, now()::TIMESTAMP,
       (SELECT coalesce(max(run_id) FILTER (WHERE coalesce(partitions, 0) > 0), 0) FROM etl_runs
        WHERE status = 'succeeded'),
       $horizon_days, CAST($train_days AS DATE[]), CAST($holdout_day AS DATE), $train_rows, $holdout_rows,
       $parameters, $metrics, $importances, $model_path, $seconds;
