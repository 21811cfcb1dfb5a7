"""The package's own data files (the grammar, the parse tables, the code catalogue,
the JSON Schemas), read-only and shipped with the code: the one other module that
opens files, and only these."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def text(*parts: str) -> str:
    """A data file of the package, by its path inside ``cjdsl``, as UTF-8 text."""
    return resources.files("cjdsl").joinpath(*parts).read_text(encoding="utf-8")


def grammar() -> str:
    """The grammar: shipped inside the package, or beside it in a source checkout."""
    packaged = resources.files("cjdsl") / "grammar" / "journey.lark"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / "journey.lark").read_text(encoding="utf-8")
