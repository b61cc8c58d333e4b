"""The source's quantified survey findings, evaluated on respondent-level data.

``data/raw/survey_constraints.yml`` writes each quantified statement of the source about
the survey as a metric with bounds.  :func:`evaluate_findings` computes every metric on a
survey frame and says whether the bounds hold: on the synthetic data they all must (the
generator is calibrated to them); on a real export they test the source's claims.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import field_validator, model_validator

from nptsc_eval.caching import cached_by_file
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Checked, Problem, RawDocument, RawRecord, entry_label, one_of, validate_document
from nptsc_eval.survey import analysis, stats
from nptsc_eval.survey.codebook import Codebook, load_codebook
from nptsc_eval.yaml_text import read_yaml_mapping

CONSTRAINTS_FILE = "survey_constraints.yml"
METRICS = ("composition_share", "share", "share_change", "share_range", "share_difference", "wilcoxon_p",
           "improved_share", "sign_test_p", "top_options_margin")
FINDING_COLUMNS = ["finding_id", "source_location", "statement", "interpretation", "metric", "computed", "lower",
                   "upper", "satisfied", "base", "data_kind"]


def _expand(raw: dict[str, Any], cb: Codebook) -> list[dict[str, Any]]:
    """One check per finding, or per column for a finding that holds "at each" stage."""
    out = []
    for f in raw["findings"]:
        each = f.get("each")
        if each is None:
            out.append(f)
            continue
        columns = [c.id for c in cb.question_columns(each)] if isinstance(each, str) else list(each)
        for column in columns:
            stage = cb.column(column).stage or column
            out.append({**f, "id": f"{f['id']}.{stage}", "metric": {**f["metric"], "columns": [column]}})
    return out


class Group(RawRecord):
    """One side of a ``share_difference``: its columns and sector."""

    columns: list[str]
    sector: str = "all"


class Metric(RawRecord):
    """What a finding measures: the kind of metric and the columns, question and answers it reads."""

    type: str
    columns: list[str] = []
    column: str | None = None
    before: str | None = None
    after: str | None = None
    a: Group | None = None
    b: Group | None = None
    question: str | None = None
    values: list[str] = []
    levels: list[str] | None = None
    options: list[str] = []
    polarity: list[str] | None = None
    base: str = "valid"
    sector: str = "all"
    within: dict[str, str] = {}

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        return one_of(value, METRICS)

    def named_columns(self) -> list[tuple[str, str]]:
        """(field, codebook column) for every column the metric names."""
        named = [("metric.columns", c) for c in self.columns]
        named += [(f"metric.{k}", v) for k, v in (("column", self.column), ("before", self.before),
                                                    ("after", self.after)) if v is not None]
        named += [(f"metric.{k}.columns", c) for k, g in (("a", self.a), ("b", self.b)) if g for c in g.columns]
        return named


class Finding(RawRecord):
    """A quantified statement of the source about the survey, as a metric with bounds."""

    id: str
    source_location: str
    statement: str
    interpretation: str = ""
    metric: Metric
    lower: float | None = None
    upper: float | None = None
    each: str | list[str] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Finding:
        if self.lower is None and self.upper is None:
            raise ValueError("needs a 'lower' or an 'upper' bound")
        return self


class ConstraintsFile(RawDocument):
    """The whole constraints file."""

    findings: list[Finding]


def _against_codebook(cb: Codebook) -> Callable[[Checked[ConstraintsFile]], Iterable[Problem]]:
    """A check that finding ids are unique and every column and question named is in the codebook."""
    known, questions = set(cb.column_ids), {q["id"] for q in cb.questions}

    def check(checked: Checked[ConstraintsFile]) -> Iterable[Problem]:
        seen: dict[str, int] = {}
        for index, f in checked.entries("findings"):
            where = entry_label(index, f.id, "finding")
            if f.id in seen:
                yield Problem(f"repeats finding {seen[f.id]}", where, "id", field="field")
            seen.setdefault(f.id, index + 1)
            named = f.metric.named_columns() + ([("each", c) for c in f.each] if isinstance(f.each, list) else [])
            for name, column in named:
                if column not in known:
                    yield Problem(f"{column!r} is not a codebook column", where, name, field="field")
            for name, question in (("metric.question", f.metric.question),
                                   ("each", f.each if isinstance(f.each, str) else None)):
                if question is not None and question not in questions:
                    yield Problem(f"{question!r} is not a question of the codebook", where, name, field="field")

    return check


def validate_constraints(path: Path) -> list[dict[str, Any]]:
    """Validate the constraints file; return its checks (findings expanded per stage)."""
    raw = read_yaml_mapping(path, "the constraints file")
    cb = load_codebook()
    validate_document(path, raw, ConstraintsFile, nouns={"findings": "finding"}, checks=[_against_codebook(cb)])
    return _expand(raw, cb)


@cached_by_file(maxsize=4)
def _cached(path: Path) -> tuple[dict[str, Any], ...]:
    return tuple(validate_constraints(path))


def load_constraints(path: Path | None = None) -> list[dict[str, Any]]:
    """The checks of the constraints file (``data/raw/survey_constraints.yml``), validated."""
    return list(_cached(Path(path or RAW_DIR / CONSTRAINTS_FILE)))


def compute_metric(frame: pd.DataFrame, cb: Codebook, m: dict[str, Any]) -> tuple[float, int]:
    """The value of one metric on ``frame``, and the base it rests on."""
    kind, sector = m["type"], m.get("sector", "all")
    pol, base = m.get("polarity"), m.get("base", "valid")
    if kind == "composition_share":
        rows = np.ones(len(frame), dtype=bool)
        for column, value in (m.get("within") or {}).items():
            rows &= (frame[column] == value).to_numpy()
        hit = frame[m["column"]].isin(m["values"]).to_numpy() & rows
        return analysis.percent(int(hit.sum()), int(rows.sum())), int(rows.sum())
    if kind == "share":
        pct, _, n = analysis.share(frame, cb, m["columns"], pol, sector, base, m.get("levels"))
        return pct, n
    if kind == "share_change":
        before, _, nb = analysis.share(frame, cb, [m["before"]], pol, sector, base, m.get("levels"))
        after, _, na = analysis.share(frame, cb, [m["after"]], pol, sector, base, m.get("levels"))
        return after - before, min(nb, na)
    if kind == "share_range":
        values = [analysis.share(frame, cb, [c], pol, sector, base)[0:3:2] for c in m["columns"]]
        pcts = [v[0] for v in values]
        return max(pcts) - min(pcts), min(v[1] for v in values)
    if kind == "share_difference":
        a, _, na = analysis.share(frame, cb, m["a"]["columns"], pol, m["a"].get("sector", "all"), base)
        b, _, nb = analysis.share(frame, cb, m["b"]["columns"], pol, m["b"].get("sector", "all"), base)
        return a - b, min(na, nb)
    if kind in ("wilcoxon_p", "improved_share"):
        r = stats.paired_tests(analysis.scores(frame, cb, f"{m['question']}_before", sector),
                               analysis.scores(frame, cb, f"{m['question']}_after", sector))
        if kind == "wilcoxon_p":
            return r.wilcoxon_p, r.n_pairs
        return analysis.percent(r.n_higher, r.n_pairs), r.n_pairs
    if kind == "sign_test_p":
        from scipy.stats import binomtest

        s = analysis.scores(frame, cb, m["question"], sector)
        pos, neg = int((s > 0).sum()), int((s < 0).sum())
        if pos + neg == 0:
            return float("nan"), 0
        return float(binomtest(pos, pos + neg, 0.5).pvalue), pos + neg
    if kind == "top_options_margin":
        support = analysis.support_by_sector(frame, cb)
        top = support[support["column"].isin([f"{m['question']}_{o}" for o in m["options"]])]
        rest = support[~support.index.isin(top.index)]
        key = f"{sector}_percent"
        return float(top[key].min() - rest[key].max()), int(support[f"{sector}_base"].iloc[0])
    raise ValueError(f"unknown metric {kind!r}")


def evaluate_findings(frame: pd.DataFrame, data_kind: str, cb: Codebook | None = None,
                      constraints: list[dict[str, Any]] | None = None) -> pd.DataFrame:
    """Every finding of the source evaluated on ``frame``: one row per check.

    Columns: finding_id, source_location, statement, interpretation, metric, computed,
    lower, upper, satisfied, base, data_kind.
    """
    cb = cb or load_codebook()
    rows = []
    for f in constraints or load_constraints():
        value, base = compute_metric(frame, cb, f["metric"])
        lower, upper = f.get("lower", -np.inf), f.get("upper", np.inf)
        ok = bool(not np.isnan(value) and lower <= value <= upper)
        rows.append({"finding_id": f["id"], "source_location": f["source_location"], "statement": f["statement"],
                     "interpretation": f.get("interpretation", ""), "metric": f["metric"]["type"], "computed": value,
                     "lower": f.get("lower", np.nan), "upper": f.get("upper", np.nan), "satisfied": ok, "base": base,
                     "data_kind": data_kind})
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


# --------------------------------------------------------------------------------------
# Published figures and the headline texts of the summary pages
# --------------------------------------------------------------------------------------

#: Raw tables of the survey's published figures (see their .meta.yml).
PUBLISHED_PARTNERS = "survey_table_1_1_respondents"
PUBLISHED_PROFILE = "survey_respondent_profile"
HEADLINES = "survey_headlines"


def published_profile() -> dict[str, Any]:
    """The survey's published figures: total, sector and organisation-type shares, Table 1.1.

    Keys: ``total``, ``third_count`` (the printed 33), ``sector`` and ``organisation_type``
    (category → printed percentage) and ``partners`` (Table 1.1, a DataFrame).
    """
    from nptsc_eval.tables import load_table

    profile = load_table(PUBLISHED_PROFILE)
    by = {d: dict(zip(rows["category"], rows["percent"])) for d, rows in profile.groupby("dimension")}
    counts = profile.set_index(["dimension", "category"])["respondents"]
    return {"total": int(counts[("total", "All responses")]), "third_count": int(counts[("sector", "Third sector")]),
            "sector": by["sector"], "organisation_type": by["organisation_type"],
            "partners": load_table(PUBLISHED_PARTNERS)}


def headline_texts(frame: pd.DataFrame, cb: Codebook, synthetic: bool, paired: pd.DataFrame,
                   percent: Any) -> list[tuple[str, str, str]]:
    """The survey findings the summary pages cite: (glue key, text, evidence class).

    With synthetic data each is the source's own wording (``published_text`` of
    ``data/raw/survey_headlines.csv``, class ``published``); with a real export it is the
    value measured on the export, worded by ``real_template`` (class ``real_survey``).
    ``paired`` is :func:`analysis.before_after_tests`; ``percent`` formats a share.
    """
    from nptsc_eval.tables import load_table

    rows = load_table(HEADLINES)
    if synthetic:
        return [(r.key, r.published_text, "published") for r in rows.itertuples()]
    tests = paired.set_index("question_id")

    def difference(qid: str) -> str:
        r = tests.loc[qid]
        p = float(r["wilcoxon_p"])
        return f"{stats.change_words(int(r['higher_after']), int(r['lower_after']), p)}; Wilcoxon p-value {stats.format_p(p)}"

    def pct(columns, polarity=None, sector="all", levels=None):
        return percent(analysis.share(frame, cb, columns, polarity, sector, "valid", levels)[0])

    stages = [c.id for c in cb.question_columns("ps_stage_improved")]
    stage_shares = [analysis.share(frame, cb, [c], ["positive"], "public")[0] for c in stages]
    values = {
        "head_awareness": {"before": pct(["ps_awareness_before"], None, "public", ["Excellent", "Very good"]),
                           "after": pct(["ps_awareness_after"], None, "public", ["Excellent", "Very good"]),
                           "difference": difference("ps_awareness")},
        "head_stage_positive": {"low": percent(min(stage_shares)), "high": percent(max(stage_shares))},
        "head_bid_quality": {"before": pct(["ps_bid_quality_before"], ["positive"], "public"),
                             "after": pct(["ps_bid_quality_after"], ["positive"], "public"),
                             "difference": difference("ps_bid_quality")},
        "head_expectations": {"share": pct(["expectations"], ["positive"], "all")},
    }
    missing = [r.key for r in rows.itertuples() if r.key not in values]
    if missing:
        raise ValueError(f"data/raw/{HEADLINES}.csv: no measure for key(s) {', '.join(missing)}")
    return [(r.key, r.real_template.format(**values[r.key]), "real_survey") for r in rows.itertuples()]


def metric_cells(m: dict[str, Any], cb: Codebook) -> set[tuple[str, str]]:
    """The (column, sector) cells a metric's value is computed from.

    A multi-select metric (``top_options_margin``) uses every option of its question in its
    sector.  Used to hide a check's computed value when it rests on a suppressed cell.
    """
    cells: set[tuple[str, str]] = set()
    for part in (m, m.get("a") or {}, m.get("b") or {}):
        sector = part.get("sector", m.get("sector", "all"))
        for column in list(part.get("columns") or []) + [part[k] for k in ("before", "after", "column") if k in part]:
            cells.add((column, sector))
    if m.get("type") == "top_options_margin":
        cells |= {(c.id, m.get("sector", "all")) for c in cb.question_columns(m["question"])}
    return cells


def checks_using(hidden: set[tuple[str, str]], cb: Codebook | None = None) -> set[str]:
    """Ids of the checks whose computed value rests on a hidden (suppressed) cell."""
    cb = cb or load_codebook()
    return {f["id"] for f in load_constraints() if metric_cells(f["metric"], cb) & hidden}
