"""`cjdsl build`: run the selected backends, then lay diagrams out with `dot`.

Backends are pure; the one impure step, running `dot`, comes in as the ``layout``
callable (see :mod:`cjdsl.layout`), so this module can be tested with any layout. The
result is a set of files and the notes to show the user; writing them is the CLI's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .backends import Artifact, BuildContext, backends
from .backends.graphviz_dot import stage_views, views
from .layout import INSTALL_HINT, DotTimeout, Layout, LayoutError
from .project import Project


@dataclass
class BuildResult:
    files: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, backend: str, artifact: Artifact) -> None:
        if artifact.path in self.files:
            raise RuntimeError(f"two artifacts named {artifact.path}")
        self.files[artifact.path] = artifact.content
        self.counts[backend] = self.counts.get(backend, 0) + 1


def _svg_path(dot_path: str) -> str:
    return dot_path[: -len(".dot")] + ".svg"


def _diagrams(project: Project, result: BuildResult, layout: Layout | None) -> None:
    """DOT for every journey's views, and SVG when `dot` can lay them out. A journey
    whose whole diagram `dot` cannot finish in time gets one diagram per stage instead."""
    if layout is None:
        result.notes.append(f"{INSTALL_HINT}; wrote the .dot files but no .svg diagrams")
    for j in project.journeys:
        whole, overview, *personas = views(j)
        for artifact in (whole, overview, *personas):
            result.add("graphviz", artifact)
        if layout is None:
            continue
        fallback = False
        for artifact in (whole, overview, *personas):
            if fallback and artifact in personas:
                continue
            try:
                svg = layout(artifact.content.decode("utf-8"), "svg")
            except LayoutError as err:
                if artifact is whole:
                    fallback = True
                    why = "is too large for one diagram" if isinstance(err, DotTimeout) else "could not be drawn whole"
                    result.notes.append(
                        f"journey `{j.id}` ({len(j.touchpoints)} touchpoints) {why} ({err}): "
                        "wrote the stage overview and one diagram per stage instead, and no persona diagrams"
                    )
                    for stage_artifact in stage_views(j):
                        result.add("graphviz", stage_artifact)
                        try:
                            result.add(
                                "graphviz",
                                Artifact(
                                    _svg_path(stage_artifact.path),
                                    "image/svg+xml",
                                    layout(stage_artifact.content.decode("utf-8"), "svg"),
                                ),
                            )
                        except LayoutError as stage_err:
                            result.notes.append(f"{stage_artifact.path}: {stage_err}")
                else:
                    result.notes.append(f"{artifact.path}: {err}; the .dot file is there, the .svg is not")
                continue
            result.add("graphviz", Artifact(_svg_path(artifact.path), "image/svg+xml", svg))


#: Backends that others build on come first: the site links the diagrams.
_ORDER = {"graphviz": 0, "tracking": 1, "json": 2}  # html (5) comes last


def build(
    project: Project,
    names: Sequence[str],
    layout: Layout | None,
    templates: Mapping[str, str] | None = None,
    versions: Mapping[str, Any] | None = None,
) -> BuildResult:
    """Every artifact of the selected backends, for every journey of the project."""
    registry = backends()
    result = BuildResult()
    for name in sorted(names, key=lambda n: (_ORDER.get(n, 5), n)):
        if name == "graphviz":
            _diagrams(project, result, layout)
            continue
        ctx = BuildContext(
            project.config, tuple(project.journeys), tuple(project.diagnostics), dict(result.files), templates, versions or {}
        )
        for artifact in registry[name].build_all(ctx):
            result.add(name, artifact)
    return result
