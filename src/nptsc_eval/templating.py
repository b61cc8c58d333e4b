"""Markdown pages and passages from Jinja2 templates (``src/nptsc_eval/templates/*.j2``).

The prose lives in the template; the package fills in values.  A value can only be printed
through a filter that makes it safe where it lands, so nothing from outside (a path, a
parameter, a value from a survey export) can be read as Markdown, MyST or HTML:

* ``cell``: text for a Markdown table cell (one line, Markdown punctuation escaped);
* ``code``: a code span that shows the value literally (:func:`~nptsc_eval.safe_text.markdown_code`);
* ``text``: text for running Markdown (:func:`~nptsc_eval.safe_text.markdown_text`);
* ``plain``: a value for a passage the book shows as plain text, as it is (a glued value or
  a table cell, escaped as HTML where it is shown: see :class:`nptsc_eval.report.Plain` and
  :func:`nptsc_eval.report.show_table`);
* ``trusted``: text the package wrote itself (a label, a number it formatted), as it is.

A chapter's passages are Jinja2 macros in one template (``claims_audit.md.j2``, ...); Python
calls them with :func:`passage`.

A value printed without one of them stops the rendering (:class:`UnescapedValue`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from nptsc_eval.safe_text import markdown_code, markdown_text

#: Where the templates are.
TEMPLATES_DIR = Path(__file__).parent / "templates"


class UnescapedValue(TypeError):
    """A template printed a value without an escaping filter."""


class _Escaped(str):
    """Text that has been through one of the template filters."""


def table_cell(value: Any) -> str:
    """Text safe inside a Markdown table cell: one line, Markdown punctuation escaped.

    Examples:
        >>> table_cell("a | b_c"), table_cell("")
        ('a \\\\| b\\\\_c', ' ')
    """
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in "\\`*_[]<>|{}#$~" else ch for ch in text) or " "


def _finalize(value: Any) -> Any:
    if isinstance(value, _Escaped):
        return value
    raise UnescapedValue(f"template value {value!r} printed without a filter (cell, code, text, plain or trusted)")


@cache
def environment() -> jinja2.Environment:
    """The template environment: templates from :data:`TEMPLATES_DIR`, every printed value filtered."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=False,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, finalize=_finalize)
    env.filters["cell"] = lambda v: _Escaped(table_cell(v))
    env.filters["code"] = lambda v: _Escaped(markdown_code(v))
    env.filters["text"] = lambda v: _Escaped(markdown_text(v))
    env.filters["plain"] = lambda v: _Escaped(str(v))
    env.filters["trusted"] = lambda v: _Escaped(str(v))
    return env


def render(name: str, **values: Any) -> str:
    """Render ``templates/<name>`` with ``values``."""
    return environment().get_template(name).render(**values)


def passage(template: str, macro_name: str, /, **values: Any) -> str:
    """The passage (macro) ``macro_name`` of ``templates/<template>``, filled with ``values``, without surrounding space."""
    macro = getattr(environment().get_template(template).module, macro_name)
    return str(macro(**values)).strip()
