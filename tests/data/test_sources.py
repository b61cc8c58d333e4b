"""The catalogue of data/raw/: every file once, with the origin and licence note it records."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import yaml

from nptsc_eval import paths
from nptsc_eval.sources import NOT_RECORDED, is_synthetic_file, raw_sources


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_raw_file_is_listed_once():
    catalogue = raw_sources()
    files = sorted(p.relative_to(paths.RAW_DIR).as_posix() for p in paths.RAW_DIR.rglob("*") if p.is_file())
    assert catalogue["file"].tolist() == files
    assert catalogue["file"].is_unique


def test_a_table_takes_its_origin_and_licence_from_its_metadata():
    catalogue = raw_sources().set_index("file")
    row = catalogue.loc["table_2_1_programme_outputs.csv"]
    meta_file = yaml.safe_load((paths.RAW_DIR / "table_2_1_programme_outputs.meta.yml").read_text(encoding="utf-8"))
    assert (row["kind"], row["title"], row["licence"]) == ("table", meta_file["title"], meta_file["licence"])
    assert row["location"] == "Table 2.1 (Chapter 2, Overview of the programme)"
    assert row["document"] == meta_file["source"]["document"]
    meta = catalogue.loc["table_2_1_programme_outputs.meta.yml"]
    assert meta["kind"] == "metadata" and meta["licence"] == row["licence"]
    assert catalogue.loc["README.md", "kind"] == "documentation"


def test_the_synthetic_survey_is_flagged_and_nothing_else_by_default():
    catalogue = raw_sources()
    assert catalogue.loc[catalogue["synthetic"], "file"].tolist() == ["survey_responses_synthetic.csv"]
    assert is_synthetic_file(paths.RAW_DIR / "survey_responses_synthetic.csv")
    assert not is_synthetic_file(paths.RAW_DIR / "projects.csv")


def test_missing_provenance_shows_as_missing_and_files_stay_untouched(raw_copy: Path):
    (raw_copy / "notes.yml").write_text("title: Notes without a source\n", encoding="utf-8")
    (raw_copy / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    (raw_copy / "extra.meta.yml").write_text(
        "title: Extra\nsource: {document: Another report, location: Table 9}\nsynthetic: true\nfields: []\n",
        encoding="utf-8")
    before = _digest(raw_copy)
    catalogue = raw_sources(raw_copy).set_index("file")
    assert _digest(raw_copy) == before
    notes = catalogue.loc["notes.yml"]
    assert (notes["kind"], notes["title"], notes["licence"], notes["location"]) == ("records", "Notes without a source", NOT_RECORDED, "")
    extra = catalogue.loc["extra.csv"]
    assert (extra["document"], extra["location"], bool(extra["synthetic"])) == ("Another report", "Table 9", True)
    assert extra["licence"] == NOT_RECORDED
    assert isinstance(raw_sources(raw_copy), pd.DataFrame)
