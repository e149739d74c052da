-- One row: of the event partitions in scope with at least 3 earlier ones, the row-count ratio to the median of
-- up to 14 partitions before it that is furthest from 1 (NULL when none has enough history).
WITH partitions AS (
    SELECT partition_date, sum(row_count) AS row_count
    FROM etl_manifest
    WHERE kind = 'events'
    GROUP BY partition_date
),
with_history AS (
    SELECT partition_date, row_count,
           median(row_count) OVER history AS median_before,
           count(*) OVER history AS partitions_before
    FROM partitions
    WINDOW history AS (ORDER BY partition_date ROWS BETWEEN 14 PRECEDING AND 1 PRECEDING)
),
ratios AS (
    SELECT partition_date, row_count, median_before, row_count / median_before AS ratio
    FROM with_history
    WHERE partitions_before >= 3 AND median_before > 0
      AND partition_date IN (SELECT day FROM dq_scope)
)
SELECT ratio AS observed,
       format('partition {} has {:,} rows, trailing median {:,}', partition_date, row_count,
              CAST(median_before AS BIGINT)) AS detail
FROM ratios
ORDER BY abs(ln(greatest(ratio, 1e-9))) DESC
LIMIT 1;
