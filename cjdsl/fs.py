"""The one module that touches the file system: finding and reading sources, checking
and resolving paths, the parser's cache folder, and writing build output atomically.
The pipeline stages never import it; the orchestration (``sources.load_source``,
``project``, ``parallel``, ``config``) and the CLI do."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fnmatch
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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
    real_root = Path(os.path.realpath(root))
    for f in files:
        if not f.is_relative_to(real_root):
            raise UnsafeSource(f"{f}: outside the project root {real_root} (reached through a symbolic link)")
    total = total_size(files)
    if total > max_total:
        raise UnsafeSource(f"the sources hold {total / 2**20:.1f} MB, more than the {max_total // 2**20} MB --safe allows")


def real(path: Path | str) -> Path:
    """``path`` absolute, with every symbolic link on the way followed (a link loop
    gives a path that cannot be read, not an exception)."""
    return Path(os.path.realpath(path))


def exists(path: Path | str) -> bool:
    """Whether ``path`` names something (a link that leads nowhere does not)."""
    return os.path.exists(path)


def lexists(path: Path | str) -> bool:
    """Whether anything is at ``path`` (a link counts even when it leads nowhere)."""
    return os.path.lexists(path)


def is_file(path: Path | str) -> bool:
    """Whether ``path`` is a regular file, or a link to one."""
    return os.path.isfile(path)


def is_dir(path: Path | str) -> bool:
    """Whether ``path`` is a folder, or a link to one."""
    return os.path.isdir(path)


def files_in(folder: Path) -> list[Path]:
    """The regular files (or links to them) directly in ``folder``, sorted; none when it
    is not a folder that can be listed."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []


def folders_in(folder: Path) -> list[Path]:
    """The folders (or links to them) directly in ``folder``, sorted (a project's
    catalogues, one folder per language); none when it is not a folder that can be listed."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []


def user_cache_file(name: str) -> str | None:
    """Where a cache file ``name`` may be kept between runs, or None. The folder is the
    user's own and no one else can write it: ``$XDG_CACHE_HOME/cjdsl`` (default
    ``~/.cache/cjdsl``, made with mode 0700), owned by the user (or root), neither it,
    its parent nor the file group- or world-writable. Never the shared temporary
    folder. ``CJDSL_NO_CACHE=1`` turns it off."""
    if os.environ.get("CJDSL_NO_CACHE") or not hasattr(os, "getuid"):
        return None
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cjdsl"
        base.mkdir(parents=True, mode=0o700, exist_ok=True)
        uid = os.getuid()
        for path in (base, base.parent):
            st = path.stat()
            if st.st_uid not in (uid, 0) or (path == base and st.st_mode & 0o022):
                return None
        target = base / name
        if target.exists():
            st = target.stat()
            if st.st_uid != uid or st.st_mode & 0o022:
                return None
        return str(target)
    except (OSError, RuntimeError):
        return None


def open_binary(path: Path) -> BinaryIO:
    """A file opened for reading its bytes as a stream (captured events, read line by
    line: they may not fit in memory)."""
    return open(path, "rb")


def scratch_folder(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A temporary folder, removed when the ``with`` block ends (for `diff`'s
    checkouts of git revisions, and the pages the poster adapter prints). Only its
    owner can read it (mode 0700)."""
    return tempfile.TemporaryDirectory(prefix=prefix)


def write_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Writes ``files`` (relative POSIX path → content) into ``folder``, a scratch
    folder of ours (the map page and its assets that the poster adapter opens in a
    browser). A path that would leave the folder is refused."""
    base = Path(os.path.realpath(folder))
    for rel, content in files.items():
        target = base / rel
        if rel.startswith("/") or ".." in rel.split("/") or not Path(os.path.realpath(target)).is_relative_to(base):
            raise OutputError(f"refusing to write {rel!r} outside {base}")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as fh:  # a fresh folder: nothing there to overwrite or follow
            fh.write(content)


def write_output_files(folder: Path, files: Mapping[str, bytes], *, replace: bool = False) -> list[Path]:
    """Writes ``files`` (relative POSIX path → content) into ``folder`` (made if needed),
    for the imports and exports that make several files. Everything is checked before
    anything is written: a path that would leave the folder, a symbolic link or a
    non-folder where a folder below it is needed, a file that exists (unless
    ``replace``), and anything but a regular file in the way are refused with
    :class:`OutputError`. Each file is written atomically, never through a link; if one
    fails, the files and folders this call made are removed again. Returns the paths."""
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise OutputError(f"{folder} exists and is not a folder")
    targets: list[tuple[Path, bytes]] = []
    folders: set[Path] = set()
    for rel, content in files.items():
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or "\0" in rel or any(p in ("", ".", "..") for p in parts):
            raise OutputError(f"refusing to write {rel!r}: not a plain relative path")
        folders.update(folder.joinpath(*parts[:i]) for i in range(1, len(parts)))
        targets.append((folder.joinpath(*parts), content))
    for path in sorted(folders):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise OutputError(f"{path} is a symbolic link: nothing is written through one")
        if not stat.S_ISDIR(mode):
            raise OutputError(f"{path} exists and is not a folder")
    for target, _ in targets:
        try:
            st = os.lstat(target)
        except (FileNotFoundError, NotADirectoryError):
            continue
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{target} is {_kind(st.st_mode)}, not a regular file: not replaced")
        if not replace:
            raise OutputError(f"{target} exists; use --force to replace it")
    made: list[Path] = []
    try:
        for path in [folder, *sorted(folders)]:
            if not os.path.lexists(path):
                os.mkdir(path)
                made.append(path)
        for target, content in targets:
            new = not os.path.lexists(target)
            replace_file(target, content)
            if new:
                made.append(target)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
        raise
    return [t for t, _ in targets]


def is_program(path: Path | str) -> bool:
    """Whether ``path`` is a regular file (or a link to one) that may be run."""
    return os.path.isfile(path) and os.access(path, os.X_OK)


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
        if given.is_dir():
            for folder, dirs, names in os.walk(given):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
                # realpath, not Path.resolve: a link loop gives a path (that cannot be read,
                # and says so) instead of an exception.
                files.extend(Path(os.path.realpath(Path(folder, n))) for n in sorted(names) if n.endswith(".journey"))
        elif os.path.lexists(given) and not given.is_dir():
            files.append(Path(os.path.realpath(given)))
        else:
            missing.append(given)
    unique = sorted(set(files))
    if patterns:
        unique = [f for f in unique if not any(fnmatch.fnmatch(display_path(f, root), p) for p in patterns)]
    return unique, missing


def read_templates(folder: Path, limit: int = 2 * 1024 * 1024) -> dict[str, str]:
    """Every regular file below ``folder``, by its relative POSIX path: template
    overrides. A link that leads out of the folder, a FIFO or a device is refused."""
    if not folder.is_dir():
        raise OutputError(f"{folder}: no such templates folder")
    real = Path(os.path.realpath(folder))
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_dir():
            continue
        rel = path.relative_to(folder).as_posix()
        if not Path(os.path.realpath(path)).is_relative_to(real):
            raise OutputError(f"{rel}: a link that leads out of the templates folder")
        got = read_source(path, limit)
        if got.data is None:
            raise OutputError(f"{rel}: {got.why(limit)}")
        out[rel] = got.data.decode("utf-8")
    return out


def display_path(path: Path, root: Path) -> str:
    """How a file is named in messages and outputs: relative to the root when inside it."""
    try:
        return Path(os.path.realpath(path)).relative_to(root).as_posix()
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


@dataclass(frozen=True)
class Read:
    """What reading a source gave: its bytes, or why not (and its size when known)."""

    data: bytes | None
    size: int = 0
    #: None: read; "missing": no such file; "not-regular": a folder, FIFO, device or
    #: socket (never opened for reading, so a FIFO cannot block); "too-large": over the limit
    #: (checked before reading, so a 1 GB file is never read).
    problem: str | None = None

    def why(self, limit: int) -> str:
        """Why the file was not read, in words for a one-line error."""
        if self.problem == "missing":
            return "no such file"
        if self.problem == "too-large":
            return f"larger than {limit // 2**20} MB" if limit >= 2**20 else f"larger than {limit // 1024} kB"
        return "not a regular file"


def read_source(path: Path, limit: int) -> Read:
    """The bytes of a regular file of at most ``limit`` bytes. Opened without blocking
    and checked with fstat before anything is read, so a FIFO named ``*.journey``
    cannot hang the run and a huge file costs nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (FileNotFoundError, NotADirectoryError):
        return Read(None, 0, "missing")
    except IsADirectoryError:
        return Read(None, 0, "not-regular")
    except OSError as err:
        if err.errno in (errno.ELOOP, errno.ENAMETOOLONG, errno.ENXIO):  # a link loop, a socket
            return Read(None, 0, "not-regular")
        raise
    try:
        return _read_open(fd, limit)
    finally:
        os.close(fd)


def read_bytes(path: Path, limit: int = 64 * 1024 * 1024) -> bytes | None:
    """The bytes of a regular file, or None when it does not exist, is not a regular
    file or is larger than ``limit``."""
    return read_source(path, limit).data


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a regular file from the next without reading it
    (modification time in ns, size, inode), or None when it is not one: the language
    server re-parses a file only when this changes."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def write_text(path: Path, text: str) -> None:
    """Replaces a file's content atomically (used by `fmt`)."""
    replace_file(path, text.encode("utf-8"))


class NotRegular(OSError):
    """An output path that is not a regular file (a symbolic link, a FIFO, a device, a
    folder): cjdsl does not replace it."""


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def replace_file(path: Path, data: bytes) -> None:
    """Replaces a regular file (or creates one) atomically: a temporary file beside it,
    then a rename. Refuses (:class:`NotRegular`) a symbolic link, a FIFO, a device or a
    folder, which a rename would silently turn into a regular file, and never writes
    through a link."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise NotRegular(errno.EEXIST, f"{_kind(st.st_mode)}, not a regular file: not replaced", str(path))
    _atomic_write(path, data, st.st_mode & 0o777 if st is not None else 0o644)


def write_bytes(path: Path, data: bytes) -> None:
    """Writes an output the user named (``-o PATH``): a regular file is replaced
    atomically; a device or FIFO the user named on purpose (``-o /dev/stdout``, through
    its link) is written to directly; a folder, a socket, or a link to anything else is
    refused (:class:`NotRegular`)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        _atomic_write(path, data, 0o644)
        return
    if stat.S_ISREG(st.st_mode):
        _atomic_write(path, data, st.st_mode & 0o777)
        return
    try:
        target = os.stat(path)
    except OSError:
        target = st
    named_device = str(path).startswith(("/dev/", "/proc/self/fd/"))  # -o /dev/stdout, whatever fd 1 is
    if named_device or stat.S_ISCHR(target.st_mode) or stat.S_ISFIFO(target.st_mode):
        with open(path, "ab") as fh:  # a device or a stream: nothing to replace, nothing to truncate
            fh.write(data)
        return
    raise NotRegular(errno.EEXIST, f"{_kind(st.st_mode)}, not a regular file or a device: not replaced", str(path))


def write_chunks(path: Path, chunks: Iterable[bytes]) -> None:
    """As :func:`write_bytes`, for an output made piece by piece that need not fit in
    memory (`simulate`'s events): a regular file is replaced atomically once every
    piece is written; a device or FIFO the user named is written to as the pieces come."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is None or stat.S_ISREG(st.st_mode):
        _atomic_write(path, chunks, st.st_mode & 0o777 if st is not None else 0o644)
        return
    try:
        target = os.stat(path)
    except OSError:
        target = st
    named_device = str(path).startswith(("/dev/", "/proc/self/fd/"))
    if named_device or stat.S_ISCHR(target.st_mode) or stat.S_ISFIFO(target.st_mode):
        with open(path, "ab") as fh:
            for chunk in chunks:
                fh.write(chunk)
        return
    raise NotRegular(errno.EEXIST, f"{_kind(st.st_mode)}, not a regular file or a device: not replaced", str(path))


def read_chunks(path: Path, size: int = 1 << 20) -> Iterable[bytes]:
    """The bytes of a file of ours (a scratch file), piece by piece."""
    with open(path, "rb") as fh:
        yield from iter(lambda: fh.read(size), b"")


def _atomic_write(path: Path, data: bytes | Iterable[bytes], mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                for chunk in data:
                    fh.write(chunk)
            fh.flush()
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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


def expand_globs(patterns: Sequence[str], root: Path | None = None) -> list[Path]:
    """The regular files that ``patterns`` (paths or glob patterns, ``**`` included)
    name, resolved, each once, in the order given (a pattern's matches sorted). With
    ``root`` (``--safe``), a file that lies outside it, even through a link, is refused
    (:class:`UnsafeSource`). A pattern that names nothing raises :class:`FileNotFoundError`."""
    import glob as globbing

    real_root = Path(os.path.realpath(root)) if root is not None else None
    out: list[Path] = []
    for pattern in patterns:
        names = sorted(globbing.glob(pattern, recursive=True)) if globbing.has_magic(pattern) else [pattern]
        found = [Path(os.path.realpath(n)) for n in names if os.path.isfile(n)]
        if not found:
            raise FileNotFoundError(errno.ENOENT, "no such events file", pattern)
        for f in found:
            if real_root is not None and not f.is_relative_to(real_root):
                raise UnsafeSource(f"{f}: outside the project root {real_root}")
            if f not in out:
                out.append(f)
    return out


def read_inside(root: Path, rel: str, limit: int) -> Read:
    """The bytes of the regular file at ``rel`` (a relative POSIX path) below ``root``, a
    folder cjdsl wrote (the site `cjdsl serve` serves). An absolute path, an empty,
    ``.`` or ``..`` part, a backslash or NUL, or a symbolic link anywhere on the way is
    refused as ``"missing"``; a folder gives ``"folder"``, anything else that is not a
    regular file ``"not-regular"``, a file over ``limit`` bytes ``"too-large"``. The file
    is opened without following a link and checked with fstat before it is read."""
    parts = rel.split("/")
    if not rel or "\\" in rel or "\0" in rel or any(p in ("", ".", "..") for p in parts):
        return Read(None, 0, "missing")
    here = Path(os.path.realpath(root))
    mode = 0
    for part in parts:
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except OSError:
            return Read(None, 0, "missing")
        if stat.S_ISLNK(mode):
            return Read(None, 0, "missing")
    if stat.S_ISDIR(mode):
        return Read(None, 0, "folder")
    if not stat.S_ISREG(mode):
        return Read(None, 0, "not-regular")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(here, flags)
    except OSError:
        return Read(None, 0, "missing")  # gone since, or a link put in its place
    try:
        return _read_open(fd, limit)
    finally:
        os.close(fd)


def update_tree(out: Path, changes: Mapping[str, bytes | None], files: Sequence[str]) -> None:
    """Brings a folder :func:`write_tree` wrote up to date by writing only what changed
    (`cjdsl serve` after an edit): each file of ``changes`` (relative POSIX path →
    content, or None to remove it) is replaced atomically, then the marker lists
    ``files``, every file the folder now holds. A folder without the marker, a path that
    would leave it, and a symbolic link or anything but a folder or a regular file on the
    way are refused with :class:`OutputError`, before anything is written."""
    out = out.absolute()
    if not (out / MARKER).is_file() or (out / MARKER).is_symlink():
        raise OutputError(f"{out} was not written by cjdsl build (no {MARKER} marker)")
    base = Path(os.path.realpath(out))
    for rel in changes:
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
            raise OutputError(f"refusing to write {rel!r} outside the output folder")
        here = base
        for i, part in enumerate(parts):
            here = here / part
            try:
                mode = os.lstat(here).st_mode
            except FileNotFoundError:
                break
            last = i == len(parts) - 1
            if stat.S_ISLNK(mode) or not (stat.S_ISREG(mode) if last else stat.S_ISDIR(mode)):
                raise OutputError(f"{here}: {_kind(mode)} where cjdsl wrote a {'file' if last else 'folder'}: not replaced")
    for rel, content in sorted(changes.items()):
        target = base / rel
        if content is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, content, 0o644)
    _atomic_write(base / MARKER, "".join(f"{rel}\n" for rel in sorted(files)).encode("utf-8"), 0o644)


def write_new_files(folder: Path, files: Mapping[str, bytes]) -> None:
    """Creates ``files`` (relative POSIX path → content) in ``folder``, all or none, never
    replacing anything (`cjdsl init`). Before anything is written, every target is checked:
    one that exists (even a link that leads nowhere), a path that would leave the folder,
    and a symbolic link or a non-folder where a folder is needed (``folder`` itself
    included) are refused with :class:`OutputError`, which names them all. Files are
    created with O_EXCL and without following links, so one that appears meanwhile is
    not overwritten either; when a write fails, what was written is removed again."""
    problems: list[str] = []
    folders: set[Path] = {folder}
    for rel in files:
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or any(p in ("", ".", "..") for p in parts):
            problems.append(f"{rel}: not a path inside the folder")
            continue
        folders.update(folder.joinpath(*parts[:i]) for i in range(1, len(parts)))
        if os.path.lexists(folder / rel):
            problems.append(f"{folder / rel} exists")
    for path in sorted(folders):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as err:
            problems.append(f"{path}: {err.strerror}")
            continue
        if stat.S_ISLNK(mode):
            problems.append(f"{path} is a symbolic link (nothing is written through one)")
        elif not stat.S_ISDIR(mode):
            problems.append(f"{path} exists and is not a folder")
    if problems:
        raise OutputError("; ".join(dict.fromkeys(problems)))
    made: list[Path] = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        for path in sorted(folders):
            if not os.path.lexists(path):
                os.mkdir(path)
                made.append(path)
        for rel, content in files.items():
            target = folder / rel
            fd = os.open(target, flags, 0o644)
            made.append(target)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
        raise


def _read_open(fd: int, limit: int) -> Read:
    """The bytes of the open file ``fd`` if it is a regular file of at most ``limit`` bytes."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        return Read(None, 0, "not-regular")
    if st.st_size > limit:
        return Read(None, st.st_size, "too-large")
    chunks = []
    left = limit + 1  # a file that grew since fstat is still caught
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        return Read(None, len(data), "too-large")
    return Read(data, len(data))
