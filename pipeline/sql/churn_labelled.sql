-- One row per (snapshot day, person) of churn_features whose label is known ($horizon days after it all in the
-- data): the features and churned.
SELECT f.*, l.churned
FROM churn_features AS f
JOIN churn_labels($horizon) AS l USING (snapshot_date, user_id)
ORDER BY f.snapshot_date, f.user_id;
