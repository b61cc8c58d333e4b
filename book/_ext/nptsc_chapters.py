"""Sphinx extension: every numbered chapter's heading carries its number ("4. Programme outputs").

Tables and figures are numbered by chapter (Table 4.2 sits in chapter 4); the numbers come
from ``nptsc_eval.report.chapter_labels``, which counts the pages of ``_toc.yml``. This
extension puts the same number before the first heading of each of those pages, so the
headings, the sidebar and the table numbers always agree. Appendices are lettered in their
own headings ("Appendix C: ...") and are left as they are.

``_toc.yml`` must not set ``numbered:``: Sphinx restarts that numbering in every part, so it
would disagree with the table numbers.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from nptsc_eval.report import chapter_labels


def chapter_number(docname: str, labels: dict[str, str]) -> str | None:
    """The number to put before the page's heading, or None (an appendix or an unnumbered page).

    Examples:
        >>> chapter_number("book/introduction", {"book/introduction": "2", "book/appendices/glossary": "A"})
        '2'
        >>> chapter_number("book/appendices/glossary", {"book/appendices/glossary": "A"}) is None
        True
    """
    label = labels.get(docname)
    return label if label and label.isdigit() else None


def heading_text(number: str, title: str) -> str:
    """A chapter heading as the book prints it.

    Examples:
        >>> heading_text("4", "Programme outputs")
        '4. Programme outputs'
    """
    return f"{number}. {title}"


def _number_heading(app: Sphinx, doctree: nodes.document) -> None:
    labels = app.env.temp_data.setdefault("nptsc_chapter_labels", chapter_labels())
    number = chapter_number(app.env.docname, labels)
    if number is None:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not section.children or not isinstance(section[0], nodes.title):
        return
    title = section[0]
    if title.astext().startswith(heading_text(number, "")):
        return
    title.insert(0, nodes.Text(heading_text(number, "")))


def setup(app: Sphinx) -> dict[str, Any]:
    # Before Sphinx's own collectors (priority 500) read the title for the sidebar and links.
    app.connect("doctree-read", _number_heading, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
