-- The run's workspace: what it replaces, what it read, which days its aggregates must recompute.

-- One row per partition the run replaces (its files, if any, are in plan_files).
CREATE OR REPLACE TEMP TABLE plan_partitions AS
SELECT DISTINCT p.kind, p.partition_date
FROM (SELECT unnest(CAST($partitions AS STRUCT(kind VARCHAR, partition_date DATE)[]), recursive := true)) AS p;

-- One row per lake file the run reads.
CREATE OR REPLACE TEMP TABLE plan_files AS
SELECT f.kind, f.partition_date, f.file_path, f.file_size, f.file_mtime_ns
FROM (SELECT unnest(CAST($files AS STRUCT(kind VARCHAR, partition_date DATE, file_path VARCHAR, file_size BIGINT,
                                          file_mtime_ns BIGINT)[]), recursive := true)) AS f;

-- One row per file read: rows read from it and rows loaded (the rest went to quarantine).
CREATE OR REPLACE TEMP TABLE loaded_files (file_path VARCHAR, rows_read BIGINT, rows_loaded BIGINT);

-- Days whose activity changed in this run (may repeat; read with DISTINCT).
CREATE OR REPLACE TEMP TABLE affected_dates (activity_date DATE);
