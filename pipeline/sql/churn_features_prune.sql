-- One row per feature snapshot dropped: those of a day that was the latest when computed but is neither a Sunday
-- (the weekly grid of snapshot days) nor the latest any more.
DELETE FROM churn_features
WHERE isodow(snapshot_date) <> 7 AND snapshot_date < (SELECT max(snapshot_date) FROM churn_features);
