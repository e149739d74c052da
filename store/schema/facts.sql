-- Facts, and the lake rows that could not become facts (quarantine). Idempotent.

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

-- One row per funnel event (view, like, comment, share, create): the fact narrowed to what the funnel panel reads,
-- with the user's segment at the event's time.
CREATE TABLE IF NOT EXISTS fct_funnel_events (
    date_key      INTEGER NOT NULL,
    user_id       BIGINT NOT NULL,
    platform_key  SMALLINT NOT NULL,
    segment       VARCHAR,
    step          TINYINT NOT NULL,
    event_ts      TIMESTAMP NOT NULL
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
