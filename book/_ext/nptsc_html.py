"""Sphinx extension: the published HTML book is self-contained and accessible.

Jupyter Book's defaults fetch a few things from other hosts: sphinx-thebe writes the address
of its JavaScript bundle (on unpkg.com) into every page, and Sphinx loads MathJax from a CDN
on any page with maths (on every page of a single-page build).  The book must read the same
with the network cut, so this extension

* removes sphinx-thebe's scripts (the book shows results, not runnable code);
* removes the MathJax script from pages without maths, and fails the build when a page has
  maths but no local copy of MathJax sits in ``book/_static/mathjax/``;
* fails the build when any page would load a script or a style sheet from another host;
* opens the theme in light mode (its default, "", makes the theme's script log an error);
* removes pages left in the output by earlier builds whose source is gone from the book
  (Sphinx builds incrementally and never deletes them), so the published site holds only
  the pages of its table of contents;
* names the buttons that open and close a chapter's sections in the navigation: the theme
  draws them as a bare chevron in a ``<summary>``, which a screen reader cannot name;
* makes every page that shows a value glued in another document depend on that document's
  executed notebook, so an incremental build writes the page again when the value changes
  (Sphinx does not track the ``{glue}`` role's cross-document references by itself);
* replaces the bare redirect that sphinx-external-toc writes as the site's ``index.html``
  with a page that has a language, a title and a link, so it is accessible while it
  redirects and usable when redirects are turned off;
* ships the data: copies the CSV behind every table and chart (``data/processed/downloads/``)
  to ``_data/downloads/`` in the HTML output, writes ``_data/nptsc-eval-data.zip`` holding
  ``data/raw/`` and ``data/processed/``, and fails the build when a page links to a file of
  ``_data/`` that is not there (:func:`broken_data_links`), so every "Download the data" link
  works, from a web server or from ``file://``;
* checks the evidence behind glued values (:func:`evidence_problems`): the landing page,
  executive summary, conclusions and recommendations may not use a value whose evidence
  class is ``synthetic``, and a synthetic value anywhere must carry its marker in the text
  shown; either fails the build with a message naming page, glue key and class.

It is loaded through ``sphinx.local_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Pages that may not use a glued value resting on synthetic data: what a reader takes away.
RESTRICTED_PAGES = ("book/index", "book/executive-summary", "book/conclusions", "book/recommendations")
#: The evidence class of values that rest on synthetic respondent data, and the marker such a
#: value must show (see ``nptsc_eval.report``: the two must match).
SYNTHETIC_CLASS = "synthetic"
SYNTHETIC_MARKER = "(synthetic)"

#: Where a local MathJax would live, relative to the HTML output's ``_static`` folder.
LOCAL_MATHJAX = "mathjax/tex-chtml.js"


def _is_remote(url: str | None) -> bool:
    return bool(url) and ("://" in str(url) or str(url).startswith("//"))


def _is_thebe(script: Any) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body or "thebe@" in filename


def _configure(app: Sphinx, config: Any) -> None:
    """Light mode by default, and MathJax from the book's own static files."""
    config.html_context = dict(config.html_context or {})
    config.html_context.setdefault("default_mode", "light")
    config.mathjax_path = LOCAL_MATHJAX


def _local_mathjax_exists(app: Sphinx) -> bool:
    static_dirs = [Path(app.confdir or app.srcdir) / p for p in app.config.html_static_path]
    static_dirs.append(Path(app.srcdir) / "book" / "_static")
    return any((d / LOCAL_MATHJAX).is_file() for d in static_dirs)


def _page_assets(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Drop thebe and unused MathJax from the page; refuse assets from other hosts."""
    scripts = list(context.get("script_files") or [])
    domain = app.env.get_domain("math")
    has_maths = domain.has_equations(pagename)  # type: ignore[attr-defined]
    kept = []
    for script in scripts:
        if _is_thebe(script):
            continue
        if str(getattr(script, "filename", "") or "").endswith(LOCAL_MATHJAX):
            if not has_maths:
                continue
            if not _local_mathjax_exists(app):
                logger.warning(
                    "page %s has maths, but the book has no local MathJax: put MathJax's "
                    "tex-chtml.js bundle in book/_static/%s (the book must not load it from a CDN)",
                    pagename, LOCAL_MATHJAX, type="nptsc", subtype="offline", location=pagename)
        kept.append(script)
    context["script_files"] = kept
    for script in kept:
        if _is_remote(getattr(script, "filename", None)):
            logger.warning("page %s would load a script from another host: %s", pagename, script.filename,
                           type="nptsc", subtype="offline", location=pagename)
    for sheet in context.get("css_files") or []:
        if _is_remote(getattr(sheet, "filename", None)):
            logger.warning("page %s would load a style sheet from another host: %s", pagename, sheet.filename,
                           type="nptsc", subtype="offline", location=pagename)


REDIRECT_PAGE = """<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="0; url={target}">
<title>{title}</title>
<link rel="icon" href="data:,">
</head>
<body>
<main>
<h1>{title}</h1>
<p><a href="{target}">Read the report</a>.</p>
</main>
</body>
</html>
"""


def _write_front_door(app: Sphinx, exception: Exception | None) -> None:
    """The site's ``index.html``: an accessible page that leads to the book's first page.

    Its icon is empty and inline: the page is left at once, and a request for an icon
    would be cut off (and, over HTTP, without any icon the browser asks for /favicon.ico).
    """
    if exception is not None or app.builder.format != "html":
        return
    root = app.config.root_doc
    if root == "index":
        return
    page = REDIRECT_PAGE.format(language=html.escape(app.config.language or "en"),
                                target=html.escape(f"{root}.html"),
                                title=html.escape(app.config.html_title or app.config.project))
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


_TOGGLE = re.compile(r'(<a class="[^"]*\breference\b[^"]*" href="[^"]*">(?P<title>(?:(?!</a>).)*?)</a>\s*<details(?: [^>]*)?>\s*)'
                     r'<summary>(?=<span class="toctree-toggle")', re.S)
_BARE_TOGGLE = '<summary><span class="toctree-toggle"'


def name_section_toggles(html_text: str) -> str:
    """Give each navigation toggle without text an accessible name from its chapter's title."""
    def named(match: re.Match) -> str:
        title = html.unescape(re.sub(r"<[^>]+>", "", match.group("title"))).strip()
        label = html.escape(f"Sections of {title}" if title else "Sections", quote=True)
        return f'{match.group(1)}<summary aria-label="{label}">'

    text = _TOGGLE.sub(named, html_text)
    return text.replace(_BARE_TOGGLE, '<summary aria-label="Sections"><span class="toctree-toggle"')


def _name_toggles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """Wrap the theme's navigation builder so that every toggle it draws has a name."""
    original = context.get("generate_toctree_html")
    if original is None:
        return

    def generate_toctree_html(*args: Any, **kwargs: Any) -> Any:
        from markupsafe import Markup

        return Markup(name_section_toggles(str(original(*args, **kwargs))))

    context["generate_toctree_html"] = generate_toctree_html


#: Pages Sphinx writes that have no source document.
GENERATED_PAGES = {"genindex", "search", "py-modindex", "index"}


def _remove_stale_pages(app: Sphinx, exception: Exception | None) -> None:
    """Delete HTML pages (and their copied sources) of documents no longer in the book."""
    if exception is not None or app.builder.name != "html":
        return
    outdir = Path(app.outdir)
    keep = set(app.env.all_docs) | GENERATED_PAGES | set(app.config.html_additional_pages)
    for page in outdir.rglob("*.html"):
        relative = page.relative_to(outdir)
        if relative.parts[0] in ("_static", "_images", "_downloads", "_sources"):
            continue
        docname = relative.with_suffix("").as_posix()
        if docname not in keep:
            page.unlink()
            logger.info("removed %s: its source is no longer in the book", relative.as_posix())
            folder = page.parent
            while folder != outdir and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent


def notebook_glue(path: Path) -> dict[str, dict[str, Any]]:
    """Each value an executed notebook glues: key → {"evidence", "shown"} (its text forms).

    The evidence class is the one ``nptsc_eval.report.glue`` keeps in the output's metadata
    (``nptsc.evidence``); "shown" holds the text/plain and text/html forms, either of which
    the page may show.
    """
    import json

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    values: dict[str, dict[str, Any]] = {}
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            meta = out.get("metadata") or {}
            scrapbook = meta.get("scrapbook") or {}
            if "name" not in scrapbook:
                continue
            prefix = scrapbook.get("mime_prefix", "")
            shown = []
            for mime in ("text/plain", "text/html"):
                text = out.get("data", {}).get(prefix + mime, out.get("data", {}).get(mime))
                if text is not None:
                    shown.append(text if isinstance(text, str) else "".join(text))
            values[scrapbook["name"]] = {"evidence": str((meta.get("nptsc") or {}).get("evidence", "")), "shown": shown}
    return values


def evidence_problems(refs: dict[str, list[tuple[str, str, int]]], notebooks: dict[str, dict[str, dict[str, Any]]],
                      restricted: tuple[str, ...] = RESTRICTED_PAGES) -> list[tuple[str, int, str]]:
    """What breaks the rules of evidence: (page, line, message) for each problem.

    ``refs`` maps each page to the glued values it uses from other documents (notebook,
    key, line); ``notebooks`` maps each executed notebook's document name to
    :func:`notebook_glue`.  A restricted page may not use a synthetic value; a synthetic
    value anywhere must show :data:`SYNTHETIC_MARKER` in every text form it can be shown in.
    """
    problems = []
    for page in sorted(refs):
        if page not in restricted:
            continue
        for notebook, key, line in refs[page]:
            value = notebooks.get(notebook, {}).get(key)
            if value and value["evidence"] == SYNTHETIC_CLASS:
                problems.append((page, line, f"page {page} uses glued value '{key}' of {notebook}, whose evidence class "
                                             f"is '{SYNTHETIC_CLASS}': the landing page, executive summary, conclusions "
                                             "and recommendations may only use published, derived, real-survey or "
                                             "descriptive values"))
    for notebook in sorted(notebooks):
        for key, value in notebooks[notebook].items():
            if value["evidence"] == SYNTHETIC_CLASS and not all(SYNTHETIC_MARKER in t for t in value["shown"]):
                problems.append((notebook, 0, f"glued value '{key}' of {notebook} has evidence class '{SYNTHETIC_CLASS}' "
                                              f"but its text does not show the marker {SYNTHETIC_MARKER}"))
    return problems


def _glue_refs(env: Any) -> dict[str, list[tuple[str, str, int]]]:
    if not hasattr(env, "nptsc_glue_refs"):
        env.nptsc_glue_refs = {}
    return env.nptsc_glue_refs


def _clear_glue_cache(app: Sphinx) -> None:
    """MyST-NB caches glued values per process: clear it, so a second build in one process reads fresh values."""
    from myst_nb.ext.glue.crossref import read_glue_cache

    read_glue_cache.cache_clear()


def _record_glue_refs(app: Sphinx, doctree: Any) -> None:
    """Note the values a page glues from notebooks (their dependency is noted on ``source-read``)."""
    from myst_nb.ext.glue.utils import PendingGlueReference

    env = app.env
    refs = []
    for node in doctree.findall(PendingGlueReference):
        refs.append((node.refdoc, node.key, node.line or 0))
    _glue_refs(env)[env.docname] = refs


def _purge_glue_refs(app: Sphinx, env: Any, docname: str) -> None:
    _glue_refs(env).pop(docname, None)


def _merge_glue_refs(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    for docname in docnames:
        if docname in _glue_refs(other):
            _glue_refs(env)[docname] = _glue_refs(other)[docname]


def _always_check_restricted(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Re-read the restricted pages on every build, so the evidence check runs every time."""
    return [d for d in RESTRICTED_PAGES if d in env.found_docs and d not in added | changed]


def _check_evidence(app: Sphinx, env: Any) -> None:
    """Fail the build when a page breaks the rules of evidence (see :func:`evidence_problems`)."""
    notebooks = {doc: notebook_glue(env.doc2path(doc)) for doc in sorted(env.found_docs)
                 if str(env.doc2path(doc)).endswith(".ipynb")}
    for page, line, message in evidence_problems(_glue_refs(env), notebooks):
        logger.warning(message, type="nptsc", subtype="evidence", location=(page, line or None))


#: A cross-document glue reference: ``{glue}`path/to/notebook.ipynb::key```.
CROSS_GLUE = re.compile(r"\{glue(?::[a-z]+)?\}`\s*([^`:]+\.ipynb)::([^`]+)`")


def _note_glue_dependencies(app: Sphinx, docname: str, source: list[str]) -> None:
    """Record each notebook a page glues from as a dependency of the page."""
    folder = Path(app.env.doc2path(docname)).parent
    for path in sorted({m.group(1) for m in CROSS_GLUE.finditer(source[0])}):
        target = (folder / path).resolve()
        if target.exists():
            app.env.note_dependency(str(target))


#: Where the data files go in the HTML output.
DATA_FOLDER = "_data"
#: The zip of data/raw and data/processed, inside :data:`DATA_FOLDER`.
DATA_ZIP = "nptsc-eval-data.zip"
#: A link (href or src) in a page, to read the relative ones that point into :data:`DATA_FOLDER`.
_LINK = re.compile(r'(?:href|src)="([^"#?]+)')


def write_data_zip(project: Path, target: Path) -> None:
    """A zip of ``data/raw/`` and ``data/processed/`` with fixed dates, so two builds give the same bytes."""
    import zipfile

    target.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for folder in ("data/raw", "data/processed") for p in (project / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith("."))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(project).as_posix(), date_time=(2011, 7, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())


def broken_data_links(outdir: Path) -> list[str]:
    """Every link of an HTML page of ``outdir`` into :data:`DATA_FOLDER` whose file is missing, as "page: link"."""
    import urllib.parse

    broken = []
    for page in sorted(outdir.rglob("*.html")):
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in link or DATA_FOLDER + "/" not in link:
                continue
            target = (page.parent / urllib.parse.unquote(html.unescape(link))).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(outdir).as_posix()}: {link}")
    return broken


def _ship_data(app: Sphinx, exception: Exception | None) -> None:
    """Copy the downloads and the data zip into the HTML output; fail on a link to a missing file."""
    import shutil

    from sphinx.errors import ExtensionError

    # The one-page build behind the PDF has no data folder: a printed page cannot download,
    # and the print style sheet hides the links.
    if exception is not None or app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    project, outdir = Path(app.srcdir), Path(app.outdir)
    data = outdir / DATA_FOLDER
    if data.exists():
        shutil.rmtree(data)
    downloads = project / "data" / "processed" / "downloads"
    (data / "downloads").mkdir(parents=True)
    for csv in sorted(downloads.glob("*.csv")) if downloads.is_dir() else []:
        shutil.copyfile(csv, data / "downloads" / csv.name)
    write_data_zip(project, data / DATA_ZIP)
    package = project / "data" / "processed" / "datapackage.json"
    if package.is_file():
        shutil.copyfile(package, data / package.name)
    broken = broken_data_links(outdir)
    if broken:
        raise ExtensionError("links to data files that the build did not write:\n  " + "\n  ".join(broken))


def setup(app: Sphinx) -> dict[str, Any]:
    # A digest of this file and of book/_static as a config value. When either changes,
    # Sphinx sees the HTML configuration change, writes every page again and copies the
    # static files; otherwise a change of style sheet alone would never reach the output.
    import hashlib

    digest = hashlib.sha256(Path(__file__).read_bytes())
    static = Path(app.srcdir) / "book" / "_static"  # the project being built, not the first one imported
    for asset in sorted(static.rglob("*")) if static.is_dir() else []:
        if asset.is_file():
            digest.update(asset.relative_to(static).as_posix().encode() + asset.read_bytes())
    app.add_config_value("nptsc_html_digest", digest.hexdigest(), "html")
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _clear_glue_cache)
    app.connect("doctree-read", _record_glue_refs)
    app.connect("env-purge-doc", _purge_glue_refs)
    app.connect("env-merge-info", _merge_glue_refs)
    app.connect("env-get-outdated", _always_check_restricted)
    app.connect("env-check-consistency", _check_evidence)
    app.connect("source-read", _note_glue_dependencies)
    # After the theme, thebe and MathJax have added their scripts (default priority 500).
    app.connect("html-page-context", _page_assets, priority=900)
    app.connect("html-page-context", _name_toggles, priority=900)
    # After sphinx-external-toc has written its bare redirect.
    app.connect("build-finished", _write_front_door, priority=900)
    app.connect("build-finished", _remove_stale_pages, priority=800)
    app.connect("build-finished", _ship_data, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
