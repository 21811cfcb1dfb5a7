"""Watching a project's sources: what `cjdsl serve` and `cjdsl check --watch` wait on.

The project root is watched, folders and all (includes may not leave it), with
watchfiles, and a change counts when it is to a ``.journey`` file, to the settings
(``cjdsl.toml``, ``pyproject.toml``, or the file ``--config`` names) or to the
tracking lock. Changes that arrive together (an editor's write and rename) come as
one batch. watchfiles is an extra (``pip install 'cjdsl[serve]'``); without it the
commands say so and exit 2.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from .. import fs
from ..project.config import Config
from ..tracking import LOCK_NAME
from .common import Failure

#: Files besides the sources whose change asks for a new run.
SETTINGS_NAMES = frozenset({"cjdsl.toml", "pyproject.toml", LOCK_NAME})
#: Milliseconds without a new change before a batch is handed over (watchfiles' step).
QUIET_MS = 30
#: Milliseconds watchfiles waits for a change before it hands over an empty batch.
READY_MS = 200

INSTALL_HINT = "watching files needs the watchfiles package: pip install 'cjdsl[serve]'"


def require_watchfiles() -> Any:
    """The watchfiles module, or a failure (exit 2) that says how to install it."""
    try:
        import watchfiles
    except ImportError:
        raise Failure(INSTALL_HINT) from None
    return watchfiles


class SourceFilter:
    """Which changed paths count: sources, settings and the lock, outside the folders
    cjdsl never searches (``.git``, ``node_modules``, hidden folders, ...)."""

    def __init__(self, root: Path, settings_file: Path | None) -> None:
        self.root = root
        self.settings_file = fs.real(settings_file) if settings_file is not None else None

    def __call__(self, change: Any, path: str) -> bool:
        location = Path(path)
        if self.settings_file is not None and location == self.settings_file:
            return True
        name = location.name
        if not (name.endswith(".journey") or name in SETTINGS_NAMES):
            return False
        try:
            parts = location.relative_to(self.root).parts[:-1]
        except ValueError:
            parts = ()
        return not any(p in fs.SKIPPED_DIRS or p.startswith(".") for p in parts)


def folders_to_watch(config: Config) -> list[Path]:
    """The project root, and the folder of a settings file that lies outside it."""
    folders = [config.root]
    if config.file is not None:
        folder = fs.real(config.file).parent
        if not folder.is_relative_to(config.root):
            folders.append(folder)
    return folders


def changes(config: Config, ready: Callable[[], None] = lambda: None) -> Iterator[list[str]]:
    """Each batch of changes to the project's sources, as the names of the changed files
    (relative to the root when inside it), sorted. ``ready`` is called once the folders
    are watched (a change saved after it is seen). Runs until Ctrl-C
    (:class:`KeyboardInterrupt`); SIGTERM ends it the same way."""
    watchfiles = require_watchfiles()
    keep = SourceFilter(config.root, config.file)
    _terminate_as_interrupt()
    waiting = True
    # watchfiles starts watching when its generator first runs and says nothing until a
    # change comes: an empty batch after READY_MS without one tells that it is watching.
    for batch in watchfiles.watch(
        *folders_to_watch(config),
        watch_filter=keep,
        step=QUIET_MS,
        debounce=1600,
        rust_timeout=READY_MS,
        yield_on_timeout=True,
    ):
        if waiting:
            waiting = False
            ready()
        if batch:
            yield sorted({fs.display_path(Path(path), config.root) for _, path in batch})


def _terminate_as_interrupt() -> None:
    """SIGTERM (a service manager, `kill`) stops a watch the way Ctrl-C does."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave the default
        pass


def quietly_interrupted(cleanup: Callable[[], None]) -> None:
    """After Ctrl-C: ignore a second one while ``cleanup`` runs, so it always finishes."""
    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:
        previous = None
    try:
        cleanup()
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
