-- Staging when the run replaces user partitions that have no file left: no change records.
CREATE OR REPLACE TEMP TABLE stg_users (
    user_id BIGINT, segment VARCHAR, country VARCHAR, age_group VARCHAR, signup_date DATE, updated_at TIMESTAMP,
    change_date DATE, source_file VARCHAR, reject_reason VARCHAR
);
