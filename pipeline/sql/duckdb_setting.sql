-- One row: the current value of the DuckDB setting $name (a failed run's hint names the limit it met).
SELECT current_setting($name) AS value;
