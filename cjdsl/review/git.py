"""The adapter that reads journeys at a git revision, for `cjdsl diff git:REV ...`.

`git archive` gives the revision's tree; only `.journey` files and the settings files
are extracted into a temporary folder that mirrors the repository, so includes resolve
exactly as they did at that revision.
"""

from __future__ import annotations

import io
import os
import posixpath
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

KEEP = (".journey", "cjdsl.toml", "pyproject.toml", "tracking.lock.json")


class GitError(Exception):
    """git could not give us the revision."""


@dataclass(frozen=True)
class GitSpec:
    rev: str
    path: str | None  # inside the repository; None: the current folder


def parse_spec(text: str) -> GitSpec | None:
    """`git:REV` or `git:REV:path`, else None. A revision is an argument, never an
    option: one that starts with `-` is refused (`git:--output=FILE` would make git
    write a file), and a path must stay inside the revision (no `/abs`, no `..`)."""
    if not text.startswith("git:"):
        return None
    rest = text[4:]
    rev, sep, path = rest.partition(":")
    if not rev:
        raise GitError("name a revision, as in git:HEAD or git:origin/main:journeys/")
    if rev.startswith("-"):
        raise GitError("a revision cannot start with `-`")
    if any(ord(c) < 0x20 or c == "\x7f" for c in rev + path):
        raise GitError("a revision or path cannot hold control characters")
    if sep:
        parts = PurePosixPath(path).parts
        if path.startswith("/") or ".." in parts or "\\" in path:
            raise GitError("the path must stay inside the revision (relative, without `..`)")
    return GitSpec(rev, path if sep else None)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than 120 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def _inside(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return not name.startswith("/") and ".." not in parts


def _link_stays_inside(member: tarfile.TarInfo) -> bool:
    """A symbolic link whose target, taken from where the link is, stays in the tree."""
    if member.linkname.startswith("/"):
        return False
    target = posixpath.normpath(posixpath.join(posixpath.dirname(member.name), member.linkname))
    return _inside(target) and target != ".."


def checkout(spec: GitSpec, cwd: Path, dest: Path) -> Path:
    """Extracts the revision's journeys into ``dest``; returns the path inside ``dest``
    that corresponds to the spec's path (or to ``cwd``). The revision is resolved to a
    commit first (`rev-parse --verify --end-of-options`), so no value of it reaches git
    as an option; symbolic links that stay inside the tree are kept, so includes through
    them resolve as they did at that revision."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    try:
        commit = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec.rev}^{{commit}}"], top).decode().strip()
    except GitError:
        raise GitError(f"`{spec.rev}` names no commit of this repository") from None
    if not commit or not all(c in "0123456789abcdef" for c in commit):
        raise GitError(f"{spec.rev}: not a commit")
    data = _git(["archive", "--format=tar", commit], top)
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            members = [
                m
                for m in tar.getmembers()
                if _inside(m.name) and ((m.isfile() and m.name.endswith(KEEP)) or (m.issym() and _link_stays_inside(m)))
            ]
            tar.extractall(dest, members=members, filter="data")
    except (tarfile.TarError, OSError) as err:
        raise GitError(f"cannot extract {spec.rev}: {err}") from None
    if spec.path is not None:
        inside = dest / spec.path
    else:
        try:
            inside = dest / cwd.resolve().relative_to(top.resolve())
        except ValueError:
            inside = dest
    if not Path(os.path.realpath(inside)).is_relative_to(Path(os.path.realpath(dest))):
        raise GitError(f"{spec.path}: leads outside the revision (through a symbolic link)")
    return inside
