"""Provenance: every glued value and figure traced to its run, parameters and inputs."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from nptsc_eval import paths
from nptsc_eval.provenance import (ITEM_COLUMNS, inputs_hash, notebook_items, provenance_frames, provenance_page,
                                   write_provenance)

# The smallest valid PNG headers differ only in their size bytes; two distinct images.
PNG_A = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x02\x00\x00\x00\x03").decode()
PNG_B = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x04\x00\x00\x00\x05").decode()


def _glue(name: str, text: str) -> dict:
    prefix = "application/papermill.record/"
    return {"output_type": "display_data", "metadata": {"scrapbook": {"name": name, "mime_prefix": prefix}},
            "data": {prefix + "text/plain": text, prefix + "text/html": f'<span class="glued">{text}</span>'}}


def _figure(png: str, alt: str, kind: str = "display_data") -> dict:
    return {"output_type": kind, "metadata": {"image/png": {"alt": alt}}, "data": {"image/png": png, "text/plain": "Figure"}}


def _notebook(path: Path, cells: list[list[dict]]) -> Path:
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": outs} for outs in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_values_and_figures_are_read_in_order_and_a_repeated_image_counts_once(tmp_path: Path):
    nb = _notebook(tmp_path / "run.ipynb", [
        [_glue("total", "1,460"), _glue("status", "met")],
        [_figure(PNG_A, "Bar chart of outputs"), _figure(PNG_A, "Bar chart of outputs", "execute_result")],
        [_figure(PNG_B, "Second chart of targets")],
    ])
    items = notebook_items(nb)
    assert [(i["kind"], i["name"], i["value"]) for i in items] == [
        ("value", "total", "1,460"), ("value", "status", "met"),
        ("figure", "Figure 1", "Bar chart of outputs"), ("figure", "Figure 2", "Second chart of targets")]
    assert items[2]["content_sha256"] == hashlib.sha256(base64.b64decode(PNG_A)).hexdigest()


def test_the_inputs_hash_depends_on_paths_and_contents_not_order():
    assert inputs_hash({"a.csv": "1", "b.csv": "2"}) == inputs_hash({"b.csv": "2", "a.csv": "1"})
    assert inputs_hash({"a.csv": "1"}) != inputs_hash({"a.csv": "2"})
    assert inputs_hash({"a.csv": "1"}) != inputs_hash({"c.csv": "1"})


def _spec_and_state(root: Path):
    raw = root / "data" / "raw"
    raw.mkdir(parents=True)
    (raw / "answers.csv").write_text("x\n1\n", encoding="utf-8")
    (raw / "answers.meta.yml").write_text("title: Answers\nsynthetic: true\n", encoding="utf-8")
    (raw / "targets.csv").write_text("x\n2\n", encoding="utf-8")
    executed = root / "book" / "executed"
    survey = SimpleNamespace(id="survey", notebook=root / "notebooks" / "survey.ipynb", parameters={"path": "answers.csv"},
                             executed=_notebook(executed / "survey.ipynb", [[_glue("share", "56%")]]), depends_on=set())
    outputs = SimpleNamespace(id="outputs", notebook=root / "notebooks" / "outputs.ipynb", parameters={"cut": 0.75},
                              executed=_notebook(executed / "outputs.ipynb", [[_glue("met", "6")], [_figure(PNG_A, "A chart")]]),
                              depends_on=set())
    audit = SimpleNamespace(id="audit", notebook=root / "notebooks" / "audit.ipynb", parameters={},
                            executed=_notebook(executed / "audit.ipynb", [[_glue("verdicts", "12")]]),
                            depends_on={"survey", "outputs"})
    never = SimpleNamespace(id="never", notebook=root / "notebooks" / "never.ipynb", parameters={},
                            executed=executed / "never.ipynb", depends_on=set())
    spec = SimpleNamespace(runs=[audit, survey, outputs, never])
    state = {
        "survey": {"parts": {"code": "c1", "package": "p", "inputs": {"data/raw/answers.csv": "h1"}}},
        "outputs": {"parts": {"code": "c2", "package": "p", "inputs": {"data/raw/targets.csv": "h2"}}},
        "audit": {"parts": {"code": "c3", "package": "p", "inputs": {"data/processed/facts.csv": "h3"}}},
    }
    return spec, state


def test_each_item_carries_its_run_parameters_and_inputs_hash(tmp_path: Path):
    spec, state = _spec_and_state(tmp_path)
    items, runs = provenance_frames(spec, tmp_path, state)
    assert list(items.columns) == ITEM_COLUMNS
    assert runs["run_id"].tolist() == ["audit", "survey", "outputs"]  # "never" has no record
    met = items.set_index("name").loc["met"]
    assert (met["run_id"], met["value"], met["parameters"], met["code_sha256"]) == ("outputs", "6", '{"cut": 0.75}', "c2")
    assert met["inputs_sha256"] == inputs_hash({"data/raw/targets.csv": "h2"})
    assert items.set_index("name").loc["Figure 1", "kind"] == "figure"


def test_synthetic_inputs_are_traced_through_the_runs_that_read_their_results(tmp_path: Path):
    spec, state = _spec_and_state(tmp_path)
    _, runs = provenance_frames(spec, tmp_path, state)
    synthetic = runs.set_index("run_id")["synthetic_inputs"]
    assert synthetic.to_dict() == {"audit": "data/raw/answers.csv", "survey": "data/raw/answers.csv", "outputs": ""}
    page = provenance_page(*provenance_frames(spec, tmp_path, state))
    assert ":::{warning}" in page and "`audit`, `survey`" in page
    clean = provenance_page(*provenance_frames(SimpleNamespace(runs=[spec.runs[2]]), tmp_path, state))
    assert ":::{warning}" not in clean


def test_the_page_is_a_set_of_tables_with_header_rows_and_escaped_cells():
    row = dict.fromkeys(ITEM_COLUMNS, "") | {"run_id": "r", "kind": "value", "name": "odd_key", "value": "a | b `c`"}
    items = pd.DataFrame([row], columns=ITEM_COLUMNS)
    runs = pd.DataFrame([{"run_id": "r", "notebook": "notebooks/r.ipynb", "parameters": "{}", "input_files": 1,
                          "inputs_sha256": "f" * 64, "code_sha256": "e" * 64, "package_sha256": "", "synthetic_inputs": ""}])
    page = provenance_page(items, runs)
    assert page.splitlines()[1] == "# Appendix E: where each number comes from"
    assert "| Kind | Name | Shown as |" in page and "| value | odd\\_key | a \\| b \\`c\\` |" in page
    assert "| r | notebooks/r.ipynb | \\{\\} | 1 | ffffffffffff | eeeeeeeeeeee |" in page
    assert re.findall(r"^#+ ", page, re.M) == ["# ", "## ", "## "]


def test_writing_twice_leaves_the_page_untouched(tmp_path: Path):
    spec, state = _spec_and_state(tmp_path)
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "pipeline-state.json").write_text(json.dumps(state), encoding="utf-8")
    page = write_provenance(spec, tmp_path)
    stamp = page.stat().st_mtime_ns
    assert write_provenance(spec, tmp_path) == page and page.stat().st_mtime_ns == stamp
    record = pd.read_csv(tmp_path / "data" / "processed" / "provenance.csv")
    assert sorted(record["name"]) == ["Figure 1", "met", "share", "verdicts"]


@pytest.mark.build
def test_the_built_book_traces_every_glued_value_and_figure(built_book: Path):
    from nptsc_eval.pipeline import load_spec

    record = pd.read_csv(paths.PROCESSED_DIR / "provenance.csv", dtype=str, keep_default_na=False)
    for run in load_spec().runs:
        expected = {(i["kind"], i["name"]) for i in notebook_items(run.executed)}
        found = set(zip(record.loc[record["run_id"] == run.id, "kind"], record.loc[record["run_id"] == run.id, "name"]))
        assert expected and expected == found, run.id
    page = (built_book / "book" / "executed" / "provenance.html").read_text(encoding="utf-8")
    assert "participants_total" in page and "<th" in page
    # The survey file's table, the runs table, and one table per run.
    assert page.count("<table") == 2 + record["run_id"].nunique()
    assert "survey_responses_synthetic.csv" in page and "250 complete responses" in page


@pytest.mark.build
def test_the_data_sources_appendix_lists_every_raw_file(built_book: Path):
    from nptsc_eval.sources import raw_sources

    page = (built_book / "book" / "executed" / "06-data-sources.html").read_text(encoding="utf-8")
    for name in raw_sources()["file"]:
        assert f">{name}<" in page, name
