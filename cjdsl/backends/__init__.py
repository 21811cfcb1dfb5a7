"""Backends: pure functions from resolved journeys to artifacts, and their registry.

A backend never writes files, reads the clock or runs programs; it returns
:class:`Artifact` values and :mod:`cjdsl.fs` writes them. Later backends (Graphviz,
HTML, tracking plans, Mermaid) register themselves here the same way ``json`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..diagnostics import Diagnostic
from ..resolved import ResolvedJourney


@dataclass(frozen=True)
class Artifact:
    """One output file: a relative POSIX path, its media type and its content."""

    path: str
    media_type: str
    content: bytes

    @staticmethod
    def text(path: str, media_type: str, text: str) -> Artifact:
        return Artifact(path, media_type, text.encode("utf-8"))


@dataclass(frozen=True)
class BuildContext:
    """What a backend may look at besides the journey."""

    config: Config
    journeys: Sequence[ResolvedJourney] = ()
    diagnostics: Sequence[Diagnostic] = ()
    #: Findings an `allow` silenced (each with its suppression), shown as accepted.
    suppressed: Sequence[Diagnostic] = ()
    #: Files earlier backends of this build produced (the site links the diagrams).
    files: Mapping[str, bytes] = field(default_factory=dict)
    #: Template overrides by name (`cjdsl build --templates DIR`).
    templates: Mapping[str, str] | None = None
    #: Event versions from the tracking lock file, by event id.
    versions: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Backend:
    name: str
    help: str
    #: One journey → its main artifact (what `cjdsl render --to NAME` prints).
    render: Callable[[ResolvedJourney, BuildContext], Artifact]
    #: Every journey → all artifacts for `cjdsl build` (default: `render` for each).
    build: Callable[[BuildContext], Sequence[Artifact]] | None = field(default=None)

    def build_all(self, ctx: BuildContext) -> list[Artifact]:
        if self.build is not None:
            return list(self.build(ctx))
        return [self.render(j, ctx) for j in ctx.journeys]


def findings_of(j: ResolvedJourney, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics that lie in the journey's files, in report order."""
    files = set(j.files)
    return [d for d in diagnostics if d.span is not None and d.span.path in files]


_REGISTRY: dict[str, Backend] = {}


def register(backend: Backend) -> Backend:
    if backend.name in _REGISTRY:
        raise ValueError(f"backend {backend.name!r} is registered twice")
    _REGISTRY[backend.name] = backend
    return backend


def backends() -> dict[str, Backend]:
    """Every registered backend, by name (importing the built-in ones on first use)."""
    from . import graphviz_dot, html_site, json_model, mermaid, tracking_plan  # noqa: F401  (they register themselves)

    return dict(sorted(_REGISTRY.items()))
