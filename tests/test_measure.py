"""`cjdsl measure`: the DuckDB measurement held to an independent computation in Python,
each export shape's settings, hostile settings, and events that cannot be placed."""

from __future__ import annotations

import itertools
import json
import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cjdsl.cli.app import main, run
from cjdsl.measure.mapping import build_mapping, parse_target
from cjdsl.project.config import load_config
from cjdsl.project.graph import compile_project

from .conftest import EXAMPLES, FIXTURES, IN_CI

if not IN_CI:
    pytest.importorskip("duckdb")  # in CI a missing DuckDB fails (the import below), never skips
import duckdb  # noqa: F401

EVENTS = FIXTURES / "events"


def _measure(args: list[str]) -> tuple[int, Any, str]:
    result = CliRunner().invoke(main, args)
    data = json.loads(result.stdout) if result.exit_code in (0, 1) and "--format" in args and result.stdout.strip() else None
    return result.exit_code, data, result.stderr


def _quantile(values: list[float], q: float) -> float | None:
    """percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _text(value: Any) -> str | None:
    """A property value as the measurement compares it with a `when` value."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def reference(paths: list[Path], events_file: Path) -> dict[str, Any]:
    """The report's numbers computed in plain Python, following docs/measure.md."""
    project = compile_project(paths, load_config(paths))
    mapping = build_mapping(project.journeys)
    visits: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    personas: dict[str, set[str]] = defaultdict(set)
    unplaced: dict[tuple[str, str], int] = defaultdict(int)
    unknown: dict[str, int] = defaultdict(int)
    declared = {p.event for p in mapping.placements}
    events, users_seen = 0, set()
    for line in events_file.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        user = e.get("userId") or e.get("anonymousId")
        if e.get("event") is None or user is None or e.get("timestamp") is None:
            continue
        events += 1
        users_seen.add(user)
        persona = e.get("context", {}).get("traits", {}).get("persona")
        if persona is not None:
            personas[user].add(persona)
        if e["event"] not in declared:
            unknown[e["event"]] += 1
            continue
        ts = round(datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")).timestamp() * 1000) * 1000
        props = e.get("properties") or {}
        for j in mapping.touchpoints:
            cands = [
                p
                for p in mapping.placements
                if p.journey == j
                and p.event == e["event"]
                and (p.when_property is None or _text(props.get(p.when_property)) == p.when_value)
            ]
            if not any(p.journey == j and p.event == e["event"] for p in mapping.placements):
                continue
            with_when = [p for p in cands if p.when_property is not None]
            chosen = with_when or cands
            if len({p.touchpoint for p in chosen}) == 1:
                visits[(j, user)].append((ts, chosen[0].touchpoint))
            else:
                unplaced[(j, e["event"])] += 1
    allowed = {(a.journey, a.source, a.target): a.direct for a in mapping.allowed}
    reach: dict[tuple[str, str], set[str]] = defaultdict(set)
    flows: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    users: dict[str, int] = defaultdict(int)
    fit: dict[str, int] = defaultdict(int)
    by_persona: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (j, user), seen in visits.items():
        seen.sort()
        path: list[str] = []
        for _, tp in seen:
            reach[(j, tp)].add(user)
            if not path or path[-1] != tp:
                path.append(tp)
        ok = True
        for a, b in itertools.pairwise(path):
            flows[(j, a, b)].add(user)
            ok = ok and (j, a, b) in allowed
        users[j] += 1
        fit[j] += ok
        if personas[user]:
            persona = min(personas[user])  # the first in alphabetical order when they say several
            by_persona[(j, persona)][0] += 1
            by_persona[(j, persona)][1] += ok
    kpis = {}
    for f in mapping.funnels:
        window = int(f.window_seconds * 1_000_000)
        state: dict[str, tuple[int, int]] = {}  # user -> (t_first, t_at)
        steps = []
        for s, tp in enumerate(f.steps):
            gaps = []
            nxt: dict[str, tuple[int, int]] = {}
            for (j, user), seen in visits.items():
                if j != f.journey:
                    continue
                times = [t for t, x in seen if x == tp]
                if s == 0:
                    if times:
                        nxt[user] = (min(times), min(times))
                elif user in state:
                    first, at = state[user]
                    later = [t for t in times if at < t <= first + window]
                    if later:
                        nxt[user] = (first, min(later))
                        gaps.append((min(later) - at) / 1e6)
            state = nxt
            steps.append((tp, len(state), _quantile(gaps, 0.5), _quantile(gaps, 0.9)))
        kpis[(f.journey, f.kpi)] = steps
    return {
        "kpis": kpis,
        "reach": {k: len(v) for k, v in reach.items()},
        "flows": {k: len(v) for k, v in flows.items()},
        "allowed": allowed,
        "conformance": {j: (users[j], fit[j]) for j in users},
        "by_persona": {k: tuple(v) for k, v in by_persona.items()},
        "unplaced": dict(unplaced),
        "unknown": dict(unknown),
        "events": events,
        "users": len(users_seen),
    }


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6))


def check_against_reference(data: dict[str, Any], ref: dict[str, Any]) -> None:
    """Every funnel step, touchpoint, flow, conformance figure, unplaced and unknown
    event count of the report against the computation in plain Python."""
    assert (data["events"], data["users"]) == (ref["events"], ref["users"])
    assert len(data["kpis"]) == len(ref["kpis"])
    for k in data["kpis"]:
        expected = ref["kpis"][(k["journey"], k["id"])]
        assert [s["touchpoint"] for s in k["steps"]] == [tp for tp, *_ in expected]
        entered = expected[0][1]
        previous = entered
        for i, (s, (_, n, median, p90)) in enumerate(zip(k["steps"], expected)):
            assert s["users"] == n, (k["id"], s)
            assert _close(s["conversion_from_first"], n / entered if entered else None)
            if i:
                assert _close(s["conversion_from_previous"], n / previous if previous else None)
                assert s["drop_off"] == previous - n
                assert _close(s["median_seconds"], median) and _close(s["p90_seconds"], p90), (k["id"], s)
            previous = n
        assert _close(k["conversion"], expected[-1][1] / entered if entered else None)
    assert len(data["touchpoints"]) == sum(len(tps) for tps in build_mapping_of(data).values())
    for t in data["touchpoints"]:
        assert t["users"] == ref["reach"].get((t["journey"], t["id"]), 0), t
    got_flows = {(f["journey"], f["from"], f["to"]): f for f in data["flows"]}
    for key, n in ref["flows"].items():
        assert got_flows[key]["users"] == n and got_flows[key]["declared"] == (key in ref["allowed"]), key
        assert got_flows[key]["through_untracked"] == (ref["allowed"].get(key) is False), key
    for key, f in got_flows.items():
        if f["users"] == 0:
            assert ref["allowed"][key] is True and key not in ref["flows"]
        else:
            assert key in ref["flows"]
    assert {k for k, direct in ref["allowed"].items() if direct} <= set(got_flows)
    for j in data["journeys"]:
        users, fit = ref["conformance"].get(j["id"], (0, 0))
        assert (j["conformance"]["users"], j["conformance"]["fitting_users"]) == (users, fit), j["id"]
        assert {p["persona"] for p in j["conformance_by_persona"]} == {p for jj, p in ref["by_persona"] if jj == j["id"]}
        for p in j["conformance_by_persona"]:
            n, ok = ref["by_persona"][(j["id"], p["persona"])]
            assert p["users"] == n and _close(p["fitness"], ok / n)
    assert {(u["journey"], u["event"]): u["events"] for u in data["unplaced"]["by_event"]} == ref["unplaced"]
    assert data["unknown_events"] == ref["unknown"]


def build_mapping_of(data: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for t in data["touchpoints"]:
        out[t["journey"]].append(t["id"])
    return out


def test_measure_matches_an_independent_computation(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "3000", "--seed", "11", "-o", str(events)]) == 0
    code, data, err = _measure(["measure", str(EXAMPLES), "--events", str(events), "--format", "json"])
    assert code == 0, err
    check_against_reference(data, reference([EXAMPLES], events))
    assert any(not f["declared"] for f in data["flows"])  # some users strayed
    assert any(k["completed"] for k in data["kpis"]) and data["unplaced"]["events"]
    fitness = [j["conformance"]["fitness"] for j in data["journeys"] if j["users"]]
    assert fitness and all(0 < x <= 1 for x in fitness) and min(fitness) < 1


def test_hostile_names_match_the_independent_computation(tmp_path: Path) -> None:
    """`when` values with quotes, backslashes and a line break; event names with SQL in them."""
    journey = EVENTS / "hostile.journey"
    events = tmp_path / "events.jsonl"
    assert run(["simulate", str(journey), "--users", "400", "--seed", "5", "-o", str(events)]) == 0
    code, data, err = _measure(["measure", str(journey), "--events", str(events), "--format", "json"])
    assert code == 0, err
    check_against_reference(data, reference([journey], events))
    assert all(t["users"] for t in data["touchpoints"])


SHAPES = [("segment", "jsonl"), ("rudderstack", "csv"), ("snowplow", "csv"), ("ga4", "jsonl")]


@pytest.mark.parametrize(("shape", "ext"), SHAPES)
def test_each_export_shape_measures_to_the_expected_numbers(shape: str, ext: str) -> None:
    code, data, err = _measure(
        [
            "--config",
            str(EVENTS / f"{shape}.toml"),
            "measure",
            str(EVENTS / "shop.journey"),
            "--events",
            str(EVENTS / f"{shape}.{ext}"),
            "--format",
            "json",
        ]
    )
    assert code == 0, err
    (kpi,) = data["kpis"]
    assert [s["users"] for s in kpi["steps"]] == [4, 2, 1]  # u3 reached pricing after the 1 d window
    assert kpi["conversion"] == 0.25 and kpi["met"] is False
    assert kpi["steps"][1]["median_seconds"] == pytest.approx(1050.0)  # 5 and 30 minutes
    assert {t["id"]: t["users"] for t in data["touchpoints"]} == {"home": 4, "pricing": 3, "signup": 2}
    flows = {(f["from"], f["to"]): (f["users"], f["declared"]) for f in data["flows"]}
    assert flows == {
        ("home", "pricing"): (2, True),
        ("pricing", "signup"): (1, True),
        ("home", "signup"): (1, False),
        ("signup", "pricing"): (1, False),
    }
    (journey,) = data["journeys"]
    assert journey["conformance"] == {"fitness": 0.75, "users": 4, "fitting_users": 3}
    assert data["unplaced"]["events"] == 1
    assert data["unplaced"]["examples"][0]["event"] == "Page Viewed"
    if shape == "segment":
        assert journey["conformance_by_persona"] == [{"persona": "pat", "users": 4, "fitness": 0.75}]


def test_fail_on_kpi_miss_and_text_report() -> None:
    args = ["measure", str(EVENTS / "shop.journey"), "--events", str(EVENTS / "segment.jsonl")]
    result = CliRunner().invoke(main, [*args, "--fail-on", "kpi-miss"])
    assert result.exit_code == 1
    assert "KPI shop/conv: 25.0%" in result.stdout and "could not be placed" in result.stdout
    assert CliRunner().invoke(main, [*args, "--format", "markdown"]).exit_code == 0


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("user", "userId; DROP TABLE raw", "`;` is not allowed"),
        ("user", "read_text('/etc/passwd')", "function `read_text` is not allowed"),
        ("event", "(SELECT 1)", "parentheses only follow a function name"),
        ("timestamp", "timestamp + 1", "cannot use"),
        ("persona", "coalesce(a, getenv('HOME'))", "function `getenv` is not allowed"),
        ("properties", "properties -- x", "cannot use"),
    ],
)
def test_hostile_settings_are_refused(tmp_path: Path, setting: str, value: str, message: str) -> None:
    (tmp_path / "cjdsl.toml").write_text(f"[events]\n{setting} = {json.dumps(value)}\n", encoding="utf-8")
    (tmp_path / "shop.journey").write_text((EVENTS / "shop.journey").read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["measure", str(tmp_path), "--events", str(EVENTS / "segment.jsonl")])
    assert result.exit_code == 2
    assert f"[events] {setting}" in result.stderr and message in result.stderr


def test_safe_keeps_event_globs_inside_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "cjdsl.toml").write_text("", encoding="utf-8")
    (project / "shop.journey").write_text((EVENTS / "shop.journey").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "outside.jsonl").write_text((EVENTS / "segment.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    (project / "data").mkdir()
    (project / "data" / "in.jsonl").write_text((EVENTS / "segment.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["--safe", "measure", ".", "--events", "../*.jsonl"])
    assert result.exit_code == 2 and "outside the project root" in result.stderr
    result = CliRunner().invoke(main, ["--safe", "measure", ".", "--events", "data/*.jsonl", "--format", "json"])
    assert result.exit_code == 0, result.stderr


def test_targets() -> None:
    assert parse_target(">= 3%") is not None and parse_target(">= 3%").fraction == pytest.approx(0.03)  # type: ignore[union-attr]
    two = parse_target("2% of first-time blog visitors book a demo within 90 days")
    assert two is not None and two.comparison == ">=" and two.fraction == pytest.approx(0.02)
    volume = parse_target(">= 180 MQLs per month")
    assert volume is not None and volume.count == 180 and volume.period == pytest.approx(2629800)
    assert parse_target("median <= 18 days") is None and parse_target("25-35% (a balanced channel mix)") is None


@pytest.fixture(scope="module")
def simulated_jsonl(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The examples' simulated events as JSON Lines, and their report."""
    events = tmp_path_factory.mktemp("inputs") / "events.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "600", "--seed", "29", "-o", str(events)]) == 0
    code, data, err = _measure(["measure", str(EXAMPLES), "--events", str(events), "--format", "json"])
    assert code == 0, err
    return events, data


def test_parquet_from_simulate_measures_as_its_json_lines(tmp_path: Path, simulated_jsonl: tuple[Path, dict[str, Any]]) -> None:
    _, expected = simulated_jsonl
    events = tmp_path / "events.parquet"
    assert run(["simulate", str(EXAMPLES), "--users", "600", "--seed", "29", "-o", str(events)]) == 0
    assert events.read_bytes()[:4] == b"PAR1"
    code, data, err = _measure(["measure", str(EXAMPLES), "--events", str(events), "--format", "json"])
    assert code == 0, err
    assert data == expected


def test_users_keyed_by_their_ids_measure_as_by_their_hashes(
    simulated_jsonl: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`measure` keys users by a hash of their id once it has checked no two share one,
    else by the ids: both give the same report (here the ids are forced)."""
    import cjdsl.measure.run as measure_run

    events, expected = simulated_jsonl
    chosen: list[str] = []
    real = measure_run.user_key
    monkeypatch.setattr(measure_run, "user_key", lambda con: chosen.append(real(con)) or "user_id")
    code, data, err = _measure(["measure", str(EXAMPLES), "--events", str(events), "--format", "json"])
    assert code == 0, err
    assert chosen == [measure_run.USER_KEY]  # the hashes told these users apart
    assert data == expected


def test_a_json_array_and_split_files_measure_as_one_file(tmp_path: Path, simulated_jsonl: tuple[Path, dict[str, Any]]) -> None:
    source, expected = simulated_jsonl
    lines = source.read_text(encoding="utf-8").splitlines()
    array = tmp_path / "events.json"
    array.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    code, data, err = _measure(["measure", str(EXAMPLES), "--events", str(array), "--format", "json"])
    assert code == 0, err
    assert data == expected
    # The same events in three files found by a glob, and a JSON array beside JSON Lines.
    parts = tmp_path / "parts"
    parts.mkdir()
    third = len(lines) // 3
    for i, chunk in enumerate([lines[:third], lines[third : 2 * third], lines[2 * third :]]):
        (parts / f"day{i}.jsonl").write_text("".join(line + "\n" for line in chunk), encoding="utf-8")
    code, data, err = _measure(["measure", str(EXAMPLES), "--events", str(parts / "*.jsonl"), "--format", "json"])
    assert code == 0, err
    assert data == expected
    (parts / "day2.jsonl").unlink()
    (parts / "day2.json").write_text("[" + ",".join(lines[2 * third :]) + "]", encoding="utf-8")
    args = ["--events", str(parts / "day0.jsonl"), "--events", str(parts / "day1.jsonl"), "--events", str(parts / "day2.json")]
    code, data, err = _measure(["measure", str(EXAMPLES), *args, "--format", "json"])
    assert code == 0, err
    assert data == expected


def test_csv_events_with_a_json_properties_column(tmp_path: Path) -> None:
    """Segment's shape flattened to CSV: the properties a JSON text in one column."""
    rows = ["userId,anonymousId,timestamp,event,properties"]
    for line in (EVENTS / "segment.jsonl").read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        props = json.dumps(e.get("properties", {})).replace('"', '""')
        rows.append(f'{e.get("userId", "")},{e.get("anonymousId", "")},{e["timestamp"]},{e.get("event", "")},"{props}"')
    csv = tmp_path / "events.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, data, err = _measure(["measure", str(EVENTS / "shop.journey"), "--events", str(csv), "--format", "json"])
    assert code == 0, err
    assert [s["users"] for s in data["kpis"][0]["steps"]] == [4, 2, 1]
    assert data["journeys"][0]["conformance"]["fitness"] == 0.75


def test_safe_bounds_the_events_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cjdsl.measure.run as command  # the bounds `measure`, `check` and `build` read

    project = tmp_path / "p"
    project.mkdir()
    (project / "cjdsl.toml").write_text("", encoding="utf-8")
    (project / "shop.journey").write_text((EVENTS / "shop.journey").read_text(encoding="utf-8"), encoding="utf-8")
    events = project / "events.jsonl"
    events.write_text((EVENTS / "segment.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(project)
    monkeypatch.setattr(command, "SAFE_MAX_EVENT_BYTES", events.stat().st_size - 1)
    result = CliRunner().invoke(main, ["--safe", "measure", ".", "--events", "events.jsonl"])
    assert result.exit_code == 2
    assert "--safe: the events files hold" in result.stderr and "more than the" in result.stderr
    # Without --safe the same file is read.
    assert CliRunner().invoke(main, ["measure", ".", "--events", "events.jsonl"]).exit_code == 0
    # Parquet: the rows its metadata declares, before reading it.
    parquet = project / "events.parquet"
    assert run(["simulate", str(project / "shop.journey"), "--users", "30", "--seed", "1", "-o", str(parquet)]) == 0
    monkeypatch.setattr(command, "SAFE_MAX_EVENT_BYTES", 2**30)
    monkeypatch.setattr(command, "SAFE_MAX_EVENT_ROWS", 10)
    result = CliRunner().invoke(main, ["--safe", "measure", ".", "--events", "events.parquet"])
    assert result.exit_code == 2 and "more than the 10 allowed" in result.stderr, result.stderr


def test_duckdb_runs_with_a_memory_limit_and_says_when_it_is_not_enough(tmp_path: Path) -> None:
    from cjdsl.measure.mapping import build_mapping
    from cjdsl.measure.run import MEMORY_LIMIT, MeasureError, connect, measure
    from cjdsl.measure.settings import event_settings

    con = connect()
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    finally:
        con.close()
    assert MEMORY_LIMIT == "1GB" and limit in ("953.6 MiB", "1.0 GiB", "1000.0 MiB")
    events = tmp_path / "events.jsonl"
    assert run(["simulate", str(EXAMPLES), "--users", "20000", "--seed", "3", "-o", str(events)]) == 0
    project = compile_project([EXAMPLES], load_config([EXAMPLES]))
    with pytest.raises(MeasureError, match="memory"):
        measure([events], event_settings({}), build_mapping(project.journeys), memory_limit="4MB")


def test_the_benchmark_runs_at_its_smallest_size() -> None:
    """benchmarks/measure.py keeps working (its timings are reported, never asserted)."""
    import subprocess
    import sys

    from .conftest import ROOT

    script = ROOT / "benchmarks" / "measure.py"
    args = ["--sizes", "3000", "--jsonl-size", "3000", "--repeat", "1", "--format", "json"]
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=600, check=True)
    (row,) = json.loads(done.stdout)
    assert row["measure"]["events"] > 2000 and row["count"]["users"] == row["measure"]["users"]
    assert row["measure"]["duckdb_seconds"] > 0 and row["measure"]["peak_mb"] > 0 and row["ratio"] > 0
    assert row["jsonl_measure"]["events"] == row["measure"]["events"] and row["jsonl_validate"]["exit_code"] == 0
