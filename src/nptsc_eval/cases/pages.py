"""The case pages: one MyST page per case, rendered from its record by a Jinja2 template.

:func:`case_page` fills ``templates/cases/case_page.md.j2``; every value from the record or
the quotation bank goes through an escaping filter (``md`` for running text, ``html`` for the
quotations kept as raw HTML), so no one's words can become markup.  Numbers are never
written into a page: each is a ``{glue}`` role the case studies notebook fills.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nptsc_eval.cases.records import BENEFICIARY_LABELS, CaseRecord, form_text
from nptsc_eval.templating import render

def glue_key(case_id: str, item: str) -> str:
    """Key under which the notebook glues one number of a case (``item`` is a count id or ``strand``)."""
    return f"case_{case_id}_{item}"


def case_page(case: CaseRecord, quotes: pd.DataFrame, themes: pd.DataFrame, notebook: str) -> str:
    """A MyST page for one case, rendered from its record by ``templates/cases/case_page.md.j2``.

    Numbers are not written into the page: each count is shown through the ``{glue}`` role,
    ``notebook`` being the path of the executed notebook relative to the page; the notebook
    glues each under :func:`glue_key`.  The case's quotations are kept as raw HTML, so that
    typographic quotes and ellipses do not alter the printed words.
    """
    own = quotes[quotes["case_id"] == case.case_id]
    quoted = [{"text": q.text, "speaker": q.speaker, "source_location": q.source_location,
               "differs": bool(pd.notna(q.same_as) and q.difference != "none"),
               "difference": q.difference, "difference_note": q.difference_note}
              for q in own.itertuples(index=False)]
    return render("cases/case_page.md.j2", case=case, notebook=notebook, chapter=notebook.removesuffix(".ipynb"),
                  strand_key=glue_key(case.case_id, "strand"),
                  count_keys={c.id: glue_key(case.case_id, c.id) for c in case.counts},
                  beneficiaries=[BENEFICIARY_LABELS[b] for b in case.beneficiary_types],
                  theme_names=dict(zip(themes["theme_id"], themes["theme"])),
                  theme_types=dict(zip(themes["theme_id"], themes["theme_type"])),
                  quotes=quoted, form_text=form_text).removesuffix("\n")


def page_name(position: int, case: CaseRecord) -> str:
    """File name (without ``.md``) of a case's page: its place in book order, then its id."""
    return f"{position:02d}-{case.case_id}"


def case_links_markdown(cases: list[CaseRecord], folder: str) -> str:
    """A MyST list linking to every case page in ``folder`` (relative to the chapter)."""
    pages = [(page_name(i, c), c) for i, c in enumerate(cases, start=1)]
    return render("cases/case_links.md.j2", pages=pages, folder=folder).removesuffix("\n")


def write_case_pages(cases: list[CaseRecord], quotes: pd.DataFrame, themes: pd.DataFrame, folder: Path,
                     notebook: str) -> list[Path]:
    """Write one page per case into ``folder`` (emptied of old pages first), numbered in book order."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    written = []
    for i, case in enumerate(cases, start=1):
        path = folder / f"{page_name(i, case)}.md"
        path.write_text(case_page(case, quotes, themes, notebook) + "\n", encoding="utf-8")
        written.append(path)
    return written
