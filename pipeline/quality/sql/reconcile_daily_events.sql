-- One row: days in scope where the events of agg_daily_metrics (all platforms) or the summed event_count of
-- agg_user_activity_daily differ from the rows of fct_events that day.
WITH facts AS (
    SELECT date_key, count(*) AS facts
    FROM fct_events
    WHERE date_key IN (SELECT date_key_of(day) FROM dq_scope)
    GROUP BY date_key
),
metrics AS (
    SELECT date_key_of(metric_date) AS date_key, events
    FROM dq_daily_metrics
    WHERE platform = 'all' AND metric_date IN (SELECT day FROM dq_scope)
),
activity AS (
    SELECT date_key, sum(event_count) AS events
    FROM agg_user_activity_daily
    WHERE activity_date IN (SELECT day FROM dq_scope)
    GROUP BY date_key
),
compared AS (
    SELECT date_key, coalesce(f.facts, 0) AS facts, coalesce(m.events, 0) AS metric_events,
           coalesce(a.events, 0) AS activity_events
    FROM facts AS f
    FULL JOIN metrics AS m USING (date_key)
    FULL JOIN activity AS a USING (date_key)
)
SELECT count(*) FILTER (WHERE facts <> metric_events OR facts <> activity_events) AS observed,
       'e.g. ' || min(date_key) FILTER (WHERE facts <> metric_events OR facts <> activity_events) AS detail
FROM compared;
