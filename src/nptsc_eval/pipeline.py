"""Former home of the build engine, kept so older imports still work; use :mod:`nptsc_eval.build`."""

from nptsc_eval.build import *  # noqa: F403
from nptsc_eval.build import __all__ as _build_all
from nptsc_eval.build.book import book_sources_hash
from nptsc_eval.build.cache import cache_parts, file_hash, notebook_code_hash, package_hash, why_run
from nptsc_eval.build.executed import finish_executed_notebook, make_deterministic, refresh_prose
from nptsc_eval.build.kernels import (KERNEL_ARGUMENTS, PIPELINE_ENV, KernelPool, KernelUnavailable, check_loopback,
                                      preload_execution_modules)
from nptsc_eval.build.scheduler import execute_run, missing_inputs
from nptsc_eval.build.spec import produced_by_another_run
from nptsc_eval.build.state import BOOK_STATE_KEY, STATE_FILE, build_lock
from nptsc_eval.build.state import load_state as _load_state
from nptsc_eval.build.state import save_state as _save_state

__all__ = [*_build_all, "book_sources_hash", "cache_parts", "file_hash", "notebook_code_hash", "package_hash",
           "why_run", "finish_executed_notebook", "make_deterministic", "refresh_prose", "KERNEL_ARGUMENTS",
           "PIPELINE_ENV", "KernelPool", "KernelUnavailable", "check_loopback", "preload_execution_modules",
           "execute_run", "missing_inputs", "produced_by_another_run", "BOOK_STATE_KEY", "STATE_FILE", "build_lock",
           "_load_state", "_save_state"]
