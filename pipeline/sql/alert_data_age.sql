-- One row: the last day with published activity (NULL before any data).
SELECT data_last_day() AS last_day;
