#!/usr/bin/env python3
"""Hostile input to `cjdsl import mermaid`: the time of its two formerly quadratic paths,
which must grow linearly with the input.

* ``fence``: Markdown made of ```` ```mermaid ```` lines that are never closed. Finding
  the fenced blocks used a backtracking regex that, for each opening line, searched the
  rest of the text for a closing one (264 kB took 37 s); it is now one pass over the lines.
* ``ids``: a journey diagram whose tasks all have the same name. Each new id searched the
  suffixes ``_2``, ``_3``, ... from the start (420 kB took 32 s); a counter per base name
  now resumes where the last search ended.

For each size (kB of input) the script builds the input (not timed), then times
``cjdsl.review.mermaid_import.parse_journey`` on it with ``time.perf_counter``, best of
``--repeat``, and prints the seconds, the microseconds per kB, and how the time grew from
the previous size against how the size grew.

    python benchmarks/hostile_paths.py                        # 100, 200, 400 kB
    python benchmarks/hostile_paths.py --sizes 200,800 --repeat 5 --format json

Exit status 1 when a path grew more than twice as fast as its input between two sizes
(noise on a busy machine can do that at very small sizes; use sizes of 100 kB and more).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the cjdsl package of this checkout

from cjdsl.review.mermaid_import import ImportError_, parse_journey  # noqa: E402

#: Growth of time over growth of size above which a path is reported as not linear.
LIMIT = 2.0


def unclosed_fences(size: int) -> str:
    """About ``size`` bytes of ```` ```mermaid ```` lines and no closing fence."""
    line = "```mermaid\n"
    return line * max(1, size // len(line))


def same_names(size: int) -> str:
    """A journey diagram of about ``size`` bytes whose tasks all share one name."""
    line = "      Same task: 3: Me\n"
    return "journey\n    title T\n    section S\n" + line * max(1, size // len(line))


def import_once(text: str) -> int:
    """What `cjdsl import mermaid` does with the text; the number of model items."""
    try:
        return len(parse_journey(text).items)
    except ImportError_:
        return 0


PATHS: dict[str, Callable[[int], str]] = {"fence": unclosed_fences, "ids": same_names}


def best_of(repeat: int, text: str) -> tuple[float, list[float]]:
    runs = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        import_once(text)
        runs.append(time.perf_counter() - start)
    return min(runs), runs


def sizes_arg(value: str) -> list[int]:
    try:
        sizes = sorted({int(v) for v in value.split(",") if v.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {value!r}") from None
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers (kB)")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time cjdsl import mermaid on hostile input at several sizes.")
    ap.add_argument("--sizes", type=sizes_arg, default=[100, 200, 400], help="input sizes in kB (default 100,200,400)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per size; the best is reported (default 3)")
    ap.add_argument("--format", choices=("table", "json"), default="table", help="a table, or one JSON object per row")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    table = args.format == "table"
    if table:
        print(f"{'path':<6} {'kB':>6} {'seconds':>9} {'µs/kB':>8} {'time grew':>10} {'size grew':>10}")
    verdicts = []
    for name, make in PATHS.items():
        previous: tuple[int, float] | None = None
        worst = 0.0
        for kb in args.sizes:
            text = make(kb * 1000)
            size = len(text.encode("utf-8"))
            seconds, runs = best_of(args.repeat, text)
            row: dict[str, Any] = {
                "path": name,
                "kb": kb,
                "bytes": size,
                "seconds": round(seconds, 5),
                "us_per_kb": round(seconds * 1e6 / (size / 1000), 2),
                "runs": [round(r, 5) for r in runs],
                "repeat": args.repeat,
            }
            if previous is not None:
                time_growth, size_growth = seconds / previous[1], size / previous[0]
                row["time_growth"], row["size_growth"] = round(time_growth, 2), round(size_growth, 2)
                worst = max(worst, time_growth / size_growth)
            if table:
                grew = f"{row['time_growth']:>9.2f}x {row['size_growth']:>9.2f}x" if previous else f"{'':>10} {'':>10}"
                print(f"{name:<6} {kb:>6} {seconds:>9.4f} {row['us_per_kb']:>8.1f} {grew}")
            else:
                print(json.dumps(row))
            sys.stdout.flush()
            previous = (size, seconds)
        verdicts.append((name, worst))
    failed = False
    for name, worst in verdicts:
        linear = worst <= LIMIT
        failed = failed or not linear
        message = (
            f"{name}: time grows about linearly with the input (at most {worst:.2f}x the size's growth)"
            if linear
            else f"{name}: time grows faster than the input ({worst:.2f}x the size's growth)"
        )
        print(message if table else json.dumps({"path": name, "linear": linear, "worst_ratio": round(worst, 2)}))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
