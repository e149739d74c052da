-- One row per kind of partition loaded: how many, first and last day, files and rows read from the lake.
SELECT kind, count(DISTINCT partition_date) AS partitions, min(partition_date) AS first_day,
       max(partition_date) AS last_day, count(*) AS files, sum(row_count) AS rows_read
FROM etl_manifest
GROUP BY kind
ORDER BY kind;
