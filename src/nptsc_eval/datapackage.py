"""``data/processed/datapackage.json``: every processed file described as a Frictionless Data Package.

The build writes it after the notebooks have run (:func:`write_datapackage`).  Each CSV in
``data/processed/`` (the table and chart downloads in ``downloads/`` too) becomes a resource
with a title, a description, its sources and a table schema: every column with its type
(read from the file's own values), a description and, where the column holds one, its unit.

Where the words come from:

* a table or chart download: its caption and source line, as the book shows them
  (``downloads/<page>-index.json``, written by ``report.show_table``/``show_figure``);
* any other processed file: the notebook run that writes it and the files that run reads,
  from ``pipeline.yml``;
* a column: :data:`COLUMN_DESCRIPTIONS` for the names the project uses in many files, else a
  description made from its name and file; units from :func:`column_unit`.

``tests/test_datapackage.py`` validates the written package with the ``frictionless`` library.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from nptsc_eval import paths

#: What the columns the project uses in many files hold.
COLUMN_DESCRIPTIONS = {
    "fact_id": "Stable identifier of the fact (dot-separated)",
    "value": "The fact's value",
    "unit": "Unit of the value",
    "description": "What the value is",
    "source_location": "Where in the original report the value is printed",
    "project_id": "Identifier of the project (data/raw/projects.csv)",
    "delivery_partner": "Organisation that delivered the project",
    "strand": "Delivery strand of the programme (1 to 3)",
    "count": "Number of respondents",
    "percent": "Share of the base, per cent",
    "base": "Number of respondents the share is taken of",
    "claim_id": "Identifier of the statement in the claims register",
    "status": "Verdict or status",
    "kpi": "Key performance indicator (KPI)",
    "target": "Target the logic model set",
    "actual": "Output the original report gives",
    "percent_of_target": "Output as a percentage of the target",
}
#: Words in a column name that give its unit.
_UNITS = [
    (re.compile(r"(per ?cent|percent|_pct\b|%)", re.I), "%"),
    (re.compile(r"\bdays?\b", re.I), "days"),
    (re.compile(r"(respondents|people|attendees|individuals|participants|\bbase\b|\bn\b|count|pairs)", re.I), "people"),
    (re.compile(r"organisations", re.I), "organisations"),
]
_INTEGER = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def column_unit(name: str) -> str | None:
    """The unit a column's name states, or None.

    Examples:
        >>> column_unit("Per cent of respondents"), column_unit("Base n"), column_unit("Local authority")
        ('%', 'people', None)
    """
    for pattern, unit in _UNITS:
        if pattern.search(name.replace("_", " ")):
            return unit
    return None


def field_type(values: pd.Series) -> str:
    """The Table Schema type of a CSV column read as text ("" = missing): integer, number, boolean or string.

    Examples:
        >>> field_type(pd.Series(["1", "", "20"])), field_type(pd.Series(["1.5", "2"])), field_type(pd.Series(["True", "False"]))
        ('integer', 'number', 'boolean')
    """
    present = [v for v in values if v != ""]
    if not present:
        return "string"
    if all(_INTEGER.match(v) for v in present):
        return "integer"
    if all(_NUMBER.match(v) for v in present):
        return "number"
    if all(v in ("True", "False", "true", "false") for v in present):
        return "boolean"
    return "string"


def _resource_name(relative: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", relative.lower().removesuffix(".csv")).strip("-")


def _download_index(folder: Path) -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = {}
    for index in sorted(folder.glob("*-index.json")):
        entries.update(json.loads(index.read_text(encoding="utf-8")))
    return entries


def describe(root: Path | None = None) -> dict[str, Any]:
    """The data package descriptor of ``data/processed/`` under ``root`` (the project by default)."""
    import fnmatch

    from nptsc_eval.pipeline import load_spec

    root = root or paths.PROJECT_ROOT
    processed = root / "data" / "processed"
    downloads = _download_index(processed / "downloads")
    spec = load_spec(root=root)
    resources = []
    for path in sorted(processed.rglob("*.csv")):
        relative = path.relative_to(processed).as_posix()
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if relative.startswith("downloads/") and path.name in downloads:
            entry = downloads[path.name]
            title, description = entry["caption"], f"The data behind {entry['caption'].split(':')[0]} of the book."
            sources = [{"title": entry["source"]}]
            of = entry["caption"].split(":")[0]
        else:
            wanted = f"data/processed/{relative}"
            runs = [run for run in spec.runs if any(fnmatch.fnmatch(wanted, o) for o in run.outputs)]
            title = path.stem.replace("_", " ").capitalize()
            if runs:
                run = runs[0]
                description = f"Written by {paths.relative(run.notebook)} (run {run.id})."
                sources = [{"title": f"Computed from {', '.join(run.inputs)}"}]
            else:
                description = "Written by the pipeline."
                sources = [{"title": "Computed from the files in data/raw"}]
            of = title.lower()
        fields = []
        for column in frame.columns:
            field: dict[str, Any] = {"name": str(column), "type": field_type(frame[column]),
                                     "description": COLUMN_DESCRIPTIONS.get(str(column),
                                                                            f"{str(column).replace('_', ' ').capitalize()} ({of})")}
            unit = column_unit(str(column))
            if unit:
                field["unit"] = unit
            fields.append(field)
        resources.append({
            "name": _resource_name(relative), "path": relative, "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "title": title, "description": description, "sources": sources,
            "schema": {"fields": fields, "missingValues": [""]},
        })
    return {
        "name": "nptsc-eval-processed-data",
        "title": "National Programme for Third Sector Commissioning, phase two: impact evaluation, processed data",
        "description": ("Every file the analysis writes to data/processed, computed from the facts and figures transcribed "
                        "from the original report in data/raw."),
        "profile": "tabular-data-package",
        "sources": [{"title": "National Programme for Third Sector Commissioning: Impact evaluation, Consulting Inplace "
                              "for LG Improvement and Development, Local Government Group, July 2011"}],
        "resources": resources,
    }


def write_datapackage(root: Path | None = None) -> Path:
    """Write ``data/processed/datapackage.json`` and return its path."""
    root = root or paths.PROJECT_ROOT
    target = root / "data" / "processed" / "datapackage.json"
    target.write_text(json.dumps(describe(root), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
