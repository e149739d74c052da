-- One row per given Parquet file with the number of rows its footer declares.
SELECT file_name, num_rows FROM parquet_file_metadata($files);
