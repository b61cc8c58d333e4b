"""The three delivery strands, one module per job.

Chapters 3, 4 and 5 of the source each evaluate one delivery strand through its projects.
One notebook (``03-strand.ipynb``) makes a chapter of each, with ``strand`` as its parameter,
through :mod:`nptsc_eval.strand_chapter`; the work is done here:

* :mod:`~nptsc_eval.strands.logic_model`: the strand, its projects and its logic model;
* :mod:`~nptsc_eval.strands.partners`: the partners' KPI attainment, other figures and findings;
* :mod:`~nptsc_eval.strands.tables`: the strands' own tables (IVAR, bursary, bassac, ACEVO);
* :mod:`~nptsc_eval.strands.sections`: the sections only some strands have, their prose,
  the strand's checkable facts and the checks run before any notebook.

Charts are drawn by :mod:`nptsc_eval.charts.strands`. Every loader raises
:class:`~nptsc_eval.errors.DataValidationError` naming file, row and column when the data
break a rule; no function modifies its inputs.
"""
