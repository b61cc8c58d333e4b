"""Numbered tables and figures: the chapter's number from ``_toc.yml``, source lines and data downloads."""

from __future__ import annotations

import html as html_module
from pathlib import Path
from typing import Any

import pandas as pd

from nptsc_eval.report.values import GLUE_PREFIX, Plain

#: Pages of the book that carry no chapter number (the landing page and the executive summary).
UNNUMBERED_PAGES = ("book/index", "book/executive-summary")
#: Where a page's downloads live, from the page of an executed notebook (``book/executed/``).
DOWNLOAD_HREF = "../../_data/downloads/"
#: The link text under every table and chart.
DOWNLOAD_TEXT = "Download the data (CSV)"


def chapter_labels(toc: dict[str, Any] | None = None) -> dict[str, str]:
    """The number of every chapter and the letter of every appendix, from the table of contents.

    Pages in the part captioned "Appendices" get letters (A, B, ...); every other page of the
    table of contents, except :data:`UNNUMBERED_PAGES` and globbed pages, gets the next number.
    Keys are page paths as ``_toc.yml`` writes them (``book/executed/01-programme-outputs``).
    """
    import yaml

    from nptsc_eval import paths

    if toc is None:
        # A project folder made for a test may hold no table of contents: use the package's own.
        path = paths.PROJECT_ROOT / "_toc.yml"
        if not path.is_file():
            path = paths.PACKAGE_DIR.parents[1] / "_toc.yml"
        toc = yaml.safe_load(path.read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    number = letter = 0
    for part in toc.get("parts", []):
        appendix = str(part.get("caption", "")).lower().startswith("appendi")
        for entry in part.get("chapters", []) or []:
            page = entry.get("file")
            if not page or page in UNNUMBERED_PAGES:
                continue
            if appendix:
                labels[page] = chr(ord("A") + letter)
                letter += 1
            else:
                number += 1
                labels[page] = str(number)
    return labels


class _Chapter:
    """The chapter a notebook is showing tables and figures for, and how many it has shown."""

    def __init__(self) -> None:
        self.page_id = ""
        self.label = ""
        self.tables = 0
        self.figures = 0


_chapter = _Chapter()


def set_chapter(page_id: str) -> str:
    """Start numbering tables and figures for the book page ``book/executed/<page_id>``.

    Call it once near a notebook's imports, with the pipeline run's id (``"03-strand-2"``).
    The chapter's number comes from ``_toc.yml`` (:func:`chapter_labels`), so tables are
    numbered Table 3.1, 3.2, ... in chapter 3 and Table B.1 in Appendix B.  The page's
    earlier download files are removed, so none is left from a table that has gone.
    """
    labels = chapter_labels()
    page = f"book/executed/{page_id}"
    if page not in labels:
        raise ValueError(f"{page} is not a numbered page of _toc.yml, so its tables cannot be numbered")
    _chapter.page_id, _chapter.label, _chapter.tables, _chapter.figures = page_id, labels[page], 0, 0
    for old in [*downloads_dir().glob(f"{page_id}-*.csv"), downloads_dir() / f"{page_id}-index.json"]:
        old.unlink(missing_ok=True)
    return labels[page]


def downloads_dir() -> Path:
    """``data/processed/downloads/``: the data behind every table and chart, one CSV each."""
    from nptsc_eval import paths

    folder = paths.PROCESSED_DIR / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _next_number(kind: str) -> tuple[str, str]:
    """("Table 3.2", "table-3-2") for the next table (or figure) of the chapter."""
    if not _chapter.label:
        raise ValueError(f"call report.set_chapter(page_id) before showing a {kind}, so it gets its number")
    if kind == "table":
        _chapter.tables += 1
        n = _chapter.tables
    else:
        _chapter.figures += 1
        n = _chapter.figures
    # The label comes from _toc.yml; escape it once here, so every place that writes the number
    # or the anchor into HTML may use them as they are.

    label = html_module.escape(str(_chapter.label), quote=True)
    return f"{kind.capitalize()} {label}.{n}", f"{kind}-{label.lower()}-{n}"


def _write_download(frame: Any, anchor: str, caption: str, source: str) -> str:
    """Write the data behind a table or chart as CSV; return its link, in HTML."""

    from nptsc_eval.safe_text import spreadsheet_safe

    kind, _, number = anchor.partition("-")
    name = f"{_chapter.page_id}-{kind}-{number.split('-')[-1]}.csv"
    data = frame.to_frame() if isinstance(frame, pd.Series) else pd.DataFrame(frame)
    if not isinstance(data.index, pd.RangeIndex):
        data = data.reset_index()
    data = spreadsheet_safe(data)
    data.to_csv(downloads_dir() / name, index=False, lineterminator="\n")
    _downloads_index_add(name, caption, source)
    href = html_module.escape(DOWNLOAD_HREF + name, quote=True)
    return f'<p class="data-download"><a href="{href}" download>{DOWNLOAD_TEXT}</a></p>'


def _downloads_index_add(name: str, caption: str, source: str) -> None:
    """Record a download's caption and source in ``downloads/<page>-index.json`` (read for datapackage.json)."""
    import json

    index = downloads_dir() / f"{_chapter.page_id}-index.json"
    entries = json.loads(index.read_text(encoding="utf-8")) if index.exists() else {}
    entries[name] = {"caption": caption, "source": source}
    index.write_text(json.dumps(entries, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


class NumberRef(Plain):
    """A table's or figure's number glued for the text ("Table 3.2"), shown as a link to it on its page."""

    anchor = ""

    def _repr_html_(self) -> str:
        import html

        return f'<a class="numref" href="#{html.escape(self.anchor, quote=True)}">{html.escape(str(self))}</a>'


def _glue_number(key: str | None, number: str, anchor: str) -> None:
    """Glue ``number`` under ``key`` as a link to the table or figure (its ``anchor``) on the same page."""
    import IPython
    from IPython.display import display as ipy_display

    if not key:
        return
    ref = NumberRef(number)
    ref.anchor = anchor
    mimebundle, metadata = IPython.core.formatters.format_display_data(ref)
    metadata["scrapbook"] = {"name": key, "mime_prefix": GLUE_PREFIX}
    metadata["nptsc"] = {"evidence": "descriptive"}
    ipy_display({GLUE_PREFIX + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)


def _source_html(source: str) -> str:
    from nptsc_eval.safe_text import html_content

    if not source or len(source.strip()) < 10:
        raise ValueError("every table and figure needs a source (the original report's table, figure or page, "
                         "the primary source it names, and our data file)")
    text = source.strip()
    if not text.lower().startswith("source:"):
        text = "Source: " + text
    return f'<p class="table-source">{html_content(text)}</p>'


def source(original: str, primary: str | None = None, files: str | list[str] | None = None) -> str:
    """A source line: the original report's table, figure or page, its primary source, our data file(s).

    Examples:
        >>> source("Table 2.1 in the original report", "Phase two participant spreadsheet", "data/raw/t.csv")
        'Table 2.1 in the original report; primary source: Phase two participant spreadsheet. Data: data/raw/t.csv.'
    """
    text = original
    if primary:
        text += f"; primary source: {primary}"
    if files:
        files = [files] if isinstance(files, str) else list(files)
        text += ". Data: " + ", ".join(files)
    return text.rstrip(".") + "."
