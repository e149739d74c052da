"""The funnel's options (analytics/funnel.py, docs/metrics.md#engagement-funnel): the option text and its parser, the
conversion window, the steps and their order, the breakdown and the time to convert, each against the same numbers
computed independently from the lake files (tests/reference_metrics.py) on a warehouse built by the real pipeline;
and the funnel table's user_key and device filled in a warehouse from before them."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics

import pandas as pd
import pytest

from analytics import bundle, catalog, funnel
from analytics.filters import Filters
from analytics.queries import query
from store import reference
from tests import reference_metrics as ref
from tests.conftest import DAYS, START, make_settings, warehouse

ALL = tuple(reference.platforms())
LAST = START + dt.timedelta(days=DAYS - 1)
CASES = {
    "everything": Filters(ALL, START, LAST, "all", None),
    "two apps, power, a week": Filters(("instagram", "threads"), START + dt.timedelta(days=8),
                                       START + dt.timedelta(days=14), "power", None),
    "messaging, casual, 20 days": Filters(("messenger", "whatsapp"), START + dt.timedelta(days=5),
                                          START + dt.timedelta(days=24), "casual", None),
}
WINDOWS = {"range": None, "1h": 3600, "1d": 86_400, "7d": 7 * 86_400}


@pytest.fixture(scope="module")
def events(built) -> list[ref.FunnelEvent]:
    return ref.funnel_events(built.lake_dir)


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request, app_context) -> Filters:
    return CASES[request.param]


def expected(events, f: Filters, **options) -> dict[str, ref.FunnelCount]:
    return ref.funnel_with_options(events, f.platforms, f.segment, f.start, f.end, **options)


def by_value(frame: pd.DataFrame, key: str | None) -> dict[str, list[int]]:
    if key is None:
        return {"all": frame["users"].tolist()}
    return {v: part.sort_values("step")["users"].tolist() for v, part in frame.groupby(key, sort=False)}


# -- the option text -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, canonical", [
    (None, ""), ("", ""), ("1h", "1h"), ("segment;7d", "7d;segment"), ("device;31;1d", "1d;31;device"),
    ("range;12345;none", ""),  # every part the default: the empty text
    ("31", "31"), ("1d;253;age_group", "1d;253;age_group"), ("7d;54321;country", "7d;54321;country"),
    # anything not exactly that form is the default view, never an exception
    ("2h", ""), ("1h;planet", ""), ("w=1h", ""), ("1h;1d", ""), ("segment;device", ""), ("12;34", ""), ("1h;", ""),
    (";", ""), ("1", ""), ("11", ""), ("16", ""), ("1234512", ""), ("1h;view,like", ""), ("1H", ""), (" 1h", ""),
    ("١٢", ""), ("1h;segment" + "x" * 300, ""), (42, ""), (["1h"], ""), ({"w": "1h"}, ""),
])
def test_the_option_text_is_parsed_strictly_and_never_raises(text, canonical):
    assert funnel.canonical(text) == canonical
    assert funnel.canonical(canonical) == canonical  # the canonical text means itself


def test_the_page_controls_make_the_canonical_text():
    assert funnel.option_text("range", list(funnel.DEFAULT_STEPS), "none") == ""
    assert funnel.option_text("1h", ["share", "view"], "device") == "1h;41;device"
    assert funnel.option_text(None, None, None) == ""  # a request without the controls: the default
    assert funnel.option_text("1d", ["view"], "segment") == "1d;segment"  # one step: the default steps
    assert funnel.option_text("forever", ["view", 3], "planet") == ""
    assert funnel.option_text(["1h"], [{"a": 1}, ["view"]], {"b": 2}) == ""  # whatever a request holds: no exception
    longest = funnel.Options("7d", ("create", "share", "comment", "like", "view"), "age_group").text()
    assert longest == "7d;54321;age_group" and len(longest) <= 20  # the web app's limit for a card's option


def test_the_catalog_takes_any_option_the_parser_takes_and_other_panels_keep_theirs():
    panel = catalog.panel("funnel-steps")
    assert panel.option("country;1h") == "1h;country"
    assert panel.option(None) == panel.option("nonsense") == panel.options[0] == ""
    assert all(panel.option(o) == o for o in panel.options)
    growth = catalog.panel("growth-accounting")
    assert growth.parse is None and growth.option("day") == "day" and growth.option("month") == "week"
    assert catalog.panel("geography-map").option("anything") is None


# -- the numbers against the lake ------------------------------------------------------------------------------------

@pytest.mark.parametrize("window", list(WINDOWS))
def test_the_window_changes_the_counts_as_the_lake_says(case, events, window):
    frame = funnel.data(case, "" if window == "range" else window)
    want = expected(events, case, window_seconds=WINDOWS[window])
    assert frame["event_type"].tolist() == list(funnel.DEFAULT_STEPS)
    assert frame["users"].tolist() == (want["all"].users if want else [0] * 5)
    assert (frame["window"] == window).all()
    users = frame["users"].tolist()
    assert users == sorted(users, reverse=True)
    if users[0]:
        assert frame["from_first"].iloc[-1] == pytest.approx(users[-1] / users[0])
        assert frame["dropped"].iloc[1:].tolist() == [a - b for a, b in zip(users, users[1:])]


def test_narrower_windows_never_count_more(app_context, events):
    f = CASES["everything"]
    counts = [funnel.data(f, w)["users"].tolist() for w in ("1h", "1d", "7d", "range")]
    for narrow, wide in zip(counts, counts[1:]):
        assert all(a <= b for a, b in zip(narrow, wide)), counts
    assert counts[0][1] < counts[-1][1]  # and the window matters in this lake


@pytest.mark.parametrize("steps, window", [(("comment", "view", "share"), None), (("like", "create"), "1d"),
                                           (("share", "like", "view", "comment", "create"), "7d")])
def test_a_custom_step_order_counts_those_steps_in_that_order(case, events, steps, window):
    option = funnel.Options(window=window or "range", steps=steps).text()
    frame = funnel.data(case, option)
    want = expected(events, case, steps=steps, window_seconds=WINDOWS[window or "range"])
    assert frame["event_type"].tolist() == list(steps) and frame["step"].tolist() == list(range(1, len(steps) + 1))
    assert frame["users"].tolist() == (want["all"].users if want else [0] * len(steps))


@pytest.mark.parametrize("breakdown", ["platform", "segment", "age_group", "country", "device"])
@pytest.mark.parametrize("window", ["range", "1d"])
def test_a_breakdown_counts_each_value_as_the_lake_says_and_sums_to_the_total(case, events, breakdown, window):
    option = funnel.Options(window=window, breakdown=breakdown).text()
    frame = funnel.data(case, option)
    want = expected(events, case, window_seconds=WINDOWS[window], breakdown=breakdown,
                    top=funnel.TOP_VALUES.get(breakdown))
    got = by_value(frame, breakdown)
    assert list(got.items()) == [(v, c.users) for v, c in want.items()]  # in the same order
    assert list(frame.columns) == [breakdown] + funnel.STEP_COLUMNS
    # the values partition the people entering: per step, they sum to the funnel without a breakdown
    total = funnel.data(case, funnel.Options(window=window).text())["users"].tolist()
    assert [sum(users[k] for users in got.values()) for k in range(len(total))] == total
    # values in the order of the people entering (most first), "Other" last
    entering = [users[0] for v, users in got.items() if v != "Other"]
    assert entering == sorted(entering, reverse=True)
    assert "Other" not in got or list(got)[-1] == "Other"


def test_a_breakdown_by_country_keeps_the_top_five_and_other(app_context, events):
    f = CASES["everything"]
    frame = funnel.data(f, "country")
    values = list(dict.fromkeys(frame["country"]))
    assert len(values) == funnel.TOP_VALUES["country"] + 1 and values[-1] == "Other"


@pytest.mark.parametrize("option", ["", "1d", "7d;315", "segment", "1h;device"])
def test_time_to_convert_medians_equal_the_lake(case, events, option):
    o = funnel.parse(option)
    frame = funnel.data(case, option)
    key = o.breakdown if o.breakdown != "none" else None
    want = expected(events, case, steps=o.steps, window_seconds=funnel.WINDOWS[o.window],
                    breakdown=o.breakdown, top=funnel.TOP_VALUES.get(o.breakdown))
    checked = 0
    for r in frame.itertuples():
        times = want[getattr(r, key) if key else "all"].micros[r.step - 1]
        if not times:
            assert pd.isna(r.median_seconds) and pd.isna(r.p10_seconds)
            continue
        assert r.median_seconds == statistics.median(times) / 1e6  # exactly
        for q, column in ((0.1, "p10_seconds"), (0.25, "p25_seconds"), (0.75, "p75_seconds"), (0.9, "p90_seconds")):
            assert getattr(r, column) == pytest.approx(ref.quantile(times, q) / 1e6, rel=1e-12, abs=1e-9)
        assert r.p10_seconds <= r.p25_seconds <= r.median_seconds <= r.p75_seconds <= r.p90_seconds
        checked += 1
    if case is CASES["everything"]:
        assert checked


def test_the_default_view_and_the_general_query_agree(case):
    default = funnel.data(case, "")
    general = funnel.data(case, "range;none;12345")
    pd.testing.assert_frame_equal(default, general)
    params = dict(case.params(), steps=list(funnel.STEP_KEYS.values()), window_seconds=None, breakdown="none",
                  top_values=None)
    assert query("funnel_options", **params).drop(columns="value").equals(query("funnel", **case.params()))


def test_no_data_and_nobody(app_context):
    after = LAST + dt.timedelta(days=10)
    outside = Filters(ALL, after, after + dt.timedelta(days=3), "all", None)
    for option in ("", "1h;segment"):
        frame = funnel.data(outside, option)
        assert frame.empty and frame.attrs["no_data"] and list(frame.columns) == funnel.parse(option).columns
    nobody = Filters(("threads",), START, START, "creator", None)
    assert funnel.data(nobody, "1h")["users"].tolist() == [0] * 5  # real zeros, each step
    assert funnel.data(nobody, "1h;segment").empty  # no value has anyone entering


def test_the_bundle_and_about_view_carry_the_option_and_its_bound_parameters(app_context):
    f = CASES["two apps, power, a week"]
    e = bundle.explain("funnel-steps", f, "device;1h")
    assert e.option == "1h;device"
    q = next(q for q in e.asked if q["name"] == "funnel_options")
    assert q["params"]["steps"] == [1, 2, 3, 4, 5] and q["params"]["window_seconds"] == 3600
    assert q["params"]["breakdown"] == "device" and q["params"]["top_values"] is None
    assert e.csv.splitlines()[0].startswith("device,step,event_type,users,")
    info = bundle.manifest(e, "http://host/funnel")
    assert info["option"] == "1h;device" and [x["name"] for x in info["queries"]][-1] == "funnel_options"
    assert bundle.explain("funnel-steps", f, None).option == ""


# -- the funnel table of a warehouse from before user_key and device --------------------------------------------------

def test_a_warehouse_from_before_gets_user_key_and_device_filled(built, tmp_path):
    settings = make_settings(tmp_path / "data")
    shutil.copytree(built.data_dir, settings.data_dir)
    rows = ("SELECT date_key, user_id, platform_key, segment, step, event_ts, user_key, device, age_group "
            "FROM fct_funnel_events ORDER BY ALL")
    with warehouse(settings) as con:
        before = con.execute(rows).fetchall()
        assert before and all(r[6] is not None for r in before)
        con.execute("ALTER TABLE fct_funnel_events DROP COLUMN device")
        con.execute("ALTER TABLE fct_funnel_events DROP COLUMN user_key")
    with warehouse(settings) as con:  # opened again: the schema adds the columns and rebuilds the rows once
        assert con.execute(rows).fetchall() == before
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'funnel_days_to_fill'"
                           ).fetchone()[0] == 0


# -- the figures ------------------------------------------------------------------------------------------------------

def test_the_figures_label_small_steps_outside_and_draw_a_series_per_value(app_context):
    from webapp.components import funnel_figures

    f = CASES["everything"]
    frame = funnel.data(f, "1d")
    fig = funnel_figures.steps(frame)
    trace = fig.data[0]
    assert trace.type == "funnel" and list(trace.y) == ["View", "Like", "Comment", "Share", "Create"]
    widest = frame["users"].max()
    assert list(trace.textposition) == ["inside" if u >= funnel_figures.LABEL_INSIDE * widest else "outside"
                                        for u in frame["users"]]
    assert "outside" in trace.textposition  # a 1-day window leaves small steps in this lake
    by_segment = funnel.data(f, "segment")
    bars = funnel_figures.steps(by_segment, "segment").data
    assert [b.name for b in bars] == [v.capitalize() for v in dict.fromkeys(by_segment["segment"])]
    assert all(b.type == "bar" for b in bars)
    boxes = funnel_figures.times(by_segment, "segment").data
    assert len(boxes) == len(bars) and all(b.type == "box" for b in boxes)
    medians = by_segment[by_segment["step"] > 1].groupby("segment", sort=False)["median_seconds"].apply(list)
    assert [list(b.median) for b in boxes] == [m for m in medians if m]  # the lake's medians, as drawn
    assert funnel_figures.duration_text(42.0) == "42 s" and funnel_figures.duration_text(5400) == "1.5 h"
    assert funnel_figures.duration_text(float("nan")) == ""
    nothing = funnel.data(Filters(ALL, LAST + dt.timedelta(days=5), LAST + dt.timedelta(days=6), "all", None), "1h")
    assert funnel_figures.steps(nothing).layout.annotations[0].text == "No data in the selected range"
