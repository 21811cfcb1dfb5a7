"""The rules of the measured journey (CJ4xx): off without events, on with `--events`
or `[measure] events`, silenced by `allow` like any rule, and their `allow` lines not
called unused by a run without events. The fixtures of each rule are in
tests/fixtures/rules/CJ40x-*/ (run by tests/test_rules.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, IN_CI, invoke

if not IN_CI:
    pytest.importorskip("duckdb")  # in CI a missing DuckDB fails (the import below), never skips
import duckdb  # noqa: F401

CASE = FIXTURES / "rules" / "CJ401-kpi-misses-target"


def copy_case(tmp_path: Path, settings: str | None = None) -> Path:
    for name in ("fail.journey", "events.jsonl"):
        shutil.copy(CASE / name, tmp_path / name)
    (tmp_path / "cjdsl.toml").write_text(settings if settings is not None else (CASE / "cjdsl.toml").read_text("utf-8"), "utf-8")
    return tmp_path / "fail.journey"


def codes(out: str) -> list[str]:
    return sorted({part.split("]")[0] for part in out.split("[")[1:] if part.startswith("CJ")})


def test_without_events_no_measured_rule_runs(tmp_path: Path) -> None:
    journey = copy_case(tmp_path, settings="")
    code, out, _ = invoke("check", str(journey), "--format", "concise", cwd=tmp_path)
    assert code == 0
    assert not [c for c in codes(out) if c.startswith("CJ4")]


def test_settings_and_option_both_measure(tmp_path: Path) -> None:
    journey = copy_case(tmp_path)
    code, out, _ = invoke("check", str(journey), "--format", "concise", "--select", "CJ4", cwd=tmp_path)
    assert code == 0 and "CJ401" in out and "13.3%" in out
    code, out, _ = invoke("check", str(journey), "--format", "concise", "--select", "CJ4", "--strict", cwd=tmp_path)
    assert code == 1
    # The option wins over the settings (and is read from the working folder).
    other = tmp_path / "sub"
    other.mkdir()
    (other / "none.jsonl").write_text("", "utf-8")
    args = ("check", str(journey), "--format", "concise", "--select", "CJ4", "--events", "sub/none.jsonl")
    code, out, err = invoke(*args, cwd=tmp_path)
    assert "CJ401" not in out, (out, err)


def test_an_allow_silences_a_measured_finding_and_is_not_unused_without_events(tmp_path: Path) -> None:
    journey = copy_case(tmp_path)
    text = journey.read_text("utf-8").replace(
        '  target ">= 50%"\n', '  target ">= 50%"\n  allow kpi-misses-target "the new pricing page ships in May"\n'
    )
    journey.write_text(text, "utf-8")
    code, out, _ = invoke("check", str(journey), "--format", "concise", "--select", "CJ4,CJ250", cwd=tmp_path)
    assert code == 0 and "CJ401" not in out and "CJ250" not in out
    (tmp_path / "cjdsl.toml").write_text("", "utf-8")  # no events: the allow waits for a measured run
    code, out, _ = invoke("check", str(journey), "--format", "concise", "--select", "CJ4,CJ250", cwd=tmp_path)
    assert code == 0 and "CJ250" not in out


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ('[measure]\nevents = "events.jsonl"\n', "[measure] events must be a list"),
        ("measure = 3\n", "measure"),
        ('[measure]\nevents = ["missing.jsonl"]\n', "no such events file"),
    ],
)
def test_bad_measure_settings_are_one_line_errors(tmp_path: Path, settings: str, message: str) -> None:
    journey = copy_case(tmp_path, settings)
    code, out, err = invoke("check", str(journey), cwd=tmp_path)
    assert code == 2 and message in err and "Traceback" not in err + out


def test_safe_refuses_events_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    journey = copy_case(root, '[measure]\nevents = ["../outside.jsonl"]\n')
    shutil.copy(CASE / "events.jsonl", tmp_path / "outside.jsonl")
    code, _, err = invoke("--safe", "check", str(journey), cwd=root)
    assert code == 2 and "outside the project root" in err
