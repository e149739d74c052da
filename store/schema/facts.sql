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
-- with the user's segment and age group at the event's time, the user version then (user_key: home country for a
-- breakdown) and the event's device.
CREATE TABLE IF NOT EXISTS fct_funnel_events (
    date_key      INTEGER NOT NULL,
    user_id       BIGINT NOT NULL,
    platform_key  SMALLINT NOT NULL,
    segment       VARCHAR,
    step          TINYINT NOT NULL,
    event_ts      TIMESTAMP NOT NULL,
    user_key      INTEGER,
    device        VARCHAR,
    age_group     VARCHAR
);
-- A warehouse from before user_key and device gets them, and its funnel rows are rebuilt once from the facts (the
-- same rows, with the two columns filled): every row of a day built since has a user_key.
ALTER TABLE fct_funnel_events ADD COLUMN IF NOT EXISTS user_key INTEGER;
ALTER TABLE fct_funnel_events ADD COLUMN IF NOT EXISTS device VARCHAR;
ALTER TABLE fct_funnel_events ADD COLUMN IF NOT EXISTS age_group VARCHAR;
BEGIN TRANSACTION;
CREATE OR REPLACE TEMP TABLE funnel_days_to_fill AS
SELECT DISTINCT date_key FROM fct_funnel_events WHERE user_key IS NULL;
DELETE FROM fct_funnel_events WHERE date_key IN (SELECT date_key FROM funnel_days_to_fill);
INSERT INTO fct_funnel_events (date_key, user_id, platform_key, segment, step, event_ts, user_key, device, age_group)
SELECT f.date_key, f.user_id, f.platform_key, u.segment, t.funnel_step, f.event_ts, f.user_key, f.device, u.age_group
FROM fct_events AS f
JOIN dim_event_type AS t USING (event_type_key)
JOIN dim_users AS u USING (user_key)
WHERE t.funnel_step IS NOT NULL
  AND f.date_key IN (SELECT date_key FROM funnel_days_to_fill)
ORDER BY f.date_key, t.funnel_step;
DROP TABLE funnel_days_to_fill;
COMMIT;

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
