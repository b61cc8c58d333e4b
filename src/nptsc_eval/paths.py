"""Every path of the project, anchored at the project root, never at the current directory."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("NPTSC_EVAL_ROOT", Path(__file__).resolve().parents[2])).resolve()
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
BOOK_DIR = PROJECT_ROOT / "book"
EXECUTED_DIR = BOOK_DIR / "executed"
BUILD_DIR = PROJECT_ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
PIPELINE_FILE = PROJECT_ROOT / "pipeline.yml"
PACKAGE_DIR = Path(__file__).resolve().parent


def relative(path: Path | str) -> str:
    """Return ``path`` relative to the project root when it lies inside it, for messages."""
    p = Path(path).resolve()
    try:
        return p.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)


def processed(name: str) -> Path:
    """Path of a file in ``data/processed/``, creating the folder on first use."""
    PROCESSED_DIR.mkdir(parents=True, exist_ok=True)
    return PROCESSED_DIR / name
