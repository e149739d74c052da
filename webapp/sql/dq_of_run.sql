-- One row per check a run evaluated, failures and warnings first.
SELECT check_name, family, table_name, severity, status, observed, threshold, message
FROM dq_results
WHERE run_id = $run_id
ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, check_name;
