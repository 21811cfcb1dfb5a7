"""`pip install .` gives a wheel that works from outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from .conftest import EXAMPLES, ROOT


def test_wheel_ships_the_grammar_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("cjdsl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "cjdsl/grammar/journey.lark" in names
    assert "cjdsl/parse_tables.json" in names  # without it every parse would import Lark
    assert "cjdsl/schemas/journey.schema.json" in names
    assert not any(n.startswith(("tests/", "examples/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bin_dir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run(
        [bin_dir / "python", "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [bin_dir / "python", "-c", "import cjdsl, cjdsl.parser as p; print(cjdsl.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=elsewhere,
        timeout=60,
    ).stdout
    assert str(env_dir) in where and str(ROOT) not in where
    proc = subprocess.run([bin_dir / "cjdsl", "check", str(EXAMPLES)], capture_output=True, text=True, cwd=elsewhere, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "no problems found" in proc.stderr
