"""Times `cjdsl measure` on simulated events of the examples, beside what DuckDB itself
takes to read the same file.

    python benchmarks/measure.py [--sizes 100000,1000000,10000000] [--jsonl-size 1000000]
                                 [--folder DIR] [--repeat 3] [--format table|json]

For each size, `cjdsl simulate` walks enough users through the examples' journeys for
about that many events (Parquet, zstd; the seed is fixed, so the files are the same from
run to run). Then, each in a process of its own so that each peak memory is its own:

* DuckDB's own `SELECT count(DISTINCT coalesce(userId, anonymousId))` over the file,
  with the same settings `measure` uses (1 GB memory limit, 4 threads): the floor;
* DuckDB's own window over each user's events in time order (`lag(event) OVER
  (PARTITION BY user ORDER BY timestamp)`): the sort every path analysis pays;
* `measure` on the file: the journeys compiled, the file read and every section of the
  report computed (the time of the DuckDB part apart, and the whole).

For 1 million events (`--jsonl-size`), also the same events as JSON Lines: `measure` beside
`cjdsl events validate` (which reads the file line by line in Python).

Times are the best of `--repeat` runs; peak memory is the largest resident set of the
process (Python, cjdsl and DuckDB together). The processor time of each (user and
system, all threads, the least of the runs) is printed too: on a machine others are using
it varies far less than the time on the clock, so compare ratios of it. `--folder` keeps the simulated files for the
next run; without it they go in a scratch folder removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "examples"
SEED = 7


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _cpu() -> float:
    """The processor time of this process so far, all threads (user and system): on a
    shared machine it varies far less than the time on the clock."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(kind: str, path: Path) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    from cjdsl.measure.run import MEMORY_LIMIT, connect

    out: dict[str, Any] = {"kind": kind}
    spill = tempfile.TemporaryDirectory(prefix="cjdsl-bench-spill-")  # as `measure`: DuckDB may spill there
    if kind == "count":
        reader = "read_parquet" if path.suffix == ".parquet" else "read_json"
        con = connect(temp_directory=spill.name)
        start, cpu = time.perf_counter(), _cpu()
        (users,) = con.execute(f"SELECT count(DISTINCT coalesce(userId, anonymousId)) FROM {reader}(?)", [str(path)]).fetchone()
        out.update(seconds=time.perf_counter() - start, cpu_seconds=_cpu() - cpu, users=users)
        con.close()
    elif kind == "path":
        # The heart of the measurement alone: each user's events in time order, a window.
        reader = "read_parquet" if path.suffix == ".parquet" else "read_json"
        con = connect(temp_directory=spill.name)
        start, cpu = time.perf_counter(), _cpu()
        sql = (
            "SELECT count(prev) FROM (SELECT lag(event) OVER (PARTITION BY coalesce(userId, anonymousId) "
            f"ORDER BY timestamp, event) AS prev FROM {reader}(?))"
        )
        (moves,) = con.execute(sql, [str(path)]).fetchone()
        out.update(seconds=time.perf_counter() - start, cpu_seconds=_cpu() - cpu, moves=moves)
        con.close()
    elif kind == "measure":
        from cjdsl.measure.mapping import build_mapping
        from cjdsl.measure.run import measure
        from cjdsl.measure.settings import event_settings
        from cjdsl.project.config import load_config
        from cjdsl.project.graph import compile_project

        start = time.perf_counter()
        project = compile_project([EXAMPLES], load_config([EXAMPLES]))
        mapping = build_mapping(project.journeys)
        compiled, cpu = time.perf_counter(), _cpu()
        data = measure([path], event_settings({}), mapping, temp_directory=spill.name)
        end = time.perf_counter()
        out.update(seconds=end - start, duckdb_seconds=end - compiled, cpu_seconds=_cpu() - cpu)
        out.update(events=data["events"], users=data["users"])
        out["memory_limit"] = MEMORY_LIMIT
    elif kind == "validate":
        from cjdsl.cli.app import run

        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = run(["events", "validate", str(EXAMPLES), str(path)])
        out.update(seconds=time.perf_counter() - start, exit_code=code)
    else:
        raise SystemExit(f"unknown measurement {kind}")
    spill.cleanup()
    out["peak_mb"] = _peak_mb()
    return out


def run_child(kind: str, path: Path, repeat: int) -> dict[str, Any]:
    """The best time and the largest peak of ``repeat`` runs, each in a new process."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path)], capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"{kind} on {path.name} failed:\n{done.stderr[-2000:]}")
        runs.append(json.loads(done.stdout))
    best: dict[str, Any] = min(runs, key=lambda r: r["seconds"])
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["runs"] = [round(r["seconds"], 3) for r in runs]
    if "cpu_seconds" in best:
        best["cpu_seconds"] = min(r["cpu_seconds"] for r in runs)
    return best


def simulate(users: int, path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "cjdsl", "simulate", str(EXAMPLES), "--users", str(users), "--seed", str(SEED), "-o", str(path)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )


def events_per_user(folder: Path) -> float:
    """How many events a simulated user of the examples sends, on average (a pilot)."""
    pilot = folder / "pilot.jsonl"
    if not pilot.exists():
        simulate(5000, pilot)
    return sum(1 for _ in pilot.open("rb")) / 5000


def files_for(size: int, folder: Path, per_user: float, jsonl: bool) -> dict[str, Path]:
    users = math.ceil(size / per_user)
    out = {"parquet": folder / f"events-{size}.parquet"}
    if jsonl:
        out["jsonl"] = folder / f"events-{size}.jsonl"
    for path in out.values():
        if not path.exists():
            start = time.perf_counter()
            simulate(users, path)
            print(f"simulated {users:,} users into {path.name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000,10000000", help="events per file, comma-separated")
    parser.add_argument("--folder", type=Path, help="keep the simulated files here (made if missing)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jsonl-size", type=int, default=1_000_000, help="the size also timed as JSON Lines")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with contextlib.ExitStack() as stack:
        if args.folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cjdsl-bench-measure-")))
        else:
            folder = args.folder
            folder.mkdir(parents=True, exist_ok=True)
        per_user = events_per_user(folder)
        results = []
        for size in sizes:
            files = files_for(size, folder, per_user, jsonl=size == args.jsonl_size)
            parquet = files["parquet"]
            row: dict[str, Any] = {"size": size, "parquet_mb": parquet.stat().st_size / 2**20}
            row["count"] = run_child("count", parquet, args.repeat)
            row["path"] = run_child("path", parquet, args.repeat)
            row["measure"] = run_child("measure", parquet, args.repeat)
            row["ratio"] = row["measure"]["duckdb_seconds"] / row["count"]["seconds"]
            if "jsonl" in files:
                jsonl = files["jsonl"]
                row["jsonl_mb"] = jsonl.stat().st_size / 2**20
                row["jsonl_measure"] = run_child("measure", jsonl, args.repeat)
                row["jsonl_validate"] = run_child("validate", jsonl, args.repeat)
            results.append(row)
            print(f"{size:,} events done", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(results, indent=2))
        return
    limit = results[0]["measure"]["memory_limit"]
    print(f"DuckDB memory limit: {limit} (measure and the count alike); best of {args.repeat} runs")
    print()
    print(
        "| events | Parquet | count(DISTINCT user) | lag() per user | measure: DuckDB part | x count | x lag() | "
        "measure: whole | peak: count | peak: measure |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        c, p, m = r["count"], r["path"], r["measure"]
        print(
            f"| {m['events']:,} | {r['parquet_mb']:.0f} MB | {c['seconds']:.2f} s | {p['seconds']:.2f} s | "
            f"{m['duckdb_seconds']:.2f} s | {r['ratio']:.1f} | {m['duckdb_seconds'] / p['seconds']:.1f} | {m['seconds']:.2f} s | "
            f"{c['peak_mb']:.0f} MB | {m['peak_mb']:.0f} MB |"
        )
    print()
    print("Processor time (user and system, all threads; the least of the runs): steadier than the clock on a busy machine.")
    print("| events | count(DISTINCT user) | lag() per user | measure: DuckDB part | x count | x lag() |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        c, p, m = r["count"]["cpu_seconds"], r["path"]["cpu_seconds"], r["measure"]["cpu_seconds"]
        print(f"| {r['measure']['events']:,} | {c:.2f} s | {p:.2f} s | {m:.2f} s | {m / c:.1f} | {m / p:.1f} |")
    for r in results:
        if "jsonl_measure" in r:
            m, v = r["jsonl_measure"], r["jsonl_validate"]
            print()
            print(f"JSON Lines, {m['events']:,} events ({r['jsonl_mb']:.0f} MB):")
            print("| command | time | peak memory |")
            print("| --- | ---: | ---: |")
            print(f"| measure | {m['seconds']:.2f} s | {m['peak_mb']:.0f} MB |")
            print(f"| events validate | {v['seconds']:.2f} s | {v['peak_mb']:.0f} MB |")


if __name__ == "__main__":
    main()
