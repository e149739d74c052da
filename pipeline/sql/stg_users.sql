-- Staging: one row per user change record of the partitions this run loads, typed by the contract, with its
-- source file and, when it cannot be loaded, why (reject_reason).
CREATE OR REPLACE TEMP TABLE stg_users AS
WITH raw AS (
    SELECT user_id, segment, country, age_group, signup_date, updated_at, change_date,
           substr(filename, length($lake_prefix) + 1) AS source_file
    FROM read_parquet($files, hive_partitioning = true, filename = true, hive_types = {'change_date': DATE})
),
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY user_id, updated_at
                                 ORDER BY segment, country, age_group, signup_date, source_file) AS copy_number
    FROM raw
)
SELECT user_id, segment, country, age_group, signup_date, updated_at, change_date, source_file,
       CASE
           WHEN user_id IS NULL THEN 'missing user_id'
           WHEN updated_at IS NULL THEN 'missing updated_at'
           WHEN CAST(updated_at AS DATE) <> change_date THEN 'updated_at outside its partition day'
           WHEN copy_number > 1 THEN 'duplicate (user_id, updated_at)'
       END AS reject_reason
FROM numbered;
