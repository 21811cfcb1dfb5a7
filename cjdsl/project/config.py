"""Project settings: ``cjdsl.toml``, or ``[tool.cjdsl]`` in ``pyproject.toml``.

The folder holding the settings file is the project root: include paths may not leave
it, and output paths are written relative to it.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import fs
from ..core.i18n import valid_tag
from ..rules import RuleSettings, SettingsError, parse_settings
from .sources import DEFAULT_MAX_BYTES


class ConfigError(Exception):
    """A settings file that cannot be used (exit code 2)."""


#: Every setting the core understands, with its type and what it does.
SETTINGS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "exclude": (list, "glob patterns (relative to the root) of .journey files to skip"),
    "max_file_size_mb": ((int, float), "refuse source files larger than this (default 20)"),
    "source_url": (str, "link to a file's source line, e.g. https://example.org/repo/blob/main/{path}#L{line}"),
    "select": (list, "validator rules to run: names, codes or code prefixes (default: all)"),
    "ignore": (list, "validator rules not to run"),
    "strict": (bool, "warnings fail `cjdsl check` too (exit 1)"),
    "rules": (dict, "[rules.NAME] tables: `severity` (error, warning, info, off) and the rule's options"),
    "tracking": (dict, "[tracking] `vendor` (Snowplow Iglu vendor, e.g. com.acme) and `name` (the plan's name)"),
    "events": (dict, "[events] where events keep the user, time, name, properties and persona (docs/measure.md)"),
    "measure": (dict, "[measure] `events`: event files or globs (relative to the root) that `check` and `build` measure on"),
    "site": (dict, "[site] `locale` (the language of the site, diagrams and Markdown) and `locale_dir` (docs/i18n.md)"),
}


@dataclass(frozen=True)
class Config:
    root: Path
    file: Path | None = None
    exclude: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_BYTES
    source_url: str | None = None
    rules: RuleSettings = field(default_factory=RuleSettings)
    raw: Mapping[str, Any] = field(default_factory=dict)
    #: `--safe`: the sources may be hostile (see :func:`safe`).
    safe: bool = False
    #: The root as the paths given name it, before links are resolved (for `--safe`).
    written_root: Path | None = None


#: `--safe` limits: per file, and for all the sources of one run together.
SAFE_MAX_FILE_BYTES = 2 * 1024 * 1024
SAFE_MAX_TOTAL_BYTES = 50 * 1024 * 1024
#: `--safe`: seconds `dot` may take for one diagram, and for all diagrams of a run.
SAFE_DOT_TIMEOUT = 20.0
SAFE_DOT_TOTAL = 120.0


def safe(config: Config, boundary: Path) -> Config:
    """The settings for sources that may be hostile (a pull request from a fork): no
    file larger than 2 MB whatever the settings file says, 50 MB in all, and nothing
    read from outside the project root, even through a symbolic link. The root itself
    must lie inside ``boundary`` (the repository the command runs in, or the current
    folder): a path argument that is a committed link to ``..`` cannot move it out."""
    from dataclasses import replace

    real = fs.real(boundary)
    for what, path in (("the project root", config.written_root or config.root), ("the settings file", config.file)):
        if path is None:
            continue
        resolved = fs.real(path)
        # Inside the repository the command runs in, or named without any link on the way.
        if not resolved.is_relative_to(real) and resolved != Path(os.path.normpath(os.path.abspath(path))):
            raise ConfigError(
                f"--safe: {what} {path} is outside {real} (reached through a symbolic link?); "
                "run cjdsl from the repository that holds the journeys"
            )
    return replace(config, safe=True, max_file_size=min(config.max_file_size, SAFE_MAX_FILE_BYTES))


def boundary(cwd: Path) -> Path:
    """What `--safe` confines reads to: the top of the git repository holding ``cwd``
    (found by its ``.git`` entry, without running git), else ``cwd`` itself."""
    here = Path(os.path.abspath(cwd))
    for folder in [here, *here.parents]:
        if fs.lexists(folder / ".git"):
            return fs.real(folder)
    return fs.real(here)


def find_config(start: Path, stop: Path | None = None) -> tuple[Path | None, Mapping[str, Any]]:
    """The nearest ``cjdsl.toml`` (or ``pyproject.toml`` with ``[tool.cjdsl]``) at or
    above ``start``, and its settings table. The search goes up the folders as written
    (a symbolic link is not followed to where it points) and not above ``stop``."""
    start = Path(os.path.abspath(start))
    folder = start if fs.is_dir(start) else start.parent
    limit = Path(os.path.abspath(stop)) if stop is not None else None
    for candidate in [folder, *folder.parents]:
        if limit is not None and not candidate.is_relative_to(limit):
            break
        own = candidate / "cjdsl.toml"
        if fs.is_file(own):
            return own, _read(own)
        pyproject = candidate / "pyproject.toml"
        if fs.is_file(pyproject):
            table = _read(pyproject).get("tool", {}).get("cjdsl")
            if isinstance(table, dict):
                return pyproject, table
    return None, {}


def _read(path: Path) -> dict[str, Any]:
    got = fs.read_source(path, MAX_SETTINGS_BYTES)
    if got.data is None:
        raise ConfigError(f"{path}: cannot read: {got.why(MAX_SETTINGS_BYTES)}")
    try:
        return tomllib.loads(got.data.decode("utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise ConfigError(f"{path}: nests too deeply to be a settings file") from None


#: A settings file larger than this is refused (settings are a few lines).
MAX_SETTINGS_BYTES = 1024 * 1024


def load_config(paths: Sequence[Path], explicit: Path | None = None, *, stop: Path | None = None) -> Config:
    """Settings for a run over ``paths`` (found from the first path upward, not above
    ``stop``: a revision checked out into a temporary folder takes its settings from
    that revision or from the defaults, never from a ``cjdsl.toml`` above the folder)."""
    if explicit is not None:
        if not fs.is_file(explicit):
            raise ConfigError(f"{explicit}: no such settings file")
        table: Mapping[str, Any] = _read(explicit)
        if explicit.name == "pyproject.toml":
            table = table.get("tool", {}).get("cjdsl", {})
        file: Path | None = explicit
    else:
        start = Path(paths[0]) if paths else Path.cwd()
        file, table = find_config(start, stop)
    for key, value in table.items():
        if key not in SETTINGS:
            known = ", ".join(sorted(SETTINGS))
            raise ConfigError(f"{file}: unknown setting `{key}` (known settings: {known})")
        kind, _ = SETTINGS[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise ConfigError(f"{file}: setting `{key}` has the wrong type ({type(value).__name__})")
    written = Path(os.path.abspath(file)).parent if file is not None else common_root(paths, resolve=False)
    root = fs.real(written)
    exclude = table.get("exclude", [])
    if not all(isinstance(x, str) for x in exclude):
        raise ConfigError(f"{file}: `exclude` must be a list of strings")
    max_mb = table.get("max_file_size_mb", DEFAULT_MAX_BYTES / (1024 * 1024))
    if not (isinstance(max_mb, (int, float)) and math.isfinite(max_mb) and 0 < max_mb <= MAX_FILE_SIZE_MB):
        raise ConfigError(f"{file}: `max_file_size_mb` must be a number above 0 and at most {MAX_FILE_SIZE_MB}")
    tracking = table.get("tracking", {})
    for key, value in tracking.items():
        if key not in ("vendor", "name") or not isinstance(value, str):
            raise ConfigError(f"{file}: [tracking] takes `vendor` and `name` as strings, not `{key}`")
    if "vendor" in tracking and not re.fullmatch(r"[a-zA-Z0-9_.-]+", tracking["vendor"]):
        raise ConfigError(f"{file}: [tracking] vendor must match ^[a-zA-Z0-9-_.]+$ (Iglu), e.g. com.acme")
    site = table.get("site", {})
    for key, value in site.items():
        if key not in ("locale", "locale_dir") or not isinstance(value, str):
            raise ConfigError(f"{file}: [site] takes `locale` and `locale_dir` as strings, not `{key}`")
    if "locale" in site and not valid_tag(site["locale"]):
        raise ConfigError(f"{file}: [site] locale must be a language tag such as pl or pl_PL, not {site['locale']!r}")
    if "locale_dir" in site and (not site["locale_dir"].strip() or Path(site["locale_dir"]).is_absolute()):
        raise ConfigError(f'{file}: [site] locale_dir must be a folder relative to the project root, such as "locale"')
    try:
        rules = parse_settings(table)
    except SettingsError as err:
        raise ConfigError(f"{file}: {err}") from None
    return Config(
        root=root,
        file=file,
        exclude=tuple(exclude),
        max_file_size=int(max_mb * 1024 * 1024),
        source_url=table.get("source_url"),
        rules=rules,
        raw=dict(table),
        written_root=written,
    )


#: The largest `max_file_size_mb` a settings file may ask for.
MAX_FILE_SIZE_MB = 1024


def common_root(paths: Sequence[Path], *, resolve: bool = True) -> Path:
    """The deepest folder holding every given path (folders count as themselves), found
    from the paths as written; then resolved, so files can be compared with it."""
    if not paths:
        return fs.real(Path.cwd())
    written = [Path(os.path.abspath(p)) for p in paths]
    folders = [p if fs.is_dir(p) else p.parent for p in written]
    root = folders[0]
    for folder in folders[1:]:
        while not folder.is_relative_to(root):
            root = root.parent
    return fs.real(root) if resolve else Path(os.path.normpath(root))
