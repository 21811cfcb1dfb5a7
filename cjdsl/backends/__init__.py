"""Backends: pure functions from resolved journeys to artifacts, and their registry.

A backend never writes files, reads the clock or runs programs; it returns
:class:`Artifact` values and :mod:`cjdsl.fs` writes them. Every backend (JSON, Graphviz,
HTML, tracking plans, Mermaid) registers itself here, and the registry is the only way
to one: a :class:`Backend` declares what it produces (:class:`Product`), which other
backends' products it links to (`cjdsl build` runs those first and tells it which of
their files it wrote), the views of a journey it offers `cjdsl render`
(:class:`Views`), and whether its output is laid out by the layout adapter
(:class:`LayoutStep`: `dot` is a program, so the build runs it, not the backend).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import base
from .base import (
    DIAGRAM,
    DIAGRAM_SOURCE,
    PLAN,
    Artifact,
    Backend,
    BuildContext,
    LayoutStep,
    Product,
    UnknownView,
    Views,
    findings_of,
    register,
)

__all__ = [
    "DIAGRAM",
    "DIAGRAM_SOURCE",
    "PLAN",
    "Artifact",
    "Backend",
    "BuildContext",
    "LayoutStep",
    "Product",
    "UnknownView",
    "Views",
    "backend_named",
    "backends",
    "build_order",
    "findings_of",
    "register",
]


def backends() -> dict[str, Backend]:
    """Every registered backend, by name (importing the built-in ones on first use)."""
    from . import graphviz_dot, html_site, json_model, mermaid, tracking_plan  # noqa: F401  (they register themselves)

    return dict(sorted(base._REGISTRY.items()))


def backend_named(name: str) -> Backend | None:
    """The backend `cjdsl render --to NAME` means: by its name, else by an alias."""
    registry = backends()
    if name in registry:
        return registry[name]
    return next((b for b in registry.values() if name in b.aliases), None)


def build_order(names: Sequence[str]) -> list[str]:
    """The selected backends in the order `cjdsl build` runs them: each after the
    selected backends it links to (a link to one not selected only orders nothing),
    ties broken by name, so the order is the same on every run."""
    registry = backends()
    chosen = dict.fromkeys(names)
    for name in chosen:
        for link in registry[name].links:
            if link not in registry:
                raise ValueError(f"backend {name!r} links to {link!r}, which is not registered")
    waiting = {n: {link for link in registry[n].links if link in chosen and link != n} for n in chosen}
    out: list[str] = []
    while waiting:
        ready = sorted(n for n, needs in waiting.items() if not needs)
        if not ready:
            raise ValueError(f"backends link to each other in a cycle: {', '.join(sorted(waiting))}")
        out.append(ready[0])
        del waiting[ready[0]]
        for needs in waiting.values():
            needs.discard(ready[0])
    return out
