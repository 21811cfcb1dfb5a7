from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def example_files() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.journey"))


def journey_examples() -> list[Path]:
    """Example files that declare a journey (not the shared ones they include)."""
    return [p for p in example_files() if "\njourney " in "\n" + p.read_text(encoding="utf-8")]


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """An empty project folder with a cjdsl.toml (so it is the include root)."""
    (tmp_path / "cjdsl.toml").write_text("", encoding="utf-8")
    yield tmp_path


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def mutants(text: str, seed: str, *, cuts: int, count: int, inserts: Sequence[str], swaps: bool) -> Iterator[str]:
    """Broken versions of ``text``, the same for the same seed: ``cuts`` truncations, then
    ``count`` copies with one line deleted, duplicated, given one of ``inserts`` or (with
    ``swaps``) swapped with the last line."""
    rng = random.Random(seed)
    lines = text.split("\n")
    for cut in range(0, len(text), max(1, len(text) // cuts)):
        yield text[:cut]
    for _ in range(count):
        mutated = list(lines)
        i = rng.randrange(len(mutated))
        choice = rng.randrange(4 if swaps else 3)
        if choice == 0:
            del mutated[i]
        elif choice == 1:
            mutated.insert(i, mutated[rng.randrange(len(mutated))])
        elif choice == 2:
            line = mutated[i]
            j = rng.randrange(len(line) + 1)
            mutated[i] = line[:j] + rng.choice(list(inserts)) + line[j:]
        else:
            mutated[i], mutated[-1] = mutated[-1], mutated[i]
        yield "\n".join(mutated)


def git(repo: Path, *args: str) -> None:
    """git in ``repo``, with an author and committer set (a fresh machine has none)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env, timeout=60)


def invoke(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """cjdsl's command line in this process, run from ``cwd``: (exit code, stdout,
    stderr). A crash is never an answer: only a clean exit is returned."""
    from click.testing import CliRunner

    from cjdsl.cli import main

    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr
