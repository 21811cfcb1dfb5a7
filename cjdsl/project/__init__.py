"""The project: paths and settings → resolved journeys with their diagnostics.

``sources`` reads and decodes one file, ``resolve`` joins a journey with what it
includes, ``config`` reads ``cjdsl.toml`` and confines ``--safe`` runs to the root,
``parallel`` spreads loading over worker processes, and ``graph`` ties them together:
the include graph, one finding per place, suppressions apart.
"""

from __future__ import annotations


def __getattr__(name: str) -> object:
    """``cjdsl.project.Project`` and ``compile_project``, as before the package had stages."""
    from . import graph

    try:
        return getattr(graph, name)
    except AttributeError:
        raise AttributeError(f"module 'cjdsl.project' has no attribute {name!r}") from None
