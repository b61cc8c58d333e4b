"""Executed notebooks: made deterministic, titled, given alt text; prose refreshed without running."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from nptsc_eval.build.spec import Run
from nptsc_eval.errors import PipelineError
from nptsc_eval.project import Project


def glued_text(nb: dict[str, Any], key: str) -> str | None:
    """The text/plain form of the value a notebook glued under ``key``, or None."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            scrapbook = out.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name") == key:
                # With papermill installed, glue records its data under a MIME prefix.
                data = out.get("data", {})
                text = data.get(scrapbook.get("mime_prefix", "") + "text/plain", data.get("text/plain"))
                if text is None:
                    return None
                return text if isinstance(text, str) else "".join(text)
    return None



def _glued_value(nb: dict[str, Any], key: str) -> Any:
    text = glued_text(nb, key)
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text



def finish_executed_notebook(path: Path) -> None:
    """Prepare an executed notebook for the book.

    * A notebook that glues ``chapter_title`` gets that title as its first heading, so one
      parameterised notebook makes chapters with titles from its data.
    * Alt text that :func:`nptsc_eval.report.show_figure` put in an image output's metadata
      is copied to the cell metadata, where MyST-NB reads it.
    * What changes from one execution to the next is removed (:func:`make_deterministic`),
      so two builds of the same sources give byte-identical executed notebooks.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    make_deterministic(nb)
    title = _glued_value(nb, "chapter_title")
    if title:
        nb["cells"].insert(0, {"cell_type": "markdown", "id": "chapter-title", "metadata": {},
                               "source": f"# {title}"})
    for cell in nb["cells"]:
        alts = [o.get("metadata", {}).get("image/png", {}).get("alt")
                for o in cell.get("outputs", []) or [] if "image/png" in o.get("data", {})]
        alts = [a for a in alts if a]
        if len(set(alts)) > 1:
            raise PipelineError(f"{Project.current(path.parent).relative(path)}: a cell shows {len(alts)} figures; show one figure per cell so each keeps its alt text")
        if alts:
            cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts[0]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")



#: papermill's notebook metadata that does not change between executions of the same sources.
PAPERMILL_KEPT = ("parameters", "default_parameters", "version")



def make_deterministic(nb: dict[str, Any]) -> None:
    """Remove what differs between two executions of the same notebook with the same data.

    papermill records start and end times, durations and the input and output paths (which
    name the build folder); nbclient records when each message arrived; papermill gives the
    cell it injects a random id.  The times and paths go, and the injected cell gets a fixed id.
    """
    metadata = nb.setdefault("metadata", {})
    papermill = metadata.get("papermill")
    if isinstance(papermill, dict):
        metadata["papermill"] = {k: papermill[k] for k in PAPERMILL_KEPT if k in papermill}
    for cell in nb.get("cells", []):
        cell_metadata = cell.get("metadata", {})
        cell_metadata.pop("papermill", None)
        cell_metadata.pop("execution", None)
        if "injected-parameters" in cell_metadata.get("tags", []):
            cell["id"] = "injected-parameters"



def refresh_prose(run: Run) -> bool:
    """Copy the notebook's Markdown cells into its executed copy (matched by cell id).

    Prose does not change results, so a change to it alone re-renders without re-executing.
    Returns True when the executed copy changed.
    """
    if not run.executed.exists():
        return False
    source = json.loads(run.notebook.read_text(encoding="utf-8"))
    executed = json.loads(run.executed.read_text(encoding="utf-8"))
    prose = {c.get("id"): c["source"] for c in source["cells"] if c["cell_type"] == "markdown"}
    changed = False
    for cell in executed["cells"]:
        if cell["cell_type"] == "markdown" and cell.get("id") in prose and cell["source"] != prose[cell["id"]]:
            cell["source"] = prose[cell["id"]]
            changed = True
    if changed:
        run.executed.write_text(json.dumps(executed, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed



def source_cell_number(executed: Path, index: int) -> int:
    """1-based number of the failing cell in the source notebook (papermill adds cells)."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    number = 0
    for i, cell in enumerate(cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags:
            continue
        number += 1
        if i == index:
            return number
    return index + 1


#: Output types that are binary images (base64 in the notebook file).  nbval does not compare
#: them, and they are most of a stored notebook's size, so stored notebooks keep none.
BINARY_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/tiff",
                      "application/pdf")


def _is_binary_image(mime: str) -> bool:
    """True for a binary image type, also under a prefix (glue records ``application/papermill.record/image/png``)."""
    return any(mime == t or mime.endswith("/" + t) for t in BINARY_IMAGE_TYPES)


def strip_binary_images(nb: dict[str, Any]) -> int:
    """Remove binary image data (and its metadata) from every output; return how many were removed.

    The output itself stays, with its text form (``text/plain``, the figure's description),
    so nbval still finds the same outputs in the same places.
    """
    removed = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            for mime in [m for m in output.get("data", {}) if _is_binary_image(m)]:
                del output["data"][mime]
                output.get("metadata", {}).pop(mime, None)
                removed += 1
    return removed


def tidy_stored_notebook(path: Path) -> int:
    """Make a refreshed source notebook fit to store: no papermill timings, no binary images.

    Returns how many images were removed.
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb.get("metadata", {}).pop("papermill", None)
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    removed = strip_binary_images(nb)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return removed
