-- One row: how many rows of {{table}} in scope have a {{column}} with no row in {{to_table}}.
SELECT count(*) AS observed, NULL AS detail
FROM {{table}} AS t
WHERE {{scope}}
  AND NOT EXISTS (SELECT 1 FROM {{to_table}} AS d WHERE d.{{to_column}} = t.{{column}});
