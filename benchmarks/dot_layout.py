"""Times Graphviz's `dot` on the diagrams cjdsl draws for synthetic journeys.

    python benchmarks/dot_layout.py [--sizes 100,500,2000] [--seed 0] [--format table|json]

For each size: the DOT size of the whole-journey diagram and the seconds `dot -Tsvg`
takes for it, for the stage overview, and for the slowest stage diagram. Journeys above
`LARGE` touchpoints get dot's iteration limits and a cheaper stage ordering (see
cjdsl/backends/graphviz_dot.py), which is what keeps 2,000 touchpoints fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

from cjdsl.backends.graphviz_dot import LARGE, journey_dot, overview_dot, stage_dot  # noqa: E402
from cjdsl.backends.layout import Dot  # noqa: E402
from cjdsl.language.parser import parse  # noqa: E402
from cjdsl.project.resolve import SourceFile, resolve  # noqa: E402


def journey_for(touchpoints: int, seed: int) -> object:
    text = generate(touchpoints, seed=seed)
    result = parse(text, "bench.journey")
    source = SourceFile(Path("/bench.journey"), "bench.journey", result)
    journey, _ = resolve(source, Path("/"), lambda p: SourceFile(p, str(p), None))
    return journey


def timed(dot: Dot, source: str) -> float:
    start = time.perf_counter()
    dot(source, "svg")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,2000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args()
    dot = Dot.find(timeout=600)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        j = journey_for(n, args.seed)
        whole = journey_dot(j)  # type: ignore[arg-type]
        stage_times = [timed(dot, stage_dot(j, s)) for s in j.stages]  # type: ignore[arg-type,attr-defined]
        rows.append(
            {
                "touchpoints": n,
                "large_settings": n > LARGE,
                "dot_kb": round(len(whole.encode()) / 1024),
                "whole_s": round(timed(dot, whole), 3),
                "overview_s": round(timed(dot, overview_dot(j)), 3),  # type: ignore[arg-type]
                "slowest_stage_s": round(max(stage_times), 3),
            }
        )
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return
    print(f"# dot {dot.program}; seed {args.seed}; LARGE = {LARGE} touchpoints")
    print(f"{'touchpoints':>11} {'DOT kB':>7} {'whole s':>8} {'overview s':>11} {'slowest stage s':>16}")
    for r in rows:
        print(f"{r['touchpoints']:>11} {r['dot_kb']:>7} {r['whole_s']:>8} {r['overview_s']:>11} {r['slowest_stage_s']:>16}")


if __name__ == "__main__":
    main()
