"""Facts: the computed values other parts of the project check against.

Each notebook records the values it computes that a reader could check against the source
report (a total, a count, a percentage, a status) under stable ids, and writes them to
``data/processed/facts_<name>.csv``.  The claims audit reads every facts file and tests the
source's statements against them; a claim whose fact no longer exists fails the build.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from nptsc_eval.paths import PROCESSED_DIR, processed

COLUMNS = ["fact_id", "value", "value_type", "unit", "description", "source_location", "produced_by"]


@dataclass
class Facts:
    """The facts one notebook run computes.

    Examples:
        >>> facts = Facts("example")
        >>> facts.add("ivar.attendees.total", 102, unit="people", description="IVAR attendees", source_location="Table 4.2")
        >>> facts.frame()[["fact_id", "value", "value_type"]].to_dict("records")
        [{'fact_id': 'ivar.attendees.total', 'value': '102', 'value_type': 'number'}]
    """

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, fact_id: str, value: Any, *, unit: str = "", description: str = "", source_location: str = "") -> None:
        if any(r["fact_id"] == fact_id for r in self.rows):
            raise ValueError(f"fact {fact_id!r} recorded twice in {self.name}")
        if isinstance(value, bool):
            value_type, text = "boolean", str(value).lower()
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and math.isnan(value):
                value_type, text = "missing", ""
            else:
                value_type, text = "number", f"{value:.10g}"
        elif value is None or (not isinstance(value, str) and pd.isna(value)):
            value_type, text = "missing", ""
        elif hasattr(value, "item"):
            return self.add(fact_id, value.item(), unit=unit, description=description, source_location=source_location)
        else:
            value_type, text = "text", str(value)
        self.rows.append({"fact_id": fact_id, "value": text, "value_type": value_type, "unit": unit,
                          "description": description, "source_location": source_location, "produced_by": self.name})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=COLUMNS)

    def write(self) -> None:
        """Write ``data/processed/facts_<name>.csv``."""
        self.frame().to_csv(processed(f"facts_{self.name}.csv"), index=False)


def load_facts(folder=None) -> pd.DataFrame:
    """Every fact of every notebook, one row each; ids are unique across the project."""
    folder = folder or PROCESSED_DIR
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("facts_*.csv"))]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    facts = pd.concat(frames, ignore_index=True)
    repeated = facts[facts["fact_id"].duplicated(keep=False)]
    if not repeated.empty:
        raise ValueError("facts recorded by more than one notebook: " + ", ".join(sorted(set(repeated["fact_id"]))))
    return facts
