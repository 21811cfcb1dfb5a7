"""`cjdsl build`: run the selected backends, then lay diagrams out with `dot`.

Backends are pure; the one impure step, running `dot`, comes in as the ``layout``
callable (see :mod:`cjdsl.layout`), so this module can be tested with any layout. The
result is a set of files and the notes to show the user; writing them is the CLI's job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .backends import Artifact, BuildContext, backends
from .backends.graphviz_dot import stage_views, views
from .layout import INSTALL_HINT, DotTimeout, Layout, LayoutError
from .project import Project

Progress = Callable[[str], None]


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


def _diagrams(project: Project, result: BuildResult, layout: Layout | None, jobs: int, progress: Progress) -> None:
    """DOT for every journey's views, and SVG when `dot` can lay them out. A journey
    whose whole diagram `dot` cannot finish in time gets one diagram per stage instead.
    Up to ``jobs`` `dot` processes run at once; the results do not depend on it."""
    if layout is None:
        result.notes.append(f"{INSTALL_HINT}; wrote the .dot files but no .svg diagrams")
    for j in project.journeys:
        whole, overview, *personas = views(j)
        for artifact in (whole, overview, *personas):
            result.add("graphviz", artifact)
        if layout is None:
            continue
        progress(f"dot: laying out {whole.path}")
        first = _lay_out(layout, [whole, overview], jobs)
        if isinstance(first[0], LayoutError):
            err = first[0]
            why = "is too large for one diagram" if isinstance(err, DotTimeout) else "could not be drawn whole"
            result.notes.append(
                f"journey `{j.id}` ({len(j.touchpoints)} touchpoints) {why} ({err}): "
                "wrote the stage overview and one diagram per stage instead, and no persona diagrams"
            )
            rest = stage_views(j)
            for stage_artifact in rest:
                result.add("graphviz", stage_artifact)
        else:
            rest = personas
        progress(f"dot: laying out {len(rest)} more diagrams of {j.id}")
        for artifact, svg in zip([whole, overview, *rest], [*first, *_lay_out(layout, rest, jobs)], strict=True):
            if isinstance(svg, LayoutError):
                if artifact is not whole:
                    result.notes.append(f"{artifact.path}: {svg}; the .dot file is there, the .svg is not")
                continue
            result.add("graphviz", Artifact(_svg_path(artifact.path), "image/svg+xml", svg))


def _lay_out(layout: Layout, artifacts: Sequence[Artifact], jobs: int) -> list[bytes | LayoutError]:
    """SVG of each DOT artifact, or the error `dot` gave; `dot` runs as its own process,
    so threads are enough to keep ``jobs`` of them busy."""

    def one(artifact: Artifact) -> bytes | LayoutError:
        try:
            return layout(artifact.content.decode("utf-8"), "svg")
        except LayoutError as err:
            return err

    if jobs <= 1 or len(artifacts) <= 1:
        return [one(a) for a in artifacts]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, artifacts))


def _quiet(text: str) -> None:
    pass


#: Backends that others build on come first: the site links the diagrams.
_ORDER = {"graphviz": 0, "tracking": 1, "json": 2}  # html (5) comes last


def build(
    project: Project,
    names: Sequence[str],
    layout: Layout | None,
    templates: Mapping[str, str] | None = None,
    versions: Mapping[str, Any] | None = None,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
) -> BuildResult:
    """Every artifact of the selected backends, for every journey of the project.
    ``progress`` hears which backend runs, for a terminal's status line."""
    registry = backends()
    result = BuildResult()
    tell = progress or _quiet
    for name in sorted(names, key=lambda n: (_ORDER.get(n, 5), n)):
        tell(f"building {name}")
        if name == "graphviz":
            _diagrams(project, result, layout, jobs, tell)
            continue
        ctx = BuildContext(
            project.config,
            tuple(project.journeys),
            tuple(project.diagnostics),
            tuple(project.suppressed),
            dict(result.files),
            templates,
            versions or {},
        )
        for artifact in registry[name].build_all(ctx):
            result.add(name, artifact)
    return result
