-- One row: the span of loaded days, events and people in the warehouse, and the last run's outcome.
SELECT (SELECT min(metric_date) FROM agg_daily_metrics) AS first_day,
       (SELECT max(metric_date) FROM agg_daily_metrics) AS last_day,
       (SELECT count(*) FROM fct_events) AS events,
       (SELECT count(*) FROM dim_users WHERE is_current) AS users,
       (SELECT status FROM etl_runs ORDER BY run_id DESC LIMIT 1) AS last_run_status,
       (SELECT ended_at FROM etl_runs ORDER BY run_id DESC LIMIT 1) AS last_run_ended_at;
