"""The data sources appendix (``notebooks/06-data-sources.ipynb``): its values, notice and file list.

:func:`load` lists every raw file and reads which survey file the build uses; :func:`glue_facts`
records the appendix's values; the ``show_*`` functions display its notice and table. The
catalogue itself is built in :mod:`nptsc_eval.sources`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nptsc_eval import report, sources, wording
from nptsc_eval.paths import PROJECT_ROOT, processed
from nptsc_eval.survey.exports import load_survey
from nptsc_eval.survey.exports import survey_options as read_options
from nptsc_eval.templating import passage

#: The appendix's passages that depend on the survey file (see :func:`nptsc_eval.templating.passage`).
PASSAGES = "data_sources.md.j2"


@dataclass
class Sources:
    """Every file of ``data/raw/`` and the survey file this build uses."""

    catalogue: pd.DataFrame
    survey_file: Path
    survey_is_synthetic: bool

    @property
    def main_document(self) -> str:
        """The document most files come from (the original report)."""
        return str(self.catalogue.loc[self.catalogue["document"] != "", "document"].mode().iloc[0])


def load(survey_path: str, survey_options: str) -> Sources:
    """List every raw file (writing ``data_sources.csv``) and read whether the build's survey file is synthetic."""
    catalogue = sources.raw_sources()
    catalogue.to_csv(processed("data_sources.csv"), index=False)
    survey_file = Path(survey_path) if Path(survey_path).is_absolute() else PROJECT_ROOT / survey_path
    return Sources(catalogue, survey_file, load_survey(survey_file, **read_options(survey_options)).is_synthetic)


def glue_facts(found: Sources) -> None:
    """Glue the count of raw files of each kind, the licence sentence and what the survey data is."""
    catalogue, count_of = found.catalogue, wording.count  # 'no tables', 'one table', 'two tables', '12 tables'
    kinds = catalogue["kind"].value_counts()
    without_licence = int(((catalogue["licence"] == sources.NOT_RECORDED) & (catalogue["kind"] != "documentation")).sum())
    name = found.survey_file.name
    report.glue("raw_files", len(catalogue))
    report.glue("raw_tables", count_of(int(kinds.get("table", 0)), "table"), kind="text")
    report.glue("raw_metadata", count_of(int(kinds.get("metadata", 0)), "metadata file"), kind="text")
    report.glue("raw_records", count_of(int(kinds.get("records", 0)), "file of structured records", "files of structured records"), kind="text")
    report.glue("raw_documentation", count_of(int(kinds.get("documentation", 0)), "documentation file"), kind="text")
    report.glue("raw_synthetic", count_of(int(catalogue["synthetic"].sum()), "file"), kind="text")
    report.glue("raw_without_licence", wording.licence_sentence(without_licence), kind="text")
    report.glue("source_document", found.main_document, kind="text")
    report.glue("survey_file", name, kind="text")
    report.glue("survey_data_kind", "synthetic respondent data" if found.survey_is_synthetic else "a real survey export", kind="text")
    report.glue("survey_notice", passage(PASSAGES, "survey_note", synthetic=found.survey_is_synthetic, name=name), kind="text")


def show_survey_notice(found: Sources) -> None:
    """Say whether the build's survey data is synthetic or a real export."""
    text = passage(PASSAGES, "survey_notice", synthetic=found.survey_is_synthetic, name=found.survey_file.name)
    report.show_notice(text, kind="warning" if found.survey_is_synthetic else "important")


def files_table(found: Sources) -> pd.DataFrame:
    """Every raw file as shown: locations outside the main document name their document; synthetic files say so."""
    shown = found.catalogue.copy()
    other = (shown["document"] != "") & (shown["document"] != found.main_document)
    shown.loc[other, "location"] = shown.loc[other, "document"] + ": " + shown.loc[other, "location"]
    shown["kind"] = shown["kind"] + shown["synthetic"].map({True: " (synthetic)", False: ""})
    return shown[["file", "kind", "title", "location", "licence"]].rename(columns={
        "file": "File in data/raw", "kind": "Kind", "title": "What it holds", "location": "Where it comes from", "licence": "Licence note"})


def show_files(found: Sources) -> None:
    """Show every file in ``data/raw/`` with its origin and licence note."""
    report.show_table(files_table(found), "Every file in data/raw, with its origin and licence note", "data-sources",
                      source=report.source("the metadata of each file in data/raw (its .meta.yml or its own header)", None,
                                           ["data/raw/", "data/processed/data_sources.csv"]))
