"""Work a cold build does once instead of twice, and tests of many datasets run together.

* The paired Wilcoxon and sign tests of the findings are run for all the consistent datasets
  at once; their p-values equal those of the one-at-a-time tests.
* A cache entry two processes ask for at the same time is computed once.
* The survey-bounds section takes its bounds table from the entry the survey chapter uses.
"""

from __future__ import annotations

import multiprocessing
import time

import numpy as np
import pytest
from scipy.stats import binomtest

from nptsc_eval.caching import DiskCache
from nptsc_eval.survey import bounds, draw_metrics, robustness, stats
from nptsc_eval.survey.synth import synthesise


def _sample(rng: np.random.Generator, n: int, missing: float) -> tuple[np.ndarray, np.ndarray]:
    before = rng.integers(-2, 3, n).astype(float)
    after = np.clip(before + rng.integers(-1, 3, n), -2, 2).astype(float)
    before[rng.random(n) < missing] = np.nan
    after[rng.random(n) < missing] = np.nan
    return before, after


def test_wilcoxon_of_many_samples_equals_one_at_a_time():
    rng = np.random.default_rng(7)
    # Short samples (SciPy picks its method from their ties), long ones of the same length
    # (tested together), samples where nobody moved and an empty one.
    samples = [_sample(rng, int(n), 0.1) for n in rng.integers(3, 50, 40)]
    samples += [_sample(rng, n, 0.0) for n in (60, 60, 60, 80, 80, 200, 200, 200, 251)]
    samples += [_sample(rng, int(n), 0.2) for n in rng.integers(51, 260, 60)]
    samples += [(np.array([1.0, 2.0, 2.0]), np.array([1.0, 2.0, 2.0])), (np.array([]), np.array([]))]
    many = stats.wilcoxon_p_many(samples)
    one = np.array([stats.paired_tests(b, a).wilcoxon_p for b, a in samples])
    assert np.array_equal(many, one, equal_nan=True)
    assert many[-2] == 1.0 and np.isnan(many[-1])
    assert np.nanmin(many) < 0.05 < np.nanmax(many)  # significant and non-significant samples both tested


def test_sign_test_of_many_counts_equals_binomtest():
    rng = np.random.default_rng(3)
    pos = np.concatenate([rng.integers(0, 120, 300), [0, 5, 5]])
    neg = np.concatenate([rng.integers(0, 120, 300), [0, 5, 5]])
    many = stats.sign_test_p_many(pos, neg)
    one = [np.nan if k + m == 0 else binomtest(int(k), int(k + m), 0.5).pvalue for k, m in zip(pos, neg)]
    assert np.array_equal(many, np.array(one), equal_nan=True)


@pytest.fixture(scope="module")
def cs():
    return bounds.build()


def test_the_findings_tests_on_many_datasets_equal_each_dataset_s(cs):
    rng = np.random.default_rng(11)
    counts = rng.integers(0, 12, size=(40, cs.n)).astype(float)
    tested = [f["metric"] for f in cs.checks if f["metric"]["type"] in ("wilcoxon_p", "sign_test_p")]
    assert {m["type"] for m in tested} == {"wilcoxon_p", "sign_test_p"}
    for m in tested:
        one = np.array([draw_metrics.evaluator(cs, m)(x) for x in counts])
        assert np.array_equal(draw_metrics.evaluate_many(cs, m, counts), one, equal_nan=True), m


def _ask(folder: str, marks: str, ready) -> object:
    def compute() -> int:
        with open(marks, "a") as out:
            out.write("computed\n")
        time.sleep(1)  # long enough for the other process to ask meanwhile
        return 42

    ready.wait()  # both ask at the same moment
    return DiskCache(folder, "shared").get("key", compute)


def test_an_entry_two_processes_ask_for_at_once_is_computed_once(tmp_path):
    marks = tmp_path / "marks.txt"
    context = multiprocessing.get_context("spawn")
    ready = context.Manager().Barrier(2, timeout=60)
    with context.Pool(2) as pool:
        results = pool.starmap(_ask, [(str(tmp_path / "cache"), str(marks), ready)] * 2)
    assert marks.read_text().splitlines() == ["computed"]
    assert sorted(results) == [(False, 42), (True, 42)]


def test_the_bounds_section_reads_the_survey_chapter_s_bounds(tmp_path, monkeypatch):
    from nptsc_eval.survey import bounds_cache

    monkeypatch.setenv(bounds_cache.CACHE_ENV, str(tmp_path / "cache"))
    synthetic = synthesise()
    chapter = robustness.cached_bounds(None, synthetic)  # what the survey chapter asks for
    computed = []
    original = bounds.survey_bounds
    monkeypatch.setattr(bounds, "survey_bounds", lambda *a, **k: computed.append(1) or original(*a, **k))
    out = robustness.build_outputs(None, synthetic, k=20, pool=4, n_jobs=1)
    assert computed == []
    assert out["bounds"].equals(chapter)
    assert len(out["robustness"]) == len(bounds.build().checks)


_WORDS_SCRIPT = """
import sys
{prepare}
from nptsc_eval import wording
words = [wording.count(n, noun) for n in (0, 1, 2, 7, 12) for noun in ("case study", "analysis", "person", "child",
                                                                         "impact", "sector", "criterion", "datum")]
words += [wording.ordinal(n) for n in (1, 2, 3, 11, 12, 21, 102)] + [wording.plural(w, 2) for w in ("bus", "wife", "ox")]
print(repr(words))
print("typeguard" in sys.modules and getattr(sys.modules["typeguard"], "__file__", None) is not None)
"""


def _words(prepare: str) -> list[str]:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _WORDS_SCRIPT.format(prepare=prepare)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    return out


def test_inflect_without_typeguard_s_instrumentation_writes_the_same_words():
    # inflect imported as usual (instrumented by typeguard) against the package's import of it.
    checked = _words("import inflect")
    fast = _words("import typeguard")  # the real typeguard loaded first: it must be left in place
    assert fast[0] == checked[0]
    assert "'two case studies'" in fast[0] and "'first'" in fast[0]
    assert fast[1] == "True"  # the real typeguard module is back in sys.modules
    fresh = _words("")
    assert fresh[0] == checked[0] and fresh[1] == "False"  # no stand-in typeguard left behind


_WARM_SCRIPT = """
import sys
from nptsc_eval.build import engine
from nptsc_eval.project import Project

class Pool:
    enabled = True
    def warm(self, count, folder, modules):
        print("at kernel start:", count, modules, "nbformat" in sys.modules, "papermill" in sys.modules)

engine.warm_kernels(Pool(), Project.current().root, None, True, 2)
print("after:", "nbformat" in sys.modules, "papermill" in sys.modules)
"""


def test_kernels_start_before_the_slow_notebook_modules_are_imported():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _WARM_SCRIPT], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["at kernel start: 2 ('nptsc_eval.kernel_preload',) False False", "after: True True"]


def _imports_in_a_fresh_process(code: str) -> dict:
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code + "\nimport json, sys\nprint(json.dumps(result))"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_package_leaves_out_the_iri_checker_and_notebooks_are_still_validated():
    code = """
import nptsc_eval, sys, nbformat, jsonschema
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
nbformat.validate(nb)
bad = dict(nb, cells=[{"cell_type": "code"}])
try:
    nbformat.validate(bad)
    invalid_found = False
except nbformat.ValidationError:
    invalid_found = True
checks = jsonschema.Draft7Validator.FORMAT_CHECKER.checkers
result = {"loaded": sys.modules.get("rfc3987_syntax", "absent") is not None, "invalid_found": invalid_found,
          "iri": "iri" in checks, "date-time": "date-time" in checks, "email": "email" in checks}
"""
    result = _imports_in_a_fresh_process(code)
    assert result == {"loaded": False, "invalid_found": True, "iri": False, "date-time": True, "email": True}


def test_once_jsonschema_is_imported_the_iri_checker_is_left_as_it_is():
    code = """
import jsonschema, sys
from nptsc_eval.import_speed import skip_iri_format_checker
result = {"skipped": skip_iri_format_checker(), "loaded": "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is not None,
          "iri": "iri" in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers}
"""
    assert _imports_in_a_fresh_process(code) == {"skipped": False, "loaded": True, "iri": True}
