"""The analytics layer: the dashboard's filters as bound query parameters, the panel queries (analytics/sql, over
the marts and the metric macros of store/schema/metrics.sql), and the data behind each panel as a DataFrame."""
