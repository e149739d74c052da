-- One row: users without exactly one current version, or whose current flag disagrees with an open valid_to.
WITH per_user AS (
    SELECT user_id,
           count(*) FILTER (WHERE is_current) AS current_versions,
           count(*) FILTER (WHERE is_current <> (valid_to = TIMESTAMP '9999-12-31')) AS inconsistent
    FROM dim_users
    GROUP BY user_id
)
SELECT count(*) AS observed, 'e.g. user ' || min(user_id) AS detail
FROM per_user
WHERE current_versions <> 1 OR inconsistent > 0;
