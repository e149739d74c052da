-- One row per user change record of the partitions this run loads, typed by the contract (the encodings it also
-- accepts converted: docs/data_model.md), with its source file and, when it cannot be loaded, why
-- (reject_reason). Among records otherwise fit to load, of several with one (user_id, updated_at) the first (by
-- attributes, then file) loads and the others are duplicates.
CREATE OR REPLACE TEMP TABLE stg_users AS
WITH raw AS (
    SELECT TRY_CAST(user_id AS BIGINT) AS user_id, segment, country, age_group, signup_date,
           CAST(updated_at AS TIMESTAMP) AS updated_at, change_date,
           substr(filename, length($lake_prefix) + 1) AS source_file,
           user_id IS NOT NULL AND TRY_CAST(user_id AS BIGINT) IS NULL AS out_of_range
    FROM read_parquet($files, hive_partitioning = true, filename = true, union_by_name = true,
                      hive_types = {'change_date': DATE})
),
checked AS (
    SELECT *,
           CASE
               WHEN out_of_range THEN 'a BIGINT column out of range'
               WHEN user_id IS NULL THEN 'missing user_id'
               WHEN updated_at IS NULL THEN 'missing updated_at'
               WHEN CAST(updated_at AS DATE) <> change_date THEN 'updated_at outside its partition day'
               WHEN updated_at > $as_of THEN 'updated_at in the future'
           END AS invalid_reason
    FROM raw
),
numbered AS (
    SELECT *, row_number() OVER (PARTITION BY user_id, updated_at, invalid_reason IS NULL
                                 ORDER BY segment, country, age_group, signup_date, source_file) AS copy_number
    FROM checked
)
SELECT user_id, segment, country, age_group, signup_date, updated_at, change_date, source_file,
       coalesce(invalid_reason, CASE WHEN copy_number > 1 THEN 'duplicate (user_id, updated_at)' END) AS reject_reason
FROM numbered;

-- The staged change records' data-quality profile: one row per metric.
INSERT INTO stg_profile
UNPIVOT (
    SELECT 'stg_users' AS table_name,
           count(*) AS rows,
           count(*) FILTER (WHERE user_id IS NULL) AS missing_user_id,
           count(*) FILTER (WHERE updated_at IS NULL) AS missing_updated_at,
           count(*) FILTER (WHERE segment IS NULL) AS missing_segment,
           count(*) FILTER (WHERE country IS NULL) AS missing_country,
           count(*) FILTER (WHERE age_group IS NULL) AS missing_age_group,
           count(*) FILTER (WHERE signup_date IS NULL) AS missing_signup_date,
           count(*) FILTER (WHERE segment IS NOT NULL AND NOT list_contains($segments, segment)) AS invalid_segment,
           count(*) FILTER (WHERE age_group IS NOT NULL AND NOT list_contains($age_groups, age_group)) AS invalid_age_group,
           count(*) FILTER (WHERE country IS NOT NULL AND NOT list_contains($countries, country)) AS invalid_country,
           count(*) FILTER (WHERE CAST(updated_at AS DATE) <> change_date) AS outside_partition,
           count(*) FILTER (WHERE updated_at > $as_of) AS in_future,
           count(*) FILTER (WHERE reject_reason = 'duplicate (user_id, updated_at)') AS duplicate_key,
           count(*) FILTER (WHERE reject_reason IS NOT NULL) AS quarantined
    FROM stg_users
) ON COLUMNS(* EXCLUDE (table_name)) INTO NAME metric VALUE value;
