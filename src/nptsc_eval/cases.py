"""Case studies and qualitative evidence: records, coding, quotations and stakeholders.

Each case study is one YAML record in ``data/raw/case_studies/`` (``<case_id>.yml``),
checked against :class:`CaseRecord` (a pydantic model) when it is loaded, so that a bad record
gives a :class:`~nptsc_eval.errors.DataValidationError` naming the file and the field.  Cases
are found by glob: a new record file joins the chapter and the cross-case matrix with no code
change.

Each case is coded against the themes of ``data/raw/coding_frame.csv`` (outcomes and
barriers); the quotation bank (``quotations.csv``) holds the respondents' words verbatim with
the figure or appendix that prints them; ``stakeholders.csv`` lists the people of Appendix 1.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from nptsc_eval.errors import DataValidationError
from nptsc_eval.paths import RAW_DIR
from nptsc_eval.yaml_text import read_yaml_mapping

#: Folder of the case records, inside ``data/raw/``.
CASES_FOLDER = "case_studies"
#: Types of beneficiary a case can describe.
BeneficiaryType = Literal["commissioner", "third_sector_organisation", "infrastructure_body"]
#: How the book names each type of beneficiary.
BENEFICIARY_LABELS = {
    "commissioner": "commissioner",
    "third_sector_organisation": "third sector organisation",
    "infrastructure_body": "infrastructure body",
}
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

_ID = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceRef(_Strict):
    """A place in the source report that the record draws on."""

    location: str = Field(min_length=1)
    chapter: str = Field(min_length=1)


class Coding(_Strict):
    """One theme of the coding frame applied to the case, with the evidence for it."""

    theme: str = Field(pattern=_ID)
    evidence: str = Field(min_length=1)


class Count(_Strict):
    """A number the source gives for the case."""

    id: str = Field(pattern=_ID)
    value: float
    unit: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source_location: str = Field(min_length=1)


class DateRef(_Strict):
    """A date the source gives: ``date`` in ISO form (or a year, or ``start/end``), ``as_printed`` verbatim."""

    id: str = Field(pattern=_ID)
    event: str = Field(min_length=1)
    date: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")
    as_printed: str = Field(min_length=1)
    source_location: str = Field(min_length=1)


class Form(_Strict):
    """One of the forms in which the source states a fact.

    ``printed`` is false when ``text`` is not the source's words but our reading of it (a
    date the source implies, cells of a table put into words); such a form is never shown in
    quotation marks.
    """

    text: str = Field(min_length=1)
    source_location: str = Field(min_length=1)
    printed: bool = True


class Discrepancy(_Strict):
    """A fact the source states twice in different forms: both forms, and a note."""

    id: str = Field(pattern=_ID)
    item: str = Field(min_length=1)
    forms: list[Form] = Field(min_length=2)
    note: str = Field(min_length=1)


class CaseRecord(_Strict):
    """One case study: who was supported, how, what came of it and what got in the way."""

    case_id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    strand: Literal[1, 2, 3]
    project_id: str = Field(min_length=1)
    action_learning_set: str | None = Field(default=None, pattern=_ID)
    delivery_partner: str = Field(min_length=1)
    beneficiary_types: list[BeneficiaryType] = Field(min_length=1)
    place: str = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)
    licence: str = Field(min_length=1)
    evidence: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    support_received: list[str] = Field(min_length=1)
    outcomes: list[str] = Field(min_length=1)
    barriers: list[str] = Field(default_factory=list)
    deadweight: list[str] = Field(default_factory=list)
    lessons: list[str] = Field(default_factory=list)
    future_support: list[str] = Field(default_factory=list)
    coding: list[Coding] = Field(min_length=1)
    counts: list[Count] = Field(default_factory=list)
    dates: list[DateRef] = Field(default_factory=list)
    discrepancies: list[Discrepancy] = Field(default_factory=list)

    @field_validator("coding")
    @classmethod
    def _themes_once(cls, value: list[Coding]) -> list[Coding]:
        themes = [c.theme for c in value]
        repeated = sorted({t for t in themes if themes.count(t) > 1})
        if repeated:
            raise ValueError(f"theme coded more than once: {', '.join(repeated)}")
        return value

    @field_validator("counts", "dates", "discrepancies")
    @classmethod
    def _ids_once(cls, value: list) -> list:
        ids = [item.id for item in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"id used more than once: {', '.join(repeated)}")
        return value

    def count(self, count_id: str) -> float:
        """The value of one of the record's counts."""
        for c in self.counts:
            if c.id == count_id:
                return c.value
        raise KeyError(f"{self.case_id} has no count {count_id!r}")


# --------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------


def _field_path(loc: tuple) -> str:
    """``('coding', 2, 'theme')`` → ``coding[2].theme`` (items numbered from 1, as people count)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(record)"


def _pydantic_problems(exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        field = _field_path(tuple(err["loc"]))
        if err["type"] == "missing":
            problems.append(f"field '{field}': required but missing")
        elif err["type"] == "extra_forbidden":
            problems.append(f"field '{field}': not a field of a case record")
        else:
            problems.append(f"field '{field}': {err['msg']} (got {err.get('input')!r})")
    return problems


def read_case(path: Path, themes: set[str] | None = None, projects: set[str] | None = None,
              sets: dict[str, str] | None = None) -> CaseRecord:
    """Read and validate one case record.

    ``themes`` and ``projects``, when given, are the theme codes of the coding frame and the
    project ids of ``projects.csv`` the record may use; ``sets`` maps each action learning
    set of Table 5.3 to its project, which a record that follows a set must share.  Raises
    ``DataValidationError`` naming the file and each bad field.
    """
    data = read_yaml_mapping(path, "a case record")
    try:
        record = CaseRecord.model_validate(data)
    except ValidationError as exc:
        raise DataValidationError(path, _pydantic_problems(exc)) from None
    problems = []
    if record.case_id != path.stem:
        problems.append(f"field 'case_id': {record.case_id!r} must match the file name ({path.stem!r})")
    if themes is not None:
        for i, c in enumerate(record.coding, start=1):
            if c.theme not in themes:
                problems.append(f"field 'coding[{i}].theme': {c.theme!r} is not a theme of coding_frame.csv")
    if projects is not None and record.project_id not in projects:
        problems.append(f"field 'project_id': {record.project_id!r} is not a project of projects.csv")
    if sets is not None and record.action_learning_set is not None:
        if record.action_learning_set not in sets:
            problems.append(f"field 'action_learning_set': {record.action_learning_set!r} is not a set of "
                            "table_5_3_action_learning_sets.csv")
        elif sets[record.action_learning_set] != record.project_id:
            problems.append(f"field 'project_id': {record.project_id!r}, but Table 5.3 puts the set "
                            f"{record.action_learning_set!r} in project {sets[record.action_learning_set]!r}")
    if problems:
        raise DataValidationError(path, problems)
    return record


def _raw_dir_of_case(path: Path) -> Path:
    return path.parent.parent


def _known_themes(raw_dir: Path) -> set[str] | None:
    from nptsc_eval.tables import load_table

    if not (raw_dir / "coding_frame.csv").exists():
        return None
    return set(load_table("coding_frame", raw_dir)["theme_id"])


def _known_projects(raw_dir: Path) -> set[str] | None:
    from nptsc_eval.tables import load_table

    if not (raw_dir / "projects.csv").exists():
        return None
    return set(load_table("projects", raw_dir)["project_id"])


def _known_sets(raw_dir: Path) -> dict[str, str] | None:
    from nptsc_eval.tables import load_table

    if not (raw_dir / "table_5_3_action_learning_sets.csv").exists():
        return None
    sets = load_table("table_5_3_action_learning_sets", raw_dir)
    return dict(zip(sets["set_id"], sets["project_id"]))


def validate_case_file(path: Path) -> None:
    """Validator for ``nptsc_eval.validate_raw.VALIDATORS``: one case record, cross-checked."""
    raw_dir = _raw_dir_of_case(Path(path))
    try:
        themes, projects, sets = _known_themes(raw_dir), _known_projects(raw_dir), _known_sets(raw_dir)
    except DataValidationError:
        themes = projects = sets = None  # the table's own error is reported by the table check
    read_case(Path(path), themes, projects, sets)


def case_files(raw_dir: Path | None = None) -> list[Path]:
    """Every case record file, found by glob."""
    return sorted(((raw_dir or RAW_DIR) / CASES_FOLDER).glob("*.yml"))


def load_cases(raw_dir: Path | None = None) -> list[CaseRecord]:
    """Every case record, validated, in book order: by strand, delivery partner, then name."""
    raw_dir = raw_dir or RAW_DIR
    themes, projects, sets = _known_themes(raw_dir), _known_projects(raw_dir), _known_sets(raw_dir)
    records = [read_case(p, themes, projects, sets) for p in case_files(raw_dir)]
    if not records:
        raise DataValidationError(raw_dir / CASES_FOLDER, ["no case records (*.yml) found"])
    return sorted(records, key=lambda r: (r.strand, r.delivery_partner.lower(), r.name.lower()))


def coding_frame(raw_dir: Path | None = None) -> pd.DataFrame:
    """The themes, in the order of the file (outcomes, then barriers)."""
    from nptsc_eval.tables import load_table

    return load_table("coding_frame", raw_dir)


def load_quotations(raw_dir: Path | None = None) -> pd.DataFrame:
    """The quotation bank, validated against its metadata and cross-checked.

    Each ``case_id`` must name a case record, each theme code a theme of the coding frame, and
    each ``same_as`` another quotation of the same case.
    """
    from nptsc_eval.tables import load_table

    raw_dir = raw_dir or RAW_DIR
    quotes = load_table("quotations", raw_dir)
    cases = {p.stem for p in case_files(raw_dir)}
    themes = _known_themes(raw_dir) or set()
    ids = dict(zip(quotes["quote_id"], quotes["case_id"]))
    problems = []
    for i, row in enumerate(quotes.itertuples(index=False)):
        where = f"row {i + 2}"
        if row.case_id not in cases:
            problems.append(f"{where}, column 'case_id': {row.case_id!r} has no record in {CASES_FOLDER}/")
        for code in str(row.themes).split():
            if code not in themes:
                problems.append(f"{where}, column 'themes': {code!r} is not a theme of coding_frame.csv")
        if pd.notna(row.same_as):
            if row.same_as not in ids:
                problems.append(f"{where}, column 'same_as': {row.same_as!r} is not a quote_id of this file")
            elif ids[row.same_as] != row.case_id:
                problems.append(f"{where}, column 'same_as': {row.same_as!r} belongs to another case")
            if pd.isna(row.difference):
                problems.append(f"{where}, column 'difference': must be filled when 'same_as' is")
        elif pd.notna(row.difference):
            problems.append(f"{where}, column 'difference': must be empty when 'same_as' is")
    if problems:
        raise DataValidationError(raw_dir / "quotations.csv", problems)
    return quotes


def validate_quotations(path: Path) -> None:
    """Validator for ``VALIDATORS``: the quotation bank's cross-references."""
    load_quotations(Path(path).parent)


def load_stakeholders(raw_dir: Path | None = None) -> pd.DataFrame:
    """Appendix 1's stakeholders, with the number in each group checked against the list's length.

    The metadata's ``counts`` (``where``, ``expected``, ``label``) are the published counts.
    """
    from nptsc_eval.tables import load_table, table_meta

    raw_dir = raw_dir or RAW_DIR
    people = load_table("stakeholders", raw_dir)
    meta = table_meta("stakeholders", raw_dir)
    problems = []
    for check in meta.raw.get("counts", []) or []:
        subset = people
        for key, value in (check.get("where") or {}).items():
            subset = subset[subset[key].astype(str) == str(value)]
        if len(subset) != check["expected"]:
            problems.append(f"{check.get('label', 'rows')}: {len(subset)} rows but {check.get('source', 'the source')}"
                            f" lists {check['expected']} (where {check.get('where')})")
    if problems:
        raise DataValidationError(raw_dir / "stakeholders.csv", problems)
    return people


def validate_stakeholders(path: Path) -> None:
    """Validator for ``VALIDATORS``: the stakeholder list's published counts."""
    load_stakeholders(Path(path).parent)


# --------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------


def case_matrix(cases: list[CaseRecord], themes: pd.DataFrame) -> pd.DataFrame:
    """The cross-case matrix: one row per case, one column per theme, 1 where the case is coded.

    Columns: ``case_id``, ``case``, then one integer column per theme id, in the order of the
    coding frame.  Themes no case uses are kept, as zeros.

    Examples:
        >>> frame = pd.DataFrame({"theme_id": ["dialogue", "timing"], "theme": ["Dialogue", "Timing"],
        ...                       "theme_type": ["outcome", "barrier"], "definition": ["d", "t"]})
        >>> case = CaseRecord(case_id="x", name="X", strand=3, project_id="p", delivery_partner="P",
        ...     beneficiary_types=["commissioner"], place="Y", sources=[{"location": "A", "chapter": "B"}],
        ...     evidence="e", summary="s", support_received=["s"], outcomes=["o"],
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


def quotation_variants(quotes: pd.DataFrame) -> pd.DataFrame:
    """Each quotation printed twice: both forms side by side, with how they differ."""
    second = quotes[quotes["same_as"].notna()]
    first = quotes.set_index("quote_id")
    rows = []
    for row in second.itertuples(index=False):
        original = first.loc[row.same_as]
        rows.append({"quote_id": row.same_as, "case_id": row.case_id,
                     "first_location": original["source_location"], "first_text": original["text"],
                     "second_location": row.source_location, "second_text": row.text,
                     "difference": row.difference,
                     "note": "" if pd.isna(row.difference_note) else row.difference_note})
    return pd.DataFrame(rows, columns=["quote_id", "case_id", "first_location", "first_text", "second_location",
                                       "second_text", "difference", "note"])


def discrepancies(cases: list[CaseRecord]) -> pd.DataFrame:
    """Every fact a case record flags as stated in different forms by the source."""
    rows = []
    for c in cases:
        for d in c.discrepancies:
            rows.append({"case_id": c.case_id, "Case": c.name, "Item": d.item,
                         "Forms": " versus ".join(f"{form_text(f)} ({f.source_location})" for f in d.forms),
                         "Note": d.note, "discrepancy_id": d.id})
    return pd.DataFrame(rows, columns=["case_id", "Case", "Item", "Forms", "Note", "discrepancy_id"])


def form_text(form: Form) -> str:
    """A form as the book shows it: the source's words in quotation marks, our reading without.

    Examples:
        >>> form_text(Form(text="14 January 2010", source_location="Appendix 3"))
        '“14 January 2010”'
        >>> form_text(Form(text="January 2011, our inference", source_location="Appendix 3", printed=False))
        'January 2011, our inference'
    """
    return f"“{form.text}”" if form.printed else form.text


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


# --------------------------------------------------------------------------------------
# Showing the evidence
# --------------------------------------------------------------------------------------


def matrix_heatmap(matrix: pd.DataFrame, themes: pd.DataFrame):
    """Cases × themes: coded cells filled dark blue and labelled "Yes", so colour is not the only cue.

    Outcome themes and barrier themes are split by a vertical line and labelled above it.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from nptsc_eval.charts import colours
    from nptsc_eval.charts.style import TEXT_COLOUR, text_colour_on

    theme_ids = list(themes["theme_id"])
    values = matrix[theme_ids].to_numpy()
    import textwrap

    fig, ax = plt.subplots(figsize=(min(0.62 * len(theme_ids) + 2.2, 6.0), 0.42 * len(matrix) + 2.6))
    coded_colour, empty_colour = colours.CASE_CODED, colours.CASE_EMPTY
    ax.imshow(values, cmap=ListedColormap([empty_colour, coded_colour]), vmin=0, vmax=1, aspect="auto")
    for (i, j), v in pd.DataFrame(values).stack().items():
        ax.text(j, i, "Yes" if v else "–", ha="center", va="center", fontsize=10,
                color=text_colour_on(coded_colour if v else empty_colour))
    labels = [textwrap.fill(t, 60) for t in themes["theme"]]  # one line each, so rotated labels do not collide
    ax.set_xticks(range(len(theme_ids)), labels=labels, rotation=55, ha="right", rotation_mode="anchor", fontsize=10)
    ax.set_yticks(range(len(matrix)), labels=list(matrix["case"]), fontsize=11)
    ax.set_xticks([x - 0.5 for x in range(1, len(theme_ids))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(matrix))], minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)
    n_outcomes = int((themes["theme_type"] == "outcome").sum())
    if 0 < n_outcomes < len(theme_ids):
        ax.axvline(n_outcomes - 0.5, color=TEXT_COLOUR, linewidth=2)
    for label, start, stop in (("Outcomes", 0, n_outcomes), ("Barriers", n_outcomes, len(theme_ids))):
        if stop > start:
            ax.text((start + stop - 1) / 2, -0.8, label, ha="center", va="bottom", fontsize=11,
                    fontweight="bold", color=TEXT_COLOUR)
    ax.set_ylim(len(matrix) - 0.5, -1.3)
    for side in ax.spines.values():
        side.set_visible(False)
    fig.tight_layout()
    return fig


def matrix_alt_text(matrix: pd.DataFrame, themes: pd.DataFrame) -> str:
    """Alt text for the heatmap: its size and, for every theme, how many cases it covers."""
    counts = theme_counts(matrix, themes)
    parts = []
    for kind in ("outcome", "barrier"):
        sub = counts[counts["theme_type"] == kind].sort_values("cases", ascending=False, kind="stable")
        listed = "; ".join(f"{r.theme} {r.cases}" for r in sub.itertuples())
        parts.append(f"{kind.capitalize()} themes, with the number of cases coded: {listed}.")
    return (f"Grid of {len(matrix)} case studies by {len(counts)} themes; a filled cell marked Yes means the case "
            f"shows the theme. " + " ".join(parts))


def quotation_printings(quotes: pd.DataFrame) -> pd.DataFrame:
    """Each quotation once, with every place the report prints it and how the printings differ.

    One row per quotation (a row of ``quotations.csv`` with no ``same_as``), in file order:
    ``quote_id``, ``case_id``, ``speaker``, ``text`` (the first printing), ``places`` (every
    printing's ``source_location``, first printing first), ``themes`` (every theme of any
    printing, in order, no repeats) and ``differences`` (one entry per later printing that
    differs from the first: its place, its text, the kind of difference and the note).
    """
    rows = []
    for first in quotes[quotes["same_as"].isna()].itertuples(index=False):
        later = quotes[quotes["same_as"] == first.quote_id]
        themes = []
        for codes in [first.themes, *later["themes"]]:
            themes += [t for t in str(codes).split() if t not in themes]
        differences = [{"place": r.source_location, "text": r.text, "kind": r.difference,
                        "note": "" if pd.isna(r.difference_note) else r.difference_note}
                       for r in later.itertuples(index=False) if r.difference != "none"]
        rows.append({"quote_id": first.quote_id, "case_id": first.case_id, "speaker": first.speaker, "text": first.text,
                     "places": [first.source_location, *later["source_location"]], "themes": themes,
                     "differences": differences})
    return pd.DataFrame(rows, columns=["quote_id", "case_id", "speaker", "text", "places", "themes", "differences"])


def quotation_bank_data(quotes: pd.DataFrame, themes: pd.DataFrame, cases: list[CaseRecord]) -> pd.DataFrame:
    """The quotation bank as a flat table for its CSV download: one row per quotation."""
    names = {c.case_id: c.name for c in cases}
    theme_names = dict(zip(themes["theme_id"], themes["theme"]))
    bank = quotation_printings(quotes)
    return pd.DataFrame({
        "Quotation": bank["text"],
        "Case": bank["case_id"].map(lambda c: names.get(c, c)),
        "Speaker": bank["speaker"],
        "Printed in": bank["places"].map("; ".join),
        "Themes": bank["themes"].map(lambda ts: "; ".join(theme_names.get(t, t) for t in ts)),
        "Differences between printings": bank["differences"].map(
            lambda ds: "; ".join(f"{d['place']} ({d['kind']}): {d['text']}" for d in ds)),
    })


def quotation_bank_html(quotes: pd.DataFrame, themes: pd.DataFrame, cases: list[CaseRecord],
                        element_id: str = "quotation-bank") -> str:
    """The quotation bank as an accessible HTML table: each quotation once, with a theme filter.

    A quotation the report prints twice is one row: its "Printed in" cell names every place,
    and any printing that differs from the first is listed under the quotation with its
    wording and what differs.  Each row carries its themes (``data-themes``); the filter is a
    labelled ``<select>``, and a short inline script (no external files) hides the rows
    without the chosen theme and announces how many quotations are shown.  Without scripts
    every row stays visible.
    """
    names = {c.case_id: c.name for c in cases}
    theme_names = dict(zip(themes["theme_id"], themes["theme"]))
    esc = html.escape
    bank = quotation_printings(quotes)
    options = ['<option value="">All themes</option>']
    for theme in themes.itertuples(index=False):
        tagged = int(bank["themes"].map(lambda ts: theme.theme_id in ts).sum())  # noqa: B023 (used at once)
        if tagged:
            options.append(f'<option value="{esc(theme.theme_id)}">{esc(theme.theme)} ({tagged})</option>')
    rows = []
    for q in bank.itertuples(index=False):
        differs = ""
        if q.differences:
            items = "".join(f'<li>{esc(d["place"])} prints <q>{esc(d["text"])}</q> ({esc(d["kind"])}'
                            + (f': {esc(d["note"])}' if d["note"] else "") + ")</li>" for d in q.differences)
            differs = f'<p class="qb-flag">How the printings differ:</p><ul class="qb-differences">{items}</ul>'
        places = "; ".join(esc(p) for p in q.places)
        rows.append(f'<tr id="{element_id}-{esc(q.quote_id.replace(".", "-"))}" data-themes="{esc(" ".join(q.themes))}">'
                    f'<td><q class="qb-quote">{esc(q.text)}</q>{differs}</td><td>{esc(names.get(q.case_id, q.case_id))}</td>'
                    f'<td>{esc(q.speaker)}</td><td>{places}</td>'
                    f'<td>{esc("; ".join(theme_names.get(t, t) for t in q.themes))}</td></tr>')
    script = (
        "(function(){var root=document.getElementById('%(id)s');if(!root)return;"
        "var select=root.querySelector('select'),status=root.querySelector('[role=status]');"
        "select.addEventListener('change',function(){var shown=0;"
        "root.querySelectorAll('tbody tr[data-themes]').forEach(function(row){"
        "var on=!select.value||row.getAttribute('data-themes').split(' ').indexOf(select.value)>=0;row.hidden=!on;"
        "if(on){shown+=1;}});"
        "status.textContent='Showing '+shown+(shown===1?' quotation.':' quotations.');});})();" % {"id": element_id}
    )
    return (
        f'<div class="quotation-bank" id="{element_id}">'
        f'<p><label for="{element_id}-filter">Show quotations about</label> '
        f'<select id="{element_id}-filter">{"".join(options)}</select></p>'
        f'<p role="status" aria-live="polite">Showing {_quotations(len(bank))}.</p>'
        f'<table class="data-table"><caption>Quotations from the case studies, each once, with where the report prints it</caption>'
        f'<thead><tr><th scope="col">Quotation</th><th scope="col">Case</th><th scope="col">Speaker</th>'
        f'<th scope="col">Printed in</th><th scope="col">Themes</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
        f"<script>{script}</script></div>"
    )


def _quotations(n: int) -> str:
    return f"{n} quotation" if n == 1 else f"{n} quotations"


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) if items else "- None recorded."


def _md_escape(text: str) -> str:
    """Escape characters MyST would read as markup in running text."""
    return re.sub(r"([\\`*_{}\[\]<>|])", r"\\\1", text)


def glue_key(case_id: str, item: str) -> str:
    """Key under which the notebook glues one number of a case (``item`` is a count id or ``strand``)."""
    return f"case_{case_id}_{item}"


def case_page(case: CaseRecord, quotes: pd.DataFrame, themes: pd.DataFrame, notebook: str) -> str:
    """A MyST page for one case, rendered from its record.

    Numbers are not written into the page: each count is shown through the ``{glue}`` role,
    ``notebook`` being the path of the executed notebook relative to the page; the notebook
    glues each under :func:`glue_key`.
    """
    theme_names = dict(zip(themes["theme_id"], themes["theme"]))
    theme_types = dict(zip(themes["theme_id"], themes["theme_type"]))
    chapter = notebook.removesuffix(".ipynb")
    lines = [f"({case.case_id}-case)=", f"# {_md_escape(case.name)}", "",
             _md_escape(case.summary.strip()), "",
             f"This page is written from the case's record. The chapter {{doc}}`Case studies and qualitative evidence <{chapter}>`"
             " compares it with the other cases.", "",
             ":::{list-table}", ":stub-columns: 1", "",
             "* - Strand", f"  - {{glue}}`{notebook}::{glue_key(case.case_id, 'strand')}`",
             "* - Delivery partner", f"  - {_md_escape(case.delivery_partner)}",
             "* - Place", f"  - {_md_escape(case.place)}",
             "* - Beneficiaries", f"  - {_md_escape(', '.join(BENEFICIARY_LABELS[b] for b in case.beneficiary_types))}",
             "* - Evidence", f"  - {_md_escape(case.evidence)}",
             "* - Source", f"  - {_md_escape('; '.join(s.location for s in case.sources))}",
             ":::", ""]
    lines += ["## Support received", "", _bullets([_md_escape(s) for s in case.support_received]), ""]
    lines += ["## Outcomes and impacts", "", _bullets([_md_escape(s) for s in case.outcomes]), ""]
    lines += ["## Barriers", "", _bullets([_md_escape(s) for s in case.barriers]), ""]
    if case.deadweight:
        lines += ["## What would have happened anyway", "",
                  "Deadweight: work that the case says was under way, or would have happened, without the programme.", "",
                  _bullets([_md_escape(s) for s in case.deadweight]), ""]
    lines += ["## Lessons", "", _bullets([_md_escape(s) for s in case.lessons]), ""]
    lines += ["## Views on future support", "", _bullets([_md_escape(s) for s in case.future_support]), ""]
    lines += ["## Coding", "", "The themes of the cross-case matrix this case shows, and the evidence for each.", ""]
    lines += [f"- **{_md_escape(theme_names[c.theme])}** ({theme_types[c.theme]}): {_md_escape(c.evidence)}" for c in case.coding]
    lines.append("")
    if case.counts:
        lines += ["## Numbers the report gives", "", ":::{list-table}", ":header-rows: 1", "",
                  "* - What", "  - Number", "  - Unit", "  - Printed in"]
        for c in case.counts:
            lines += [f"* - {_md_escape(c.description)}", f"  - {{glue}}`{notebook}::{glue_key(case.case_id, c.id)}`",
                      f"  - {_md_escape(c.unit)}", f"  - {_md_escape(c.source_location)}"]
        lines += [":::", ""]
    if case.dates:
        lines += ["## Dates", ""]
        lines += [f"- {_md_escape(d.event)}: {_md_escape(d.as_printed)} ({_md_escape(d.source_location)})" for d in case.dates]
        lines.append("")
    own = quotes[quotes["case_id"] == case.case_id]
    lines += ["## In their own words", ""]
    if own.empty:
        lines += ["The report quotes no one from this case.", ""]
    for q in own.itertuples(index=False):
        # Raw HTML, so that typographic quotes and ellipses do not alter the printed words.
        lines += ["```{raw} html",
                  f'<figure class="case-quote"><blockquote><p>{html.escape(q.text)}</p></blockquote>'
                  f"<figcaption>{html.escape(q.speaker)} ({html.escape(q.source_location)})</figcaption></figure>",
                  "```", ""]
        if pd.notna(q.same_as) and q.difference != "none":
            lines += [f"This printing differs from the earlier one ({q.difference}): {_md_escape(q.difference_note)}", ""]
    if case.discrepancies:
        lines += ["## Where the report differs from itself", ""]
        for d in case.discrepancies:
            forms = "; ".join(f"{_md_escape(form_text(f))} in {_md_escape(f.source_location)}" for f in d.forms)
            lines += [f"- **{_md_escape(d.item)}**: {forms}. {_md_escape(d.note.strip())}"]
        lines.append("")
    return "\n".join(lines)


def page_name(position: int, case: CaseRecord) -> str:
    """File name (without ``.md``) of a case's page: its place in book order, then its id."""
    return f"{position:02d}-{case.case_id}"


def case_links_markdown(cases: list[CaseRecord], folder: str) -> str:
    """A MyST list linking to every case page in ``folder`` (relative to the chapter)."""
    return "\n".join(
        f"- {{doc}}`{_md_escape(c.name)} <{folder}/{page_name(i, c)}>`: {_md_escape(c.delivery_partner)}, {_md_escape(c.place)}"
        for i, c in enumerate(cases, start=1))


def write_case_pages(cases: list[CaseRecord], quotes: pd.DataFrame, themes: pd.DataFrame, folder: Path,
                     notebook: str) -> list[Path]:
    """Write one page per case into ``folder`` (emptied of old pages first), numbered in book order."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    written = []
    for i, case in enumerate(cases, start=1):
        path = folder / f"{page_name(i, case)}.md"
        path.write_text(case_page(case, quotes, themes, notebook) + "\n", encoding="utf-8")
        written.append(path)
    return written
