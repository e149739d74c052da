-- One row per lake event of this batch of partitions as the Spark engine's job staged it
-- (pipeline/spark/sql/stg_events.sql: typed, keyed, checked, and every copy but the first of an event_id repeated
-- within the run's partitions marked a duplicate), in the types the DuckDB engine's stg_events has.
CREATE OR REPLACE TEMP TABLE stg_events AS
SELECT CAST(event_id AS BIGINT) AS event_id, CAST(user_id AS BIGINT) AS user_id, CAST(platform AS VARCHAR) AS platform,
       CAST(event_type AS VARCHAR) AS event_type, CAST(event_ts AS TIMESTAMP) AS event_ts,
       CAST(session_id AS BIGINT) AS session_id, CAST(device AS VARCHAR) AS device,
       CAST(country AS VARCHAR) AS country, CAST(event_date AS DATE) AS event_date,
       CAST(source_file AS VARCHAR) AS source_file, CAST(file_row_number AS BIGINT) AS file_row_number,
       CAST(date_key AS INTEGER) AS date_key, CAST(platform_key AS SMALLINT) AS platform_key,
       CAST(event_type_key AS SMALLINT) AS event_type_key, CAST(user_key AS INTEGER) AS user_key,
       CAST(reject_reason AS VARCHAR) AS reject_reason
FROM read_parquet($staged_files);

-- One row per (day, platform, user version) with loadable events in this batch's partitions, as the job reduced
-- them (pipeline/spark/sql/stg_activity.sql); agg_user_activity_daily takes a day's rows from here when the day's
-- published facts are exactly the events counted.
CREATE OR REPLACE TEMP TABLE stg_activity AS
SELECT CAST(activity_date AS DATE) AS activity_date, CAST(date_key AS INTEGER) AS date_key,
       CAST(platform_key AS SMALLINT) AS platform_key, CAST(user_key AS INTEGER) AS user_key,
       CAST(user_id AS BIGINT) AS user_id, CAST(event_count AS BIGINT) AS event_count,
       CAST(session_count AS BIGINT) AS session_count
FROM read_parquet($activity_files);
