-- One row: ISO weeks holding days in scope where agg_user_week differs from agg_user_day regrouped per (week,
-- user, segment, age group): another number of rows, or another fingerprint (the sum of each row's hash of user,
-- segment, age group and platform mask).
WITH weeks AS (
    SELECT DISTINCT CAST(date_trunc('week', day) AS DATE) AS week_start FROM dq_scope
),
expected AS (
    SELECT week_start, count(*) AS n, sum(hash(user_id, segment, age_group, platform_mask)) AS fingerprint
    FROM (
        SELECT CAST(date_trunc('week', activity_date) AS DATE) AS week_start, user_id, segment, age_group,
               CAST(bit_or(platform_mask) AS UTINYINT) AS platform_mask
        FROM agg_user_day
        WHERE CAST(date_trunc('week', activity_date) AS DATE) IN (SELECT week_start FROM weeks)
        GROUP BY ALL
    )
    GROUP BY week_start
),
actual AS (
    SELECT week_start, count(*) AS n, sum(hash(user_id, segment, age_group, platform_mask)) AS fingerprint
    FROM agg_user_week
    WHERE week_start IN (SELECT week_start FROM weeks)
    GROUP BY week_start
),
differing AS (
    SELECT week_start
    FROM expected AS e
    FULL JOIN actual AS a USING (week_start)
    WHERE e.n IS DISTINCT FROM a.n OR e.fingerprint IS DISTINCT FROM a.fingerprint
)
SELECT count(*) AS observed, 'e.g. week of ' || min(week_start) AS detail
FROM differing;
