-- One row: days in scope where fct_funnel_events holds another number of rows than fct_events has funnel events.
WITH facts AS (
    SELECT f.date_key, count(*) AS n
    FROM fct_events AS f
    JOIN dim_event_type AS t USING (event_type_key)
    WHERE t.funnel_step IS NOT NULL AND f.date_key IN (SELECT date_key_of(day) FROM dq_scope)
    GROUP BY f.date_key
),
funnel AS (
    SELECT date_key, count(*) AS n
    FROM fct_funnel_events
    WHERE date_key IN (SELECT date_key_of(day) FROM dq_scope)
    GROUP BY date_key
)
SELECT count(*) FILTER (WHERE coalesce(a.n, 0) <> coalesce(b.n, 0)) AS observed,
       'e.g. ' || min(date_key) FILTER (WHERE coalesce(a.n, 0) <> coalesce(b.n, 0)) AS detail
FROM facts AS a
FULL JOIN funnel AS b USING (date_key);
