-- Alerting: the incidents that alerted (pipeline/alerts.py), each from when it opened until it resolved, so that
-- one condition alerts once, and once more when it is resolved. Idempotent.

-- One row per incident: a condition a run found (a failed run, a failed check, a skipped partition, stale data),
-- opened by the first run that found it, resolved by the first later run that found it gone. At most one open row
-- per incident_key.
CREATE TABLE IF NOT EXISTS alert_incidents (
    incident_key          VARCHAR NOT NULL,   -- run_failed:etl|dq, check:etl|dq:<name>, skipped:<kind>:<day>, stale
    kind                  VARCHAR NOT NULL,   -- run_failed, check_failed, partition_skipped, stale_data
    summary               VARCHAR NOT NULL,   -- the alert's one line
    details               VARCHAR NOT NULL,   -- JSON: the structured fields of the alert
    opened_at             TIMESTAMP NOT NULL,
    opened_by_run         BIGINT,
    last_seen_at          TIMESTAMP NOT NULL,
    last_seen_run         BIGINT,
    resolved_at           TIMESTAMP,
    resolved_by_run       BIGINT,
    notified_at           TIMESTAMP,          -- the alert delivered (NULL: not yet; the next evaluation tries again)
    resolved_notified_at  TIMESTAMP           -- the "resolved" message delivered
);
