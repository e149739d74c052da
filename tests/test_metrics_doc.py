"""docs/metrics.md and the pages in step: every card and page links to a section that exists, every metric section is
linked by a card, every key figure and every column a panel's CSV holds is named in its section, and the app serves
the document with the anchors the links use."""

from __future__ import annotations

import dash
import pytest
from dash import dcc

from webapp import metrics_doc


def _links(component) -> list[str]:
    """The anchors of every link to the definitions in a component tree."""
    found = []
    if isinstance(component, dcc.Link) and str(component.href).startswith(metrics_doc.PAGE_PATH + "#"):
        found.append(component.href.split("#", 1)[1])
    children = getattr(component, "children", None)
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if child is not None and hasattr(child, "to_plotly_json"):
            found += _links(child)
    return found


@pytest.fixture(scope="module")
def page_links():
    import app  # noqa: F401  (registers the pages)

    return {page["path"]: _links(page["layout"]()) for page in dash.page_registry.values()
            if page["path"] not in ("/admin", metrics_doc.PAGE_PATH) and page["module"] != "pages.not_found_404"
            and "404" not in page["module"]}


def test_every_link_lands_on_a_section_and_every_metric_is_linked(page_links):
    sections = {s.anchor: s for s in metrics_doc.sections()}
    linked = {a for anchors in page_links.values() for a in anchors}
    assert linked <= set(sections), f"links to sections docs/metrics.md lacks: {sorted(linked - set(sections))}"
    metrics = {s.anchor for s in sections.values() if s.level == 3}
    page_sections = {s.anchor for s in sections.values() if s.level == 2} - {"conventions"}
    conventions = {"days-and-the-data", "active-user", "attributes-at-the-event", "edges-of-the-data", "new-users",
                   "restated-days", "breakdowns"}
    assert metrics - conventions <= linked, f"sections no card links to: {sorted(metrics - conventions - linked)}"
    assert page_sections <= linked, f"pages without a link to their section: {sorted(page_sections - linked)}"
    for path, anchors in page_links.items():
        assert len(anchors) >= 2, f"{path}: its heading and each card link to their definitions"


def test_every_key_figure_the_overview_computes_is_defined_once():
    from analytics import panels

    sections = metrics_doc.sections()
    anchors = [s.anchor for s in sections]
    assert len(anchors) == len(set(anchors)), "a heading appears twice"
    key_figures = next(s for s in sections if s.anchor == "key-figures").body
    for name in panels.KPI_NAMES:
        assert f"**{name}**" in key_figures, name


def test_anchors_follow_githubs_rule():
    assert metrics_doc.anchor("DAU, WAU, MAU") == "dau-wau-mau"
    assert metrics_doc.anchor("N-day retention") == "n-day-retention"
    assert metrics_doc.anchor("DAU 7-day average") == "dau-7-day-average"
