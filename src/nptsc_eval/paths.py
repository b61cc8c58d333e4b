"""The paths of the current project (:meth:`nptsc_eval.project.Project.current`), as module names.

Notebooks and chapter modules import these; the build engine works with a
:class:`~nptsc_eval.project.Project` of its own instead.
"""

from __future__ import annotations

from pathlib import Path

from nptsc_eval.project import PACKAGE_DIR, Project

PROJECT = Project.current()
PROJECT_ROOT = PROJECT.root
RAW_DIR = PROJECT.raw
PROCESSED_DIR = PROJECT.processed
NOTEBOOKS_DIR = PROJECT.notebooks
BOOK_DIR = PROJECT.book
EXECUTED_DIR = PROJECT.executed
BUILD_DIR = PROJECT.build_dir
HTML_DIR = PROJECT.html
PIPELINE_FILE = PROJECT.pipeline_file

__all__ = ["PACKAGE_DIR", "PROJECT", "PROJECT_ROOT", "RAW_DIR", "PROCESSED_DIR", "NOTEBOOKS_DIR", "BOOK_DIR",
           "EXECUTED_DIR", "BUILD_DIR", "HTML_DIR", "PIPELINE_FILE", "relative", "processed"]


def relative(path: Path | str) -> str:
    """Return ``path`` relative to the project root when it lies inside it, for messages."""
    return PROJECT.relative(path)


def processed(name: str) -> Path:
    """Path of a file in ``data/processed/``, creating the folder on first use."""
    return PROJECT.processed_file(name)
