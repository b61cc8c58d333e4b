"""What every notebook of the report imports first: the module ``pipeline.yml`` names in
``kernel_preload``, so a build's first kernels import it while the build checks its data.

Importing it has no effect beyond the imports: pandas, matplotlib's pyplot, the package's
report, chart and fact helpers, and inflect (the way :func:`nptsc_eval.wording.import_inflect`
imports it).
"""

from __future__ import annotations

import matplotlib.pyplot  # noqa: F401
import pandas  # noqa: F401

from nptsc_eval import charts, facts, report, wording  # noqa: F401

wording.import_inflect()
