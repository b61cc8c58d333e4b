"""Reproducible impact evaluation of the National Programme for Third Sector Commissioning, phase two.

The flow is raw data (``data/raw/``) → this package → papermill-executed notebooks
(``notebooks/``) → a Jupyter Book (``book/``).  Modules follow the stages of that flow:

* :mod:`nptsc_eval.project` names every path of the project, anchored at its root;
* :mod:`nptsc_eval.tables` loads and validates the raw tables against their metadata;
* :mod:`nptsc_eval.kpi` computes programme outputs against KPI targets;
* :mod:`nptsc_eval.charts` draws accessible charts (house style and named colours);
* :mod:`nptsc_eval.build` runs the notebooks incrementally and builds the book;
* :mod:`nptsc_eval.cli` is the ``nptsc-eval`` command line.
"""

__version__ = "0.1.0"

from nptsc_eval.import_speed import skip_iri_format_checker

skip_iri_format_checker()  # a second saved in every process that imports nbformat (see its module)
