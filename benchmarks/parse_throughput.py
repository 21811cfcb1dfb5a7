#!/usr/bin/env python3
"""Parser throughput: how many MB/s of `.journey` text ``cjdsl.language.parser.parse`` turns into
a model, against a plain ``re`` tokeniser of the same text as a lower bound.

For each size, a journey is generated (``generate.py``, fixed seed), then timed with
``time.perf_counter``, best of ``--repeat`` runs:

* ``parse(text)``: the fast path over Lark's LALR(1) tables, the builder and the
  model, everything a caller gets;
* one compiled regex with named groups (strings including triple-quoted ones, comments,
  numbers, names, punctuation, whitespace), iterated with ``finditer``: no parser could
  read the text faster in pure Python, so ``ratio`` (parse time / regex time) is what
  the parser costs on top of just cutting the text into tokens.

The first call to ``parse()`` loads the parser tables; it is made on a
tiny input before any timing and reported separately (``parser_build_s``). Generation
time is not measured. The garbage collector stays on (it is part of what a user pays),
and ``gc.collect()`` runs before each timed run so one run's garbage does not land on the
next.

    python benchmarks/parse_throughput.py                      # 100, 1000, 10000 touchpoints
    python benchmarks/parse_throughput.py --sizes 100,1000 --repeat 5 --format json

Exit status 1 when a generated journey does not parse cleanly (the numbers would then
measure error recovery, not parsing).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the cjdsl package of this checkout
sys.path.insert(0, str(HERE))

import lark  # noqa: E402
from generate import generate  # noqa: E402

from cjdsl.language.parser import parse  # noqa: E402

#: The lower bound: every token of the language, as the grammar's terminals define them.
#: Alternatives are tried in order; ``error`` catches anything else, one character at a
#: time, so iteration always covers the whole text.
TOKEN_RE = re.compile(
    r'''
      (?P<string>"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""|"(?:[^"\\\n\r]|\\[^\n\r])*")
    | (?P<comment>\#[^\n]*)
    | (?P<number>[+-]?[0-9]+(?:\.[0-9]+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9]+)*)
    | (?P<punct>->|[{}(),])
    | (?P<ws>[ \t\r\n\f\ufeff]+)
    | (?P<error>.)
    ''',
    re.VERBOSE | re.DOTALL,
)


def re_tokenise(text: str) -> int:
    """Cuts ``text`` into tokens and looks at each token's kind; returns the count."""
    count = 0
    for m in TOKEN_RE.finditer(text):
        kind = m.lastgroup  # noqa: F841  (what a tokeniser needs from each match)
        count += 1
    return count


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, list[float], Any]:
    """(best seconds, all runs, the last result) of ``repeat`` calls of ``fn``."""
    runs: list[float] = []
    result: Any = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - start)
    return min(runs), runs, result


def measure(touchpoints: int, seed: int, repeat: int, build_s: float) -> dict[str, Any]:
    text = generate(touchpoints, seed)
    size = len(text.encode("utf-8"))
    mb = size / 1e6
    parse_s, parse_runs, result = best_of(repeat, lambda: parse(text, f"bench-{touchpoints}.journey"))
    diagnostics = len(result.diagnostics) + (result.document is None)
    del result
    re_s, re_runs, tokens = best_of(repeat, lambda: re_tokenise(text))
    errors = sum(1 for m in TOKEN_RE.finditer(text) if m.lastgroup == "error")
    return {
        "touchpoints": touchpoints,
        "seed": seed,
        "bytes": size,
        "mb": round(mb, 4),
        "lines": text.count("\n"),
        "tokens": tokens,
        "parse_s": round(parse_s, 4),
        "parse_mb_s": round(mb / parse_s, 3),
        "re_s": round(re_s, 4),
        "re_mb_s": round(mb / re_s, 2),
        "ratio": round(parse_s / re_s, 1),
        "parse_runs_s": [round(r, 4) for r in parse_runs],
        "re_runs_s": [round(r, 4) for r in re_runs],
        "diagnostics": diagnostics,
        "re_error_chars": errors,
        "repeat": repeat,
        "parser_build_s": round(build_s, 4),
        "python": platform.python_version(),
        "lark": lark.__version__,
        "cpus": os.cpu_count(),
    }


def sizes_arg(value: str) -> list[int]:
    try:
        sizes = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {value!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time cjdsl.language.parser.parse against a plain re tokeniser.")
    ap.add_argument(
        "--sizes", type=sizes_arg, default=[100, 1000, 10000], help="touchpoint counts, comma-separated (default 100,1000,10000)"
    )
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per size; the best is reported (default 3)")
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--format", choices=("table", "json"), default="table", help="a table, or one JSON object per line and size")
    args = ap.parse_args(argv)
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    start = time.perf_counter()
    parse('journey warmup "Warm-up" { version "0" }', "warmup.journey")  # loads the parser tables
    build_s = time.perf_counter() - start

    table = args.format == "table"
    if table:
        print(
            f"# Python {platform.python_version()}, lark {lark.__version__}, {os.cpu_count()} CPUs, "
            f"best of {args.repeat}, seed {args.seed}; parser build (first call) {build_s:.3f} s"
        )
        print(f"{'touchpoints':>11}  {'size MB':>8}  {'parse s':>8}  {'MB/s':>6}  {'re MB/s':>8}  {'ratio':>6}")
        sys.stdout.flush()
    failed = False
    for n in args.sizes:
        row = measure(n, args.seed, args.repeat, build_s)
        if row["diagnostics"] or row["re_error_chars"]:
            failed = True
            print(
                f"warning: {n} touchpoints: {row['diagnostics']} diagnostics, "
                f"{row['re_error_chars']} characters the regex did not recognise",
                file=sys.stderr,
            )
        if table:
            print(
                f"{n:>11}  {row['mb']:>8.3f}  {row['parse_s']:>8.3f}  {row['parse_mb_s']:>6.2f}  "
                f"{row['re_mb_s']:>8.1f}  {row['ratio']:>5.1f}x"
            )
        else:
            print(json.dumps(row, ensure_ascii=False))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
