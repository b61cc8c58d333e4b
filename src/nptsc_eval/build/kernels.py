"""Kernels: executing a notebook with papermill, and a pool of warm kernels reused between notebooks."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from nptsc_eval.errors import PipelineError


#: Environment variable that tells notebooks they run inside the pipeline.
PIPELINE_ENV = "NPTSC_EVAL_PIPELINE"


def kernel_environment() -> dict[str, str]:
    """What every kernel of a build finds in its environment: that it runs in the pipeline.

    Kernels the pool starts before the first notebook (:meth:`KernelPool.warm`) get it too."""
    return {PIPELINE_ENV: "1"}



#: Kernels keep their own log quiet (notebook errors are reported by the build) and keep no
#: input history: batch runs have no use for it, and a reused kernel whose execution counter
#: is reset would otherwise clash with its own history.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]



def prepare_arguments(prepare: str) -> list[str]:
    """Kernel arguments that make a kernel papermill starts itself run ``prepare`` first."""
    return [*KERNEL_ARGUMENTS, f"--IPKernelApp.exec_lines={[prepare]!r}"] if prepare else list(KERNEL_ARGUMENTS)


def execute_notebook(source: Path, target: Path, parameters: dict[str, Any] | None = None, **options: Any) -> Any:
    """Execute ``source`` with papermill into ``target``, its kernel started in the notebook's folder.

    The kernel's working folder is passed to nbclient rather than through papermill's ``cwd``,
    which changes the working folder of the whole Python process and so cannot be used from
    the pipeline's worker threads.

    A kernel nbclient shuts down is stopped at once (``shutdown_kernel="immediate"``), not asked
    to stop and given seconds to do so: nbclient shuts down a kernel that did not answer in time
    (there is nothing left to wait for), and a kernel that has run every cell has nothing left to
    send (what it writes is on disk, and the record of it is flushed line by line).
    """
    import papermill as pm

    options.setdefault("shutdown_kernel", "immediate")
    options.setdefault("kernel_name", "python3")
    options.setdefault("progress_bar", False)
    options.setdefault("extra_arguments", KERNEL_ARGUMENTS)
    return pm.execute_notebook(
        str(source), str(target), parameters=parameters or {},
        resources={"metadata": {"path": str(Path(source).resolve().parent)}}, **options,
    )


def warm_code(modules: tuple[str, ...] | list[str]) -> str:
    """Code a warm kernel runs as it starts: import each of ``modules`` (pipeline.yml's ``kernel_preload``).

    A module that fails to import is passed over: the notebook that imports it reports the error.
    A reused kernel keeps these modules from its earlier notebook in the same way.

    Examples:
        >>> "import_module(_name)" in warm_code(["pandas"]), warm_code([])
        (True, '')
    """
    if not modules:
        return ""
    return (f"import importlib as _importlib\nfor _name in {tuple(modules)!r}:\n"
            "    try:\n        _importlib.import_module(_name)\n    except Exception:\n        pass\n"
            "del _importlib, _name")


# Before each further notebook a reused kernel forgets the earlier notebook's variables and figures, and
# gets back its folder and the execution counter.  Imported modules (and the package's file caches, keyed
# on each file's modification time) stay: that is what makes a reused kernel fast.
_RESET_KERNEL = """\
get_ipython().run_line_magic("reset", "-f")
import os as _os, sys as _sys
_os.chdir({folder!r})
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
del _os, _sys
get_ipython().execution_count = 1
"""



class KernelPool:
    """Warm kernels: one per worker thread, reused from notebook to notebook within one build.

    Most of a fresh kernel's time on a short notebook goes on starting Python and importing
    pandas, matplotlib, seaborn and the package.  A reused kernel pays that once per worker.
    Before each further notebook the kernel is reset (``_RESET_KERNEL``), so the executed
    notebook matches one from a fresh kernel; ``tests/build/test_pipeline.py`` checks that on the
    real notebooks.  A kernel whose notebook failed, or that cannot be reset, is shut down
    and replaced.  With ``enabled=False`` every notebook gets a fresh kernel, as plain
    Jupyter does.
    """

    def __init__(self, enabled: bool = True, startup_timeout: float = 60, environment: dict[str, str] | None = None) -> None:
        self.enabled = enabled
        self.startup_timeout = startup_timeout
        #: Variables added to the environment of every kernel the pool starts (see :func:`kernel_environment`).
        self.environment = dict(environment or {})
        self._local = threading.local()
        self._lock = threading.Lock()
        self._kernels: list[Any] = []
        self._warming: list[Future] = []
        self.started = 0
        self.reused = 0

    def warm(self, count: int, folder: Path, modules: tuple[str, ...] | list[str] = ()) -> None:
        """Start ``count`` kernels now, in the background, each importing ``modules`` (:func:`warm_code`).

        The build calls this before it checks the raw data, so the kernels start Python and
        import the libraries on the other cores while the build's own process is busy; a
        notebook then takes a warm kernel (reset like a reused one) instead of starting its own.
        """
        if not self.enabled:
            return
        for _ in range(count):
            future: Future = Future()
            threading.Thread(target=self._start_into, args=(future, folder, warm_code(modules)), daemon=True).start()
            with self._lock:
                self._warming.append(future)

    def _start_into(self, future: Future, folder: Path, prepare: str) -> None:
        try:
            future.set_result(self._start(folder, prepare))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever takes the kernel
            future.set_exception(exc)

    def _start(self, folder: Path, prepare: str) -> Any:
        """A new kernel in ``folder`` that runs ``prepare`` as it starts (IPython's exec_lines)."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        run_sync(km.start_kernel)(cwd=str(folder), extra_arguments=prepare_arguments(prepare),
                                  env={**os.environ, **self.environment})
        with self._lock:
            self._kernels.append(km)
            self.started += 1
        return km

    def _take_warm(self) -> Any | None:
        """A kernel :meth:`warm` started, or None when there is none (or it failed to start)."""
        with self._lock:
            future = self._warming.pop(0) if self._warming else None
        if future is None:
            return None
        try:
            return future.result()
        except Exception:
            return None  # a kernel started for the notebook itself reports the problem

    def acquire(self, folder: Path, prepare: str = "") -> Any | None:
        """This thread's kernel, reset and moved to ``folder``; ``None`` when kernels are not reused.

        ``prepare`` is Python code the kernel runs before the notebook (after the reset).
        """
        if not self.enabled:
            return None
        km = getattr(self._local, "km", None)
        reused = km is not None
        if km is None:
            km = self._take_warm()
            self._local.km = km
        if km is not None and not self._reset(km, folder, self.startup_timeout, prepare):
            self.discard()
            km = None
        if km is not None:
            if reused:
                with self._lock:
                    self.reused += 1
        else:
            km = self._start(folder, prepare)
            self._local.km = km
        return km

    @staticmethod
    def _reset(km: Any, folder: Path, timeout: float = 60, prepare: str = "") -> bool:
        from jupyter_client.blocking import BlockingKernelClient

        client = BlockingKernelClient()
        client.load_connection_info(km.get_connection_info())
        client.start_channels()
        try:
            client.wait_for_ready(timeout=timeout)
            code = _RESET_KERNEL.format(folder=str(folder)) + (prepare + "\n" if prepare else "")
            reply = client.execute_interactive(code, store_history=False,
                                               timeout=60, output_hook=lambda message: None)
            return reply["content"]["status"] == "ok"
        except (RuntimeError, TimeoutError):
            return False
        finally:
            client.stop_channels()

    def discard(self) -> None:
        """Shut down this thread's kernel (after a failure); the next notebook gets a fresh one."""
        km = getattr(self._local, "km", None)
        self._local.km = None
        if km is not None:
            with self._lock:
                self._kernels.remove(km)
            self._shutdown(km)

    @staticmethod
    def _shutdown(km: Any) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            run_sync(km.shutdown_kernel)(now=True)

    def close(self) -> None:
        """Shut down every kernel the pool started."""
        with self._lock:
            warming, self._warming = self._warming, []
        for future in warming:  # started but never used: wait until each has started, to shut it down
            with contextlib.suppress(Exception):
                future.result(timeout=self.startup_timeout)
        with self._lock:
            kernels, self._kernels = self._kernels, []
        for km in kernels:
            self._shutdown(km)



class KernelUnavailable(PipelineError):
    """A kernel could not be started or stopped answering."""



def is_kernel_failure(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the kernel machinery (nbclient, jupyter_client, zmq)."""
    module = type(exc).__module__ or ""
    text = str(exc).lower()
    return module.split(".")[0] in {"nbclient", "jupyter_client", "zmq"} or "kernel" in text



def check_loopback(timeout: float = 3.0) -> None:
    """Raise :class:`PipelineError` at once when the loopback network (127.0.0.1) does not work.

    Kernels talk to the build through sockets on 127.0.0.1.  Without that network a kernel
    starts but never answers, and the build would wait a minute before failing.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname()[:2], timeout=timeout):
                pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise PipelineError(
            "notebooks cannot run: their kernels talk to the build over the loopback network "
            f"(127.0.0.1), which is not working here ({reason}); nothing was run"
        ) from None



#: Modules the worker threads use to execute notebooks.  They are imported before any worker
#: starts: two threads importing them at the same time can each see the other's module
#: half initialised ("ImportError: partially initialized module").
#: The first of them (:data:`KERNEL_START_MODULES`) are all that starting a kernel needs; the rest
#: (papermill, nbclient, nbformat) take seconds more, mostly jsonschema's format checks, which
#: nbformat imports, so a build imports them while its first kernels start (:func:`warm_kernels`).
KERNEL_START_MODULES = (
    "jupyter_client", "jupyter_client.manager", "jupyter_client.blocking", "jupyter_client.asynchronous",
    "jupyter_client.provisioning", "jupyter_client.provisioning.local_provisioner", "jupyter_client.kernelspec",
    "jupyter_core.utils", "jupyter_core.paths", "zmq", "zmq.asyncio", "ipykernel.kernelspec", "IPython.paths",
)
EXECUTION_MODULES = KERNEL_START_MODULES + (
    "papermill", "papermill.engines", "papermill.exceptions", "papermill.iorw", "papermill.translators",
    "papermill.clientwrap", "papermill.execute", "papermill.parameterize", "papermill.inspection",
    "nbclient", "nbclient.client", "nbclient.exceptions", "nbformat", "nbformat.v4",
)



def preload_execution_modules(kernel_name: str = "python3", kernel_start_only: bool = False) -> None:
    """Import everything the worker threads use, from the calling (main) thread.

    jupyter_client also imports modules lazily the first time a kernel starts: finding the
    kernel's specification imports IPython and ipykernel, and listing the local network
    addresses imports psutil.  Doing each of those once here leaves nothing to import later.
    With ``kernel_start_only``, only what starting a kernel needs (:data:`KERNEL_START_MODULES`).
    """
    import importlib

    for name in KERNEL_START_MODULES if kernel_start_only else EXECUTION_MODULES:
        importlib.import_module(name)
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from jupyter_client.localinterfaces import localhost
    from jupyter_client.provisioning import KernelProvisionerFactory

    with contextlib.suppress(NoSuchKernel):
        KernelSpecManager().get_kernel_spec(kernel_name)
    localhost()
    KernelProvisionerFactory.instance()
