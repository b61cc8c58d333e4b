"""The data sources appendix's functions (nptsc_eval.sources_chapter), tested without running the notebook."""

from pathlib import Path

import pandas as pd
import pytest

from nptsc_eval import paths, report, sources_chapter


@pytest.fixture
def catalogue():
    return pd.DataFrame({"file": ["a.csv", "b.csv", "c.yml"], "kind": ["table", "table", "records"],
                         "title": ["A", "B", "C"], "location": ["Table 1", "p. 3", "Appendix"],
                         "document": ["Report", "Other paper", "Report"], "licence": ["OGL", "OGL", "OGL"],
                         "synthetic": [False, True, False]})


def test_files_table_names_the_document_only_when_it_is_not_the_main_one(catalogue):
    found = sources_chapter.Sources(catalogue, Path("survey.csv"), True)
    assert found.main_document == "Report"
    shown = sources_chapter.files_table(found).set_index("File in data/raw")
    assert shown.at["a.csv", "Where it comes from"] == "Table 1"
    assert shown.at["b.csv", "Where it comes from"] == "Other paper: p. 3"
    assert shown.at["b.csv", "Kind"] == "table (synthetic)"


@pytest.mark.parametrize("synthetic, kind, words", [(True, "warning", "**Synthetic data.** This build uses synthetic survey data (`x.csv`)"),
                                                     (False, "important", "**Survey export.** This build uses the survey export `x.csv`.")])
def test_survey_notice_says_what_the_survey_data_is(catalogue, monkeypatch, synthetic, kind, words):
    shown = []
    monkeypatch.setattr(report, "show_notice", lambda text, kind="warning", values=None: shown.append((text, kind)))
    sources_chapter.show_survey_notice(sources_chapter.Sources(catalogue, Path("/data/x.csv"), synthetic))
    assert len(shown) == 1 and shown[0][0].startswith(words) and shown[0][1] == kind


def test_a_survey_file_name_is_shown_literally_in_the_notice(catalogue, monkeypatch):
    shown = []
    monkeypatch.setattr(report, "show_notice", lambda text, kind="warning", values=None: shown.append(text))
    sources_chapter.show_survey_notice(sources_chapter.Sources(catalogue, Path("/data/a`{b}<i>.csv"), False))
    assert shown == ["**Survey export.** This build uses the survey export `` a`{b}<i>.csv ``."]


def test_the_build_s_survey_file_is_read_as_synthetic(tmp_path, monkeypatch):
    monkeypatch.setattr(sources_chapter, "processed", lambda name: tmp_path / name)
    found = sources_chapter.load("data/raw/survey_responses_synthetic.csv", "{}")
    assert found.survey_is_synthetic and found.survey_file == paths.PROJECT_ROOT / "data/raw/survey_responses_synthetic.csv"
    assert (tmp_path / "data_sources.csv").is_file()
    assert "survey_responses_synthetic.csv" in set(found.catalogue["file"].map(lambda f: Path(f).name))
