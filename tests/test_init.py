"""`cjdsl init`: every template makes a project that passes `check --strict` and
`fmt --check`, with its catalog, journey, pre-commit hooks and CI workflow; nothing is
ever overwritten or written through a symbolic link; the templates ship in the wheel."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from cjdsl.cli.init import TEMPLATES, templates
from tests.conftest import ROOT, invoke
from tests.helpers import snapshot

NAMES = ["b2b-saas", "ecommerce", "services", "empty"]


def test_the_four_templates_are_listed_with_what_each_is_for() -> None:
    code, out, _ = invoke("init", "--list")
    assert code == 0
    listed = {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines()}
    assert set(NAMES) <= set(listed)
    assert "lead generation" in listed["b2b-saas"] and "stores" in listed["ecommerce"]
    assert "appointments" in listed["services"] and "skeleton" in listed["empty"]
    assert set(listed) == set(templates())  # nothing listed that is not a template (`_common` is not)


@pytest.mark.parametrize("name", NAMES)
def test_every_template_makes_a_project_that_passes_the_strict_check(tmp_path: Path, name: str) -> None:
    target = tmp_path / "journeys"
    code, out, err = invoke("init", str(target), "--template", name)
    assert code == 0, err
    files = snapshot(target)
    journeys = [p for p in files if p.endswith(".journey") and not p.startswith("shared/")]
    assert len(journeys) == 1, files
    assert {"cjdsl.toml", "shared/catalog.journey", ".pre-commit-config.yaml", ".github/workflows/journeys.yml"} <= set(files)
    for rel in files:
        assert rel in out  # each file created is named
    assert re.search(rb"^journey ", files[journeys[0]], re.M) and b'include "shared/catalog.journey"' in files[journeys[0]]
    assert not re.search(rb"^journey ", files["shared/catalog.journey"], re.M)  # a catalog: declarations only

    code, _, err = invoke("check", "--strict", str(target))
    assert code == 0, err
    assert "no problems found" in err
    code, _, err = invoke("fmt", "--check", str(target))
    assert code == 0, err
    code, _, err = invoke("build", str(target), "-o", str(tmp_path / "site"))
    assert code == 0, err


def test_the_pre_commit_hooks_and_the_workflow_run_cjdsl(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path), "-t", "empty")[0] == 0
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (local,) = hooks["repos"]
    assert local["repo"] == "local"
    entries = {h["entry"] for h in local["hooks"]}
    assert entries == {"cjdsl check", "cjdsl fmt --check"}
    assert all(h["language"] == "system" and h["pass_filenames"] is False for h in local["hooks"])
    workflow = yaml.safe_load((tmp_path / ".github/workflows/journeys.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("cjdsl fmt --check" in r for r in runs)
    assert any("check --strict" in r for r in runs)


def test_the_default_folder_is_the_current_one(tmp_path: Path) -> None:
    code, out, err = invoke("init", "-t", "services", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "appointment.journey").is_file()
    assert "cjdsl check --strict" in out


def test_an_existing_file_is_never_overwritten_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "catalog.journey").write_text("# mine\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    before = snapshot(tmp_path)
    code, _, err = invoke("init", str(tmp_path), "-t", "b2b-saas")
    assert code == 2
    assert "nothing written" in err and "catalog.journey exists" in err
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "shared"]  # no folder made either


def test_a_second_init_refuses_and_names_every_file(tmp_path: Path) -> None:
    assert invoke("init", str(tmp_path), "-t", "ecommerce")[0] == 0
    before = snapshot(tmp_path)
    code, _, err = invoke("init", str(tmp_path), "-t", "ecommerce")
    assert code == 2
    for rel in before:
        assert rel in err
    assert snapshot(tmp_path) == before


def test_init_into_a_folder_with_other_files_adds_the_project(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# our repo\n", encoding="utf-8")
    code, _, err = invoke("init", str(tmp_path), "-t", "empty")
    assert code == 0, err
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# our repo\n"
    assert (tmp_path / "journey.journey").is_file()


def test_nothing_is_written_through_a_symbolic_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / ".github").symlink_to(elsewhere, target_is_directory=True)
    code, _, err = invoke("init", str(project), "-t", "empty")
    assert code == 2
    assert "symbolic link" in err
    assert list(elsewhere.iterdir()) == []
    assert sorted(p.name for p in project.iterdir()) == [".github"]


def test_a_dangling_link_where_a_file_goes_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim.toml"
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "cjdsl.toml").symlink_to(victim)
    code, _, err = invoke("init", str(tmp_path / "p"), "-t", "empty")
    assert code == 2 and "cjdsl.toml exists" in err
    assert not victim.exists()


def test_the_folder_itself_may_not_be_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    code, _, err = invoke("init", str(tmp_path / "link"), "-t", "empty")
    assert code == 2 and "symbolic link" in err
    assert list(real.iterdir()) == []


def test_an_unknown_template_is_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    code, _, err = invoke("init", str(tmp_path / "x"), "-t", "ecomerce")
    assert code == 2
    assert "ecommerce" in err and "did you mean" in err.lower()
    assert not (tmp_path / "x").exists()


def test_the_templates_ship_in_the_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("cjdsl-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"cjdsl/templates/init/{p.relative_to(TEMPLATES).as_posix()}"
        for p in TEMPLATES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped <= names, sorted(shipped - names)
    assert "cjdsl/templates/init/_common/.github/workflows/journeys.yml" in shipped  # hidden files too
