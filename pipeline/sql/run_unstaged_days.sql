-- One row per day whose per-day marts this pass rebuilds: the days this run changed that no batch staged (facts
-- re-pointed at other user versions, event partitions gone from the lake).
CREATE OR REPLACE TEMP TABLE pass_days AS
SELECT DISTINCT activity_date, date_key_of(activity_date) AS date_key
FROM affected_dates
WHERE activity_date NOT IN (SELECT partition_date FROM plan_files WHERE kind = 'events');
