"""The cross-case matrix: which themes each case shows, how common each theme is, and the
tables that compare the cases (overview, matrix, facts the report states in different forms).

The matrix is drawn by :func:`nptsc_eval.charts.cases.matrix_heatmap`.
"""

from __future__ import annotations

import pandas as pd

from nptsc_eval.cases.records import BENEFICIARY_LABELS, CaseRecord, form_text
from nptsc_eval.templating import render

def case_matrix(cases: list[CaseRecord], themes: pd.DataFrame) -> pd.DataFrame:
    """The cross-case matrix: one row per case, one column per theme, 1 where the case is coded.

    Columns: ``case_id``, ``case``, then one integer column per theme id, in the order of the
    coding frame.  Themes no case uses are kept, as zeros.

    Examples:
        >>> frame = pd.DataFrame({"theme_id": ["dialogue", "timing"], "theme": ["Dialogue", "Timing"],
        ...                       "theme_type": ["outcome", "barrier"], "definition": ["d", "t"]})
        >>> case = CaseRecord(case_id="x", name="X", strand=3, project_id="p", delivery_partner="P",
        ...     beneficiary_types=["commissioner"], place="Y", sources=[{"location": "A", "chapter": "B"}],
        ...     licence="l", evidence="e", summary="s", support_received=["s"], outcomes=["o"],
        ...     coding=[{"theme": "timing", "evidence": "late"}])
        >>> case_matrix([case], frame).to_dict("records")
        [{'case_id': 'x', 'case': 'X', 'dialogue': 0, 'timing': 1}]
    """
    theme_ids = list(themes["theme_id"])
    rows = []
    for case in cases:
        coded = {c.theme for c in case.coding}
        unknown = coded - set(theme_ids)
        if unknown:
            raise ValueError(f"{case.case_id}: themes not in the coding frame: {', '.join(sorted(unknown))}")
        rows.append({"case_id": case.case_id, "case": case.name, **{t: int(t in coded) for t in theme_ids}})
    return pd.DataFrame(rows, columns=["case_id", "case", *theme_ids]).astype({t: "int64" for t in theme_ids})


def matrix_table(matrix: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """The matrix for reading: case names, theme names as headers, "Yes" or blank, and totals."""
    names = dict(zip(themes["theme_id"], themes["theme"]))
    theme_ids = list(themes["theme_id"])
    table = matrix[["case", *theme_ids]].copy()
    for t in theme_ids:
        table[t] = table[t].map({1: "Yes", 0: ""})
    totals = {"case": "Cases coded", **{t: str(int(matrix[t].sum())) for t in theme_ids}}
    table = pd.concat([table, pd.DataFrame([totals])], ignore_index=True)
    return table.rename(columns={"case": "Case", **names})


def theme_counts(matrix: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """How many cases each theme is coded in: theme_id, theme, theme_type, cases."""
    out = themes[["theme_id", "theme", "theme_type"]].copy()
    out["cases"] = [int(matrix[t].sum()) for t in out["theme_id"]]
    return out.reset_index(drop=True)


def cases_overview(cases: list[CaseRecord], projects: pd.DataFrame) -> pd.DataFrame:
    """One row per case: name, strand, delivery partner, project, place and beneficiaries (sources are on its page)."""
    names = dict(zip(projects["project_id"], projects["project"]))
    return pd.DataFrame(
        [{"Case": c.name, "Strand": c.strand, "Delivery partner": c.delivery_partner,
          "Project": names.get(c.project_id, c.project_id), "Place": c.place,
          "Beneficiaries": ", ".join(BENEFICIARY_LABELS[b] for b in c.beneficiary_types)} for c in cases]
    ).astype({"Strand": "int64"})


def discrepancies(cases: list[CaseRecord]) -> pd.DataFrame:
    """Every fact a case record flags as stated in different forms by the source."""
    rows = []
    for c in cases:
        for d in c.discrepancies:
            rows.append({"case_id": c.case_id, "Case": c.name, "Item": d.item,
                         "Forms": " versus ".join(f"{form_text(f)} ({f.source_location})" for f in d.forms),
                         "Note": d.note, "discrepancy_id": d.id})
    return pd.DataFrame(rows, columns=["case_id", "Case", "Item", "Forms", "Note", "discrepancy_id"])


def matrix_alt_text(matrix: pd.DataFrame, themes: pd.DataFrame) -> str:
    """Alt text for the heatmap: its size and, for every theme, how many cases it covers."""
    counts = theme_counts(matrix, themes)
    kinds = [(kind, list(counts[counts["theme_type"] == kind].sort_values("cases", ascending=False, kind="stable")
                         .itertuples())) for kind in ("outcome", "barrier")]
    return render("cases/matrix_alt.md.j2", cases=len(matrix), themes=len(counts), kinds=kinds).strip()
