-- One row per event_id of the batch, among rows otherwise fit to load, that is a duplicate: already published in
-- another partition (or loaded by an earlier batch of this run), or repeated within the batch. Usually none.
CREATE OR REPLACE TEMP TABLE stg_repeated_ids AS
SELECT s.event_id FROM stg_events AS s SEMI JOIN fct_events AS f ON f.event_id = s.event_id
WHERE s.reject_reason IS NULL
UNION
SELECT event_id FROM stg_events WHERE reject_reason IS NULL GROUP BY event_id HAVING count(*) > 1;

-- Of those, quarantined: every copy of one already published, and every copy but the first (by partition, file,
-- row) of one repeated in the batch.
UPDATE stg_events
SET reject_reason = 'duplicate event_id'
WHERE reject_reason IS NULL
  AND event_id IN (SELECT event_id FROM stg_repeated_ids)
  AND (event_id IN (SELECT event_id FROM fct_events WHERE event_id IN (SELECT event_id FROM stg_repeated_ids))
       OR rowid IN (
           SELECT rowid
           FROM (SELECT rowid,
                        row_number() OVER (PARTITION BY event_id
                                           ORDER BY event_date, source_file, file_row_number) AS copy_number
                 FROM stg_events
                 WHERE reject_reason IS NULL AND event_id IN (SELECT event_id FROM stg_repeated_ids))
           WHERE copy_number > 1));
