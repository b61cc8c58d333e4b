"""What the published figures alone allow: exact bounds of every survey percentage.

The source published the survey's size, its split by sector and organisation type, Table
1.1 and a list of findings in words (``data/raw/survey_constraints.yml`` gives each its
allowed range).  Any respondent-level dataset that meets all of these is *consistent*.
This module writes the consistent set as an integer linear programme over cell counts:

* respondents by organisation type and by delivery partner and sector;
* for each closed question and sector asked, the count of each answer;
* for each before/after question, the joint (before, after) table of counts, whose two
  margins are the before and after answers;
* for each option of the multi-select question, the count choosing it, by sector.

Every finding that is linear in these counts (a share within a range is linear once both
sides are multiplied by its base) is a constraint.  Findings that are not linear (p-values
of tests, and differences of two shares whose bases move with the "don't know" counts) are
not constraints: the bounds are then exact over a set that may be slightly larger than the
consistent set, so they never claim more than the figures allow.  Those findings are
checked on many consistent datasets instead (:mod:`nptsc_eval.survey.robustness`).

Each bound is the exact optimum of an integer programme solved by HiGHS (``highspy``), one
independent block of questions at a time (:class:`BlockSolver`).  A share whose base is
itself a variable (answers other than "don't know") is a ratio of two linear expressions;
its exact optimum is found by Dinkelbach's method, a short sequence of integer programmes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.survey.analysis import headlines
from nptsc_eval.survey.codebook import SECTOR_LABELS, Codebook

# The consistent set (its model) and the solver are modules of their own; their names are kept importable from here.
from nptsc_eval.survey.bounds_model import (  # noqa: F401
    BOUNDS_COLUMNS, GROUP_LABELS, NONLINEAR_METRICS, SECTORS, ConsistentSet, Expr, Quantity, Ratio, Row, _add, _is_constant,
    _scaled, evaluate, evaluate_rows)
from nptsc_eval.survey.bounds_solver import (  # noqa: F401
    BlockSolver, PairedModel, _matrix, _run, components, feasible, highs_model, ratio_bounds, solve)


# --------------------------------------------------------------------------------------
# Building the consistent set from the raw files
# --------------------------------------------------------------------------------------


def _metric_ratios(cs: ConsistentSet, m: dict[str, Any]) -> list[tuple[float, Ratio]] | None:
    """A metric as a signed sum of percentages, or None when it is not of that form."""
    kind, sector = m["type"], m.get("sector", "all")
    pol, base, levels = m.get("polarity"), m.get("base", "valid"), m.get("levels")
    if kind == "composition_share":
        within = m.get("within") or {}
        column = m["column"]
        sectors = [s for s in SECTORS if not within or SECTOR_LABELS[s] == within.get("sector")]
        num: Expr = {}
        for s in sectors:
            for v in m["values"]:
                key = ("org", v, s) if column == "organisation_type" else ("partner", v, s)
                if column == "sector":
                    num = _add(num, {None: float(cs.sizes[s])} if SECTOR_LABELS[s] == v else {})
                elif key in cs.index:
                    num = _add(num, {cs.index[key]: 1.0})
                elif column == "organisation_type" and s == "third" and v == "Third sector organisation":
                    num = _add(num, {None: float(cs.sizes[s])})
        return [(1.0, Ratio(num, {None: float(sum(cs.sizes[s] for s in sectors))}))]
    if kind == "share":
        return [(1.0, cs.share(m["columns"], sector, pol, levels, base))]
    if kind == "share_change":
        return [(1.0, cs.share([m["after"]], sector, pol, levels, base)),
                (-1.0, cs.share([m["before"]], sector, pol, levels, base))]
    if kind == "share_difference":
        return [(1.0, cs.share(m["a"]["columns"], m["a"].get("sector", "all"), pol, None, base)),
                (-1.0, cs.share(m["b"]["columns"], m["b"].get("sector", "all"), pol, None, base))]
    if kind == "improved_share":
        return [(1.0, cs.improved(m["question"], sector))]
    return None


def _finding_rows(cs: ConsistentSet, f: dict[str, Any]) -> list[Row] | None:
    """The linear constraints of one check, or None when the check is not linear in the counts."""
    m = f["metric"]
    lo, hi = float(f.get("lower", -np.inf)), float(f.get("upper", np.inf))
    fact = f["id"]
    if m["type"] in ("share_range", "top_options_margin"):
        if m["type"] == "share_range":
            parts = [cs.share([c], m.get("sector", "all"), m.get("polarity"), None, m.get("base", "valid"))
                     for c in m["columns"]]
            pairs = [(a, b) for a in parts for b in parts if a is not b]
        else:
            cols = [c.id for c in cs.cb.question_columns(m["question"])]
            top = [f"{m['question']}_{o}" for o in m["options"]]
            parts = {c: cs.share([c], m.get("sector", "all")) for c in cols}
            pairs = [(parts[t], parts[r]) for t in top for r in cols if r not in top]
        if not all(_is_constant(p.den) for pr in pairs for p in pr):
            return None
        rows = []
        for a, b in pairs:
            e = _add(_scaled(a.num, 100 / a.den[None]), _scaled(b.num, -100 / b.den[None]))
            rows.append(Row(e, lo, hi, fact))
        return rows
    terms = _metric_ratios(cs, m)
    if terms is None:
        return None
    if len(terms) == 1 and not _is_constant(terms[0][1].den):
        r = terms[0][1]
        rows = [Row(r.den, 1, np.inf, fact)]
        if np.isfinite(lo):
            rows.append(Row(_add(_scaled(r.num, 100), _scaled(r.den, -lo)), 0, np.inf, fact))
        if np.isfinite(hi):
            rows.append(Row(_add(_scaled(r.num, 100), _scaled(r.den, -hi)), -np.inf, 0, fact))
        return rows
    if all(_is_constant(r.den) for _, r in terms):
        e: Expr = {}
        for sign, r in terms:
            e = _add(e, _scaled(r.num, 100 * sign / r.den[None]))
        return [Row(e, lo, hi, fact)]
    return None


def metric_expression(cs: ConsistentSet, m: dict[str, Any]) -> list[tuple[float, Ratio]] | None:
    return _metric_ratios(cs, m)


def build(cb: Codebook | None = None, constraints: list[dict[str, Any]] | None = None,
          profile: dict[str, Any] | None = None) -> ConsistentSet:
    """The consistent set of the published figures and the findings of ``survey_constraints.yml``."""
    from nptsc_eval.survey import findings as fnd
    from nptsc_eval.survey.codebook import load_codebook

    cb = cb or load_codebook()
    profile = profile or fnd.published_profile()
    constraints = fnd.load_constraints() if constraints is None else constraints
    sizes = {"public": profile["total"] - profile["third_count"], "third": profile["third_count"]}
    cs = ConsistentSet(cb=cb, sizes=sizes, checks=list(constraints))
    pub_types = [t for t in cb.profile_values("organisation_type") if t != "Third sector organisation"]
    ids = [cs.var(("org", t, "public"), sizes["public"]) for t in pub_types]
    cs.fixed.append(Row({i: 1.0 for i in ids}, sizes["public"], sizes["public"], "public sector respondents"))
    partners = profile["partners"]
    for s in SECTORS:
        for p in cb.profile_values("delivery_partner"):
            cs.var(("partner", p, s), sizes[s])
    for p, count in zip(partners["delivery_partner"], partners["respondents"]):
        cs.fixed.append(Row({cs.index[("partner", p, s)]: 1.0 for s in SECTORS}, count, count, f"Table 1.1: {p}"))
    for s in SECTORS:
        cs.fixed.append(Row({cs.index[("partner", p, s)]: 1.0 for p in cb.profile_values("delivery_partner")},
                            sizes[s], sizes[s], f"{SECTOR_LABELS[s]} respondents"))
    for col in cb.columns:
        if col.kind in ("single", "stages"):
            k = len(cb.labels(col.scale))
            for s in SECTORS:
                if col.asked in ("all", s):
                    ids = [cs.var(("answer", col.id, s, i), sizes[s]) for i in range(k)]
                    cs.fixed.append(Row({i: 1.0 for i in ids}, sizes[s], sizes[s], f"{col.id}: every respondent answers"))
        elif col.kind == "before_after" and col.period == "before":
            k = len(cb.labels(col.scale))
            for s in SECTORS:
                if col.asked in ("all", s):
                    ids = [cs.var(("joint", col.question_id, s, i, j), sizes[s]) for i in range(k) for j in range(k)]
                    cs.fixed.append(Row({i: 1.0 for i in ids}, sizes[s], sizes[s],
                                        f"{col.question_id}: every respondent answers"))
        elif col.kind == "multi":
            for s in SECTORS:
                if col.asked in ("all", s):
                    cs.var(("multi", col.id, s), sizes[s])
    for f in constraints:
        rows = _finding_rows(cs, f) if f["metric"]["type"] not in NONLINEAR_METRICS else None
        if rows is None:
            cs.nonlinear.append(f["id"])
        else:
            cs.findings[f["id"]] = rows
    return cs


# --------------------------------------------------------------------------------------
# Counts of a dataset, the quantities shown and their bounds
# --------------------------------------------------------------------------------------


def counts_from_frame(cs: ConsistentSet, frame: pd.DataFrame) -> np.ndarray:
    """The cell counts of respondent-level data, in the programme's variable order.

    Each column is coded once and counted by sector with one ``bincount``, so a large export
    costs a pass per column, not a pass per cell.
    """
    x = np.zeros(cs.n)
    sector = frame["sector"].astype(object).to_numpy()
    sec = np.full(len(frame), -1)
    for i, s in enumerate(SECTORS):
        sec[sector == SECTOR_LABELS[s]] = i
    tables: dict[Any, np.ndarray] = {}

    def codes(column: str, labels: list[str]) -> np.ndarray:
        return np.asarray(pd.Categorical(frame[column], categories=labels).codes)

    def by_sector(column: str, labels: list[str]) -> np.ndarray:
        if column not in tables:
            c = codes(column, labels)
            ok = (c >= 0) & (sec >= 0)
            k = len(labels)
            tables[column] = np.bincount(sec[ok] * k + c[ok], minlength=len(SECTORS) * k).reshape(len(SECTORS), k)
        return tables[column]

    def joint(question: str, labels: list[str]) -> np.ndarray:
        if ("joint", question) not in tables:
            b, a = codes(f"{question}_before", labels), codes(f"{question}_after", labels)
            ok = (a >= 0) & (b >= 0) & (sec >= 0)
            k = len(labels)
            tables[("joint", question)] = np.bincount(sec[ok] * k * k + b[ok] * k + a[ok],
                                                      minlength=len(SECTORS) * k * k).reshape(len(SECTORS), k, k)
        return tables[("joint", question)]

    for key, i in cs.index.items():
        kind = key[0]
        s = SECTORS.index(key[-1] if kind in ("org", "partner") else key[2])
        if kind in ("org", "partner"):
            column = "organisation_type" if kind == "org" else "delivery_partner"
            labels = cs.cb.profile_values(column)
            x[i] = by_sector(column, labels)[s, labels.index(key[1])]
        elif kind == "answer":
            x[i] = by_sector(key[1], cs.cb.labels(cs.cb.column(key[1]).scale))[s, key[3]]
        elif kind == "multi":
            chosen = frame[key[1]].to_numpy(dtype=bool, na_value=False)
            x[i] = int((chosen & (sec == s)).sum())
        elif kind == "joint":
            labels = cs.cb.labels(cs.cb.column(f"{key[1]}_before").scale)
            x[i] = joint(key[1], labels)[s, key[3], key[4]]
    return x


def frame_from_counts(cs: ConsistentSet, x: np.ndarray) -> pd.DataFrame:
    """One respondent-level dataset with exactly the cell counts ``x`` (codebook layout)."""
    cb = cs.cb
    n = sum(cs.sizes.values())
    sector = np.repeat([SECTOR_LABELS[s] for s in SECTORS], [cs.sizes[s] for s in SECTORS])
    rows = {s: np.flatnonzero(sector == SECTOR_LABELS[s]) for s in SECTORS}
    data: dict[str, Any] = {"respondent_id": [f"D{i:05d}" for i in range(1, n + 1)], "sector": sector}

    def spread(keys_counts: list[tuple[Any, int]], size: int) -> np.ndarray:
        values = np.repeat(np.array([k for k, _ in keys_counts], dtype=object), [int(c) for _, c in keys_counts])
        return values[:size]

    org = np.empty(n, dtype=object)
    org[rows["third"]] = "Third sector organisation"
    types = [k[1] for k in cs.index if k[0] == "org"]
    org[rows["public"]] = spread([(t, x[cs.index[("org", t, "public")]]) for t in types], cs.sizes["public"])
    data["organisation_type"] = org
    part = np.empty(n, dtype=object)
    for s in SECTORS:
        part[rows[s]] = spread([(p, x[cs.index[("partner", p, s)]]) for p in cb.profile_values("delivery_partner")],
                               cs.sizes[s])
    data["delivery_partner"] = part
    for col in cb.columns:
        values = np.full(n, None, dtype=object)
        if col.kind in ("single", "stages"):
            labels = cb.labels(col.scale)
            for s in SECTORS:
                if col.asked in ("all", s):
                    values[rows[s]] = spread([(lab, x[cs.index[("answer", col.id, s, i)]]) for i, lab in enumerate(labels)],
                                             cs.sizes[s])
        elif col.kind == "before_after":
            labels = cb.labels(col.scale)
            k = len(labels)
            for s in SECTORS:
                if col.asked in ("all", s):
                    pairs = [((i, j), x[cs.index[("joint", col.question_id, s, i, j)]]) for i in range(k) for j in range(k)]
                    idx = np.repeat(np.arange(len(pairs)), [int(c) for _, c in pairs])
                    pick = [pairs[t][0][0 if col.period == "before" else 1] for t in idx]
                    values[rows[s]] = [labels[p] for p in pick]
        elif col.kind == "multi":
            chosen = np.zeros(n, dtype=bool)
            for s in SECTORS:
                if col.asked in ("all", s):
                    chosen[rows[s][:int(x[cs.index[("multi", col.id, s)]])]] = True
            data[col.id] = pd.array(chosen, dtype="boolean")
            continue
        if col.kind == "text":
            data[col.id] = pd.array(values, dtype="string")
        else:
            data[col.id] = pd.Categorical(values, categories=cb.labels(col.scale))
    data["sector"] = pd.Categorical(sector, categories=cb.profile_values("sector"))
    data["organisation_type"] = pd.Categorical(org, categories=cb.profile_values("organisation_type"))
    data["delivery_partner"] = pd.Categorical(part, categories=cb.profile_values("delivery_partner"))
    data["respondent_id"] = pd.array(data["respondent_id"], dtype="string")
    return pd.DataFrame(data)[cb.column_ids]


def quantities(cs: ConsistentSet) -> list[Quantity]:
    """Every survey percentage the survey chapter shows: composition, answers by group, improvement."""
    cb = cs.cb
    out: list[Quantity] = []
    for s in SECTORS:
        out.append(Quantity(f"composition.sector.{s}", "sector", "All respondents",
                            f"Respondents from the {SECTOR_LABELS[s].lower()}",
                            Ratio({None: float(cs.sizes[s])}, {None: float(sum(cs.sizes.values()))})))
    for key, i in cs.index.items():
        if key[0] == "org":
            out.append(Quantity(f"composition.organisation_type.{key[1]}", "organisation_type", "Public sector",
                                f"Public sector respondents from: {key[1]}",
                                Ratio({i: 1.0}, {None: float(cs.sizes["public"])})))
    for p in cb.profile_values("delivery_partner"):
        out.append(Quantity(f"composition.delivery_partner.{p}", "delivery_partner", "All respondents",
                            f"Respondents supported by {p} (Table 1.1)",
                            Ratio({cs.index[("partner", p, s)]: 1.0 for s in SECTORS},
                                  {None: float(sum(cs.sizes.values()))})))
    for col in cb.columns:
        if col.kind == "text":
            continue
        groups = [s for s in SECTORS if col.asked in ("all", s)] + (["all"] if col.asked == "all" else [])
        for g in groups:
            if col.kind == "multi":
                out.append(Quantity(f"{col.id}.{g}.chosen", col.question_id, GROUP_LABELS[g],
                                    f"{col.text} [{col.sub_label}]: chosen", cs.share([col.id], g)))
                continue
            for lv in cb.scales[col.scale]:
                if lv.score is None:
                    continue
                r = cs.share([col.id], g, levels=[lv.label])
                item = "" if col.sub_label == "Response" else f" [{col.sub_label}]"
                out.append(Quantity(f"{col.id}.{g}.{lv.label}", col.question_id, GROUP_LABELS[g],
                                    f"{col.text}{item}: {lv.label}", r))
    for q in cb.questions:
        if q["kind"] == "before_after":
            out.append(Quantity(f"{q['id']}.{q['asked']}.rated_higher_after", q["id"], GROUP_LABELS[q["asked"]],
                                f"{q['text']}: rated higher after than before (of those answering both)",
                                cs.improved(q["id"], q["asked"])))
    # Added after the others, so that the rows above keep their order: the paired tests' other two
    # shares, and the split of each delivery partner's respondents by sector.
    for q in cb.questions:
        if q["kind"] == "before_after":
            for direction, words in ((-1, "lower"), (0, "the same")):
                out.append(Quantity(f"{q['id']}.{q['asked']}.rated_{words.replace('the ', '')}_after", q["id"],
                                    GROUP_LABELS[q["asked"]],
                                    f"{q['text']}: rated {words} after {'as' if direction == 0 else 'than'} before "
                                    "(of those answering both)", cs.paired_share(q["id"], q["asked"], direction)))
    for p in cb.profile_values("delivery_partner"):
        partner: Expr = {cs.index[("partner", p, s)]: 1.0 for s in SECTORS}
        for s in SECTORS:
            out.append(Quantity(f"composition.partner_sector.{p}.{s}", "delivery_partner", GROUP_LABELS[s],
                                f"Respondents supported by {p} who are from the {SECTOR_LABELS[s].lower()}",
                                Ratio({cs.index[("partner", p, s)]: 1.0}, dict(partner))))
    # The headline shares of the intervals table; a pooled one gets the outer limits of its parts.
    for h in headlines(cb):
        group, args = h.get("sector", "all"), (h.get("polarity"), h.get("levels"))
        pooled = len(h["columns"]) > 1
        out.append(Quantity(f"headline.{h['key']}", h["key"], GROUP_LABELS[group],
                            h["label"] + (" (outer limits of each question's range)" if pooled else ""),
                            cs.share(h["columns"], group, *args),
                            tuple(cs.share([c], group, *args) for c in h["columns"]) if pooled else ()))
    return out


def check_consistent(cs: ConsistentSet, path=None) -> None:
    """Raise a clear error naming a smallest set of conflicting facts when no dataset meets them all."""
    if feasible(cs, cs.rows()):
        return
    keep = list(cs.findings)
    for fid in list(keep):  # deletion filter: drop each finding the conflict does not need
        trial = [f for f in keep if f != fid]
        if not feasible(cs, cs.rows(only=set(trial))):
            keep = trial
    statements = {f["id"]: f["statement"] for f in cs.checks}
    problems = [f"finding '{fid}' ({statements.get(fid, '')})" for fid in keep]
    if not keep:
        problems = ["the published composition (Table 1.1 and the sector split) has no solution on its own"]
    raise DataValidationError(path or RAW_DIR / "survey_constraints.yml",
                              ["no respondent-level dataset meets all the published facts; these cannot all hold "
                               "together:"] + problems)


def observed_quantities(cs: ConsistentSet, frame: pd.DataFrame) -> dict[str, Quantity]:
    """The quantities as percentages of ``frame``'s own respondents (by id).

    The quantities of ``cs`` divide by the published group sizes; an export of another size
    needs its own sizes, so its percentages are those its own data gives.
    """
    from nptsc_eval.survey import findings as fnd

    sector = frame["sector"].astype(object).to_numpy()
    sizes = {s: int((sector == SECTOR_LABELS[s]).sum()) for s in SECTORS}
    profile = {**fnd.published_profile(), "total": sum(sizes.values()), "third_count": sizes["third"]}
    own = build(cs.cb, constraints=[], profile=profile)
    return {q.quantity_id: q for q in quantities(own)}


def survey_bounds(cs: ConsistentSet, synthetic: pd.DataFrame | None = None,
                  real: pd.DataFrame | None = None) -> pd.DataFrame:
    """Lower and upper bound (per cent) of every quantity, with the synthetic (and real) values."""
    check_consistent(cs)
    solver = BlockSolver(cs, cs.rows())
    xs = counts_from_frame(cs, synthetic) if synthetic is not None else None
    xr = counts_from_frame(cs, real) if real is not None else None
    observed = observed_quantities(cs, real) if real is not None else {}
    out = []
    for q in quantities(cs):
        if q.parts:
            limits = [ratio_bounds(cs, part, solver=solver) for part in q.parts]
            lo, hi = min(lo for lo, _ in limits), max(hi for _, hi in limits)
        else:
            lo, hi = ratio_bounds(cs, q.ratio, solver=solver)
        row = {"quantity_id": q.quantity_id, "question_id": q.question_id, "group": q.group,
               "description": q.description, "lower": lo, "upper": hi,
               "synthetic_value": q.ratio.value(xs) if xs is not None else np.nan}
        if xr is not None:
            v = observed[q.quantity_id].ratio.value(xr)
            row["real_value"] = v
            row["outside_bounds"] = bool(not np.isnan(v) and (v < lo - 1e-9 or v > hi + 1e-9))
        out.append(row)
    return pd.DataFrame(out)


def validate_constraints_file(path: Path) -> None:
    """Validator for ``data/raw/survey_constraints.yml`` (registered in validate_raw).

    Besides each entry's fields, checks that some respondent-level dataset meets every
    finding together with the published figures; if none does, names the conflicting ones.
    """
    from nptsc_eval.survey.findings import PUBLISHED_PARTNERS, PUBLISHED_PROFILE, validate_constraints

    checks = validate_constraints(path)
    folder = Path(path).parent
    if not all(list(folder.glob(f"{name}.*")) for name in (PUBLISHED_PROFILE, PUBLISHED_PARTNERS)):
        return  # without the published figures there is nothing for the findings to conflict with
    check_consistent(build(constraints=checks), path)
