"""The data behind each card, which its CSV download holds: each page registers a function per panel; the shell's
download callback (webapp/shell_callbacks.py) serves it for the filters in the store."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from analytics.filters import Filters

PanelData = Callable[..., pd.DataFrame]  # (filters, option) -> the panel's DataFrame
_PANELS: dict[str, PanelData] = {}


def register(panel: str, data: PanelData) -> str:
    """Declare the data behind a panel (what its CSV holds); returns the panel id."""
    if panel in _PANELS and _PANELS[panel].__module__ != data.__module__:
        raise ValueError(f"panel id {panel!r} is registered by {_PANELS[panel].__module__} and {data.__module__}")
    _PANELS[panel] = data
    return panel


def known(panel: str) -> bool:
    return panel in _PANELS


def panel_data(panel: str, filters: Filters, option=None) -> pd.DataFrame:
    return _PANELS[panel](filters, option)
