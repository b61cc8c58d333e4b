"""The strand chapters: loaders and their checks, logic models, facts, the notebook's runs and the built pages."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from nptsc_eval import kpi, paths, report
from nptsc_eval.strands import logic_model as logic_models
from nptsc_eval.strands import partners, sections
from nptsc_eval.strands import tables as strand_tables
from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.tables import load_table
from nptsc_eval.validate_raw import validate_raw_data
from nptsc_eval.build import glued_text


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --------------------------------------------------------------------------------------
# The strands' own tables and their published totals
# --------------------------------------------------------------------------------------


def test_table_4_2_loads_with_its_five_areas_totalling_102():
    attendees = strand_tables.ivar_attendees()
    assert attendees["local_authority"].tolist() == ["Dacorum", "Gateshead", "York", "Devon", "Staffordshire"]
    assert attendees["attendees"].tolist() == [33, 15, 11, 20, 23]
    assert int(attendees["attendees"].sum()) == 102


def test_table_4_2_total_that_does_not_add_up_names_file_and_column(raw_copy):
    _replace(raw_copy / "table_4_2_ivar_attendees.csv", "Dacorum,33", "Dacorum,34")
    with pytest.raises(DataValidationError) as error:
        strand_tables.ivar_attendees(raw_copy)
    message = str(error.value)
    assert "table_4_2_ivar_attendees.csv" in message
    assert "column 'attendees'" in message
    assert "is 103 but the source publishes 102" in message


def test_table_4_2_total_agrees_with_table_2_1():
    table_2_1 = load_table("table_2_1_programme_outputs")
    ivar = table_2_1.query("project_id == 'ivar_area_support' and measure == 'participants'")["value"].iloc[0]
    assert int(ivar) == int(strand_tables.ivar_attendees()["attendees"].sum()) == 102


def test_table_5_3_loads_seven_sets_totalling_49_individuals_and_36_organisations():
    sets = strand_tables.action_learning_sets()
    assert len(sets) == 7
    assert int(sets["individuals"].sum()) == 49
    assert int(sets["organisations"].sum()) == 36
    assert sets.groupby("approach", sort=False).size().to_dict() == {
        "Community brokerage": 2, "National-local collaboration": 2, "Co-design": 3}
    doncaster = sets.set_index("set_id").loc["doncaster_brokerage"]
    assert (doncaster["individuals"], doncaster["organisations"], bool(doncaster["case_study"])) == (6, 5, True)


@pytest.mark.parametrize(
    "old, new, column, computed, published",
    [
        ("London Borough of Southwark,9,5", "London Borough of Southwark,10,5", "individuals", 50, 49),
        ("London Borough of Southwark,9,5", "London Borough of Southwark,9,6", "organisations", 37, 36),
    ],
)
def test_table_5_3_totals_that_do_not_add_up_name_file_and_column(raw_copy, old, new, column, computed, published):
    _replace(raw_copy / "table_5_3_action_learning_sets.csv", old, new)
    with pytest.raises(DataValidationError) as error:
        strand_tables.action_learning_sets(raw_copy)
    message = str(error.value)
    assert "table_5_3_action_learning_sets.csv" in message
    assert f"column '{column}'" in message
    assert f"is {computed} but the source publishes {published}" in message


def test_table_5_3_sets_per_approach_must_match_its_rows(raw_copy):
    path = raw_copy / "table_5_3_action_learning_sets.csv"
    text = path.read_text(encoding="utf-8").replace("Co-design,3,", "Co-design,4,")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as error:
        strand_tables.action_learning_sets(raw_copy)
    assert "row 6, column 'approach_sets'" in str(error.value)
    assert "'Co-design' prints 4 sets but has 3 rows" in str(error.value)


def test_table_5_3_shown_with_its_total_row():
    table = strand_tables.action_learning_sets_table(strand_tables.action_learning_sets())
    total = table.iloc[-1]
    assert (total["Objective"], total["Individuals"], total["Organisations"], total["Sets using the approach"]) == ("Total", 49, 36, "7")
    assert "Doncaster (case study)" in table["Location"].tolist()


def test_acevo_stages_form_a_funnel_and_the_bids_break_down():
    stages = strand_tables.acevo_stages()
    funnel = stages[stages["funnel"]]
    assert funnel["stage_id"].tolist() == ["supported", "tailored_support", "bids_with_support", "won_business"]
    assert funnel["organisations"].tolist() == [21, 18, 6, 2]
    breakdown = stages[stages["breakdown_of"] == "bids_with_support"]
    assert int(breakdown["organisations"].sum()) == 6
    supported = stages.set_index("stage_id").loc["supported"]
    assert (supported["phase_one"], supported["phase_two"]) == (10, 11)


def test_acevo_breakdown_that_does_not_add_up_names_the_row(raw_copy):
    _replace(raw_copy / "figure_5_2_acevo_outcomes.csv", "appeal,6,Appealed against the process,1,", "appeal,6,Appealed against the process,2,")
    with pytest.raises(DataValidationError) as error:
        strand_tables.acevo_stages(raw_copy)
    message = str(error.value)
    assert "figure_5_2_acevo_outcomes.csv" in message
    assert "row 4, column 'organisations'" in message
    assert "add up to 7, not 6" in message


def test_acevo_phase_split_that_does_not_add_up_names_the_row(raw_copy):
    _replace(raw_copy / "figure_5_2_acevo_outcomes.csv", "true,,10,11,", "true,,10,12,")
    with pytest.raises(DataValidationError) as error:
        strand_tables.acevo_stages(raw_copy)
    assert "row 2, column 'organisations': phase one (10) and phase two (12) add up to 22, not 21" in str(error.value)


def test_bursary_courses_list_six_institutions_while_the_text_says_five():
    courses = strand_tables.bursary_courses()
    assert len(courses) == 6
    assert "Open University" in courses["institution"].tolist()
    stated = load_table("project_figures").set_index("fact_id")
    assert stated.at["bursary.universities_stated", "value"] == 5
    assert any("five universities" in note.lower() for note in load_table_notes("bursary_courses"))


def load_table_notes(name: str) -> tuple[str, ...]:
    from nptsc_eval.tables import table_meta

    return table_meta(name).notes


def test_ivar_action_plans_must_name_areas_of_table_4_2(raw_copy):
    _replace(raw_copy / "ivar_action_plans.csv", "York,true", "Yorkshire,true")
    with pytest.raises(DataValidationError) as error:
        strand_tables.ivar_action_plans(raw_copy)
    assert "row 4, column 'local_authority': 'Yorkshire' is not an area of Table 4.2" in str(error.value)


def test_project_figure_range_needs_its_high_end(raw_copy):
    _replace(raw_copy / "project_figures.csv", "cipfa_training,60,70,range", "cipfa_training,60,,range")
    with pytest.raises(DataValidationError) as error:
        load_table("project_figures", raw_copy)
    assert "row 2, column 'value_high': must be filled when 'qualifier' is 'range'" in str(error.value)


STRAND_TABLES = ("strands", "logic_models", "table_4_2_ivar_attendees", "ivar_action_plans", "bursary_courses",
                 "table_5_3_action_learning_sets", "figure_5_2_acevo_outcomes", "project_figures", "project_findings")


def _strand_messages(raw_dir: Path) -> list[str]:
    """Messages of ``check-data`` about the strand tables (other tables are other chapters' business)."""
    return [str(e) for e in validate_raw_data(raw_dir) if Path(getattr(e, "path", "")).stem in STRAND_TABLES]


def test_check_data_reports_a_broken_strand_total_once(raw_copy):
    _replace(raw_copy / "table_5_3_action_learning_sets.csv", "Plymouth,8,8", "Plymouth,8,9")
    hits = [m for m in _strand_messages(raw_copy) if "table_5_3_action_learning_sets.csv" in m]
    assert len(hits) == 1
    assert "is 37 but the source publishes 36" in hits[0]


def test_check_data_reports_cross_table_problems_before_any_notebook_runs(raw_copy):
    assert _strand_messages(raw_copy) == []
    _replace(raw_copy / "logic_models.csv", "london_trained_2010", "london_trained_2012")
    _replace(raw_copy / "figure_5_2_acevo_outcomes.csv", "appeal,6,Appealed against the process,1,", "appeal,6,Appealed against the process,2,")
    messages = _strand_messages(raw_copy)
    assert len(messages) == 2
    assert "logic_models.csv" in messages[0] and "column 'kpi_ids'" in messages[0]
    assert "figure_5_2_acevo_outcomes.csv" in messages[1] and "add up to 7, not 6" in messages[1]


def test_check_data_leaves_another_tables_problem_to_that_table(raw_copy):
    _replace(raw_copy / "table_4_2_ivar_attendees.csv", "Dacorum,33", "Dacorum,34")
    messages = _strand_messages(raw_copy)
    assert len(messages) == 1
    assert messages[0].startswith(str(raw_copy / "table_4_2_ivar_attendees.csv"))


# --------------------------------------------------------------------------------------
# Logic models
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "strand, expected",
    [
        (1, {"activities": 3, "outputs": 6, "outcomes": 8, "impacts": 2, "long_term_impacts": 1}),
        (2, {"activities": 3, "outputs": 11, "outcomes": 6, "impacts": 1, "long_term_impacts": 0}),
        (3, {"activities": 6, "outputs": 10, "outcomes": 6, "impacts": 4, "long_term_impacts": 3}),
    ],
)
def test_logic_model_counts(strand, expected):
    assert logic_models.logic_model_counts(logic_models.logic_model(strand)) == expected


def test_logic_model_takes_targets_from_kpi_targets():
    model = logic_models.logic_model(1).set_index("text")
    assert model.at["Finance officers trained", "target"] == "100 by Mar 2010; a further 100 by Mar 2011"
    assert model.at["Level 1 participants trained", "label"] == "Level 1 participants trained: 150 by Mar 2010; a further 250 by Mar 2011"
    assert model.at["Tools published nationally", "target"] == ""
    model3 = logic_models.logic_model(3).set_index("text")
    assert model3.at["Organisations helped to prepare tender bids", "target"] == "120–150"


def test_logic_model_target_follows_a_change_in_kpi_targets(raw_copy):
    _replace(raw_copy / "kpi_targets.csv", "Councillors and non-executive directors trained,people,count,2010-03,50,50",
             "Councillors and non-executive directors trained,people,count,2010-03,60,60")
    model = logic_models.logic_model(1, raw_copy).set_index("text")
    assert model.at["Councillors and non-executive directors trained", "target"] == "60 by Mar 2010"


def test_every_kpi_target_is_in_exactly_one_logic_model_box():
    models = logic_models.load_logic_models()
    ids = [k for cell in models["kpi_ids"].dropna() for k in cell.split()]
    assert sorted(ids) == sorted(load_table("kpi_targets")["kpi_id"])


def test_logic_model_with_an_unknown_kpi_names_row_and_column(raw_copy):
    _replace(raw_copy / "logic_models.csv", "london_trained_2010", "london_trained_2012")
    with pytest.raises(DataValidationError) as error:
        logic_models.logic_model(1, raw_copy)
    message = str(error.value)
    assert "logic_models.csv" in message
    assert "row 16, column 'kpi_ids': KPI 'london_trained_2012' is not in kpi_targets.csv" in message
    assert "KPI targets in no output box: london_trained_2010" in message


def test_logic_model_box_in_the_wrong_strand_names_row_and_column(raw_copy):
    _replace(raw_copy / "logic_models.csv", "2,e_learning,outcomes,1,", "3,e_learning,outcomes,1,")
    with pytest.raises(DataValidationError) as error:
        logic_models.load_logic_models(raw_copy)
    assert "column 'strand': project 'e_learning' belongs to strand 2 in projects.csv, not 3" in str(error.value)


def test_impacts_belong_to_the_strand_not_a_project(raw_copy):
    _replace(raw_copy / "logic_models.csv", "1,,impacts,2,", "1,cipfa_training,impacts,2,")
    with pytest.raises(DataValidationError) as error:
        logic_models.load_logic_models(raw_copy)
    assert "column 'project_id': must be empty when 'stage' is 'impacts'" in str(error.value)


def test_logic_model_table_lists_every_box_and_leaves_the_model_unchanged():
    model = logic_models.logic_model(3)
    before = model.copy()
    table = logic_models.logic_model_table(model)
    pd.testing.assert_frame_equal(model, before)
    assert len(table) == len(model)
    assert table["Project"].iloc[-1] == "Whole strand"
    assert (table["What the logic model sets out"].str.endswith("(indirect or long-term)")).sum() == 3
    assert table["Column"].iloc[0] == "Activities" and table["Column"].iloc[1] == "Outputs/KPIs"


def test_logic_model_html_draws_one_diagram_per_project_and_one_box_per_row():
    model = logic_models.logic_model(2)
    html = logic_models.logic_model_html(model, 2)
    projects = model["project_id"].dropna().unique()
    assert html.count('class="lm-project"') == len(projects) == 3
    assert html.count('<li class="lm-box') == len(model)
    # Arrows run only from stage to stage (drawn by the style sheet between the stages of a
    # project), never between single boxes: each project has one flow of stages.
    assert html.count('<ol class="lm-flow">') == len(projects)
    assert html.count('class="lm-stage lm-next"') == len(projects)
    assert "Impacts of strand two as a whole" in html
    for target in model.loc[model["stage"] == "outputs", "target"]:
        if target:
            assert f"Target: {target}" in html
    # Figure 4.1 marks no impact indirect or long-term; Figure 3.1 does, and the diagram says so in words.
    assert "lm-long-term" not in html
    one = logic_models.logic_model_html(logic_models.logic_model(1), 1)
    assert one.count("lm-box lm-long-term") == 1 and "Indirect or long-term" in one


def test_logic_model_html_escapes_its_text():
    model = logic_models.logic_model(1)
    model.loc[0, "text"] = "<script>alert(1)</script>"
    html = logic_models.logic_model_html(model, 1)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_logic_model_alt_text_states_the_numbers():
    alt = logic_models.logic_model_alt_text(logic_models.logic_model(3), 3)
    assert alt.startswith("Logic model of strand three, drawn project by project and read from top to bottom")
    # Counts from one to nine in words, as in running text.
    assert "Activities: six projects" in alt
    assert "10 outputs or KPI targets and six outcomes" in alt
    assert "Indirect or long-term impacts: More third sector organisations commissioned" in alt


# --------------------------------------------------------------------------------------
# KPIs, figures, findings, facts
# --------------------------------------------------------------------------------------


def test_strand_kpis_are_the_programme_attainment_filtered_not_recomputed():
    attainment = kpi.load_kpi_attainment()
    table = partners.strand_kpis(2, attainment)
    expected = kpi.attainment_table(attainment[attainment["strand"] == 2]).drop(columns=["Strand"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected)
    ivar = table[table["Target"] == "People completing the programme"].iloc[0]
    assert (ivar["Output"], ivar["Status"]) == ("102", "not met")
    plans = table[table["Target"] == "Commissioning improvement plans adopted by local strategic bodies"].iloc[0]
    assert (plans["Output"], plans["Status"], plans["Same measure"]) == ("5", "not comparable", "no")
    assert "never says that any was adopted" in plans["How the figure was matched"]
    assert partners.kpi_summary(partners.strand_kpi_rows(2, attainment)) == {
        "targets": 11, "exceeded": 0, "met": 1, "partly_met": 0, "not_met": 1, "not_comparable": 2,
        "not_measurable": 7, "met_or_exceeded": 1, "short_of_target": 1}


def test_project_figures_are_shown_with_their_qualifiers():
    figures = partners.project_figures(3).set_index("fact_id")
    assert figures.at["navca.norfolk.applications", "shown"] == "5"
    assert figures.at["navca.norfolk.initial_fee", "shown"] == "£250"
    assert figures.at["navca.norfolk.largest_bid_value", "shown"] == "more than £1,000,000"
    assert figures.at["navca.gloucestershire.contract_value", "shown"] == "£800,000–£900,000"
    assert set(figures["project_id"]) <= set(logic_models.strand_projects(3)["project_id"])
    assert "cipfa.group_size" not in figures.index


def test_findings_are_grouped_successes_then_challenges_then_lessons():
    findings = partners.strand_findings(2)
    kinds = findings["kind"].tolist()
    assert kinds == sorted(kinds, key=["success", "challenge", "lesson"].index)
    assert set(findings["project_id"]) == {"ivar_area_support", "bursary_scheme", "e_learning"}
    text = partners.findings_markdown(findings)
    assert text.index("### Successes") < text.index("### Challenges") < text.index("### Lessons")
    assert "- **IVAR**: Commissioners and the local voluntary sector agreed an action plan in every area." in text


def test_findings_contain_no_typed_numbers():
    findings = load_table("project_findings")
    typed = findings[findings["finding"].str.contains(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|half)\b", regex=True)
                     & ~findings["finding"].str.contains(r"published in 2010|level one trainees went on to level two|no one knew")]
    assert typed["finding_id"].tolist() == []


def _facts(strand: int) -> dict[str, str]:
    frame = sections.strand_facts(strand).frame()
    assert frame["fact_id"].is_unique
    return dict(zip(frame["fact_id"], frame["value"]))


def test_strand_two_facts():
    facts = _facts(2)
    assert facts["table_4_2.total"] == "102"
    assert facts["table_4_2.dacorum"] == "33"
    assert facts["table_4_2.gateshead"] == facts["ivar.gateshead.attendees_both_sessions"] == "15"
    assert facts["bursary.institutions_listed"] == "6"
    assert facts["bursary.universities_stated"] == "5"
    assert facts["ivar.action_plans_agreed"] == "5"
    assert facts["strand_2.kpi.not_measurable"] == "7"
    assert not any(k.startswith(("table_5_3.", "figure_5_2.", "navca.")) for k in facts)


def test_strand_three_facts():
    facts = _facts(3)
    assert facts["table_5_3.individuals_total"] == "49"
    assert facts["table_5_3.organisations_total"] == "36"
    assert facts["table_5_3.sets"] == "7"
    assert facts["acevo.organisations_supported_phase_one_and_two"] == "21"
    assert facts["figure_5_2.won_business"] == "2"
    assert facts["navca.norfolk.applications"] == "5"
    assert (facts["navca.norfolk.initial_fee"], facts["navca.norfolk.reduced_fee"]) == ("250", "50")
    assert (facts["navca.gloucestershire.contract_value.low"], facts["navca.gloucestershire.contract_value.high"]) == ("800000", "900000")
    assert not any(k.startswith(("table_4_2.", "bursary.", "cipfa.")) for k in facts)


def test_fact_ids_are_unique_across_the_three_strands():
    ids = [fid for s in (1, 2, 3) for fid in sections.strand_facts(s).frame()["fact_id"]]
    assert len(ids) == len(set(ids))


def test_unknown_strand_is_a_clear_error():
    with pytest.raises(ValueError, match=r"strand 4 is not in strands.csv \(known strands: 1, 2, 3\)"):
        logic_models.strand_info(4)


# --------------------------------------------------------------------------------------
# The pipeline: one notebook, three runs, each reading only its own files
# --------------------------------------------------------------------------------------


def _project_copy(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copytree(paths.NOTEBOOKS_DIR, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(paths.PIPELINE_FILE, root / "pipeline.yml")
    return root


def _raw_data_runs(spec) -> list:
    """The strand runs and the programme outputs run: they read raw data only."""
    return [r for r in spec.runs if r.id.startswith(("03-strand-", "01-programme-outputs"))]


def test_pipeline_runs_the_strand_notebook_three_times():
    from nptsc_eval.build import load_spec

    runs = {r.id: r for r in load_spec().runs}
    for n in (1, 2, 3):
        run = runs[f"03-strand-{n}"]
        assert run.notebook.name == "03-strand.ipynb"
        assert run.parameters == {"strand": n}
        assert f"data/processed/facts_strand_{n}.csv" in run.outputs


def test_changing_a_strand_two_file_reruns_only_strand_two(tmp_path):
    from nptsc_eval.build import load_spec
    from nptsc_eval.build.cache import cache_parts, package_hash, why_run

    root = _project_copy(tmp_path)
    pkg = package_hash()
    runs = _raw_data_runs(load_spec(root=root))
    before = {r.id: {"parts": cache_parts(r, root, pkg)} for r in runs}
    _replace(root / "data" / "raw" / "table_4_2_ivar_attendees.csv", "York,11", "York,12")
    reasons = {r.id: why_run(r, cache_parts(r, root, pkg), before[r.id], root, force=False) for r in runs}
    assert reasons["03-strand-2"].startswith("input changed:")
    assert "table_4_2_ivar_attendees.csv" in reasons["03-strand-2"]
    for other in ("03-strand-1", "03-strand-3"):
        assert reasons[other] in (None, "executed notebook missing"), reasons[other]


def test_changing_a_strand_three_file_reruns_only_strand_three(tmp_path):
    from nptsc_eval.build import load_spec
    from nptsc_eval.build.cache import cache_parts, package_hash

    root = _project_copy(tmp_path)
    pkg = package_hash()
    runs = _raw_data_runs(load_spec(root=root))
    before = {r.id: cache_parts(r, root, pkg)["inputs"] for r in runs}
    _replace(root / "data" / "raw" / "table_5_3_action_learning_sets.csv", "London Borough of Southwark | 9 | 5", "London Borough of Southwark | 9 | 5 ")
    after = {r.id: cache_parts(r, root, pkg)["inputs"] for r in runs}
    changed = {rid for rid in before if before[rid] != after[rid]}
    assert {"03-strand-3"} <= changed
    assert not {"03-strand-1", "03-strand-2", "01-programme-outputs"} & changed


# --------------------------------------------------------------------------------------
# The notebook under its other parameter values (nbval covers the default, strand 1)
# --------------------------------------------------------------------------------------


def _glued(nb: dict, key: str) -> str:
    text = glued_text(nb, key)
    if text is None:
        raise KeyError(key)
    return text


def _html_outputs(nb: dict) -> str:
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            for mime in ("text/html", "text/markdown"):
                value = out.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.mark.papermill
@pytest.mark.parametrize("strand", [2, 3])
def test_strand_notebook_runs_for_each_strand(strand, tmp_path, monkeypatch, notebook_in):
    from nptsc_eval.build import execute_notebook

    root = tmp_path / "project"
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    (root / "data" / "processed").mkdir(parents=True)
    monkeypatch.setenv("NPTSC_EVAL_PIPELINE", "1")
    out = tmp_path / f"03-strand-{strand}.ipynb"
    execute_notebook(notebook_in(root, "03-strand.ipynb"), out, {"strand": strand})
    nb = json.loads(out.read_text(encoding="utf-8"))
    title = logic_models.strand_info(strand)["title"]
    assert _glued(nb, "chapter_title") == title
    shown = _html_outputs(nb)
    processed = root / "data" / "processed"
    facts = pd.read_csv(processed / f"facts_strand_{strand}.csv", dtype=str).set_index("fact_id")["value"]
    if strand == 2:
        assert _glued(nb, "table_4_2_total") == "102"
        assert "IVAR attendees by local authority, phase two" in shown
        assert "Source: Table 4.2 in the original report; primary source: Interview with the IVAR project manager." in shown
        assert re.search(r"<td[^>]*>Total</td>\s*<td[^>]*>102</td>", shown)
        assert "Open University" in shown
        assert facts["table_4_2.total"] == "102"
        assert not (processed / "strand_3_action_learning_sets.csv").exists()
    else:
        assert (_glued(nb, "table_5_3_individuals"), _glued(nb, "table_5_3_organisations")) == ("49", "36")
        assert _glued(nb, "acevo_won_share") == "10%"
        assert re.search(r"<td[^>]*>Total</td>.*?<td[^>]*>49</td>\s*<td[^>]*>36</td>", shown, re.S)
        assert "Funnel chart of the organisations ACEVO supported" in json.dumps(nb)
        assert facts["table_5_3.organisations_total"] == "36"
        assert not (processed / "strand_2_ivar_attendees.csv").exists()
    assert (processed / f"strand_{strand}_logic_model.csv").exists()
    assert "Logic model of strand" in json.dumps(nb)
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []


# --------------------------------------------------------------------------------------
# The built book
# --------------------------------------------------------------------------------------


@pytest.mark.build
def test_book_has_three_strand_chapters_with_logic_models(built_book):
    pages = {n: built_book / "book" / "executed" / f"03-strand-{n}.html" for n in (1, 2, 3)}
    for n, page in pages.items():
        html = page.read_text(encoding="utf-8")
        title = logic_models.strand_info(n)["title"]
        number = report.chapter_labels()[f"book/executed/03-strand-{n}"]  # headings carry the chapter's number
        assert re.search(rf"<h1>{number}\. {re.escape(title)}", html), f"chapter {n} has no title {title!r}"
        # The logic model is HTML with real text, described for screen readers by its summary.
        assert re.search(rf'<div class="diagram-body" role="group" aria-labelledby="figure-[^"]+" aria-describedby="figure-[^"]+-summary">'
                         rf'<p class="nptsc-visually-hidden" id="figure-[^"]+-summary">Logic model of strand {logic_models.NUMBER_WORDS[n]}, '
                         "drawn project by project", html)
        assert "<img" not in html.split('class="nptsc-diagram"')[1].split("Download the data")[0]
        assert f"Logic model of strand {logic_models.NUMBER_WORDS[n]}, box by box" in html
        assert f"Output against KPI target, strand {logic_models.NUMBER_WORDS[n]}" in html
        assert "Successes" in html
    two = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", pages[2].read_text(encoding="utf-8")))
    assert "Total 102" in two
    assert "Courses the bursary scheme paid for" in two
    three_html = pages[3].read_text(encoding="utf-8")
    three = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", three_html))
    assert re.search(r"Total\s+7\s+49\s+36", three)
    assert '<img alt="Funnel chart of the organisations ACEVO supported with tendering' in three_html
    one = pages[1].read_text(encoding="utf-8")
    assert "Table 4.2" not in one and "Funnel chart" not in one
    front = (built_book / "book" / "executed" / "01-programme-outputs.html").read_text(encoding="utf-8")
    for n in (1, 2, 3):
        assert f'03-strand-{n}.html' in front  # in the navigation


def test_the_examples_in_the_modules_hold():
    import doctest

    attempted = 0
    for module in (logic_models, partners, strand_tables, sections):
        result = doctest.testmod(module)
        assert result.failed == 0, module.__name__
        attempted += result.attempted
    assert attempted >= 8


def test_the_strand_text_names_what_is_not_comparable_and_the_two_readings():
    attainment = kpi.load_kpi_attainment()
    two = partners.not_comparable_sentence(partners.strand_kpi_rows(2, attainment))
    assert two.startswith("For two targets the report gives a figure that measures something else")
    assert "IVAR, commissioning improvement plans adopted" in two and "Five universities, bursaries awarded" in two
    assert partners.not_comparable_sentence(partners.strand_kpi_rows(1, attainment)) == ""
    assert "CIPFA's" in partners.two_readings_sentence(partners.strand_kpi_rows(1, attainment))
    assert partners.two_readings_sentence(partners.strand_kpi_rows(3, attainment)) == ""


def test_each_strand_has_its_own_introduction_in_markdown():
    intros = {s: sections.introduction(s) for s in (1, 2, 3)}
    assert len(set(intros.values())) == 3
    for s, text in intros.items():
        assert "{glue}`project_count`" in text, s  # numbers come from glue, not typed
        assert not re.search(r"\d", re.sub(r"\{glue\}`[^`]+`", "", text)), s


def test_a_strand_without_an_introduction_is_named(tmp_path):
    with pytest.raises(PipelineError, match=r"strand-4\.md: .*no introduction for strand 4"):
        sections.introduction(4, folder=tmp_path)


def test_two_readings_name_every_partner_with_a_plural_target():
    rows = pd.DataFrame({"alternative_reading": ["x", "y"], "delivery_partner": ["CIPFA", "IVAR"]})
    assert partners.two_readings_sentence(rows).startswith("The source allows two readings of CIPFA's and IVAR's targets:")


def test_the_strand_notebook_keeps_its_prose_in_markdown_files():
    nb = json.loads((paths.NOTEBOOKS_DIR / "03-strand.ipynb").read_text(encoding="utf-8"))
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert not [c for c in code if re.search(r"Markdown\(\s*[frbu]*[\"']|[\"'][A-Z][a-z]+ [a-z]+ [a-z]+", c)], "prose in a Python string"
    names = [name for listed in sections.EXTRA_SECTIONS.values() for name in listed]
    assert len(names) >= 5
    for name in names:
        assert sections.text(name).startswith("### "), name
