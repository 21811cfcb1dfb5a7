"""The VS Code extension (editors/vscode/): its manifest, its language configuration,
the client's way of finding and starting `cjdsl lsp`, and the `.vsix` that
`vsce package` builds from it, offline, with the client's runtime dependencies.

Everything runs on a copy of the extension in a temporary folder, so no node_modules or
.vsix is ever left in the repository. The npm packages come from the tools folder
(tests/test_editor_grammar.py says where); without them the tests skip, in CI they fail."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import cjdsl
from tests.conftest import IN_CI, example_files
from tests.test_editor_grammar import EXTENSION, GRAMMAR, NPM_TOOLS, npm_tool, run

MANIFEST = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
#: What the .vsix holds besides the client's dependencies (vsce writes the README as readme.md).
PACKAGED = {"package.json", "extension.js", "command.js", "language-configuration.json", "syntaxes/journey.tmLanguage.json"}


def node_program() -> str:
    program = shutil.which("node")
    if program is None:
        if IN_CI:
            pytest.fail("Node.js is missing; CI must install it (.ci/run installs nodejs with apt)")
        pytest.skip("Node.js is not installed")
    return program


def node(script: str, *args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node_program(), "-e", script, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False, env=env
    )


def test_the_manifest_contributes_the_language_the_grammar_and_the_settings() -> None:
    assert MANIFEST["name"] == "cjdsl" and MANIFEST["publisher"] == "cjdsl"
    assert MANIFEST["version"] == cjdsl.__version__, "editors/vscode/package.json's version follows cjdsl/__init__.py"
    assert re.fullmatch(r"\^1\.\d+\.\d+", MANIFEST["engines"]["vscode"])
    assert re.fullmatch(r"\^9\.\d+\.\d+", MANIFEST["dependencies"]["vscode-languageclient"])  # its engines.vscode is ^1.82
    (language,) = MANIFEST["contributes"]["languages"]
    assert language["id"] == "journey" and language["extensions"] == [".journey"]
    assert (EXTENSION / language["configuration"]).is_file()
    (grammar,) = MANIFEST["contributes"]["grammars"]
    assert grammar["language"] == "journey" and (EXTENSION / grammar["path"]).resolve() == GRAMMAR
    assert json.loads(GRAMMAR.read_text(encoding="utf-8"))["scopeName"] == grammar["scopeName"] == "source.journey"
    settings = MANIFEST["contributes"]["configuration"]["properties"]
    assert settings["cjdsl.path"]["default"] == "cjdsl"
    assert settings["cjdsl.trace.server"]["enum"] == ["off", "messages", "verbose"]
    # A workspace that is not trusted cannot choose the program that runs.
    assert MANIFEST["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"] == ["cjdsl.path"]
    commands = {c["command"] for c in MANIFEST["contributes"]["commands"]}
    source = (EXTENSION / "extension.js").read_text(encoding="utf-8")
    assert commands == set(re.findall(r"registerCommand\('([\w.]+)'", source))
    assert (EXTENSION / MANIFEST["main"]).is_file()


def test_the_client_is_plain_javascript_that_node_accepts(tmp_path: Path) -> None:
    for name in ("extension.js", "command.js"):
        done = subprocess.run(
            [node_program(), "--check", str(EXTENSION / name)], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
    # The client starts the server as `cjdsl lsp`, with no extra arguments such as --stdio.
    assert "transport" not in (EXTENSION / "extension.js").read_text(encoding="utf-8")


def test_the_client_finds_the_program_or_says_clearly_that_it_is_missing(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "cjdsl"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    (bin_dir / "not-a-program").write_text("", encoding="utf-8")
    script = """
const c = require(process.argv[1]);
const env = { PATH: process.argv[2] };
console.log(JSON.stringify({
  onPath: c.findProgram(c.expand('cjdsl', '/w'), env, 'linux'),
  missing: c.findProgram(c.expand('cjdsl-nowhere', '/w'), env, 'linux'),
  notExecutable: c.findProgram(process.argv[2] + '/not-a-program', env, 'linux'),
  workspace: c.expand('${workspaceFolder}/.venv/bin/cjdsl', '/home/me/project'),
  home: c.expand('~/bin/cjdsl', undefined, '/home/me'),
  empty: c.expand('  ', '/w'),
  command: c.serverCommand('/usr/bin/cjdsl'),
  message: c.notFoundMessage('${workspaceFolder}/.venv/bin/cjdsl', '/p/.venv/bin/cjdsl'),
}));
"""
    done = node(script, str(EXTENSION / "command.js"), str(bin_dir), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["onPath"] == str(program)
    assert got["missing"] is None and got["notExecutable"] is None
    assert got["workspace"] == "/home/me/project/.venv/bin/cjdsl"
    assert got["home"] == "/home/me/bin/cjdsl"
    assert got["empty"] == "cjdsl"
    assert got["command"] == {"command": "/usr/bin/cjdsl", "args": ["lsp"]}
    assert "/p/.venv/bin/cjdsl" in got["message"] and "was not found" in got["message"] and '"cjdsl.path"' in got["message"]


def indentation_levels(lines: list[str], increase: re.Pattern[str], decrease: re.Pattern[str]) -> list[int]:
    """The indentation VS Code gives each line from the language configuration's rules."""
    levels: list[int] = []
    level = 0
    for i, line in enumerate(lines):
        if i and increase.search(lines[i - 1]):
            level += 1
        if decrease.search(line):
            level -= 1
        levels.append(level)
    return levels


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_the_indentation_rules_give_the_formatters_layout(path: Path) -> None:
    """Typing an example line by line, VS Code's indentation would match `cjdsl fmt`."""
    config = json.loads((EXTENSION / "language-configuration.json").read_text(encoding="utf-8"))
    rules = config["indentationRules"]
    lines = path.read_text(encoding="utf-8").split("\n")
    levels = indentation_levels(lines, re.compile(rules["increaseIndentPattern"]), re.compile(rules["decreaseIndentPattern"]))
    inside_text = False
    for number, (line, level) in enumerate(zip(lines, levels), 1):
        if inside_text and line.strip() != '"""':  # the text of a multi-line string is the author's
            continue
        if line.strip() and not line.lstrip().startswith("#"):
            assert len(line) - len(line.lstrip(" ")) == 2 * level, f"{path.name}:{number}: {line!r}"
        if line.count('"""') % 2:
            inside_text = not inside_text
    assert config["comments"]["lineComment"] == "#"
    assert ["{", "}"] in config["brackets"]


def copy_dependencies(extension: Path, names: list[str]) -> list[str]:
    """Copies the packages ``names`` and everything they depend on from the npm tools
    folder into ``extension``/node_modules, each where Node's resolution found it (a
    nested node_modules stays nested). Returns their paths below node_modules."""
    root = NPM_TOOLS / "node_modules"

    def resolve(start: Path, name: str) -> Path:
        places = [start / "node_modules" / name]
        places += [folder / name for folder in start.parents if folder.name == "node_modules" and folder.is_relative_to(root)]
        for place in places:
            if (place / "package.json").is_file():
                return place
        message = f"npm package {name} (needed by {start.name}) is not installed in {root}; .ci/run installs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)

    copied: list[str] = []
    todo = [resolve(NPM_TOOLS, name) for name in names]
    while todo:
        package = todo.pop()
        relative = package.relative_to(root).as_posix()
        if relative in copied:
            continue
        copied.append(relative)
        shutil.copytree(package, extension / "node_modules" / relative, ignore=shutil.ignore_patterns("node_modules"))
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
        todo.extend(resolve(package, name) for name in meta.get("dependencies", {}))
    return sorted(copied)


def offline() -> list[str]:
    """A prefix that runs a command without network access, where the system allows it."""
    unshare = shutil.which("unshare")
    if unshare is not None and subprocess.run([unshare, "-rn", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-rn"]
    return []


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], Path]:
    """A copy of the extension with its dependencies, and the .vsix vsce built from it."""
    vsce = npm_tool("vsce")
    folder = tmp_path_factory.mktemp("vscode") / "cjdsl"
    shutil.copytree(EXTENSION, folder, ignore=shutil.ignore_patterns("node_modules", "*.vsix", "__pycache__"))
    dependencies = copy_dependencies(folder, list(MANIFEST["dependencies"]))
    vsix = folder.parent / "cjdsl.vsix"
    done = run(
        *offline(), vsce, "package", "--allow-missing-repository", "--skip-license", "--out", vsix, cwd=folder, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return folder, dependencies, vsix


def test_vsce_packages_the_extension_offline_with_its_dependencies_and_nothing_else(
    packaged: tuple[Path, list[str], Path],
) -> None:
    _folder, dependencies, vsix = packaged
    names = zipfile.ZipFile(vsix).namelist()
    assert len(names) == len(set(names))
    assert {"extension.vsixmanifest", "[Content_Types].xml"} <= set(names)
    inside = {n.removeprefix("extension/") for n in names if n.startswith("extension/")}
    assert PACKAGED | {"readme.md"} <= inside
    assert "node_modules/vscode-languageclient/package.json" in inside
    assert "node_modules/vscode-languageclient/node.js" in inside  # what `require('vscode-languageclient/node')` loads
    for dependency in dependencies:
        assert f"node_modules/{dependency}/package.json" in inside, dependency
    strays = sorted(
        n
        for n in inside
        if n not in PACKAGED | {"readme.md"} and not any(n.startswith(f"node_modules/{d}/") for d in dependencies)
    )
    assert not strays, f"files the .vsix should not hold: {strays[:20]}"
    assert not any(n.startswith(("/", "..")) or "/../" in n for n in names)
    assert not [n for n in names if not n.startswith("extension/") and n not in ("extension.vsixmanifest", "[Content_Types].xml")]


def test_the_vsix_holds_the_committed_files(packaged: tuple[Path, list[str], Path]) -> None:
    _folder, _dependencies, vsix = packaged
    archive = zipfile.ZipFile(vsix)
    for name in PACKAGED - {"package.json"}:
        assert archive.read(f"extension/{name}") == (EXTENSION / name).read_bytes(), name
    manifest = json.loads(archive.read("extension/package.json"))
    assert manifest["contributes"] == MANIFEST["contributes"] and manifest["main"] == MANIFEST["main"]
    identity = archive.read("extension.vsixmanifest").decode("utf-8")
    assert re.search(rf'<Identity [^>]*Id="cjdsl" [^>]*Version="{re.escape(cjdsl.__version__)}" [^>]*Publisher="cjdsl"', identity)


def cjdsl_has_lsp() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "cjdsl", "lsp", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return done.returncode == 0


def test_the_clients_command_starts_the_language_server(packaged: tuple[Path, list[str], Path], tmp_path: Path) -> None:
    """What the extension does at start, without VS Code: find `cjdsl` as the client
    does, start it with the client's arguments, and speak LSP over its stdio with the
    protocol library the client is built on. The server answers `initialize` and
    publishes the diagnostics of an opened file."""
    if not cjdsl_has_lsp():
        if IN_CI:
            pytest.fail("`cjdsl lsp` is missing")
        pytest.skip("this cjdsl has no `lsp` command yet")
    folder, _dependencies, _vsix = packaged
    project = tmp_path / "project"
    project.mkdir()
    (project / "cjdsl.toml").write_text("", encoding="utf-8")
    journey = project / "hr.journey"
    journey.write_text(
        'journey hr "HR" { owner marketing }\nteam marketing "Marketing"\n'
        'stage s "S" phase awareness {\n  touchpoint a "A" {\n    next nowhere\n  }\n}\n',
        encoding="utf-8",
    )
    script = """
const [ext, cwd, file] = process.argv.slice(1);
const fs = require('fs');
const cp = require('child_process');
const { pathToFileURL } = require('url');
const c = require(ext + '/command.js');
const rpc = require(ext + '/node_modules/vscode-jsonrpc/node');
const program = c.findProgram(c.expand('cjdsl', cwd));
if (program === null) { console.error(c.notFoundMessage('cjdsl', 'cjdsl')); process.exit(3); }
const { command, args } = c.serverCommand(program);
const child = cp.spawn(command, args, { cwd });
child.stderr.on('data', (d) => process.stderr.write(d));
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
const uri = pathToFileURL(file).href;
const diagnostics = new Promise((resolve) => {
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    if (p.uri === uri && p.diagnostics.length) resolve(p.diagnostics);
  });
});
connection.listen();
(async () => {
  const timer = setTimeout(() => { console.error('no answer in 60 s'); process.exit(4); }, 60000);
  const init = await connection.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(cwd).href, capabilities: {},
    workspaceFolders: [{ uri: pathToFileURL(cwd).href, name: 'project' }],
  });
  await connection.sendNotification('initialized', {});
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'journey', version: 1, text: fs.readFileSync(file, 'utf8') },
  });
  const found = await diagnostics;
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  clearTimeout(timer);
  console.log(JSON.stringify({ capabilities: init.capabilities, diagnostics: found, command, args }));
  process.exit(0);
})().catch((err) => { console.error(String(err)); process.exit(5); });
"""
    # The cjdsl of this Python first, as an editor started from its environment would find it.
    env = {**os.environ, "PATH": os.pathsep.join([sysconfig.get_path("scripts"), os.environ.get("PATH", "")])}
    done = node(script, str(folder), str(project), str(journey), cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    got = json.loads(done.stdout)
    assert got["args"] == ["lsp"] and Path(got["command"]).name == "cjdsl"
    assert got["capabilities"]["textDocumentSync"]
    codes = {d.get("code") for d in got["diagnostics"]}
    assert "CJ101" in codes, got["diagnostics"]
    (unknown,) = [d for d in got["diagnostics"] if d.get("code") == "CJ101"]
    assert unknown["range"]["start"] == {"line": 4, "character": 9}
