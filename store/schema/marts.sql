-- Marts: the precomputed tables the dashboard's panels read (analytics/sql), each built once per run by one
-- transform (pipeline/models/marts) and checked (pipeline/quality/checks.toml). Platform masks carry bit
-- (platform_key - 1) per platform. Idempotent.

-- One row per (day, platform, user version) with activity: the user's segment, home country and age group when the
-- events happened (SCD2), events and sessions. Read by the engagement panels (user_events) and the marts below.
-- Every mart keyed by segment is keyed by age group too (the two population filters, docs/metrics.md#active-user); a
-- column added after the first layout comes last (a warehouse from before gets it by ALTER).
CREATE TABLE IF NOT EXISTS agg_user_activity_daily (
    activity_date  DATE NOT NULL,
    date_key       INTEGER NOT NULL,
    platform_key   SMALLINT NOT NULL,
    user_key       INTEGER NOT NULL,
    user_id        BIGINT NOT NULL,
    segment        VARCHAR,
    user_country   VARCHAR,
    event_count    INTEGER NOT NULL,
    session_count  INTEGER NOT NULL,
    age_group      VARCHAR
);

-- One row per (day, user, segment, age group) with activity: which platforms, home country, events, sessions.
-- day_platform_mask is the user's platforms that day across versions (it differs only on a day their segment or age
-- group changed); is_day_first marks one row per (day, user). Read by cross-platform use, geography, engagement,
-- N-day.
CREATE TABLE IF NOT EXISTS agg_user_day (
    activity_date  DATE NOT NULL,
    user_id        BIGINT NOT NULL,
    segment        VARCHAR,
    platform_mask  UTINYINT NOT NULL,
    user_country   VARCHAR,
    events         INTEGER NOT NULL,
    sessions       INTEGER NOT NULL,
    day_platform_mask  UTINYINT NOT NULL,
    is_day_first       BOOLEAN NOT NULL,
    age_group          VARCHAR
);

-- One row per (ISO week, user, segment, age group) with activity: which platforms. Read by the weekly cohorts.
CREATE TABLE IF NOT EXISTS agg_user_week (
    week_start     DATE NOT NULL,
    user_id        BIGINT NOT NULL,
    segment        VARCHAR,
    platform_mask  UTINYINT NOT NULL,
    age_group      VARCHAR
);

-- One row per (day, segment or 'all', age group or 'all', window, mask): how many users' platforms over the window
-- ending that day (window_days 1 = that day, 7, 30) are exactly that mask. Users active on a platform subset S =
-- sum(users) where platform_mask & S <> 0: DAU, WAU and MAU for any filter without touching the users.
CREATE TABLE IF NOT EXISTS agg_active_masks (
    activity_date  DATE NOT NULL,
    segment        VARCHAR NOT NULL,
    window_days    TINYINT NOT NULL,
    platform_mask  UTINYINT NOT NULL,
    users          INTEGER NOT NULL,
    age_group      VARCHAR NOT NULL DEFAULT 'all'
);

-- One row per (day, platform, segment, age group) with activity: events and sessions, for event totals under any
-- filter.
CREATE TABLE IF NOT EXISTS agg_daily_volume (
    activity_date  DATE NOT NULL,
    platform_key   SMALLINT NOT NULL,
    segment        VARCHAR,
    users          INTEGER NOT NULL,      -- user versions active: not a distinct count across rows
    events         BIGINT NOT NULL,
    sessions       BIGINT NOT NULL,
    age_group      VARCHAR
);

-- One row per (user, platform) active there in the data: the first day active there, the segment and age group of
-- the user version in effect at the first event there (first_valid_from orders those versions across platforms), and
-- the user's sign-up date: the first day is their first ever only when they signed up on or after the data's first
-- day. New users for any platform subset.
CREATE TABLE IF NOT EXISTS agg_user_platform_first (
    user_id           BIGINT NOT NULL,
    platform_key      SMALLINT NOT NULL,
    first_date        DATE NOT NULL,
    segment           VARCHAR,
    first_valid_from  TIMESTAMP,
    signup_date       DATE,
    age_group         VARCHAR
);
-- a warehouse from before these columns gets them (filled by its next run)
ALTER TABLE agg_user_platform_first ADD COLUMN IF NOT EXISTS first_valid_from TIMESTAMP;
ALTER TABLE agg_user_platform_first ADD COLUMN IF NOT EXISTS signup_date DATE;
ALTER TABLE agg_user_platform_first ADD COLUMN IF NOT EXISTS age_group VARCHAR;

-- One row per (period, segment or 'all', age group or 'all', mask this period, mask the period before): how many
-- users made that transition. Growth accounting for any platform subset: retained, churned and returning users, by
-- day or week.
CREATE TABLE IF NOT EXISTS agg_growth_transitions (
    grain          VARCHAR NOT NULL,      -- day, week
    period_start   DATE NOT NULL,
    segment        VARCHAR NOT NULL,
    mask_now       UTINYINT NOT NULL,
    mask_before    UTINYINT NOT NULL,
    users          INTEGER NOT NULL,
    age_group      VARCHAR NOT NULL DEFAULT 'all'
);

-- One row per user active on or after `since`: their segment when it was the same on every such day, else NULL (a
-- change of segment, or a version with none), and likewise their age group; `kinds`: the kinds of scope whose
-- figures must be computed from their rows (version_scopes: 1 segment, 2 age group, 4 the pair; 0 for none). Used by
-- agg_active_masks and agg_growth_transitions: a user in one segment throughout has the same figures in that
-- segment as in 'all' (and in one age group, in that age group; in both, in the pair), so those are computed once.
CREATE OR REPLACE MACRO users_in_one_scope(since) AS TABLE
SELECT user_id, segment, age_group,
       CASE WHEN segment IS NULL THEN 1 ELSE 0 END | CASE WHEN age_group IS NULL THEN 2 ELSE 0 END
       | CASE WHEN segment IS NULL OR age_group IS NULL THEN 4 ELSE 0 END AS kinds
FROM (SELECT user_id,
             CASE WHEN count(*) = count(segment) AND min(segment) = max(segment) THEN min(segment) END AS segment,
             CASE WHEN count(*) = count(age_group) AND min(age_group) = max(age_group) THEN min(age_group) END
                 AS age_group
      FROM agg_user_day
      WHERE activity_date >= since
      GROUP BY user_id);
DROP MACRO TABLE IF EXISTS users_in_one_segment;

-- The population scopes a row of a user version counts in besides ('all', 'all'): (its segment, 'all'), ('all', its
-- age group) and the pair, each when known; `kinds` the ones to list (1 segment, 2 age group, 4 the pair).
CREATE OR REPLACE MACRO version_scopes(segment, age_group, kinds) AS
    list_filter([{'segment': segment, 'age_group': 'all', 'kind': 1},
                 {'segment': 'all', 'age_group': age_group, 'kind': 2},
                 {'segment': segment, 'age_group': age_group, 'kind': 4}],
                lambda version_scope: (kinds & version_scope.kind) <> 0 AND version_scope.segment IS NOT NULL
                                      AND version_scope.age_group IS NOT NULL);

-- One row per (day, dimension, value, segment or 'all', age group or 'all', platform mask): the people active that
-- day with an event whose dimension had that value (platform: the event's; segment, age_group, country: the user
-- version's in effect at the event, home country; device: the event's; a missing value is 'unknown') and whose
-- platforms among those events are exactly the mask. DAU of a value for any platform subset S = sum(users) where
-- mask & S <> 0: the breakdowns of the overview trend (docs/metrics.md#breakdowns).
CREATE TABLE IF NOT EXISTS agg_breakdown_daily (
    activity_date  DATE NOT NULL,
    dimension      VARCHAR NOT NULL,      -- platform, segment, age_group, country, device
    value          VARCHAR NOT NULL,
    segment        VARCHAR NOT NULL,      -- a segment, or 'all'
    platform_mask  UTINYINT NOT NULL,
    users          INTEGER NOT NULL,
    age_group      VARCHAR NOT NULL DEFAULT 'all'
);

-- One row: the layout the marts were built with. 2: keyed by age group as well as segment. A warehouse from before
-- (agg_user_day without age_group) records 1 and gets the columns (age group unknown, the aggregates' rows in the
-- scope of every age group); its next run that loads a partition rebuilds every mart from the facts
-- (pipeline/sql/run_marts_layout.sql) and records 2.
CREATE TABLE IF NOT EXISTS marts_layout AS
SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 2 END AS version
FROM duckdb_columns()
WHERE schema_name = 'main' AND table_name = 'agg_user_day' AND column_name = 'age_group';
ALTER TABLE agg_user_activity_daily ADD COLUMN IF NOT EXISTS age_group VARCHAR;
ALTER TABLE agg_user_day ADD COLUMN IF NOT EXISTS age_group VARCHAR;
ALTER TABLE agg_user_week ADD COLUMN IF NOT EXISTS age_group VARCHAR;
ALTER TABLE agg_daily_volume ADD COLUMN IF NOT EXISTS age_group VARCHAR;
ALTER TABLE agg_active_masks ADD COLUMN IF NOT EXISTS age_group VARCHAR DEFAULT 'all';
ALTER TABLE agg_growth_transitions ADD COLUMN IF NOT EXISTS age_group VARCHAR DEFAULT 'all';
ALTER TABLE agg_breakdown_daily ADD COLUMN IF NOT EXISTS age_group VARCHAR DEFAULT 'all';
