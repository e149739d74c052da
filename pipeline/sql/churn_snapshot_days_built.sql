-- One row per snapshot day churn_features holds whole: every row with its platforms (a day from before the
-- platform_mask_28 column is computed again by the next refresh).
SELECT snapshot_date
FROM churn_features
GROUP BY snapshot_date
HAVING count(*) FILTER (WHERE platform_mask_28 IS NULL) = 0
ORDER BY snapshot_date;
