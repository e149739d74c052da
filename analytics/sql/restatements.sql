-- One row per (run, run of consecutive days) that a succeeded run ended since $since restated: days whose lake
-- partition (events or users) it published again after an earlier succeeded run had published it (a backfill, or
-- a late or changed file an incremental run reloaded). run_id, mode, trigger, requested_by, ended_at, first_day,
-- last_day, days. Runs from before etl_runs.planned was recorded are not seen.
WITH published AS (  -- one row per (succeeded run, partition it loaded): planned and not skipped
    SELECT r.run_id, p.kind, p.day
    FROM etl_runs AS r,
         unnest(json_transform(r.planned, '[{"kind": "VARCHAR", "day": "DATE"}]')) AS t(p)
    WHERE run_succeeded(r.status) AND r.planned IS NOT NULL
    EXCEPT
    SELECT r.run_id, s.kind, s.day
    FROM etl_runs AS r,
         unnest(json_transform(r.skipped, '[{"kind": "VARCHAR", "day": "DATE"}]')) AS t(s)
    WHERE r.skipped IS NOT NULL
),
restated AS (  -- days published again by a run that ended since $since
    SELECT DISTINCT p.run_id, p.day
    FROM published AS p
    JOIN etl_runs AS r USING (run_id)
    WHERE r.ended_at >= $since
      AND EXISTS (SELECT 1 FROM published AS e WHERE e.kind = p.kind AND e.day = p.day AND e.run_id < p.run_id)
),
islands AS (
    SELECT run_id, day, day - CAST(row_number() OVER (PARTITION BY run_id ORDER BY day) AS INTEGER) AS island
    FROM restated
)
SELECT i.run_id, json_extract_string(r.parameters, '$.mode') AS mode, r.trigger, r.requested_by, r.ended_at,
       min(i.day) AS first_day, max(i.day) AS last_day, count(*) AS days
FROM islands AS i
JOIN etl_runs AS r USING (run_id)
GROUP BY i.run_id, i.island, r.parameters, r.trigger, r.requested_by, r.ended_at
ORDER BY i.run_id, first_day;
