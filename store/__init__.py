"""The bottom layer: settings, reference data, the warehouse schema and run-history tables, and the one object
that opens the warehouse file. It imports no other package of the project; every other package builds on it."""
