"""The pipeline specification: ``pipeline.yml`` read into checked models, runs in dependency order.

``pipeline.yml`` lists each notebook, the files it reads (``inputs``), and one or more runs,
each with its papermill parameters and the files it writes (``outputs``).  A run whose inputs
include another run's outputs runs after it; the order comes from :mod:`graphlib`, which also
names any cycle.
"""

from __future__ import annotations

import fnmatch
import glob
import graphlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from nptsc_eval.errors import PipelineError
from nptsc_eval.problems import Problem, problems_from
from nptsc_eval.project import Project
from nptsc_eval.yaml_text import load_yaml

#: Characters that make an input or output a glob pattern, when pipeline.yml itself writes them.
PATTERN_CHARACTERS = "*?["
#: A module name as ``import`` takes it (``kernel_preload``).
MODULE_NAME = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"


class RunEntry(BaseModel):
    """One run of a notebook as ``pipeline.yml`` writes it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    #: Roughly how many seconds the run takes, for a build that has no timing of it yet: the
    #: scheduler starts the runs on the longest chain first (see ``scheduler.start_priority``).
    cost: float | None = Field(default=None, gt=0, allow_inf_nan=False)


class NotebookEntry(BaseModel):
    """One notebook of ``pipeline.yml``: what it reads and its runs (one run named after it when none)."""

    model_config = ConfigDict(extra="forbid")

    notebook: str
    inputs: list[str] = Field(default_factory=list)
    outputs: list[str] = Field(default_factory=list)
    runs: list[RunEntry] = Field(default_factory=list)


class PipelineFile(BaseModel):
    """The whole of ``pipeline.yml``."""

    model_config = ConfigDict(extra="forbid")

    variables: dict[str, Any] = Field(default_factory=dict)
    #: Modules a build's first kernels import while the build checks its data, before any notebook
    #: runs (see ``KernelPool.warm``): what the notebooks import first.  None by default.
    kernel_preload: list[Annotated[str, StringConstraints(pattern=MODULE_NAME)]] = Field(default_factory=list)
    notebooks: list[NotebookEntry] = Field(default_factory=list)


@dataclass
class Run:
    """One execution of a notebook with one set of parameters.

    ``inputs`` and ``outputs`` are paths relative to the project root (or absolute).  Each is a
    literal path unless it is in ``patterns``: only a wildcard written in ``pipeline.yml``
    itself makes a pattern, so a file name from a variable (``--survey``) that happens to
    hold ``[``, ``]``, ``*`` or ``?`` is still read as the file it names.
    """

    id: str
    notebook: Path
    parameters: dict[str, Any]
    inputs: list[str]
    outputs: list[str]
    executed: Path
    depends_on: set[str] = field(default_factory=set)
    patterns: set[str] = field(default_factory=set)
    #: Expected seconds from pipeline.yml (``cost``), used until a build has timed the run.
    cost: float | None = None

    def expand(self, entry: str, root: Path) -> list[Path]:
        """The files ``entry`` (an input or output) names now: the path itself, or a pattern's matches."""
        if entry in self.patterns:
            found = glob.glob(entry, root_dir=str(root), recursive=True)
            return sorted(p for p in (root / f for f in found) if p.is_file())
        path = root / entry
        return [path] if path.is_file() else []

    def input_files(self, root: Path) -> list[Path]:
        """Every file the run reads, patterns expanded, sorted; an input matching nothing is an error."""
        files: set[Path] = set()
        for entry in self.inputs:
            matches = self.expand(entry, root)
            if not matches:
                raise PipelineError(f"run '{self.id}': {describe_missing(entry, entry in self.patterns, root)}")
            files.update(m.resolve() for m in matches)
        return sorted(files)


def describe_missing(entry: str, pattern: bool, root: Path) -> str:
    """Why an input names no file: a pattern that matches nothing, a folder, or a missing file."""
    if pattern:
        return f"input pattern {entry} matches no file"
    path = root / entry
    if path.is_dir():
        return f"input {entry} is a folder, not a file"
    return f"input file {entry} does not exist"


@dataclass
class Spec:
    """The runs of the pipeline (variables replaced), its variables, and the file it came from."""

    runs: list[Run]
    defaults: dict[str, Any]
    path: Path
    #: Modules the first kernels import before any notebook runs (``kernel_preload``).
    preload: tuple[str, ...] = ()

    def order(self) -> list[str]:
        """Run ids in an order where every run comes after the runs it depends on."""
        return list(graphlib.TopologicalSorter({r.id: r.depends_on for r in self.runs}).static_order())


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in variables.items():
            value = value.replace("${" + name + "}", replacement)
        return value
    if isinstance(value, list):
        return [_substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, variables) for k, v in value.items()}
    return value


def _is_pattern(text: str) -> bool:
    """True when ``text`` as written in pipeline.yml (variables left out) holds a wildcard."""
    return any(ch in re.sub(r"\$\{[^}]*\}", "", text) for ch in PATTERN_CHARACTERS)


def _file_entries(entries: list[Any], variables: dict[str, str]) -> tuple[list[str], set[str]]:
    """Inputs or outputs with variables replaced, and which of them are patterns.

    In a pattern a variable's value is escaped, so it still matches only itself.  An entry that
    is only an empty variable (an optional file not given, such as ``${survey_clearance}``) is
    left out.
    """
    out: list[str] = []
    patterns: set[str] = set()
    for entry in entries:
        text = str(entry)
        if _is_pattern(text):
            text = _substitute(text, {k: glob.escape(v) for k, v in variables.items()})
            patterns.add(text)
        else:
            text = _substitute(text, variables)
            if not text.strip() and str(entry).strip():
                continue
        out.append(text)
    return out, patterns


def _model_problem(shown: str, exc: ValidationError) -> str:
    """The first place where ``pipeline.yml`` breaks its model: notebook entry, run, field, what is wrong."""
    problem = problems_from(exc)[0]
    path = (problem.column or "").split(".")
    where = [shown]
    if len(path) >= 2 and path[0] == "notebooks" and path[1].isdigit():
        where.append(f"notebook entry {int(path[1]) + 1}")
        path = path[2:]
        if len(path) >= 2 and path[0] == "runs" and path[1].isdigit():
            where.append(f"run {int(path[1]) + 1}")
            path = path[2:]
    return str(Problem(problem.what, ", ".join(where), ".".join(path) or None, field="field"))


def load_spec(path: Path | None = None, overrides: dict[str, str] | None = None,
              root: Path | None = None) -> Spec:
    """Read and check the pipeline specification.

    ``overrides`` replaces entries of its ``variables`` section (``--survey PATH`` sets
    ``survey``); ``${name}`` in parameters, inputs and outputs is replaced by the variable.
    """
    project = Project(root) if root is not None else Project.current()
    root = project.root
    path = path or project.pipeline_file
    shown = project.relative(path)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise PipelineError(f"pipeline specification {shown} not found") from None
    except yaml.YAMLError as exc:
        raise PipelineError(f"{shown} is not valid YAML: {exc}") from None
    try:
        spec = PipelineFile.model_validate(raw)
    except ValidationError as exc:
        raise PipelineError(_model_problem(shown, exc)) from None
    variables = {k: str(v) for k, v in spec.variables.items()}
    for key, value in (overrides or {}).items():
        if key not in variables:
            raise PipelineError(f"{shown} has no variable '{key}' to override")
        variables[key] = value
    runs: list[Run] = []
    for i, entry in enumerate(spec.notebooks, start=1):
        notebook = root / entry.notebook
        if not notebook.exists():
            raise PipelineError(f"{shown}, notebook entry {i}: notebook {entry.notebook} does not exist")
        for r in entry.runs or [RunEntry(id=notebook.stem)]:
            params = _substitute(dict(r.parameters), variables)
            inputs, input_patterns = _file_entries(entry.inputs + r.inputs, variables)
            outputs, output_patterns = _file_entries(entry.outputs + r.outputs, variables)
            runs.append(Run(id=r.id, notebook=notebook, parameters=params, inputs=inputs, outputs=outputs,
                            executed=project.executed / f"{r.id}.ipynb",
                            patterns=input_patterns | output_patterns, cost=r.cost))
    ids = [r.id for r in runs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PipelineError(f"{shown}: run ids must be unique; repeated: {', '.join(duplicates)}")
    _link_dependencies(runs)
    return Spec(runs=runs, defaults=variables, path=path, preload=tuple(spec.kernel_preload))


def _overlap(a: str, a_pattern: bool, b: str, b_pattern: bool) -> bool:
    """Whether an input and an output can name the same file (literal paths compare as paths)."""
    if a_pattern and b_pattern:
        return fnmatch.fnmatch(a, b) or fnmatch.fnmatch(b, a)
    if a_pattern:
        return fnmatch.fnmatch(b, a)
    if b_pattern:
        return fnmatch.fnmatch(a, b)
    return os.path.normpath(a) == os.path.normpath(b)


def produced_by_another_run(run: Run, entry: str, runs: list[Run]) -> bool:
    """Whether ``entry`` (an input of ``run``) is written by another run of the pipeline."""
    return any(_overlap(entry, entry in run.patterns, o, o in other.patterns)
               for other in runs if other is not run for o in other.outputs)


def _link_dependencies(runs: list[Run]) -> None:
    """Record which runs each run reads from; a cycle is an error that names its runs."""
    for run in runs:
        for other in runs:
            if other is not run and any(_overlap(i, i in run.patterns, o, o in other.patterns)
                                        for i in run.inputs for o in other.outputs):
                run.depends_on.add(other.id)
    try:
        graphlib.TopologicalSorter({r.id: r.depends_on for r in runs}).prepare()
    except graphlib.CycleError as exc:
        cycle = list(reversed(exc.args[1]))
        raise PipelineError("pipeline.yml: runs depend on each other in a cycle: " + " → ".join(cycle)) from None
