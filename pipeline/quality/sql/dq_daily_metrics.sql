-- One row per (day, platform or 'all') of agg_daily_metrics for the days in scope and the day before each (the
-- growth checks compare with yesterday's DAU), computed once for the checks that read the daily metrics (the view
-- computes every day each time it is read).
CREATE OR REPLACE TEMP TABLE dq_daily_metrics AS
WITH span AS (
    SELECT greatest(min(day) - 1, data_first_day()) AS from_day, least(max(day), data_last_day()) AS to_day
    FROM dq_scope
)
SELECT m.*
FROM span, LATERAL daily_metrics(span.from_day, span.to_day) AS m
WHERE m.metric_date IN (SELECT day FROM dq_scope UNION SELECT day - 1 FROM dq_scope);
