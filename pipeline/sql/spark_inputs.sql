-- The Spark engine's inputs for this run, one Parquet file each, read by its job (pipeline/spark/job.py): one row
-- per user version (SCD type 2, as this run's users phase left them), per platform and per event type.
COPY (SELECT user_key, user_id, valid_from, valid_to FROM dim_users) TO $dim_users_file (FORMAT parquet);
COPY (SELECT platform_key, platform_name FROM dim_platform) TO $dim_platform_file (FORMAT parquet);
COPY (SELECT event_type_key, event_type FROM dim_event_type) TO $dim_event_type_file (FORMAT parquet);
