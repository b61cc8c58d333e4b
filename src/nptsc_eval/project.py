"""One object for every path of the project, anchored at its root, never at the current directory.

``Project(root)`` names every folder and file the build reads or writes.  ``Project.current()``
is the project this process works on: the nearest folder at or above the working folder that
holds ``pipeline.yml`` or ``data/raw/``.  The build passes its own ``Project`` down, and runs
each notebook's kernel in the project's ``notebooks/`` folder, so a build of another folder
(``build(root=...)``) reads and writes only inside that folder: no environment variable and
no module-level setting says where the project is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The folder of the package's own source files.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The checkout the package was installed from (an editable install), the default project.
SOURCE_ROOT = PACKAGE_DIR.parents[1]
#: The file that marks a folder as a project root.
MARKER = "pipeline.yml"
#: A folder that marks a project root too (a copy made to run one notebook may have no pipeline.yml).
RAW_MARKER = ("data", "raw")


def find_root(start: Path | str) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``pipeline.yml`` or ``data/raw/``, or None.

    >>> find_root("/") is None
    True
    """
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file() or folder.joinpath(*RAW_MARKER).is_dir():
            return folder
    return None


@dataclass(frozen=True)
class Project:
    """Every path of one project folder.

    >>> p = Project("/srv/report")
    >>> p.raw.as_posix(), p.relative("/srv/report/data/raw/x.csv")
    ('/srv/report/data/raw', 'data/raw/x.csv')
    """

    root: Path

    def __init__(self, root: Path | str) -> None:
        object.__setattr__(self, "root", Path(root).resolve())

    @classmethod
    def current(cls, start: Path | str | None = None) -> Project:
        """The project around ``start`` (default: the working folder), else the package's own checkout.

        A notebook's kernel runs in ``notebooks/`` of the project being built, so the
        notebook finds that project; the command line finds the project it is run in.
        """
        return cls(find_root(Path.cwd() if start is None else start) or SOURCE_ROOT)

    # Folders and files, all inside ``root``.
    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def raw(self) -> Path:
        return self.data / "raw"

    @property
    def processed(self) -> Path:
        return self.data / "processed"

    @property
    def downloads(self) -> Path:
        return self.processed / "downloads"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def book(self) -> Path:
        return self.root / "book"

    @property
    def executed(self) -> Path:
        return self.book / "executed"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def html(self) -> Path:
        return self.build_dir / "html"

    @property
    def cache(self) -> Path:
        """Where the build keeps its record of runs and its scratch files (``_build/``)."""
        return self.build_dir

    @property
    def state_file(self) -> Path:
        return self.build_dir / "pipeline-state.json"

    @property
    def lock_file(self) -> Path:
        """Outside ``_build/``, so ``make clean`` never removes it while a build holds it."""
        return self.root / ".build.lock"

    @property
    def pipeline_file(self) -> Path:
        return self.root / MARKER

    @property
    def toc_file(self) -> Path:
        return self.root / "_toc.yml"

    @property
    def config_file(self) -> Path:
        return self.root / "_config.yml"

    def relative(self, path: Path | str) -> str:
        """``path`` relative to the root when it lies inside it (for messages), else as given."""
        p = Path(path).resolve()
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def processed_file(self, name: str) -> Path:
        """Path of a file in ``data/processed/``, creating the folder on first use."""
        self.processed.mkdir(parents=True, exist_ok=True)
        return self.processed / name
