"""docs/metrics.md, the one place each number is defined, as the app serves it: its sections by heading, each with
the anchor GitHub gives it, so a card's link works in the app (/definitions#anchor) and on GitHub alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_HEADING = re.compile(r"^(#{1,3}) (.+)$")
PAGE_PATH = "/definitions"


@dataclass(frozen=True)
class Section:
    level: int  # 1: the title, 2: a page, 3: a metric
    title: str
    anchor: str
    body: str  # the Markdown under the heading, up to the next one


def anchor(title: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def link(section_anchor: str) -> str:
    return f"{PAGE_PATH}#{section_anchor}"


def path() -> Path:
    """docs/metrics.md of the source tree (the image runs from it, see the Dockerfile), else of the working folder."""
    here = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"
    return here if here.exists() else Path.cwd() / "docs" / "metrics.md"


@lru_cache(maxsize=1)
def sections() -> tuple[Section, ...]:
    """The document's sections in order; empty when the file is missing."""
    try:
        text = path().read_text(encoding="utf-8")
    except OSError:
        return ()
    out, heading, lines = [], None, []
    for line in text.splitlines() + ["# end"]:
        match = _HEADING.match(line)
        if not match:
            lines.append(line)
            continue
        if heading:
            out.append(Section(len(heading[0]), heading[1], anchor(heading[1]), "\n".join(lines).strip()))
        heading, lines = match.groups(), []
    return tuple(out)
