"""Every card's text alternative, for screen readers: a sentence saying what the card holds for the current
filters, and the card's data as a table (the first MAX_ROWS rows of exactly what its CSV holds, cell for cell),
kept visually hidden in the card (webapp/components/cards.py). A chart is a picture: this is its words and numbers.

One callback fills every card of the page shown (pattern-matching ids), on a change of the filters or of a card's
own option (growth by day or week, ...), reading each card's data as its CSV download does (analytics/catalog.py).
"""

from __future__ import annotations

import csv
import io

import pandas as pd
from dash import ALL, Input, Output, callback, ctx, html
from dash.exceptions import PreventUpdate

from analytics import catalog
from analytics.filters import ALL_AGE_GROUPS, ALL_SEGMENTS, Filters
from store import reference
from webapp import url_filters
from webapp.components import ids
from webapp.components.cards import a11y_data, summary_id
from webapp.components.theme import PLATFORM_NAMES

MAX_ROWS = 50  # rows of a card's data read out; the CSV holds them all
UNDATED_PAGES = ("/churn",)  # pages whose cards the date range does not apply to (scored on the last day)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def filters_text(f: Filters, dated: bool = True) -> str:
    """The filters in words: 'all platforms, 2024-01-01 to 2024-01-28, all segments' (and the age group when one is
    chosen: 'ages 25-34')."""
    platforms = ("all platforms" if set(f.platforms) == set(reference.platforms())
                 else _join([PLATFORM_NAMES.get(p, p) for p in f.platforms]))
    segment = "all segments" if f.segment == ALL_SEGMENTS else f"the {f.segment} segment"
    ages = [] if f.age_group == ALL_AGE_GROUPS else [f"ages {f.age_group}"]
    return ", ".join([platforms] + ([f"{f.start} to {f.end}"] if dated else []) + [segment] + ages)


def _words(column: str) -> str:
    return column.replace("_", " ")


def _number(value) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _extent(frame: pd.DataFrame) -> str | None:
    """'users from 12 to 560': the range of the first numeric column after the first (the first names the rows)."""
    for column in frame.columns[1:]:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) and values.notna().any():
            low, high = values.min(), values.max()
            return f"{_words(column)} {_number(low)}" if low == high else \
                f"{_words(column)} from {_number(low)} to {_number(high)}"
    return None


def summary(frame: pd.DataFrame, f: Filters, dated: bool = True) -> str:
    """One sentence: how many rows of what, for which filters, and the range of its first measure."""
    where = filters_text(f, dated)
    if frame.empty:
        return f"No data for {where}."
    rows = f"{len(frame):,} row{'s' if len(frame) != 1 else ''}"
    extent = _extent(frame)
    return (f"{rows} of {', '.join(map(_words, frame.columns))} for {where}"
            + (f"; {extent}" if extent else "") + ". The table below lists "
            + ("them." if len(frame) <= MAX_ROWS else f"the first {MAX_ROWS}; the CSV download holds them all."))


def table(frame: pd.DataFrame) -> html.Table | None:
    """The first MAX_ROWS rows as the CSV writes them (the same text in every cell)."""
    if frame.empty:
        return None
    header, *rows = csv.reader(io.StringIO(frame.head(MAX_ROWS).to_csv(index=False)))
    caption = "The data behind this card" + (
        f": the first {MAX_ROWS} of {len(frame):,} rows" if len(frame) > MAX_ROWS else "")
    return html.Table([html.Caption(caption), html.Thead(html.Tr([html.Th(c, scope="col") for c in header])),
                       html.Tbody([html.Tr([html.Td(v) for v in row]) for row in rows])])


def describe(panel_id: str, f: Filters, option: str | None) -> list:
    """A card's hidden content: the sentence (the card's description) and its data as a table."""
    panel = catalog.panel(panel_id)
    frame = panel.data(f, option)
    return [html.P(summary(frame, f, dated=panel.page not in UNDATED_PAGES), id=summary_id(panel_id)),
            table(frame)]


@callback(Output(a11y_data(ALL), "children"), Input(ids.FILTERS, "data"), Input(ids.panel_option(ALL), "data"))
def describe_cards(filters, _options):
    """Every card of the page, for the filters and each card's option (read as the CSV download reads them)."""
    if not filters or not ctx.outputs_list:
        raise PreventUpdate
    f = url_filters.from_store(filters)
    options = {item["id"]["panel"]: item.get("value") for item in ctx.inputs_list[1]}
    return [describe(output["id"]["panel"], f, options.get(output["id"]["panel"])) for output in ctx.outputs_list]
