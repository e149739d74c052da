-- Staging: one row per lake event of this batch of partitions, typed by the contract, with its source file, its
-- dimension keys and, when it cannot be loaded, why (reject_reason). The user key is the version valid at event_ts.
CREATE OR REPLACE TEMP TABLE stg_events AS
SELECT s.event_id, s.user_id, s.platform, s.event_type, s.event_ts, s.session_id, s.device, s.country,
       s.event_date, substr(s.filename, length($lake_prefix) + 1) AS source_file,
       date_key_of(s.event_date) AS date_key, p.platform_key, t.event_type_key, u.user_key,
       CASE
           WHEN s.event_id IS NULL THEN 'missing event_id'
           WHEN s.user_id IS NULL THEN 'missing user_id'
           WHEN s.event_ts IS NULL THEN 'missing event_ts'
           WHEN p.platform_key IS NULL THEN 'unknown platform'
           WHEN t.event_type_key IS NULL THEN 'unknown event_type'
           WHEN CAST(s.event_ts AS DATE) <> s.event_date THEN 'event_ts outside its partition day'
           WHEN u.user_key IS NULL THEN 'user unknown at event_ts'
       END AS reject_reason
FROM read_parquet($files, hive_partitioning = true, filename = true, hive_types = {'event_date': DATE}) AS s
LEFT JOIN dim_platform AS p ON p.platform_name = s.platform
LEFT JOIN dim_event_type AS t ON t.event_type = s.event_type
LEFT JOIN dim_users AS u ON u.user_id = s.user_id AND s.event_ts >= u.valid_from AND s.event_ts < u.valid_to;
