"""Synthetic respondent-level survey data that reproduces the source's published numbers.

The survey's responses were never published: only totals, Table 1.1 and the findings
stated in words survive.  :func:`synthesise` makes one row per respondent from a seed.  It
allocates exact counts (largest remainder) rather than sampling them, so at the published
size of 250 it reproduces the published integers exactly, and the answer distributions are
calibrated so that every quantified finding in ``data/raw/survey_constraints.yml`` holds.
Randomness only decides *who* gives which answer, and how before/after ratings pair up.

Everything is vectorised numpy: a million rows take a few seconds.  The calibration below
is the generator's assumption, not a fact of the source; it is labelled as such wherever
the data is shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from nptsc_eval.survey.codebook import SECTOR_LABELS, Codebook, load_codebook

GENERATOR = "nptsc_eval.survey.synth.synthesise"
DEFAULT_SEED = 20110131
PUBLISHED_N = 250

#: Respondents by sector at the published size (Appendix 2: 87 and 13 per cent of 250).
SECTOR_COUNTS = {"public": 217, "third": 33}
#: Public sector respondents by organisation type: 11 / 79 / 10 per cent of 217.
ORGANISATION_COUNTS = {"public": {"Central government": 24, "Local authority": 171, "Primary care trust": 22},
                       "third": {"Third sector organisation": 33}}
#: Table 1.1 split by sector.  The split is an assumption: the source gives partners' totals only.
PARTNER_COUNTS = {
    "public": {"CIPFA": 203, "SROI-UK": 7, "CIPFA & SROI-UK": 7},
    "third": {"CIPFA": 6, "SROI-UK": 6, "IVAR": 8, "bassac": 6, "ACEVO": 5, "NAVCA": 2},
}

#: Answer counts at the published size, in scale order (most positive first, "don't know"
#: last), for each column and sector asked.  Calibrated to the source's findings.
ANSWER_COUNTS: dict[str, dict[str, list[int]]] = {
    "ps_awareness_before": {"public": [10, 45, 80, 55, 20, 7]},
    "ps_awareness_after": {"public": [50, 105, 55, 2, 0, 5]},
    "ps_understanding_before": {"public": [8, 40, 85, 56, 20, 8]},
    "ps_understanding_after": {"public": [45, 100, 62, 3, 0, 7]},
    "ps_stage_improved_needs_analysis": {"public": [20, 88, 92, 6, 1, 10]},
    "ps_stage_improved_planning": {"public": [18, 85, 95, 7, 2, 10]},
    "ps_stage_improved_specification": {"public": [22, 90, 88, 5, 2, 10]},
    "ps_stage_improved_monitoring_evaluation": {"public": [17, 84, 97, 6, 1, 12]},
    "ps_ts_involvement_needs_analysis": {"public": [15, 75, 70, 20, 7, 30]},
    "ps_ts_involvement_planning": {"public": [14, 72, 72, 22, 7, 30]},
    "ps_ts_involvement_specification": {"public": [16, 78, 66, 20, 7, 30]},
    "ps_ts_involvement_monitoring_evaluation": {"public": [12, 70, 74, 22, 9, 30]},
    "ps_bid_quality_before": {"public": [10, 60, 80, 30, 7, 30]},
    "ps_bid_quality_after": {"public": [10, 62, 70, 20, 5, 50]},
    "ps_practice_improved": {"public": [25, 95, 70, 12, 5, 10]},
    "ts_stage_capability_needs_analysis": {"third": [3, 13, 12, 2, 0, 3]},
    "ts_stage_capability_planning": {"third": [2, 9, 18, 1, 0, 3]},
    "ts_stage_capability_specification": {"third": [4, 12, 13, 1, 0, 3]},
    "ts_stage_capability_monitoring_evaluation": {"third": [1, 9, 19, 1, 0, 3]},
    "ts_involvement_needs_analysis": {"third": [5, 15, 8, 2, 1, 2]},
    "ts_involvement_planning": {"third": [4, 16, 8, 2, 1, 2]},
    "ts_involvement_specification": {"third": [6, 14, 7, 3, 1, 2]},
    "ts_involvement_monitoring_evaluation": {"third": [4, 15, 9, 2, 1, 2]},
    "ts_bid_success_before": {"third": [2, 8, 10, 5, 2, 6]},
    "ts_bid_success_after": {"third": [2, 9, 9, 4, 2, 7]},
    "ts_bid_quality_before": {"third": [2, 10, 12, 3, 1, 5]},
    "ts_bid_quality_after": {"third": [2, 11, 12, 2, 1, 5]},
    "ts_bidding_improved": {"third": [4, 12, 12, 2, 1, 2]},
    "expectations": {"public": [50, 110, 40, 8, 2, 7], "third": [8, 15, 6, 2, 0, 2]},
}
#: Respondents choosing each ongoing-support option, at the published size.
SUPPORT_COUNTS = {
    "public": {"networking": 110, "masterclasses": 105, "electronic_material": 120, "training_courses": 70, "one_to_one": 40},
    "third": {"networking": 24, "masterclasses": 22, "electronic_material": 19, "training_courses": 10, "one_to_one": 9},
}
#: How loosely the "after" rating follows the "before" rating (standard deviation of the
#: noise added to the before score when pairing): small means most people move up together.
PAIR_NOISE = {"ps_awareness": 0.6, "ps_understanding": 0.6, "ps_bid_quality": 1.2,
              "ts_bid_success": 1.0, "ts_bid_quality": 0.35}


def allocate(total: int, weights: list[float] | np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Examples:
        >>> allocate(250, [217, 33]).tolist(), allocate(10, [1, 1, 1]).tolist()
        ([217, 33], [4, 3, 3])
    """
    w = np.asarray(weights, dtype=float)
    if total == 0 or w.sum() == 0:
        return np.zeros(len(w), dtype=np.int64)
    exact = total * w / w.sum()
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    order = np.lexsort((np.arange(len(w)), -(exact - counts)))
    counts[order[:short]] += 1
    return counts


def _exact_codes(rng: np.random.Generator, n: int, weights: list[int]) -> np.ndarray:
    """``n`` category codes with counts allocated exactly from ``weights``, in random order."""
    codes = np.repeat(np.arange(len(weights), dtype=np.int8), allocate(n, weights))
    return rng.permutation(codes)


def _paired_after(rng: np.random.Generator, before: np.ndarray, scores: np.ndarray, weights: list[int], noise: float) -> np.ndarray:
    """After-codes with exact counts, paired with ``before`` by a noisy monotone coupling.

    Respondents are ranked by their before score plus noise; the after answers, ranked the
    same way, are handed out in that order.  "Don't know" ranks lowest on both sides.
    """
    key = scores[before] + noise * rng.standard_normal(len(before))
    order = np.argsort(key, kind="stable")
    after_sorted = np.repeat(np.arange(len(weights), dtype=np.int8), allocate(len(before), weights))
    after_sorted = after_sorted[np.argsort(scores[after_sorted], kind="stable")]
    after = np.empty(len(before), dtype=np.int8)
    after[order] = after_sorted
    return after


def synthesise(n: int = PUBLISHED_N, seed: int = DEFAULT_SEED, codebook: Codebook | None = None) -> pd.DataFrame:
    """Synthetic survey responses: ``n`` rows, one per respondent, deterministic for ``seed``.

    Answers are categorical columns whose categories are the codebook's scale labels;
    questions not asked of a respondent's sector are empty.

    Examples:
        >>> df = synthesise(250, seed=1)
        >>> df["sector"].value_counts().to_dict()
        {'Public sector': 217, 'Third sector': 33}
    """
    if n < 1:
        raise ValueError("the synthetic survey needs at least one respondent")
    cb = codebook or load_codebook()
    rng = np.random.default_rng(seed)
    sectors = list(SECTOR_COUNTS)
    sector_code = _exact_codes(rng, n, list(SECTOR_COUNTS.values()))
    rows = {s: np.flatnonzero(sector_code == i) for i, s in enumerate(sectors)}
    data: dict[str, Any] = {"respondent_id": pd.array([f"R{i:07d}" for i in range(1, n + 1)], dtype="string")}
    data["sector"] = pd.Categorical.from_codes(sector_code, categories=[SECTOR_LABELS[s] for s in sectors])
    for column, table in (("organisation_type", ORGANISATION_COUNTS), ("delivery_partner", PARTNER_COUNTS)):
        categories = cb.profile_values(column)
        codes = np.full(n, -1, dtype=np.int8)
        for s in sectors:
            names = list(table[s])
            local = _exact_codes(rng, len(rows[s]), list(table[s].values()))
            codes[rows[s]] = np.array([categories.index(x) for x in names], dtype=np.int8)[local]
        data[column] = pd.Categorical.from_codes(codes, categories=categories)

    before_codes: dict[tuple[str, str], np.ndarray] = {}
    for col in cb.columns:
        if col.kind in ("single", "before_after", "stages"):
            labels = cb.labels(col.scale)
            scores = np.array([-3 if s is None else s for s in cb.scores(col.scale).values()], dtype=float)
            codes = np.full(n, -1, dtype=np.int8)
            for s, weights in ANSWER_COUNTS[col.id].items():
                idx = rows[s]
                if col.period == "after":
                    codes[idx] = _paired_after(rng, before_codes[(col.question_id, s)], scores, weights,
                                               PAIR_NOISE[col.question_id])
                else:
                    codes[idx] = _exact_codes(rng, len(idx), weights)
                    if col.period == "before":
                        before_codes[(col.question_id, s)] = codes[idx]
            data[col.id] = pd.Categorical.from_codes(codes, categories=labels)
        elif col.kind == "multi":
            chosen = np.zeros(n, dtype=bool)
            for s in sectors:
                k = allocate(len(rows[s]), [SUPPORT_COUNTS[s][col.option], SECTOR_COUNTS[s] - SUPPORT_COUNTS[s][col.option]])[0]
                chosen[rng.permutation(rows[s])[:k]] = True
            data[col.id] = pd.array(chosen, dtype="boolean")
    from nptsc_eval.tables import load_table

    quotes = load_table("survey_free_text_quotations")
    for qid in ("implemented", "intend", "failed"):
        texts = quotes.loc[quotes["question_id"] == qid].sort_values("order")["text"].to_numpy()
        k = min(len(texts), len(rows["public"]))
        values = np.full(n, None, dtype=object)
        values[rng.permutation(rows["public"])[:k]] = texts[:k]
        data[qid] = pd.array(values, dtype="string")
    return pd.DataFrame(data)[cb.column_ids]


def metadata(cb: Codebook, n: int, seed: int, path: Path) -> dict[str, Any]:
    """The ``.meta.yml`` of a synthetic file: labelled synthetic, with seed, generator and data dictionary."""
    fields: list[dict[str, Any]] = [{"name": "respondent_id", "type": "string", "unique": True,
                                     "description": "Respondent identifier (synthetic)"}]
    for p in cb.profile[1:]:
        fields.append({"name": p["id"], "type": "string", "enum": list(p["values"]), "description": p["text"]})
    for c in cb.columns:
        desc = c.text if c.sub_label in ("Response", "Open-Ended Response") else f"{c.text} [{c.sub_label}]"
        asked = "all respondents" if c.asked == "all" else f"{SECTOR_LABELS[c.asked].lower()} respondents only"
        field: dict[str, Any] = {"name": c.id, "description": f"{desc} (asked of {asked})"}
        if c.kind == "multi":
            field.update(type="boolean")
        elif c.kind == "text":
            field.update(type="string", nullable=True)
        else:
            field.update(type="string", enum=cb.labels(c.scale), nullable=True)
        fields.append(field)
    return {
        "title": "Survey responses (SYNTHETIC): NPTSC phase two participant survey",
        "description": (
            "SYNTHETIC respondent-level data, not real survey responses. The real responses were never "
            "published. This file is generated from a seed so that it reproduces the source's published "
            "counts and satisfies every quantified finding in survey_constraints.yml; who gave which answer "
            "is random. Columns follow survey_codebook.yml."),
        "synthetic": True,
        "generator": {"function": GENERATOR, "seed": int(seed), "n": int(n),
                      "command": f"nptsc-eval synth --n {n} --seed {seed} --out {path.name}"},
        "source": {
            "document": "National Programme for Third Sector Commissioning: Impact evaluation (Consulting Inplace for LG Improvement and Development, July 2011)",
            "location": "Appendix 2 (survey headlines, Table 1.1, findings); Chapter 2 (survey overview, Figure 2.2)",
            "chapter": "Appendix 2: survey analysis",
        },
        "licence": "Synthetic data generated by this project; published facts from a public report (© Local Government Group, 2011).",
        "primary_key": ["respondent_id"],
        "notes": [
            "Synthetic: exact published integers (250 responses, 217 public sector, 33 third sector, 24/171/22 by public organisation type, Table 1.1 by partner); answer distributions calibrated to the findings in survey_constraints.yml.",
            "The split of Table 1.1's partners between sectors is an assumption of the generator.",
            "Free-text answers are the quotations of survey_free_text_quotations.csv, given to randomly chosen public sector respondents.",
        ],
        "fields": fields,
    }


def write_survey(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write respondent-level data in the codebook's own layout as CSV, Parquet or XLSX."""
    import pyarrow as pa

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".csv":
        import pyarrow.csv as pacsv

        arrays = {}
        for name in frame.columns:
            s = frame[name]
            if isinstance(s.dtype, pd.BooleanDtype):
                arrays[name] = pa.array(np.where(s.to_numpy(dtype=bool, na_value=False), "true", "false"))
            elif isinstance(s.dtype, pd.CategoricalDtype):
                arrays[name] = pa.DictionaryArray.from_arrays(
                    pa.array(s.cat.codes.to_numpy(), mask=(s.cat.codes.to_numpy() < 0)),
                    pa.array(list(s.cat.categories), type=pa.string())).cast(pa.string())
            else:
                arrays[name] = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.string())
        pacsv.write_csv(pa.table(arrays), path, pacsv.WriteOptions(quoting_style="needed"))
    else:
        raise ValueError(f"cannot write {path.name}: use .csv, .parquet or .xlsx")
    return path


def write_synthetic(n: int, seed: int, out: Path | str) -> Path:
    """Generate the synthetic survey and write it with its ``.meta.yml`` beside it."""
    out = Path(out)
    cb = load_codebook()
    frame = synthesise(n, seed, cb)
    write_survey(frame, out)
    meta = metadata(cb, n, seed, out)
    out.with_suffix(".meta.yml").write_text(
        "# SYNTHETIC data: generated, not real survey responses.\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")
    return out
