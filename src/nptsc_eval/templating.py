"""Generated pages and reader-facing sentences from Jinja2 templates in ``nptsc_eval/templates/``.

:func:`render` fills a template (``<name>.md.j2`` or ``<name>.html.j2``) with values. The
environment is strict: a value the template names but the caller did not pass is an error
(:class:`jinja2.StrictUndefined`), never an empty string. Nothing is escaped by default, since
most templates write Markdown; every value that comes from outside (respondents' words, case
fields, paths) goes through one of the escaping filters:

* ``md``: characters MyST would read as markup in running text are backslash-escaped
  (:func:`myst_escape`);
* ``html``: text safe as HTML content or a quoted attribute (:func:`html.escape`).

Templates can say numbers in words with ``count(n, "impact")`` ("one impact", "12 impacts")
and ``number(n)`` ("seven"), from :mod:`nptsc_eval.wording`.

An HTML template (``*.html.j2``) is written over several indented lines for reading, but the
page gets it as one line (Markdown would read an indented line or a blank line inside raw HTML
as its own markup): :class:`OneLineHtml` joins the template's own lines before it is compiled,
so the values put into it are never changed.

Examples:
    >>> render_string("{{ name | md }} said {{ words | html }}", name="[x](y)", words="<b>")
    '\\\\[x\\\\](y) said &lt;b&gt;'
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext

#: Folder of the templates, inside the package.
TEMPLATES_DIR = Path(__file__).with_name("templates")

_MYST_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|])")


def myst_escape(text: Any) -> str:
    """Escape the characters MyST would read as markup in running text (backslash, backtick,
    ``*``, ``_``, braces, brackets, angle brackets and ``|``).

    Examples:
        >>> myst_escape("{glue}`x` | <b>")
        '\\\\{glue\\\\}\\\\`x\\\\` \\\\| \\\\<b\\\\>'
    """
    return _MYST_SPECIAL.sub(r"\\\1", str(text))


def html_escape(text: Any) -> str:
    """Text safe as HTML content or inside a quoted attribute (quotes escaped too)."""
    return html.escape(str(text), quote=True)


class OneLineHtml(jinja2.ext.Extension):
    """Join the lines of an ``*.html.j2`` template, each stripped of its indentation, before compiling.

    Only the template's own text is joined; a value rendered into it keeps its line breaks.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None or not name.endswith(".html.j2"):
            return source
        return "".join(line.strip() for line in source.splitlines())


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: templates from :data:`TEMPLATES_DIR`, strict, with the escaping filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[OneLineHtml],
    )
    env.filters["md"] = myst_escape
    env.filters["html"] = html_escape
    from nptsc_eval import wording

    env.globals.update(count=wording.count, number=wording.number)
    return env


def render(name: str, **values: Any) -> str:
    """Fill the template ``name`` (a path inside :data:`TEMPLATES_DIR`) with ``values``."""
    return environment().get_template(name).render(**values)


def render_string(source: str, **values: Any) -> str:
    """Fill a template given as text (used in examples and tests) with ``values``."""
    return environment().from_string(source).render(**values)
