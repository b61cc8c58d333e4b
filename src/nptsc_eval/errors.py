"""Errors a user can act on; the command line prints their message without a traceback."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Iterable

from nptsc_eval.paths import relative


class DataValidationError(ValueError):
    """A data file broke one or more of its rules.

    ``problems`` holds one message per problem, each naming the row and column where it
    can; ``str(error)`` names the file and lists them all.
    """

    def __init__(self, path: Path | str, problems: Iterable[str]):
        self.path = Path(path)
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{relative(self.path)} is not valid ({len(self.problems)} problem(s)):\n{lines}")


class PipelineError(RuntimeError):
    """A problem that stops the build; its message says what and where."""
