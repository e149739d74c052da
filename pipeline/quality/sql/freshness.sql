-- One row: how many days the newest loaded event partition is behind $expected_date (today minus the allowed lag).
SELECT greatest(0, CAST($expected_date AS DATE) - max(partition_date)) AS observed,
       'newest partition ' || coalesce(CAST(max(partition_date) AS VARCHAR), 'none') || ', expected '
           || CAST($expected_date AS DATE) AS detail
FROM etl_manifest
WHERE kind = 'events';
