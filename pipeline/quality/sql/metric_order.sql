-- One row: rows of agg_daily_metrics in scope breaking 0 <= DAU <= WAU <= MAU, or stickiness <> DAU / MAU.
SELECT count(*) AS observed, 'e.g. ' || min(metric_date) || ' ' || min(platform) AS detail
FROM dq_daily_metrics
WHERE metric_date IN (SELECT day FROM dq_scope)
  AND NOT (0 <= dau AND dau <= wau AND wau <= mau
           AND (mau = 0 OR abs(stickiness - dau / mau) < 1e-9) AND events >= 0 AND new_users >= 0);
