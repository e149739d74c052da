-- One row: versions of dim_users with an empty range, or whose valid_to is not the next version's valid_from
-- (an overlap, or a gap).
WITH ranges AS (
    SELECT user_id, valid_from, valid_to,
           lead(valid_from) OVER (PARTITION BY user_id ORDER BY valid_from) AS next_from
    FROM dim_users
)
SELECT count(*) AS observed, 'e.g. user ' || min(user_id) AS detail
FROM ranges
WHERE valid_from >= valid_to
   OR valid_to <> coalesce(next_from, TIMESTAMP '9999-12-31');
