"""Case study records, the cross-case matrix, the quotation bank and the stakeholder list."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from nptsc_eval import paths
from nptsc_eval.cases import matrix as case_matrix
from nptsc_eval.cases import pages as case_pages
from nptsc_eval.cases import quotations, stakeholders
from nptsc_eval.cases import records as case_records
from nptsc_eval.errors import DataValidationError
from nptsc_eval.validate_raw import validate_raw_data

CASE_NAMES = ["Commissioner A", "Commissioner B", "Gateshead", "Bristol", "Doncaster", "Southwark",
              "Gloucestershire", "Norfolk"]


@pytest.fixture(scope="module")
def records() -> list[case_records.CaseRecord]:
    return case_records.load_cases()


@pytest.fixture(scope="module")
def themes() -> pd.DataFrame:
    return case_records.coding_frame()


def _edit_case(raw: Path, case_id: str, change) -> Path:
    path = raw / "case_studies" / f"{case_id}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------
# The records
# ---------------------------------------------------------------------------------------


def test_all_eight_cases_load_in_book_order(records):
    assert [r.name for r in records] == CASE_NAMES
    assert [r.strand for r in records] == [1, 1, 2, 3, 3, 3, 3, 3]


def test_records_hold_the_counts_the_source_gives(records):
    by_id = {r.case_id: r for r in records}
    assert by_id["gateshead"].count("attendees") == 15
    assert by_id["doncaster"].count("development_trusts") == 5
    assert by_id["doncaster"].count("tsos_engaged") == 7
    assert by_id["doncaster"].count("meetings") == 4
    assert by_id["norfolk"].count("applications") == 5
    assert (by_id["norfolk"].count("fee_initial"), by_id["norfolk"].count("fee_reduced")) == (250, 50)
    glos = by_id["gloucestershire"]
    assert (glos.count("contract_value_low"), glos.count("contract_value_high")) == (800_000, 900_000)


def test_gateshead_session_dates_are_kept_as_printed_and_flagged(records):
    gateshead = next(r for r in records if r.case_id == "gateshead")
    assert [d.as_printed for d in gateshead.dates] == ["14 January 2010", "1 February 2011"]
    flagged = {d.id: d for d in gateshead.discrepancies}
    forms = flagged["session_dates"].forms
    assert [f.text for f in forms] == ["14 January 2010", "January 2011, our inference (the report never prints this date)"]
    assert [f.printed for f in forms] == [True, False]


def test_a_schema_error_names_the_file_and_the_field(raw_copy: Path):
    def spoil(data):
        data["strand"] = 4
        del data["summary"]
        data["coding"][1]["theme"] = "Not A Code"
        data["colour"] = "blue"

    path = _edit_case(raw_copy, "doncaster", spoil)
    with pytest.raises(DataValidationError) as caught:
        case_records.read_case(path)
    message = str(caught.value)
    assert message.startswith(f"{path} is not valid (4 problem(s))")
    assert "field 'strand': Input should be 1, 2 or 3 (got 4)" in message
    assert "field 'summary': required but missing" in message
    assert "field 'coding[2].theme'" in message
    assert "field 'colour': not a field of a case record" in message


def test_an_unknown_theme_or_project_names_the_field(raw_copy: Path):
    def spoil(data):
        data["coding"][0]["theme"] = "optimism"
        data["project_id"] = "no_such_project"

    path = _edit_case(raw_copy, "norfolk", spoil)
    with pytest.raises(DataValidationError) as caught:
        case_records.validate_case_file(path)
    assert caught.value.problems == [
        "field 'coding[1].theme': 'optimism' is not a theme of coding_frame.csv",
        "field 'project_id': 'no_such_project' is not a project of projects.csv",
    ]


def test_case_id_must_match_the_file_name(raw_copy: Path):
    path = _edit_case(raw_copy, "bristol", lambda d: d.update(case_id="bath"))
    with pytest.raises(DataValidationError, match=r"field 'case_id': 'bath' must match the file name \('bristol'\)"):
        case_records.read_case(path)


def test_broken_yaml_is_reported_not_raised_as_a_traceback(raw_copy: Path):
    path = raw_copy / "case_studies" / "southwark.yml"
    path.write_text("case_id: southwark\nname: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="(?s)southwark.yml is not valid.*not valid YAML"):
        case_records.read_case(path)


def test_raw_data_check_reports_a_bad_case_file(raw_copy: Path):
    _edit_case(raw_copy, "gateshead", lambda d: d.update(beneficiary_types=["councillor"]))
    errors = [str(e) for e in validate_raw_data(raw_copy)]
    case_errors = [e for e in errors if "gateshead.yml" in e]
    assert len(case_errors) == 1
    assert "field 'beneficiary_types[1]'" in case_errors[0]


def test_every_case_file_is_covered_by_a_validator():
    from nptsc_eval.validate_raw import undocumented_raw_files

    assert [f for f in undocumented_raw_files() if "case_studies" in f] == []


def test_the_real_raw_data_passes_the_case_checks():
    errors = [str(e) for e in validate_raw_data()
              if any(name in str(e) for name in ("case_studies", "quotations.csv", "stakeholders.csv", "coding_frame"))]
    assert errors == []


# ---------------------------------------------------------------------------------------
# The cross-case matrix
# ---------------------------------------------------------------------------------------


def test_matrix_agrees_with_the_records(records, themes):
    matrix = case_matrix.case_matrix(records, themes)
    assert list(matrix["case"]) == CASE_NAMES
    assert list(matrix.columns[2:]) == list(themes["theme_id"])
    for record, row in zip(records, matrix.to_dict("records")):
        coded = {t for t in themes["theme_id"] if row[t] == 1}
        assert coded == {c.theme for c in record.coding}, record.case_id
    assert set(matrix.iloc[:, 2:].to_numpy().ravel()) == {0, 1}


def test_matrix_values(records, themes):
    matrix = case_matrix.case_matrix(records, themes).set_index("case_id")
    assert matrix.loc["gateshead", ["dialogue", "confidence_knowledge", "plans_products", "funding_pressure", "timing"]].tolist() == [1] * 5
    assert matrix.loc["gateshead"].drop("case").sum() == 5
    assert matrix.loc["bristol", "bid"] == 1 and matrix.loc["southwark", "bid"] == 0
    counts = case_matrix.theme_counts(matrix.reset_index(), themes).set_index("theme_id")["cases"]
    assert counts["confidence_knowledge"] == 8
    assert counts["dialogue"] == 5
    assert counts[["partnership", "bid", "culture_change"]].tolist() == [2, 2, 2]


def test_matrix_does_not_change_its_inputs(records, themes):
    before = themes.copy()
    case_matrix.case_matrix(records, themes)
    case_matrix.matrix_table(case_matrix.case_matrix(records, themes), themes)
    pd.testing.assert_frame_equal(themes, before)


def test_matrix_table_totals_row(records, themes):
    table = case_matrix.matrix_table(case_matrix.case_matrix(records, themes), themes)
    totals = table.iloc[-1]
    assert totals["Case"] == "Cases coded"
    assert totals["Confidence and knowledge"] == "8"
    assert table.loc[table["Case"] == "Norfolk", "Bid submitted or won"].item() == "Yes"


def test_a_ninth_record_joins_the_matrix_and_the_pages(raw_copy: Path, themes, tmp_path: Path):
    source = yaml.safe_load((raw_copy / "case_studies" / "norfolk.yml").read_text(encoding="utf-8"))
    source.update(case_id="suffolk", name="Suffolk", place="Suffolk", discrepancies=[],
                  coding=[{"theme": "dialogue", "evidence": "Met commissioners"}])
    (raw_copy / "case_studies" / "suffolk.yml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")

    records = case_records.load_cases(raw_copy)
    assert len(records) == 9
    matrix = case_matrix.case_matrix(records, case_records.coding_frame(raw_copy))
    assert len(matrix) == 9
    suffolk = matrix.set_index("case_id").loc["suffolk"]
    assert suffolk["case"] == "Suffolk" and suffolk["dialogue"] == 1 and suffolk.drop(["case", "dialogue"]).sum() == 0

    pages = case_pages.write_case_pages(records, quotations.load_quotations(raw_copy), themes, tmp_path / "cases", "../nb.ipynb")
    assert len(pages) == 9
    assert any(p.name.endswith("-suffolk.md") for p in pages)
    assert "{doc}`Suffolk <cases/09-suffolk>`" in case_pages.case_links_markdown(records, "cases")
    assert "# Suffolk" in next(p for p in pages if p.name.endswith("-suffolk.md")).read_text(encoding="utf-8")


def test_the_pipeline_reads_every_case_file_by_glob():
    from nptsc_eval.build import load_spec

    run = next(r for r in load_spec().runs if r.id == "04-case-studies")
    assert "data/raw/case_studies/*.yml" in run.inputs
    read = {p.name for p in run.input_files(paths.PROJECT_ROOT)}
    assert {p.name for p in case_records.case_files()} <= read


# ---------------------------------------------------------------------------------------
# Case pages
# ---------------------------------------------------------------------------------------


def test_case_page_renders_the_record_with_glued_numbers(records, themes):
    quotes = quotations.load_quotations()
    gateshead = next(r for r in records if r.case_id == "gateshead")
    page = case_pages.case_page(gateshead, quotes, themes, "../04-case-studies.ipynb")
    assert page.startswith("(gateshead-case)=\n# Gateshead\n")
    assert "{glue}`../04-case-studies.ipynb::case_gateshead_attendees`" in page
    assert "{glue}`../04-case-studies.ipynb::case_gateshead_strand`" in page
    assert "It is a new world... I have learnt much more about it... I know the concepts and ideas now." in page
    for heading in ("Support received", "Outcomes and impacts", "Barriers", "Lessons", "Views on future support",
                    "Where the report differs from itself"):
        assert f"## {heading}" in page
    # No number is written into the prose: counts go through glue.
    prose = re.sub(r"\{glue\}`[^`]*`|```\{raw\} html.*?```", "", page, flags=re.S)
    assert "15" not in prose


# ---------------------------------------------------------------------------------------
# The quotation bank
# ---------------------------------------------------------------------------------------


def test_both_forms_of_commissioner_a_quotation_are_kept_and_flagged():
    variants = quotations.quotation_variants(quotations.load_quotations()).set_index("quote_id")
    a = variants.loc["commissioner_a.starting_point.fig_3_3"]
    assert a["first_text"] == "I can't overstate how useful it was as a starting point."
    assert a["second_text"] == "I can't understate how useful it was as a starting point."
    assert (a["first_location"], a["second_location"], a["difference"]) == ("Figure 3.3", "Appendix 3", "wording")
    assert variants["difference"].value_counts().to_dict() == {"none": 6, "punctuation": 2, "wording": 1}


def test_quotation_cross_references_are_checked(raw_copy: Path):
    path = raw_copy / "quotations.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "themes"] = "confidence_knowledge hope"
    frame.loc[6, "case_id"] = "atlantis"  # a quotation no other row refers to
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as caught:
        quotations.load_quotations(raw_copy)
    assert caught.value.problems == [
        "row 2, column 'themes': 'hope' is not a theme of coding_frame.csv",
        "row 8, column 'case_id': 'atlantis' has no record in case_studies/",
    ]


def test_every_quotation_is_verbatim_in_the_source(source_report_text):
    text = re.sub(r"\s+", " ", source_report_text)
    missing = [q.quote_id for q in quotations.load_quotations().itertuples() if re.sub(r"\s+", " ", q.text) not in text]
    assert missing == []


def test_quotation_bank_html_is_accessible_and_self_contained(records, themes):
    quotes = quotations.load_quotations()
    page = quotations.quotation_bank_html(quotes, themes, records)
    assert '<label for="quotation-bank-filter">' in page and '<select id="quotation-bank-filter">' in page
    assert page.count('<th scope="col">') == 5 and "<caption>" in page
    assert 'role="status"' in page
    assert "src=" not in page and "http" not in page
    # Each quotation once: one row per quotation, however many printings or themes it has.
    distinct = int(quotes["same_as"].isna().sum())
    assert page.count('<q class="qb-quote">') == distinct < len(quotes)
    assert "I can&#x27;t understate how useful" in page


def test_each_quotation_is_listed_once_with_every_place_it_was_printed():
    quotes = quotations.load_quotations()
    bank = quotations.quotation_printings(quotes).set_index("quote_id")
    assert not bank["text"].duplicated().any()
    assert len(bank) == quotes["same_as"].isna().sum()
    a = bank.loc["commissioner_a.starting_point.fig_3_3"]
    assert a["places"] == ["Figure 3.3", "Appendix 3"]
    assert [(d["place"], d["kind"]) for d in a["differences"]] == [("Appendix 3", "wording")]
    assert a["differences"][0]["text"] == "I can't understate how useful it was as a starting point."
    # A quotation printed twice the same way lists both places and no difference.
    same = quotes[quotes["difference"] == "none"].iloc[0]
    row = bank.loc[same["same_as"]]
    assert same["source_location"] in row["places"] and len(row["places"]) == 2 and row["differences"] == []


# ---------------------------------------------------------------------------------------
# Stakeholders
# ---------------------------------------------------------------------------------------


def test_stakeholder_groups_have_the_published_counts():
    people = stakeholders.load_stakeholders()
    assert people.groupby("group").size().to_dict() == {"advisory": 15, "delivery_partners": 14, "governance": 5}
    assert people["name"].nunique() == 29


def test_stakeholder_summary_by_group_and_type():
    summary = stakeholders.stakeholder_summary(stakeholders.load_stakeholders()).set_index("Group")
    assert summary.loc["Governance members"].to_dict() == {
        "Central government": 2, "Local government": 3, "Third sector": 0, "University": 0, "Other": 0, "Total": 5}
    assert summary.loc["Total", "Total"] == 34
    assert summary.loc["Delivery partners", "University"] == 3


def test_a_missing_stakeholder_breaks_the_published_count(raw_copy: Path):
    path = raw_copy / "stakeholders.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["name"] != "Jemma Grieve"]
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"advisory group members: 14 rows but Appendix 1 lists 15"):
        stakeholders.load_stakeholders(raw_copy)


# ---------------------------------------------------------------------------------------
# The built book
# ---------------------------------------------------------------------------------------


@pytest.mark.build
def test_built_chapter_shows_every_case(built_book: Path):
    chapter = (built_book / "book" / "executed" / "04-case-studies.html").read_text(encoding="utf-8")
    records = case_records.load_cases()
    for record in records:
        assert record.name in chapter
        page = built_book / "book" / "executed" / "cases"
        matches = list(page.glob(f"*-{record.case_id}.html"))
        assert len(matches) == 1, record.case_id
        html = matches[0].read_text(encoding="utf-8")
        assert f"<h1>{record.name}" in html
    gateshead = next((built_book / "book" / "executed" / "cases").glob("*-gateshead.html")).read_text(encoding="utf-8")
    # Quotations keep their printed characters (no typographic quotes or ellipses).
    assert "It is a new world... I have learnt much more about it... I know the concepts and ideas now." in gateshead
    assert '<span class="glued">15</span>' in gateshead
    assert f'alt="Grid of {len(records)} case studies by {len(case_records.coding_frame())} themes' in chapter
    assert '<select id="quotation-bank-filter">' in chapter
    assert "Governance members" in chapter


def test_the_data_dictionary_lists_every_field_of_a_case_record():
    readme = (paths.RAW_DIR / "case_studies" / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| (\w+) \|", readme, flags=re.M)
    assert listed[0] == "Field"
    assert listed[1:] == list(case_records.CaseRecord.model_fields)


def test_prose_fields_of_the_records_hold_no_numbers_but_dates_and_names(records):
    prose = [(r.case_id, text) for r in records
             for text in [r.summary, *r.support_received, *r.outcomes, *r.barriers, *r.lessons, *r.future_support]]
    with_digits = [(case, re.findall(r"\S*\d\S*", text)) for case, text in prose if re.search(r"\d", text)]
    # A year, and the name of the charity Catch 22: numbers belong in the records' counts.
    assert with_digits == [("commissioner_a", ["2014,"]), ("bristol", ["22"])]


# ---------------------------------------------------------------------------------------
# Factual slips: what the source says, and only that
# ---------------------------------------------------------------------------------------


def _case(records, case_id):
    return next(r for r in records if r.case_id == case_id)


def test_gateshead_held_two_sessions_and_only_agreed_a_third(records):
    from nptsc_eval.strands import tables as strand_tables

    gateshead = _case(records, "gateshead")
    assert (gateshead.count("sessions_held"), gateshead.count("sessions_agreed")) == (2, 3)
    plans = strand_tables.ivar_action_plans().set_index("local_authority")
    assert plans.at["Gateshead", "sessions"] == 2
    text = " ".join([gateshead.summary, *gateshead.support_received, *gateshead.lessons]).lower()
    assert "does not say" in text and "extended by a further session" not in text


def test_a_form_in_quotation_marks_is_printed_in_the_source(records, source_report_text):
    text = re.sub(r"\s+", " ", source_report_text)
    quoted = [(r.case_id, f.text) for r in records for d in r.discrepancies for f in d.forms if f.printed]
    assert quoted and [q for q in quoted if q[1] not in text] == []


def test_a_date_the_source_never_printed_is_not_in_quotation_marks(records, themes):
    found = case_matrix.discrepancies(records).set_index("discrepancy_id")
    forms = found.at["session_dates", "Forms"]
    assert "“14 January 2010”" in forms
    assert "January 2011, our inference" in forms and "“January 2011" not in forms and "“14 January 2011" not in forms
    page = case_pages.case_page(_case(records, "gateshead"), quotations.load_quotations(), themes, "../x.ipynb")
    assert "“January 2011" not in page and "14 January 2011" not in page


def test_deadweight_is_recorded_as_deadweight_not_as_a_barrier(records, themes):
    b = _case(records, "commissioner_b")
    assert b.barriers == []
    assert any("would have happened anyway" in d for d in b.deadweight)
    page = case_pages.case_page(b, quotations.load_quotations(), themes, "../x.ipynb")
    barriers = page.split("## Barriers")[1].split("##")[0]
    assert "anyway" not in barriers
    assert "## What would have happened anyway" in page


def test_doncaster_says_what_the_source_says(records):
    doncaster = _case(records, "doncaster")
    words = " ".join([doncaster.summary, *doncaster.outcomes, *doncaster.barriers, *doncaster.future_support,
                      *[c.evidence for c in doncaster.coding]]).lower()
    assert "joint bid" not in words
    assert "launched at a joint event" not in words
    assert "supported by a joint event" in words


def test_each_bassac_set_belongs_to_one_project_in_every_table(records):
    from nptsc_eval.strands import tables as strand_tables
    from nptsc_eval.tables import load_table

    sets = strand_tables.action_learning_sets().set_index("set_id")
    followed = {r.case_id: r for r in records if r.action_learning_set}
    assert sorted(followed) == ["bristol", "doncaster", "southwark"]
    for record in followed.values():
        assert record.project_id == sets.at[record.action_learning_set, "project_id"]
    # Table 2.1 credits the project of the sets with all their people and organisations.
    table = load_table("table_2_1_programme_outputs").set_index(["project_id", "measure"])
    for project_id, group in sets.groupby("project_id"):
        assert table.at[(project_id, "participants"), "value"] == group["individuals"].sum()
        assert table.at[(project_id, "organisations"), "value"] == group["organisations"].sum()
    figures = load_table("project_figures")
    doncaster_figures = figures[figures["fact_id"].str.startswith("bassac.doncaster.")]
    assert set(doncaster_figures["project_id"]) == {sets.at["doncaster_brokerage", "project_id"]}


def test_a_case_that_follows_a_set_must_share_its_project(raw_copy):
    path = _edit_case(raw_copy, "doncaster", lambda d: d.update(project_id="bassac_bidding_capacity"))
    with pytest.raises(DataValidationError) as caught:
        case_records.validate_case_file(path)
    assert caught.value.problems == [
        "field 'project_id': 'bassac_bidding_capacity', but Table 5.3 puts the set 'doncaster_brokerage' in project "
        "'bassac_codesign'"]


def test_a_set_moved_to_another_project_breaks_table_2_1(raw_copy):
    from nptsc_eval.strands import tables as strand_tables

    path = raw_copy / "table_5_3_action_learning_sets.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "project_id"] = "bassac_bidding_capacity"
    frame.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match=r"rows 2, column 'project_id': the sets of 'bassac_bidding_capacity' "
                                                  r"engage 6 individuals, but Table 2.1 gives that project no participants"):
        strand_tables.action_learning_sets(raw_copy)


def test_tied_themes_are_all_named_never_one_most_common(records, themes):
    from nptsc_eval import wording

    counts = case_matrix.theme_counts(case_matrix.case_matrix(records, themes), themes)
    barriers = counts[counts["theme_type"] == "barrier"].set_index("theme")["cases"]
    sentence = wording.commonness_sentence(barriers, "barrier", "barriers", "cases")
    # The five barriers are each coded in four cases.
    assert sorted(barriers.tolist()) == [4, 4, 4, 4, 4]
    assert sentence.startswith("All five barriers were equally common, each in four cases: ")
    assert "most common barrier was" not in sentence
    for name in barriers.index:
        assert name.lower() in sentence


def test_the_examples_in_the_case_modules_hold():
    import doctest

    from nptsc_eval import templating

    attempted = 0
    for module in (case_records, case_matrix, quotations, stakeholders, case_pages, templating):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 6
