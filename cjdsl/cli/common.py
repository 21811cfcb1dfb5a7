"""What the commands share: failures as one line and exit code 2, settings for a run,
reading a project, printing diagnostics, the --color option."""

from __future__ import annotations

import gc
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .. import fs
from ..project.config import Config, ConfigError, boundary, load_config
from ..project.config import safe as safe_config
from ..project.graph import Measure, Project, compile_project
from ..tracking import LockError
from .progress import StatusLine
from .report import RENDERERS


class Failure(click.ClickException):
    """A usage, settings or I/O problem: one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"cjdsl: error: {self.format_message()}", err=True)


def use_color(choice: str, stream: Any) -> bool:
    if choice == "always":
        return True
    if choice == "never" or "NO_COLOR" in os.environ:
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def settings(ctx: click.Context, paths: Sequence[Path], within: Path | None = None) -> Config:
    """The settings for a run over ``paths``. ``within``: a folder the run may not look
    above (a revision checked out into a temporary folder); else, under --safe, the
    repository the command runs in (or the current folder)."""
    safe = bool(ctx.obj.get("safe"))
    limit = within if within is not None else (boundary(Path.cwd()) if safe else None)
    try:
        config = load_config(list(paths), None if within is not None else ctx.obj.get("config"), stop=limit)
        return safe_config(config, limit) if safe and limit is not None else config
    except ConfigError as err:
        raise Failure(str(err)) from None


def existing(paths: Sequence[str]) -> list[Path]:
    out = []
    for p in paths or (".",):
        path = Path(p)
        if not fs.exists(path):
            raise Failure(f"{p}: no such file or folder")
        out.append(path)
    return out


def compile_paths(
    ctx: click.Context,
    paths: Sequence[str],
    config: Config | None = None,
    within: Path | None = None,
    measure: Measure | None = None,
) -> Project:
    """Reads, parses, resolves and validates PATHS (measured on events when ``measure``
    is given), turning I/O and lock problems into one-line failures."""
    given = existing(paths)
    config = config or settings(ctx, given, within)
    # The model lives until the command ends and holds no reference cycles: keep the
    # cyclic GC from walking its million objects again and again while it is built
    # (10,000 touchpoints: about 1.5 s of collections), and from then on.
    gc.disable()
    status: StatusLine | None = ctx.obj.get("progress")
    try:
        jobs = ctx.obj.get("jobs", 1)
        return compile_project(given, config, jobs=jobs, progress=status.show if status else None, measure=measure)
    except OSError as err:
        raise Failure(f"{err.filename or ''}: {err.strerror}") from None
    except LockError as err:
        raise Failure(str(err)) from None
    except fs.UnsafeSource as err:
        raise Failure(f"--safe: {err}") from None
    finally:
        gc.freeze()
        gc.enable()
        if status is not None:
            status.clear()


def print_diagnostics(project: Project, fmt: str, color: bool, *, err: bool = False) -> None:
    renderer = RENDERERS[fmt]
    text = renderer(project.results, color=color)
    if text:
        click.echo(text, nl=not text.endswith("\n"), err=err, color=color)


FORMATS = click.Choice(sorted(RENDERERS), case_sensitive=False)
COLOR = click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour the output (auto: when writing to a terminal and NO_COLOR is unset).",
)


def split_names(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]
