"""What a notebook shows in the book: glued values, figures with alt text, tables, notices.

Notebooks call these instead of printing, so that every number in the book's prose comes from
computation (``glue``), every figure has alt text, and every table has header cells and a
caption.

The package keeps one job per module, and this module gives notebooks and chapter modules
their public names (``report.glue``, ``report.show_figure``, ...):

* :mod:`nptsc_eval.report.values`: glued values, number formats and evidence classes;
* :mod:`nptsc_eval.report.numbering`: chapter numbers, source lines and data downloads;
* :mod:`nptsc_eval.report.display`: figures, diagrams, tables and notices.
"""

from nptsc_eval.report.display import (
    MAX_TABLE_ROWS,
    FigureOutput,
    data_digest,
    show_data_downloads,
    show_diagram,
    show_figure,
    show_html_table,
    show_notice,
    show_table,
    with_row_ids,
)
from nptsc_eval.report.numbering import (
    DOWNLOAD_HREF,
    DOWNLOAD_TEXT,
    UNNUMBERED_PAGES,
    NumberRef,
    chapter_labels,
    downloads_dir,
    set_chapter,
    source,
)
from nptsc_eval.report.values import (
    EVIDENCE_CLASSES,
    GLUE_PREFIX,
    SYNTHETIC_MARKER,
    Plain,
    count_text,
    format_number,
    format_percent,
    glue,
    glued_evidence,
    in_pipeline,
    readable_cell,
    reader_number,
    round_half_up,
    set_evidence,
)

__all__ = [
    "DOWNLOAD_HREF", "DOWNLOAD_TEXT", "EVIDENCE_CLASSES", "GLUE_PREFIX", "MAX_TABLE_ROWS", "SYNTHETIC_MARKER", "UNNUMBERED_PAGES",
    "FigureOutput", "NumberRef", "Plain", "chapter_labels", "count_text", "data_digest", "downloads_dir",
    "format_number", "format_percent", "glue", "glued_evidence", "in_pipeline", "readable_cell", "reader_number",
    "round_half_up", "set_chapter", "set_evidence", "show_data_downloads", "show_diagram", "show_figure",
    "show_html_table", "show_notice", "show_table", "source", "with_row_ids",
]
