-- One row: how many rows of {{table}} in scope repeat a key ({{columns}}) held by another row.
SELECT count(*) - count(DISTINCT ({{columns}})) AS observed, NULL AS detail
FROM {{table}} AS t
WHERE {{scope}};
