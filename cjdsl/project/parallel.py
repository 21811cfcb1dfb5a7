"""``--jobs``: files parsed in worker processes.

Parsing is pure Python, so threads would share one interpreter lock; worker processes
each parse their own files and send the results back pickled (pickling a model takes a
fraction of the time parsing it does). Results come back in the order of the files, so
the output does not depend on which worker finished first.
"""

from __future__ import annotations

import copyreg
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import fs
from ..core.diagnostics import Diagnostic
from .config import Config
from .resolve import SourceFile
from .sources import load_source


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_mapping_proxy(proxy: MappingProxyType[Any, Any]) -> tuple[Any, ...]:
    return _mapping_proxy, (dict(proxy),)


# The model keeps attribute spans in read-only mappings, which pickle does not know.
copyreg.pickle(MappingProxyType, _reduce_mapping_proxy)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _load_all(work: list[tuple[Path, str, int]]) -> list[tuple[SourceFile, list[Diagnostic]]]:
    return [load_source(*args) for args in work]


def load_sources(
    files: Sequence[Path], config: Config, jobs: int, progress: Callable[[str], None] | None = None
) -> list[tuple[SourceFile, list[Diagnostic]]]:
    """``sources.load_source`` for every file, in file order. The files are split into
    ``jobs`` shares of about equal size: this process parses the first share itself
    while ``jobs - 1`` workers parse the others, then takes their results (unpickling a
    model costs about a third of parsing it, and only this process can do it)."""
    import multiprocessing  # here: every command asks default_jobs(), few fork
    from concurrent.futures import ProcessPoolExecutor

    work = [(f, fs.display_path(f, config.root), config.max_file_size) for f in files]
    sizes = [fs.total_size([f]) for f in files]
    shares: list[list[int]] = [[] for _ in range(min(jobs, len(work)))]
    loads = [0] * len(shares)
    for i in sorted(range(len(work)), key=lambda i: (-sizes[i], i)):  # biggest first, to the lightest share
        k = loads.index(min(loads))
        shares[k].append(i)
        loads[k] += sizes[i]
    out: dict[int, tuple[SourceFile, list[Diagnostic]]] = {}
    # Fork where there is fork: the workers start with cjdsl already imported.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=multiprocessing.get_context(method)) as pool:
        futures = [(share, pool.submit(_load_all, [work[i] for i in share])) for share in shares[1:] if share]
        for n, i in enumerate(shares[0]):
            if progress is not None:
                progress(f"parsing {n + 1}/{len(shares[0])} here, {len(work) - len(shares[0])} in {len(futures)} workers")
            out[i] = load_source(*work[i])
        for share, future in futures:
            if progress is not None:
                progress(f"taking the results of {len(share)} files parsed in a worker")
            out.update(zip(share, future.result(), strict=True))
    return [out[i] for i in range(len(work))]
