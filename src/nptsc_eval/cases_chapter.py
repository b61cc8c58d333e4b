"""The case studies chapter (``notebooks/04-case-studies.ipynb``): its values, tables, chart and pages.

:func:`load` reads the case records, coding frame, quotations and stakeholders once into a
:class:`CaseData`; ``glue_*`` functions record a section's values (and its checkable facts);
``show_*`` functions display a section's table or chart with its title, source and number.
The records, matrix and pages themselves are built in :mod:`nptsc_eval.cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import Markdown, display

from nptsc_eval import report, wording
from nptsc_eval.cases import matrix as case_matrix
from nptsc_eval.cases import pages as case_pages
from nptsc_eval.cases import quotations, stakeholders
from nptsc_eval.cases import records as case_records
from nptsc_eval.charts import cases as case_charts
from nptsc_eval.facts import Facts
from nptsc_eval.paths import EXECUTED_DIR, processed
from nptsc_eval.tables import load_table
from nptsc_eval.templating import render

CASE_KINDS = [("commissioner", "cases_commissioner"), ("third_sector_organisation", "cases_tso"),
              ("infrastructure_body", "cases_infrastructure")]
VARIANT_KINDS = [("none", "quotes_same"), ("punctuation", "quotes_punctuation"), ("wording", "quotes_wording")]
STAKEHOLDER_GROUPS = [("governance", "stakeholders_governance"), ("advisory", "stakeholders_advisory"),
                      ("delivery_partners", "stakeholders_delivery")]
#: The quotation the chapter quotes in both its printings.
QUOTED_VARIANT = "commissioner_a.starting_point.fig_3_3"


@dataclass
class CaseData:
    """What the chapter reads: case records, coding frame, projects, quotations, stakeholders and the case matrix."""

    records: list[Any]
    themes: pd.DataFrame
    projects: pd.DataFrame
    quotes: pd.DataFrame
    people: pd.DataFrame
    matrix: pd.DataFrame


def cases_source() -> str:
    """The source line under the chapter's case tables and chart."""
    return report.source("Appendix 3 of the original report (case studies) and Figures 3.3, 3.4, 4.3 and 5.4 to 5.7",
                         "Consulting Inplace evaluation case study research (January to December 2010)",
                         ["data/raw/case_studies/*.yml", "data/raw/coding_frame.csv"])


def load() -> CaseData:
    """Read everything the chapter uses and write ``case_matrix.csv``."""
    records, themes = case_records.load_cases(), case_records.coding_frame()
    data = CaseData(records, themes, load_table("projects"), quotations.load_quotations(), stakeholders.load_stakeholders(),
                    case_matrix.case_matrix(records, themes))
    data.matrix.to_csv(processed("case_matrix.csv"), index=False)
    return data


def glue_cases(data: CaseData, facts: Facts) -> None:
    """Glue the number of cases by beneficiary, and record each case's strand, counts, dates and discrepancies."""
    records = data.records
    report.glue("cases_count", len(records))
    for kind, key in CASE_KINDS:
        report.glue(key, sum(kind in r.beneficiary_types for r in records))
    report.glue("cases_projects", len({r.project_id for r in records}))
    facts.add("cases.count", len(records), unit="case studies", description="Case studies in Appendix 3 and the chapter figures",
              source_location="Appendix 3")
    for r in records:
        _glue_case(r, facts)


def _glue_case(r: Any, facts: Facts) -> None:
    report.glue(case_pages.glue_key(r.case_id, "strand"), r.strand, kind="figure")  # shown in a table
    facts.add(f"{r.case_id}.strand", r.strand, unit="strand", description=f"Delivery strand of the {r.name} case study",
              source_location="; ".join(s.location for s in r.sources))
    for c in r.counts:
        report.glue(case_pages.glue_key(r.case_id, c.id), c.value, kind="figure")
        facts.add(f"{r.case_id}.{c.id}", c.value, unit=c.unit, description=f"{r.name}: {c.description}", source_location=c.source_location)
    for d in r.dates:
        facts.add(f"{r.case_id}.date.{d.id}", d.date, unit="date", description=f"{r.name}: {d.event} (printed '{d.as_printed}')",
                  source_location=d.source_location)
    for d in r.discrepancies:
        facts.add(f"{r.case_id}.discrepancy.{d.id}", True, description=f"{r.name}: the source gives {d.item.lower()} in different forms",
                  source_location="; ".join(f.source_location for f in d.forms))


def show_overview(data: CaseData) -> None:
    """Show each case's strand, delivery partner, place and beneficiaries."""
    report.show_table(case_matrix.cases_overview(data.records, data.projects), "The case studies: strand, delivery partner, place and beneficiaries",
                      "case-overview", source=cases_source())


def glue_matrix(data: CaseData, facts: Facts) -> None:
    """Glue the coding frame's size, how common each theme is, and record each theme's count of cases."""
    themes = data.themes
    counts = case_matrix.theme_counts(data.matrix, themes)
    report.glue("themes_count", len(themes))
    report.glue("themes_outcomes", int((themes["theme_type"] == "outcome").sum()))
    report.glue("themes_barriers", int((themes["theme_type"] == "barrier").sum()))
    by_theme = {kind: counts[counts["theme_type"] == kind].set_index("theme")["cases"] for kind in ("outcome", "barrier")}
    report.glue("outcome_most_sentence", wording.commonness_sentence(by_theme["outcome"], "outcome", "outcomes", "cases"), kind="text")
    report.glue("outcome_least_sentence", wording.commonness_sentence(by_theme["outcome"], "outcome", "outcomes", "cases", most=False),
                kind="text")
    report.glue("barrier_most_sentence", wording.commonness_sentence(by_theme["barrier"], "barrier", "barriers", "cases"), kind="text")
    for row in counts.itertuples():
        report.glue(f"theme_{row.theme_id}_cases", row.cases)
        report.glue(f"theme_{row.theme_id}_share", wording.share(row.cases, len(data.records), "case study", "case studies"), kind="text")
    for row in counts.itertuples():
        facts.add(f"case_matrix.{row.theme_id}.cases", row.cases, unit="case studies",
                  description=f"Case studies coded with the theme '{row.theme}' ({row.theme_type})", source_location="Appendix 3")


def show_matrix_figure(data: CaseData) -> None:
    """Show the cross-case matrix as a chart."""
    report.show_figure(case_charts.matrix_heatmap(data.matrix, data.themes), alt=case_matrix.matrix_alt_text(data.matrix, data.themes), data=data.matrix,
                       title="The outcomes and barriers each case study shows", source=cases_source(), number_key="matrix_figure_number")


def show_matrix_table(data: CaseData) -> None:
    """Show the cross-case matrix as a table."""
    report.show_table(case_matrix.matrix_table(data.matrix, data.themes), "Cross-case matrix: the themes each case shows (Yes = coded)",
                      "case-matrix", source=cases_source(), number_key="matrix_table_number")


def show_coding_frame(data: CaseData) -> None:
    """Show the outcome and barrier themes with their definitions."""
    frame = data.themes.rename(columns={"theme": "Theme", "theme_type": "Type", "definition": "Definition"})[["Theme", "Type", "Definition"]]
    report.show_table(frame, "Coding frame: outcome and barrier themes", "coding-frame",
                      source=report.source("our own coding frame, built from Appendix 3 of the original report", None, "data/raw/coding_frame.csv"))


def show_quotation_bank(data: CaseData) -> None:
    """Show the quotation bank, with its filter by theme."""
    report.show_html_table(quotations.quotation_bank_html(data.quotes, data.themes, data.records),
                           data=quotations.quotation_bank_data(data.quotes, data.themes, data.records),
                           source=report.source("Figures 3.3, 3.4, 4.3, 5.4, 5.5 and 5.7 and Appendix 3 of the original report",
                                                "Consulting Inplace evaluation case study research (January to December 2010)",
                                                "data/raw/quotations.csv"))


def glue_quotations(data: CaseData, facts: Facts) -> None:
    """Glue how many quotations are printed twice and how the printings differ; record each pair."""
    quotes = data.quotes
    variants = quotations.quotation_variants(quotes)
    report.glue("quotes_distinct", int(quotes["same_as"].isna().sum()))
    report.glue("quotes_printed_twice", len(variants))
    for kind, key in VARIANT_KINDS:
        report.glue(key, int((variants["difference"] == kind).sum()))
    a = variants.set_index("quote_id").loc[QUOTED_VARIANT]
    report.glue("quote_a_first", a["first_text"].rstrip("."), kind="text")
    report.glue("quote_a_first_location", a["first_location"], kind="text")
    report.glue("quote_a_second", a["second_text"].rstrip("."), kind="text")
    report.glue("quote_a_second_location", a["second_location"], kind="text")
    facts.add("quotations.count", len(quotes), unit="printings", description="Printings of case study quotations in the report",
              source_location="Appendix 3; Figures 3.3, 3.4, 4.3, 5.4, 5.5, 5.7")
    facts.add("quotations.distinct", int(quotes["same_as"].isna().sum()), unit="quotations",
              description="Different case study quotations", source_location="Appendix 3")
    for row in variants.itertuples():
        stem, where = row.quote_id.rsplit(".", 1)[0], f"{row.first_location}; {row.second_location}"
        facts.add(f"quotations.{stem}.forms_differ", row.difference != "none",
                  description=f"The two printings ({row.first_location}, {row.second_location}) differ", source_location=where)
        facts.add(f"quotations.{stem}.difference", row.difference, description="How the two printings differ: none, punctuation or wording",
                  source_location=where)


def show_discrepancies(data: CaseData, facts: Facts) -> None:
    """Glue and record how many facts the case studies state in different forms, and show them."""
    found = case_matrix.discrepancies(data.records)
    report.glue("discrepancies_count", len(found))
    facts.add("cases.discrepancies.count", len(found), unit="items", description="Facts the case studies state in different forms",
              source_location="Appendix 3 and chapter figures")
    report.show_table(found[["Case", "Item", "Forms", "Note"]], "Facts the report states in different forms", "case-discrepancies",
                      source=cases_source())


def glue_stakeholders(data: CaseData, facts: Facts) -> pd.DataFrame:
    """Glue the people of Appendix 1 by group; record them by group and type; return the summary table."""
    people = data.people
    by_group = people.groupby("group").size()
    for group, key in STAKEHOLDER_GROUPS:
        report.glue(key, int(by_group.get(group, 0)))
        facts.add(f"stakeholders.{group}.count", int(by_group.get(group, 0)), unit="people",
                  description=f"People listed under {stakeholders.GROUP_LABELS[group].lower()}", source_location="Appendix 1")
    distinct = people["name"].nunique()
    report.glue("stakeholders_people", distinct)
    facts.add("stakeholders.distinct_people", distinct, unit="people", description="Different people listed in Appendix 1",
              source_location="Appendix 1")
    summary = stakeholders.stakeholder_summary(people)
    total = summary.set_index("Group").loc["Total"]
    for code_, label in stakeholders.ORGANISATION_TYPE_LABELS.items():
        if label in total.index:
            facts.add(f"stakeholders.type.{code_}.count", int(total[label]), unit="listings",
                      description=f"Listings in Appendix 1 from {label.lower()} organisations", source_location="Appendix 1")
    return summary


def show_stakeholders(summary: pd.DataFrame) -> None:
    """Show the stakeholders consulted, by group and type of organisation."""
    report.show_table(summary.rename(columns=lambda c: c if c == "Group" else f"{c} (people)"),
                      "Stakeholders consulted, by group and type of organisation", "stakeholders", number_key="stakeholders_table_number",
                      source=report.source("Appendix 1 of the original report (stakeholders consulted)", None, "data/raw/stakeholders.csv"),
                      notes=render("cases/stakeholders_note.md.j2").strip())


def show_case_links(data: CaseData, cases_folder: str) -> None:
    """Show the list of links to each case's own page."""
    display(Markdown(case_pages.case_links_markdown(data.records, cases_folder)))


def write_case_pages(data: CaseData, cases_folder: str) -> list[Path]:
    """Write one page per case into ``book/executed/<cases_folder>/``."""
    return case_pages.write_case_pages(data.records, data.quotes, data.themes, EXECUTED_DIR / cases_folder, notebook="../04-case-studies.ipynb")
