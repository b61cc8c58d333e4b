"""Case studies and qualitative evidence, one module per job.

* :mod:`~nptsc_eval.cases.records`: the case records (one YAML file per case), their model,
  loading and checks, and the coding frame;
* :mod:`~nptsc_eval.cases.quotations`: the quotation bank, checked, and shown with a theme filter;
* :mod:`~nptsc_eval.cases.matrix`: the cross-case matrix and the tables that compare the cases;
* :mod:`~nptsc_eval.cases.stakeholders`: the people of Appendix 1;
* :mod:`~nptsc_eval.cases.pages`: one page per case, from a Jinja2 template.

The matrix chart is drawn by :mod:`nptsc_eval.charts.cases`; the chapter itself is
:mod:`nptsc_eval.cases_chapter`.
"""
