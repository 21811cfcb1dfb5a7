"""Module paths from before the package was grouped by stage (0.2), kept working.

``import cjdsl.parser`` gives the very module object ``cjdsl.language.parser``, so an
attribute set on one (a test's monkeypatch, say) is seen through the other. New code
uses the new paths; the public API is ``cjdsl`` itself (see ``cjdsl.__all__``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

#: old dotted name → new dotted name
MOVED = {
    f"cjdsl.{old}": f"cjdsl.{new}"
    for old, new in {
        "span": "core.span",
        "strings": "core.strings",
        "model": "core.model",
        "resolved": "core.resolved",
        "vocabulary": "core.vocabulary",
        "diagnostics": "core.diagnostics",
        "jsontext": "core.jsontext",
        "markdown": "core.markdown",
        "terminal": "core.terminal",
        "packaged": "core.packaged",
        "fastpath": "language.fastpath",
        "parser": "language.parser",
        "builder": "language.builder",
        "syntax_errors": "language.syntax_errors",
        "structure": "language.values",
        "formatter": "language.formatter",
        "sources": "project.sources",
        "resolve": "project.resolve",
        "config": "project.config",
        "parallel": "project.parallel",
        "build": "backends.build",
        "layout": "backends.layout",
        "diff": "review.diff",
        "git": "review.git",
        "mermaid_import": "review.mermaid_import",
        "report": "cli.report",
        "progress": "cli.progress",
    }.items()
}


class _Alias(importlib.abc.Loader):
    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        # The import system hands back whatever sys.modules holds under the old name.
        sys.modules[module.__name__] = importlib.import_module(self.new)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
