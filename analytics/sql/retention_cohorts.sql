-- One row per (cohort week, period): a cohort is the users whose first active week ever on the platforms of
-- $platform_mask (in $segment, or 'all') falls between $start and $end; period N counts those active there in the
-- N-th week after it (retention_cohorts, store/schema/metrics.sql).
SELECT cohort_week, period, cohort_size, active_users, retention, is_complete
FROM retention_cohorts($platform_mask, $segment, $start, $end)
ORDER BY cohort_week, period;
