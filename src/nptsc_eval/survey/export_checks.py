"""Checking a survey export cell by cell and converting it to the codebook's layout.

Every problem is collected (:class:`Problem`) and reported together, one line per kind of problem
and column with its rows as ranges (:func:`summarise_problems`).  Previews, test responses and
incomplete responses are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import numpy as np
import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey.codebook import SECTOR_LABELS, Codebook

from nptsc_eval.survey.export_files import SurveyValidationError, _norm, _quote

MAX_SUMMARY_LINES = 30
#: Kept for callers that used it: most problems listed cell by cell.
MAX_PROBLEMS = MAX_SUMMARY_LINES
#: Largest survey file read, in bytes (a real export of the survey is a few megabytes).
MIN_RESPONSES = 10
TRUE_TEXT = {"true", "yes", "1", "selected", "checked"}
FALSE_TEXT = {"false", "no", "0", "not selected", "unchecked"}
#: Qualtrics ``Status`` / ``DistributionChannel`` values of responses that are not real ones.
PREVIEW_STATUS = {"survey preview": "preview", "1": "preview", "preview": "preview",
                  "survey test": "test", "2": "test", "test": "test"}

@dataclass
class _Raw:
    """A file's answers keyed by codebook column, before checking."""

    frame: pd.DataFrame                # codebook column id -> categorical / text
    labels: dict[str, str]             # codebook column id -> how to name the column in messages
    header_rows: int
    layout: str
    dropped: list[str]
    ignored: list[str]
    status: dict[str, pd.Series] = field(default_factory=dict)   # Qualtrics Status, Finished, Progress...



# --------------------------------------------------------------------------------------
# Problems, grouped
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem cell: its kind (a short plural phrase), column label, row as a spreadsheet shows it, value."""

    kind: str
    column: str
    row: int
    message: str
    value: str = ""


def row_ranges(rows: Iterable[int], limit: int = 8) -> str:
    """Rows as ranges: ``[3, 4, 5, 9]`` → ``'rows 3–5, 9'``; more than ``limit`` ranges are counted.

    Examples:
        >>> row_ranges([3, 4, 5, 9])
        'rows 3–5, 9'
        >>> row_ranges([7])
        'row 7'
    """
    rows = sorted(set(rows))
    spans: list[tuple[int, int]] = []
    for r in rows:
        if spans and r == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], r)
        else:
            spans.append((r, r))
    shown = [f"{a}" if a == b else f"{a}–{b}" for a, b in spans[:limit]]
    more = f" and {len(spans) - limit:,} more ranges" if len(spans) > limit else ""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(shown) + more


def summarise_problems(problems: list[Problem], all_problems: bool = False, limit: int = MAX_SUMMARY_LINES) -> list[str]:
    """One line per kind of problem and column (or every cell with ``all_problems``), at most ``limit`` lines."""
    if all_problems:
        return [p.message for p in sorted(problems, key=lambda p: p.row)]
    groups: dict[tuple[str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.kind, p.column), []).append(p)
    ordered = sorted(groups.values(), key=lambda g: min(p.row for p in g))
    lines = []
    for g in ordered:
        if len(g) == 1:
            lines.append(g[0].message)
            continue
        values = list(dict.fromkeys(p.value for p in g if p.value))
        shown = ", ".join(_quote(v, 40) for v in values[:3]) + (f" and {len(values) - 3:,} other values" if len(values) > 3 else "")
        lines.append(f"{g[0].column}: {len(g):,} {g[0].kind}{f' ({shown})' if shown else ''}, {row_ranges(p.row for p in g)}")
    if len(lines) > limit:
        rest = ordered[limit - 1:]
        lines = lines[: limit - 1] + [f"... and {len(rest):,} more kinds of problem ({sum(len(g) for g in rest):,} cells); "
                                      "run 'nptsc-eval validate --all' to list every one"]
    return lines


# --------------------------------------------------------------------------------------
# Checking and converting
# --------------------------------------------------------------------------------------


def _as_category(s: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s
    if pd.api.types.is_bool_dtype(s.dtype) or isinstance(s.dtype, pd.BooleanDtype):
        return s.astype("string").str.lower().astype("category")
    return s.astype("string").astype("category")


def _recode(s: pd.Series, allowed: list[str], aliases: dict[str, str]) -> tuple[pd.Series, list[str]]:
    """Map a column's values onto ``allowed`` labels, loosely; return it and the values not recognised."""
    cat = _as_category(s)
    lookup = {_norm(a): a for a in allowed} | {_norm(k): v for k, v in aliases.items() if v in allowed}
    new, unknown = [], []
    for value in cat.cat.categories:
        target = lookup.get(_norm(value))
        if target is None and _norm(value) != "":
            unknown.append(value)
        new.append(target)
    codes = cat.cat.codes.to_numpy()
    mapped = np.array([allowed.index(t) if t is not None else -1 for t in new] + [-1], dtype=np.int16)
    out = pd.Series(pd.Categorical.from_codes(mapped[codes], categories=allowed), index=s.index)
    return out, unknown


def _rows_with(s: pd.Series, values: list[Any]) -> np.ndarray:
    cat = _as_category(s)
    return np.flatnonzero(cat.isin(values).to_numpy())


def _not_real(raw: _Raw) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(preview, test, unfinished) masks from Qualtrics Status, DistributionChannel, Finished and Progress."""
    n = len(raw.frame)
    kinds = np.array([""] * n, dtype=object)
    for key in ("status", "channel"):
        if key in raw.status:
            found = raw.status[key].map(lambda v: PREVIEW_STATUS.get(_norm(v), "") if isinstance(v, str) else "").to_numpy()
            kinds = np.where(kinds == "", found, kinds)
    unfinished = np.zeros(n, dtype=bool)
    if "finished" in raw.status:
        unfinished |= raw.status["finished"].map(lambda v: isinstance(v, str) and _norm(v) in FALSE_TEXT).to_numpy()
    if "progress" in raw.status:
        progress = pd.to_numeric(raw.status["progress"], errors="coerce").to_numpy()
        unfinished |= np.nan_to_num(progress, nan=100.0) < 100
    return kinds == "preview", kinds == "test", unfinished


def _check_and_convert(raw: _Raw, cb: Codebook, mapping: dict[str, Any], path: Path, *,
                       keep_incomplete: bool = False, all_problems: bool = False,
                       min_responses: int = MIN_RESPONSES) -> tuple[pd.DataFrame, dict[str, int], int]:
    """Check every cell and convert to the codebook layout; return (frame, left out by reason, incomplete kept)."""
    problems: list[Problem] = []
    frame, labels, offset = raw.frame, raw.labels, raw.header_rows + 1
    aliases = mapping.get("answer_aliases", {}) or {}
    n = len(frame)
    if n == 0:
        raise DataValidationError(path, ["the file is empty: it has header rows but no responses"])

    def label(col: str) -> str:
        return labels.get(col, col)

    def add(kind: str, i: int, col: str, message: str, value: Any = "") -> None:
        problems.append(Problem(kind, label(col), int(i) + offset, f"row {int(i) + offset}, {label(col)}: {message}",
                                "" if value is None or value is pd.NA else str(value)))

    # Required columns.
    missing_cols: list[str] = []
    for p in cb.profile:
        if p["id"] not in frame.columns:
            missing_cols.append(f"required question '{p['text']}' (codebook column '{p['id']}') is missing from the file")
    for c in cb.columns:
        if c.required and c.id not in frame.columns:
            detail = c.text if c.sub_label == "Response" else f"{c.text} – {c.sub_label}"
            missing_cols.append(f"required question '{detail}' (codebook column '{c.id}') is missing from the file")
    if missing_cols:
        raise SurveyValidationError(path, summarise_problems(
            [Problem(m, "", 0, m) for m in missing_cols], all_problems), len(missing_cols))

    preview, test, unfinished = _not_real(raw)
    out: dict[str, Any] = {}
    ids = frame["respondent_id"].astype("string").str.strip()
    for i in np.flatnonzero(ids.isna().to_numpy() & ~preview & ~test):
        add("empty respondent ids", i, "respondent_id", "respondent id is empty")
    dup = ids.duplicated(keep="first").to_numpy() & ids.notna().to_numpy()
    if dup.any():
        first_row = pd.Series(np.arange(n), index=ids.to_numpy()).groupby(level=0).min()
        for i in np.flatnonzero(dup):
            add("repeated respondent ids", i, "respondent_id",
                f"respondent id '{ids.iloc[i]}' repeats row {int(first_row[ids.iloc[i]]) + offset}", ids.iloc[i])
    out["respondent_id"] = ids.reset_index(drop=True)

    # A response is incomplete when a required question asked of it has no answer.
    unanswered = np.zeros(n, dtype=bool)
    for p in cb.profile[1:]:
        series, unknown = _recode(frame[p["id"]], list(p["values"]), aliases)
        for i in _rows_with(frame[p["id"]], unknown):
            add("answers not among the choices", i, p["id"],
                f"answer {_quote(frame[p['id']].iloc[i])} is not one of: {', '.join(p['values'])}", frame[p["id"]].iloc[i])
        unanswered |= frame[p["id"]].isna().to_numpy()
        out[p["id"]] = series.reset_index(drop=True)
    profile_missing = unanswered.copy()
    # Sectors as small integer codes (index in SECTOR_LABELS, -1 when missing): vectorised checks.
    sector_names = list(SECTOR_LABELS)
    sector_labels = [SECTOR_LABELS[k] for k in sector_names]
    sector = out["sector"]
    sector_code = np.array([sector_labels.index(c) for c in sector.cat.categories] + [-1])[sector.cat.codes.to_numpy()]
    org_sector = cb.raw["profile"][2].get("sector_of_value", {})
    org = out["organisation_type"]
    org_code = np.array([sector_names.index(org_sector[c]) if c in org_sector else -1 for c in org.cat.categories]
                        + [-1])[org.cat.codes.to_numpy()]
    for i in np.flatnonzero((org_code >= 0) & (sector_code >= 0) & (org_code != sector_code)):
        add("organisation types outside the respondent's sector", i, "organisation_type",
            f"organisation type '{org.iloc[i]}' is not in the {str(sector.iloc[i]).lower()}", org.iloc[i])
    for c in cb.columns:
        if c.id not in frame.columns:
            continue
        s = frame[c.id]
        present = s.notna().to_numpy()
        if c.kind == "text":
            out[c.id] = s.astype("string").reset_index(drop=True)
        elif c.kind == "multi":
            cat = _as_category(s)
            truthy = {v for v in cat.cat.categories if _norm(v) in TRUE_TEXT or _norm(v) == _norm(c.sub_label)}
            falsy = {v for v in cat.cat.categories if _norm(v) in FALSE_TEXT}
            unknown = [v for v in cat.cat.categories if v not in truthy and v not in falsy]
            for i in _rows_with(s, unknown):
                add(f"answers that are not the option '{c.sub_label}'", i, c.id,
                    f"answer {_quote(s.iloc[i])} is not the option '{c.sub_label}' (leave it empty when not chosen)", s.iloc[i])
            out[c.id] = cat.isin(list(truthy)).to_numpy()
            present = cat.isin(list(truthy)).to_numpy()
        else:
            labels_ = cb.labels(c.scale)
            series, unknown = _recode(s, labels_, aliases)
            for i in _rows_with(s, unknown):
                add(f"answers not on the question's scale ({', '.join(labels_)})", i, c.id,
                    f"answer {_quote(s.iloc[i])} is not on the question's scale ({', '.join(labels_)})", s.iloc[i])
            out[c.id] = series.reset_index(drop=True)
        if c.asked != "all":
            wrong = np.flatnonzero(present & (sector_code != sector_names.index(c.asked)) & (sector_code >= 0))
            for i in wrong:
                add(f"answers to a question asked only of {SECTOR_LABELS[c.asked].lower()} respondents", i, c.id,
                    f"answers a question asked only of {SECTOR_LABELS[c.asked].lower()} respondents, "
                    f"but the respondent is {str(sector.iloc[i]).lower()}")
        if c.required and c.kind not in ("text", "multi"):
            asked = np.ones(n, dtype=bool) if c.asked == "all" else (sector_code == sector_names.index(c.asked))
            unanswered |= asked & ~s.notna().to_numpy()
    not_real = preview | test
    incomplete = (unanswered | unfinished) & ~not_real
    # Preview, test and (unless kept) incomplete rows are left out before their cells are judged.
    dropped_rows = not_real | (incomplete & ((not keep_incomplete) | profile_missing))
    kept_rows = np.flatnonzero(~dropped_rows)
    real = [p for p in problems if not dropped_rows[p.row - offset]]
    if real:
        raise SurveyValidationError(path, summarise_problems(real, all_problems), len(real))
    left_out = {"incomplete": int((incomplete & dropped_rows).sum()), "preview": int(preview.sum()),
                "test": int((test & ~preview).sum())}
    kept_incomplete = int((incomplete & ~dropped_rows).sum())
    result = pd.DataFrame(out).iloc[kept_rows].reset_index(drop=True)
    sector_kept = sector_code[kept_rows]
    if len(result) < min_responses or not all((sector_kept == k).any() for k in range(len(sector_names))):
        counts = ", ".join(f"{(sector_kept == k).sum():,} {SECTOR_LABELS[s].lower()}" for k, s in enumerate(sector_names))
        raise SurveyValidationError(path, [
            f"too few responses to analyse: {len(result):,} usable ({counts}); the analysis needs at least "
            f"{min_responses:,} complete responses, with at least one from each sector"
            + (f" ({sum(left_out.values()):,} left out as incomplete, preview or test)" if sum(left_out.values()) else "")])
    result["respondent_id"] = result["respondent_id"].astype("string")
    # An incomplete response kept that chose no option of a multi-select question (SurveyMonkey and
    # Qualtrics leave unchosen options blank) did not answer it: its options are missing, not "not chosen".
    kept_incomplete_rows = (incomplete & ~dropped_rows)[kept_rows]
    multi_missing: dict[str, np.ndarray] = {}
    if kept_incomplete_rows.any():
        for q in cb.questions:
            if q["kind"] != "multi":
                continue
            ids = [c.id for c in cb.question_columns(q["id"]) if c.id in result.columns]
            if ids:
                none = ~np.column_stack([np.asarray(result[i], dtype=bool) for i in ids]).any(axis=1)
                for i in ids:
                    multi_missing[i] = none & kept_incomplete_rows
    n = len(result)
    for p in cb.profile[1:]:
        if list(result[p["id"]].cat.categories) != list(p["values"]):
            result[p["id"]] = result[p["id"]].cat.set_categories(list(p["values"]))
    for c in cb.columns:
        if c.id not in result.columns:
            result[c.id] = pd.array([pd.NA] * n, dtype="boolean" if c.kind == "multi" else "string") if c.kind in ("multi", "text") \
                else pd.Categorical([None] * n, categories=cb.labels(c.scale))
        elif c.kind == "multi":
            values = pd.array(result[c.id].to_numpy(dtype=bool), dtype="boolean")
            if c.id in multi_missing:
                values[multi_missing[c.id]] = pd.NA
            result[c.id] = values
        elif c.kind == "text":
            result[c.id] = result[c.id].astype("string")
        elif list(result[c.id].cat.categories) != cb.labels(c.scale):
            result[c.id] = result[c.id].cat.set_categories(cb.labels(c.scale))
    return result[cb.column_ids], left_out, kept_incomplete
