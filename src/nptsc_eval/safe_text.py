"""Values from outside (a survey export, a file name) made safe where they are published.

* :func:`html_text`: for HTML (table cells, captions, attributes);
* :func:`markdown_text`: for Markdown and MyST (notice boxes, prose): every punctuation mark
  that Markdown or MyST could read as syntax, and every HTML tag, is escaped, so the text
  shows literally;
* :func:`spreadsheet_value` / :func:`spreadsheet_safe`: for CSV and XLSX files, a text that
  a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return) gets a leading apostrophe, as OWASP recommends.  Numbers stay numbers.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd

_MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:^=&\"'@%")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def html_text(value: Any) -> str:
    """Text safe inside HTML element content or a quoted attribute.

    Examples:
        >>> html_text('<img src=x onerror="alert(1)">')
        '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    """
    return html.escape(str(value), quote=True)


_AMP = re.compile(r"&(?=[#A-Za-z0-9])")


def html_content(value: Any) -> str:
    """Text safe as HTML element content, changed as little as possible: ``<``, ``>`` and a ``&`` that
    could start a character reference are escaped; quotes and a lone ``&`` stay as they are.

    Examples:
        >>> html_content("Don't <script>alert(1)</script> & &amp;")
        "Don't &lt;script&gt;alert(1)&lt;/script&gt; & &amp;amp;"
    """
    return _AMP.sub("&amp;", str(value)).replace("<", "&lt;").replace(">", "&gt;")


def markdown_text(value: Any) -> str:
    """Text that Markdown and MyST show literally: one line, every special character backslash-escaped.

    Examples:
        >>> markdown_text("a`b <svg onload=alert(1)>")
        'a\\\\`b \\\\<svg onload\\\\=alert\\\\(1\\\\)\\\\>'
    """
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def spreadsheet_value(value: Any) -> Any:
    """A value that no spreadsheet runs as a formula.

    Examples:
        >>> spreadsheet_value("=HYPERLINK(1)"), spreadsheet_value("-2.5"), spreadsheet_value(3)
        ("'=HYPERLINK(1)", '-2.5', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are safe to open in a spreadsheet."""
    out = frame.copy()
    for column in out.columns:
        s = out[column]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            out[column] = s.map(spreadsheet_value, na_action="ignore")
    out.columns = [spreadsheet_value(c) for c in out.columns]
    return out


def markdown_code(value: Any) -> str:
    """``value`` as a Markdown code span that shows it literally, whatever backticks it holds.

    The fence is one backtick longer than the longest run of backticks inside.

    Examples:
        >>> markdown_code("a`b.csv")
        '`` a`b.csv ``'
        >>> markdown_code("x.csv")
        '`x.csv`'
    """
    text = " ".join(str(value).split()) or " "
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or text.startswith(" ") or text.endswith(" ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
