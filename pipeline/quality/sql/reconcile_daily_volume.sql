-- One row: days in scope where agg_daily_volume differs from agg_user_activity_daily regrouped per (day, platform,
-- segment, age group): a row missing or extra, or other user versions, events or sessions.
WITH expected AS (
    SELECT activity_date, platform_key, segment, age_group, count(*) AS users, sum(event_count) AS events,
           sum(session_count) AS sessions
    FROM agg_user_activity_daily
    WHERE activity_date IN (SELECT day FROM dq_scope)
    GROUP BY ALL
),
actual AS (
    SELECT activity_date, platform_key, segment, age_group, users, events, sessions
    FROM agg_daily_volume
    WHERE activity_date IN (SELECT day FROM dq_scope)
),
differing AS (
    SELECT coalesce(e.activity_date, a.activity_date) AS activity_date
    FROM expected AS e
    FULL JOIN actual AS a
      ON a.activity_date = e.activity_date AND a.platform_key = e.platform_key
     AND a.segment IS NOT DISTINCT FROM e.segment  -- a user version may have no segment, or no age group
     AND a.age_group IS NOT DISTINCT FROM e.age_group
    WHERE e.users IS DISTINCT FROM a.users OR e.events IS DISTINCT FROM a.events
       OR e.sessions IS DISTINCT FROM a.sessions
)
SELECT count(DISTINCT activity_date) AS observed, 'e.g. ' || min(activity_date) AS detail
FROM differing;
