"""Data-quality checks: the declarations, the thresholds, and each check failing on the fault it exists for."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import Counter

import pytest

from pipeline import audit
from pipeline.quality.checks import FAMILIES, Check, Condition, load_checks, parse_condition
from pipeline.quality.runner import judge, render
from tests.conftest import DAYS, START, make_settings, warehouse
from tests.test_cli import cli

AS_OF = dt.datetime.combine(START + dt.timedelta(days=DAYS), dt.time(6))  # the morning after the lake's last day


def test_at_least_20_checks_cover_every_family():
    checks = load_checks()
    assert len(checks) >= 20
    assert set(Counter(c.family for c in checks)) == set(FAMILIES)
    assert {c.severity for c in checks} == {"error", "warn"}


@pytest.mark.parametrize("text, value, holds", [
    ("> 0", 0, False), ("> 0", 0.001, True), (">= 2", 2, True), ("< 0.5", 0.4, True), ("<= 0.5", 0.6, False),
    ("== 1", 1, True), ("!= 1", 1, False), ("outside 0.5..2", 0.49, True), ("outside 0.5..2", 2, False),
    ("outside 0.5..2", 2.01, True), ("inside 1..3", 2, True),
])
def test_conditions(text, value, holds):
    assert parse_condition(text, "test").holds(value) is holds


def test_a_bad_condition_is_refused():
    with pytest.raises(ValueError, match="'more than 3' is not a condition"):
        parse_condition("more than 3", "test")


def _declare(tmp_path, body: str) -> None:
    path = tmp_path / "checks.toml"
    path.write_text(body)
    load_checks.cache_clear()
    try:
        load_checks(path)
    finally:
        load_checks.cache_clear()


BASE = """
[[check]]
name = "x"
family = "uniqueness"
table = "fct_events"
kind = "duplicate_keys"
columns = ["event_id"]
severity = "error"
fail_when = "> 0"
description = "d"
"""


@pytest.mark.parametrize("change, message", [
    (('family = "uniqueness"', 'family = "vibes"'), "family 'vibes' is not one of"),
    (('kind = "duplicate_keys"', 'kind = "drop_tables"'), "kind 'drop_tables' has no SQL file"),
    (('columns = ["event_id"]', 'columns = ["event_id; DROP TABLE fct_events"]'), "is not a plain lower-case identifier"),
    (('table = "fct_events"', 'table = "fct_events\\" --"'), "is not a plain lower-case identifier"),
    (('fail_when = "> 0"', 'warn_when = "> 0"'), "an error check needs fail_when"),
    (('severity = "error"', 'severity = "warn"'), "a warn check has warn_when and no fail_when"),
    (('description = "d"', 'description = "d"\nlimit = 3'), "unknown field(s) ['limit']"),
])
def test_a_bad_declaration_is_named(tmp_path, change, message):
    with pytest.raises(ValueError, match=None) as failure:
        _declare(tmp_path, BASE.replace(*change))
    assert "check 'x'" in str(failure.value) and message in str(failure.value)


def test_identifiers_must_exist_in_the_catalog():
    check = Check(name="x", family="uniqueness", table="fct_events", kind="duplicate_keys", severity="error",
                  description="d", warn_when=None, fail_when=Condition("> 0"), identifiers={"columns": ["nope"]})
    with pytest.raises(ValueError, match="fct_events.nope is not in the warehouse"):
        render(check, {"fct_events": {"event_id": "BIGINT"}})
    ok = render(check.__class__(**{**check.__dict__, "identifiers": {"columns": ["event_id"]}}),
                {"fct_events": {"event_id": "BIGINT"}})
    assert 'GROUP BY t."event_id"' in ok and 'FROM "fct_events" AS t' in ok and "WHERE TRUE" in ok


def test_judging():
    check = next(c for c in load_checks() if c.name == "fct_events.volume")
    assert judge(check, 1.0, None).status == "pass"
    assert judge(check, 0.4, "x").status == "warn"
    assert judge(check, 0.05, "x").status == "fail"
    assert judge(check, None, None).status == "pass"
    warn_only = next(c for c in load_checks() if c.severity == "warn")
    assert judge(warn_only, 1e9, None).status == "warn"  # a warn check never fails


# -- `pipeline dq` on the published warehouse, clean and broken ------------------------------------------------------

@pytest.fixture
def copy_of_built(built, tmp_path):
    shutil.copytree(built.data_dir, tmp_path / "data")
    return make_settings(tmp_path / "data")


def dq(settings, corruption: str | None = None):
    with warehouse(settings) as con:
        if corruption:
            con.execute(corruption)
        return audit.check_published(con, settings, as_of=AS_OF)


def test_a_clean_warehouse_passes_every_published_check(copy_of_built):
    result = dq(copy_of_built)
    assert result.status == "succeeded"
    assert [c.check.name for c in result.checks if c.status != "pass"] == []
    assert len(result.checks) == sum(1 for c in load_checks() if not c.staging_only)


ONE_FACT = "(SELECT min(event_id) FROM fct_events)"
FIRST_DAY = "(SELECT min(metric_date) FROM agg_daily_metrics)"
CHANGED_USER = "(SELECT user_id FROM dim_users GROUP BY user_id HAVING count(*) > 1 ORDER BY user_id LIMIT 1)"


@pytest.mark.parametrize("check, corruption", [
    ("fct_events.event_id.unique", "INSERT INTO fct_events SELECT * FROM fct_events WHERE event_id = " + ONE_FACT),
    ("fct_events.platform_key.relationships", f"UPDATE fct_events SET platform_key = 99 WHERE event_id = {ONE_FACT}"),
    ("fct_events.event_type_key.relationships", f"UPDATE fct_events SET event_type_key = 99 WHERE event_id = {ONE_FACT}"),
    ("fct_events.user_key.relationships", f"UPDATE fct_events SET user_key = -1 WHERE event_id = {ONE_FACT}"),
    ("fct_events.date_key.relationships", "DELETE FROM dim_date WHERE date_key = (SELECT min(date_key) FROM fct_events)"),
    ("fct_events.user_version", f"UPDATE fct_events SET user_key = (SELECT max(user_key) FROM dim_users "
                                f"WHERE user_id = {CHANGED_USER}) WHERE user_id = {CHANGED_USER}"),
    ("fct_events.lake_rows", f"DELETE FROM fct_events WHERE event_id = {ONE_FACT}"),
    ("fct_events.volume", "UPDATE etl_manifest SET row_count = 3 WHERE kind = 'events' "
                          "AND partition_date = (SELECT max(partition_date) FROM etl_manifest)"),
    ("dim_users.user_key.unique", "UPDATE dim_users SET user_key = 1 WHERE user_key = 2"),
    ("dim_users.version.unique", "INSERT INTO dim_users SELECT * REPLACE (user_key + 10000000 AS user_key) "
                                 "FROM dim_users WHERE user_key = 1"),
    ("dim_users.ranges", "UPDATE dim_users SET valid_to = valid_to + INTERVAL 1 HOUR WHERE NOT is_current "
                         f"AND user_id = {CHANGED_USER}"),
    ("dim_users.one_current", f"UPDATE dim_users SET is_current = true WHERE user_id = {CHANGED_USER}"),
    # the three named marts are views over the metric macros (store/schema/metrics.sql): a wrong definition, or
    # wrong rows in the marts they read, is what their checks catch
    ("agg_user_engagement.engagement_score.range", "CREATE OR REPLACE MACRO engagement_score(active_days, events, "
                                                   "days) AS 60.0 * active_days / days + 40.5"),
    ("agg_user_activity_daily.event_count.range", "UPDATE agg_user_activity_daily SET event_count = 0 "
                                                  "WHERE user_id = (SELECT min(user_id) FROM agg_user_activity_daily)"),
    ("agg_retention_cohorts.retention.range", "INSERT INTO agg_user_week SELECT week_start + 1, user_id, segment, "
                                              "platform_mask, age_group FROM agg_user_week WHERE week_start = "
                                              "(SELECT min(week_start) FROM agg_user_week)"),
    ("agg_daily_metrics.order", f"UPDATE agg_active_masks SET users = users + 1000 WHERE activity_date = {FIRST_DAY} "
                                "AND window_days = 1 AND segment = 'all'"),
    ("agg_daily_metrics.events", f"UPDATE agg_daily_volume SET events = events + 1 WHERE activity_date = {FIRST_DAY}"),
    ("agg_daily_metrics.growth_identities", f"UPDATE agg_active_masks SET users = users + 1 WHERE activity_date = "
                                            f"{FIRST_DAY} AND segment = 'all' AND platform_mask = 1"),
    ("agg_active_masks.day_counts", f"UPDATE agg_active_masks SET users = users + 1 WHERE activity_date = {FIRST_DAY} "
                                    "AND window_days = 1 AND segment = 'casual' AND platform_mask = 1"),
    ("agg_growth_transitions.active", "UPDATE agg_growth_transitions SET users = users + 1 WHERE grain = 'day' "
                                      f"AND segment = 'all' AND mask_now = 1 AND period_start = {FIRST_DAY} + 3"),
    ("fct_funnel_events.rows", "DELETE FROM fct_funnel_events WHERE event_ts = (SELECT min(event_ts) FROM fct_funnel_events)"),
    ("agg_user_day.rows", f"UPDATE agg_user_day SET events = events + 1 WHERE activity_date = {FIRST_DAY} AND user_id "
                          f"= (SELECT min(user_id) FROM agg_user_day WHERE activity_date = {FIRST_DAY})"),
    ("agg_user_week.rows", "DELETE FROM agg_user_week WHERE user_id = (SELECT min(user_id) FROM agg_user_week)"),
    ("agg_daily_volume.rows", f"UPDATE agg_daily_volume SET sessions = sessions + 1 WHERE activity_date = {FIRST_DAY}"),
    ("agg_user_platform_first.key.unique", "INSERT INTO agg_user_platform_first SELECT * FROM agg_user_platform_first "
                                           "WHERE user_id = (SELECT min(user_id) FROM agg_user_platform_first)"),
    ("agg_user_platform_first.first_date", "UPDATE agg_user_platform_first SET first_date = first_date + 1 "
                                           "WHERE user_id = (SELECT min(user_id) FROM agg_user_platform_first)"),
])
def test_each_published_check_fails_on_its_fault(copy_of_built, check, corruption):
    result = dq(copy_of_built, corruption)
    statuses = {c.check.name: c.status for c in result.checks}
    assert statuses[check] == "fail", [c.message for c in result.checks if c.check.name == check]
    assert result.status == "failed" and check in result.error
    with warehouse(copy_of_built) as con:
        recorded = con.execute("SELECT status, observed, threshold FROM dq_results WHERE run_id = ? AND check_name = ?",
                               [result.run_id, check]).fetchone()
    assert recorded[0] == "fail" and recorded[1] > 0 if check != "fct_events.volume" else recorded[1] < 0.1
    assert "fail when" in recorded[2]


def test_a_home_country_the_map_does_not_know_warns(copy_of_built):
    result = dq(copy_of_built, "UPDATE agg_user_day SET user_country = 'XX' WHERE user_id = "
                               "(SELECT min(user_id) FROM agg_user_day)")
    check = {c.check.name: c for c in result.checks}["agg_user_day.user_country.relationships"]
    assert check.status == "warn" and check.observed > 0 and result.status == "succeeded"


def test_freshness_warns_when_the_newest_partition_is_late(copy_of_built):
    on_time = dq(copy_of_built)
    late = audit.check_published
    with warehouse(copy_of_built) as con:
        result = late(con, copy_of_built, as_of=AS_OF + dt.timedelta(days=3))
    status = {c.check.name: c for c in result.checks}["fct_events.freshness"]
    assert {c.check.name: c.status for c in on_time.checks}["fct_events.freshness"] == "pass"
    assert status.status == "warn" and status.observed == 3
    assert result.status == "succeeded"  # a warning does not fail the run


def test_dq_and_runs_commands(copy_of_built):
    out = cli("dq", data_dir=copy_of_built.data_dir)
    assert out.returncode == 0, out.stderr
    assert "(dq) succeeded" in out.stdout and "WARN fct_events.freshness" in out.stdout  # the lake is from 2024
    out = cli("runs", "--limit", "2", data_dir=copy_of_built.data_dir)
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0].startswith("run 2 (dq, cli) succeeded") and lines[-2].startswith("  warned: ")
    assert any(line.startswith("run 1 (incremental, cli, duckdb engine) succeeded") for line in lines)
    assert re.fullmatch(r"  slowest steps: ([\w .]+ \d+\.\d s, ){2}[\w .]+ \d+\.\d s", lines[-1])  # the run's own seconds
    assert any("checks: 57 passed, 1 warned, 0 failed" in line for line in lines)

    with warehouse(copy_of_built) as con:
        con.execute("UPDATE dim_users SET is_current = true")
    out = cli("dq", data_dir=copy_of_built.data_dir)
    assert out.returncode == 1
    assert "FAIL dim_users.one_current: users without exactly one current version" in out.stdout


def test_the_documentation_lists_every_check():
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[1] / "docs" / "data_quality.md").read_text()
    for check in load_checks():
        assert f"| `{check.name}` | {check.severity} | {check.threshold} | {check.description} |" in doc, check.name
