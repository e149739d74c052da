"""Strip the outputs of notebooks before they are committed (`make notebook-strip`): every code cell's outputs and
execution count, the run's timings in cell metadata, widget state, and the kernel's version in the notebook's
metadata (so a stripped notebook is the same whoever ran it, with whichever Python). `--check` changes nothing and exits 1 naming each
notebook that still holds some (tests/test_notebook.py fails on them too).

    python scripts/strip_notebook_outputs.py [--check] [NOTEBOOK ...]     # default: notebooks/*.ipynb
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def strip(nb: nbformat.NotebookNode) -> bool:
    """Strip `nb` in place; whether anything was removed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.outputs or cell.execution_count is not None or "execution" in cell.metadata:
            changed = True
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("execution", None)  # timings nbclient and JupyterLab record
    language = nb.metadata.get("language_info", {})
    kept = {"language_info": {"name": language["name"]}} if "name" in language else {}
    for key in ("widgets", "language_info"):
        if key in nb.metadata and nb.metadata[key] != kept.get(key):
            changed = True
            nb.metadata.pop(key)
    nb.metadata.update(kept)
    return changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if a != "--check"] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    dirty = []
    for path in paths:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if not strip(nb):
            continue
        dirty.append(path)
        if not check:
            nbformat.validate(nb)
            nbformat.write(nb, path)
    for path in dirty:
        print(f"{path}: {'has outputs (run make notebook-strip)' if check else 'outputs stripped'}")
    return 1 if check and dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
