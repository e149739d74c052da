-- One row: what this run read and loaded, over every file it read.
SELECT coalesce(sum(rows_read), 0) AS rows_read, coalesce(sum(rows_loaded), 0) AS rows_loaded FROM loaded_files;
