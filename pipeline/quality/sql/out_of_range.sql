-- One row: how many rows of {{table}} in scope have {{column}} missing or outside [$min, $max].
SELECT count(*) FILTER (WHERE t.{{column}} IS NULL OR t.{{column}} < $min OR t.{{column}} > $max) AS observed,
       'range ' || min(t.{{column}}) || ' .. ' || max(t.{{column}}) AS detail
FROM {{table}} AS t
WHERE {{scope}};
