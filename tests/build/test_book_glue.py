"""The book's narrative pages follow the values they glue from notebooks, build after build."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from nptsc_eval import paths
from nptsc_eval.build import build_book


def _executed_notebook(path: Path, value: str) -> None:
    """An executed notebook that glues ``value`` under the key ``total`` (as report.glue does)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cell = nbformat.v4.new_code_cell("report.glue('total', value)")
    cell.id = "glue"
    cell.outputs = [nbformat.v4.new_output(
        "display_data",
        data={"application/papermill.record/text/plain": value,
              "application/papermill.record/text/html": f'<span class="glued">{value}</span>'},
        metadata={"scrapbook": {"name": "total", "mime_prefix": "application/papermill.record/"},
                  "nptsc": {"evidence": "published"}})]
    title = nbformat.v4.new_markdown_cell("# Outputs")
    title.id = "title"
    nb.cells = [title, cell]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


def test_a_page_shows_the_new_value_after_the_notebook_it_glues_from_changes(tmp_path):
    root = tmp_path / "book-project"
    (root / "book").mkdir(parents=True)
    shutil.copytree(paths.PROJECT_ROOT / "book" / "_ext", root / "book" / "_ext")
    shutil.copytree(paths.PROJECT_ROOT / "book" / "_static", root / "book" / "_static")
    (root / "_config.yml").write_text(
        "title: Test\nonly_build_toc_files: true\nexecute:\n  execute_notebooks: 'off'\n"
        "sphinx:\n  local_extensions:\n    nptsc_html: book/_ext\n  config:\n    html_static_path: [book/_static]\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: book/summary\n"
                                   "  - file: book/middle\n  - file: book/executed/outputs\n")
    (root / "book" / "middle.md").write_text("# Between\n\nA page between the summary and the notebook.\n")
    (root / "book" / "index.md").write_text("# A book\n\nA landing page without glued values.\n")
    # Neither the root nor next to the notebook: Sphinx writes those again whenever the
    # notebook changes (their navigation links change), whatever they glue.
    (root / "book" / "summary.md").write_text("# Summary\n\nThe programme reached {glue}`executed/outputs.ipynb::total` places.\n")
    executed = root / "book" / "executed" / "outputs.ipynb"
    _executed_notebook(executed, "1,460")
    build_book(root, report=lambda m: None)
    page = root / "_build" / "html" / "book" / "summary.html"
    assert "1,460" in page.read_text()

    # Sphinx reads the page again when the notebook it glues from changes, wherever the page
    # sits in the book (a page far from the notebook in the table of contents is otherwise
    # neither read nor written again, and keeps the old value).
    import pickle

    with open(root / "_build" / "work" / ".doctrees" / "environment.pickle", "rb") as handle:
        env = pickle.load(handle)
    assert str(executed.resolve()) in {str(Path(root / "book", d).resolve()) for d in env.dependencies["book/summary"]}

    _executed_notebook(executed, "1,461")
    build_book(root, report=lambda m: None)
    text = page.read_text()
    assert "1,461" in text and "1,460" not in text
