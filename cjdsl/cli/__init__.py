"""The ``cjdsl`` command line. ``app`` holds the group and its options; each command
group lives in a module of its own, loaded only when that command runs."""

from __future__ import annotations

from .app import entry, main, run

__all__ = ["entry", "main", "run"]
