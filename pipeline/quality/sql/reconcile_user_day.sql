-- One row: days in scope where agg_user_day differs from agg_user_activity_daily regrouped per (day, user, segment,
-- age group): another number of rows, or another fingerprint (the sum of each row's hash of user, segment, age
-- group, platform mask, events and sessions), so a row missing, extra or different is found without joining the two.
WITH expected AS (
    SELECT activity_date, count(*) AS n,
           sum(hash(user_id, segment, age_group, platform_mask, events, sessions)) AS fingerprint
    FROM (
        SELECT activity_date, user_id, segment, age_group,
               CAST(bit_or(CAST(1 AS UTINYINT) << (platform_key - 1)) AS UTINYINT) AS platform_mask,
               CAST(sum(event_count) AS INTEGER) AS events, CAST(sum(session_count) AS INTEGER) AS sessions
        FROM agg_user_activity_daily
        WHERE activity_date IN (SELECT day FROM dq_scope)
        GROUP BY ALL
    )
    GROUP BY activity_date
),
actual AS (
    SELECT activity_date, count(*) AS n,
           sum(hash(user_id, segment, age_group, platform_mask, events, sessions)) AS fingerprint
    FROM agg_user_day
    WHERE activity_date IN (SELECT day FROM dq_scope)
    GROUP BY activity_date
),
differing AS (
    SELECT activity_date
    FROM expected AS e
    FULL JOIN actual AS a USING (activity_date)
    WHERE e.n IS DISTINCT FROM a.n OR e.fingerprint IS DISTINCT FROM a.fingerprint
)
SELECT count(*) AS observed, 'e.g. ' || min(activity_date) AS detail
FROM differing;
