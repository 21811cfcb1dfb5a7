"""The live preview's web server (`cjdsl serve`).

It serves the folder the site was built into, on a loopback address, to GET and HEAD
only, and adds what a preview needs on the way out, never to the files:

* each HTML page gets ``<script src="/__cjdsl/reload.js">``, which listens to
  ``/__cjdsl/events`` (server-sent events) and reloads the page when a rebuild changed
  it or a file it loaded. The page's Content-Security-Policy is kept, with
  ``connect-src 'self'`` added (and ``'self'`` to ``script-src`` if it lacked it) so
  that same-origin script and stream are allowed; the built files keep theirs as built;
* while the sources have errors, every page shows them instead (each diagnostic in
  full: file, line and column, the source line, the hint; all escaped), with a link to
  the same page of the last good build, served under ``/__cjdsl/last-good/``.

Paths are read through :func:`cjdsl.fs.read_inside`: nothing outside the folder,
nothing through a symbolic link, no hidden file. A request whose ``Host`` is not the
server's own address is refused, so a web page cannot reach the preview by DNS
rebinding.
"""

from __future__ import annotations

import html
import ipaddress
import json
import re
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .. import fs

PREFIX = "/__cjdsl/"
RELOAD_JS = PREFIX + "reload.js"
STYLE_CSS = PREFIX + "live.css"
EVENTS = PREFIX + "events"
LAST_GOOD = PREFIX + "last-good/"

#: The largest file the server reads into memory to answer a request.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: Event streams open at once (each holds a thread); more are refused with 503.
MAX_STREAMS = 64
#: Seconds between keep-alive comments on an event stream.
KEEPALIVE = 15.0
#: Versions whose changed paths are kept, for a page that reconnects late.
HISTORY = 32
#: A rebuild that changed more files than this tells every page to reload.
MANY = 2000

#: Media types by suffix; anything else is guessed by :mod:`mimetypes`.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".dot": "text/vnd.graphviz; charset=utf-8",
    ".gv": "text/vnd.graphviz; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".mmd": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".yml": "application/yaml",
    ".yaml": "application/yaml",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
}

#: The policy of the pages the server makes itself (errors, messages).
OWN_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
#: For files that are not pages (a diagram opened on its own): nothing runs.
FILE_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"

RELOAD_SCRIPT = """\
// cjdsl serve: reloads this page when a rebuild changes it or a file it loaded.
// Served by the preview only; never part of a built site.
(function () {
  "use strict";
  var me = document.currentScript;
  var since = (me && me.getAttribute("data-version")) || "0";
  var lastGood = "/__cjdsl/last-good/";
  var path = location.pathname;
  var onLastGood = path.indexOf(lastGood) === 0;
  var page = onLastGood ? path.slice(lastGood.length) : path.slice(1);
  if (page === "" || page.charAt(page.length - 1) === "/") page += "index.html";
  try { page = decodeURIComponent(page); } catch (e) { /* keep it as it is */ }

  function sitePath(url) {
    var u = new URL(url, location.href);
    if (u.origin !== location.origin) return null;
    var p = u.pathname;
    if (p.indexOf(lastGood) === 0) p = p.slice(lastGood.length); else p = p.slice(1);
    try { return decodeURIComponent(p); } catch (e) { return p; }
  }

  function uses() {
    var out = {};
    out[page] = true;
    var entries = (window.performance && performance.getEntriesByType) ? performance.getEntriesByType("resource") : [];
    for (var i = 0; i < entries.length; i++) {
      var p = sitePath(entries[i].name);
      if (p) out[p] = true;
    }
    var linked = document.querySelectorAll("img[src], object[data], link[href], script[src], iframe[src], embed[src]");
    for (var j = 0; j < linked.length; j++) {
      var el = linked[j];
      var p2 = sitePath(el.getAttribute("src") || el.getAttribute("data") || el.getAttribute("href"));
      if (p2) out[p2] = true;
    }
    return out;
  }

  function showing(p) {
    var out = [];
    var els = document.querySelectorAll("img[src], object[data], link[rel~='stylesheet'][href]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var at = el.getAttribute(el.tagName === "IMG" ? "src" : el.tagName === "OBJECT" ? "data" : "href");
      if (sitePath(at) === p) out.push(el);
    }
    return out;
  }

  function banner() {
    var box = document.createElement("div");
    box.setAttribute("role", "status");
    box.id = "cjdsl-last-good";
    var s = box.style;
    s.position = "sticky"; s.top = "0"; s.zIndex = "2147483647"; s.padding = "0.6em 1em";
    s.background = "#7a1f1f"; s.color = "#fff"; s.font = "600 15px/1.4 system-ui, sans-serif";
    box.appendChild(document.createTextNode("The last good build: the sources have errors now. "));
    var a = document.createElement("a");
    a.href = "/" + page;
    a.textContent = "Show the errors";
    a.style.color = "#fff";
    box.appendChild(a);
    document.body.insertBefore(box, document.body.firstChild);
  }

  if (onLastGood) {
    if (document.body) banner(); else document.addEventListener("DOMContentLoaded", banner);
  }
  var stream = new EventSource("/__cjdsl/events?since=" + encodeURIComponent(since));
  stream.addEventListener("reload", function (event) {
    var data = JSON.parse(event.data);
    if (onLastGood) {
      if (data.ok) location.replace("/" + page + location.hash);
      return;
    }
    if (data.all) { location.reload(); return; }
    // The page itself, or a file it loaded that cannot be swapped in place: reload.
    // An image, an object or a style sheet that changed: loaded again where it is.
    var used = uses();
    var swap = [];
    for (var i = 0; i < data.changed.length; i++) {
      var p = data.changed[i];
      if (!used[p]) continue;
      var els = p === page ? [] : showing(p);
      if (!els.length) { location.reload(); return; }
      swap = swap.concat(els);
    }
    for (var k = 0; k < swap.length; k++) {
      var attr = swap[k].tagName === "IMG" ? "src" : swap[k].tagName === "OBJECT" ? "data" : "href";
      var url = new URL(swap[k].getAttribute(attr), location.href);
      url.searchParams.set("cjdsl", String(data.version));
      swap[k].setAttribute(attr, url.pathname + url.search + url.hash);
    }
  });
})();
"""

LIVE_STYLE = """\
/* cjdsl serve: the error page. */
:root { color-scheme: light dark; --bad: #b3261e; --line: #8884; }
@media (prefers-color-scheme: dark) { :root { --bad: #ff8f85; } }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { color: var(--bad); font-size: 1.5rem; margin: 0 0 0.5rem; }
.lead { margin: 0 0 1rem; }
.actions a { font-weight: 600; }
section.diagnostic { border: 1px solid var(--line); border-left: 0.4rem solid var(--bad); border-radius: 0.3rem;
  margin: 1rem 0; padding: 0.5rem 1rem; }
section.diagnostic h2 { font-size: 1rem; margin: 0.3rem 0; }
.asked { margin: 0 0 0.5rem; color: GrayText; }
pre { overflow-x: auto; font: 14px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; margin: 0.5rem 0; }
footer { max-width: 72rem; margin: 0 auto; padding: 0 1.5rem 1.5rem; color: GrayText; font-size: 0.9rem; }
"""


@dataclass(frozen=True)
class Problem:
    """One thing that stops the site from being built, as the error page shows it: a
    heading (``error[CJ101]: unknown touchpoint `x```), where (``file:line:col``, or
    empty) and the rest of the diagnostic as `cjdsl check` prints it (the place, the
    source line with its caret, the notes, the hint)."""

    heading: str
    where: str = ""
    text: str = ""


@dataclass(frozen=True)
class Status:
    """What the pages show now: the version of the site, whether the sources build, and
    if not, why. Replaced as a whole by :meth:`Live.publish`, never changed."""

    version: int = 0
    ok: bool = False
    problems: tuple[Problem, ...] = ()
    #: How many problems there are in all (the page shows the first ones).
    count: int = 0
    #: The last versions → the site paths each changed (None: all of them).
    history: tuple[tuple[int, frozenset[str] | None], ...] = ()


class Live:
    """The server's shared state: the site folder, the status, and the condition the
    event streams wait on."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.status = Status()
        self.built = False  # whether the folder holds a good build
        self.condition = threading.Condition()
        self.closing = False
        self.streams = 0

    def publish(self, *, ok: bool, changed: Sequence[str] | None, problems: Sequence[Problem] = (), count: int = 0) -> int:
        """A new version: the site rebuilt (``ok``, ``changed`` its changed paths) or the
        problems that stop it. Wakes every event stream; returns the version."""
        with self.condition:
            old = self.status
            version = old.version + 1
            everything = changed is None or ok != old.ok or len(changed) > MANY
            history = (*old.history[-(HISTORY - 1) :], (version, None if everything or changed is None else frozenset(changed)))
            self.status = Status(version, ok, tuple(problems), count or len(problems), history)
            if ok:
                self.built = True
            self.condition.notify_all()
            return version

    def since(self, version: int) -> tuple[int, dict[str, Any]] | None:
        """The reload event for a page loaded at ``version`` (None: nothing new)."""
        s = self.status
        if version == s.version:
            return None
        kept = dict(s.history)
        changed: set[str] = set()
        everything = not 0 <= version < s.version
        for v in range(version + 1, s.version + 1) if not everything else ():
            got = kept.get(v)
            if got is None:
                everything = True
                break
            changed |= got
        return s.version, {"version": s.version, "ok": s.ok, "all": everything, "changed": [] if everything else sorted(changed)}

    def close(self) -> None:
        with self.condition:
            self.closing = True
            self.condition.notify_all()


def inject(page: bytes, version: int) -> bytes:
    """A built page as the preview serves it: the reload script before ``</head>`` and
    the page's Content-Security-Policy allowing it (same-origin script and events).
    A page that is not UTF-8 is served as it is."""
    try:
        text = page.decode("utf-8")
    except UnicodeDecodeError:
        return page
    text = _META.sub(_allow_live, text)
    tag = f'<script src="{RELOAD_JS}" data-version="{version}" defer></script>\n'
    head = _HEAD_END.search(text)
    if head is not None:
        text = text[: head.start()] + tag + text[head.start() :]
    else:
        body = _BODY.search(text)
        at = body.end() if body is not None else 0
        text = text[:at] + tag + text[at:]
    return text.encode("utf-8")


_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""")


def _allow_live(match: re.Match[str]) -> str:
    tag = match.group(0)
    attrs = {m.group(1).lower(): m for m in _ATTR.finditer(tag)}
    equiv = attrs.get("http-equiv")
    content = attrs.get("content")
    if equiv is None or content is None or _value(equiv).lower() != "content-security-policy":
        return tag
    policy = allow_live(_value(content))
    start, end = content.span(2)
    quoted = html.escape(policy, quote=False).replace('"', "&quot;")
    return f'{tag[:start]}"{quoted}"{tag[end:]}'


def _value(attribute: re.Match[str]) -> str:
    """An attribute's value, without its quotes, its character references resolved."""
    raw = attribute.group(2)
    if raw[:1] in ("'", '"'):
        raw = raw[1:-1]
    return html.unescape(raw)


def allow_live(policy: str) -> str:
    """``policy`` with same-origin scripts and connections allowed: ``'self'`` added to
    ``script-src`` and ``connect-src`` (or the directives added, when the page's
    ``default-src`` would not allow them); every other directive as it was."""
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    names = [d.split()[0].lower() for d in directives]
    default = directives[names.index("default-src")].split()[1:] if "default-src" in names else None
    for name in ("script-src", "connect-src"):
        if name in names:
            i = names.index(name)
            sources = directives[i].split()[1:]
            if "'self'" not in sources:
                sources = [s for s in sources if s.lower() != "'none'"] + ["'self'"]
                directives[i] = " ".join([name, *sources])
        elif default is not None and "'self'" not in default:
            directives.append(f"{name} 'self'")
            names.append(name)
    return "; ".join(directives)


def error_page(status: Status, page: str, has_last_good: bool) -> bytes:
    """The page shown in place of ``page`` while the sources have errors."""
    n = status.count
    what = f"{n} error{'s' if n != 1 else ''}" if any(p.where for p in status.problems) else "a problem"
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>{html.escape(what)}: cjdsl serve</title>",
        f'<link rel="stylesheet" href="{STYLE_CSS}">',
        f'<script src="{RELOAD_JS}" data-version="{status.version}" defer></script>',
        "</head>",
        "<body>",
        "<main>",
        f"<h1>The journeys have {html.escape(what)}: the map cannot be built</h1>",
        '<p class="lead">Fix the file and save it: this page reloads by itself and shows the map again.</p>',
        f'<p class="asked">In place of <code>{html.escape(page)}</code>.</p>',
    ]
    if has_last_good:
        href = LAST_GOOD + _url_path(page)
        parts.append(f'<p class="actions"><a href="{html.escape(href, quote=True)}">Show the last good map</a></p>')
    else:
        parts.append('<p class="actions">No build has succeeded yet.</p>')
    for problem in status.problems:
        parts.append('<section class="diagnostic">')
        parts.append(f"<h2>{html.escape(problem.heading)}</h2>")
        if problem.text:  # the source line with its caret, the notes and the hint
            parts.append(f"<pre>{html.escape(problem.text)}</pre>")
        parts.append("</section>")
    if n > len(status.problems):
        parts.append(f"<p>… and {n - len(status.problems)} more (run <code>cjdsl check</code> to see them all).</p>")
    parts += ["</main>", "<footer><p>cjdsl serve: a live preview</p></footer>", "</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


def message_page(title: str, text: str, version: int) -> bytes:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="color-scheme" content="light dark">\n<title>{html.escape(title)}</title>\n'
        f'<link rel="stylesheet" href="{STYLE_CSS}">\n'
        f'<script src="{RELOAD_JS}" data-version="{version}" defer></script>\n</head>\n'
        f'<body>\n<main>\n<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n<p><a href="/">The index</a></p>\n'
        "</main>\n</body>\n</html>\n"
    ).encode()


def _url_path(page: str) -> str:
    from urllib.parse import quote

    return quote(page, safe="/")


def media_type(path: str, content: bytes) -> str:
    name = path.rsplit("/", 1)[-1]
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    if not suffix:  # a Snowplow schema (…/jsonschema/1-0-0): text
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "application/json" if content.lstrip()[:1] in (b"{", b"[") else "text/plain; charset=utf-8"
    import mimetypes

    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class Handler(BaseHTTPRequestHandler):
    """One request: a file of the site, a page with the reload script, the error page,
    the script, its style or an event stream. GET and HEAD only."""

    server: Server
    server_version = "cjdsl-serve"
    sys_version = ""
    timeout = 60

    # -- methods --------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _refuse_method(self) -> None:
        self._send(
            HTTPStatus.METHOD_NOT_ALLOWED, b"Only GET and HEAD.\n", "text/plain; charset=utf-8", head=False, allow="GET, HEAD"
        )

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal shows rebuilds, not requests
        pass

    # -- answers --------------------------------------------------------------------------

    def _answer(self, *, head: bool) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"Unknown host.\n", "text/plain; charset=utf-8", head=head)
            return
        target = urlsplit(self.path)
        raw = target.path
        if not raw.startswith("/"):
            self._send(HTTPStatus.BAD_REQUEST, b"Bad path.\n", "text/plain; charset=utf-8", head=head)
            return
        try:
            path = unquote(raw, errors="strict") if "%" in raw else raw
        except UnicodeDecodeError:
            self._send(HTTPStatus.BAD_REQUEST, b"Bad path.\n", "text/plain; charset=utf-8", head=head)
            return
        live = self.server.live
        if path == RELOAD_JS:
            self._send(HTTPStatus.OK, RELOAD_SCRIPT.encode("utf-8"), MEDIA_TYPES[".js"], head=head)
        elif path == STYLE_CSS:
            self._send(HTTPStatus.OK, LIVE_STYLE.encode("utf-8"), MEDIA_TYPES[".css"], head=head)
        elif path == EVENTS:
            self._events(target.query, head=head)
        elif path.startswith(LAST_GOOD):
            self._file(path[len(LAST_GOOD) :], head=head, last_good=True)
        elif path.startswith(PREFIX):
            self._not_found(head, live.status.version)
        else:
            self._file(path[1:], head=head, last_good=False)

    def _host_allowed(self) -> bool:
        host = self.headers.get("Host")
        return host is None or host.lower() in self.server.hosts

    def _file(self, rel: str, *, head: bool, last_good: bool) -> None:
        live = self.server.live
        with live.condition:
            status, built = live.status, live.built
        version, ok = status.version, status.ok
        page = rel if rel and not rel.endswith("/") else rel + "index.html"
        if any(part.startswith(".") for part in page.split("/")):
            self._not_found(head, version)
            return
        if not ok and not last_good and (page.endswith((".html", ".htm")) or "." not in page.rsplit("/", 1)[-1]):
            body = error_page(status, page, built)
            self._send(HTTPStatus.OK, body, MEDIA_TYPES[".html"], head=head, policy=OWN_POLICY)
            return
        if not built:
            self._not_found(head, version)
            return
        got = fs.read_inside(live.site, page, MAX_FILE_BYTES)
        if got.problem == "folder":
            location = (LAST_GOOD if last_good else "/") + _url_path(page) + "/"
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain; charset=utf-8", head=head, location=location)
            return
        if got.data is None:
            if page == "favicon.ico":  # asked for by browsers; a site has none: nothing, rather than an error
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", head=True)
            elif got.problem == "too-large":
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, b"Too large to serve.\n", "text/plain; charset=utf-8", head=head)
            else:
                self._not_found(head, version)
            return
        kind = media_type(page, got.data)
        if kind.startswith("text/html"):
            self._send(HTTPStatus.OK, inject(got.data, version), kind, head=head)
        else:
            self._send(HTTPStatus.OK, got.data, kind, head=head, policy=FILE_POLICY)

    def _not_found(self, head: bool, version: int) -> None:
        body = message_page("Not found", "Nothing of this name in the site.", version)
        self._send(HTTPStatus.NOT_FOUND, body, MEDIA_TYPES[".html"], head=head, policy=OWN_POLICY)

    def _send(
        self,
        code: HTTPStatus,
        body: bytes,
        kind: str,
        *,
        head: bool,
        policy: str | None = None,
        allow: str | None = None,
        location: str | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if policy is not None:
            self.send_header("Content-Security-Policy", policy)
        if allow is not None:
            self.send_header("Allow", allow)
        if location is not None:
            self.send_header("Location", location)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    # -- server-sent events ---------------------------------------------------------------

    def _events(self, query: str, *, head: bool) -> None:
        live = self.server.live
        # A stream that reconnects says which event it saw last; else the page's version.
        given = self.headers.get("Last-Event-ID") or parse_qs(query).get("since", ["0"])[0]
        try:
            since = int(given)
        except ValueError:
            since = -1
        with live.condition:
            if live.streams >= MAX_STREAMS:
                busy = True
            else:
                busy = False
                live.streams += 1
        if busy:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, b"Too many open pages.\n", "text/plain; charset=utf-8", head=head)
            return
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if head:
                return
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            self._stream(since)
        except (ConnectionError, TimeoutError, OSError):
            pass  # the page went away
        finally:
            with live.condition:
                live.streams -= 1
        self.close_connection = True

    def _stream(self, since: int) -> None:
        live = self.server.live
        while True:
            with live.condition:
                event = live.since(since)
                if event is None and not live.closing:
                    live.condition.wait(KEEPALIVE)
                    event = live.since(since)
                closing = live.closing
            if closing:
                return
            if event is None:
                self.wfile.write(b": still here\n\n")
            else:
                since, data = event
                self.wfile.write(f"id: {since}\nevent: reload\ndata: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()


class Server(ThreadingHTTPServer):
    """The preview's HTTP server: a thread a request, the shared state in ``live``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], live: Live) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.live = live
        super().__init__(address, Handler)
        self.port = int(self.server_address[1])
        names = ["127.0.0.1", "localhost", "[::1]", f"[{address[0]}]" if ":" in address[0] else address[0]]
        self.hosts = frozenset(f"{name}:{self.port}" for name in names)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A request that failed (a page closed mid-answer): nothing to tell the terminal."""

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}/"


def is_loopback(host: str) -> bool:
    """Whether ``host`` is an address of this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def start(host: str, port: int, live: Live) -> tuple[Server, threading.Thread]:
    """The server listening on ``host``:``port`` (0: a free port), serving in a thread."""
    server = Server(("127.0.0.1" if host == "localhost" else host, port), live)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="cjdsl-serve", daemon=True)
    thread.start()
    return server, thread


def stop(server: Server, thread: threading.Thread) -> None:
    """Closes the event streams, stops serving and closes the socket."""
    server.live.close()
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
