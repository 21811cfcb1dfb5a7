"""`cjdsl serve`: the site, served on this machine and rebuilt on every change."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import click

from .. import fs
from ..project.config import Config
from .common import Failure, existing, settings
from .live import Live, is_loopback, start, stop
from .preview import Outcome, Rebuilder, backend_names
from .watch import changes, quietly_interrupted, require_watchfiles


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to listen on; 0 picks a free one (the address is printed).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on: a loopback address (127.0.0.1, ::1 or localhost); the preview is for this machine only.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build the site into this folder and keep it (the rules of `cjdsl build -o`), instead of a temporary folder "
    "removed at exit.",
)
@click.option("--only", multiple=True, metavar="NAMES", help="Build only these backends (comma-separated or repeated).")
@click.option("--open/--no-open", "open_browser", default=False, show_default=True, help="Open the site in a web browser.")
@click.pass_context
def serve(
    ctx: click.Context, paths: tuple[str, ...], port: int, host: str, out: Path | None, only: tuple[str, ...], open_browser: bool
) -> None:
    """Build the site, serve it on this machine, and rebuild it each time a .journey file,
    the settings or the tracking lock change; open pages reload by themselves.

    While the journeys have errors, the pages show them (file, line, the source line and
    the hint) instead of the map, with a link to the last good map. The pages served
    carry a small script that listens for changes; the files built carry none. Nothing
    is written into the project (not even tracking.lock.json: run `cjdsl build` for that).
    Ctrl-C stops it.

    \b
    Examples:
      cjdsl serve                          the journeys below this folder
      cjdsl serve examples --open          and open the index in a browser
      cjdsl serve hr.journey --port 8000"""
    require_watchfiles()
    if not is_loopback(host):
        raise Failure(f"--host {host}: serve listens on this machine only (127.0.0.1, ::1 or localhost)")
    config = settings(ctx, existing(paths))  # a usage or settings problem ends it here, with exit 2
    names = backend_names(only)
    scratch = fs.scratch_folder("cjdsl-serve-") if out is None else None
    try:
        folder = Path(scratch.name) / "site" if scratch is not None else out
        assert folder is not None
        _serve(ctx, Rebuilder(ctx, paths, folder, names), config, host, port, open_browser)
    finally:
        if scratch is not None:
            quietly_interrupted(scratch.cleanup)


def _serve(ctx: click.Context, rebuild: Rebuilder, config: Config, host: str, port: int, opening: bool) -> None:
    live = Live(rebuild.out)
    try:
        _publish(live, rebuild.run())
        try:
            server, thread = start(host, port, live)
        except OSError as err:
            raise Failure(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
        try:

            def ready() -> None:
                click.echo(f"cjdsl: the site is in {rebuild.out}; watching {config.root} for changes", err=True)
                click.echo(f"Serving {server.url} (Ctrl-C to stop)")
                if opening:
                    import webbrowser

                    threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()

            for changed in changes(config, ready):
                gc.unfreeze()  # the last build's model may go now (a compile freezes what it built)
                shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
                click.echo(f"cjdsl: {shown} changed: rebuilding", err=True)
                _publish(live, rebuild.run())
                later = rebuild.finish()  # the diagrams the pages show meanwhile as being laid out
                if later is not None:
                    _publish(live, later, "diagrams laid out")
        finally:
            quietly_interrupted(lambda: stop(server, thread))
    except KeyboardInterrupt:
        pass
    click.echo("cjdsl: stopped", err=True)


def _publish(live: Live, outcome: Outcome, done: str = "built") -> None:
    """Tells the pages about a rebuild, and the terminal how it went."""
    status = live.status
    if outcome.ok:
        if outcome.changed or not status.ok:
            live.publish(ok=True, changed=outcome.changed)
        n = len(outcome.changed)
        what = f"{n} file{'s' if n != 1 else ''} changed" if n else "nothing changed"
        click.echo(f"cjdsl: {done} in {outcome.seconds:.2f} s: {what}", err=True)
        return
    if status.ok or status.problems != tuple(outcome.problems) or status.version == 0:
        live.publish(ok=False, changed=None, problems=outcome.problems, count=outcome.count)
    click.echo("cjdsl: the pages show the errors until they are fixed", err=True)
