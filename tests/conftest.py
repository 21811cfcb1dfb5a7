from __future__ import annotations

import os
from collections.abc import Iterator
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
