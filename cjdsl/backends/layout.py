"""The one adapter that runs Graphviz's `dot` program.

Everything else in cjdsl produces DOT text; this module turns it into SVG, PNG or PDF
with a time limit, and says clearly when `dot` is missing or gives up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

FORMATS = ("svg", "png", "pdf")
#: Seconds one diagram may take before the layout is abandoned.
DEFAULT_TIMEOUT = 60.0

INSTALL_HINT = (
    "Graphviz's `dot` program was not found: install Graphviz "
    "(Debian/Ubuntu: `apt-get install graphviz`, macOS: `brew install graphviz`, "
    "Windows: `winget install graphviz`) or put `dot` on PATH"
)


class LayoutError(Exception):
    """`dot` could not lay out a diagram."""


class DotMissing(LayoutError):
    def __init__(self) -> None:
        super().__init__(INSTALL_HINT)


class DotTimeout(LayoutError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"`dot` did not finish within {seconds:g} s")
        self.seconds = seconds


Layout = Callable[[str, str], bytes]


def find_dot() -> str | None:
    """The `dot` program to run: $CJDSL_DOT if set, else `dot` on PATH."""
    explicit = os.environ.get("CJDSL_DOT")
    if explicit:
        return explicit if os.path.isfile(explicit) and os.access(explicit, os.X_OK) else None
    return shutil.which("dot")


class Budget:
    """Seconds that all the layouts of one run may take together (``--safe``): each
    layout gets at most what is left, and none starts once it is spent."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


class BudgetSpent(LayoutError):
    def __init__(self, seconds: float) -> None:
        super().__init__(f"the {seconds:g} s that --safe allows for all diagrams together are used up")


@dataclass(frozen=True)
class Dot:
    """Runs `dot -T<format>` on DOT source, within ``timeout`` seconds (and within what
    is left of ``budget``, when there is one)."""

    program: str
    timeout: float = DEFAULT_TIMEOUT
    budget: Budget | None = None

    @staticmethod
    def find(timeout: float = DEFAULT_TIMEOUT, total: float | None = None) -> Dot:
        program = find_dot()
        if program is None:
            raise DotMissing()
        return Dot(program, timeout, Budget(total) if total is not None else None)

    def __call__(self, source: str, fmt: str = "svg") -> bytes:
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}")
        timeout = self.timeout
        if self.budget is not None:
            left = self.budget.left()
            if left <= 0:
                raise BudgetSpent(self.budget.seconds)
            timeout = min(timeout, left)
        try:
            done = subprocess.run(
                [self.program, f"-T{fmt}"],
                input=source.encode("utf-8"),
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            if self.budget is not None and self.budget.left() <= 0:
                raise BudgetSpent(self.budget.seconds) from None
            raise DotTimeout(timeout) from None
        except FileNotFoundError:
            raise DotMissing() from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise LayoutError(f"`dot` failed: {message[-1] if message else f'exit code {done.returncode}'}")
        return done.stdout
