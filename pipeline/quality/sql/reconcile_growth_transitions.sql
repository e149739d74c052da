-- One row: days in scope where the daily transitions of agg_growth_transitions ('all') disagree with the DAU of
-- agg_daily_metrics: users active now must be DAU(t), users active the day before DAU(t-1).
WITH transitions AS (
    SELECT period_start AS day,
           sum(users) FILTER (WHERE mask_now <> 0) AS active_now,
           sum(users) FILTER (WHERE mask_before <> 0) AS active_before
    FROM agg_growth_transitions
    WHERE grain = 'day' AND segment = 'all' AND age_group = 'all' AND period_start IN (SELECT day FROM dq_scope)
    GROUP BY period_start
),
dau AS (
    SELECT metric_date AS day, dau FROM dq_daily_metrics WHERE platform = 'all'
),
checked AS (
    SELECT t.day,
           coalesce(t.active_now, 0) = coalesce(n.dau, 0)
           AND coalesce(t.active_before, 0) = coalesce(b.dau, 0) AS holds
    FROM transitions AS t
    LEFT JOIN dau AS n ON n.day = t.day
    LEFT JOIN dau AS b ON b.day = t.day - 1
)
SELECT count(*) FILTER (WHERE NOT holds) AS observed, 'e.g. ' || min(day) FILTER (WHERE NOT holds) AS detail
FROM checked;
