"""Sphinx extension: the book's abbreviations, kept as data in ``data/raw/glossary.csv``.

* The directive ``nptsc-glossary`` writes the glossary page: every term with its expansion,
  in alphabetical order.
* On every other page, the first use of each abbreviation in the text becomes
  ``<abbr title="expansion">``, so a reader can see what it stands for where it first appears
  (code, headings and links are left alone). A plural such as "KPIs" counts as a use of "KPI".

It is loaded through ``sphinx.local_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx

#: This project's glossary; a build reads the glossary of the project it builds (:func:`glossary_csv`),
#: since a process that builds two projects imports this module once, from the first.
GLOSSARY_CSV = Path(__file__).resolve().parents[2] / "data" / "raw" / "glossary.csv"
#: The page that lists the glossary: its terms are not marked up again.
GLOSSARY_PAGE = "book/appendices/glossary"
#: Elements whose text is never marked up: code, headings, links, existing abbreviations.
SKIP = (nodes.literal, nodes.literal_block, nodes.raw, nodes.title, nodes.reference, nodes.abbreviation,
        nodes.caption, nodes.rubric, nodes.math, nodes.math_block)


def glossary_csv(app: Sphinx) -> Path:
    """The glossary of the project being built: ``data/raw/glossary.csv`` under Sphinx's source folder."""
    return Path(app.srcdir) / "data" / "raw" / "glossary.csv"


def load_glossary(path: Path = GLOSSARY_CSV) -> dict[str, str]:
    """Term → expansion, in the file's order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["term"].strip(): row["expansion"].strip() for row in csv.DictReader(handle)}


def term_pattern(terms: Any) -> re.Pattern[str]:
    """A pattern matching any term (or its plural in s) as a whole word; longest terms first."""
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])({alternatives})(s?)(?![\w-])")


def mark_first_uses(doctree: nodes.Node, glossary: dict[str, str]) -> list[str]:
    """Wrap the first use of each term in ``doctree`` in an abbreviation node; returns the terms."""
    if not glossary:
        return []
    pattern = term_pattern(glossary)
    seen: list[str] = []
    for text in list(doctree.findall(nodes.Text)):
        if any(isinstance(parent, SKIP) for parent in _ancestors(text)):
            continue
        source = str(text)
        parts: list[nodes.Node] = []
        last = 0
        for match in pattern.finditer(source):
            term = match.group(1)
            if term in seen:
                continue
            seen.append(term)
            parts.append(nodes.Text(source[last:match.start()]))
            parts.append(nodes.abbreviation(match.group(0), match.group(0), explanation=glossary[term]))
            last = match.end()
        if parts:
            parts.append(nodes.Text(source[last:]))
            text.parent.replace(text, [p for p in parts if not (isinstance(p, nodes.Text) and not str(p))])
    return seen


def _ancestors(node: nodes.Node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


class GlossaryDirective(Directive):
    """The glossary as a definition list, sorted without regard to case."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        path = glossary_csv(self.state.document.settings.env.app)
        self.state.document.settings.record_dependencies.add(str(path))
        listing = nodes.definition_list(classes=["nptsc-glossary"])
        for term, expansion in sorted(load_glossary(path).items(), key=lambda item: item[0].lower()):
            item = nodes.definition_list_item()
            item += nodes.term(term, term, ids=[f"term-{term.lower()}"])
            item += nodes.definition("", nodes.paragraph(expansion, expansion))
            listing += item
        return [listing]


def _mark(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if docname != GLOSSARY_PAGE:
        mark_first_uses(doctree, load_glossary(glossary_csv(app)))


def setup(app: Sphinx) -> dict[str, Any]:
    # The glossary's digest as a config value: when the file changes every page is written again.
    digest = hashlib.sha256(glossary_csv(app).read_bytes() + Path(__file__).read_bytes()).hexdigest()
    app.add_config_value("nptsc_glossary_digest", digest, "env")
    app.add_directive("nptsc-glossary", GlossaryDirective)
    app.connect("doctree-resolved", _mark)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
