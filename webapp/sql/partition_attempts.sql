-- One row per lake partition (kind, day) a recorded run set out to load: the latest such run, how it ended (its
-- status and error), and the reason it skipped the partition (NULL: it did not skip it).
WITH attempts AS (
    SELECT r.run_id, r.status, r.error, r.skipped,
           unnest(from_json(r.planned, '[{"kind": "VARCHAR", "day": "VARCHAR"}]'), recursive := true)
    FROM etl_runs AS r
    WHERE r.planned IS NOT NULL
),
latest AS (
    SELECT kind, CAST(day AS DATE) AS day, run_id, status, error, skipped
    FROM attempts
    QUALIFY row_number() OVER (PARTITION BY kind, day ORDER BY run_id DESC) = 1
)
SELECT l.kind, l.day, l.run_id, l.status, l.error,
       (SELECT s.reason
        FROM (SELECT unnest(from_json(l.skipped, '[{"kind": "VARCHAR", "day": "VARCHAR", "reason": "VARCHAR"}]'),
                            recursive := true)) AS s
        WHERE s.kind = l.kind AND CAST(s.day AS DATE) = l.day) AS skip_reason
FROM latest AS l
ORDER BY l.kind, l.day;
