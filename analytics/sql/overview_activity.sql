-- One row per day from $start to $end: the users active on the platforms of $platform_mask (and in $segment and
-- $age_group, or 'all') that day, in the 7 and 30 days ending that day, stickiness (DAU / MAU), their events there,
-- and the users whose first activity ever on those platforms was that day (daily_activity,
-- store/schema/metrics.sql).
SELECT day, dau, wau, mau, stickiness, events, new_users
FROM daily_activity($platform_mask, $segment, $age_group, $start, $end)
ORDER BY day;
