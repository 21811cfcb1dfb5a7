"""The benchmark harness keeps working (CI runs it at its smallest size; timings are
reported by the scripts, never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from cjdsl.language.parser import parse
from tests.conftest import ROOT


def test_generator_is_deterministic_and_valid() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    text = generate(40, seed=3)
    assert text == generate(40, seed=3) != generate(40, seed=4)
    result = parse(text, "gen.journey")
    assert result.diagnostics == ()
    assert result.document is not None
    assert sum(len(s.touchpoints) for s in result.document.items if hasattr(s, "touchpoints")) == 40


def test_throughput_runner_smallest_size() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "parse_throughput.py"), "--sizes", "20", "--repeat", "1", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    (row,) = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert row["touchpoints"] == 20 and row["parse_mb_s"] > 0 and row["diagnostics"] == 0


def test_stage_runner_smallest_size() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "20", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    (row,) = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert row["touchpoints"] == 20 and row["parse_mb_s"] > 0 and row["peak_mb"] > 0
    assert {"read", "parse", "resolve", "validate", "backend:html", "backend:tracking"} <= set(row["seconds"])
