"""Component ids: the shell's constants and the helpers that give every page's ids its own prefix."""

from __future__ import annotations

URL = "shell-url"
FILTERS = "shell-filters"  # dcc.Store: the resolved filters (webapp.url_filters.to_store) or None
URL_WRITER = "shell-url-writer"
FILTER_BAR = "shell-filter-bar"
NOTICE = "shell-notice"
PLATFORMS = "filter-platforms"
DATES = "filter-dates"
PRESET = "filter-preset"
SEGMENT = "filter-segment"
AGE_GROUP = "filter-age-group"
BREAKDOWN = "filter-breakdown"


def nav_link(path: str) -> dict:
    return {"type": "nav-link", "path": path}


def page_link(path: str) -> dict:
    """A link inside a page to another page (`path`), carrying the filters like the navbar's (one per path)."""
    return {"type": "page-link", "path": path}


def card_meta(panel: str) -> dict:
    return {"type": "card-meta", "panel": panel}


def csv_button(panel: str) -> dict:
    return {"type": "csv-button", "panel": panel}


def csv_download(panel: str) -> dict:
    return {"type": "csv-download", "panel": panel}


def bundle_button(panel: str) -> dict:
    return {"type": "bundle-button", "panel": panel}


def bundle_download(panel: str) -> dict:
    return {"type": "bundle-download", "panel": panel}


def about_button(panel: str) -> dict:
    return {"type": "about-button", "panel": panel}


def about_modal(panel: str) -> dict:
    return {"type": "about-modal", "panel": panel}


def about_body(panel: str) -> dict:
    return {"type": "about-body", "panel": panel}


def panel_option(panel: str) -> dict:
    """A dcc.Store holding the panel's own option (e.g. growth by day or week), read by its CSV download."""
    return {"type": "panel-option", "panel": panel}


def prefixed(page: str):
    """ids for one page: prefixed('growth')('chart') -> 'growth-chart'."""
    return lambda name: f"{page}-{name}"
