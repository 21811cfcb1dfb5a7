"""Times every stage of cjdsl on synthetic journeys, in one process and one run.

    python benchmarks/run.py [--sizes 100,1000,10000] [--seed 0] [--format table|json] [--dot] [--repeat N]

For each size: the seconds of each stage (read, parse to model, resolve, validate, each
backend, and `dot` separately with --dot), parse MB/s, the process's peak memory so far,
and a plain `re` tokenisation of the same text as the lower bound, with the ratio.
`--format json` prints one JSON object per line and size.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import gc  # noqa: E402

from generate import generate  # noqa: E402
from parse_throughput import re_tokenise  # noqa: E402

from cjdsl.backends import BuildContext, backends  # noqa: E402
from cjdsl.language.parser import parse  # noqa: E402
from cjdsl.language.values import check_document  # noqa: E402
from cjdsl.project.config import Config  # noqa: E402
from cjdsl.project.resolve import SourceFile, resolve  # noqa: E402
from cjdsl.rules import RuleSettings, run_rules  # noqa: E402


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure(n: int, seed: int, with_dot: bool) -> dict[str, Any]:
    text = generate(n, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.journey"
        path.write_text(text, encoding="utf-8")
        stages: dict[str, float] = {}
        stages["read"], data = timed(lambda: path.read_bytes().decode("utf-8"))
    mb = len(data.encode("utf-8")) / 1e6
    stages["parse"], result = timed(lambda: parse(data, "bench.journey"))
    gc.freeze()  # as the CLI does: the model lives until the end
    stages["structure"], _ = timed(lambda: check_document(result.document))
    source = SourceFile(Path("/bench.journey"), "bench.journey", result)
    stages["resolve"], (journey, _) = timed(lambda: resolve(source, Path("/"), lambda p: SourceFile(p, str(p), None)))
    stages["validate"], _ = timed(lambda: run_rules([journey], RuleSettings()))
    ctx = BuildContext(Config(root=Path("/")), (journey,), ())
    for name, backend in backends().items():
        if name == "mermaid-flow":
            continue
        stages[f"backend:{name}"], _ = timed(lambda b=backend: b.build_all(ctx))
    if with_dot:
        from cjdsl.backends.graphviz_dot import journey_dot
        from cjdsl.backends.layout import Dot

        source_dot = journey_dot(journey)
        stages["dot"], _ = timed(lambda: Dot.find(timeout=600)(source_dot, "svg"))
    re_s, _ = timed(lambda: re_tokenise(data))
    gc.unfreeze()
    return {
        "touchpoints": n,
        "mb": round(mb, 3),
        "seconds": {k: round(v, 4) for k, v in stages.items()},
        "total_s": round(sum(stages.values()), 3),
        "parse_mb_s": round(mb / stages["parse"], 2),
        "re_mb_s": round(mb / re_s, 2),
        "re_ratio": round(stages["parse"] / re_s, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def best(runs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One row from several runs of a size: each stage's fastest time, and the figures
    computed from those (peak memory is the process's, so the last run's)."""
    rows = list(runs)
    row = rows[-1]
    seconds = {k: min(r["seconds"][k] for r in rows) for k in row["seconds"]}
    parse_s = min(r["mb"] / r["parse_mb_s"] for r in rows)
    re_s = min(r["mb"] / r["re_mb_s"] for r in rows)
    return {
        **row,
        "seconds": seconds,
        "total_s": round(sum(seconds.values()), 3),
        "parse_mb_s": round(row["mb"] / parse_s, 2),
        "re_mb_s": round(row["mb"] / re_s, 2),
        "re_ratio": round(parse_s / re_s, 1),
        "runs": len(rows),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--dot", action="store_true", help="also time Graphviz's dot on the whole-journey diagram")
    parser.add_argument(
        "--repeat", type=int, default=1, help="measure each size N times and keep each stage's best (for noisy machines)"
    )
    args = parser.parse_args(argv)
    parse("team warm_up", "warm.journey")  # build the parser before timing
    rows = [best(measure(int(n), args.seed, args.dot) for _ in range(max(1, args.repeat))) for n in args.sizes.split(",")]
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return 0
    names = list(rows[0]["seconds"])
    print(f"{'stage':<18}" + "".join(f"{r['touchpoints']:>12,}" for r in rows))
    print(f"{'MB':<18}" + "".join(f"{r['mb']:>12}" for r in rows))
    for name in names:
        print(f"{name:<18}" + "".join(f"{r['seconds'][name]:>11.3f}s" for r in rows))
    for key, label in (
        ("total_s", "total s"),
        ("parse_mb_s", "parse MB/s"),
        ("re_mb_s", "re MB/s"),
        ("re_ratio", "parse / re"),
        ("peak_mb", "peak MB"),
    ):
        print(f"{label:<18}" + "".join(f"{r[key]:>12}" for r in rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
