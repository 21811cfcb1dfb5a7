"""`cjdsl lsp`."""

from __future__ import annotations

import click

from .common import Failure


@click.command()
@click.option("--stdio", is_flag=True, help="Talk over stdin and stdout (the default and only transport).")
@click.pass_context
def lsp(ctx: click.Context, stdio: bool) -> None:
    """Run the language server for editors (Language Server Protocol over stdin/stdout).

    Diagnostics as you type (the checks of `cjdsl check`, with the settings of the
    project's cjdsl.toml), completion, hover, go to definition, references, rename,
    symbols, formatting and quick fixes. It reads nothing outside the project root.
    Needs the `lsp` extra: pip install 'cjdsl[lsp]'. See docs/lsp.md."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        raise Failure("the language server needs pygls and lsprotocol: pip install 'cjdsl[lsp]'") from None
    from .. import __version__
    from ..lsp.server import serve

    serve(__version__, ctx.obj.get("config"))
