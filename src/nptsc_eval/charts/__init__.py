"""Charts: the book's house style and every colour it draws with.

* :mod:`nptsc_eval.charts.colours` names each colour once and the colour maps built from them;
* :mod:`nptsc_eval.charts.style` sets the house style (:func:`setup`), checks contrast and
  legibility, and draws the KPI chart.

Chart functions return matplotlib figures; :func:`nptsc_eval.report.show_figure` shows them.
"""



def setup() -> None:
    """House style for every chart (see :func:`nptsc_eval.charts.style.setup`)."""
    from nptsc_eval.charts.style import setup as _setup

    _setup()
