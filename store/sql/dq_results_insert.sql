-- Record check results: one row per check of a run.
INSERT INTO dq_results
SELECT r.run_id, r.check_name, r.family, r.table_name, r.severity, r.status, r.observed, r.threshold, r.message,
       r.checked_at
FROM (SELECT unnest(CAST($results AS STRUCT(run_id BIGINT, check_name VARCHAR, family VARCHAR, table_name VARCHAR,
                                            severity VARCHAR, status VARCHAR, observed DOUBLE, threshold VARCHAR,
                                            message VARCHAR, checked_at TIMESTAMP)[]), recursive := true)) AS r;
