"""Pages from Jinja2 templates: every printed value escaped, the provenance page's branches."""

from __future__ import annotations

import doctest

import jinja2
import pandas as pd
import pytest

from nptsc_eval import templating
from nptsc_eval.build.provenance import ITEM_COLUMNS, provenance_page


def test_doctests():
    assert doctest.testmod(templating).failed == 0


def test_a_value_printed_without_a_filter_stops_the_rendering():
    env = templating.environment()
    with pytest.raises(templating.UnescapedValue, match="<b>"):
        env.from_string("Name: {{ name }}").render(name="<b>")
    assert env.from_string("Name: {{ name|text }}").render(name="<b>") == "Name: \\<b\\>"
    assert env.from_string("{{ name|code }}").render(name="a`b") == "`` a`b ``"


def test_an_unknown_value_in_a_template_is_an_error_not_blank():
    with pytest.raises(jinja2.UndefinedError):
        templating.environment().from_string("{{ missing|cell }}").render()


def _runs(**changes) -> pd.DataFrame:
    row = {"run_id": "r", "notebook": "notebooks/r.ipynb", "parameters": "{}", "input_files": 2,
           "inputs_sha256": "f" * 64, "code_sha256": "e" * 64, "package_sha256": "", "synthetic_inputs": ""}
    return pd.DataFrame([row | changes])


def test_a_run_without_values_says_so_and_no_survey_section_appears():
    page = provenance_page(pd.DataFrame(columns=ITEM_COLUMNS), _runs())
    assert "## Run r\n\nNotebook `notebooks/r.ipynb`, parameters `{}`, inputs hash `ffffffffffff`.\n\n" \
           "This run glues no value and draws no figure.\n" in page
    assert "## The survey file" not in page and ":::{warning}" not in page
    assert page.endswith("draws no figure.\n")


def test_synthetic_runs_and_their_files_are_named_once_each_as_code():
    runs = pd.concat([_runs(run_id="a", synthetic_inputs="data/raw/s`x.csv; data/raw/s.meta.yml"),
                      _runs(run_id="b", synthetic_inputs="data/raw/s`x.csv")], ignore_index=True)
    page = provenance_page(pd.DataFrame(columns=ITEM_COLUMNS), runs)
    assert ("**Synthetic data.** Values and figures of `a`, `b` rest on synthetic data (`` s`x.csv ``, `s.meta.yml`), "
            "directly or through") in page
    assert "inputs hash `ffffffffffff`. **Synthetic data.**\n\n" in page


def test_editing_a_template_reruns_the_notebooks_whose_passages_it_holds(tmp_path):
    import shutil

    from nptsc_eval import paths
    from nptsc_eval.build.imports import PackageSources

    package = tmp_path / "nptsc_eval"
    shutil.copytree(templating.TEMPLATES_DIR.parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    audit, strand = paths.NOTEBOOKS_DIR / "05-claims-audit.ipynb", paths.NOTEBOOKS_DIR / "04-case-studies.ipynb"
    before = PackageSources(package)
    template = package / "templates" / "claims_audit.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after = PackageSources(package)
    assert after.notebook_hash(audit) != before.notebook_hash(audit)
    assert after.notebook_hash(strand) == before.notebook_hash(strand)
