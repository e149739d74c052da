-- One row per person scored (the registered frame churn_scored): the scores of the latest snapshot day replace
-- whatever was scored before (the table holds one day: the latest).
DELETE FROM churn_scores;

INSERT INTO churn_scores
SELECT CAST(snapshot_date AS DATE), user_id, model_id, score, risk_band, CAST(reasons AS VARCHAR[])
FROM churn_scored;
