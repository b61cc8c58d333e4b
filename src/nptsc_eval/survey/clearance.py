"""Free-text answers of a real export reach the book only after a person has cleared them.

Automatic redaction (:mod:`nptsc_eval.redact`) removes email addresses, phone numbers and
postcodes, but not names, job titles, places or organisations.  So, as with open-text answers
in official surveys, a person reads every answer before it is published:

1. :func:`write_review_sheet` (``nptsc-eval survey review-text EXPORT``) writes a review sheet:
   one row per non-empty answer, with a stable :func:`~nptsc_eval.survey.analysis.answer_id` (a hash of the export's
   respondent id and the question, never a name or email address), the answer after automatic
   redaction, a hint of :func:`possible_names`, and empty ``decision`` and ``published_text``
   columns for the reviewer;
2. the reviewer fills them in and saves the sheet as the clearance file
   (``<export stem>.clearance.csv`` beside the export, or any file given with
   ``--survey-clearance``);
3. :func:`read_clearance` checks it against the export's answers and returns the text to
   publish for each cleared answer.  Every other answer is withheld and counted.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from nptsc_eval.errors import DataValidationError, PipelineError
from nptsc_eval.problems import Problems

#: The decisions a reviewer can write; an empty decision withholds the answer.
DECISIONS = ("publish", "withhold")
#: The suffix of the clearance file that ``build --survey`` finds beside the export.
CLEARANCE_SUFFIX = ".clearance.csv"
#: The suffix of the review sheet written beside the export by default.
REVIEW_SUFFIX = ".review-text.csv"

#: The review sheet's columns and what each holds (written to the sheet's data dictionary).
REVIEW_FIELDS = {
    "answer_id": "Stable id of the answer: the question and a hash of the export's respondent id. "
                 "It names no person; keep it as it is.",
    "question_id": "The free-text question the answer replies to.",
    "question": "The question's wording.",
    "answer": "The answer after automatic removal of email addresses, phone numbers and postcodes. "
              "Names, job titles, places and organisations are still in it.",
    "possible_names": "Capitalised words that do not start a sentence and are not known programme words. "
                      "A hint only: it misses names written in lower case and flags ordinary words, "
                      "so read every answer.",
    "decision": "Write publish or withhold. An answer left empty is withheld.",
    "published_text": "Optional: the text to publish instead of the answer, shortened or anonymised "
                      "(for example 'a council officer' for a name). Left empty, the answer is published as shown.",
}
REQUIRED_COLUMNS = ("answer_id", "decision", "published_text")

#: Capitalised words of the programme that are not names of people or places.
PROGRAMME_WORDS = frozenset({
    "I", "I'm", "I've", "I'd", "I'll", "OK", "NPTSC", "CIPFA", "SROI", "SROI-UK", "IVAR", "ACEVO", "NAVCA", "bassac",
    "VCS", "VCSE", "PCT", "PCTs", "NHS", "Big", "Society", "National", "Programme", "Third", "Sector", "Commissioning",
    "Compact", "Local", "Government", "LGID", "IDeA",
})

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?:;]['\"’”)\]]*\s*$")


def known_words() -> frozenset[str]:
    """Words :func:`possible_names` does not flag: the programme's own and every capitalised word of the
    answers the source report printed (``survey_free_text_quotations.csv``), which are public."""
    from nptsc_eval.tables import load_table

    quotes = load_table("survey_free_text_quotations")
    return PROGRAMME_WORDS | {w for text in quotes["text"] for w in _WORD.findall(str(text))}


def possible_names(text: str, known: frozenset[str] = PROGRAMME_WORDS) -> list[str]:
    """Capitalised words of ``text`` that do not start a sentence and are not in ``known``: a hint for the reviewer.

    Examples:
        >>> possible_names("We met Jane Smith at Barset council. The CIPFA course helped.")
        ['Jane', 'Smith', 'Barset']
    """
    found: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group()
        before = text[: m.start()].rstrip(" \t\"'‘“(")
        starts_sentence = not before or bool(_SENTENCE_END.search(before)) or before.endswith("\n")
        if word[0].isupper() and not starts_sentence and word not in known and word not in found:
            found.append(word)
    return found


def review_sheet(answers: pd.DataFrame, known: frozenset[str] | None = None) -> pd.DataFrame:
    """The review sheet of a survey's free-text answers (:func:`nptsc_eval.survey.analysis.text_answers`)."""
    known = known_words() if known is None else known
    sheet = pd.DataFrame({
        "answer_id": answers["answer_id"], "question_id": answers["question_id"], "question": answers["question"],
        "answer": answers["answer"],
        "possible_names": ["; ".join(possible_names(str(a), known)) for a in answers["answer"]],
        "decision": "", "published_text": "",
    }, columns=list(REVIEW_FIELDS))
    return sheet.reset_index(drop=True)


def default_review_path(export: Path) -> Path:
    """Where the review sheet goes by default: beside the export, ``<export stem>.review-text.csv``."""
    return export.with_name(export.stem + REVIEW_SUFFIX)


def sibling_clearance(export: Path) -> Path:
    """The clearance file ``build --survey`` looks for beside the export: ``<export stem>.clearance.csv``."""
    return export.with_name(export.stem + CLEARANCE_SUFFIX)


def write_review_sheet(export: Path, out: Path | None = None, raw_dir: Path | None = None,
                       **load_options: object) -> tuple[Path, int]:
    """Write the review sheet of ``export``'s free-text answers to ``out`` (default: beside the export).

    Never inside ``data/raw/`` (``raw_dir``) and never over an existing file: both raise
    :class:`PipelineError`.  Cells are made spreadsheet-safe; a data dictionary of the
    columns is written beside it (``<out stem>.meta.yml``).  Returns the sheet's path and its number of answers.
    """
    from nptsc_eval import safe_text
    from nptsc_eval.paths import RAW_DIR
    from nptsc_eval.survey.analysis import text_answers
    from nptsc_eval.survey.codebook import load_codebook
    from nptsc_eval.survey.exports import load_survey
    import yaml

    export = Path(export)
    out = Path(out) if out is not None else default_review_path(export)
    about = out.with_name(out.stem + ".meta.yml")
    raw = (raw_dir or RAW_DIR).resolve()
    if out.resolve().is_relative_to(raw):
        raise PipelineError(f"{out}: the review sheet holds personal data and is never written inside data/raw/; "
                            "give another --out")
    for path in (out, about):
        if path.exists():
            raise PipelineError(f"{path} already exists and is not overwritten; move it or give another --out")
    cb = load_codebook()
    data = load_survey(export, cb, **load_options)  # type: ignore[arg-type]
    sheet = review_sheet(text_answers(data.frame, cb))
    out.parent.mkdir(parents=True, exist_ok=True)
    safe_text.spreadsheet_safe(sheet).to_csv(out, index=False, encoding="utf-8")
    about.write_text(yaml.safe_dump({
        "title": f"Free-text answers of {export.name} to review before publication",
        "description": "Fill in decision (publish or withhold) and, where needed, published_text; then save the "
                       f"sheet as {sibling_clearance(export).name} beside the export, or give it to the build "
                       "with --survey-clearance. Answers not marked publish are withheld.",
        "fields": [{"name": k, "description": v} for k, v in REVIEW_FIELDS.items()],
    }, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return out, len(sheet)


def _read_sheet(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataValidationError(path, ["clearance file not found"])
    try:
        if path.suffix.lower() == ".xlsx":
            frame = pd.read_excel(path, dtype=str).fillna("")
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataValidationError(path, [f"cannot be read as a CSV or XLSX file ({exc})"]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_clearance(path: Path | str, answers: pd.DataFrame, export_name: str) -> dict[str, str]:
    """The text to publish of each answer the clearance file at ``path`` clears, by answer id.

    ``answers`` are the export's free-text answers (with ``answer_id`` and ``answer``, after
    automatic redaction).  An answer marked ``publish`` gets its ``published_text`` if filled
    (redacted again), else its answer; every other answer is left out.  Raises
    :class:`DataValidationError` naming file, row and column for a missing column, an unknown
    or repeated answer id, or a decision other than publish, withhold or empty; a file none of
    whose ids belong to the export is said to be made for another export.
    """
    from nptsc_eval.redact import redact

    path = Path(path)
    sheet = _read_sheet(path)
    problems = Problems(path)
    missing = [c for c in REQUIRED_COLUMNS if c not in sheet.columns]
    for column in missing:
        problems.add("is missing (the review sheet's columns are needed: answer_id, decision, published_text)",
                     "header row", column)
    problems.raise_if_any()
    texts = dict(zip(answers["answer_id"], answers["answer"]))
    ids = sheet["answer_id"].str.strip()
    if sheet.empty and texts:
        problems.add(f"has no rows, but {export_name} has {len(texts):,} free-text answers: "
                     "write a review sheet for this export and fill it in", column="answer_id")
    if len(sheet) and not ids.isin(list(texts)).any():
        problems.add(f"none of its {len(sheet):,} answer ids is an answer of {export_name}: "
                     "it was made for another export; write a review sheet for this one", column="answer_id")
        problems.raise_if_any()
    cleared: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for i, (aid, decision, published) in enumerate(zip(ids, sheet["decision"], sheet["published_text"])):
        where = f"row {i + 2}"
        if aid not in texts:
            problems.add(f"{aid!r} is not an answer of {export_name}", where, "answer_id")
            continue
        if aid in first_row:
            problems.add(f"{aid!r} is given twice (first in row {first_row[aid]})", where, "answer_id")
            continue
        first_row[aid] = i + 2
        choice = str(decision).strip().lower()
        if choice not in DECISIONS + ("",):
            problems.add(f"{str(decision)!r} is not a decision: write publish or withhold (or leave it empty)",
                         where, "decision")
        elif choice == "publish":
            cleared[aid] = redact(published.strip())[0] if published.strip() else texts[aid]
    problems.raise_if_any()
    return cleared


def withheld_sentence(withheld: int, total: int) -> str:
    """What the chapter says about answers not yet cleared, and where to read how to clear them.

    Examples:
        >>> withheld_sentence(2, 5)
        'Of the five answers, two are withheld until a person has checked them for names and other personal details; the README says how to clear them for publication.'
        >>> withheld_sentence(31, 31)[:36]
        'All 31 answers are withheld until a '
        >>> withheld_sentence(0, 3)
        'A person checked all three answers for names and other personal details before publication.'
    """
    from nptsc_eval.wording import capitalise, count, number, share

    if total == 0:
        return ""
    if withheld == 0:
        return f"A person checked {share(total, total, 'answer')} for names and other personal details before publication."
    verb = "is" if withheld == 1 else "are"
    head = capitalise(share(total, total, "answer")) if withheld == total else \
        f"Of the {count(total, 'answer')}, {number(withheld)}"
    return (f"{head} {verb} withheld until a person has checked them for names and other personal details; "
            "the README says how to clear them for publication.")


def clearance_path(survey_options: str | dict | None) -> Path | None:
    """The clearance file named in the build's ``survey_options`` (JSON), project-relative paths made absolute.

    Examples:
        >>> clearance_path('{"sheet": "2"}') is None
        True
    """
    import json

    from nptsc_eval.paths import PROJECT_ROOT

    if isinstance(survey_options, str):
        raw = json.loads(survey_options) if survey_options.strip() else {}
    else:
        raw = dict(survey_options or {})
    if not raw.get("clearance"):
        return None
    path = Path(raw["clearance"])
    return path if path.is_absolute() else PROJECT_ROOT / path


def published_answers(answers: pd.DataFrame, clearance: Path | None, export_name: str) -> pd.DataFrame:
    """The answers of a real export that may be published: those the clearance file clears, with the
    text to publish in ``answer``; none without a clearance file."""
    cleared = read_clearance(clearance, answers, export_name) if clearance is not None else {}
    published = answers[answers["answer_id"].isin(list(cleared))].copy()
    published["answer"] = published["answer_id"].map(cleared)
    return published
