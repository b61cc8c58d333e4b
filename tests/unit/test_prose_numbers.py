"""No number is typed by hand into the book's prose: every one comes from a glued value.

The scan covers every Markdown page in ``book/`` and the Markdown cells of every notebook in
``notebooks/``.  A digit is allowed only

* inside a role (``{glue}`key```, ``{numref}`…```), a code span or a literal code block;
* in a link's target, a bare address, a label or a directive's options;
* in a date ("14 January 2010", "March 2011", "2011", "2010-11-30");
* in the number of a table, figure, chapter, appendix, section, part or strand of the
  report ("Table 2.1", "Figures 3.1, 4.1 and 5.1", "chapters 3 to 5");
* as the marker of a numbered list, or in the name of a standard (WCAG 2.2).

Anything else is reported with its file, line and the text around it.
"""

from __future__ import annotations

import json
import re

import pytest

from nptsc_eval import paths

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
NUMBER = r"\d+(?:\.\d+)*"
ALLOWED = [
    # Dates: day month year, month year, ISO dates, years (alone or in a range).
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\.?(?:\s+\d{{4}})?\b",
    rf"\b(?:{MONTHS})\.?\s+\d{{1,2}},?\s+\d{{4}}\b",
    rf"\b(?:{MONTHS})\.?\s+\d{{4}}\b",
    r"\b\d{4}-\d{2}(?:-\d{2})?\b",
    r"\b(?:19|20)\d{2}\b",
    # The numbers of the report's parts: "Table 2.1", "Figures 3.1, 4.1 and 5.1", "chapters 3 to 5".
    rf"\b(?:tables?|figures?|fig\.|chapters?|appendix|appendices|sections?|parts?|strands?)\s+{NUMBER}"
    rf"(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s+to\s+|\s*[–-]\s*){NUMBER})*",
    # Names of standards.
    r"\bWCAG\s+2(?:\.\d)?\b",
]
ALLOWED_RE = re.compile("|".join(f"(?:{p})" for p in ALLOWED), re.IGNORECASE)

ROLE_OR_CODE = re.compile(r"(?:\{[\w:.-]+\})?(`+)(?:(?!\1).)+?\1")
LINK_TARGET = re.compile(r"\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^>]+>|https?://\S+|\bwww\.\S+")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
FOOTNOTE = re.compile(r"\[\^[^\]]+\]")
LIST_MARKER = re.compile(r"^\s*\d+[.)]\s")
FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(.*)$")
#: Fenced blocks whose content is code or data, never prose.
LITERAL_DIRECTIVES = {"code", "code-block", "code-cell", "sourcecode", "literalinclude", "csv-table",
                      "list-table", "math", "raw", "mermaid", "glue:figure", "glue:math", "glue:any"}


def hand_typed_numbers(text: str) -> list[tuple[int, str]]:
    """(line number, snippet) of every digit in ``text`` that no rule allows.

    Examples:
        >>> hand_typed_numbers("Reached {glue}`n` people in Table 2.1 by March 2011.")
        []
        >>> hand_typed_numbers("Reached 1,460 people.")
        [(1, 'Reached 1,460 people.')]
    """
    problems: list[tuple[int, str]] = []
    fence: str | None = None  # the closing fence of a literal block being skipped
    in_options = False
    # Comments are blanked out, keeping their line breaks so line numbers stay right.
    lines = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S).splitlines()
    in_front_matter = bool(lines) and lines[0].strip() == "---"
    for number, line in enumerate(lines, start=1):
        if in_front_matter:
            if number > 1 and line.strip() == "---":
                in_front_matter = False
            continue
        if fence is not None:
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
            continue
        opening = FENCE.match(line)
        if opening:
            marks, info = opening.groups()
            directive = re.match(r"\{([\w:.-]+)\}", info)
            if directive is None and marks[0] != ":":
                fence = marks  # a literal code block (``` or ```python)
            elif directive is not None and directive.group(1) in LITERAL_DIRECTIVES:
                fence = marks  # a directive whose body is code or data
            else:
                in_options = True  # a directive whose body is prose: skip its arguments and options
            continue
        if in_options:
            if re.match(r"^\s*:[\w-]+:", line):
                continue
            in_options = False
        if re.match(r"^\s*\([\w:.-]+\)=\s*$", line) or re.match(r"^\s*\[[^\]]+\]:\s*\S+", line):
            continue  # a label or a link reference definition
        prose = LIST_MARKER.sub(" ", line)
        for pattern in (ROLE_OR_CODE, LINK_TARGET, AUTOLINK, HTML_TAG, FOOTNOTE):
            prose = pattern.sub(" ", prose)
        prose = ALLOWED_RE.sub(" ", prose)
        if re.search(r"\d", prose):
            problems.append((number, line.strip()))
    return problems


def prose_sources() -> list[tuple[str, str]]:
    """(where, Markdown) for every page of ``book/``, every Markdown cell of ``notebooks/`` and
    every Markdown file a notebook shows (``notebooks/strands/*.md``)."""
    sources = []
    for page in sorted(paths.BOOK_DIR.rglob("*.md")):
        if "executed" in page.relative_to(paths.BOOK_DIR).parts:
            continue
        sources.append((paths.relative(page), page.read_text(encoding="utf-8")))
    for page in sorted(paths.NOTEBOOKS_DIR.rglob("*.md")):
        sources.append((paths.relative(page), page.read_text(encoding="utf-8")))
    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        for index, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "markdown":
                source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                sources.append((f"{paths.relative(notebook)} cell {index}", source))
    return sources


def test_no_number_is_typed_by_hand_into_the_prose():
    sources = prose_sources()
    assert any(where.endswith(".md") for where, _ in sources), "no Markdown page found to scan"
    problems = [f"{where}, line {line}: {snippet}" for where, text in sources
                for line, snippet in hand_typed_numbers(text)]
    assert not problems, (f"{len(problems)} numbers typed by hand (glue them from a notebook):\n  "
                          + "\n  ".join(problems))


@pytest.mark.parametrize("text", [
    "The programme reached {glue}`executed/01-programme-outputs.ipynb::participants_total` people.",
    "Table 2.1 and Figures 3.1, 4.1 and 5.1 of the report; chapters 3 to 5; Appendix 2.",
    "The survey ran from December 2010 to January 2011; a workshop on 14 January 2010.",
    "See [the outputs chapter](executed/01-programme-outputs.ipynb) or <https://www.gov.uk/x1>.",
    "Run `make report` or `nptsc-eval build --jobs 2`.",
    "1. First step\n2. Second step",
    "```bash\nmake report JOBS=2\n```",
    ":::{note}\n:name: note-1\nA note about {glue}`n` things.\n:::",
    "(sec-2)=\n## Heading",
    "It meets WCAG 2.2 at level AA.",
    "<!-- 42 in a comment -->",
])
def test_allowed_digits_are_not_reported(text: str):
    assert hand_typed_numbers(text) == []


@pytest.mark.parametrize("text, line", [
    ("The programme reached 1,460 people.", 1),
    ("Intro.\n\nAbout 87 per cent were public sector.", 3),
    ("It cost £800k.", 1),
    ("Half (50%) agreed.", 1),
    (":::{note}\nA note about 12 things.\n:::", 2),
    ("- Eleven organisations, 21 with phase one", 1),
    ("See [30 workshops](page.md).", 1),
])
def test_hand_typed_digits_are_reported(text: str, line: int):
    assert [n for n, _ in hand_typed_numbers(text)] == [line]


def test_the_strand_introductions_are_scanned():
    where = [w for w, _ in prose_sources()]
    assert {f"notebooks/strands/strand-{n}.md" for n in (1, 2, 3)} <= set(where)
