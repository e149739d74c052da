-- One row per lake event of this batch of partitions, typed by the contract (the encodings it also accepts
-- converted: docs/data_model.md), with its source file, its dimension keys and, when it cannot be loaded, why
-- (reject_reason). The user key is the version valid at event_ts.
CREATE OR REPLACE TEMP TABLE stg_events AS
SELECT r.event_id, r.user_id, r.platform, r.event_type, r.event_ts, r.session_id, r.device, r.country,
       r.event_date, substr(r.filename, length($lake_prefix) + 1) AS source_file, r.file_row_number,
       date_key_of(r.event_date) AS date_key, p.platform_key, t.event_type_key, u.user_key,
       CASE
           WHEN r.out_of_range THEN 'a BIGINT column out of range'
           WHEN r.event_id IS NULL THEN 'missing event_id'
           WHEN r.user_id IS NULL THEN 'missing user_id'
           WHEN r.event_ts IS NULL THEN 'missing event_ts'
           WHEN p.platform_key IS NULL THEN 'unknown platform'
           WHEN t.event_type_key IS NULL THEN 'unknown event_type'
           WHEN CAST(r.event_ts AS DATE) <> r.event_date THEN 'event_ts outside its partition day'
           WHEN r.event_ts > $as_of THEN 'event_ts in the future'
           WHEN u.user_key IS NULL THEN 'user unknown at event_ts'
       END AS reject_reason
FROM (
    -- the contract's types: integers widened (NULL and out_of_range when a value does not fit), timestamps of any
    -- precision truncated to microseconds, UTC-marked ones as UTC wall time (the session time zone is UTC)
    SELECT TRY_CAST(event_id AS BIGINT) AS event_id, TRY_CAST(user_id AS BIGINT) AS user_id, platform, event_type,
           CAST(event_ts AS TIMESTAMP) AS event_ts, TRY_CAST(session_id AS BIGINT) AS session_id, device, country,
           event_date, filename, file_row_number,
           (event_id IS NOT NULL AND TRY_CAST(event_id AS BIGINT) IS NULL)
               OR (user_id IS NOT NULL AND TRY_CAST(user_id AS BIGINT) IS NULL)
               OR (session_id IS NOT NULL AND TRY_CAST(session_id AS BIGINT) IS NULL) AS out_of_range
    FROM read_parquet($files, hive_partitioning = true, filename = true, file_row_number = true,
                      union_by_name = true, hive_types = {'event_date': DATE})
) AS r
LEFT JOIN dim_platform AS p ON p.platform_name = r.platform
LEFT JOIN dim_event_type AS t ON t.event_type = r.event_type
LEFT JOIN dim_users AS u ON u.user_id = r.user_id AND r.event_ts >= u.valid_from AND r.event_ts < u.valid_to;
