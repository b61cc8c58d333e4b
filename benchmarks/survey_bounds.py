"""Time the survey bounds and the draws of consistent datasets; print a Markdown table.

Usage: .venv/bin/python benchmarks/survey_bounds.py [--draws 1000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from nptsc_eval.paths import RAW_DIR
from nptsc_eval.survey import bounds, robustness
from nptsc_eval.survey.exports import load_survey


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=robustness.DEFAULT_DRAWS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    synthetic = load_survey(RAW_DIR / "survey_responses_synthetic.csv").frame
    started = time.perf_counter()
    cs = bounds.build()
    table = bounds.survey_bounds(cs, synthetic)
    t_bounds = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = robustness.findings_robustness(cs, bounds.counts_from_frame(cs, synthetic), k=args.draws,
                                              n_jobs=args.jobs)
    t_draws = time.perf_counter() - started
    print(f"Measured on {os.cpu_count()} cores, Python {platform.python_version()}, load average "
          f"{os.getloadavg()[0]:.1f} at the end (the machine was shared).\n")
    print("| measurement | result | target |")
    print("| --- | --- | --- |")
    print(f"| bounds of {len(table)} quantities (exact integer programmes) | {t_bounds:.1f} s | |")
    print(f"| {args.draws:,} draws with every finding evaluated ({robustness.DEFAULT_POOL} solved datasets, "
          f"{args.jobs} processes) | {t_draws:.1f} s | |")
    print(f"| bounds plus draws | {t_bounds + t_draws:.1f} s | ≤ 60 s |")
    print(f"| cost per draw | {1000 * t_draws / args.draws:.0f} ms | |")
    print(f"| findings | {len(verdicts)} | |")


if __name__ == "__main__":
    main()
