-- One row: event partitions in scope whose lake row count (file footers, from the manifest) differs from the rows
-- published plus the rows quarantined for that day.
WITH lake AS (
    SELECT partition_date AS day, sum(row_count) AS lake_rows
    FROM etl_manifest
    WHERE kind = 'events' AND partition_date IN (SELECT day FROM dq_scope)
    GROUP BY partition_date
),
facts AS (
    SELECT date_key, count(*) AS facts
    FROM fct_events
    WHERE date_key IN (SELECT date_key_of(day) FROM dq_scope)
    GROUP BY date_key
),
quarantined AS (
    SELECT event_date AS day, count(*) AS quarantined
    FROM quarantine_events
    WHERE event_date IN (SELECT day FROM dq_scope)
    GROUP BY event_date
),
compared AS (
    SELECT l.day, l.lake_rows, coalesce(f.facts, 0) + coalesce(q.quarantined, 0) AS warehouse_rows
    FROM lake AS l
    LEFT JOIN facts AS f ON f.date_key = date_key_of(l.day)
    LEFT JOIN quarantined AS q ON q.day = l.day
)
SELECT count(*) FILTER (WHERE lake_rows <> warehouse_rows) AS observed,
       'e.g. ' || min(day) FILTER (WHERE lake_rows <> warehouse_rows) AS detail
FROM compared;
