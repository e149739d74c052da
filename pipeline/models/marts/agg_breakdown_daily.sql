-- One row per (day, dimension, value, segment or 'all', platform mask) for the days of the pass (pass_days): the
-- people active that day with an event whose dimension had that value (platform and device: the event's; segment,
-- age group, home country: the user version's in effect at the event; missing: 'unknown'), whose platforms among
-- those events are exactly the mask. A person with events of two values that day counts under both.
DELETE FROM agg_breakdown_daily WHERE activity_date IN (SELECT activity_date FROM pass_days);

INSERT INTO agg_breakdown_daily
WITH events AS (  -- (day, user, platform, version, device) with activity, from the facts
    SELECT DISTINCT date_key, user_id, user_key, platform_key, device
    FROM fct_events WHERE date_key IN (SELECT date_key FROM pass_days)
),
base AS (  -- (day, user, the attributes at their events): the platforms of those events
    SELECT date_of_key(e.date_key) AS activity_date, e.user_id, u.segment,
           coalesce(u.age_group, 'unknown') AS age_group,
           coalesce(u.country, 'unknown') AS country, coalesce(e.device, 'unknown') AS device,
           CAST(bit_or(CAST(1 AS UTINYINT) << (e.platform_key - 1)) AS UTINYINT) AS platform_mask
    FROM events AS e JOIN dim_users AS u ON u.user_key = e.user_key
    GROUP BY ALL
),
tagged AS (  -- (day, user, segment, dimension, value): the platforms of the events with that value
    SELECT activity_date, user_id, segment, 'segment' AS dimension, segment AS value, platform_mask
    FROM base WHERE segment IS NOT NULL
    UNION ALL SELECT activity_date, user_id, segment, 'age_group', age_group, platform_mask FROM base
    UNION ALL SELECT activity_date, user_id, segment, 'country', country, platform_mask FROM base
    UNION ALL SELECT activity_date, user_id, segment, 'device', device, platform_mask FROM base
    UNION ALL  -- a platform's own events: its bit alone
    SELECT b.activity_date, b.user_id, b.segment, 'platform', p.platform_name,
           CAST(1 AS UTINYINT) << (p.platform_key - 1)
    FROM base AS b JOIN dim_platform AS p ON (b.platform_mask >> (p.platform_key - 1)) & 1 = 1
),
per_user AS (  -- each person's platforms per (day, dimension, value), in each segment they were in and in 'all'
    SELECT activity_date, dimension, value, segment, user_id, CAST(bit_or(platform_mask) AS UTINYINT) AS platform_mask
    FROM tagged WHERE segment IS NOT NULL
    GROUP BY ALL
    UNION ALL
    SELECT activity_date, dimension, value, 'all', user_id, CAST(bit_or(platform_mask) AS UTINYINT)
    FROM tagged
    GROUP BY activity_date, dimension, value, user_id
)
SELECT activity_date, dimension, value, segment, platform_mask, CAST(count(*) AS INTEGER) AS users
FROM per_user
GROUP BY ALL
ORDER BY activity_date;
