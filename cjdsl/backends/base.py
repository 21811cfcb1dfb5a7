"""The registry's types (:class:`Backend`, :class:`Artifact`, :class:`Product`, ...) and
:func:`register`, in a module of their own so the backend modules import them without
importing the package that imports them."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from ..core.diagnostics import Diagnostic
from ..core.i18n import ENGLISH, Translator
from ..core.measured import MeasuredJourney
from ..core.resolved import ResolvedJourney
from ..project.config import Config


@dataclass(frozen=True)
class Artifact:
    """One output file: a relative POSIX path, its media type and its content."""

    path: str
    media_type: str
    content: bytes

    @staticmethod
    def text(path: str, media_type: str, text: str) -> Artifact:
        return Artifact(path, media_type, text.encode("utf-8"))


#: What a product is, for the backends that link to it.
#: An image of a view of a journey (a page shows it).
DIAGRAM = "diagram"
#: The text a diagram is drawn from (a page links it when the image could not be made).
DIAGRAM_SOURCE = "diagram-source"
#: The tracking plan in one format (a page offers it; the label names the format).
PLAN = "tracking-plan"


@dataclass(frozen=True)
class Product:
    """A file a backend's build writes, or may write, as other backends find it: its
    path, what it is (``role``, one of the names above or ``""``), a label for a link
    to it, and the journey, view and persona it shows (None: the whole build's)."""

    path: str
    role: str = ""
    label: str = ""
    journey: str | None = None
    view: str = ""
    persona: str | None = None


@dataclass(frozen=True)
class BuildContext:
    """What a backend may look at besides the journey."""

    config: Config
    journeys: Sequence[ResolvedJourney] = ()
    diagnostics: Sequence[Diagnostic] = ()
    #: Findings an `allow` silenced (each with its suppression), shown as accepted.
    suppressed: Sequence[Diagnostic] = ()
    #: The products of the backends this one links to that this build wrote (paths, not
    #: bytes), in the order of its `links` and of their declarations.
    linked: Sequence[Product] = ()
    #: Template overrides by name (`cjdsl build --templates DIR`).
    templates: Mapping[str, str] | None = None
    #: Event versions from the tracking lock file, by event id.
    versions: Mapping[str, Any] = field(default_factory=dict)
    #: The language of the interface: the words of pages, legends and Markdown
    #: (`[site] locale`, `--locale`); English by default.
    i18n: Translator = ENGLISH
    #: What captured events said of each journey, by journey id (`cjdsl build --events`,
    #: `[measure] events`); empty when the build was given no events.
    measured: Mapping[str, MeasuredJourney] = field(default_factory=dict)

    def linked_path(self, role: str, journey: str | None = None, view: str = "", persona: str | None = None) -> str | None:
        """The path of the linked product with these marks that the build wrote, or None."""
        return self._linked_paths.get((role, journey, view, persona))

    def linked_products(self, role: str) -> list[Product]:
        """The linked products of one role that the build wrote, in order."""
        return [p for p in self.linked if p.role == role]

    @cached_property
    def _linked_paths(self) -> dict[tuple[str, str | None, str, str | None], str]:
        out: dict[tuple[str, str | None, str, str | None], str] = {}
        for p in self.linked:
            out.setdefault((p.role, p.journey, p.view, p.persona), p.path)
        return out


class UnknownView(ValueError):
    """A view or persona the journey does not have (the message says which it has)."""


class ViewSource(Protocol):
    def __call__(self, journey: ResolvedJourney, view: str, persona: str | None, tr: Translator = ..., /) -> str: ...


class Diagrams(Protocol):
    def __call__(self, journey: ResolvedJourney, tr: Translator = ..., /) -> Sequence[Artifact]: ...


@dataclass(frozen=True)
class Views:
    """The views of one journey that a backend offers `cjdsl render` (``--view`` and
    ``--persona``): ``source(journey, view, persona, tr)`` is the view's text in the
    language of ``tr`` (English when not given), or raises :class:`UnknownView`."""

    source: ViewSource

    def text(self, journey: Any, view: str, persona: str | None, tr: Any) -> str:
        """The view's text; a ``source`` written before views took the language is
        called without it (and gives English)."""
        return str(with_language(self.source, tr, journey, view, persona))


def with_language(fn: Callable[..., Any], tr: Any, *args: Any) -> Any:
    """``fn(*args, tr)``, or ``fn(*args)`` when ``fn`` takes no more positional
    arguments than ``args`` (a backend's callable from before the build's language
    was passed on)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return fn(*args, tr)
    kinds = [p.kind for p in params]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return fn(*args, tr)
    positional = sum(k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD) for k in kinds)
    return fn(*args, tr) if positional > len(args) else fn(*args)


@dataclass(frozen=True)
class LayoutStep:
    """A backend whose output the layout adapter (:mod:`cjdsl.backends.layout`, Graphviz's `dot`)
    lays out as images. `cjdsl build` makes such a backend's files:

    * ``diagrams(journey, tr)``: the journey's diagram sources (their words in the
      language of ``tr``), the whole journey first; all are written, and the first
      ``first`` of them, of every journey, are laid out before the rest of any (so a
      total time limit such as `--safe`'s goes to the main diagrams first);
    * when the whole journey cannot be laid out (too large for `dot`'s time limit),
      ``fallback(journey, tr)`` is laid out instead of the rest (its sources that are not
      among the ``diagrams`` are written too; those that are, with the same path, are
      written once), and the note says so with ``fallback_note``;
    * each image goes to ``image_path(source path)``, in ``format`` (``media_type``);
    * with ``measured`` set, a build given events calls ``diagrams(journey, tr,
      measured=...)`` and ``fallback`` the same way, with what the events said of the
      journey (a :class:`~cjdsl.core.measured.MeasuredJourney`, or None).

    `cjdsl render --to svg|png|pdf` lays out this backend's :class:`Views`."""

    diagrams: Diagrams
    fallback: Diagrams
    image_path: Callable[[str], str]
    fallback_note: str
    first: int = 1
    format: str = "svg"
    media_type: str = "image/svg+xml"
    #: Whether ``diagrams`` and ``fallback`` take the ``measured`` keyword.
    measured: bool = False

    def sources(self, fn: Diagrams, journey: ResolvedJourney, tr: Translator, measured: MeasuredJourney | None) -> list[Artifact]:
        """``fn``'s diagrams of the journey (``diagrams`` or ``fallback``), measured when
        the step takes it and there is a measurement."""
        if self.measured and measured is not None:
            return list(fn(journey, tr, measured=measured))  # type: ignore[call-arg]
        return list(with_language(fn, tr, journey))


@dataclass(frozen=True)
class Backend:
    name: str
    help: str
    #: One journey → its main artifact (what `cjdsl render --to NAME` prints).
    render: Callable[[ResolvedJourney, BuildContext], Artifact]
    #: Every journey → all artifacts for `cjdsl build` (default: `render` for each).
    build: Callable[[BuildContext], Sequence[Artifact]] | None = field(default=None)
    #: The backends whose products this one links to: built before it when both are
    #: selected, and their products that the build wrote are its ``ctx.linked``.
    links: tuple[str, ...] = ()
    #: Files the build writes whatever the journeys (fixed paths).
    products: tuple[Product, ...] = ()
    #: Files the build writes, or may write, for one journey. Files named after the data
    #: (one schema per event) need not be declared; what others link to must be.
    products_of: Callable[[ResolvedJourney], Sequence[Product]] | None = None
    #: Other names `cjdsl render --to` knows this backend by.
    aliases: tuple[str, ...] = ()
    #: Views of a journey for `cjdsl render --view/--persona` (None: only `render`).
    views: Views | None = None
    #: The layout step the build runs on this backend's diagrams (None: no layout).
    layout: LayoutStep | None = None

    def build_all(self, ctx: BuildContext) -> list[Artifact]:
        if self.build is not None:
            return list(self.build(ctx))
        return [self.render(j, ctx) for j in ctx.journeys]

    def declared(self, journeys: Sequence[ResolvedJourney]) -> list[Product]:
        """Every product this backend declares for a build of ``journeys``."""
        out = list(self.products)
        if self.products_of is not None:
            for j in journeys:
                out.extend(self.products_of(j))
        return out


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
