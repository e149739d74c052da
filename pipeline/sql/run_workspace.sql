-- The run's workspace, temporary tables that live as long as its transaction: one row per partition it replaces,
-- per lake file it reads, per day whose activity it changes, and the staging tables the models below fill.

-- One row per partition the run replaces (its files, if any, are in plan_files).
CREATE OR REPLACE TEMP TABLE plan_partitions AS
SELECT DISTINCT p.kind, p.partition_date
FROM (SELECT unnest(CAST($partitions AS STRUCT(kind VARCHAR, partition_date DATE)[]), recursive := true)) AS p;

-- One row per lake file the run reads, with the rows its Parquet footer declares.
CREATE OR REPLACE TEMP TABLE plan_files AS
SELECT f.kind, f.partition_date, f.file_path, f.file_size, f.file_mtime_ns, f.row_count
FROM (SELECT unnest(CAST($files AS STRUCT(kind VARCHAR, partition_date DATE, file_path VARCHAR, file_size BIGINT,
                                          file_mtime_ns BIGINT, row_count BIGINT)[]), recursive := true)) AS f;

-- Days whose activity changed in this run (may repeat; read with DISTINCT).
CREATE OR REPLACE TEMP TABLE affected_dates (activity_date DATE);

-- The user change records staged (models/staging/stg_users): none until a run loads user files.
CREATE OR REPLACE TEMP TABLE stg_users (
    user_id BIGINT, segment VARCHAR, country VARCHAR, age_group VARCHAR, signup_date DATE, updated_at TIMESTAMP,
    change_date DATE, source_file VARCHAR, reject_reason VARCHAR
);

-- The engine's reduction of the staged events to one row per (day, platform, user version): filled per batch by the
-- Spark engine (models/staging/stg_events_spark), none on DuckDB's (agg_user_activity_daily reads the facts).
CREATE OR REPLACE TEMP TABLE stg_activity (
    activity_date DATE, date_key INTEGER, platform_key SMALLINT, user_key INTEGER, user_id BIGINT, event_count BIGINT,
    session_count BIGINT
);

-- One row per user whose versions the run changes (models/dims/dim_users): none until a run loads user files.
CREATE OR REPLACE TEMP TABLE dim_users_touched (user_id BIGINT);

-- The data-quality profile of what the run staged and of the lake files it inspected: one row per (table, metric)
-- and batch; the staging checks read sums.
CREATE OR REPLACE TEMP TABLE stg_profile (table_name VARCHAR, metric VARCHAR, value BIGINT);
INSERT INTO stg_profile
SELECT 'lake', m.metric, m.value
FROM (SELECT unnest(CAST($lake_metrics AS STRUCT(metric VARCHAR, value BIGINT)[]), recursive := true)) AS m;
