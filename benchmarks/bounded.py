"""Times cjdsl on hostile inputs, one per path whose cost once grew faster than its input.

    python benchmarks/bounded.py [--scales 1,2,4] [--paths NAME,...] [--repeat N] [--format table|json]

Each path builds its input at every scale (the base size times the scale), times the work
in this process (building the input and what comes before the path is not timed), and
prints seconds, input size and what came out. Near-linear paths show `x time` close to
`x input` from one scale to the next. The inputs:

* `cj208-fanout`: one entry touchpoint with k intents and k next steps, each serving the
  same k intents (intents x targets x intents before);
* `cj208-entries`: k such entry touchpoints over the same k targets;
* `cj208-disjoint`: the same, but the targets serve k other intents: no path counts, and
  every entry × target pair must be compared (the rule's worst case: counting paths is
  counting triangles, so the rule stops at a fixed amount of work, with a finding);
* `unknown-refs`: k touchpoint ids and k `next` references that each miss one by a letter
  (a did-you-mean search over every id per reference before);
* `syntax-junk`, `syntax-one-line`: a file of characters no token starts with, and one
  line of stages, each with a stray `@` (only the first error on a line is reported, but
  Lark's recovery ran for every dropped character or token);
* `report-one-line`: the full report of a one-line file with k unknown references (each
  diagnostic printed the whole line);
* `stage-persona`: k stages x k personas, each stage served by one persona (one CJ212
  warning per pair, all kept);
* `allow-blocks`: k dead-end touchpoints, each with its own `allow dead-end` (findings x
  `allow` blocks before);
* `redos`: `pattern "^(a+)+$"` against captured events of "aaa...ab" (backtracking `re`
  took over a minute at 33 characters).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from cjdsl.core.resolved import ResolvedJourney  # noqa: E402
from cjdsl.language.parser import parse  # noqa: E402
from cjdsl.project.resolve import SourceFile, check_references, resolve  # noqa: E402
from cjdsl.rules import RuleSettings, run_rules  # noqa: E402

HEADER = 'journey j "J" {\n  owner t\n}\nteam t "T"\n'


@dataclass
class Run:
    seconds: float
    input_bytes: int
    output: str  # what came out, in words


def _journey(text: str) -> ResolvedJourney:
    result = parse(text, "bench.journey")
    if result.document is None:
        raise SystemExit(f"a hostile input did not parse: {result.diagnostics[:1]}")
    source = SourceFile(Path("/bench.journey"), "bench.journey", result)
    journey, _ = resolve(source, Path("/"), lambda p: SourceFile(p, str(p), None))
    assert journey is not None
    return journey


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _rules(text: str, *select: str) -> Run:
    journey = _journey(text)
    settings = RuleSettings(select=select or ("ALL",))
    seconds, (active, silenced) = _timed(lambda: run_rules([journey], settings))
    return Run(seconds, len(text.encode()), f"{len(active):,} findings, {len(silenced):,} suppressed")


# -- the inputs ---------------------------------------------------------------------------


def cj208_text(k: int, entries: int = 1, disjoint: bool = False) -> str:
    intents = ", ".join(f"i{n}" for n in range(k))
    served = ", ".join(f"{'j' if disjoint else 'i'}{n}" for n in range(k))
    targets = ", ".join(f"t{n}" for n in range(k))
    out = [HEADER, *(f'intent {x}{n} "I"\n' for x in "ij" for n in range(k)), 'stage a "A" phase awareness {\n']
    out += [f'  touchpoint e{n} "E" {{\n    entry\n    intent {intents}\n    next {targets}\n  }}\n' for n in range(entries)]
    out.append('}\nstage b "B" phase interest {\n')
    out += [f'  touchpoint t{n} "T" {{\n    intent {served}\n  }}\n' for n in range(k)]
    out.append("}\n")
    return "".join(out)


def unknown_refs_text(k: int) -> str:
    ids = [f"touchpoint_{n:05d}" for n in range(k)]
    refs = ", ".join(f"touchpoint_{n:05d}x" for n in range(k))
    body = "".join(f'  touchpoint {i} "T"\n' for i in ids)
    return f'{HEADER}stage a "A" phase awareness {{\n  touchpoint start "S" {{\n    entry\n    next {refs}\n  }}\n{body}}}\n'


def one_line_text(k: int) -> str:
    refs = ", ".join(f"nowhere_{n}" for n in range(k))
    return f'journey j "J" {{ owner t }} team t "T" stage a "A" phase awareness {{ touchpoint s "S" {{ next {refs} }} }}'


def stage_persona_text(k: int) -> str:
    personas = "".join(f'persona p{n} "P"\n' for n in range(k))
    stages = "".join(f'stage s{n} "S" phase awareness {{\n  touchpoint t{n} "T" {{\n    persona p0\n  }}\n}}\n' for n in range(k))
    return HEADER + personas + stages


def allow_blocks_text(k: int) -> str:
    tps = "".join(f'  touchpoint t{n} "T" {{\n    allow dead-end "why"\n  }}\n' for n in range(k))
    first = '  touchpoint first "F" {\n    entry\n    next t0\n  }\n'
    return f'{HEADER}stage a "A" phase awareness {{\n{first}{tps}}}\nstage b "B" phase interest {{\n  touchpoint last "L"\n}}\n'


# -- the paths ----------------------------------------------------------------------------


def run_cj208_fanout(k: int) -> Run:
    return _rules(cj208_text(k), "CJ208")


def run_cj208_entries(k: int) -> Run:
    return _rules(cj208_text(k, entries=k), "CJ208")


def run_cj208_disjoint(k: int) -> Run:
    return _rules(cj208_text(k, entries=k, disjoint=True), "CJ208")


def run_unknown_refs(k: int) -> Run:
    text = unknown_refs_text(k)
    journey = _journey(text)
    seconds, found = _timed(lambda: check_references(journey))
    hints = sum(1 for d in found if d.help and d.help.startswith("did you mean"))
    return Run(seconds, len(text.encode()), f"{len(found):,} unknown, {hints:,} with a suggestion")


def run_syntax_junk(k: int) -> Run:
    text = "@\n" * (k // 2)
    seconds, result = _timed(lambda: parse(text, "junk.journey"))
    return Run(seconds, len(text.encode()), f"{len(result.diagnostics)} diagnostics")


def run_syntax_one_line(k: int) -> Run:
    text = "".join(f'stage s{n} "S" phase awareness {{ touchpoint t{n} "T" {{ rating @ 4 }} }} ' for n in range(k))
    seconds, result = _timed(lambda: parse(text, "flat.journey"))
    return Run(seconds, len(text.encode()), f"{len(result.diagnostics)} diagnostics")


def run_report_one_line(k: int) -> Run:
    from cjdsl.cli.report import render_full

    text = one_line_text(k)
    result = parse(text, "line.journey")
    source = SourceFile(Path("/line.journey"), "line.journey", result)
    _, diagnostics = resolve(source, Path("/"), lambda p: SourceFile(p, str(p), None))
    seconds, out = _timed(lambda: render_full(diagnostics))
    return Run(seconds, len(text.encode()), f"{len(diagnostics):,} diagnostics, {len(out.encode()) / 1e6:.2f} MB printed")


def run_stage_persona(k: int) -> Run:
    return _rules(stage_persona_text(k))


def run_allow_blocks(k: int) -> Run:
    return _rules(allow_blocks_text(k), "CJ210")


def run_redos(k: int) -> Run:
    from cjdsl.tracking.plan import build_plan
    from cjdsl.tracking.validate import validate_lines

    event = '    event "Code Entered" {\n      code string pattern "^(a+)+$"\n    }\n'
    text = f'{HEADER}stage a "A" phase awareness {{\n  touchpoint t "T" {{\n{event}  }}\n}}\n'
    plan = build_plan([_journey(text)])
    lines = [
        json.dumps({"type": "track", "event": "Code Entered", "properties": {"code": "a" * n + "b"}}).encode()
        for n in range(1, k + 1)
    ]
    seconds, report = _timed(lambda: validate_lines(plan, lines))
    stats = report.events["Code Entered"]
    return Run(seconds, sum(map(len, lines)), f"{stats.invalid:,} of {stats.seen:,} invalid")


#: name → (function, base size, what the size counts)
PATHS: dict[str, tuple[Callable[[int], Run], int, str]] = {
    "cj208-fanout": (run_cj208_fanout, 150, "intents = targets"),
    "cj208-entries": (run_cj208_entries, 60, "entries = intents = targets"),
    "cj208-disjoint": (run_cj208_disjoint, 60, "entries = intents = targets"),
    "unknown-refs": (run_unknown_refs, 2000, "ids = unknown references"),
    "syntax-junk": (run_syntax_junk, 200_000, "characters"),
    "syntax-one-line": (run_syntax_one_line, 2000, "blocks, each with a stray `@`"),
    "report-one-line": (run_report_one_line, 2000, "unknown references on the line"),
    "stage-persona": (run_stage_persona, 500, "stages = personas"),
    "allow-blocks": (run_allow_blocks, 2000, "touchpoints with an allow"),
    "redos": (run_redos, 300, "events, the longest value"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,2,4", help="multiples of each path's base size")
    parser.add_argument("--paths", default=",".join(PATHS), help="which paths, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the fastest is kept")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    parse("team warm_up", "warm.journey")
    parse("team {", "warm.journey")  # a syntax error: loads Lark's own parser too
    scales = [float(s) for s in args.scales.split(",")]
    rows: list[dict[str, Any]] = []
    for name in args.paths.split(","):
        fn, base, unit = PATHS[name]
        previous: dict[str, Any] | None = None
        for scale in scales:
            n = max(1, int(base * scale))
            runs = [fn(n) for _ in range(max(1, args.repeat))]
            run = min(runs, key=lambda r: r.seconds)
            row = {"path": name, "n": n, "unit": unit, "kb": round(run.input_bytes / 1e3, 1), "seconds": run.seconds}
            row["output"] = run.output
            if previous is not None:
                row["x_input"] = round(row["kb"] / previous["kb"], 2)
                row["x_time"] = round(run.seconds / max(previous["seconds"], 1e-9), 2)
            rows.append(row)
            previous = row
            if args.format == "json":
                print(json.dumps(row), flush=True)
    if args.format == "table":
        print(f"{'path':<16} {'n':>8} {'input kB':>9} {'seconds':>9} {'x input':>8} {'x time':>7}  output")
        for row in rows:
            grow = f"{row['x_input']:>8} {row['x_time']:>7}" if "x_input" in row else f"{'':>8} {'':>7}"
            print(f"{row['path']:<16} {row['n']:>8,} {row['kb']:>9,.1f} {row['seconds']:>9.3f} {grow}  {row['output']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
