"""The examples in the package's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from nptsc_eval import paths



def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        if ">>>" in path.read_text(encoding="utf-8"):
            relative = path.relative_to(paths.PACKAGE_DIR.parent).with_suffix("")
            names.append(".".join(p for p in relative.parts if p != "__init__"))
    return names


def test_the_package_has_examples_to_run():
    assert {"nptsc_eval.problems", "nptsc_eval.build.written", "nptsc_eval.tables"} <= set(_modules_with_examples())


@pytest.mark.parametrize("name", _modules_with_examples())
def test_examples_in_docstrings(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(module, name) if t.examples]
    for test in tests:
        runner.run(test, out=lambda text: None)
    failed = runner.summarize(verbose=False).failed
    if failed:
        # Run again to show what differed.
        report: list[str] = []
        for test in tests:
            doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test, out=report.append)
        pytest.fail(f"{failed} example(s) in {Path(module.__file__ or name).name} failed:\n" + "".join(report))
