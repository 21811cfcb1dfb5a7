"""Time from saving a file to the reload event of `cjdsl serve`, on the examples.

For each case, `cjdsl serve` runs as a subprocess on a free port over a copy of the
examples (the checkout's files are never touched), a client holds the event stream a
page holds, and the script saves a changed touchpoint label the way editors save (a new
file renamed over the old one) and waits for the ``reload`` event. It reports, per case,
the median, the fastest and the slowest of the edits; the median time until the
changed diagrams are laid out and swapped in too (the pages' text comes first); and
the server's own time to check, build and write the pages, so the rest is the watcher's
latency and the event.

    python benchmarks/serve_reload.py                      # each example served alone, and all of them
    python benchmarks/serve_reload.py --edits 20 --cases folder
    python benchmarks/serve_reload.py --only html --format json

Target: 500 ms from the save to the reload event, on a file of the examples.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TARGET_MS = 500.0
#: Seconds one edit may take before the script gives up on the case.
TIMEOUT = 120.0


def journey_file(target: Path) -> Path:
    """The file to edit: the target itself, or the first journey file of a folder."""
    if target.is_file():
        return target
    for path in sorted(target.rglob("*.journey")):
        if re.search(r"^journey ", path.read_text(encoding="utf-8"), re.M):
            return path
    raise SystemExit(f"{target}: no journey file")


def cases(copy: Path, which: str) -> list[tuple[str, Path, Path]]:
    """(name, what to serve, which file to edit)."""
    out = []
    if which in ("all", "each"):
        for entry in sorted(copy.iterdir()):
            if entry.suffix == ".journey" or (entry.is_dir() and any(entry.rglob("*.journey"))):
                out.append((entry.name, entry, journey_file(entry)))
    if which in ("all", "folder"):
        out.append(("examples/ (all)", copy, journey_file(copy / "hr_saas.journey")))
    return out


class Server:
    def __init__(self, target: Path, extra: list[str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cjdsl", "serve", str(target), "--no-open", *extra],
            cwd=target if target.is_dir() else target.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)},
        )
        self.built: list[float] = []
        self.lock = threading.Condition()
        threading.Thread(target=self._stderr, daemon=True).start()
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not match:
            raise SystemExit(f"serve did not start: {line!r}")
        self.port = int(match.group(1))

    def _stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            got = re.search(r"built in (\d+\.\d+) s", line)
            if got:
                with self.lock:
                    self.built.append(float(got.group(1)))
                    self.lock.notify_all()

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=60)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


class Stream:
    """The event stream a page holds, read by a thread into a queue."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.conn.request("GET", "/__cjdsl/events?since=1")
        self.response = self.conn.getresponse()
        self.events: queue.Queue[tuple[float, dict[str, object]]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        kind = ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "reload":
                    self.events.put((time.perf_counter(), dict(json.loads(line[6:]))))
        except OSError:
            pass

    def next(self, timeout: float = TIMEOUT) -> tuple[float, dict[str, object]]:
        return self.events.get(timeout=timeout)

    def drain(self, quiet: float = 1.0) -> list[tuple[float, dict[str, object]]]:
        """The events that come until none has come for ``quiet`` seconds."""
        out = []
        while True:
            try:
                out.append(self.events.get(timeout=quiet))
            except queue.Empty:
                return out


def save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.bench")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_case(name: str, target: Path, edited: Path, edits: int, extra: list[str]) -> dict[str, object]:
    original = edited.read_text(encoding="utf-8")
    label = re.search(r'^\s*touchpoint \w+ "([^"]*)"', original, re.M)
    if label is None:
        raise SystemExit(f"{edited}: no touchpoint label to edit")
    server = Server(target, extra)
    try:
        stream = Stream(server.port)
        times, complete = [], []
        for i in range(edits):
            text = original.replace(f'"{label.group(1)}"', f'"{label.group(1)} (edit {i + 1})"', 1)
            began = time.perf_counter()
            save(edited, text)
            at, event = stream.next()
            assert event.get("ok") is True, event
            times.append((at - began) * 1000)
            # The diagrams that follow (`dot`), until the server is quiet again.
            later = stream.drain()
            complete.append(((later[-1][0] if later else at) - began) * 1000)
        with server.lock:
            rebuilds = [s * 1000 for s in server.built[1:]]
    finally:
        server.stop()
        save(edited, original)
    return {
        "case": name,
        "edits": edits,
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "with_diagrams_median_ms": round(statistics.median(complete), 1),
        "rebuild_median_ms": round(statistics.median(rebuilds), 1) if rebuilds else None,
        "within_target": statistics.median(times) <= TARGET_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=10, help="edits a case (default 10)")
    parser.add_argument("--cases", choices=["all", "each", "folder"], default="all", help="which targets to serve")
    parser.add_argument("--only", default="", help="pass --only NAMES to serve (backends to build)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    extra = ["--only", args.only] if args.only else []
    with tempfile.TemporaryDirectory(prefix="cjdsl-serve-bench-") as scratch:
        copy = Path(scratch) / "examples"
        shutil.copytree(EXAMPLES, copy)
        rows = [run_case(name, target, edited, args.edits, extra) for name, target, edited in cases(copy, args.cases)]
    if args.format == "json":
        for row in rows:
            print(json.dumps(row))
        return
    print("ms from the save to the reload event (median, fastest, slowest), to the diagrams drawn in (median),")
    print("and the server's own time to check, build and write the pages (median)")
    print(f"{'served':<28} {'median':>8} {'fastest':>8} {'slowest':>8} {'diagrams':>9} {'rebuild':>8}")
    for row in rows:
        print(
            f"{row['case']!s:<28} {row['median_ms']:>8} {row['min_ms']:>8} {row['max_ms']:>8}"
            f" {row['with_diagrams_median_ms']:>9} {row['rebuild_median_ms']!s:>8}"
            + ("" if row["within_target"] else f"  over {TARGET_MS:.0f}")
        )


if __name__ == "__main__":
    main()
