-- One row per user change record of the replaced partitions that could not be loaded, with why: the rejects of
-- stg_users replace the partitions' earlier ones.
DELETE FROM quarantine_users WHERE change_date IN (SELECT partition_date FROM plan_partitions WHERE kind = 'users');

INSERT INTO quarantine_users
SELECT $run_id, change_date, source_file, reject_reason, user_id, segment, country, age_group, signup_date,
       updated_at, $now
FROM stg_users
WHERE reject_reason IS NOT NULL;

