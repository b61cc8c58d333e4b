"""Provenance: where every glued value and every figure of the book comes from.

After the notebooks run, :func:`write_provenance` reads each run's executed notebook (its
glued values and its figures) and the pipeline's record of the run (the hashes of its code,
parameters, package and every input file it read), and writes

* ``data/processed/provenance.csv``: one row per glued value or figure, with the notebook,
  run, parameters and hashes that made it;
* ``data/processed/provenance_runs.csv``: one row per run;
* ``book/executed/provenance.md``: the book's appendix page that lists them.

A value or figure can so be traced to the exact inputs it was computed from: the inputs
hash is the SHA-256 of the run's input files and their own SHA-256s, as the pipeline
recorded them when the run last executed.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from nptsc_eval.project import Project
from nptsc_eval.safe_text import markdown_code, spreadsheet_safe

ITEM_COLUMNS = ["run_id", "kind", "name", "value", "evidence", "notebook", "parameters", "inputs_sha256", "code_sha256",
                "package_sha256", "content_sha256"]
RUN_COLUMNS = ["run_id", "notebook", "parameters", "input_files", "inputs_sha256", "code_sha256",
               "package_sha256", "synthetic_inputs"]
PAGE = "provenance.md"
#: How many hexadecimal digits of a hash the book page shows (the CSV files hold them whole).
SHOWN_DIGITS = 12


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "".join(value or [])


def inputs_hash(inputs: dict[str, str]) -> str:
    """One SHA-256 for a run's inputs: of each input file's path and SHA-256, sorted by path.

    Examples:
        >>> inputs_hash({"b.csv": "2", "a.csv": "1"}) == inputs_hash({"a.csv": "1", "b.csv": "2"})
        True
    """
    return hashlib.sha256(json.dumps(sorted(inputs.items())).encode()).hexdigest()


def notebook_items(executed: Path) -> list[dict[str, str]]:
    """The glued values and the figures of an executed notebook, in the order they appear.

    A glued value is an output with ``scrapbook`` metadata; its text is what the book shows.
    A figure is a PNG output; its name is its number in the notebook and its value its alt
    text.  The same image shown twice in one cell counts once.
    """
    nb = json.loads(executed.read_text(encoding="utf-8"))
    items: list[dict[str, str]] = []
    figures = 0
    for cell in nb.get("cells", []):
        seen_images: set[str] = set()
        for output in cell.get("outputs", []) or []:
            data = output.get("data", {})
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name"):
                prefix = scrapbook.get("mime_prefix", "")
                text = _text(data.get(prefix + "text/plain", data.get("text/plain", "")))
                items.append({"kind": "value", "name": scrapbook["name"], "value": text,
                              "evidence": output.get("metadata", {}).get("nptsc", {}).get("evidence", ""),
                              "content_sha256": hashlib.sha256(text.encode()).hexdigest()})
            elif "image/png" in data:
                png = base64.b64decode(_text(data["image/png"]))
                digest = hashlib.sha256(png).hexdigest()
                if digest in seen_images:
                    continue
                seen_images.add(digest)
                figures += 1
                alt = output.get("metadata", {}).get("image/png", {}).get("alt") \
                    or cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
                items.append({"kind": "figure", "name": f"Figure {figures}", "value": alt, "evidence": "",
                              "content_sha256": digest})
    return items


def _synthetic_sources(spec: Any, root: Path, state: dict[str, Any]) -> dict[str, list[str]]:
    """For each run, the synthetic files behind its results: read directly, or through runs it reads.

    A file is synthetic when its own metadata says so (``synthetic: true``).
    """
    from nptsc_eval.sources import is_synthetic_file

    found: dict[str, set[str]] = {}
    for run in spec.runs:
        inputs = state.get(run.id, {}).get("parts", {}).get("inputs", {})
        found[run.id] = {p for p in inputs if is_synthetic_file(Path(p) if Path(p).is_absolute() else root / p)}
    changed = True
    while changed:  # through every run a run depends on, however far back
        changed = False
        for run in spec.runs:
            inherited = set().union(*(found.get(d, set()) for d in run.depends_on)) if run.depends_on else set()
            if not inherited <= found[run.id]:
                found[run.id] |= inherited
                changed = True
    return {rid: sorted(files) for rid, files in found.items() if files}


def provenance_frames(spec: Any, root: Path, state: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(items, runs) for every run of ``spec`` that has an executed notebook and a record."""
    items, runs = [], []
    synthetic = _synthetic_sources(spec, root, state)
    for run in spec.runs:
        record = state.get(run.id, {}).get("parts")
        if not record or not run.executed.exists():
            continue
        inputs = record.get("inputs", {})
        common = {"run_id": run.id, "notebook": Project(root).relative(run.notebook),
                  "parameters": json.dumps(public_parameters(run.parameters), sort_keys=True, ensure_ascii=False),
                  "inputs_sha256": inputs_hash(inputs), "code_sha256": record.get("code", ""),
                  "package_sha256": record.get("package", "")}
        runs.append({**common, "input_files": len(inputs), "synthetic_inputs": "; ".join(synthetic.get(run.id, []))})
        for item in notebook_items(run.executed):
            items.append({**common, **item})
    return pd.DataFrame(items, columns=ITEM_COLUMNS), pd.DataFrame(runs, columns=RUN_COLUMNS)


def public_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Parameters as published: an absolute path (which can name a person's home folder) becomes its file name.

    Examples:
        >>> public_parameters({"survey_path": "/home/jo/exports/survey.csv", "strand": 1})
        {'survey_path': 'survey.csv', 'strand': 1}
    """
    import os

    return {k: Path(v).name if isinstance(v, str) and (os.path.isabs(v) or v.startswith("~")) else v
            for k, v in parameters.items()}


#: The run that reads the survey file, and the values it glues about that file.
SURVEY_RUN = "02-survey"
SURVEY_KEYS = {"survey_source": "File", "survey_sha256": "SHA-256", "survey_responses_note": "Responses",
               "survey_redaction_note": "Free-text answers"}


def survey_rows(items: pd.DataFrame) -> list[tuple[str, str]]:
    """The page's table on the survey file: its name and checksum (never its folder), and what was left out."""
    found = items[(items["run_id"] == SURVEY_RUN) & items["name"].isin(list(SURVEY_KEYS))]
    values = dict(zip(found["name"], found["value"]))
    return [(label, values[key]) for key, label in SURVEY_KEYS.items() if key in values]


def provenance_page(items: pd.DataFrame, runs: pd.DataFrame) -> str:
    """The appendix page (``templates/provenance.md.j2``): the runs, then each run's values and figures."""
    from nptsc_eval.templating import render

    short = SHOWN_DIGITS
    synthetic_runs = runs[runs["synthetic_inputs"] != ""]
    files = {Path(f).name for s in synthetic_runs["synthetic_inputs"] for f in s.split("; ")}
    return render(
        "provenance.md.j2",
        synthetic_runs=list(synthetic_runs["run_id"]),
        synthetic_files=sorted(files, key=markdown_code),
        survey=survey_rows(items),
        runs=[{"run_id": r.run_id, "notebook": r.notebook, "parameters": r.parameters, "input_files": r.input_files,
               "inputs_hash": r.inputs_sha256[:short], "code_hash": r.code_sha256[:short],
               "synthetic": bool(r.synthetic_inputs),
               "entries": [{"kind": i.kind, "name": i.name, "value": i.value, "evidence": i.evidence.replace("_", " ")}
                         for i in items[items["run_id"] == r.run_id].itertuples()]}
              for r in runs.itertuples()],
    )


def write_provenance(spec: Any, root: Path | None = None) -> Path:
    """Write the provenance record and its book page; return the page's path."""
    from nptsc_eval.build.state import load_state

    project = Project(root) if root is not None else Project.current()
    root = project.root
    items, runs = provenance_frames(spec, root, load_state(root))
    processed = project.processed
    processed.mkdir(parents=True, exist_ok=True)
    # Values can come from a survey export: none may run as a spreadsheet formula.
    spreadsheet_safe(items).to_csv(processed / "provenance.csv", index=False)
    spreadsheet_safe(runs).to_csv(processed / "provenance_runs.csv", index=False)
    page = project.executed / PAGE
    page.parent.mkdir(parents=True, exist_ok=True)
    text = provenance_page(items, runs)
    if not page.exists() or page.read_text(encoding="utf-8") != text:
        page.write_text(text, encoding="utf-8")
    return page
