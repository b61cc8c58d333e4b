"""The build engine: notebooks executed incrementally with papermill, then the book built.

One job per module:

* :mod:`~nptsc_eval.build.spec`: ``pipeline.yml`` read into checked models; runs in dependency order;
* :mod:`~nptsc_eval.build.cache`: cache keys, and why a run must execute again;
* :mod:`~nptsc_eval.build.state`: the record of finished runs, and the build lock;
* :mod:`~nptsc_eval.build.kernels`: executing a notebook; the pool of warm kernels;
* :mod:`~nptsc_eval.build.executed`: executed notebooks made ready for the book;
* :mod:`~nptsc_eval.build.scheduler`: the runs that changed, in order, ``jobs`` at a time;
* :mod:`~nptsc_eval.build.book`: the Jupyter Book build, swapped in only when it succeeds;
* :mod:`~nptsc_eval.build.provenance` and :mod:`~nptsc_eval.build.datapackage`: what the build
  records about the values, figures and files it made;
* :mod:`~nptsc_eval.build.pdf`: the whole book as one PDF;
* :mod:`~nptsc_eval.build.engine`: :func:`build`, all of the above in order.

A notebook that raises stops the build with a message naming the notebook, the cell and the
exception; the executed copy with the error is kept in ``_build/failed/``; the published book
in ``_build/html/`` is left as it was.
"""

from nptsc_eval.build.book import build_book
from nptsc_eval.build.engine import build
from nptsc_eval.build.executed import glued_text
from nptsc_eval.build.kernels import execute_notebook
from nptsc_eval.build.scheduler import NotebookFailed, RunResult, run_notebooks
from nptsc_eval.build.spec import Run, Spec, load_spec

__all__ = ["build", "build_book", "execute_notebook", "glued_text", "load_spec", "run_notebooks", "NotebookFailed",
           "Run", "RunResult", "Spec"]
