-- One row per day whose per-day marts this pass builds: the days of the batch just staged and published.
CREATE OR REPLACE TEMP TABLE pass_days AS
SELECT DISTINCT d AS activity_date, date_key_of(d) AS date_key
FROM (SELECT unnest(CAST($days AS DATE[])) AS d);
