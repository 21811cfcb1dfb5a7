"""A build killed at any moment leaves the previous output whole (real SIGKILL)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT
from tests.helpers import snapshot


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_during_build_leaves_the_previous_output(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES, project)
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "cjdsl", "build", str(project), "-o", str(out)]
    subprocess.run(command, check=True, capture_output=True, env=env, timeout=300)
    before = snapshot(out)
    assert len(before) > 100
    finished = 0
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, 1.6, 2.0, 2.5):
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        else:
            finished += 1
        child.wait(timeout=60)
        # Whether the build died or finished, OUT is a whole output: the old one or an
        # identical new one (builds are deterministic), never a half-written mix.
        assert snapshot(out) == before, f"output changed after a kill at {delay} s"
    assert finished < 8, "every build finished before the kill; the test killed nothing"
    # The killed builds' temporary folders are abandoned; the next build removes them.
    subprocess.run(command, check=True, capture_output=True, env=env, timeout=300)
    assert snapshot(out) == before
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site."))
    assert leftovers == [], leftovers


def test_a_running_build_keeps_its_folder(tmp_path: Path) -> None:
    from cjdsl.fs import write_tree

    out = tmp_path / "site"
    live = tmp_path / ".site.live.tmp"
    live.mkdir()
    (tmp_path / ".site.live.tmp.pid").write_text(str(os.getpid()), encoding="ascii")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = tmp_path / ".site.dead.tmp"
    dead.mkdir()
    (tmp_path / ".site.dead.tmp.pid").write_text(str(gone.pid), encoding="ascii")
    write_tree(out, [("index.html", b"x")])
    assert live.exists() and not dead.exists() and not (tmp_path / ".site.dead.tmp.pid").exists()
