"""`pip install .` gives a wheel that works from outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.conftest import EXAMPLES, ROOT


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
    assert "cjdsl/language/parse_tables.json" in names  # without it every parse would import Lark
    assert "cjdsl/schemas/journey.schema.json" in names
    assert "cjdsl/locale/pl/LC_MESSAGES/cjdsl.po" in names  # the shipped languages (`--locale pl`)
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
        [bin_dir / "python", "-c", "import cjdsl, cjdsl.language.parser as p; print(cjdsl.__file__)"],
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


def test_sdist_and_wheel_build_and_pass_twine_check(tmp_path: Path) -> None:
    """What CI checks before a release: both distributions build from one version
    (cjdsl/__init__.py), PyPI would accept their metadata, and the sdist carries what a
    rebuild needs."""
    import tarfile

    import cjdsl

    dist = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    (sdist,) = dist.glob("cjdsl-*.tar.gz")
    (wheel,) = dist.glob("cjdsl-*.whl")
    assert sdist.name == f"cjdsl-{cjdsl.__version__}.tar.gz" and wheel.name.startswith(f"cjdsl-{cjdsl.__version__}-")
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(sdist), str(wheel)], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"grammar/journey.lark", "CHANGELOG.md", "cjdsl/language/parse_tables.json", "docs/security.md"} <= names
