"""The adapter that reads journeys at a git revision, for `cjdsl diff git:REV ...`.

`git archive` gives the revision's tree; only `.journey` files and the settings files
are extracted into a temporary folder that mirrors the repository, so includes resolve
exactly as they did at that revision.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

KEEP = (".journey", "cjdsl.toml", "pyproject.toml", "tracking.lock.json")


class GitError(Exception):
    """git could not give us the revision."""


@dataclass(frozen=True)
class GitSpec:
    rev: str
    path: str | None  # inside the repository; None: the current folder


def parse_spec(text: str) -> GitSpec | None:
    """`git:REV` or `git:REV:path`, else None."""
    if not text.startswith("git:"):
        return None
    rest = text[4:]
    rev, sep, path = rest.partition(":")
    if not rev:
        raise GitError(f"{text}: name a revision, as in git:HEAD or git:origin/main:journeys/")
    return GitSpec(rev, path if sep else None)


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {' '.join(args)} took longer than 120 s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {' '.join(args)} failed")
    return done.stdout


def checkout(spec: GitSpec, cwd: Path, dest: Path) -> Path:
    """Extracts the revision's journeys into ``dest``; returns the path inside ``dest``
    that corresponds to the spec's path (or to ``cwd``)."""
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd).decode().strip())
    data = _git(["archive", "--format=tar", spec.rev], top)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(KEEP)]
        tar.extractall(dest, members=members, filter="data")
    if spec.path is not None:
        return dest / spec.path
    try:
        return dest / cwd.resolve().relative_to(top.resolve())
    except ValueError:
        return dest
