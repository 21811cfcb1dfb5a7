"""`cjdsl simulate`: deterministic synthetic events that the tracking plan accepts."""

from __future__ import annotations

import json
from pathlib import Path

from cjdsl.cli.app import run
from cjdsl.project.config import load_config
from cjdsl.project.graph import compile_project
from cjdsl.tracking.plan import build_plan
from cjdsl.tracking.validate import validate_lines

from .conftest import EXAMPLES


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "c.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "300", "--seed", "7", "-o", str(a)]) == 0
    assert run(["simulate", str(EXAMPLES), "--users", "300", "--seed", "7", "-o", str(b)]) == 0
    assert run(["simulate", str(EXAMPLES), "--users", "300", "--seed", "8", "-o", str(c)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_every_simulated_event_is_valid_for_the_plan(tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "500", "--seed", "3", "-o", str(out)]) == 0
    project = compile_project([EXAMPLES], load_config([EXAMPLES]))
    report = validate_lines(build_plan(project.journeys), out.read_bytes().splitlines())
    assert report.total > 1000
    assert report.invalid == 0, [s.reasons for s in report.events.values() if s.reasons]
    assert not report.unknown and not report.unreadable_count and not report.not_track
    for line in out.read_text(encoding="utf-8").splitlines()[:50]:
        message = json.loads(line)
        assert message["type"] == "track" and message["timestamp"].endswith("Z")
        assert ("userId" in message) != ("anonymousId" in message)


def test_parquet_output(tmp_path: Path) -> None:
    import duckdb

    out = tmp_path / "events.parquet"
    assert run(["simulate", str(EXAMPLES), "--users", "50", "--seed", "1", "-o", str(out)]) == 0
    rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}')").fetchall()
    assert rows[0][0] > 50


def test_simulate_never_writes_through_a_link(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cjdsl.cli.app import main

    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    for name in ("events.jsonl", "events.parquet"):
        link = tmp_path / name
        link.symlink_to(victim)
        result = CliRunner().invoke(main, ["simulate", str(EXAMPLES), "--users", "5", "-o", str(link)])
        assert result.exit_code == 2 and "symbolic link" in result.stderr, result.stderr
        assert victim.read_text(encoding="utf-8") == "keep" and link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl", "events.parquet", "victim.txt"]
