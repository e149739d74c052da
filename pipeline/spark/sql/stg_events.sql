-- One row per lake event of the run's event partitions, typed by the contract, with its source file, its dimension
-- keys and, when it cannot be loaded, why (reject_reason): the Spark SQL twin of the first statement of
-- pipeline/models/staging/stg_events.sql (the DuckDB engine's), plus the duplicates within the run's partitions
-- (every copy but the first by partition, file, row), which DuckDB's stg_events_duplicates finds per batch.
-- tests/test_spark_engine.py holds the two engines' published tables and quarantine equal.
-- Views: lake_events (the files, each group of one encoding brought to the contract's types by pipeline/spark/job.py:
-- ids as BIGINT with out_of_range when one did not fit, event_ts as TIMESTAMP_NTZ of UTC wall time, the partition
-- day, the file and the row number), dim_users, dim_platform, dim_event_type (exported by the warehouse for this run).
WITH checked AS (
    SELECT r.event_id, r.user_id, r.platform, r.event_type, r.event_ts, r.session_id, r.device, r.country,
           r.event_date, r.source_file, r.file_row_number,
           CAST(year(r.event_date) * 10000 + month(r.event_date) * 100 + day(r.event_date) AS INT) AS date_key,
           p.platform_key, t.event_type_key, u.user_key,
           CASE
               WHEN r.out_of_range THEN 'a BIGINT column out of range'
               WHEN r.event_id IS NULL THEN 'missing event_id'
               WHEN r.user_id IS NULL THEN 'missing user_id'
               WHEN r.event_ts IS NULL THEN 'missing event_ts'
               WHEN p.platform_key IS NULL THEN 'unknown platform'
               WHEN t.event_type_key IS NULL THEN 'unknown event_type'
               WHEN CAST(r.event_ts AS DATE) <> r.event_date THEN 'event_ts outside its partition day'
               WHEN r.event_ts > CAST(:as_of AS TIMESTAMP_NTZ) THEN 'event_ts in the future'
               WHEN u.user_key IS NULL THEN 'user unknown at event_ts'
           END AS reject_reason
    FROM lake_events AS r
    LEFT JOIN dim_platform AS p ON p.platform_name = r.platform
    LEFT JOIN dim_event_type AS t ON t.event_type = r.event_type
    LEFT JOIN dim_users AS u ON u.user_id = r.user_id AND r.event_ts >= u.valid_from AND r.event_ts < u.valid_to
)
SELECT event_id, user_id, platform, event_type, event_ts, session_id, device, country, event_date, source_file,
       file_row_number, date_key, platform_key, event_type_key, user_key,
       CASE
           WHEN reject_reason IS NULL
                AND row_number() OVER (PARTITION BY event_id, reject_reason IS NULL
                                       ORDER BY event_date, source_file, file_row_number) > 1
               THEN 'duplicate event_id'
           ELSE reject_reason
       END AS reject_reason
FROM checked
