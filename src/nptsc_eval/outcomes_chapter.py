"""The outcomes and impacts chapter (``notebooks/07-outcomes-and-impacts.ipynb``): its values, tables and figures.

The notebook only calls these functions, in the order its sections appear. ``glue_*``
functions record a section's values (and its checkable facts) and write its processed file;
``show_*`` functions display a section's chart or table with its title, source and number.
The rating rules and the evidence matrix itself are in :mod:`nptsc_eval.outcomes`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from nptsc_eval import outcomes, report, wording
from nptsc_eval.cases import stakeholders
from nptsc_eval.charts.outcomes import heatmap, response_rate_chart
from nptsc_eval.facts import Facts
from nptsc_eval.paths import processed
from nptsc_eval.tables import load_table
from nptsc_eval.templating import passage

MATRIX_SOURCE = ("our coding of the original report (Chapters 2 to 6, Appendices 2 and 3)", None,
                 ["data/raw/outcome_evidence.csv", "data/processed/evidence_matrix.csv"])
QUESTIONS_SOURCE = ("our reading of Chapter 1 of the original report", None, "data/raw/evaluation_questions.csv")
RATES_SOURCE = ("Table 1.1 (respondents) and Table 2.1 (places) in the original report", None,
                "data/processed/survey_response_rates.csv")

#: The chapters that answer the evaluation's questions, by pipeline run.
CHAPTER_TITLES = {
    "01-programme-outputs": "Programme outputs and KPI targets", "02-survey": "The participant survey",
    "03-strand-1": "Strand one", "03-strand-2": "Strand two", "03-strand-3": "Strand three",
    "04-case-studies": "Case studies", "07-outcomes-and-impacts": "Outcomes and impacts (this chapter)"}

#: How the chapter words each direction of a conclusion's evidence.
DIRECTION_WORDS = {"supports": "the evidence agrees", "mixed": "the evidence points both ways",
                   "against": "the evidence points against it"}

#: The three tables of the report's Appendix 1: caption and number key of each group of people.
PEOPLE_TABLES = {"governance": ("Programme governance members", "t7_9"), "advisory": ("Advisory group members", "t7_10"),
                 "delivery_partners": ("Delivery partner contacts", "t7_11")}


def box_list(frame: pd.DataFrame) -> str:
    """The boxes of an evidence matrix as "project: box" (or "strand n: box"), joined by semicolons.

    >>> box_list(pd.DataFrame({"project_id": ["p", ""], "project": ["CIPFA", ""], "strand": [1, 2],
    ...                        "box": ["More Awareness", "Better Contracts"]}))
    'CIPFA: more awareness; strand two: better contracts'
    >>> box_list(pd.DataFrame(columns=["project_id", "project", "strand", "box"]))
    'none'
    """
    return "; ".join(f"{r.project if r.project_id else 'strand ' + ['one', 'two', 'three'][r.strand - 1]}: {r.box.lower()}"
                     for r in frame.itertuples()) or "none"


def glue_matrix(facts: Facts) -> pd.DataFrame:
    """Build the evidence matrix, write ``evidence_matrix.csv`` and glue its counts by strength and direction."""
    evidence = load_table("outcome_evidence")
    matrix = outcomes.evidence_matrix(evidence, load_table("logic_models"), load_table("projects"))
    matrix.to_csv(processed("evidence_matrix.csv"), index=False)
    report.glue("boxes_total", len(matrix))
    report.glue("boxes_outcomes", int((matrix["stage"] == "outcome").sum()))
    report.glue("boxes_impacts", int((matrix["stage"] == "impact").sum()))
    report.glue("evidence_rows", len(evidence))
    for strength, n in strength_totals(matrix).items():
        report.glue(f"boxes_{strength}", wording.number(int(n), zero="none"), kind="text")
        facts.add(f"outcomes.boxes.{strength}", int(n), unit="boxes", description=f"Outcome and impact boxes whose evidence is rated {strength}")
    report.glue("boxes_strong_list", box_list(matrix[matrix["strength"] == "strong"]), kind="text")
    report.glue("boxes_none_list", box_list(matrix[matrix["strength"] == "none"]), kind="text")
    report.glue("boxes_against", int((matrix["direction"] == "against").sum()))
    report.glue("boxes_mixed", int((matrix["direction"] == "mixed").sum()))
    return matrix


def strength_totals(matrix: pd.DataFrame) -> pd.Series:
    """Boxes of the matrix at each strength of :data:`outcomes.STRENGTHS`, in that order (zero where none)."""
    return matrix["strength"].value_counts().reindex(outcomes.STRENGTHS, fill_value=0)


def show_questions() -> None:
    """Glue how many questions this edition added and show the reconstructed questions."""
    questions = load_table("evaluation_questions")
    report.glue("questions_added", int((~questions["in_source"]).sum()), evidence="descriptive")
    shown = questions.assign(origin=questions["in_source"].map({True: "Reconstructed from the report", False: "Added by this edition"}))
    report.show_table(shown[["question_id", "question", "origin", "source_location"]].rename(columns={
        "question_id": "Question", "question": "What it asks", "origin": "Origin", "source_location": "Basis in the report"}),
        "The evaluation's questions, reconstructed", "oi-questions", number_key="t7_1", source=report.source(*QUESTIONS_SOURCE))


def show_questions_by_chapter() -> None:
    """Show which chapter answers each question."""
    by_chapter = outcomes.questions_by_chapter(load_table("evaluation_questions"), CHAPTER_TITLES)
    report.show_table(by_chapter[["chapter", "question_id"]].rename(columns={"chapter": "Chapter", "question_id": "Questions it answers"}),
                      "The questions each chapter answers", "oi-question-chapters", number_key="t7_2",
                      source=report.source(*QUESTIONS_SOURCE))


def show_rules() -> None:
    """Show the rules for rating evidence strength."""
    rules = pd.DataFrame([(strength, outcomes.rule_text(rule)) for strength, rule in outcomes.RULES], columns=["Strength", "Rule"])
    report.show_table(rules, "Rules for rating evidence strength, applied in order", "oi-rules", number_key="t7_3",
                      source=report.source("this edition's rules, after the publishing conventions for evaluation evidence", None,
                                           "src/nptsc_eval/outcomes.py"))


def matrix_alt_text(matrix: pd.DataFrame) -> str:
    """The evidence matrix chart's text alternative."""
    counts = strength_totals(matrix)
    return (f"A grid of the {len(matrix)} outcome and impact boxes of the three logic models against six kinds of evidence. "
            f"Each cell says whether that kind of evidence supports the box, is mixed, is against it or is silent; empty cells mean no evidence "
            f"of that kind. Strength: {counts['strong']} strong, {counts['moderate']} moderate, {counts['limited']} limited, {counts['none']} none. "
            "Most boxes rest on one or two kinds of evidence. The table after it gives the same information.")


def show_matrix_figure(matrix: pd.DataFrame) -> None:
    """Show the evidence matrix as a chart (Figure 7.1)."""
    report.show_figure(heatmap(matrix), alt=matrix_alt_text(matrix), data=matrix, number_key="f7_1",
                       title="Most outcome and impact boxes rest on one or two kinds of evidence",
                       source=report.source(*MATRIX_SOURCE))


def show_matrix_table(matrix: pd.DataFrame) -> None:
    """Show the evidence matrix as a table."""
    table = matrix[["box_id", "project", "box"] + list(outcomes.SOURCE_TYPES) + ["direction", "strength", "evidence_ids"]].rename(columns={
        "box_id": "Row", "project": "Project", "box": "Box", **outcomes.SOURCE_TYPES,
        "direction": "Direction", "strength": "Strength", "evidence_ids": "Evidence rows"})
    report.show_table(table, "Evidence for each outcome and impact box, by kind, direction and strength", "oi-matrix",
                      number_key="t7_4", source=report.source(*MATRIX_SOURCE),
                      notes=("'none': the report gives no evidence of that kind for the box. "
                             "Row ids: s and the strand number, the project, outcome or impact, and the box's number in its column."))


def strand_strength_text(matrix: pd.DataFrame, strand: int) -> str:
    """A strand's boxes by strength, in words: "five limited, two none"."""
    part = matrix[matrix["strand"] == strand]["strength"].value_counts()
    return ", ".join(f"{report.count_text(int(part.get(s, 0)))} {s}" for s in outcomes.STRENGTHS if part.get(s, 0))


def show_strength_by_strand(matrix: pd.DataFrame) -> None:
    """Glue each strand's boxes by strength and show the counts by strand."""
    for strand in (1, 2, 3):
        report.glue(f"s{strand}_boxes", int((matrix["strand"] == strand).sum()))
        report.glue(f"s{strand}_counts", strand_strength_text(matrix, strand), kind="text")
    report.show_table(outcomes.strength_counts(matrix).rename(columns={"strand": "Strand", **{s: f"{s.capitalize()} (boxes)" for s in outcomes.STRENGTHS}}),
                      "Outcome and impact boxes by strength of evidence and strand (number of boxes)", "oi-strength-counts",
                      number_key="t7_5", source=report.source("our coding of the original report", None, "data/processed/evidence_matrix.csv"))


def conclusion_strength_text(r: Any) -> str:
    """One conclusion's rating in words: strength, direction, kinds of evidence and the matrix rows it rests on."""
    rows = f"matrix rows {r.box_ids.replace(' ', ', ')}" if r.box_ids else "no row of the matrix: it is not an outcome of the logic models"
    return f"{r.strength}; {DIRECTION_WORDS[r.direction]}; it rests on {r.kinds} (evidence {r.evidence_ids.replace(' ', ', ')}; {rows})"


def show_conclusions(facts: Facts) -> None:
    """Rate the report's conclusions, write ``conclusion_strength.csv``, glue each rating and show them."""
    ratings = outcomes.conclusion_ratings(load_table("conclusion_evidence"))
    ratings.to_csv(processed("conclusion_strength.csv"), index=False)
    for r in ratings.itertuples():
        report.glue(f"conclusion_{r.conclusion_id}_strength", conclusion_strength_text(r), kind="text")
        facts.add(f"outcomes.conclusion.{r.conclusion_id}.strength", r.strength, description=f"Evidence strength of the conclusion: {r.conclusion}")
    report.show_table(ratings[["conclusion", "strength", "direction", "kinds", "box_ids"]].rename(columns={
        "conclusion": "Conclusion of the report", "strength": "Strength", "direction": "Direction", "kinds": "Kinds of evidence",
        "box_ids": "Rows of the evidence matrix"}).replace({"Rows of the evidence matrix": {"": "[z]"}}),
        "Evidence strength of the report's conclusions", "oi-conclusions", number_key="t7_6",
        source=report.source("our coding of the original report, Chapter 6 and the passages each row names", None,
                             "data/raw/conclusion_evidence.csv"),
        notes="[z]: not applicable, the conclusion is not about an outcome of the logic models.")


def response_rate_values(rates: pd.DataFrame) -> dict[str, Any]:
    """The response rate figures the chapter quotes, from :func:`outcomes.response_rates`."""
    partners = rates[rates["delivery_partner"] != "All respondents"]
    overall = rates[rates["delivery_partner"] == "All respondents"].iloc[0]
    cipfa = rates.set_index("delivery_partner").loc["CIPFA"]
    measured = partners[partners["respondents"] > 0]
    lowest = measured.loc[measured["response_rate_pct"].idxmin()]
    names = list(partners[partners["no_respondents"]]["projects"])
    return {"total_respondents": int(overall["respondents"]), "cipfa_pct": cipfa["response_rate_pct"],
            "lowest_pct": lowest["response_rate_pct"], "lowest_partner": lowest["delivery_partner"],
            "none_list": "; ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names),
            "none_count": len(names), "overall_pct": overall["response_rate_pct"], "overall_places": overall["places"],
            "dissimilarity": outcomes.dissimilarity_index(rates),
            "cipfa_share_resp": 100 * cipfa["respondents"] / partners["respondents"].sum(),
            "cipfa_share_places": 100 * cipfa["places"] / partners["places"].sum()}


def glue_response_rates(facts: Facts) -> pd.DataFrame:
    """Set respondents against places by partner, write ``survey_response_rates.csv`` and glue the figures."""
    rates = outcomes.response_rates(load_table("survey_table_1_1_respondents"), load_table("table_2_1_programme_outputs"),
                                    load_table("projects"))
    rates.to_csv(processed("survey_response_rates.csv"), index=False)
    v = response_rate_values(rates)
    report.glue("rr_total_respondents", v["total_respondents"], evidence="published")
    report.glue("rr_cipfa_pct", v["cipfa_pct"], kind="percent")
    report.glue("rr_lowest_pct", v["lowest_pct"], kind="percent")
    report.glue("rr_lowest_partner", v["lowest_partner"], kind="text")
    report.glue("rr_none_list", v["none_list"], kind="text")
    report.glue("rr_overall_pct", v["overall_pct"], kind="percent", digits=1)
    report.glue("rr_overall_places", v["overall_places"])
    report.glue("rr_dissimilarity", v["dissimilarity"], kind="number", digits=0)
    report.glue("rr_cipfa_share_resp", v["cipfa_share_resp"], kind="percent")
    report.glue("rr_cipfa_share_places", v["cipfa_share_places"], kind="percent")
    facts.add("outcomes.survey.response_rate.overall_pct", round(float(v["overall_pct"]), 4), unit="per cent",
              description="Survey respondents as a percentage of participant places and NAVCA's organisations", source_location="Table 1.1; Table 2.1")
    facts.add("outcomes.survey.response_rate.cipfa_pct", round(float(v["cipfa_pct"]), 4), unit="per cent",
              description="CIPFA's respondents (including those also at SROI-UK) as a percentage of its participant places", source_location="Table 1.1; Table 2.1")
    facts.add("outcomes.survey.partners_without_respondents", v["none_count"], unit="delivery partners",
              description="Delivery partners with no survey respondents", source_location="Table 1.1; Table 2.1")
    facts.add("outcomes.survey.dissimilarity_points", round(v["dissimilarity"], 4), unit="percentage points",
              description="Index of dissimilarity between respondents' and places' spread across delivery partners", source_location="Table 1.1; Table 2.1")
    return rates


def response_rate_alt_text(rates: pd.DataFrame) -> str:
    """The response rate chart's text alternative: CIPFA first, then each partner with places."""
    partners = rates[rates["delivery_partner"] != "All respondents"]
    cipfa = rates.set_index("delivery_partner").loc["CIPFA"]
    return (f"Survey response rate by delivery partner. CIPFA {report.format_percent(cipfa['response_rate_pct'])}, "
            + ", ".join(f"{r.delivery_partner} {report.format_percent(r.response_rate_pct)}" for r in partners[partners['places'].notna()].iloc[1:].itertuples())
            + ". CIPFA's participants answered far more often than anyone else's. The table after it gives the same figures.")


def show_response_rate_chart(rates: pd.DataFrame) -> None:
    """Show the response rate by delivery partner as a chart (Figure 7.2)."""
    partners = rates[rates["delivery_partner"] != "All respondents"]
    chart = partners[partners["places"].notna()].iloc[::-1]
    report.show_figure(response_rate_chart(chart), alt=response_rate_alt_text(rates),
                       data=chart[["delivery_partner", "respondents", "places", "response_rate_pct"]], number_key="f7_2",
                       title="CIPFA's participants answered the survey far more often than anyone else's",
                       source=report.source(*RATES_SOURCE))


def show_response_rate_table(rates: pd.DataFrame) -> None:
    """Show respondents against places by delivery partner, with [x] and [z] where a figure is missing."""
    shown = rates.copy()
    shown["response_rate"] = [("[z]" if pd.isna(v) else report.format_percent(v, 1)) for v in shown["response_rate_pct"]]
    shown["places_shown"] = [("[x]" if pd.isna(v) else report.format_number(v)) for v in shown["places"]]
    report.show_table(shown[["delivery_partner", "projects", "respondents_one_project", "respondents_two_projects", "respondents",
                             "places_shown", "places_basis", "response_rate"]].rename(columns={
        "delivery_partner": "Delivery partner", "projects": "Projects", "respondents_one_project": "Respondents, one project",
        "respondents_two_projects": "Respondents, also in another project", "respondents": "Respondents counted",
        "places_shown": "Places", "places_basis": "Places counted as", "response_rate": "Response rate (%)"}),
        "Survey respondents against places, by delivery partner, phase two (2009 to 2011)", "oi-response-rates",
        number_key="t7_7", source=report.source(*RATES_SOURCE),
        notes=("People in both CIPFA's and SROI-UK's projects are counted for each. The last row counts each respondent once. "
               "[x]: not available, Table 2.1 gives no places. [z]: not applicable."))


#: The chapter's passages that depend on the data (see :func:`nptsc_eval.templating.passage`).
PASSAGES = "outcomes.md.j2"


def glue_value_for_money(costs_table: str) -> pd.DataFrame:
    """Cost per place, organisation and target met from ``data/raw/<costs_table>.csv``; write ``value_for_money.csv``.

    Glues ``vfm_status``: what the section can say, with costs or without them.
    """
    vfm = outcomes.value_for_money(load_table(costs_table), load_table("table_2_1_programme_outputs"),
                                   pd.read_csv(processed("kpi_attainment.csv")), load_table("projects"))
    vfm.to_csv(processed("value_for_money.csv"), index=False)
    report.glue("vfm_status", passage(PASSAGES, "value_for_money", has_costs=not vfm.empty), kind="text", evidence="descriptive")
    return vfm


def show_value_for_money(vfm: pd.DataFrame) -> None:
    """Show the cost per place, organisation and target met (nothing when no costs are entered)."""
    if vfm.empty:
        return
    shown = vfm.copy()
    for column in ["cost_gbp", "cost_per_place", "cost_per_organisation", "cost_per_target_met"]:
        shown[column] = ["[x]" if pd.isna(v) else "£" + report.format_number(v) for v in shown[column]]
    for column in ["participant_places", "organisations"]:
        shown[column] = ["[x]" if pd.isna(v) else report.format_number(v) for v in shown[column]]
    report.show_table(shown.drop(columns=["strand", "project_id"]).rename(columns={
        "level": "Level", "project": "Project or strand", "cost_gbp": "Cost (£)", "participant_places": "Participant places",
        "organisations": "Organisations", "targets_met": "Targets met", "cost_per_place": "Cost per place (£)",
        "cost_per_organisation": "Cost per organisation (£)", "cost_per_target_met": "Cost per target met (£)"}),
        "Cost per participant place, organisation supported and output target met", "oi-vfm", number_key="t7_8",
        source=report.source("Table 2.1 in the original report, and costs entered in data/raw/programme_costs.csv", None,
                             ["data/raw/programme_costs.csv", "data/processed/kpi_attainment.csv"]),
        notes="[x]: not available.")


def show_people() -> None:
    """Show the three tables of people consulted (Appendix 1 of the report)."""
    people = stakeholders.load_stakeholders()
    for group, (caption, number_key) in PEOPLE_TABLES.items():
        part = people[people["group"] == group][["name", "role", "organisation"]].rename(
            columns={"name": "Name", "role": "Role", "organisation": "Organisation"})
        report.show_table(part, caption, f"oi-people-{group}", number_key=number_key,
                          source=report.source("Appendix 1 of the original report", None, "data/raw/stakeholders.csv"))
