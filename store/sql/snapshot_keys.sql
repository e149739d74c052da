-- One row: what the groups of snapshot tables (store/snapshot.py) hold, as keys that change whenever their content
-- does. data: the data version (every mart and dimension is rebuilt only by a run that publishes partitions); churn:
-- the latest model, and the snapshot days and people of the features and scores (a refresh or `pipeline churn`).
SELECT data_version() AS data,
       concat_ws('/',
                 (SELECT coalesce(max(model_id), 0) FROM churn_models),
                 (SELECT count(*) || ':' || coalesce(max(snapshot_date)::VARCHAR, '') || ':' || coalesce(sum(model_id), 0)
                  FROM churn_scores),
                 (SELECT count(*) || ':' || coalesce(min(snapshot_date)::VARCHAR, '') || ':'
                         || coalesce(max(snapshot_date)::VARCHAR, '')
                  FROM churn_features)) AS churn,
       data_first_day() AS first_day,
       data_last_day() AS last_day;
