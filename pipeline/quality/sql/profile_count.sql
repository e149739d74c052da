-- One row: how many of the things inspected for $table_name have $metric (NULL when nothing was inspected).
SELECT CASE WHEN sum(value) FILTER (WHERE metric = 'rows') > 0 THEN coalesce(sum(value) FILTER (WHERE metric = $metric), 0) END
           AS observed,
       format('{:,} of {:,}', coalesce(sum(value) FILTER (WHERE metric = $metric), 0),
              coalesce(sum(value) FILTER (WHERE metric = 'rows'), 0)) AS detail
FROM stg_profile
WHERE table_name = $table_name;
