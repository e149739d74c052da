-- One row per column of every table the connection sees (temporary tables included), with its type.
SELECT table_name, column_name, data_type FROM duckdb_columns();
