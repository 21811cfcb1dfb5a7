"""cjdsl: customer journeys written as code, compiled into diagrams, documentation and
tracking plans.

The public API mirrors the command line::

    import cjdsl
    result = cjdsl.parse(text, "hr.journey")          # one file → model + diagnostics
    project = cjdsl.check(["examples"])               # files → resolved journeys + diagnostics
    text = cjdsl.format_text(text)[0]                 # canonical layout
    artifacts = cjdsl.render("json", project.journeys[0])
"""

from __future__ import annotations

__version__ = "0.2.0"

from collections.abc import Sequence
from pathlib import Path

from . import _moved
from .backends import Artifact, Backend, BuildContext, backends, register
from .core import model
from .core.diagnostics import CODES, Diagnostic, Related, Severity, Suppression
from .core.resolved import ResolvedJourney
from .core.span import Span
from .language.parser import ParseResult, parse
from .project.config import Config, ConfigError, load_config
from .project.graph import Project, compile_project

_moved.install()


def __getattr__(name: str) -> object:
    """The formatter loads on first use: `cjdsl check` does not need it."""
    if name in ("format_document", "format_text"):
        from .language import formatter

        return getattr(formatter, name)
    raise AttributeError(f"module 'cjdsl' has no attribute {name!r}")


def check(paths: Sequence[str | Path], config: Config | None = None) -> Project:
    """Reads, parses and resolves the ``.journey`` files under ``paths``."""
    given = [Path(p) for p in paths]
    return compile_project(given, config or load_config(given))


def render(backend: str, journey: ResolvedJourney, config: Config | None = None) -> Artifact:
    """One backend's main artifact for one resolved journey."""
    ctx = BuildContext(config or Config(root=Path.cwd()), (journey,))
    return backends()[backend].render(journey, ctx)


__all__ = [
    "CODES",
    "Artifact",
    "Backend",
    "BuildContext",
    "Config",
    "ConfigError",
    "Diagnostic",
    "ParseResult",
    "Project",
    "Related",
    "ResolvedJourney",
    "Severity",
    "Span",
    "Suppression",
    "__version__",
    "backends",
    "check",
    "compile_project",
    "format_document",
    "format_text",
    "load_config",
    "model",
    "parse",
    "register",
    "render",
]
