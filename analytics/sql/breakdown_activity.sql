-- One row per (day with activity from $start to $end, value of $dimension): DAU of the value, the people active that
-- day on the platforms of $platform_mask (in $segment and $age_group, or 'all') with an event of that value
-- (agg_breakdown_daily; docs/metrics.md#breakdowns). $dimension is one of the allow-listed dimensions
-- (analytics/panels.py BREAKDOWNS).
SELECT activity_date AS day, value, CAST(sum(users) AS BIGINT) AS dau
FROM agg_breakdown_daily
WHERE dimension = $dimension AND segment = $segment AND age_group = $age_group AND activity_date BETWEEN $start AND $end
  AND platform_mask & $platform_mask <> 0
GROUP BY ALL
ORDER BY day, value;
