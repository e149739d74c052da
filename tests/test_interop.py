"""Lakes written by mainstream tools (docs/data_model.md, "also accepted, converted"): the generated lake rewritten
by pandas, pyarrow and DuckDB with their own encodings loads with the same figures as the generator's, on a host
whose time zone is not UTC; a value that does not fit BIGINT quarantines its row, named."""

from __future__ import annotations

import time

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import lake
from tests.conftest import make_settings, run_etl, warehouse

FIGURES = """
SELECT (SELECT count(*) FROM fct_events), (SELECT sum(event_id) FROM fct_events),
       (SELECT count(DISTINCT user_id) FROM fct_events), (SELECT min(event_ts) FROM fct_events),
       (SELECT max(event_ts) FROM fct_events), (SELECT sum(epoch_us(event_ts)) FROM fct_events),
       (SELECT count(*) FROM dim_users), (SELECT count(*) FROM quarantine_events),
       (SELECT sum(dau) FROM agg_daily_metrics WHERE platform = 'all')
"""


def figures(settings) -> tuple:
    with warehouse(settings) as con:
        return con.execute(FIGURES).fetchone()


@pytest.fixture(scope="module")
def reference(built) -> tuple:
    """The figures of the generator's own lake, loaded."""
    return figures(built)


def rewrite(source, target, transform, name: str = "part-0.parquet", **write_options) -> None:
    """Every partition of the lake at `source` written again under `target` by pyarrow, each table through
    `transform(table, kind)`."""
    for kind in lake.KINDS:
        for day, files in sorted((d, f) for (k, d), f in lake.list_lake(source).files.items() if k == kind):
            table = pa.concat_tables([pq.read_table(f.path) for f in files])
            folder = lake.partition_dir(target, kind, day)
            folder.mkdir(parents=True, exist_ok=True)
            pq.write_table(transform(table, kind), folder / name, **write_options)


def with_types(table: pa.Table, types: dict[str, pa.DataType]) -> pa.Table:
    for column, to in types.items():
        if column in table.column_names:
            i = table.column_names.index(column)
            table = table.set_column(i, column, table[column].cast(to))
    return table


VARIANTS = {
    # pandas' defaults: datetime64[ns] written as nanoseconds, an index column, ids as int64
    "pandas, nanosecond timestamps": lambda t, kind: pa.Table.from_pandas(
        with_types(t, {"event_ts": pa.timestamp("ns"), "updated_at": pa.timestamp("ns")}).to_pandas()),
    # pd.to_datetime of ISO text ending in Z, Spark's TIMESTAMP_MICROS: marked UTC
    "timestamps marked UTC": lambda t, kind: with_types(
        t, {"event_ts": pa.timestamp("us", tz="UTC"), "updated_at": pa.timestamp("us", tz="UTC")}),
    "int32 user ids": lambda t, kind: with_types(t, {"user_id": pa.int32()}),
    "unsigned and decimal ids": lambda t, kind: with_types(
        t, {"user_id": pa.uint32(), "event_id": pa.uint64(), "session_id": pa.decimal128(38, 0)}),
    "dictionary and large strings": lambda t, kind: with_types(
        t, {"platform": pa.dictionary(pa.int32(), pa.string()), "country": pa.large_string(),
            "segment": pa.dictionary(pa.int8(), pa.string())}),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_lake_written_by_another_tool_loads_with_the_same_figures(lake_template, tmp_path, reference, variant,
                                                                    monkeypatch):
    settings = make_settings(tmp_path)
    rewrite(lake_template / "lake", settings.lake_dir, VARIANTS[variant])
    monkeypatch.setenv("TZ", "America/Los_Angeles")  # a host not on UTC: no UTC-marked timestamp may shift
    time.tzset()
    try:
        result = run_etl(settings)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert result.status == "succeeded", result.notices
    assert not [n for n in result.notices if "unexpected column" in n and "__index" not in n]
    assert figures(settings) == reference


def test_duckdb_partitioned_writes_with_the_partition_column_and_no_suffix(lake_template, tmp_path, reference):
    """DuckDB's COPY ... PARTITION_BY keeping event_date in the files, pyarrow's write_dataset naming files without
    .parquet, and Spark's _SUCCESS and .crc markers: the same figures, one notice for the markers."""
    settings = make_settings(tmp_path)
    source = lake_template / "lake"
    con = duckdb.connect()
    settings.lake_dir.mkdir(parents=True)
    for kind, key in lake.PARTITION_KEY.items():
        files = [f.path for (k, _), fs in lake.list_lake(source).files.items() if k == kind for f in fs]
        con.execute(f"COPY (SELECT * FROM read_parquet(?, hive_partitioning = true)) "
                    f"TO '{settings.lake_dir / kind}' (FORMAT parquet, PARTITION_BY ({key}), "
                    f"WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'data_{{i}}', FILE_EXTENSION '')", [files])
    for folder in (settings.lake_dir / "events").iterdir():
        (folder / "_SUCCESS").write_text("")
        (folder / ".data_0.crc").write_bytes(b"crc")
    assert not list((settings.lake_dir / "events").glob("*/*.parquet"))  # no file has the suffix
    result = run_etl(settings)
    assert result.status == "succeeded", result.notices
    days = len(list((settings.lake_dir / "events").iterdir()))
    [markers] = [n for n in result.notices if lake.HIDDEN in n]  # one line for them all, not one per file
    assert markers.startswith(f"{2 * days} events files ignored in {days} partitions (2024-01-01..2024-01-{days}): ")
    assert not [n for n in result.notices if "unexpected column" in n]  # event_date in the file is the folder's
    assert figures(settings) == reference


def test_an_id_too_large_for_bigint_quarantines_its_row_named(lake_template, tmp_path):
    settings = make_settings(tmp_path)

    def overflow_one(table: pa.Table, kind: str) -> pa.Table:
        table = with_types(table, {"event_id": pa.uint64()})
        if kind != "events":
            return table
        ids = table["event_id"].to_pylist()
        ids[0] = 2**64 - 1
        return table.set_column(0, "event_id", pa.array(ids, pa.uint64()))

    rewrite(lake_template / "lake", settings.lake_dir, overflow_one)
    days = len([d for (k, d) in lake.list_lake(settings.lake_dir).files if k == "events"])
    result = run_etl(settings)
    assert result.status == "succeeded" and result.rows_quarantined == days
    with warehouse(settings) as con:
        assert con.execute("SELECT reason, count(*) FROM quarantine_events GROUP BY 1").fetchall() == [
            ("a BIGINT column out of range", days)]
