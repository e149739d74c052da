-- One row per (snapshot day, person) of churn_features, with its label when known (churned: no activity in the
-- $horizon days after the snapshot day; NULL when those days are not all in the data yet).
SELECT f.*, l.churned
FROM churn_features AS f
LEFT JOIN churn_labels($horizon) AS l USING (snapshot_date, user_id)
ORDER BY f.snapshot_date, f.user_id;
