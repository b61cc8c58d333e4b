"""Compare two builds' executed notebooks and processed files, ignoring images, timings and code hashes.

    python tests/tools/compare_outputs.py BEFORE_DIR [AFTER_ROOT]

``BEFORE_DIR`` holds ``executed/`` (a copy of ``book/executed/``) and ``processed/`` (a copy of
``data/processed/``); ``AFTER_ROOT`` is a project checkout (default: this one).  Executed notebooks
are compared as the sequence of their outputs (so a cell split in two or merged still compares equal):
text/html, text/markdown, text/plain, glued records and each output's metadata (glue name, evidence
class, alt text), but not PNG images or execution timings.  Processed CSV files are compared cell by
cell, leaving out the columns that hash the code and the inputs (``code_sha256``, ``package_sha256``,
``inputs_sha256``), which change with any edit to the package or to the list of a notebook's inputs
(the number of input files, ``input_files``, is still compared).  The value a hidden cell (tagged
``remove-cell``) leaves as its result (``execute_result``) is not compared either: no page shows it.  Prints one line per difference and exits 1 if there is any.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

TEXT_TYPES = ("text/html", "text/markdown", "text/plain", "application/papermill.record/text/html",
              "application/papermill.record/text/plain", "application/papermill.record/text/markdown")
HASH_COLUMNS = {"code_sha256", "package_sha256", "inputs_sha256"}


def _text(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _metadata(meta: dict) -> dict:
    """An output's metadata without image sizes."""
    kept = {k: v for k, v in meta.items() if k not in ("image/png",)}
    if "image/png" in meta:
        kept["alt"] = meta["image/png"].get("alt") if isinstance(meta["image/png"], dict) else None
    return kept


def notebook_outputs(path: Path) -> list[dict]:
    """Each output of an executed notebook, in order, as comparable text."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        hidden = "remove-cell" in cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []) or []:
            if hidden and out.get("output_type") == "execute_result":
                continue
            if out.get("output_type") == "stream":
                found.append({"stream": _text(out.get("text", ""))})
                continue
            data = out.get("data", {})
            item = {t: _text(data[t]) for t in TEXT_TYPES if t in data}
            item["image"] = "image/png" in data
            item["metadata"] = _metadata(out.get("metadata", {}))
            found.append(item)
    return found


def compare_notebook(before: Path, after: Path) -> list[str]:
    old, new = notebook_outputs(before), notebook_outputs(after)
    problems = []
    for i, (a, b) in enumerate(zip(old, new)):
        if a != b:
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            problems.append(f"{after.name}: output {i} differs in {', '.join(keys)}: "
                            f"{json.dumps({k: a.get(k) for k in keys})[:300]} -> {json.dumps({k: b.get(k) for k in keys})[:300]}")
    if len(old) != len(new):
        problems.append(f"{after.name}: {len(old)} outputs before, {len(new)} after")
    return problems


def compare_csv(before: Path, after: Path) -> list[str]:
    old, new = pd.read_csv(before, dtype=str), pd.read_csv(after, dtype=str)
    old = old.drop(columns=[c for c in old.columns if c in HASH_COLUMNS])
    new = new.drop(columns=[c for c in new.columns if c in HASH_COLUMNS])
    if list(old.columns) != list(new.columns):
        return [f"{after.name}: columns {list(old.columns)} -> {list(new.columns)}"]
    if len(old) != len(new):
        return [f"{after.name}: {len(old)} rows before, {len(new)} after"]
    diff = old.fillna("<NA>") != new.fillna("<NA>")
    return [f"{after.name}: row {r} column {c}: {old.at[r, c]!r} -> {new.at[r, c]!r}"
            for r, c in zip(*diff.to_numpy().nonzero()) for c in [old.columns[c]]][:50]


def compare(before_dir: Path, root: Path) -> list[str]:
    problems = []
    for old in sorted((before_dir / "executed").glob("*.ipynb")):
        new = root / "book" / "executed" / old.name
        problems += compare_notebook(old, new) if new.exists() else [f"{old.name}: missing after"]
    for old in sorted((before_dir / "processed").rglob("*")):
        if old.is_dir() or old.name in ("datapackage.json",):
            continue
        new = root / "data" / "processed" / old.relative_to(before_dir / "processed")
        if not new.exists():
            problems.append(f"{old.name}: missing after")
        elif old.suffix == ".csv":
            problems += compare_csv(old, new)
        elif old.read_bytes() != new.read_bytes():
            problems.append(f"{old.relative_to(before_dir)}: contents differ")
    return problems


if __name__ == "__main__":
    before = Path(sys.argv[1])
    root = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parents[2]
    found = compare(before, root)
    print("\n".join(found) or "no differences")
    sys.exit(1 if found else 0)
