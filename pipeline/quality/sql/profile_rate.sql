-- One row: the share of the rows staged for $table_name that have $metric (NULL when nothing was staged).
WITH totals AS (
    SELECT sum(value) FILTER (WHERE metric = $metric) AS hits, sum(value) FILTER (WHERE metric = 'rows') AS total
    FROM stg_profile
    WHERE table_name = $table_name
)
SELECT hits / nullif(total, 0) AS observed, format('{:,} of {:,} rows', coalesce(hits, 0), coalesce(total, 0)) AS detail
FROM totals;
