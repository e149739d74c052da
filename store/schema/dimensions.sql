-- Dimensions: calendar, reference values (from store/seeds) and users as SCD type 2. Idempotent.
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
