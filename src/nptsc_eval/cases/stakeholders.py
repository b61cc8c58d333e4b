"""The stakeholders of Appendix 1: the list, checked against its published counts, and a summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.problems import Problem
from nptsc_eval.tables import load_table, table_meta

#: How the book names each type of organisation in the stakeholder summary.
ORGANISATION_TYPE_LABELS = {
    "central_government": "Central government",
    "local_government": "Local government",
    "third_sector": "Third sector",
    "university": "University",
    "other": "Other",
}


#: How the book names each stakeholder group.
GROUP_LABELS = {
    "governance": "Governance members",
    "advisory": "Advisory group",
    "delivery_partners": "Delivery partners",
}


def load_stakeholders(raw_dir: Path | None = None) -> pd.DataFrame:
    """Appendix 1's stakeholders, with the number in each group checked against the list's length.

    The metadata's ``counts`` (``where``, ``expected``, ``label``) are the published counts.
    """
    raw_dir = raw_dir or RAW_DIR
    people = load_table("stakeholders", raw_dir)
    meta = table_meta("stakeholders", raw_dir)
    problems: list[Problem] = []
    for check in meta.raw.get("counts", []) or []:
        subset = people
        for key, value in (check.get("where") or {}).items():
            subset = subset[subset[key].astype(str) == str(value)]
        if len(subset) != check["expected"]:
            problems.append(Problem(f"{len(subset)} rows but {check.get('source', 'the source')} lists {check['expected']} "
                                    f"(where {check.get('where')})", check.get("label", "rows")))
    if problems:
        raise DataValidationError(raw_dir / "stakeholders.csv", [str(p) for p in problems])
    return people


def validate_stakeholders(path: Path) -> None:
    """Validator for :func:`nptsc_eval.validate_raw.validators`: the stakeholder list's published counts."""
    load_stakeholders(Path(path).parent)


def stakeholder_summary(people: pd.DataFrame) -> pd.DataFrame:
    """People in each group by type of organisation, with totals (a cross-tabulation)."""
    table = pd.crosstab(people["group"].map(GROUP_LABELS), people["organisation_type"].map(ORGANISATION_TYPE_LABELS),
                        margins=True, margins_name="Total")
    order = [GROUP_LABELS[g] for g in GROUP_LABELS if GROUP_LABELS[g] in table.index] + ["Total"]
    columns = [ORGANISATION_TYPE_LABELS[t] for t in ORGANISATION_TYPE_LABELS if ORGANISATION_TYPE_LABELS[t] in table.columns]
    table = table.loc[order, columns + ["Total"]].astype("int64")
    table.index.name = "Group"
    table.columns.name = None
    return table.reset_index()
