"""The pipeline: the lake, the ETL and its model graph, data quality, runs and their scheduling, the CLI."""

from pathlib import Path

from store.sql import SqlFiles

SQL = SqlFiles(Path(__file__).parent / "sql")  # the pipeline's own SQL: the run's steps and queries (pipeline/sql/)
