-- One row: how many rows of {{table}} in scope repeat a key ({{columns}}) held by another row. Grouped rather than
-- count(DISTINCT ...): a grouping spills to disk under the memory limit, a DISTINCT aggregate does not.
SELECT coalesce(sum(copies - 1), 0) AS observed, NULL AS detail
FROM (
    SELECT count(*) AS copies
    FROM {{table}} AS t
    WHERE {{scope}}
    GROUP BY {{columns}}
    HAVING count(*) > 1
);
