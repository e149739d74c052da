-- One row per calendar day, continuous from the earliest to the latest day loaded; adds only the missing days.
INSERT INTO dim_date
WITH bounds AS (
    SELECT least(CAST($start_date AS DATE), min(full_date)) AS first_day,
           greatest(CAST($end_date AS DATE), max(full_date)) AS last_day
    FROM dim_date
),
days AS (
    SELECT CAST(g.day AS DATE) AS d
    FROM bounds, generate_series(CAST(first_day AS TIMESTAMP), CAST(last_day AS TIMESTAMP), INTERVAL 1 DAY) AS g(day)
)
SELECT date_key_of(d), d, year(d), quarter(d), month(d), monthname(d), day(d), isodow(d), dayname(d),
       CAST(date_trunc('week', d) AS DATE), weekofyear(d), isodow(d) >= 6
FROM days
WHERE d NOT IN (SELECT full_date FROM dim_date)
ORDER BY d;
