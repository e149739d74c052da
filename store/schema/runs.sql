-- Run history and lineage: what ran, what each check found, which lake files were loaded. Idempotent.
CREATE SEQUENCE IF NOT EXISTS etl_run_id_seq START 1;

-- One row per run (ETL or data-quality), whatever started it. While a run executes, `partitions` (planned) and
-- `partitions_done` (processed so far in its uncommitted transaction) are written by the run's own cursor; once
-- it ends, `partitions_done` is what it published (0 when it failed).
CREATE TABLE IF NOT EXISTS etl_runs (
    run_id            BIGINT PRIMARY KEY,
    trigger           VARCHAR NOT NULL,   -- cli, schedule, manual, backfill
    requested_by      VARCHAR,
    parameters        VARCHAR,            -- JSON: mode (incremental, backfill, dq), start, end
    status            VARCHAR NOT NULL,   -- queued, running, succeeded, succeeded_with_warnings, failed, cancelled
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
-- JSON object: seconds per step of the run (its SQL steps, the checks as "check <name>"), in the order they ran.
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS step_seconds VARCHAR;
-- JSON list: the lake partitions the run skipped, each {kind, day, reason} (the reason names the file); a run that
-- skipped any ends succeeded_with_warnings.
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS skipped VARCHAR;
-- JSON list: the lake partitions the run set out to load, each {kind, day} (those it skipped included).
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS planned VARCHAR;
-- What staged the run's event partitions: duckdb or spark (pipeline/spark/); NULL for a dq run and runs before it.
ALTER TABLE etl_runs ADD COLUMN IF NOT EXISTS engine VARCHAR;

-- Whether a run's status is a success: it published what it could (with warnings: some partitions skipped).
CREATE OR REPLACE MACRO run_succeeded(status) AS status IN ('succeeded', 'succeeded_with_warnings');

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

-- The data version: the last succeeded run that published partitions (0 before any; a run that found nothing new,
-- or a data-quality run, changes no data). What the panels' cache is keyed by and what a churn model was trained on.
CREATE OR REPLACE MACRO data_version() AS (
    SELECT coalesce(max(run_id) FILTER (WHERE coalesce(partitions, 0) > 0
                                          AND coalesce(json_extract_string(parameters, '$.mode'), '') <> 'dq'), 0)
    FROM etl_runs
    WHERE run_succeeded(status)
);

-- One row per run: its record (mode from its parameters), with its check counts and the names of the checks that
-- failed or warned. What the run history (CLI, admin page, runs API) shows.
CREATE OR REPLACE MACRO run_history() AS TABLE
    WITH checks AS (
        SELECT run_id,
               count(*) AS checks,
               count(*) FILTER (WHERE status = 'pass') AS checks_passed,
               count(*) FILTER (WHERE status = 'warn') AS checks_warned,
               count(*) FILTER (WHERE status = 'fail') AS checks_failed,
               string_agg(check_name, ', ' ORDER BY check_name) FILTER (WHERE status = 'fail') AS failed_checks,
               string_agg(check_name, ', ' ORDER BY check_name) FILTER (WHERE status = 'warn') AS warned_checks
        FROM dq_results
        GROUP BY run_id
    )
    SELECT r.run_id, r.trigger, r.requested_by, json_extract_string(r.parameters, '$.mode') AS mode, r.parameters,
           r.status, r.queued_at, r.started_at, r.ended_at, r.partitions, r.partitions_done, r.rows_read,
           r.rows_loaded, r.rows_quarantined, r.message, r.error, r.step_seconds, r.skipped,
           coalesce(c.checks, 0) AS checks, coalesce(c.checks_passed, 0) AS checks_passed,
           coalesce(c.checks_warned, 0) AS checks_warned, coalesce(c.checks_failed, 0) AS checks_failed,
           c.failed_checks, c.warned_checks, r.engine
    FROM etl_runs AS r
    LEFT JOIN checks AS c USING (run_id);
