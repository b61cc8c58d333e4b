"""Sphinx extension: the page "What this edition corrects", made from the project's own records.

The directive ``nptsc-corrections`` lists

* every statement the claims audit finds the source report contradicting
  (``inconsistent_in_source`` in ``data/processed/claims_audit.csv``, written by the
  claims-audit notebook before the book is built), each with its reason and a link to its own
  row in the claims audit's table of every verdict;
* every repair made when a table was transcribed: the notes of ``data/raw/*.meta.yml`` that
  begin "Repaired:", each with its data file and a link to the data sources appendix.

Nothing on the page is typed by hand, so it cannot fall out of step with the audit or the data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

from nptsc_eval.claims.audit import anchor

#: The project this file belongs to; a build reads the files of the project it builds (Sphinx's
#: source folder, :func:`project_root`), since a process that builds two projects imports this
#: module once, from the first.
ROOT = Path(__file__).resolve().parents[2]
AUDIT_CSV = ROOT / "data" / "processed" / "claims_audit.csv"
RAW_DIR = ROOT / "data" / "raw"


def project_root(directive: Directive) -> Path:
    """The root of the project being built: Sphinx's source folder."""
    return Path(directive.state.document.settings.env.app.srcdir)
REPAIR_PREFIX = "Repaired:"
AUDIT_PAGE = "executed/05-claims-audit.html"


def contradictions(path: Path = AUDIT_CSV) -> pd.DataFrame:
    """The claims audit's statements that the source contradicts, in register order."""
    audit = pd.read_csv(path, dtype=str, keep_default_na=False)
    return audit[audit["status"] == "inconsistent_in_source"].reset_index(drop=True)


def repairs(raw_dir: Path = RAW_DIR) -> list[tuple[str, str]]:
    """(data file, repair) for every metadata note that records a repair made in transcription."""
    found = []
    for meta in sorted(raw_dir.glob("*.meta.yml")):
        notes = (yaml.safe_load(meta.read_text(encoding="utf-8")) or {}).get("notes") or []
        for note in notes:
            if isinstance(note, str) and note.startswith(REPAIR_PREFIX):
                found.append((meta.name.replace(".meta.yml", ".csv"), note[len(REPAIR_PREFIX):].strip()))
    return found


def _link(text: str, target: str) -> nodes.reference:
    return nodes.reference(text, text, refuri=target, internal=True)


class CorrectionsDirective(Directive):
    has_content = False
    option_spec = {"part": str}

    def run(self) -> list[nodes.Node]:
        part = self.options.get("part", "contradictions")
        settings = self.state.document.settings
        root = project_root(self)
        audit_csv, raw_dir = root / "data" / "processed" / "claims_audit.csv", root / "data" / "raw"
        items = nodes.bullet_list(classes=[f"nptsc-{part}"])
        if part == "contradictions":
            settings.record_dependencies.add(str(audit_csv))
            for row in contradictions(audit_csv).itertuples(index=False):
                para = nodes.paragraph()
                para += nodes.strong(row.statement, row.statement)
                para += nodes.Text(f" ({row.source_location}) {row.explanation} ")
                para += _link(f"Claims audit entry {row.claim_id}", f"{AUDIT_PAGE}#{anchor(row.claim_id)}")
                para += nodes.Text(".")
                items += nodes.list_item("", para, ids=[f"correction-{row.claim_id}"])
        else:
            for name, repair in repairs(raw_dir):
                settings.record_dependencies.add(str(raw_dir / name.replace(".csv", ".meta.yml")))
                para = nodes.paragraph()
                para += nodes.literal(name, name)
                para += nodes.Text(f": {repair} ")
                para += _link("Data sources", "executed/06-data-sources.html")
                para += nodes.Text(".")
                items += nodes.list_item("", para)
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("nptsc-corrections", CorrectionsDirective)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
