-- One row per lake file loaded, as the manifest knows it.
SELECT kind, partition_date, file_path, file_size, file_mtime_ns, row_count FROM etl_manifest;
