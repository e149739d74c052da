-- One row: what the churn page can show. The data's first and last day; the day scored (the latest snapshot in
-- churn_scores), how many people were scored and by which model; the latest model trained (NULL: none yet).
SELECT data_first_day() AS first_day, data_last_day() AS last_day,
       (SELECT max(snapshot_date) FROM churn_scores) AS scored_day,
       (SELECT count(*) FROM churn_scores) AS scored_people,
       (SELECT max(model_id) FROM churn_scores) AS scoring_model_id,
       (SELECT max(model_id) FROM churn_models) AS latest_model_id;
