"""The README's architecture, held to the code: which modules touch the file system,
and an import graph without cycles."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "cjdsl"

#: The modules that may touch the file system, each for the reason the README gives.
FILE_SYSTEM_MODULES = {
    "cjdsl.fs",  # every read, write, listing, check and link resolution of the project's files
    "cjdsl.core.packaged",  # the package's own data files (grammar, parse tables, code catalogue, schemas)
    "cjdsl.review.git",  # the git adapter: unpacks `git archive` into a scratch folder
    "cjdsl.backends.layout",  # the layout adapter: checks that $CJDSL_DOT is a program it can run
}

#: Methods of paths and files that touch the disk.
DISK_METHODS = {
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "exists",
    "is_file",
    "is_dir",
    "is_symlink",
    "glob",
    "rglob",
    "iterdir",
    "stat",
    "lstat",
    "mkdir",
    "unlink",
    "rmdir",
    "touch",
    "chmod",
    "samefile",
}
#: Functions of modules that touch the disk (module name → function names, or None: all).
DISK_FUNCTIONS: dict[str, set[str] | None] = {
    "os": {"walk", "listdir", "scandir", "stat", "lstat", "open", "remove", "unlink", "rename", "replace"}
    | {"mkdir", "makedirs", "rmdir", "chmod", "readlink", "access"},
    "os.path": {"exists", "lexists", "isfile", "isdir", "islink", "realpath", "getsize", "getmtime", "samefile"},
    "shutil": {"rmtree", "copy", "copy2", "copyfile", "copytree", "move"},
    "tempfile": None,
    "glob": None,
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base is not None else None
    return None


def _disk_calls(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append(f"line {node.lineno}: open(")
        elif isinstance(func, ast.Attribute):
            owner = _dotted(func.value)
            if owner == "fs":
                continue  # through cjdsl/fs.py: allowed
            if owner in DISK_FUNCTIONS and (DISK_FUNCTIONS[owner] is None or func.attr in DISK_FUNCTIONS[owner]):  # type: ignore[operator]
                found.append(f"line {node.lineno}: {owner}.{func.attr}(")
            elif func.attr in DISK_METHODS and owner not in DISK_FUNCTIONS:
                found.append(f"line {node.lineno}: .{func.attr}(")
            elif func.attr == "open" and owner not in DISK_FUNCTIONS:
                # Path.open(mode); a printer's `open(header, ...)` is not a file.
                mode = node.args[0] if node.args else None
                if mode is None or (
                    isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) <= set("rwabxt+")
                ):
                    found.append(f"line {node.lineno}: .open(")
            elif func.attr == "resolve" and not node.args and not node.keywords:
                found.append(f"line {node.lineno}: .resolve()")
    return found


def test_only_the_documented_modules_touch_the_file_system() -> None:
    offenders = {}
    for name, path in _modules().items():
        if name in FILE_SYSTEM_MODULES:
            continue
        calls = _disk_calls(ast.parse(path.read_text(encoding="utf-8")))
        if calls:
            offenders[name] = calls
    assert offenders == {}, "file system access outside cjdsl/fs.py (see README, Architecture)"


def test_the_check_finds_file_system_access() -> None:
    """The test above would catch each kind of call."""
    source = "\n".join(
        [
            "open(p)",
            "p.read_text()",
            "p.open('rb')",
            "p.parent.glob('*.journey')",
            "os.path.realpath(p)",
            "os.walk(p)",
            "shutil.rmtree(p)",
            "tempfile.mkdtemp()",
            "p.resolve()",
            "printer.open(f'journey {x}', node)",  # not a file
            "shutil.which('dot')",  # not a file access
        ]
    )
    assert len(_disk_calls(ast.parse(source))) == 9


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules ``name`` imports, at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in modules else base)
    return {m for m in out if m in modules and m != name}


def test_the_import_graph_has_no_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert graph["cjdsl.project.graph"] and graph["cjdsl.project.parallel"]  # the parse worked
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(name: str, stack: list[str]) -> None:
        if name in stack:
            cycles.append([*stack[stack.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*stack, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert cycles == []


#: The stages, lowest first: a module may import its own stage and those below it,
#: never one above (README, Architecture). `cjdsl` itself (the public API) is on top.
LAYERS = ["fs", "core", "language", "tracking", "rules", "project", "measure", "review", "backends", "lsp", "cli"]


def _layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in ("_moved", "__main__"):
        return len(LAYERS)
    return LAYERS.index(parts[1])


def test_every_module_is_in_a_stage_and_no_stage_imports_one_above_it() -> None:
    modules = _modules()
    upward = []
    for name, path in modules.items():
        for target in _imports(name, path, modules):
            if target == "cjdsl" and name.startswith("cjdsl.cli."):
                continue  # the command line reads `cjdsl.__version__`
            if _layer(target) > _layer(name):
                upward.append(f"{name} → {target}")
    assert upward == []


def test_the_stage_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The test above would catch a core module importing the language."""
    modules = {"cjdsl.core.model": tmp_path / "model.py", "cjdsl.language.parser": tmp_path / "parser.py"}
    modules["cjdsl.core.model"].write_text("from ..language import parser\n", encoding="utf-8")
    assert _imports("cjdsl.core.model", modules["cjdsl.core.model"], modules) == {"cjdsl.language.parser"}
    assert _layer("cjdsl.language.parser") > _layer("cjdsl.core.model")


def test_module_paths_from_before_the_stages_still_import_the_same_modules() -> None:
    import importlib

    import cjdsl
    import cjdsl.language.parser
    import cjdsl.project.graph

    old = importlib.import_module("cjdsl.parser")
    assert old is cjdsl.language.parser and old.parse is cjdsl.parse
    from cjdsl.project import compile_project  # the module cjdsl.project became a package

    assert compile_project is cjdsl.project.graph.compile_project
    from cjdsl._moved import MOVED

    for name, new in MOVED.items():
        assert importlib.import_module(name) is importlib.import_module(new), name
