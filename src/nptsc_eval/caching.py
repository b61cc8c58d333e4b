"""Caches: what a file holds, kept until the file changes; results kept on disk under a content key.

:func:`cached_by_file` is for functions that read and check one file: their result is kept in
memory and used again while the file's modification time and size are the same, so a notebook
or a check that asks for the same table many times reads it once, and an edited file is read
again.  Results that callers change in place (pandas frames) are handed out as copies.

:class:`DiskCache` keeps picklable results in a folder, one file per key.  The key is the
caller's: a hash of every input, so a stale entry is never found.  Writes are atomic (another
process never reads half an entry) and a damaged entry counts as missing.  :meth:`DiskCache.get`
computes a missing entry once: a process that asks for an entry another process is computing
waits for it (a file lock, ``filelock``) and then reads it, instead of computing it again.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: When a file was last written and how long it is; ``(None, None)`` for a missing file.
Stamp = tuple[int | None, int | None]


def file_stamp(path: Path) -> Stamp:
    """A file's modification time (nanoseconds) and size: a change to either means the file changed."""
    try:
        info = os.stat(path)
    except OSError:
        return None, None
    return info.st_mtime_ns, info.st_size


class FileCached(Generic[T]):
    """A function of a file's path whose results are kept until the file changes (see :func:`cached_by_file`)."""

    def __init__(self, read: Callable[..., T], maxsize: int, copy: Callable[[T], T] | None) -> None:
        self._read = read
        self._name = read.__qualname__
        self._copy = copy
        self._cached = lru_cache(maxsize=maxsize)(self._call)
        wraps(read)(self)

    def _call(self, path: Path, _stamp: Stamp, *args: Any) -> T:
        return self._read(path, *args)

    def __call__(self, path: Path | str, *args: Any) -> T:
        path = Path(path)
        result = self._cached(path, file_stamp(path), *args)
        return self._copy(result) if self._copy is not None else result

    def __reduce__(self) -> str:
        """Pickled by name, like the function it wraps (so a function that uses it can go to another process)."""
        return self._name

    def cache_clear(self) -> None:
        """Forget every kept result."""
        self._cached.cache_clear()

    def cache_info(self) -> Any:
        """Hits, misses and size of the cache (:func:`functools.lru_cache`'s)."""
        return self._cached.cache_info()


def cached_by_file(maxsize: int = 32, copy: Callable[[Any], Any] | None = None) -> Callable[[Callable[..., T]], FileCached[T]]:
    """Keep the result of reading a file until the file changes.

    The decorated function takes the file's path first (other arguments, if any, must be
    hashable and are part of the key).  The key is the path with the file's modification time
    and size, so an edited file is read again.  ``copy`` is applied to every result handed out
    (``copy=copy_frame`` for pandas frames), so a caller that changes its result in place
    does not change what the next caller gets.  Errors are not kept: a broken file raises
    every time it is read.

    >>> import tempfile
    >>> reads = []
    >>> @cached_by_file()
    ... def words(path):
    ...     reads.append(path.name)
    ...     return path.read_text().split()
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "a.txt"
    ...     _ = path.write_text("one two")
    ...     first, again = words(path), words(path)
    ...     _ = path.write_text("one two three")
    ...     changed = words(path)
    >>> first, changed, len(reads)
    (['one', 'two'], ['one', 'two', 'three'], 2)
    """

    def decorate(read: Callable[..., T]) -> FileCached[T]:
        return FileCached(read, maxsize, copy)

    return decorate


def copy_frame(frame: Any) -> Any:
    """A copy of a pandas frame (or anything with ``.copy()``) that the caller may change freely."""
    return frame.copy()


class DiskCache:
    """Picklable results kept in ``folder`` as ``<prefix>-<key>.pickle``, one file per key."""

    def __init__(self, folder: Path, prefix: str) -> None:
        self.folder = Path(folder)
        self.prefix = prefix

    def path(self, key: str) -> Path:
        """The file an entry is kept in."""
        return self.folder / f"{self.prefix}-{key}.pickle"

    def load(self, key: str) -> tuple[bool, Any]:
        """``(True, value)`` for a kept entry; ``(False, None)`` when there is none or it is damaged."""
        path = self.path(key)
        if not path.exists():
            return False, None
        try:
            with path.open("rb") as f:
                return True, pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, ValueError):
            return False, None  # a damaged entry is computed again and replaced

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold the entry's lock (``<prefix>-<key>.lock`` beside it) while the block runs: another
        process asking for the same lock waits.  A folder that cannot be written gives no lock."""
        from filelock import FileLock

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            held = FileLock(self.folder / f"{self.prefix}-{key}.lock")
            held.acquire()
        except OSError:
            yield
            return
        try:
            yield
        finally:
            held.release()

    def get(self, key: str, compute: Callable[[], Any]) -> tuple[bool, Any]:
        """``(True, value)`` for a kept entry, else ``(False, compute())`` after keeping it.

        A missing entry is computed once: the first process to ask holds the entry's lock while
        it computes; another that asks meanwhile waits, then finds the entry.

        >>> import tempfile
        >>> calls = []
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     cache = DiskCache(Path(folder), "squares")
        ...     first = cache.get("k", lambda: calls.append(1) or 49)
        ...     again = cache.get("k", lambda: calls.append(1) or 49)
        >>> first, again, len(calls)
        ((False, 49), (True, 49), 1)
        """
        found, value = self.load(key)
        if found:
            return True, value
        with self.lock(key):
            found, value = self.load(key)  # computed by another process while this one waited
            if found:
                return True, value
            value = compute()
            self.store(key, value)
        return False, value

    def store(self, key: str, value: Any) -> None:
        """Keep ``value`` under ``key``: written to a temporary file, then renamed into place.

        A folder that cannot be written only costs the next run the same work again.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(out.name, self.path(key))
        except OSError:
            pass
