-- One row per day `pipeline dq` looks at: every day anything in the warehouse refers to (facts, calendar, manifest), so
-- a day missing from one of them is still checked.
CREATE OR REPLACE TEMP TABLE dq_scope AS
SELECT DISTINCT day FROM (
    SELECT date_of_key(date_key) AS day FROM (SELECT DISTINCT date_key FROM fct_events)
    UNION ALL
    SELECT full_date FROM dim_date
    UNION ALL
    SELECT partition_date FROM etl_manifest
);
