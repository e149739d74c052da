-- One row (NULLs when no snapshot is labelled): the latest snapshot day whose $horizon following days are all in the
-- data, and among its people who used a platform of $platform_mask in the 28 days (in $segment and $age_group, or
-- 'all'): how many, how many churned from every app, and how many from the selected platforms (churn_labels_on).
WITH latest AS (
    SELECT max(snapshot_date) AS snapshot_date
    FROM churn_features
    WHERE snapshot_date + CAST($horizon AS INTEGER) <= data_last_day()
)
SELECT (SELECT snapshot_date FROM latest) AS labelled_day,
       CAST(count(*) AS BIGINT) AS people,
       CAST(count(*) FILTER (WHERE churned) AS BIGINT) AS churned,
       CAST(count(*) FILTER (WHERE churned_from_selected) AS BIGINT) AS churned_from_selected
FROM churn_labels_on($horizon, $platform_mask, (SELECT snapshot_date FROM latest))
WHERE ($segment = 'all' OR segment = $segment) AND ($age_group = 'all' OR age_group = $age_group);
