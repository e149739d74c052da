-- Churn risk: one table of feature snapshots (what was known of each person at the end of a snapshot day), and the
-- label of a snapshot, defined once. docs/churn.md defines every column. Idempotent.

-- One row per (snapshot day, person active in the 28 days ending that day): their features as of the end of that
-- day, computed from activity on days up to it and the user versions valid from before it ended (point in time).
CREATE TABLE IF NOT EXISTS churn_features (
    snapshot_date          DATE NOT NULL,
    user_id                BIGINT NOT NULL,
    recency_days           INTEGER NOT NULL,   -- snapshot day - last active day (0..27)
    active_days_7          INTEGER NOT NULL,
    active_days_28         INTEGER NOT NULL,
    events_7               BIGINT NOT NULL,
    events_28              BIGINT NOT NULL,
    activity_trend         DOUBLE NOT NULL,    -- active days per day: last 7 minus the 21 before
    events_trend           DOUBLE NOT NULL,    -- events per day: last 7 minus the 21 before
    sessions_28            BIGINT NOT NULL,
    events_per_session_28  DOUBLE NOT NULL,
    platforms_7            INTEGER NOT NULL,
    platforms_28           INTEGER NOT NULL,
    top_platform           VARCHAR NOT NULL,   -- the platform with most of their events in the 28 days
    top_platform_share     DOUBLE NOT NULL,
    funnel_depth_28        DOUBLE NOT NULL,    -- share of their events in the 28 days that are like, comment, share or create
    tenure_days            INTEGER,            -- snapshot day - sign-up date (NULL: no sign-up date)
    segment                VARCHAR,
    age_group              VARCHAR,
    country                VARCHAR,
    device                 VARCHAR,            -- their most used device in the 28 days
    attribute_changes_28   INTEGER NOT NULL,   -- versions of their attributes that began in the 28 days (not the first)
    platform_mask_28       INTEGER             -- the platforms they used in the 28 days (bit platform_key - 1)
);
-- added after the first release: a warehouse from then gets the column (NULL until its snapshots are rebuilt)
ALTER TABLE churn_features ADD COLUMN IF NOT EXISTS platform_mask_28 INTEGER;

-- One row per (snapshot of churn_features, person) whose label is known: churned = no activity on any platform in
-- the `horizon` days after the snapshot day; known when those days are all in the data (snapshot + horizon <= the
-- last day with activity).
CREATE OR REPLACE MACRO churn_labels(horizon) AS TABLE
    SELECT f.snapshot_date, f.user_id,
           NOT EXISTS (SELECT 1 FROM agg_user_day AS d
                       WHERE d.user_id = f.user_id AND d.activity_date > f.snapshot_date
                         AND d.activity_date <= f.snapshot_date + CAST(horizon AS INTEGER)) AS churned
    FROM churn_features AS f
    WHERE f.snapshot_date + CAST(horizon AS INTEGER) <= data_last_day();

-- One row per (person of the labelled snapshot `snapshot_day` of churn_features who used a platform of
-- `selected_mask` in its 28 days):
-- churned as above, and churned_from_selected = no activity on the platforms of `selected_mask` in those days
-- (churn per platform: someone who moved to another app churned from the selected ones, not from every app).
CREATE OR REPLACE MACRO churn_labels_on(horizon, selected_mask, snapshot_day) AS TABLE
    SELECT f.snapshot_date, f.user_id, f.segment, f.age_group,
           NOT EXISTS (SELECT 1 FROM agg_user_day AS d
                       WHERE d.user_id = f.user_id AND d.activity_date > f.snapshot_date
                         AND d.activity_date <= f.snapshot_date + CAST(horizon AS INTEGER)) AS churned,
           NOT EXISTS (SELECT 1 FROM agg_user_day AS d
                       WHERE d.user_id = f.user_id AND d.activity_date > f.snapshot_date
                         AND d.activity_date <= f.snapshot_date + CAST(horizon AS INTEGER)
                         AND d.day_platform_mask & selected_mask <> 0) AS churned_from_selected
    FROM churn_features AS f
    WHERE f.snapshot_date = snapshot_day AND f.snapshot_date + CAST(horizon AS INTEGER) <= data_last_day()
      AND f.platform_mask_28 & selected_mask <> 0;

CREATE SEQUENCE IF NOT EXISTS churn_model_id_seq START 1;

-- One row per training run of the churn model: when, on which data version and snapshot days, with which
-- parameters, its holdout metrics beside the recency-only baseline's, the features' weights, and the saved model.
CREATE TABLE IF NOT EXISTS churn_models (
    model_id        INTEGER NOT NULL,
    trained_at      TIMESTAMP NOT NULL,
    data_version    INTEGER NOT NULL,       -- the last succeeded run that published data (etl_runs.run_id)
    horizon_days    INTEGER NOT NULL,
    train_days      DATE[] NOT NULL,        -- the snapshot days trained on
    holdout_day     DATE NOT NULL,          -- the latest labelled snapshot day, held out for the metrics
    train_rows      INTEGER NOT NULL,
    holdout_rows    INTEGER NOT NULL,
    parameters      VARCHAR NOT NULL,       -- JSON
    metrics         VARCHAR NOT NULL,       -- JSON: model and baseline, each ROC AUC, PR AUC, Brier, top-decile lift, calibration
    importances     VARCHAR NOT NULL,       -- JSON: feature -> mean absolute contribution on the holdout
    model_path      VARCHAR NOT NULL,       -- the saved model, in the data folder
    seconds         DOUBLE NOT NULL
);

-- One row per person scored on the latest snapshot day: their churn probability by a model, its risk band, and the
-- features that push it up most (the reasons).
CREATE TABLE IF NOT EXISTS churn_scores (
    snapshot_date   DATE NOT NULL,
    user_id         BIGINT NOT NULL,
    model_id        INTEGER NOT NULL,
    score           DOUBLE NOT NULL,        -- probability of churning in the horizon after snapshot_date
    risk_band       VARCHAR NOT NULL,       -- high (>= 0.5), medium (>= 0.2), low
    reasons         VARCHAR[] NOT NULL      -- up to 3 features raising the score, strongest first
);

-- One row per person scored on the latest day (churn_scores) who used a platform of `selected_mask` in the 28 days
-- before it (or whose platforms are unknown: a snapshot from before platform_mask_28) and whose segment and age group
-- that day are `segment_filter` and `age_filter` ('all': any): their features that day, score, risk band, reasons and
-- the model that scored them.
CREATE OR REPLACE MACRO scored_people(selected_mask, segment_filter, age_filter) AS TABLE
    SELECT f.*, s.model_id, s.score, s.risk_band, s.reasons
    FROM churn_scores AS s
    JOIN churn_features AS f USING (snapshot_date, user_id)
    WHERE (f.platform_mask_28 IS NULL OR f.platform_mask_28 & selected_mask <> 0)
      AND (segment_filter = 'all' OR f.segment = segment_filter) AND (age_filter = 'all' OR f.age_group = age_filter);
