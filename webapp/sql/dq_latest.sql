-- One row per check: its latest result, failures and warnings first.
SELECT check_name, family, table_name, severity, status, observed, threshold, message, run_id, checked_at
FROM dq_results
QUALIFY row_number() OVER (PARTITION BY check_name ORDER BY run_id DESC) = 1
ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, check_name;
