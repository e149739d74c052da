"""Every card's data by its panel id: the function that computes exactly what the card draws and its CSV holds,
the section of docs/metrics.md that defines it, and the options it takes. The web app's cards, their downloads and
"About this panel" views, a download bundle's rerun (analytics/bundle.py) and the notebook all go through here, so
a number means the same wherever it is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from analytics import churn_risk, funnel, panels
from analytics.filters import NO_BREAKDOWN, Filters

GEOGRAPHY_TOP = 12  # the countries in the geography page's top list


@dataclass(frozen=True)
class Panel:
    id: str  # "<page>-<name>": the card's id in the app
    page: str  # the page's path
    definition: str  # the anchor of its section in docs/metrics.md
    compute: Callable[[Filters, str], pd.DataFrame]  # (filters, option) -> the card's data
    options: tuple[str, ...] = ()  # the option values it takes, the default first (none: it takes no option);
    # with `parse`, examples of them, the default first
    parse: Callable[[str | None], str] | None = None  # option text -> the option it means (the default for any it
    # does not take, never an exception): for options too many to list (the funnel's, analytics/funnel.py)

    def option(self, value: str | None) -> str | None:
        """`value` when the panel takes it, else the default (None for a panel without options)."""
        if self.parse is not None:
            return self.parse(value)
        if not self.options:
            return None
        return value if value in self.options else self.options[0]

    def data(self, f: Filters, option: str | None = None) -> pd.DataFrame:
        return self.compute(f, self.option(option))


def _activity(f: Filters, compare: str) -> pd.DataFrame:
    """The active-users card: DAU by the breakdown's values, else DAU, WAU, MAU (beside the previous period's)."""
    if f.breakdown != NO_BREAKDOWN:
        return panels.activity_breakdown(f)
    return panels.overview_activity_compared(f) if compare == "previous" else panels.overview_activity(f)


def _activity_columns(f: Filters, *columns: str) -> pd.DataFrame:
    return panels.overview_activity(f)[list(columns)]


PANELS: dict[str, Panel] = {p.id: p for p in (
    Panel("overview-kpis", "/", "key-figures", lambda f, _: panels.kpis(f)),
    Panel("overview-activity", "/", "dau-wau-mau", lambda f, compare: _activity(f, compare),
          options=("none", "previous")),
    Panel("overview-stickiness", "/", "stickiness",
          lambda f, _: _activity_columns(f, "day", "dau", "mau", "stickiness", "is_mau_complete")),
    Panel("platforms-comparison", "/platforms", "platform-comparison", lambda f, _: panels.platform_comparison(f)),
    Panel("platforms-apps", "/platforms", "apps-per-person", lambda f, _: panels.cross_platform(f)),
    Panel("platforms-pairs", "/platforms", "used-together", lambda f, _: panels.pairs(f)),
    Panel("funnel-steps", "/funnel", "engagement-funnel", funnel.data, options=funnel.EXAMPLES,
          parse=funnel.canonical),
    Panel("retention-cohorts", "/retention", "weekly-cohorts", lambda f, _: panels.retention_cohorts(f)),
    Panel("retention-days", "/retention", "n-day-retention",
          lambda f, _: panels.retention_days_breakdown(f) if f.breakdown in panels.RETENTION_BREAKDOWNS
          else panels.retention_days(f)),
    Panel("growth-accounting", "/growth", "growth-accounting",
          lambda f, grain: panels.growth_breakdown(f, grain) if f.breakdown in panels.GROWTH_BREAKDOWNS
          else panels.growth(f, grain), options=("week", "day")),
    Panel("geography-map", "/geography", "active-users-by-country", lambda f, _: panels.geography(f)),
    Panel("geography-top", "/geography", "active-users-by-country",
          lambda f, _: panels.geography(f).head(GEOGRAPHY_TOP)),
    Panel("engagement-distribution", "/engagement", "engagement-score",
          lambda f, _: panels.engagement_distribution(f)),
    Panel("engagement-pareto", "/engagement", "concentration-of-events", lambda f, _: panels.pareto(f)),
    Panel("churn-distribution", "/churn", "churn-score-and-risk-bands", lambda f, _: churn_risk.distribution(f)),
    Panel("churn-breakdown", "/churn", "people-at-risk", lambda f, dim: churn_risk.breakdown(f, dim),
          options=tuple(churn_risk.DIMENSIONS)),
    Panel("churn-model", "/churn", "churn-model-card",
          lambda f, _: churn_risk.model_card_data(churn_risk.model_card())),
    Panel("churn-people", "/churn", "highest-risk-people",
          lambda f, _: churn_risk.highest_risk(f, churn_risk.CSV_ROWS)),
)}


def panel(panel_id: str) -> Panel:
    """The panel of that id; KeyError naming the known ones otherwise."""
    try:
        return PANELS[panel_id]
    except KeyError:
        raise KeyError(f"no panel {panel_id!r}; the panels are {', '.join(PANELS)}") from None
