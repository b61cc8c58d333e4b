"""One optional import left out of every process that imports the package: ``rfc3987_syntax``.

nbformat, which papermill, nbclient, nbval and MyST-NB all import, imports jsonschema; jsonschema's
format checkers import ``rfc3987_syntax`` when it is installed (it comes with
``jsonschema[format-nongpl]``), and that compiles 38 Lark grammars on import: about a second of
CPU in every build, every Sphinx run and every test process (python-jsonschema/jsonschema#1428).
It serves only the ``iri`` and ``iri-reference`` string formats, which no notebook schema and
nothing in this project uses.  :func:`skip_iri_format_checker` makes that import fail, so jsonschema
goes on without those two format checks; every other format check stays.
"""

from __future__ import annotations

import sys

#: The module left out, and the jsonschema formats that go with it.
SKIPPED_MODULE = "rfc3987_syntax"
SKIPPED_FORMATS = ("iri", "iri-reference")


def skip_iri_format_checker() -> bool:
    """Leave out ``rfc3987_syntax`` if jsonschema has not been imported yet; True if it is left out.

    Once jsonschema is imported its format checkers are fixed, so a later call changes nothing.

    Examples:
        >>> import jsonschema
        >>> skip_iri_format_checker() == (sys.modules.get("rfc3987_syntax", "") is None)
        True
    """
    if "jsonschema" in sys.modules or SKIPPED_MODULE in sys.modules:
        return sys.modules.get(SKIPPED_MODULE, "") is None
    sys.modules[SKIPPED_MODULE] = None  # type: ignore[assignment]  # "import rfc3987_syntax" now raises ImportError
    return True
