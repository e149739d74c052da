-- One row per day a run's checks look at: the event partitions it replaced and every day whose activity it changed.
CREATE OR REPLACE TEMP TABLE dq_scope AS
SELECT DISTINCT day FROM (
    SELECT activity_date AS day FROM affected_dates
    UNION ALL
    SELECT partition_date FROM plan_partitions WHERE kind = 'events'
);
