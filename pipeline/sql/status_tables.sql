-- One row per published table and mart (the three named marts are views: counted as they are now), with its rows.
SELECT 'fct_events' AS table_name, count(*) AS row_count FROM fct_events
UNION ALL SELECT 'dim_users', count(*) FROM dim_users
UNION ALL SELECT 'dim_users (current)', count(*) FROM dim_users WHERE is_current
UNION ALL SELECT 'quarantine_events', count(*) FROM quarantine_events
UNION ALL SELECT 'quarantine_users', count(*) FROM quarantine_users
UNION ALL SELECT 'fct_funnel_events', count(*) FROM fct_funnel_events
UNION ALL SELECT 'agg_user_activity_daily', count(*) FROM agg_user_activity_daily
UNION ALL SELECT 'agg_user_day', count(*) FROM agg_user_day
UNION ALL SELECT 'agg_user_week', count(*) FROM agg_user_week
UNION ALL SELECT 'agg_active_masks', count(*) FROM agg_active_masks
UNION ALL SELECT 'agg_daily_volume', count(*) FROM agg_daily_volume
UNION ALL SELECT 'agg_breakdown_daily', count(*) FROM agg_breakdown_daily
UNION ALL SELECT 'agg_user_platform_first', count(*) FROM agg_user_platform_first
UNION ALL SELECT 'agg_growth_transitions', count(*) FROM agg_growth_transitions
UNION ALL SELECT 'agg_daily_metrics (view)', count(*) FROM agg_daily_metrics
UNION ALL SELECT 'agg_user_engagement (view)', count(*) FROM agg_user_engagement
UNION ALL SELECT 'agg_retention_cohorts (view)', count(*) FROM agg_retention_cohorts;
