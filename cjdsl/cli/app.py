"""The ``cjdsl`` command group: its options, and where each command lives.

Each command group is a module of this package (``check``, ``rules``, ``fmt``,
``build``, ``diff``, ``imports``, ``events``), imported only when its command runs or
help lists it, so ``cjdsl check`` never loads the formatter, the backends or git.

Exit codes: 0 no errors (warnings allowed); 1 errors in the input, or ``fmt --check``
would change a file; 2 usage, settings, I/O or internal error (one line, no traceback).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import click

from .. import __version__
from ..project.parallel import default_jobs
from .progress import StatusLine

#: command name → "module:attribute" in this package.
COMMANDS = {
    "check": "check:check",
    "rules": "rules:rules_command",
    "explain": "rules:explain",
    "fmt": "fmt:fmt",
    "build": "build:build",
    "render": "build:render",
    "diff": "diff:diff_command",
    "import": "imports:import_group",
    "export": "export:export_group",
    "events": "events:events",
    "simulate": "simulate:simulate",
    "measure": "measure:measure_command",
    "lsp": "lsp:lsp",
    "serve": "serve:serve",
    "init": "init:init",
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's commands by name, each imported the first time it is asked for."""

    def __init__(self, where: Mapping[str, str]) -> None:
        self._where = dict(where)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module, _, attribute = self._where[name].partition(":")
            command = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
            assert isinstance(command, click.Command)
            self._loaded[name] = command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._where[name] = ""
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


class Commands(click.Group):
    """A click group whose commands are imported when asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(COMMANDS)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="cjdsl", message="%(prog)s %(version)s")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file to use instead of the nearest cjdsl.toml / pyproject.toml.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Parse files and lay out diagrams in N processes at once  [default: the number of cores].",
)
@click.option(
    "--safe",
    is_flag=True,
    help="For sources that may be hostile, such as a pull request from a fork: nothing read outside the project "
    "root (not even through a symbolic link), at most 2 MB a file and 50 MB in all, `dot` stopped after 20 s a "
    "diagram and 120 s in all, --templates refused. See docs/security.md.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show what is being done on a status line  [default: on a terminal, off in CI and when piped].",
)
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, jobs: int | None, safe: bool, progress: bool | None) -> None:
    """cjdsl compiles customer journeys written as code (.journey files) into
    diagrams, documentation and tracking plans.

    \b
    Examples:
      cjdsl check                    check every .journey file below this folder
      cjdsl fmt --check examples     fail if a file is not formatted
      cjdsl build examples -o site   write the site, diagrams and tracking plan into site/
      cjdsl render --to svg examples/hr_saas.journey -o hr.svg
      cjdsl diff git:origin/main .   what a branch changes for customers and tracking
      cjdsl explain dead-end         what a rule checks and why
    """
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_file
    if jobs is None:
        jobs = default_jobs()
    ctx.obj["jobs"] = jobs
    ctx.obj["safe"] = safe
    ctx.obj["progress"] = StatusLine.for_stream(sys.stderr, progress)


def run(argv: Sequence[str] | None = None) -> int:
    """Entry point: never lets a traceback reach the user unless CJDSL_DEBUG is set."""
    try:
        main.main(args=list(argv) if argv is not None else None, prog_name="cjdsl", standalone_mode=True)
    except SystemExit as exit_:
        code = int(exit_.code or 0) if isinstance(exit_.code, int) or exit_.code is None else 2
        if code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            # click's answer to a closed pipe (`cjdsl rules | head -1`) is exit 1, which
            # here means errors in the input; a closed pipe is SIGPIPE's 141, as for `seq`.
            return 141
        return code
    except KeyboardInterrupt:
        click.echo("cjdsl: interrupted", err=True)
        return 130
    except Exception as err:
        if os.environ.get("CJDSL_DEBUG"):
            raise
        click.echo(f"cjdsl: internal error: {type(err).__name__}: {err} (set CJDSL_DEBUG=1 for a traceback)", err=True)
        return 2
    return 0


def entry() -> None:
    code = run()
    # Leave without tearing the model down object by object (0.8 s for 10,000
    # touchpoints): every file cjdsl writes is closed by then, so only the standard
    # streams need flushing. As mypy does; CJDSL_DEBUG keeps the normal exit.
    if not os.environ.get("CJDSL_DEBUG"):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed pipe, as in `cjdsl rules | head -1`
            pass
        os._exit(code)
    sys.exit(code)
