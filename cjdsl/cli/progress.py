"""A status line for long work: what is being done, overwritten in place on a terminal.

It is shown only on an interactive terminal and never in CI (``CI`` set) or when
standard error is piped or redirected, so logs and captured output stay clean.
``--progress``/``--no-progress`` decide instead.
"""

from __future__ import annotations

import os
import shutil
import time
from typing import TextIO


class StatusLine:
    """One line of status on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False
        self.last = 0.0

    @classmethod
    def for_stream(cls, stream: TextIO, wanted: bool | None) -> StatusLine | None:
        """A status line on ``stream``, or None when none should be shown."""
        if wanted is None:
            in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")
            wanted = not in_ci and os.environ.get("TERM") != "dumb" and _is_terminal(stream)
        return cls(stream) if wanted else None

    def show(self, text: str) -> None:
        now = time.monotonic()
        if self.shown and now - self.last < 0.1:
            return
        self.last = now
        width = max(20, shutil.get_terminal_size((80, 20)).columns - 1)
        if len(text) > width:
            text = text[: width - 1] + "…"
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
