-- One row per published table with its row count.
SELECT 'fct_events' AS table_name, count(*) AS row_count FROM fct_events
UNION ALL SELECT 'dim_users', count(*) FROM dim_users
UNION ALL SELECT 'dim_users (current)', count(*) FROM dim_users WHERE is_current
UNION ALL SELECT 'quarantine_events', count(*) FROM quarantine_events
UNION ALL SELECT 'quarantine_users', count(*) FROM quarantine_users
UNION ALL SELECT 'agg_user_activity_daily', count(*) FROM agg_user_activity_daily
UNION ALL SELECT 'agg_daily_metrics', count(*) FROM agg_daily_metrics
UNION ALL SELECT 'agg_user_engagement', count(*) FROM agg_user_engagement
UNION ALL SELECT 'agg_retention_cohorts', count(*) FROM agg_retention_cohorts;
