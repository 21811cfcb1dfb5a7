"""The one module that touches the file system: finding and reading sources, and
writing build output atomically."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fnmatch
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Folders never searched for .journey files.
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"})
#: The marker a build leaves in its output folder; `build` only replaces folders with it.
MARKER = ".cjdsl-build"


class OutputError(Exception):
    """An output folder that cannot be written (exit code 2)."""


class UnsafeSource(Exception):
    """`--safe` refuses to read this (exit code 2)."""


def check_inside(files: Sequence[Path], root: Path, max_total: int) -> None:
    """For `--safe`: every file (already resolved) lies inside ``root`` and all of them
    together hold at most ``max_total`` bytes; else :class:`UnsafeSource`."""
    real_root = root.resolve()
    for f in files:
        if not f.is_relative_to(real_root):
            raise UnsafeSource(f"{f}: outside the project root {real_root} (reached through a symbolic link)")
    total = total_size(files)
    if total > max_total:
        raise UnsafeSource(f"the sources hold {total / 1e6:.1f} MB, more than the {max_total / 1e6:.0f} MB --safe allows")


def is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return False


def discover(paths: Sequence[Path], root: Path, exclude: Iterable[str] = ()) -> tuple[list[Path], list[Path]]:
    """Expands folders into their ``*.journey`` files (sorted, resolved: a symbolic link
    stands for its target). Returns the files and the given paths that do not exist."""
    files: list[Path] = []
    missing: list[Path] = []
    patterns = tuple(exclude)
    for given in paths:
        if given.is_file():
            files.append(given.resolve())
        elif given.is_dir():
            for folder, dirs, names in os.walk(given):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
                files.extend(Path(folder, n).resolve() for n in sorted(names) if n.endswith(".journey"))
        else:
            missing.append(given)
    unique = sorted(set(files))
    if patterns:
        unique = [f for f in unique if not any(fnmatch.fnmatch(display_path(f, root), p) for p in patterns)]
    return unique, missing


def read_templates(folder: Path) -> dict[str, str]:
    """Every file below ``folder``, by its relative POSIX path: template overrides."""
    if not folder.is_dir():
        raise OutputError(f"{folder}: no such templates folder")
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = path.read_text(encoding="utf-8")
    return out


def display_path(path: Path, root: Path) -> str:
    """How a file is named in messages and outputs: relative to the root when inside it."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def total_size(paths: Iterable[Path]) -> int:
    """The bytes in these files, all told (a file that cannot be read counts 0)."""
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            pass
    return total


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist or is not a file."""
    try:
        with path.open("rb") as fh:
            return fh.read()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def write_text(path: Path, text: str) -> None:
    """Replaces a file's content atomically (used by `fmt`)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Replaces a file's content atomically: a temporary file beside it, then a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def write_tree(out: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Writes ``files`` (relative POSIX path, content) as the folder ``out``, atomically:
    everything goes to a temporary folder beside ``out``, which then takes its place, so
    a failed or killed build leaves the previous output as it was."""
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(
            f"{out} is not empty and was not written by cjdsl build; choose a new or empty folder "
            f"(cjdsl only replaces folders holding its {MARKER} marker)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    owner = tmp.with_name(tmp.name + ".pid")
    owner.write_text(str(os.getpid()), encoding="ascii")
    try:
        for rel, content in files:
            target = tmp / rel
            if not target.resolve().is_relative_to(tmp.resolve()):
                raise OutputError(f"refusing to write {rel!r} outside the output folder")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (tmp / MARKER).write_text("".join(f"{rel}\n" for rel, _ in sorted(files)), encoding="utf-8")
        os.chmod(tmp, 0o755)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        owner.unlink(missing_ok=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)  # after a swap, tmp holds the old output
    owner.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its folder alone
    return True


def _remove_abandoned(out: Path) -> None:
    """Removes the temporary folders of earlier builds of ``out`` that were killed: each
    build records its process id beside its folder; a folder whose process is gone is
    abandoned. A build still running is never touched."""
    for folder in out.parent.glob(f".{out.name}.*.tmp"):
        owner = folder.with_name(folder.name + ".pid")
        try:
            pid = int(owner.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue  # no owner recorded: not ours to judge
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            owner.unlink(missing_ok=True)


def _swap(new: Path, out: Path) -> None:
    """Puts ``new`` at ``out``. Where the kernel can, both folders are exchanged in one
    atomic step (renameat2 RENAME_EXCHANGE); elsewhere the old one is moved aside first."""
    if not out.exists():
        os.rename(new, out)
        return
    if _exchange(new, out):
        return
    aside = new.with_name(new.name + ".old")
    os.rename(out, aside)
    os.rename(new, out)
    os.rename(aside, new)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))
