"""`cjdsl init`: a new project from a template.

The templates are folders of the package (``cjdsl/templates/init/NAME/``), each a
project that passes ``cjdsl check --strict``: a ``cjdsl.toml`` whose first line says
what the template is for, a shared catalog in ``shared/``, and one journey. The files
of ``_common/`` (a pre-commit configuration and a CI workflow) go into every project.
Nothing is ever overwritten: when any file of the project exists, nothing is written.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import fs
from ..core.diagnostics import did_you_mean
from .common import Failure

#: Where the templates are, in the installed package.
TEMPLATES = Path(__file__).parent.parent / "templates" / "init"
#: The files every template gets.
COMMON = "_common"
#: The largest template file read.
MAX_BYTES = 1024 * 1024


def templates() -> dict[str, str]:
    """Each template's name and what it is for (the first line of its cjdsl.toml)."""
    out = {}
    for folder in fs.folders_in(TEMPLATES):
        if folder.name.startswith(("_", ".")):
            continue
        head = (fs.read_bytes(folder / "cjdsl.toml", MAX_BYTES) or b"").decode("utf-8", "replace").split("\n", 1)[0]
        out[folder.name] = head.lstrip("#").strip()
    return out


def files_of(name: str) -> dict[str, bytes]:
    """The files of the project the template ``name`` makes, by relative path."""
    try:
        files = fs.read_templates(TEMPLATES / COMMON, MAX_BYTES)
        files.update(fs.read_templates(TEMPLATES / name, MAX_BYTES))
    except (fs.OutputError, OSError, UnicodeDecodeError) as err:
        raise Failure(f"the template {name} cannot be read: {err}") from None
    return {rel: text.encode("utf-8") for rel, text in sorted(files.items())}


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "-t",
    "--template",
    "name",
    default="empty",
    show_default=True,
    metavar="NAME",
    help="The template: b2b-saas, ecommerce, services or empty (--list says what each holds).",
)
@click.option("--list", "listing", is_flag=True, help="List the templates and exit.")
def init(folder: Path, name: str, listing: bool) -> None:
    """Start a project in FOLDER (default: this folder) from a template: cjdsl.toml, a
    shared catalog, one journey, a pre-commit configuration and a CI workflow.

    The project passes `cjdsl check --strict` as it is. Nothing is overwritten: if any
    of its files exists, or a folder on the way is a symbolic link, nothing is written
    and the command exits with 2.

    \b
    Examples:
      cjdsl init --list
      cjdsl init journeys --template b2b-saas
      cjdsl init . -t services"""
    known = templates()
    if listing:
        width = max(map(len, known), default=0)
        for template, about in known.items():
            click.echo(f"{template.ljust(width)}  {about}")
        return
    if name not in known:
        hint = did_you_mean(name, known)
        raise Failure(f"no template `{name}`" + (f"; {hint}" if hint else "") + f" (templates: {', '.join(known)})")
    files = files_of(name)
    try:
        fs.write_new_files(folder, files)
    except fs.OutputError as err:
        raise Failure(f"nothing written: {err}") from None
    except OSError as err:
        raise Failure(f"nothing written to {folder}: {err.strerror or err}") from None
    click.echo(f"Created a {name} project in {folder}:")
    for rel in files:
        click.echo(f"  {rel}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(f"Next: {where}cjdsl check --strict, then `cjdsl serve` to see the map as you edit it.")
