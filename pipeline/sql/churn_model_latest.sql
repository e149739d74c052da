-- One row: the churn model $model_id (NULL: the latest trained) and where it is saved; none when there is none.
SELECT model_id, model_path
FROM churn_models
WHERE $model_id IS NULL OR model_id = $model_id
ORDER BY model_id DESC
LIMIT 1;
