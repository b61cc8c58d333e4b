"""Generated pages, passages and reader-facing sentences from Jinja2 templates in ``nptsc_eval/templates/``.

The prose lives in the template; the package fills in values. There is one environment, and
it is strict twice over: a value the template names but the caller did not pass is an error
(:class:`jinja2.StrictUndefined`), and a value printed without one of the filters below stops the
rendering (:class:`UnescapedValue`), so nothing from outside (a path, a parameter, a value from
a survey export, a respondent's words) can be read as Markdown, MyST or HTML by accident:

* ``md``: characters MyST would read as markup in running text are backslash-escaped
  (:func:`myst_escape`);
* ``html``: text safe as HTML content or a quoted attribute (:func:`html.escape`);
* ``cell``: text for a Markdown table cell (one line, Markdown punctuation escaped);
* ``code``: a code span that shows the value literally (:func:`~nptsc_eval.safe_text.markdown_code`);
* ``text``: text for running Markdown (:func:`~nptsc_eval.safe_text.markdown_text`);
* ``plain``: a value for a passage the book shows as plain text, as it is (a glued value or
  a table cell, escaped as HTML where it is shown: see :class:`nptsc_eval.report.Plain` and
  :func:`nptsc_eval.report.show_table`);
* ``trusted``: text the package or the project's own transcribed data wrote (a label, a number it
  formatted, a macro's output), as it is.

Templates can say numbers in words with ``count(n, "impact")`` ("one impact", "12 impacts")
and ``number(n)`` ("seven"), from :mod:`nptsc_eval.wording`; both count as trusted.

:func:`render` fills a whole template (``<name>.md.j2`` or ``<name>.html.j2``); a chapter's
passages are Jinja2 macros in one template (``claims_audit.md.j2``, ...) that Python calls with
:func:`passage`.

An HTML template (``*.html.j2``) is written over several indented lines for reading, but the
page gets it as one line (Markdown would read an indented line or a blank line inside raw HTML
as its own markup): :class:`OneLineHtml` joins the template's own lines before it is compiled,
so the values put into it are never changed.

Examples:
    >>> render_string("{{ name | md }} said {{ words | html }}", name="[x](y)", words="<b>")
    '\\\\[x\\\\](y) said &lt;b&gt;'
    >>> render_string("{{ name }}", name="x")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    UnescapedValue: template value 'x' printed without a filter
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.ext

from nptsc_eval.safe_text import markdown_code, markdown_text

#: Folder of the templates, inside the package.
TEMPLATES_DIR = Path(__file__).with_name("templates")

_MYST_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|])")
FILTERS = ("md", "html", "cell", "code", "text", "plain", "trusted")


class UnescapedValue(TypeError):
    """A template printed a value without an escaping filter."""


class _Escaped(str):
    """Text that has been through one of the template filters."""


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


def table_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, Markdown punctuation escaped.

    Examples:
        >>> table_cell("a | b_c"), table_cell("")
        ('a \\\\| b\\\\_c', ' ')
    """
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in "\\`*_[]<>|{}#$~" else ch for ch in text) or " "


class OneLineHtml(jinja2.ext.Extension):
    """Join the lines of an ``*.html.j2`` template, each stripped of its indentation, before compiling.

    Only the template's own text is joined; a value rendered into it keeps its line breaks.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name is None or not name.endswith(".html.j2"):
            return source
        return "".join(line.strip() for line in source.splitlines())


def _finalize(value: Any) -> Any:
    if isinstance(value, (_Escaped, jinja2.Undefined)):
        return value
    raise UnescapedValue(f"template value {value!r} printed without a filter ({', '.join(FILTERS)})")


def _escaped(function: Callable[..., Any]) -> Callable[..., _Escaped]:
    return lambda *args, **kwargs: _Escaped(function(*args, **kwargs))


@cache
def environment() -> jinja2.Environment:
    """The one Jinja2 environment: templates from :data:`TEMPLATES_DIR`, strict, every printed value filtered."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[OneLineHtml],
        finalize=_finalize,
    )
    env.filters.update(md=_escaped(myst_escape), html=_escaped(html_escape), cell=_escaped(table_cell),
                       code=_escaped(markdown_code), text=_escaped(markdown_text), plain=_escaped(str),
                       trusted=_escaped(str))
    from nptsc_eval import wording

    env.globals.update(count=_escaped(wording.count), number=_escaped(wording.number))
    return env


def render(name: str, **values: Any) -> str:
    """Fill the template ``name`` (a path inside :data:`TEMPLATES_DIR`) with ``values``."""
    return str(environment().get_template(name).render(**values))


def render_string(source: str, **values: Any) -> str:
    """Fill a template given as text (used in examples and tests) with ``values``."""
    return str(environment().from_string(source).render(**values))


def passage(template: str, macro_name: str, /, **values: Any) -> str:
    """The passage (macro) ``macro_name`` of ``templates/<template>``, filled with ``values``, without surrounding space."""
    macro = getattr(environment().get_template(template).module, macro_name)
    return str(macro(**values)).strip()
