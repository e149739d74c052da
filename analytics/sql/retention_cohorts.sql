-- One row per (cohort week, period): a cohort is the users whose known first activity ever on the platforms of
-- $platform_mask (their segment and age group at that first event $segment
-- and $age_group, or 'all') falls in a week from $start's to $end;
-- period N counts those active there (in both) in the N-th week after it; is_complete: that week is fully in
-- the data; is_cohort_complete: the cohort's own week is (retention_cohorts, store/schema/metrics.sql).
SELECT cohort_week, period, cohort_size, active_users, retention, is_complete, is_cohort_complete
FROM retention_cohorts($platform_mask, $segment, $age_group, $start, $end)
ORDER BY cohort_week, period;
