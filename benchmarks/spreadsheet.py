"""Times the spreadsheet export and import on generated journeys.

    python benchmarks/spreadsheet.py [--sizes 100,1000] [--seed 7]

For each size it generates a journey of that many touchpoints (benchmarks/generate.py),
then times, in this process: writing the workbook (map sheet and data sheets), reading it
back through the data sheets (to formatted .journey text, with the language's checks),
reading the map sheet as a drawn grid, and the CSV files both ways. It prints the
workbook's size and each step's seconds, and checks that the data sheets give back the
journey they were made from.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

from cjdsl.backends.spreadsheet import csv_files, workbook  # noqa: E402
from cjdsl.language.parser import parse  # noqa: E402
from cjdsl.project.resolve import SourceFile, resolve  # noqa: E402
from cjdsl.review.grid_import import import_grid_sheets  # noqa: E402
from cjdsl.review.spreadsheet_import import import_grids  # noqa: E402
from cjdsl.review.workbook import read_csv, read_workbook  # noqa: E402


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def run(touchpoints: int, seed: int) -> dict[str, Any]:
    text = generate(touchpoints, seed=seed)
    parsed = parse(text, "big.journey")
    assert parsed.document is not None, "the generator wrote a file that does not parse"
    here = Path("/benchmark")
    journey, _ = resolve(SourceFile(here / "big.journey", "big.journey", parsed), here, lambda p: SourceFile(p, str(p), None))
    assert journey is not None
    files = [("big.journey", parsed.document)]
    export_s, data = timed(lambda: workbook(files, [journey]))
    read_s, book = timed(lambda: read_workbook(data))
    import_s, result = timed(lambda: import_grids(book.grids))
    assert result.ok and parse(result.files["big.journey"]).document.items == parsed.document.items  # type: ignore[union-attr]
    grid_s, grid = timed(lambda: import_grid_sheets(book.grids, None, "big"))
    csv_out_s, csvs = timed(lambda: csv_files(files))
    csv_in_s, back = timed(lambda: import_grids([read_csv(body, name) for name, body in csvs.items()]))
    assert back.ok and back.files == result.files
    return {
        "touchpoints": touchpoints,
        "source_kb": len(text.encode()) / 1024,
        "xlsx_kb": len(data) / 1024,
        "export_s": export_s,
        "read_s": read_s,
        "import_s": import_s,
        "grid_s": grid_s,
        "grid_ok": grid.ok,
        "csv_out_s": csv_out_s,
        "csv_in_s": csv_in_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000", help="touchpoint counts, comma-separated")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    columns = [
        "touchpoints",
        "source",
        "workbook",
        "export xlsx",
        "read xlsx",
        "data sheets → .journey",
        "map as grid",
        "export csv",
        "import csv",
    ]
    print("| " + " | ".join(columns) + " |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for size in (int(s) for s in args.sizes.split(",")):
        r = run(size, args.seed)
        cells = [f"{r['touchpoints']:,}", f"{r['source_kb']:,.0f} kB", f"{r['xlsx_kb']:,.0f} kB"]
        cells += [f"{r[k]:.2f} s" for k in ("export_s", "read_s", "import_s", "grid_s", "csv_out_s", "csv_in_s")]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
