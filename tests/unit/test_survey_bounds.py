"""Bounds of the survey's percentages over every dataset consistent with the published figures."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from nptsc_eval import paths
from nptsc_eval.errors import DataValidationError
from nptsc_eval.survey import analysis, bounds, findings
from nptsc_eval.survey.codebook import load_codebook
from nptsc_eval.survey.synth import synthesise


@pytest.fixture(scope="module")
def cs():
    return bounds.build()


@pytest.fixture(scope="module")
def synthetic():
    return synthesise()


@pytest.fixture(scope="module")
def table(cs, synthetic):
    return bounds.survey_bounds(cs, synthetic)


def test_every_synthetic_value_lies_within_its_bounds(table):
    assert len(table) > 150
    assert table["synthetic_value"].notna().all()
    assert (table["synthetic_value"] >= table["lower"] - 1e-9).all()
    assert (table["synthetic_value"] <= table["upper"] + 1e-9).all()


def test_at_least_a_quarter_of_quantities_are_not_pinned_down(table):
    assert ((table["upper"] - table["lower"]) > 1e-6).mean() >= 0.25


def test_published_composition_is_pinned_and_organisation_types_are_not(table):
    t = table.set_index("quantity_id")
    assert t.loc["composition.sector.public", ["lower", "upper"]].tolist() == pytest.approx([86.8, 86.8])
    assert t.loc["composition.delivery_partner.CIPFA", ["lower", "upper"]].tolist() == pytest.approx([83.6, 83.6])
    # 11 per cent of 217 public sector respondents, rounded: 23 or 24 of them.
    assert t.loc["composition.organisation_type.Central government", ["lower", "upper"]].tolist() == \
        pytest.approx([100 * 23 / 217, 100 * 24 / 217])


def test_synthetic_values_are_the_percentages_the_chapter_shows(cs, synthetic, table):
    cb = load_codebook()
    dist = analysis.distributions(synthetic, cb)
    dist = dist[dist["percent"].notna()]
    t = table.set_index("quantity_id")
    for r in dist.itertuples():
        group = {"Public sector": "public", "Third sector": "third", "All respondents": "all"}[r.group]
        answer = "chosen" if r.kind == "multi" else r.answer
        assert t.loc[f"{r.column}.{group}.{answer}", "synthetic_value"] == pytest.approx(r.percent)
    paired = analysis.before_after_tests(synthetic, cb).set_index("question_id")
    for qid, r in paired.iterrows():
        q = t[(t["question_id"] == qid) & t.index.str.endswith("rated_higher_after")]
        assert q["synthetic_value"].iloc[0] == pytest.approx(100 * r["higher_after"] / r["n_pairs"])


def test_hand_checkable_case():
    # Only one finding: at least 75 per cent of public sector answers (don't know left out)
    # agree or are neutral. Then at most a quarter disagree, reached with a base of 216.
    checks = [f for f in findings.load_constraints() if f["id"] == "public_practice_positive_or_neutral"]
    cs = bounds.build(constraints=checks)
    q = {x.quantity_id: x for x in bounds.quantities(cs)}
    assert bounds.ratio_bounds(cs, q["ps_practice_improved.public.Disagree"].ratio) == pytest.approx((0.0, 25.0))
    assert bounds.ratio_bounds(cs, q["ps_practice_improved.public.Agree"].ratio) == pytest.approx((0.0, 100.0))
    # A share of those answering both questions: without findings anything from 0 to 100.
    assert bounds.ratio_bounds(cs, q["ps_awareness.public.rated_higher_after"].ratio) == pytest.approx((0.0, 100.0))


def test_joint_table_ties_paired_findings_to_margins(cs):
    # "A few" (at most 20 per cent) rate bidding quality higher after: the joint table is
    # needed to express it, and it caps the share at exactly 20.
    q = {x.quantity_id: x for x in bounds.quantities(cs)}
    lo, hi = bounds.ratio_bounds(cs, q["ts_bid_quality.third.rated_higher_after"].ratio)
    assert hi == pytest.approx(20.0)
    assert lo > 0


def test_conflicting_findings_are_named():
    checks = [dict(f) for f in findings.load_constraints()]
    for f in checks:
        if f["id"] == "expectations_positive":
            f["lower"] = 99.5  # at least 99.5 per cent agree ...
        if f["id"] == "public_practice_positive_or_neutral":
            f["lower"] = 10.0
    checks.append({"id": "expectations_negative", "statement": "Many disagree.", "source_location": "test",
                   "metric": {"type": "share", "columns": ["expectations"], "polarity": ["negative"], "sector": "all"},
                   "lower": 5})  # ... and at least 5 per cent disagree: impossible together
    cs = bounds.build(constraints=checks)
    with pytest.raises(DataValidationError) as err:
        bounds.check_consistent(cs)
    text = str(err.value)
    assert "expectations_positive" in text and "expectations_negative" in text
    assert "public_practice_positive_or_neutral" not in text


# --------------------------------------------------------------------------------------
# Many consistent datasets
# --------------------------------------------------------------------------------------

from nptsc_eval.survey import draw_metrics, robustness  # noqa: E402


def test_count_rules_agree_with_the_findings_module_on_draws(cs, synthetic):
    centre = bounds.counts_from_frame(cs, synthetic)
    parts = robustness.blocks(cs)
    for seed in np.random.SeedSequence(7).spawn(3):
        x = robustness.draw(cs, seed, parts, centre)
        assert all(r.lo - 1e-6 <= bounds.evaluate(r.expr, x) <= r.hi + 1e-6 for r in cs.rows())
        frame = bounds.frame_from_counts(cs, x)
        assert np.array_equal(bounds.counts_from_frame(cs, frame), x)
        expected = findings.evaluate_findings(frame, "draw", cs.cb, cs.checks)
        computed = [draw_metrics.metric_value(cs, f["metric"], x) for f in cs.checks]
        assert computed == pytest.approx(expected["computed"].tolist(), nan_ok=True)
        assert draw_metrics.holds(cs, x).tolist() == expected["satisfied"].tolist()


def test_draws_are_spread_and_do_not_depend_on_the_number_of_processes(cs, synthetic):
    centre = bounds.counts_from_frame(cs, synthetic)
    one = robustness.run_draws(cs, centre, k=40, seed=3, n_jobs=1, pool=4)
    two = robustness.run_draws(cs, centre, k=40, seed=3, n_jobs=2, pool=4)
    assert one.shape == (40, len(cs.checks))
    assert np.array_equal(one, two)
    # The linear findings are constraints: they hold on every draw.
    linear = [j for j, f in enumerate(cs.checks) if f["id"] in cs.findings]
    assert one[:, linear].all()


def test_verdicts_cover_every_finding(cs, synthetic):
    centre = bounds.counts_from_frame(cs, synthetic)
    out = robustness.findings_robustness(cs, centre, k=30, pool=3, n_jobs=1)
    assert out["finding_id"].tolist() == [f["id"] for f in cs.checks]
    assert set(out["verdict"]) <= {"implied", "compatible", "contradicted"}
    v = out.set_index("finding_id")["verdict"]
    # Table 1.1 prints CIPFA's count: its share follows from it.
    assert v["cipfa_share"] == "implied"
    # Without its own finding, the share from central government could be 25 of 217 (11.5 per cent).
    assert v["public_central_government_share"] == "compatible"
    assert (out["draws"] == 30).all()


def test_check_data_names_conflicting_findings_and_exits_1(tmp_path, monkeypatch, capsys):
    import shutil

    from nptsc_eval import cli, paths
    from nptsc_eval.validate_raw import validate_raw_data

    raw = tmp_path / "data" / "raw"
    shutil.copytree(paths.RAW_DIR, raw)
    path = raw / "survey_constraints.yml"
    text = path.read_text(encoding="utf-8")
    # At least 52 per cent agree at each stage and at least 49 per cent are neutral: impossible together.
    text = text.replace("    lower: 45\n    upper: 55\n", "    lower: 52\n    upper: 55\n", 1)
    text = text.replace("    lower: 40\n    upper: 49.9999\n", "    lower: 49\n    upper: 49.9999\n", 1)
    path.write_text(text, encoding="utf-8")
    errors = [str(e) for e in validate_raw_data(raw) if "survey_constraints.yml" in str(e)]
    assert len(errors) == 1
    assert "cannot all hold together" in errors[0], errors[0]
    assert "public_stage_positive." in errors[0] and "public_stage_neutral." in errors[0], errors[0]
    assert "expectations_positive" not in errors[0]
    monkeypatch.chdir(tmp_path)  # the command line checks the project it is run in
    code = cli.main(["check-data"])
    err = capsys.readouterr().err
    assert code == 1
    assert "public_stage_neutral." in err and "Traceback" not in err


def test_a_real_value_outside_its_bounds_is_flagged(cs, synthetic):
    real = synthetic.copy()
    public = (real["sector"] == "Public sector").to_numpy()
    after = np.array(real["ps_awareness_after"].astype(object).to_numpy(), dtype=object, copy=True)
    after[np.flatnonzero(public)[:20]] = "Fair"  # about a tenth rate awareness 'fair': above the 2 per cent allowed
    import pandas as pd

    real["ps_awareness_after"] = pd.Categorical(after, categories=synthetic["ps_awareness_after"].cat.categories)
    out = bounds.survey_bounds(cs, synthetic, real).set_index("quantity_id")
    assert out.loc["ps_awareness_after.public.Fair", "outside_bounds"]
    assert out.loc["ps_awareness_after.public.Fair", "real_value"] > out.loc["ps_awareness_after.public.Fair", "upper"]
    assert not out.loc["ps_stage_improved_planning.public.Agree", "outside_bounds"]


# --------------------------------------------------------------------------------------
# Speed work: the block solver, the shared cache and the Dask path
# --------------------------------------------------------------------------------------


def test_block_solver_gives_the_same_optimum_as_one_programme_of_every_variable(cs):
    # SciPy's milp over all 327 variables at once against the block solver, on a ratio and a count.
    from scipy.optimize import Bounds, milp

    q = {x.quantity_id: x for x in bounds.quantities(cs)}
    con = bounds._matrix(cs.rows(), cs.n)
    for qid in ("ps_awareness_after.public.Fair", "ts_stage_capability_planning.third.Agree"):
        num = q[qid].ratio.num
        c = np.zeros(cs.n)
        for k, v in num.items():
            if k is not None:
                c[k] = -v
        whole = milp(c, constraints=con, integrality=np.ones(cs.n), bounds=Bounds(0, np.asarray(cs.ub, dtype=float)))
        x = bounds.BlockSolver(cs, cs.rows()).minimise(bounds._scaled(num, -1))
        assert bounds.evaluate(num, x) == pytest.approx(-whole.fun)


def test_the_cache_reuses_a_result_and_notices_a_changed_input(tmp_path, monkeypatch, synthetic):
    from nptsc_eval.survey import bounds_cache

    monkeypatch.setenv(bounds_cache.CACHE_ENV, str(tmp_path / "cache"))
    calls = []

    def compute():
        calls.append(1)
        return {"bounds": bounds.survey_bounds(bounds.build(), synthetic)}

    first = bounds_cache.cached(compute, {"synthetic": synthetic}, {"what": "test"})
    second = bounds_cache.cached(compute, {"synthetic": synthetic}, {"what": "test"})
    assert (first["cache_hit"], second["cache_hit"]) == (False, True) and len(calls) == 1
    assert second["bounds"].equals(first["bounds"])
    assert len(list((tmp_path / "cache").glob("survey-bounds-*.pickle"))) == 1
    # Another dataset, another parameter or another raw file: another key.
    changed = synthetic.copy()
    changed.loc[0, "ps_awareness_after"] = "Poor" if changed.loc[0, "ps_awareness_after"] != "Poor" else "Good"
    keys = {bounds_cache.key(paths.RAW_DIR, {"synthetic": synthetic}, {"what": "test"}),
            bounds_cache.key(paths.RAW_DIR, {"synthetic": changed}, {"what": "test"}),
            bounds_cache.key(paths.RAW_DIR, {"synthetic": synthetic}, {"what": "test", "draws": 2})}
    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW_DIR, raw)
    (raw / "survey_constraints.yml").write_text((raw / "survey_constraints.yml").read_text() + "\n# edited\n")
    keys.add(bounds_cache.key(raw, {"synthetic": synthetic}, {"what": "test"}))
    assert len(keys) == 4
    monkeypatch.setenv(bounds_cache.CACHE_ENV, "off")
    assert not bounds_cache.cached(compute, {"synthetic": synthetic}, {"what": "test"})["cache_hit"]
    assert len(calls) == 2


def test_draws_on_a_dask_cluster_give_identical_files(cs, synthetic, tmp_path, monkeypatch):
    from distributed import LocalCluster

    centre = bounds.counts_from_frame(cs, synthetic)
    local = robustness.findings_robustness(cs, centre, k=300, seed=11, pool=12, n_jobs=2, chunk=4)
    local.to_csv(tmp_path / "local.csv", index=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        # As `nptsc-eval build --dask-scheduler ADDRESS` does: the address reaches the draws through the environment.
        monkeypatch.setenv(robustness.SCHEDULER_ENV, cluster.scheduler_address)
        remote = robustness.findings_robustness(cs, centre, k=300, seed=11, pool=12, n_jobs=2, chunk=4)
        ran_on_cluster = any(str(t[0]).startswith("_pool_chunk") for t in cluster.scheduler.transition_log)
    remote.to_csv(tmp_path / "dask.csv", index=False)
    assert ran_on_cluster
    assert (tmp_path / "local.csv").read_bytes() == (tmp_path / "dask.csv").read_bytes()


def test_build_option_passes_the_scheduler_to_the_draws():
    from nptsc_eval import cli

    context = cli.build.make_context("build", ["--dask-scheduler", "tcp://127.0.0.1:8786"])
    assert context.params["dask_scheduler"] == "tcp://127.0.0.1:8786"
    assert robustness.scheduler_address("tcp://h:1") == "tcp://h:1"


def test_many_draws_are_distinct_consistent_datasets(cs, synthetic):
    centre = bounds.counts_from_frame(cs, synthetic)
    solutions = robustness.solve_pool(cs, centre, pool=6, seed=5, n_jobs=1)
    assert len(solutions) == 6
    for x in solutions:
        assert all(r.lo - 1e-6 <= bounds.evaluate(r.expr, x) <= r.hi + 1e-6 for r in cs.rows())
    # Spread: the datasets differ from each other and from the synthetic data's counts.
    assert len({tuple(x) for x in solutions} | {tuple(centre)}) == 7


def test_a_build_with_findings_that_cannot_all_hold_stops_and_keeps_the_old_book(project_copy):
    import os
    import subprocess
    import sys

    root = project_copy
    old_book = root / "_build" / "html" / "index.html"
    old_book.parent.mkdir(parents=True)
    old_book.write_text("<p>the book of the last good build</p>")
    path = root / "data" / "raw" / "survey_constraints.yml"
    text = path.read_text(encoding="utf-8")
    # At least 52 per cent agree at each stage and at least 49 per cent are neutral: impossible together.
    text = text.replace("    lower: 45\n    upper: 55\n", "    lower: 52\n    upper: 55\n", 1)
    text = text.replace("    lower: 40\n    upper: 49.9999\n", "    lower: 49\n    upper: 49.9999\n", 1)
    path.write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "nptsc_eval.cli", "build", "--jobs", "1"], cwd=root,
                            env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "cannot all hold together" in result.stderr
    assert "public_stage_positive." in result.stderr and "public_stage_neutral." in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert old_book.read_text() == "<p>the book of the last good build</p>"
    assert not (root / "book" / "executed").exists() or not list((root / "book" / "executed").glob("*.ipynb"))


def test_survey_charts_and_tables_carry_each_percentage_s_range(synthetic, table):
    from nptsc_eval.survey import charts

    cb = load_codebook()
    dist = charts.attach_ranges(analysis.distributions(synthetic, cb), table)
    valid = dist[dist["percent"].notna()]
    assert valid["range_lower"].notna().all() and valid["range_upper"].notna().all()
    assert (valid["range_lower"] <= valid["percent"] + 1e-9).all() and (valid["percent"] <= valid["range_upper"] + 1e-9).all()
    rows = charts.question_rows(dist, "ps_awareness")
    shown = charts.chart_table(rows)
    t = table.set_index("quantity_id")
    lo, hi = t.loc["ps_awareness_after.public.Fair", ["lower", "upper"]]
    after = shown[shown["Item"] == "After the programme"].iloc[0]
    assert after["Fair"].endswith(charts.range_text(lo, hi)) and "allowed" in after["Fair"]
    assert "range the published report allows" in charts.chart_alt(rows, "q", True)
    support = charts.attach_support_ranges(analysis.support_by_sector(synthetic, cb), table)
    hidden = support[["public_count", "third_count"]] * 0
    hidden.iloc[0, 0] = 1  # a suppressed cell shows [c] and no range
    cells = charts.support_shown(support, hidden.astype(bool), list(support["option"]))
    assert cells.iloc[0]["Public sector"] == "[c]"
    assert "allowed" in cells.iloc[0]["Third sector"]


def test_outside_bounds_message_names_each_value(cs, synthetic, tmp_path):
    from nptsc_eval.survey import bounds_view

    real = synthetic.copy()
    public = np.flatnonzero((real["sector"] == "Public sector").to_numpy())
    after = np.array(real["ps_awareness_after"].astype(object).to_numpy(), dtype=object, copy=True)
    after[public[:20]] = "Fair"
    import pandas as pd

    real["ps_awareness_after"] = pd.Categorical(after, categories=synthetic["ps_awareness_after"].cat.categories)
    bounds.survey_bounds(cs, synthetic, real).to_csv(tmp_path / "b.csv", index=False)
    message = bounds_view.outside_bounds_message(tmp_path / "b.csv")
    assert message.startswith("warning: ")
    assert "ps_awareness_after.public.Fair (Public sector): export" in message
    bounds.survey_bounds(cs, synthetic, synthetic).to_csv(tmp_path / "same.csv", index=False)
    assert bounds_view.outside_bounds_message(tmp_path / "same.csv") is None


@pytest.mark.build
def test_the_built_files_cover_every_percentage_and_every_finding_with_1000_draws(built_book):
    import pandas as pd

    processed = paths.PROJECT_ROOT / "data" / "processed"
    table = pd.read_csv(processed / "survey_bounds.csv")
    verdicts = pd.read_csv(processed / "survey_findings_robustness.csv")
    assert verdicts["finding_id"].tolist() == [f["id"] for f in findings.load_constraints()]
    assert verdicts["verdict"].isin(["implied", "compatible", "contradicted"]).all()
    assert (verdicts["draws"] >= 1000).all()
    # Every percentage the survey chapter shows has its range, and the synthetic value lies inside it.
    dist = pd.read_csv(processed / "survey_distributions.csv")
    dist = dist[dist["percent"].notna()]
    groups = {"Public sector": "public", "Third sector": "third", "All respondents": "all"}
    ids = [f"{c}.{groups[g]}.{'chosen' if k == 'multi' else a}"
           for c, g, a, k in zip(dist["column"], dist["group"], dist["answer"], dist["kind"])]
    assert set(ids) <= set(table["quantity_id"])
    assert ((table["synthetic_value"] >= table["lower"] - 1e-9) & (table["synthetic_value"] <= table["upper"] + 1e-9)).all()
    assert ((table["upper"] - table["lower"]) > 1e-6).mean() >= 0.25
    page = (built_book / "book" / "executed" / "02b-survey-bounds.html").read_text(encoding="utf-8")
    assert "What the published figures prove" in page
    for fid in verdicts["finding_id"]:
        assert fid in page


def test_an_export_of_another_size_is_measured_on_its_own_respondents(cs, synthetic):
    from nptsc_eval.survey import analysis as an

    smaller = synthetic[~synthetic.index.isin(synthetic.index[synthetic["sector"] == "Public sector"][:17])]
    smaller = smaller.reset_index(drop=True)
    out = bounds.survey_bounds(cs, synthetic, smaller).set_index("quantity_id")
    # 200 of 233 respondents are from the public sector: 85.8 per cent, not the published 86.8.
    assert out.loc["composition.sector.public", "real_value"] == pytest.approx(100 * 200 / 233)
    assert out.loc["composition.sector.public", "outside_bounds"]
    dist = an.distributions(smaller, load_codebook())
    row = dist[(dist["column"] == "ps_awareness_after") & (dist["group"] == "Public sector") & (dist["answer"] == "Good")]
    assert out.loc["ps_awareness_after.public.Good", "real_value"] == pytest.approx(row["percent"].iloc[0])


def test_the_composition_table_gives_each_published_range(synthetic, table):
    from nptsc_eval.survey import charts

    comp = analysis.composition(synthetic, load_codebook())
    texts = dict(zip(comp["category"], charts.composition_ranges(comp, table)))
    assert texts["Public sector"] == "allowed only 87%"
    assert texts["Central government"] == "allowed 10.6% to 11.1%"  # 23 or 24 of 217
    assert texts["Third sector organisation"] == ""


def test_paired_shares_and_partner_sector_splits_have_ranges(synthetic, table):
    """The paired tests' three shares and each partner's split by sector are quantities of the bounds."""
    b = table.set_index("quantity_id")
    cb = load_codebook()
    for q in (q for q in cb.questions if q["kind"] == "before_after"):
        shares = [b.loc[f"{q['id']}.{q['asked']}.rated_{w}_after", "synthetic_value"] for w in ("higher", "lower", "same")]
        assert sum(shares) == pytest.approx(100)  # every pair rated higher, lower or the same
    # Of the 33 third sector respondents, at most 33 of CIPFA's 209 can be from the third sector.
    assert b.loc["composition.partner_sector.CIPFA.third", "upper"] == pytest.approx(100 * 33 / 209)
    assert b.loc["composition.partner_sector.CIPFA.public", "lower"] == pytest.approx(100 * 176 / 209)
    assert b.loc["ts_bid_quality.third.rated_lower_after", "upper"] < 100
    paired = analysis.before_after_tests(synthetic, cb).set_index("question_id")
    assert b.loc["ps_awareness.public.rated_lower_after", "synthetic_value"] == pytest.approx(
        100 * paired.loc["ps_awareness", "lower_after"] / paired.loc["ps_awareness", "n_pairs"])


def test_each_headline_share_has_a_range_and_a_pooled_one_the_outer_limits_of_its_questions(cs, table):
    from nptsc_eval.survey.bounds_solver import ratio_bounds

    rows = table.set_index("quantity_id")
    keys = [h["key"] for h in analysis.HEADLINES]
    assert {f"headline.{k}" for k in keys} <= set(rows.index)
    pooled = [q for q in bounds.quantities(cs) if q.quantity_id.startswith("headline.") and q.parts]
    assert {q.quantity_id for q in pooled} == {f"headline.{h['key']}" for h in analysis.HEADLINES if "columns_of" in h}
    for q in pooled:
        limits = [ratio_bounds(cs, part) for part in q.parts]
        assert rows.loc[q.quantity_id, "lower"] == min(lo for lo, _ in limits)
        assert rows.loc[q.quantity_id, "upper"] == max(hi for _, hi in limits)
        assert "outer limits" in rows.loc[q.quantity_id, "description"]
    # The outer limits hold: where the exact programme of a pooled share is small enough to solve, its
    # exact range lies inside them.
    public = next(q for q in pooled if q.quantity_id == "headline.public_stage_positive")
    low, high = ratio_bounds(cs, public.ratio)
    assert rows.loc[public.quantity_id, "lower"] <= low <= high <= rows.loc[public.quantity_id, "upper"]
