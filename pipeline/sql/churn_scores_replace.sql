-- One row per person scored (the registered frame churn_scored): the snapshot day's earlier scores replaced.
DELETE FROM churn_scores WHERE snapshot_date IN (SELECT DISTINCT snapshot_date FROM churn_scored);

INSERT INTO churn_scores
SELECT CAST(snapshot_date AS DATE), user_id, model_id, score, risk_band, CAST(reasons AS VARCHAR[])
FROM churn_scored;
