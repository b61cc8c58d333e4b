"""`nptsc-eval pdf`: the whole book as one PDF, with every chapter, every figure and working links."""

from __future__ import annotations

import base64
import json
import re
import struct
import unicodedata
from html import unescape
from pathlib import Path

import pytest

from nptsc_eval import paths

pytestmark = [pytest.mark.browser, pytest.mark.build]

pypdf = pytest.importorskip("pypdf", reason="pypdf (the test extra) reads the PDF's structure")
pdfium = pytest.importorskip("pypdfium2", reason="pypdfium2 (the test extra) reads the PDF's text")


@pytest.fixture(scope="session")
def book_pdf(built_book: Path, chromium: str) -> Path:
    """The PDF, made by the real command (it runs what changed, then prints the single page)."""
    from nptsc_eval.build.pdf import build_pdf

    return build_pdf(report=lambda message: None)


@pytest.fixture(scope="session")
def reader(book_pdf: Path):
    return pypdf.PdfReader(str(book_pdf))


@pytest.fixture(scope="session")
def pdf_text(book_pdf: Path) -> str:
    """The text of every page, as PDFium (the PDF engine of chromium) reads it.

    pypdf reads the outline, links and images quickly, but takes twenty times longer to read
    the text of 240 pages than PDFium does.
    """
    document = pdfium.PdfDocument(str(book_pdf))
    try:
        pages = []
        for number in range(len(document)):
            page = document[number]
            text = page.get_textpage()
            pages.append(text.get_text_range())
            text.close()
            page.close()
    finally:
        document.close()
    return _normalise(" ".join(pages))


def _normalise(text: str) -> str:
    """Letters and digits only, lower case, ligatures undone: line breaks cannot hide a match."""
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).lower().replace("’", "'"))


def _chapters(built_book: Path) -> dict[str, str]:
    """Each page of the table of contents and its title, as the HTML book shows it."""
    import yaml

    toc = yaml.safe_load((paths.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    titles = {}
    for name in files:
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        headings = [h for h in re.findall(r"<h1>(.*?)</h1>", html, re.S) if 'class="headerlink"' in h]
        assert headings, f"{name}.html has no title"
        title = re.sub(r'<a class="headerlink".*?</a>', "", headings[0], flags=re.S)
        titles[name] = unescape(re.sub(r"<[^>]+>", "", title)).strip()
    return titles


def _figures() -> set[tuple[int, int]]:
    """Width and height of every figure the executed notebooks show (PNG outputs)."""
    sizes = set()
    for notebook in (paths.EXECUTED_DIR).rglob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if "remove-cell" in tags or "remove-output" in tags:
                continue
            for output in cell.get("outputs", []) or []:
                png = output.get("data", {}).get("image/png")
                if png:
                    data = base64.b64decode(png if isinstance(png, str) else "".join(png))
                    sizes.add(struct.unpack(">II", data[16:24]))
    return sizes


def test_the_pdf_has_a_credible_number_of_pages(reader, built_book: Path):
    chapters = _chapters(built_book)
    # Every chapter starts on a new page, and the book is not a runaway.
    assert len(chapters) <= len(reader.pages) <= 60 * len(chapters)


def test_every_chapter_title_is_in_the_text(pdf_text: str, built_book: Path):
    missing = [title for title in _chapters(built_book).values() if _normalise(title) not in pdf_text]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


def test_a_printed_page_offers_no_download_links(pdf_text: str, built_book: Path):
    # The HTML book has them under every table and chart; paper cannot follow them.
    assert "Download the data (CSV)" in (built_book / "book" / "executed" / "01-programme-outputs.html").read_text()
    assert _normalise("Download the data (CSV)") not in pdf_text


def test_every_chapter_is_in_the_outline(reader, built_book: Path):
    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield _normalise(item.title)

    outline = set(titles(reader.outline))
    missing = [t for t in _chapters(built_book).values() if _normalise(t) not in outline]
    assert not missing, f"chapters missing from the PDF's outline: {missing}"


def _image_sizes(resources) -> set[tuple[int, int]]:
    """Width and height of every image a page draws: its image objects, and those of the forms it draws.

    Read from each image's dictionary; decoding every image (``page.images``) takes far longer.
    """
    sizes: set[tuple[int, int]] = set()
    objects = resources.get_object().get("/XObject") if resources is not None else None
    for value in (objects.get_object() if objects is not None else {}).values():
        obj = value.get_object()
        if obj.get("/Subtype") == "/Image":
            sizes.add((int(obj["/Width"]), int(obj["/Height"])))
        elif obj.get("/Subtype") == "/Form":
            sizes |= _image_sizes(obj.get("/Resources"))
    return sizes


def test_every_figure_is_printed(reader):
    expected = _figures()
    printed = {size for page in reader.pages for size in _image_sizes(page.get("/Resources"))}
    assert expected, "the executed notebooks show no figure: nothing to check"
    assert expected <= printed, f"figures missing from the PDF (width × height): {sorted(expected - printed)}"


def test_the_logic_models_are_printed_as_text(pdf_text: str):
    # The logic models are HTML diagrams, not images: their boxes must reach the paper as text.
    from nptsc_eval.strands import logic_model as logic_models

    for strand in (1, 2, 3):
        model = logic_models.logic_model(strand)
        for text in (f"Impacts of strand {logic_models.NUMBER_WORDS[strand]} as a whole", *model["text"]):
            assert _normalise(text) in pdf_text, f"strand {strand}: {text!r} is not in the PDF"


def test_internal_links_lead_somewhere(reader):
    destinations = reader.named_destinations
    links, broken = 0, []
    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link" or "/Dest" not in annotation:
                continue
            links += 1
            name = str(annotation["/Dest"])
            if name not in destinations:
                broken.append(f"page {number}: {name}")
    assert not broken, f"links to destinations the PDF does not have: {broken}"
    # The front page's contents links to the chapters inside the PDF.
    assert links >= 1
    assert any(name.startswith("/document-") for name in destinations)


def test_the_pdf_is_made_again_only_when_what_it_is_made_from_changed(book_pdf: Path):
    """A second ``build_pdf`` with nothing changed keeps the PDF; its key follows the book's sources."""
    from nptsc_eval.build.pdf import build_pdf, pdf_is_current, pdf_sources_key

    root = paths.PROJECT_ROOT
    made = book_pdf.stat().st_mtime_ns
    messages: list[str] = []
    assert build_pdf(report=messages.append) == book_pdf
    assert book_pdf.stat().st_mtime_ns == made
    assert any(m.startswith("PDF: skipped, up to date") for m in messages), messages
    key = pdf_sources_key(root)
    assert pdf_is_current(root, key)
    assert not pdf_is_current(root, "0" * 64)


def test_the_pdf_key_changes_with_a_page_of_the_book(project_copy: Path):
    from nptsc_eval.build.pdf import pdf_sources_key

    before = pdf_sources_key(project_copy)
    assert pdf_sources_key(project_copy) == before
    page = project_copy / "book" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    assert pdf_sources_key(project_copy) != before
