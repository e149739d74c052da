-- One row per version of a user's attributes (SCD type 2): the staged change records merged in. The versions of
-- every touched user are rebuilt from the versions kept plus the ones staged, then valid_to / is_current recomputed.
-- A version already present (same user_id, valid_from) keeps its user_key; new versions get keys after the
-- largest so far, in (valid_from, user_id) order, so loading day by day gives the keys a full rebuild gives.
-- Versions that came from a reprocessed partition and are no longer in it disappear.

-- One row per user whose versions may change.
CREATE OR REPLACE TEMP TABLE dim_users_touched AS
SELECT user_id FROM stg_users WHERE reject_reason IS NULL
UNION
SELECT user_id FROM dim_users
WHERE CAST(valid_from AS DATE) IN (SELECT partition_date FROM plan_partitions WHERE kind = 'users');

-- One row: the earliest valid_from among versions added or removed; facts before it keep their version.
CREATE OR REPLACE TEMP TABLE dim_users_changed AS
SELECT min(valid_from) AS changed_from
FROM (
    SELECT updated_at AS valid_from FROM stg_users WHERE reject_reason IS NULL
    UNION ALL
    SELECT valid_from FROM dim_users
    WHERE CAST(valid_from AS DATE) IN (SELECT partition_date FROM plan_partitions WHERE kind = 'users')
);

-- One row per version of a touched user, as it will be.
CREATE OR REPLACE TEMP TABLE dim_users_next AS
WITH kept AS (
    SELECT user_key, user_id, segment, country, age_group, signup_date, valid_from
    FROM dim_users
    WHERE user_id IN (SELECT user_id FROM dim_users_touched)
      AND CAST(valid_from AS DATE) NOT IN (SELECT partition_date FROM plan_partitions WHERE kind = 'users')
),
staged AS (
    SELECT d.user_key, s.user_id, s.segment, s.country, s.age_group, s.signup_date, s.updated_at AS valid_from
    FROM stg_users AS s
    LEFT JOIN dim_users AS d ON d.user_id = s.user_id AND d.valid_from = s.updated_at
    WHERE s.reject_reason IS NULL
),
new_versions AS (
    SELECT * EXCLUDE (user_key),
           (SELECT coalesce(max(user_key), 0) FROM dim_users)
           + CAST(row_number() OVER (ORDER BY valid_from, user_id) AS INTEGER) AS user_key
    FROM staged
    WHERE user_key IS NULL
),
keyed AS (
    SELECT * FROM kept
    UNION ALL
    SELECT * FROM staged WHERE user_key IS NOT NULL
    UNION ALL
    SELECT user_key, user_id, segment, country, age_group, signup_date, valid_from FROM new_versions
)
SELECT user_key, user_id, segment, country, age_group, signup_date, valid_from,
       lead(valid_from, 1, TIMESTAMP '9999-12-31') OVER by_user AS valid_to,
       lead(valid_from) OVER by_user IS NULL AS is_current
FROM keyed
WINDOW by_user AS (PARTITION BY user_id ORDER BY valid_from);

DELETE FROM dim_users WHERE user_id IN (SELECT user_id FROM dim_users_touched);

INSERT INTO dim_users
SELECT user_key, user_id, segment, country, age_group, signup_date, valid_from, valid_to, is_current
FROM dim_users_next
ORDER BY user_key;

-- Returns one row: the earliest moment from which facts may have to move to another version.
SELECT changed_from FROM dim_users_changed;
