-- The warehouse schema. Idempotent: run at every open.

-- Run history and lineage ------------------------------------------------------------------------------------------
CREATE SEQUENCE IF NOT EXISTS etl_run_id_seq START 1;

-- One row per ETL run, whatever started it.
CREATE TABLE IF NOT EXISTS etl_runs (
    run_id            BIGINT PRIMARY KEY,
    trigger           VARCHAR NOT NULL,   -- cli, schedule, manual, backfill
    requested_by      VARCHAR,
    parameters        VARCHAR,            -- JSON
    status            VARCHAR NOT NULL,   -- queued, running, succeeded, failed
    queued_at         TIMESTAMP,
    started_at        TIMESTAMP,
    ended_at          TIMESTAMP,
    partitions        INTEGER,
    partitions_done   INTEGER,
    rows_read         BIGINT,
    rows_loaded       BIGINT,
    rows_quarantined  BIGINT,
    message           VARCHAR,
    error             VARCHAR
);

-- One row per data-quality check evaluated, per run (an ETL run, or `pipeline dq` on what is published).
CREATE TABLE IF NOT EXISTS dq_results (
    run_id      BIGINT NOT NULL,
    check_name  VARCHAR NOT NULL,
    family      VARCHAR NOT NULL,     -- completeness, uniqueness, validity, referential, scd2, freshness, volume, ...
    table_name  VARCHAR NOT NULL,
    severity    VARCHAR NOT NULL,     -- error (a failure blocks publishing) or warn (reported)
    status      VARCHAR NOT NULL,     -- pass, warn, fail
    observed    DOUBLE,
    threshold   VARCHAR,              -- e.g. "warn when > 0; fail when > 0.01"
    message     VARCHAR NOT NULL,
    checked_at  TIMESTAMP NOT NULL
);

-- One row per lake file loaded: what was read, from where, in which version (size, mtime) and by which run.
CREATE TABLE IF NOT EXISTS etl_manifest (
    kind            VARCHAR NOT NULL,     -- events, users
    partition_date  DATE NOT NULL,
    file_path       VARCHAR NOT NULL,
    file_size       BIGINT NOT NULL,
    file_mtime_ns   BIGINT NOT NULL,
    row_count       BIGINT NOT NULL,
    run_id          BIGINT NOT NULL,
    loaded_at       TIMESTAMP NOT NULL
);

-- Dimensions ---------------------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS dim_date (
    date_key         INTEGER PRIMARY KEY, -- yyyymmdd
    full_date        DATE NOT NULL UNIQUE,
    year             SMALLINT NOT NULL,
    quarter          TINYINT NOT NULL,
    month            TINYINT NOT NULL,
    month_name       VARCHAR NOT NULL,
    day_of_month     TINYINT NOT NULL,
    iso_day_of_week  TINYINT NOT NULL,    -- 1 = Monday
    day_name         VARCHAR NOT NULL,
    week_start_date  DATE NOT NULL,       -- the Monday of its ISO week
    iso_week         TINYINT NOT NULL,
    is_weekend       BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_platform (
    platform_key   SMALLINT PRIMARY KEY,
    platform_name  VARCHAR NOT NULL UNIQUE,
    display_name   VARCHAR NOT NULL,
    launched_year  SMALLINT
);

CREATE TABLE IF NOT EXISTS dim_event_type (
    event_type_key  SMALLINT PRIMARY KEY,
    event_type      VARCHAR NOT NULL UNIQUE,
    funnel_step     TINYINT,              -- position in view > like > comment > share > create; NULL outside it
    description     VARCHAR
);

CREATE TABLE IF NOT EXISTS dim_country (
    country_code  VARCHAR PRIMARY KEY,    -- ISO 3166-1 alpha-2, as in the lake
    iso3          VARCHAR NOT NULL,       -- ISO 3166-1 alpha-3, as maps want it
    country_name  VARCHAR NOT NULL,
    region        VARCHAR NOT NULL
);

-- SCD type 2: one row per version of a user's attributes, valid in [valid_from, valid_to).
CREATE TABLE IF NOT EXISTS dim_users (
    user_key     INTEGER NOT NULL,
    user_id      BIGINT NOT NULL,
    segment      VARCHAR,
    country      VARCHAR,
    age_group    VARCHAR,
    signup_date  DATE,
    valid_from   TIMESTAMP NOT NULL,
    valid_to     TIMESTAMP NOT NULL,      -- 9999-12-31 for the current version
    is_current   BOOLEAN NOT NULL
);

-- Facts --------------------------------------------------------------------------------------------------------------
-- One row per event. user_id is kept beside user_key so distinct-user counts need no join.
CREATE TABLE IF NOT EXISTS fct_events (
    event_id        BIGINT NOT NULL,
    session_id      BIGINT,
    event_ts        TIMESTAMP NOT NULL,
    date_key        INTEGER NOT NULL,
    user_key        INTEGER NOT NULL,
    user_id         BIGINT NOT NULL,
    platform_key    SMALLINT NOT NULL,
    event_type_key  SMALLINT NOT NULL,
    device          VARCHAR,
    country         VARCHAR               -- where the event happened (ISO alpha-2)
);

-- Rows of the lake that could not be loaded, with why; replaced with their partition.
CREATE TABLE IF NOT EXISTS quarantine_events (
    run_id          BIGINT NOT NULL,
    event_date      DATE NOT NULL,
    source_file     VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    event_id        BIGINT,
    user_id         BIGINT,
    platform        VARCHAR,
    event_type      VARCHAR,
    event_ts        TIMESTAMP,
    session_id      BIGINT,
    device          VARCHAR,
    country         VARCHAR,
    quarantined_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS quarantine_users (
    run_id          BIGINT NOT NULL,
    change_date     DATE NOT NULL,
    source_file     VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    user_id         BIGINT,
    segment         VARCHAR,
    country         VARCHAR,
    age_group       VARCHAR,
    signup_date     DATE,
    updated_at      TIMESTAMP,
    quarantined_at  TIMESTAMP NOT NULL
);

-- Aggregates ---------------------------------------------------------------------------------------------------------
-- One row per (day, platform, user version) with activity: the base of every distinct-user count under any filter.
CREATE TABLE IF NOT EXISTS agg_user_activity_daily (
    activity_date  DATE NOT NULL,
    date_key       INTEGER NOT NULL,
    platform_key   SMALLINT NOT NULL,
    user_key       INTEGER NOT NULL,
    user_id        BIGINT NOT NULL,
    segment        VARCHAR,               -- the user's segment when the events happened (SCD2)
    user_country   VARCHAR,               -- the user's home country then
    event_count    INTEGER NOT NULL,
    session_count  INTEGER NOT NULL
);

-- One row per (day, platform): platform = 'all' counts a person once across the apps.
CREATE TABLE IF NOT EXISTS agg_daily_metrics (
    metric_date  DATE NOT NULL,
    platform     VARCHAR NOT NULL,
    dau          INTEGER NOT NULL,
    wau          INTEGER NOT NULL,        -- distinct users active in [d-6, d]
    mau          INTEGER NOT NULL,        -- distinct users active in [d-29, d]
    stickiness   DOUBLE,                  -- dau / mau
    events       BIGINT NOT NULL,
    sessions     BIGINT NOT NULL,
    new_users    INTEGER NOT NULL         -- first activity ever (on that platform) on this day
);

-- One row per user: lifetime and last-28-days engagement as of the last loaded day.
CREATE TABLE IF NOT EXISTS agg_user_engagement (
    user_id            BIGINT NOT NULL,
    first_active_date  DATE NOT NULL,
    last_active_date   DATE NOT NULL,
    active_days        INTEGER NOT NULL,
    events             BIGINT NOT NULL,
    sessions           BIGINT NOT NULL,
    platforms_used     TINYINT NOT NULL,
    active_days_l28    INTEGER NOT NULL,
    events_l28         BIGINT NOT NULL,
    engagement_score   DOUBLE NOT NULL    -- 0..100, see docs/data_model.md
);

-- One row per (cohort week, weeks since): cohort = ISO week of a user's first activity on any platform.
CREATE TABLE IF NOT EXISTS agg_retention_cohorts (
    cohort_week   DATE NOT NULL,
    period        INTEGER NOT NULL,       -- weeks after the cohort week; 0 = the cohort week itself
    cohort_size   INTEGER NOT NULL,
    active_users  INTEGER NOT NULL,
    retention     DOUBLE NOT NULL,        -- active_users / cohort_size
    is_complete   BOOLEAN NOT NULL        -- the period's week is fully inside the loaded data
);

-- Helpers --------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE MACRO date_key_of(d) AS CAST(year(d) * 10000 + month(d) * 100 + day(d) AS INTEGER);
CREATE OR REPLACE MACRO date_of_key(k) AS make_date(CAST(k // 10000 AS BIGINT), CAST(k // 100 % 100 AS BIGINT), CAST(k % 100 AS BIGINT));

-- Aggregates for the dashboard's filters (platform subsets x segments) -----------------------------------------------
-- One row per (day, user, segment) with activity: which platforms (bit platform_key - 1), home country, events.
CREATE TABLE IF NOT EXISTS agg_user_day (
    activity_date  DATE NOT NULL,
    user_id        BIGINT NOT NULL,
    segment        VARCHAR,
    platform_mask  UTINYINT NOT NULL,
    user_country   VARCHAR,
    events         INTEGER NOT NULL,
    sessions       INTEGER NOT NULL,
    day_platform_mask  UTINYINT NOT NULL, -- the user's platforms that day across segments (differs only on a day
    is_day_first       BOOLEAN NOT NULL   -- their segment changed); is_day_first marks one row per (day, user)
);

-- One row per (day, segment or 'all', window, mask): how many users' platforms over the window ending that day
-- (window_days 1 = that day, 7, 30) are exactly that mask. Users active on a platform subset S = sum(users) where
-- platform_mask & S <> 0: distinct counts for any filter without touching the users.
CREATE TABLE IF NOT EXISTS agg_active_masks (
    activity_date  DATE NOT NULL,
    segment        VARCHAR NOT NULL,
    window_days    TINYINT NOT NULL,
    platform_mask  UTINYINT NOT NULL,
    users          INTEGER NOT NULL
);

-- One row per (period, segment or 'all', mask this period, mask the period before): how many users made that
-- transition. Growth accounting for any platform subset: retained, churned and returning users, by day or week.
CREATE TABLE IF NOT EXISTS agg_growth_transitions (
    grain          VARCHAR NOT NULL,      -- day, week
    period_start   DATE NOT NULL,
    segment        VARCHAR NOT NULL,
    mask_now       UTINYINT NOT NULL,
    mask_before    UTINYINT NOT NULL,
    users          INTEGER NOT NULL
);

-- One row per (user, platform): the first day ever active there, and the user's segment that day.
CREATE TABLE IF NOT EXISTS agg_user_platform_first (
    user_id        BIGINT NOT NULL,
    platform_key   SMALLINT NOT NULL,
    first_date     DATE NOT NULL,
    segment        VARCHAR
);

-- One row per (ISO week, user, segment) with activity: which platforms.
CREATE TABLE IF NOT EXISTS agg_user_week (
    week_start     DATE NOT NULL,
    user_id        BIGINT NOT NULL,
    segment        VARCHAR,
    platform_mask  UTINYINT NOT NULL
);

-- One row per funnel event (view, like, comment, share, create): the fact narrowed to what the funnel reads, with
-- the user's segment at the event's time.
CREATE TABLE IF NOT EXISTS fct_funnel_events (
    date_key      INTEGER NOT NULL,
    user_id       BIGINT NOT NULL,
    platform_key  SMALLINT NOT NULL,
    segment       VARCHAR,
    step          TINYINT NOT NULL,
    event_ts      TIMESTAMP NOT NULL
);

-- One row per (day, platform, segment) with activity: events and sessions, for event totals under any filter.
CREATE TABLE IF NOT EXISTS agg_daily_volume (
    activity_date  DATE NOT NULL,
    platform_key   SMALLINT NOT NULL,
    segment        VARCHAR,
    users          INTEGER NOT NULL,      -- user versions active: not a distinct count across rows
    events         BIGINT NOT NULL,
    sessions       BIGINT NOT NULL
);

-- One row per user: the first day ever active on the platforms of a mask, and their segment that day.
CREATE OR REPLACE MACRO first_activity(platform_mask) AS TABLE
    SELECT user_id, min(first_date) AS first_day, arg_min(segment, first_date) AS first_segment
    FROM agg_user_platform_first
    WHERE (1 << (platform_key - 1)) & platform_mask <> 0
    GROUP BY user_id;

-- One row per user active on the platforms of a mask between two days (in a segment, or 'all'): their events.
CREATE OR REPLACE MACRO user_events(first_day, last_day, platform_mask, segment_filter) AS TABLE
    SELECT user_id, sum(event_count) AS events
    FROM agg_user_activity_daily
    WHERE activity_date BETWEEN first_day AND last_day AND (1 << (platform_key - 1)) & platform_mask <> 0
      AND (segment_filter = 'all' OR segment = segment_filter)
    GROUP BY user_id;
