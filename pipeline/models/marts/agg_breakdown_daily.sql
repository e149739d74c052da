-- One row per (day, dimension, value, segment or 'all', age group or 'all', platform mask) for the days of the pass
-- (pass_days): the people active that day with an event whose dimension had that value (platform and device: the
-- event's; segment, age group, home country: the user version's in effect at the event; missing: 'unknown'), whose
-- platforms among those events are exactly the mask. A person with events of two values that day counts under both.
-- The population scopes are those of the user version (version_scopes: its segment, its age group, the pair).
DELETE FROM agg_breakdown_daily WHERE activity_date IN (SELECT activity_date FROM pass_days);

INSERT INTO agg_breakdown_daily (activity_date, dimension, value, segment, age_group, platform_mask, users)
WITH events AS (  -- (day, user, platform, version, device) with activity, from the facts
    SELECT DISTINCT date_key, user_id, user_key, platform_key, device
    FROM fct_events WHERE date_key IN (SELECT date_key FROM pass_days)
),
base AS (  -- (day, user, the attributes at their events): the platforms of those events
    SELECT date_of_key(e.date_key) AS activity_date, e.user_id, u.segment, u.age_group AS age_scope,
           coalesce(u.age_group, 'unknown') AS age_group,
           coalesce(u.country, 'unknown') AS country, coalesce(e.device, 'unknown') AS device,
           CAST(bit_or(CAST(1 AS UTINYINT) << (e.platform_key - 1)) AS UTINYINT) AS platform_mask
    FROM events AS e JOIN dim_users AS u ON u.user_key = e.user_key
    GROUP BY ALL
),
multi AS (  -- (day, user) whose events that day belong to two (segment, age group) versions or more (a change that
            -- day: rare); agg_user_day holds a row per version, the first marked
    SELECT DISTINCT activity_date, user_id
    FROM agg_user_day
    WHERE activity_date IN (SELECT activity_date FROM pass_days) AND NOT is_day_first
),
coded AS (  -- the version as a small number: 16 x its segment's position in $segments + its age group's in
           -- $age_groups (0: none); NULL for a value outside the reference lists (loaded as is)
    SELECT b.*, m.user_id IS NOT NULL AS multi,
           CAST(CASE WHEN b.segment IS NULL THEN 0 ELSE list_position($segments, b.segment) END * 16
                + CASE WHEN b.age_scope IS NULL THEN 0 ELSE list_position($age_groups, b.age_scope) END AS SMALLINT)
               AS code
    FROM base AS b LEFT JOIN multi AS m USING (activity_date, user_id)
),
flagged AS (  -- `multi`: counted per scope from their rows (two versions that day, or a version with no code)
    SELECT * REPLACE (multi OR code IS NULL AS multi) FROM coded
),
tagged AS (  -- (day, user, segment, age group, dimension, value): the platforms of the events with that value
    SELECT activity_date, user_id, segment, age_scope, code, multi, 'segment' AS dimension, segment AS value,
           platform_mask
    FROM flagged WHERE segment IS NOT NULL
    UNION ALL
    SELECT activity_date, user_id, segment, age_scope, code, multi, 'age_group', age_group, platform_mask FROM flagged
    UNION ALL
    SELECT activity_date, user_id, segment, age_scope, code, multi, 'country', country, platform_mask FROM flagged
    UNION ALL
    SELECT activity_date, user_id, segment, age_scope, code, multi, 'device', device, platform_mask FROM flagged
    UNION ALL  -- a platform's own events: its bit alone
    SELECT b.activity_date, b.user_id, b.segment, b.age_scope, b.code, b.multi, 'platform', p.platform_name,
           CAST(1 AS UTINYINT) << (p.platform_key - 1)
    FROM flagged AS b JOIN dim_platform AS p ON (b.platform_mask >> (p.platform_key - 1)) & 1 = 1
),
per_user AS (  -- each person's platforms per (day, dimension, value); the version of a person with one that day
    SELECT activity_date, dimension, value, user_id, CAST(bit_or(platform_mask) AS UTINYINT) AS platform_mask,
           any_value(code) AS code, bool_or(multi) AS multi
    FROM tagged
    GROUP BY activity_date, dimension, value, user_id
),
counts AS (  -- people per (day, dimension, value, mask), and per version for those with one version that day
    SELECT activity_date, dimension, value, multi, CASE WHEN NOT multi THEN code END AS code, platform_mask,
           count(*) AS users
    FROM per_user
    GROUP BY ALL
),
multi_scoped AS (  -- people with two versions that day: their platforms per scope, from the events of each version
    SELECT activity_date, dimension, value, scope, user_id, CAST(bit_or(platform_mask) AS UTINYINT) AS platform_mask
    FROM (SELECT activity_date, dimension, value, user_id, platform_mask,
                 unnest(version_scopes(segment, age_scope, 7)) AS scope
          FROM tagged WHERE multi)
    GROUP BY ALL
),
scoped AS (  -- ('all', 'all'), then each version's scopes (version_scopes: its segment, its age group, the pair)
    SELECT activity_date, dimension, value, 'all' AS segment, 'all' AS age_group, platform_mask, users FROM counts
    UNION ALL
    SELECT activity_date, dimension, value, scope.segment, scope.age_group, platform_mask, users
    FROM (SELECT activity_date, dimension, value, platform_mask, users,
                 unnest(version_scopes(CASE WHEN code // 16 > 0 THEN $segments[code // 16] END,
                                       CASE WHEN code % 16 > 0 THEN $age_groups[code % 16] END, 7)) AS scope
          FROM counts WHERE NOT multi)
    UNION ALL
    SELECT activity_date, dimension, value, scope.segment, scope.age_group, platform_mask, 1 FROM multi_scoped
)
SELECT activity_date, dimension, value, segment, age_group, platform_mask, CAST(sum(users) AS INTEGER) AS users
FROM scoped
GROUP BY ALL
ORDER BY activity_date;
