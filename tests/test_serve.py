"""`cjdsl serve` and `cjdsl check --watch`, run for real: the server as a subprocess on a
free port, pages fetched over HTTP, the reload announced by server-sent events after a
file is saved, the errors shown in place of the map, the last good map, paths that
leave the site refused, Ctrl-C; and one Chromium that sees the page reload."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cjdsl.cli.live import allow_live, inject
from tests.conftest import invoke
from tests.helpers import snapshot
from tests.test_html import ARGS, CHROMIUM, browser  # noqa: F401  (the module's Chromium, as a fixture here)

#: Seconds a rebuild may take on a busy machine before a test gives up.
WAIT = 90.0
PAGE = "journeys/first_journey.html"
LABEL = '"Lands on the website"'
FLOW = "next guide, newsletter, sign_up\n"
#: The broken line: an unknown touchpoint, and markup in a comment that the error page shows.
BROKEN = 'next guide, newsletter, sign_up, nowhere  # <script>alert("x")</script> & more\n'


def save(path: Path, text: str) -> None:
    """Saves as editors do: a new file beside it, renamed over it."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Lines:
    """The lines a stream gives, collected by a thread, waited on with a deadline."""

    def __init__(self, stream: Any) -> None:
        self.lines: list[str] = []
        self.cond = threading.Condition()
        #: Whether the process writing the stream has ended (its exit code), to stop waiting.
        self.ended: Any = lambda: None
        self.stream = stream
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, pattern: str, *, count: int = 1, timeout: float = WAIT) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = [m for line in self.lines if (m := re.search(pattern, line))]
                if len(found) >= count:
                    return found[count - 1]
                left = deadline - time.monotonic()
                assert left > 0, f"no {pattern!r} after {timeout} s in:\n{''.join(self.lines)}"
                assert self.ended() is None, f"the process ended ({self.ended()}) without {pattern!r}:\n{''.join(self.lines)}"
                self.cond.wait(min(left, 1.0))

    def close(self) -> None:
        """After the process ended: the rest of the stream read, the pipe closed."""
        self.thread.join(timeout=10)
        self.stream.close()

    @property
    def text(self) -> str:
        with self.cond:
            return "".join(self.lines)


class Served:
    """`cjdsl serve ARGS` in ``cwd``, on a free port."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cjdsl", "serve", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
        )
        self.out = Lines(self.proc.stdout)
        self.err = Lines(self.proc.stderr)
        self.out.ended = self.err.ended = self.proc.poll
        self.url = self.out.wait_for(r"http://127\.0\.0\.1:\d+/").group(0)
        self.port = int(urlsplit(self.url).port or 0)
        self.folder = Path(self.err.wait_for(r"the site is in (.+); watching").group(1))

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            conn.request(method, path, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def page(self, path: str) -> str:
        status, headers, body = self.request(path)
        assert status == 200, (path, status)
        assert headers["content-type"] == "text/html; charset=utf-8"
        return body.decode("utf-8")

    def stop(self) -> tuple[int, str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=WAIT)
        self.out.close()
        self.err.close()
        return code, self.err.text


class Events:
    """An open /__cjdsl/events stream, as a page's EventSource holds it."""

    def __init__(self, served: Served, since: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=WAIT)
        self.conn.request("GET", f"/__cjdsl/events?since={since}")
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        kind, data = "", ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and kind:
                    self.events.put({"event": kind, **json.loads(data)})
                    kind, data = "", ""
        except (OSError, ValueError):
            pass

    def next(self, timeout: float = WAIT) -> dict[str, Any]:
        got = self.events.get(timeout=timeout)
        return got

    def close(self) -> None:
        self.conn.close()


def version_of(page: str) -> int:
    match = re.search(r'<script src="/__cjdsl/reload\.js" data-version="(\d+)" defer></script>', page)
    assert match, page[:500]
    return int(match.group(1))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    code, _, err = invoke("init", str(folder), "--template", "empty")
    assert code == 0, err
    return folder


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project, "--no-open")
    yield server
    if server.proc.poll() is None:
        server.stop()


def test_served_pages_carry_the_reload_script_and_the_built_files_do_not(project: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(project, copy)
    server = Served(project, "-o", str(tmp_path / "out"))
    try:
        index = server.page("/")
        assert index == server.page("/index.html")
        assert '<script src="/__cjdsl/reload.js" data-version="1" defer></script>' in index
        on_disk = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
        assert "__cjdsl" not in on_disk
        # The page's own policy, kept, with same-origin script and connections allowed.
        (built,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', on_disk)
        (served,) = re.findall(r'http-equiv="Content-Security-Policy" content="([^"]*)"', index)
        assert "connect-src 'self'" in served and "connect-src" not in built
        assert [d for d in served.split("; ") if not d.startswith("connect-src")] == built.split("; ")
        # Apart from the script and the policy, the page served is the page built.
        stripped = index.replace('<script src="/__cjdsl/reload.js" data-version="1" defer></script>\n', "")
        assert stripped.replace(served, built) == on_disk
        status, headers, script = server.request("/__cjdsl/reload.js")
        assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
        assert b"EventSource" in script
    finally:
        code, err = server.stop()
    assert code == 0, err
    # What serve built is what `cjdsl build` builds (serve never writes the tracking lock).
    assert not (project / "tracking.lock.json").exists()
    code, _, err = invoke("build", str(copy), "-o", str(tmp_path / "built"))
    assert code == 0, err
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "built")
    assert not [rel for rel, content in snapshot(tmp_path / "out").items() if b"__cjdsl" in content]


def test_the_policy_is_widened_only_for_the_script_and_its_stream() -> None:
    assert (
        allow_live("default-src 'none'; img-src 'self'")
        == "default-src 'none'; img-src 'self'; script-src 'self'; connect-src 'self'"
    )
    assert allow_live("default-src 'self'") == "default-src 'self'"  # 'self' already allowed
    assert allow_live("script-src 'none'; connect-src 'none'") == "script-src 'self'; connect-src 'self'"
    assert allow_live("script-src 'sha256-x'; connect-src https://a.example") == (
        "script-src 'sha256-x' 'self'; connect-src https://a.example 'self'"
    )
    # The meta tag however it is written; nothing else in the page changes.
    page = (
        "<html><head><meta content='default-src &#39;none&#39;; style-src &#39;self&#39;' "
        "HTTP-EQUIV=Content-Security-Policy><meta name=x content=\"default-src 'none'\"></head><body>x</body></html>"
    )
    served = inject(page.encode(), 3).decode()
    assert served == (
        "<html><head><meta content=\"default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'\" "
        "HTTP-EQUIV=Content-Security-Policy><meta name=x content=\"default-src 'none'\">"
        '<script src="/__cjdsl/reload.js" data-version="3" defer></script>\n</head><body>x</body></html>'
    )
    # A page without a head gets the script after <body>; one that is not UTF-8 is left alone.
    assert (
        inject(b"<body class=a><p>x", 1)
        == b'<body class=a><script src="/__cjdsl/reload.js" data-version="1" defer></script>\n<p>x'
    )
    assert inject(b"\xff<head></head>", 1) == b"\xff<head></head>"


def test_an_edit_sends_a_reload_event_and_the_page_shows_the_change(served: Served, project: Path) -> None:
    page = served.page("/" + PAGE)
    assert "Lands on the website" in page
    first = version_of(page)
    events = Events(served, first)
    source = project / "journey.journey"
    save(source, source.read_text(encoding="utf-8").replace(LABEL, '"Lands on the new website"'))
    event = events.next()
    assert event["event"] == "reload" and event["ok"] is True and event["all"] is False
    assert PAGE in event["changed"] and event["version"] == first + 1
    page = served.page("/" + PAGE)
    assert "Lands on the new website" in page and version_of(page) >= event["version"]
    served.err.wait_for(r"built in \d+\.\d+ s: \d+ files? changed", count=2)
    if shutil.which("dot"):
        # The text first, the diagrams a moment later: the page swaps them in where they are.
        diagrams = events.next()
        assert diagrams["version"] == event["version"] + 1 and diagrams["changed"]
        assert all(p.endswith(".svg") for p in diagrams["changed"]) and PAGE not in diagrams["changed"]
        served.err.wait_for(r"diagrams laid out in \d+\.\d+ s")
        for svg in diagrams["changed"]:
            drawn = served.request("/" + svg)[2]
            assert b"being laid out" not in drawn and b"Lands on the new website" in drawn
            assert drawn == (served.folder / svg).read_bytes()
    last = served.request("/__cjdsl/events", "HEAD")[0]
    assert last == 200
    # A page that loads late still hears of what it missed, all of it at once.
    late = Events(served, first)
    missed = late.next()
    assert PAGE in missed["changed"] and missed["version"] == version_of(served.page("/" + PAGE))
    # A save that changes nothing built sends nothing.
    save(source, source.read_text(encoding="utf-8") + "# a comment changes no page\n")
    served.err.wait_for(r"built in \d+\.\d+ s: nothing changed")
    with pytest.raises(queue.Empty):
        events.next(timeout=1.0)
    events.close()
    late.close()


def test_errors_replace_the_map_escaped_with_the_last_good_map_one_click_away(served: Served, project: Path) -> None:
    source = project / "journey.journey"
    good = source.read_text(encoding="utf-8")
    events = Events(served, version_of(served.page("/" + PAGE)))
    broken = good.replace(FLOW, BROKEN, 1)
    save(source, broken)
    event = events.next()
    assert event["ok"] is False and event["all"] is True
    status, headers, body = served.request("/" + PAGE)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert (
        "connect-src 'self'" in headers["content-security-policy"] and "script-src 'self'" in headers["content-security-policy"]
    )
    page = body.decode("utf-8")
    line = broken[: broken.index("nowhere")].count("\n") + 1
    column = broken.index("nowhere") - broken.rfind("\n", 0, broken.index("nowhere"))
    assert "<h2>error[CJ101]: unknown touchpoint `nowhere`</h2>" in page
    assert f"journey.journey:{line}:{column}" in page
    # The source line, with its markup escaped, the caret and the hint.
    assert "# &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert "<script>alert" not in page and 'alert("x")' not in page
    assert "^^^^^^^" in page and "= help:" in page
    assert '<script src="/__cjdsl/reload.js"' in page
    # Every page is the error page; the last good map is one click away.
    assert "error[CJ101]" in served.page("/")
    (href,) = re.findall(r'<a href="([^"]+)">Show the last good map</a>', page)
    assert href == "/__cjdsl/last-good/" + PAGE
    last_good = served.page(href)
    assert "Lands on the website" in last_good and "error[CJ101]" not in last_good
    assert '<script src="/__cjdsl/reload.js"' in last_good
    status, _, css = served.request("/__cjdsl/last-good/assets/site.css")
    assert status == 200 and css == (served.folder / "assets" / "site.css").read_bytes()
    # The terminal has the diagnostic in full too.
    served.err.wait_for(r"error\[CJ101\]: unknown touchpoint `nowhere`")
    # Fixed: every page is told, and the map is back.
    save(source, good)
    event = events.next()
    assert event["ok"] is True and event["all"] is True
    assert "Lands on the website" in served.page("/" + PAGE)
    events.close()


def test_a_project_that_never_built_shows_its_errors_and_no_last_good_map(project: Path) -> None:
    source = project / "journey.journey"
    source.write_text(source.read_text(encoding="utf-8").replace("journey first_journey", "journey first_journey {", 1))
    server = Served(project)
    try:
        page = server.page("/")
        assert "error[CJ0" in page and "No build has succeeded yet." in page
        assert "last-good" not in page
        status, _, _ = server.request("/__cjdsl/last-good/index.html")
        assert status == 404
    finally:
        assert server.stop()[0] == 0


def test_paths_outside_the_site_links_and_hidden_files_are_refused(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    server = Served(project, "-o", str(out))
    try:
        (out / "leak.txt").symlink_to(project / "journey.journey")
        (out / "journeys" / "up").symlink_to(project, target_is_directory=True)
        secret = "journey first_journey"
        for path in [
            "/../journey.journey",
            "/../../etc/passwd",
            "/%2e%2e/journey.journey",
            "/journeys/%2e%2e/%2e%2e/project/journey.journey",
            "/journeys/..%2f..%2fproject%2fjourney.journey",
            "//etc/passwd",
            "/..\\journey.journey",
            "/leak.txt",
            "/journeys/up/journey.journey",
            "/__cjdsl/last-good/../journey.journey",
            "/__cjdsl/last-good/leak.txt",
            "/.cjdsl-build",
            "/index.html%00.css",
            "/%ff%fe",
        ]:
            status, _, body = server.request(path)
            assert status in (400, 404), (path, status)
            assert secret.encode() not in body, path
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            status, headers, _ = server.request("/index.html", method)
            assert status == 405 and headers["allow"] == "GET, HEAD", method
        # HEAD: the headers of GET, no body.
        status, head_headers, body = server.request("/index.html", "HEAD")
        assert status == 200 and body == b""
        assert int(head_headers["content-length"]) == len(server.request("/index.html")[2])
        # Another host name (DNS rebinding) is refused; this machine's names are not.
        assert server.request("/", headers={"Host": f"attacker.example:{server.port}"})[0] == 421
        assert server.request("/", headers={"Host": f"localhost:{server.port}"})[0] == 200
        # A folder is redirected to its index.
        status, headers, _ = server.request("/journeys")
        assert status == 301 and headers["location"] == "/journeys/"
        # Content types, from the files the build wrote.
        wanted = {
            ".css": "text/css; charset=utf-8",
            ".js": "text/javascript; charset=utf-8",
            ".json": "application/json",
            ".svg": "image/svg+xml",
            ".dot": "text/vnd.graphviz; charset=utf-8",
            ".md": "text/markdown; charset=utf-8",
            ".csv": "text/csv; charset=utf-8",
        }
        seen = set()
        for rel in sorted(snapshot(out)):
            suffix = Path(rel).suffix
            if suffix in wanted and suffix not in seen and not rel.startswith("."):
                status, headers, body = server.request("/" + rel)
                assert status == 200 and headers["content-type"] == wanted[suffix], rel
                assert headers["x-content-type-options"] == "nosniff"
                assert body == (out / rel).read_bytes()
                seen.add(suffix)
        assert {".css", ".js", ".json", ".md", ".csv"} <= seen
    finally:
        assert server.stop()[0] == 0


def test_ctrl_c_stops_the_server_cleanly_and_removes_its_folder(served: Served) -> None:
    assert served.folder.name == "site" and served.folder.parent.name.startswith("cjdsl-serve-")
    assert (served.folder / "index.html").is_file()
    events = Events(served, 1)  # an open page does not keep it running
    code, err = served.stop()
    assert code == 0
    assert "Traceback" not in err and "cjdsl: stopped" in err
    assert not served.folder.parent.exists()
    events.close()


def test_sigterm_stops_it_the_same_way(served: Served) -> None:
    served.proc.send_signal(signal.SIGTERM)
    code, err = served.stop()
    assert code == 0 and "Traceback" not in err
    assert not served.folder.parent.exists()


def test_usage_problems_exit_2_before_serving(project: Path) -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    before = sorted(Path(tempfile.gettempdir()).glob("cjdsl-serve-*"))
    for args, says in [
        (["--host", "0.0.0.0"], "this machine only"),
        (["no-such-folder"], "no such file or folder"),
        (["--only", "htm"], "unknown backend `htm`"),
        (["--port", str(busy.getsockname()[1])], "cannot listen on 127.0.0.1"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "cjdsl", "serve", *args], cwd=project, capture_output=True, text=True, timeout=WAIT
        )
        assert done.returncode == 2, (args, done.stderr)
        assert says in done.stderr and "Traceback" not in done.stderr
    busy.close()
    assert sorted(Path(tempfile.gettempdir()).glob("cjdsl-serve-*")) == before  # the port in use: its folder removed


def test_without_watchfiles_serve_and_watch_say_how_to_install_it(project: Path) -> None:
    for command in (["serve"], ["check", "--watch"]):
        script = "import sys; sys.modules['watchfiles'] = None; from cjdsl.cli.app import run; sys.exit(run(sys.argv[1:]))"
        done = subprocess.run([sys.executable, "-c", script, *command], cwd=project, capture_output=True, text=True, timeout=WAIT)
        assert done.returncode == 2, done.stderr
        assert "pip install 'cjdsl[serve]'" in done.stderr


def test_check_watch_checks_again_on_each_change_until_ctrl_c(project: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "cjdsl", "check", "--watch", "--format", "concise", "."],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    out, err = Lines(proc.stdout), Lines(proc.stderr)
    try:
        err.wait_for(r"All good: 2 files checked")
        err.wait_for(r"watching .* for changes \(Ctrl-C to stop\)")
        source = project / "journey.journey"
        good = source.read_text(encoding="utf-8")
        save(source, good.replace(FLOW, BROKEN, 1))
        out.wait_for(r"journey\.journey:\d+:\d+: error\[CJ101\] unknown touchpoint `nowhere`")
        err.wait_for(r"journey\.journey changed: checking again")
        err.wait_for(r"Found 1 error")
        save(source, good)
        err.wait_for(r"All good: 2 files checked", count=2)
        (project / "cjdsl.toml").write_text("strict = 'yes'\n", encoding="utf-8")  # a broken setting: shown, not fatal
        err.wait_for(r"cjdsl: error: .*cjdsl\.toml: setting `strict` has the wrong type")
        assert proc.poll() is None
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=WAIT)
        out.close()
        err.close()
    assert code == 0
    assert "Traceback" not in err.text and "stopped watching" in err.text


def test_chromium_reloads_the_page_shows_the_errors_and_the_last_good_map(
    served: Served,
    project: Path,
    browser: Any,  # noqa: F811
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # The page opens the stream: the policy lets the script and the connection through.
    with page.expect_request(lambda r: "/__cjdsl/events?since=" in r.url, timeout=WAIT * 1000):
        page.goto(served.url + PAGE)
    page.wait_for_load_state("load")
    source = project / "journey.journey"
    good = source.read_text(encoding="utf-8")
    with page.expect_navigation(timeout=WAIT * 1000):
        save(source, good.replace(LABEL, '"Lands on the edited website"'))
    page.wait_for_load_state("load")
    assert "Lands on the edited website" in page.inner_text("body")
    with page.expect_navigation(timeout=WAIT * 1000):
        save(source, good.replace(FLOW, BROKEN, 1))
    page.wait_for_load_state("load")
    assert "error[CJ101]: unknown touchpoint `nowhere`" in page.inner_text("h2")
    assert '<script>alert("x")</script> & more' in page.inner_text("pre")
    with page.expect_navigation(timeout=WAIT * 1000):
        page.click("text=Show the last good map")
    page.wait_for_function("() => document.getElementById('cjdsl-last-good') !== null")
    assert "Lands on the edited website" in page.inner_text("body")
    with page.expect_navigation(timeout=WAIT * 1000):
        save(source, good)
    page.wait_for_load_state("load")
    assert page.url == served.url + PAGE
    assert "Lands on the website" in page.inner_text("body")
    assert page.locator("#cjdsl-last-good").count() == 0
    assert problems == []
    context.close()
