"""The Spark engine (`pipeline run --engine spark`, PA_ENGINE=spark): the part of a run whose cost grows with events
(staging and validating each event partition, keying it to the user version valid at each event, duplicates, and
the reduction to one row per person, platform and day) as a PySpark job; DuckDB then publishes its output through the
same write-audit-publish transaction and builds the marts. `runner` prepares and starts the job (no PySpark import),
`job` is the job itself (run in its own process), `sql/` its Spark SQL, the twins of the DuckDB engine's."""
