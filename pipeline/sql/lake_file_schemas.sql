-- One row per (file, column) of the given Parquet files, with the column's type as DuckDB reads it.
SELECT file_name, name AS column_name, duckdb_type
FROM parquet_schema($files)
WHERE num_children IS NULL;
