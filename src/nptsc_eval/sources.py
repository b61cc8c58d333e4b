"""The catalogue of ``data/raw/``: every file, what it holds, where it comes from, its licence.

The book's data sources appendix lists every raw file from this catalogue.  Provenance comes
from the files themselves: a CSV table's ``.meta.yml``, or the ``title``, ``source`` and
``licence`` keys at the top of a YAML file.  Case study records name their ``sources``
instead.  Nothing is filled in that a file does not say: a missing licence note shows as
missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from nptsc_eval.caching import cached_by_file
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.yaml_text import load_yaml

#: The columns of :func:`raw_sources`, in order.
COLUMNS = ["file", "kind", "title", "document", "location", "licence", "synthetic"]
#: What the catalogue says when a file records no licence note.
NOT_RECORDED = "not recorded"


def _source_fields(source: Any) -> tuple[str, str]:
    """(document, location) from a ``source`` mapping, a list of them, or text."""
    if isinstance(source, dict):
        location = source.get("location", "")
        if source.get("chapter") and source.get("chapter") not in location:
            location = f"{location} ({source['chapter']})" if location else str(source["chapter"])
        return str(source.get("document", "")), str(location)
    if isinstance(source, list):
        parts = [_source_fields(s) for s in source]
        documents = sorted({d for d, _ in parts if d})
        return "; ".join(documents), "; ".join(loc for _, loc in parts if loc)
    return "", str(source or "")


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def _first_heading(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return path.name


def describe_raw_file(path: Path, raw_dir: Path) -> dict[str, Any]:
    """One row of the catalogue for the raw file at ``path``."""
    name = path.relative_to(raw_dir).as_posix()
    row: dict[str, Any] = {"file": name, "kind": "", "title": "", "document": "", "location": "",
                           "licence": NOT_RECORDED, "synthetic": False}
    if path.name.endswith(".meta.yml"):
        table = path.name.removesuffix(".meta.yml") + ".csv"
        meta = _read_yaml(path)
        row.update(kind="metadata", title=f"Provenance, data dictionary and rules of {table}",
                   licence=meta.get("licence", NOT_RECORDED))
        row["document"], row["location"] = _source_fields(meta.get("source"))
    elif path.suffix == ".csv":
        meta_file = path.with_suffix(".meta.yml")
        meta = _read_yaml(meta_file) if meta_file.exists() else {}
        row.update(kind="table", title=meta.get("title", ""), licence=meta.get("licence", NOT_RECORDED),
                   synthetic=bool(meta.get("synthetic", False)))
        row["document"], row["location"] = _source_fields(meta.get("source"))
    elif path.suffix in (".yml", ".yaml"):
        data = _read_yaml(path)
        title = data.get("title") or (f"Case study record: {data['name']}" if "case_id" in data and "name" in data else "")
        row.update(kind="records", title=title, licence=data.get("licence", NOT_RECORDED),
                   synthetic=bool(data.get("synthetic", False)))
        row["document"], row["location"] = _source_fields(data.get("source", data.get("sources")))
    elif path.suffix == ".md":
        row.update(kind="documentation", title=_first_heading(path), licence="")
    else:
        row.update(kind="other", title=path.name)
    return row


def raw_sources(raw_dir: Path | None = None) -> pd.DataFrame:
    """Every file in ``data/raw/`` (folders included), one row each, sorted by path.

    Examples:
        >>> catalogue = raw_sources()
        >>> catalogue.set_index("file").loc["table_2_1_programme_outputs.csv", ["kind", "location"]].tolist()
        ['table', 'Table 2.1 (Chapter 2, Overview of the programme)']
    """
    folder = raw_dir or RAW_DIR
    rows = [describe_raw_file(p, folder) for p in sorted(folder.rglob("*")) if p.is_file()]
    return pd.DataFrame(rows, columns=COLUMNS)


def is_synthetic_file(path: Path) -> bool:
    """True when a data file's own metadata says it is synthetic (``synthetic: true``)."""
    path = Path(path)
    own = path if path.suffix in (".yml", ".yaml") else path.with_suffix(".meta.yml")
    return own.exists() and _says_synthetic(own)


@cached_by_file(maxsize=512)
def _says_synthetic(path: Path) -> bool:
    return bool(_read_yaml(path).get("synthetic", False))
