"""Stored notebooks keep no binary images: ``refresh`` strips them (nbval does not compare them)."""

from __future__ import annotations

import base64
import json
import shutil

import nbformat

from nptsc_eval import paths
from nptsc_eval.build.executed import strip_binary_images, tidy_stored_notebook

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(2000)).decode()


def _figure_output(alt: str) -> dict:
    return {"output_type": "display_data",
            "data": {"image/png": PNG, "image/jpeg": PNG, "image/svg+xml": "<svg/>",
                     "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
            "metadata": {"image/png": {"alt": alt}, "needs_background": "light"}}


def test_tidying_removes_every_binary_image_and_keeps_each_output_and_its_text(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"duration": 3.2}
    cell = nbformat.v4.new_code_cell("show()", metadata={"papermill": {"start_time": "x"}, "execution": {"iopub.status.busy": "2026-01-01T00:00:00Z"}})
    cell.outputs = [nbformat.from_dict(_figure_output("Bar chart: 28 of 30 places")),
                    nbformat.from_dict({"output_type": "display_data", "metadata": {"scrapbook": {"name": "fig"}},
                                        "data": {"application/papermill.record/image/png": PNG,
                                                 "application/papermill.record/text/plain": "fig"}})]
    nb.cells = [cell]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(nb, path)
    assert tidy_stored_notebook(path) == 3
    stored = json.loads(path.read_text(encoding="utf-8"))
    first, second = stored["cells"][0]["outputs"]
    assert set(first["data"]) == {"image/svg+xml", "text/plain"}
    assert first["metadata"] == {"needs_background": "light"}
    assert set(second["data"]) == {"application/papermill.record/text/plain"}
    assert "papermill" not in stored["metadata"] and stored["cells"][0]["metadata"] == {}
    assert PNG not in path.read_text(encoding="utf-8")
    nbformat.validate(nbformat.read(path, as_version=4))


def test_a_real_stored_notebook_loses_only_its_images(tmp_path):
    source = paths.NOTEBOOKS_DIR / "01-programme-outputs.ipynb"
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    before = json.loads(source.read_text(encoding="utf-8"))
    images = sum(1 for c in before["cells"] for o in c.get("outputs", []) for m in o.get("data", {})
                 if m.endswith("image/png"))
    assert tidy_stored_notebook(copy) == images
    after = json.loads(copy.read_text(encoding="utf-8"))
    assert [len(c.get("outputs", [])) for c in after["cells"]] == [len(c.get("outputs", [])) for c in before["cells"]]
    assert strip_binary_images(after) == 0
    assert not any(m.endswith("image/png") for c in after["cells"] for o in c.get("outputs", []) for m in o["data"])
