"""No module of the package is over about 450 lines: one job per module, found in one look."""

from __future__ import annotations

from pathlib import Path

import nptsc_eval

PACKAGE = Path(nptsc_eval.__file__).parent
MAX_LINES = 450


def _lengths() -> dict[str, int]:
    return {path.relative_to(PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_is_over_450_lines():
    lengths = _lengths()
    too_long = {name: n for name, n in lengths.items() if n > MAX_LINES}
    assert too_long == {}


def test_the_modules_split_by_job_are_packages_with_short_modules():
    lengths = _lengths()
    for package in ("claims", "report", "cases", "strands", "survey", "charts"):
        modules = {name: n for name, n in lengths.items() if name.startswith(f"{package}/")}
        assert len(modules) >= 4 if package == "claims" else len(modules) >= 3, modules
        assert max(modules.values()) <= MAX_LINES, modules
