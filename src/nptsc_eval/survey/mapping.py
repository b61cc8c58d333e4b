"""Mapping an export whose question wording differs from the codebook's: ``nptsc-eval map``.

:func:`propose_mapping` compares each export column's question text with every codebook
column's (question, and the sub-question: period, stage or option) by fuzzy matching
(``rapidfuzz``), pairs them one to one (the Hungarian method, so two export columns never
take the same codebook column), and gives each pair a confidence from 0 to 100.
:func:`write_mapping_file` writes the proposal as YAML for a person to review; the reviewed
file is given to ``validate`` and ``build`` with ``--mapping``.  A column whose best match is
under :data:`MIN_CONFIDENCE` is left unplaced and named, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nptsc_eval.survey.codebook import Codebook, load_codebook
from nptsc_eval.survey.column_map import read_column_map

__all__ = ["MIN_CONFIDENCE", "CHECK_BELOW", "Proposal", "propose_mapping", "write_mapping_file", "read_column_map"]

#: Matches under this confidence are not placed: the column is named for the user to map by hand.
MIN_CONFIDENCE = 70.0
#: Matches under this confidence are placed but marked for checking.
CHECK_BELOW = 90.0


@dataclass(frozen=True)
class Proposal:
    """One export column and the codebook column proposed for it (``None``: not placed)."""

    letter: str
    key: str              # what identifies the column in the mapping file: its name, or its question text
    text: str             # the export's question text
    codebook_column: str | None
    confidence: float
    best_guess: str | None = None
    role: str = "question"   # question, respondent id, identifying (dropped), metadata


def codebook_texts(cb: Codebook) -> dict[str, str]:
    """Each codebook column's full wording: the question, then its sub-question when it has one."""
    out = {p["id"]: p["text"] for p in cb.profile[1:]}
    for c in cb.columns:
        out[c.id] = c.text if c.sub_label in ("Response", "Open-Ended Response") else f"{c.text} - {c.sub_label}"
    return out


def _score_matrix(texts: list[str], targets: list[str]) -> np.ndarray:
    from rapidfuzz import fuzz, process, utils

    # token_set_ratio forgives reordered and added words; ratio keeps "before" apart from "after".
    a = process.cdist(texts, targets, scorer=fuzz.token_set_ratio, processor=utils.default_process)
    b = process.cdist(texts, targets, scorer=fuzz.ratio, processor=utils.default_process)
    return 0.5 * np.asarray(a, dtype=float) + 0.5 * np.asarray(b, dtype=float)


def propose_mapping(path: Path | str, sheet: str | None = None, cb: Codebook | None = None) -> list[Proposal]:
    """A proposed mapping of every column of the export at ``path`` to the codebook."""
    from scipy.optimize import linear_sum_assignment

    from nptsc_eval.survey import exports

    path = Path(path)
    exports.check_file(path)
    cb = cb or load_codebook()
    mapping = exports.load_mapping()
    grid, source = exports._read_grid(path, sheet)
    layout = exports.mapped_layout(grid, path, source)
    header_rows, names, texts = exports.export_headers(grid, layout)
    keys = texts if layout == "surveymonkey" else names
    spec = mapping["layouts"].get("qualtrics" if layout == "qualtrics_sav" else layout, {})
    metadata = {exports._norm(m) for m in spec.get("metadata_columns", [])} | {exports._norm(k) for k in exports.STATUS_COLUMNS}
    proposals: list[Proposal | None] = []
    questions: list[int] = []
    for j, (name, key, text) in enumerate(zip(names, keys, texts)):
        letter = exports._column_letter(j)
        norm = exports._norm(name)
        if name and exports._identifying(name, mapping):
            proposals.append(Proposal(letter, key, text, None, 0.0, role="identifying (dropped at load)"))
        elif norm in ("respondent id", "responseid", "respondent_id", exports._norm(spec.get("respondent_id", ""))):
            proposals.append(Proposal(letter, key, text, "respondent_id", 100.0, role="respondent id"))
        elif norm in metadata or norm.replace(" ", "") in exports.STATUS_COLUMNS:
            proposals.append(Proposal(letter, key, text, None, 0.0, role="metadata"))
        else:
            proposals.append(None)
            questions.append(j)
    targets = codebook_texts(cb)
    target_ids = list(targets)
    if questions:
        scores = _score_matrix([texts[j] for j in questions], [targets[t] for t in target_ids])
        rows, cols = linear_sum_assignment(-scores)
        assigned = dict(zip(rows.tolist(), cols.tolist()))
        for i, j in enumerate(questions):
            best = int(np.argmax(scores[i]))
            if i in assigned and scores[i, assigned[i]] >= MIN_CONFIDENCE:
                k = assigned[i]
                proposals[j] = Proposal(exports._column_letter(j), keys[j], texts[j], target_ids[k], round(float(scores[i, k]), 1))
            else:
                proposals[j] = Proposal(exports._column_letter(j), keys[j], texts[j], None, round(float(scores[i, best]), 1),
                                        best_guess=target_ids[best])
    return [p for p in proposals if p is not None]


def write_mapping_file(proposals: list[Proposal], export: Path, out: Path) -> Path:
    """Write the proposal as YAML for review: one entry per export column, with its confidence."""
    import yaml

    entries = []
    for p in proposals:
        entry: dict[str, Any] = {"column": p.letter, "export": p.key}
        if p.text != p.key:
            entry["question"] = p.text
        if p.role == "question":
            entry["codebook_column"] = p.codebook_column
            entry["confidence"] = p.confidence
            if p.codebook_column is None:
                entry["note"] = (f"not placed: no codebook question matches well enough (best: {p.best_guess}, "
                                 f"confidence {p.confidence:g}); set codebook_column by hand or leave it empty to ignore")
            elif p.confidence < CHECK_BELOW:
                entry["note"] = "check: the wording differs"
        else:
            entry["codebook_column"] = p.codebook_column
            entry["role"] = p.role
        entries.append(entry)
    doc = {"title": f"Column mapping for {export.name}",
           "description": "Proposed by 'nptsc-eval map'. Check every line, correct codebook_column where it is wrong, "
                          "then use the file with --mapping. An empty codebook_column leaves the column out.",
           "export": export.name, "columns": entries}
    out.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    return out
