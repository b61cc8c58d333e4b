"""The survey chapter's data: the survey it reads and every table computed from it once (:func:`load`).

Used by :mod:`nptsc_eval.survey_chapter`, whose functions the notebook ``notebooks/02-survey.ipynb`` calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nptsc_eval import report
from nptsc_eval.paths import NOTEBOOKS_DIR, PROJECT_ROOT, RAW_DIR, processed
from nptsc_eval.survey import analysis, charts, robustness
from nptsc_eval.survey.clearance import clearance_path, published_answers
from nptsc_eval.survey.codebook import Codebook, load_codebook
from nptsc_eval.survey.exports import SurveyData, load_survey
from nptsc_eval.survey.exports import survey_options as read_options
from nptsc_eval.survey.findings import evaluate_findings

SYNTHETIC_FILE = "survey_responses_synthetic.csv"

@dataclass
class Chapter:
    """The survey the chapter reads and every table it computes from it (see :func:`load`)."""

    path: Path
    survey: SurveyData
    cb: Codebook
    dist: pd.DataFrame
    composition: pd.DataFrame
    paired: pd.DataFrame
    by_sector: pd.DataFrame
    support: pd.DataFrame
    answers: pd.DataFrame
    themes: pd.DataFrame
    findings: pd.DataFrame
    bounds: pd.DataFrame
    #: The source's published survey findings, which chart titles quote (:func:`charts.published_findings`).
    titles: dict[str, str]
    #: The free-text answers that may be published: all of the synthetic data's (the source's own
    #: quotations); of a real export, only those a person cleared (:mod:`nptsc_eval.survey.clearance`).
    published: pd.DataFrame | None = None
    #: The clearance file's name, when one was given with a real export.
    clearance_name: str | None = None

    @property
    def withheld(self) -> int:
        """Free-text answers not cleared for publication."""
        return len(self.answers) - len(self.answers if self.published is None else self.published)

    @property
    def synthetic(self) -> bool:
        return bool(self.survey.is_synthetic)

    @property
    def frame(self) -> pd.DataFrame:
        return self.survey.frame

    @property
    def source_name(self) -> str:
        return self.path.name

    @property
    def source(self) -> str:
        """The source line of every survey table and chart."""
        return charts.survey_source(self.synthetic, self.source_name)

    def caption(self, text: str) -> str:
        return charts.caption(text, self.synthetic)

    @property
    def comp(self) -> pd.DataFrame:
        return self.composition.set_index(["dimension", "category"])

    def share(self, columns: list[str], polarity: list[str] | None, sector: str, base: str = "valid",
              levels: list[str] | None = None) -> float:
        """The percentage of :func:`analysis.share` (the chart's base unless ``base="all"``)."""
        return analysis.share(self.frame, self.cb, columns, polarity, sector, base, levels)[0]

    def columns(self, question_id: str) -> list[str]:
        return [c.id for c in self.cb.question_columns(question_id)]


def text(name: str, folder: Path | None = None) -> str:
    """The Markdown of ``notebooks/survey/<name>.md``: prose the chapter shows from code (a notice).

    A project folder made for a test may hold data and one notebook only: the package's own text is used then.
    """
    from nptsc_eval.errors import PipelineError
    from nptsc_eval.project import SOURCE_ROOT

    path = (folder or NOTEBOOKS_DIR / "survey") / f"{name}.md"
    if folder is None and not path.is_file():
        path = SOURCE_ROOT / "notebooks" / "survey" / f"{name}.md"
    if not path.is_file():
        raise PipelineError(f"{path}: no such text for the survey chapter; write it, or correct the name")
    return path.read_text(encoding="utf-8").strip()


def load(survey_path: str, survey_options: str | dict | None = "{}") -> Chapter:
    """Read the survey, compute the chapter's tables, write its processed files and attach to each
    percentage the range the published report allows (``survey_bounds.csv``, from the shared cache).

    Sets the notebook's evidence class (synthetic or real survey) and chapter number.
    """
    path = Path(survey_path) if Path(survey_path).is_absolute() else PROJECT_ROOT / survey_path
    survey = load_survey(path, **read_options(survey_options))
    # Every value glued from here on rests on the respondent data: synthetic, or a real export.
    report.set_evidence("synthetic" if survey.is_synthetic else "real_survey")
    report.set_chapter("02-survey")
    cb = load_codebook()
    frame = survey.frame
    synthetic_path = RAW_DIR / SYNTHETIC_FILE
    # The synthetic data is read once: it is the survey itself unless an export was given.
    synthetic_frame = frame if survey.is_synthetic and path.resolve() == synthetic_path.resolve() else \
        load_survey(synthetic_path).frame
    answers = analysis.free_text_answers(frame, cb)
    paired = analysis.before_after_tests(frame, cb)
    ch = Chapter(path=path, survey=survey, cb=cb, dist=analysis.distributions(frame, cb),
                 composition=analysis.composition(frame, cb), paired=paired, by_sector=analysis.sector_tests(frame, cb),
                 support=analysis.support_by_sector(frame, cb), answers=answers, themes=analysis.theme_counts(answers, cb),
                 findings=evaluate_findings(frame, survey.data_kind, cb),
                 bounds=robustness.cached_bounds(None if survey.is_synthetic else frame, synthetic_frame),
                 titles=charts.published_findings())
    if not survey.is_synthetic:
        clearance = clearance_path(survey_options)
        ch.published = published_answers(answers, clearance, survey.name)
        ch.clearance_name = clearance.name if clearance is not None else None
    for name, table in (("composition", ch.composition), ("distributions", ch.dist), ("findings", ch.findings),
                        ("tests_paired", ch.paired), ("tests_sector", ch.by_sector), ("support", ch.support),
                        ("free_text_themes", ch.themes)):
        table.to_csv(processed(f"survey_{name}.csv"), index=False)
    ch.dist = charts.attach_ranges(ch.dist, ch.bounds)
    ch.support = charts.attach_support_ranges(ch.support, ch.bounds)
    return ch
