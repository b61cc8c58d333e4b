"""The whole book as one PDF: a single-page HTML build printed by headless chromium.

``nptsc-eval pdf`` (``make pdf``) runs the notebooks whose inputs changed, builds the book
with Sphinx's ``singlehtml`` builder into ``_build/work/singlehtml/`` (warnings are errors,
as for the HTML book), and prints that one page with headless chromium through Playwright
to ``_build/pdf/nptsc-impact-evaluation.pdf``.  Links inside the book become links inside
the PDF, its headings become the PDF's outline, and every figure is printed from the PNG
the HTML book shows.  Nothing is fetched from the network: the page and everything it uses
are read from disk.

The PDF is made again only when what it is made from changed: the book's sources (the key
of the HTML book, :func:`~nptsc_eval.build.book.book_sources_hash`) and this module, which
sets how it is printed.  The key of the PDF on disk is kept beside the Sphinx work folder
(``_build/work/pdf.key``).

Chromium is ``/usr/bin/chromium`` (Debian's package) unless ``CHROMIUM`` names another.
"""

from __future__ import annotations

import os
from pathlib import Path
from collections.abc import Callable

from nptsc_eval.charts import colours
from nptsc_eval.errors import PipelineError
from nptsc_eval.project import Project

PDF_NAME = "nptsc-impact-evaluation.pdf"
#: The single page, moved to the root of the singlehtml output so that its relative links
#: to ``_static/`` and ``_images/`` resolve (Sphinx writes them relative to the root even
#: when the book's root document sits in a folder).
PRINTABLE_NAME = "nptsc-impact-evaluation.html"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
FOOTER = (f'<div style="width:100%; font-size:8pt; font-family:sans-serif; color:{colours.TEXT}; text-align:center;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')

_BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))"""


def pdf_path(root: Path | None = None) -> Path:
    """Where the PDF is written: ``_build/pdf/nptsc-impact-evaluation.pdf``."""
    return (Project(root) if root is not None else Project.current()).build_dir / "pdf" / PDF_NAME


def pdf_key_path(root: Path) -> Path:
    """Where the key of the PDF on disk is kept: ``_build/work/pdf.key``."""
    return Project(root).build_dir / "work" / "pdf.key"


def pdf_sources_key(root: Path) -> str:
    """Hash of everything the PDF is made from: the book's sources and how it is printed."""
    import hashlib

    from nptsc_eval.build.book import book_sources_hash

    h = hashlib.sha256(book_sources_hash(root).encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def pdf_is_current(root: Path, key: str) -> bool:
    """Whether the PDF on disk was made from the sources whose key is ``key``."""
    stored = pdf_key_path(root)
    return (pdf_path(root).is_file() and stored.is_file()
            and stored.read_text(encoding="utf-8").strip() == key)


def chromium_path() -> Path:
    """The chromium to print with; a clear error when it is not installed."""
    path = Path(os.environ.get("CHROMIUM", DEFAULT_CHROMIUM))
    if not path.exists():
        raise PipelineError(f"chromium not found at {path}: install it (apt-get install chromium) "
                            "or set CHROMIUM to its path")
    return path


def root_document(root: Path) -> str:
    """The book's first page as the table of contents names it (``book/index``)."""
    from nptsc_eval.yaml_text import load_yaml

    toc = load_yaml(Project(root).toc_file.read_text(encoding="utf-8"))
    return str(toc["root"]).removesuffix(".md")


def printable_page(singlehtml_dir: Path, root_doc: str) -> Path:
    """Copy the single page to the root of the singlehtml output, where its links resolve.

    The theme's layout loads the search index on every page, but the singlehtml builder
    writes none (a printed page has no search), so that script is left out.
    """
    import re

    single = singlehtml_dir / f"{root_doc}.html"
    if not single.exists():
        raise PipelineError(f"the single-page build has no {Project.current(single.parent).relative(single)}")
    text = re.sub(r'<script src="[^"]*searchindex\.js"></script>', "", single.read_text(encoding="utf-8"))
    target = singlehtml_dir / PRINTABLE_NAME
    target.write_text(text, encoding="utf-8")
    return target


def print_to_pdf(page_file: Path, target: Path) -> Path:
    """Print an HTML file to PDF with headless chromium (A4, outline, tagged, page numbers).

    Fails when the page logs an error, a file it uses is missing, it asks for anything that
    is not on disk, or an image does not load.  Playwright's synchronous API will not start
    in a thread that already runs an event loop (a notebook, or another Playwright session),
    so the printing runs in a thread of its own.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_to_pdf, page_file, target).result()


def _print_to_pdf(page_file: Path, target: Path) -> Path:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"could not load {r.url}"))
            page.on("request", lambda r: problems.append(f"asked the network for {r.url}")
                    if not r.url.startswith(("file:", "data:", "blob:")) else None)
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_load_state("networkidle")
            problems += [f"image {src} did not load" for src in page.evaluate(_BROKEN_IMAGES)]
            if problems:
                raise PipelineError(f"{Project.current(page_file.parent).relative(page_file)} did not load cleanly for printing:\n  " + "\n  ".join(problems))
            page.emulate_media(media="print")
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".pdf.part")
            page.pdf(path=str(partial), format="A4", print_background=True, outline=True, tagged=True,
                     display_header_footer=True, header_template="<span></span>", footer_template=FOOTER,
                     margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
        finally:
            browser.close()
    os.replace(partial, target)
    return target


def page_count(pdf: Path) -> int | None:
    """Pages in ``pdf``, when pypdf (a test dependency) is installed."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(str(pdf)).pages)


def build_pdf(root: Path | None = None, *, jobs: int | None = None, overrides: dict[str, str] | None = None,
              force: bool = False, report: Callable[[str], None] = print) -> Path:
    """Run the notebooks that changed, build the single page and print it; return the PDF's path.

    When the PDF on disk was made from the same sources (see :func:`pdf_sources_key`), it is
    kept as it is, unless ``force``.
    """
    from nptsc_eval.build.book import build_book
    from nptsc_eval.build.engine import build
    from nptsc_eval.build.state import build_lock

    project = Project(root) if root is not None else Project.current()
    root = project.root
    chromium_path()  # fail before any work when the printer is missing
    build(root=root, jobs=jobs, overrides=overrides, book=False, report=report)
    with build_lock(root):
        key = pdf_sources_key(root)
        if not force and pdf_is_current(root, key):
            report(f"PDF: skipped, up to date ({project.relative(pdf_path(root))})")
            return pdf_path(root)
        pdf_key_path(root).unlink(missing_ok=True)
        singlehtml = build_book(root, builder="singlehtml", report=report)
        page = printable_page(singlehtml, root_document(root))
        pdf = print_to_pdf(page, pdf_path(root))
        pdf_key_path(root).write_text(key + "\n", encoding="utf-8")
    pages = page_count(pdf)
    report(f"PDF written to {project.relative(pdf)}" + (f" ({pages} pages)" if pages else ""))
    return pdf
