"""How to cite: the repository's CITATION.cff, the book's author line and the landing page."""

from __future__ import annotations

import tomllib

import pytest
import yaml

from nptsc_eval import paths

ROOT = paths.PROJECT_ROOT
SOURCE_TITLE = "National Programme for Third Sector Commissioning: Impact evaluation"


def test_citation_file_cites_the_source_report_and_this_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    source = cff["preferred-citation"]
    assert source["title"] == SOURCE_TITLE
    assert source["authors"] == [{"name": "Consulting Inplace"}]
    assert source["institution"]["name"] == "LG Improvement and Development"
    assert source["publisher"]["name"] == "Local Government Group"
    assert (source["year"], source["month"]) == (2011, 7)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == project["version"]


def test_the_book_author_is_the_edition_not_the_package():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["author"] != "nptsc-eval" and "nptsc" not in config["author"].lower()
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert config["author"].lower() == cff["authors"][0]["name"].lower()


@pytest.mark.build
def test_the_landing_page_cites_the_report_and_says_how_to_cite_the_edition(built_book):
    import re

    text = " ".join(re.sub(r"<[^>]+>", " ", (built_book / "book" / "index.html").read_text(encoding="utf-8")).split())
    assert f"Consulting Inplace (July 2011). {SOURCE_TITLE} . Report for LG Improvement and Development." in text
    assert "How to cite this edition" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert f"version {project['version']}" in text
    assert "By the editors of the reproducible edition" in text
