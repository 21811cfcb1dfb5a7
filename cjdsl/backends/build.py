"""`cjdsl build`: run the selected backends in the order their links give, laying out
the diagrams of those that declare a layout step.

Backends are pure; the one impure step, running `dot`, comes in as the ``layout``
callable (see :mod:`cjdsl.backends.layout`), so this module can be tested with any layout. What
each backend needs comes from its registration (:class:`cjdsl.backends.Backend`): its
``links`` order the build and give it the paths of the linked backends' products, and
its ``layout`` step says which of its files to lay out and what to write instead when
a whole diagram cannot be. The result is a set of files and the notes to show the user;
writing them is the CLI's job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core.i18n import ENGLISH, Translator
from ..core.measured import MeasuredJourney, measured_journeys
from ..core.resolved import ResolvedJourney
from ..project.graph import Project
from . import Artifact, Backend, BuildContext, LayoutStep, Product, backends, build_order
from .layout import INSTALL_HINT, DotTimeout, Layout, LayoutError

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    files: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The paths each backend wrote, by backend name.
    paths: dict[str, set[str]] = field(default_factory=dict)

    def add(self, backend: str, artifact: Artifact) -> None:
        if artifact.path in self.files:
            raise RuntimeError(f"two artifacts named {artifact.path}")
        self.files[artifact.path] = artifact.content
        self.counts[backend] = self.counts.get(backend, 0) + 1
        self.paths.setdefault(backend, set()).add(artifact.path)


def _lay_out_diagrams(
    backend: str,
    step: LayoutStep,
    project: Project,
    result: BuildResult,
    layout: Layout | None,
    jobs: int,
    progress: Progress,
    tr: Translator = ENGLISH,
    measured: Mapping[str, MeasuredJourney] | None = None,
) -> None:
    """Each journey's diagram sources, and their images when `dot` can lay them out:
    first the step's main diagrams of every journey (the whole journey and the overview),
    then the rest of every journey's, so that a total time limit (`--safe`) goes to the
    main ones first. A journey whose whole diagram `dot` cannot finish in time gets the
    step's fallback (one diagram per stage) laid out instead of its rest. Up to ``jobs``
    `dot` processes run at once; the results do not depend on it."""
    measured = measured or {}
    told = False
    plans: list[tuple[ResolvedJourney, list[Artifact], list[Artifact]]] = []  # journey, main diagrams, the rest
    for j in project.journeys:
        diagrams = step.sources(step.diagrams, j, tr, measured.get(j.id))
        for artifact in diagrams:
            result.add(backend, artifact)
        if layout is None and diagrams and not told:
            kinds = _suffix(diagrams[0].path), _suffix(step.image_path(diagrams[0].path))
            result.notes.append(f"{INSTALL_HINT}; wrote the {kinds[0]} files but no {kinds[1]} diagrams")
            told = True
        if diagrams:
            cut = max(step.first, 1)
            plans.append((j, diagrams[:cut], diagrams[cut:]))
    if layout is None or not plans:
        return
    progress(f"dot: laying out {sum(len(lead) for _, lead, _ in plans)} diagrams, the main ones of each journey")
    images = iter(_lay_out(layout, [a for _, lead, _ in plans for a in lead], step.format, jobs))
    firsts = [[next(images) for _ in lead] for _, lead, _ in plans]
    rests: list[list[Artifact]] = []
    notes: list[list[str]] = []
    for (j, lead, others), first in zip(plans, firsts, strict=True):
        said: list[str] = []
        rest = others
        if isinstance(first[0], LayoutError):
            err = first[0]
            why = "is too large for one diagram" if isinstance(err, DotTimeout) else "could not be drawn whole"
            said.append(f"journey `{j.id}` ({len(j.touchpoints)} touchpoints) {why} ({err}): {step.fallback_note}")
            # The fallback's sources that are among the journey's diagrams are written already.
            written = {a.path: a for a in others}
            done = {a.path for a in lead}
            rest = []
            for artifact in step.sources(step.fallback, j, tr, measured.get(j.id)):
                if artifact.path in done:
                    continue
                if artifact.path not in written:
                    result.add(backend, artifact)
                rest.append(written.get(artifact.path, artifact))
                done.add(artifact.path)
        rests.append(rest)
        notes.append(said)
    progress(f"dot: laying out {sum(map(len, rests))} more diagrams")
    images = iter(_lay_out(layout, [a for rest in rests for a in rest], step.format, jobs))
    for (_, lead, _), first, rest, said in zip(plans, firsts, rests, notes, strict=True):
        result.notes.extend(said)
        for artifact, image in zip([*lead, *rest], [*first, *(next(images) for _ in rest)], strict=True):
            if isinstance(image, LayoutError):
                if artifact is not lead[0]:
                    kinds = _suffix(artifact.path), _suffix(step.image_path(artifact.path))
                    result.notes.append(f"{artifact.path}: {image}; the {kinds[0]} file is there, the {kinds[1]} is not")
                continue
            result.add(backend, Artifact(step.image_path(artifact.path), step.media_type, image))


def _suffix(path: str) -> str:
    """A file's extension, for the notes (``.dot``, ``.svg``)."""
    name = path.rsplit("/", 1)[-1]
    return name[name.rfind(".") :] if "." in name else name


def _lay_out(layout: Layout, artifacts: Sequence[Artifact], fmt: str, jobs: int) -> list[bytes | LayoutError]:
    """The image of each DOT artifact, or the error `dot` gave; `dot` runs as its own
    process, so threads are enough to keep ``jobs`` of them busy."""

    def one(artifact: Artifact) -> bytes | LayoutError:
        try:
            return layout(artifact.content.decode("utf-8"), fmt)
        except LayoutError as err:
            return err

    if jobs <= 1 or len(artifacts) <= 1:
        return [one(a) for a in artifacts]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(one, artifacts))


def _quiet(text: str) -> None:
    pass


def _linked(backend: Backend, registry: Mapping[str, Backend], project: Project, result: BuildResult) -> list[Product]:
    """The products of the backends ``backend`` links to that this build wrote."""
    out: list[Product] = []
    for name in backend.links:
        made = result.paths.get(name)
        if made:
            out.extend(p for p in registry[name].declared(project.journeys) if p.path in made)
    return out


def build(
    project: Project,
    names: Sequence[str],
    layout: Layout | None,
    templates: Mapping[str, str] | None = None,
    versions: Mapping[str, Any] | None = None,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    i18n: Translator = ENGLISH,
) -> BuildResult:
    """Every artifact of the selected backends, for every journey of the project, each
    backend after those it links to, their words in the language of ``i18n``.
    ``progress`` hears which backend runs, for a terminal's status line."""
    registry = backends()
    result = BuildResult()
    tell = progress or _quiet
    measured = measured_journeys(project.measured)
    for name in build_order(names):
        tell(f"building {name}")
        backend = registry[name]
        if backend.layout is not None:
            _lay_out_diagrams(name, backend.layout, project, result, layout, jobs, tell, i18n, measured)
            continue
        ctx = BuildContext(
            project.config,
            tuple(project.journeys),
            tuple(project.diagnostics),
            tuple(project.suppressed),
            tuple(_linked(backend, registry, project, result)),
            templates,
            versions or {},
            i18n,
            measured,
        )
        for artifact in backend.build_all(ctx):
            result.add(name, artifact)
    return result
