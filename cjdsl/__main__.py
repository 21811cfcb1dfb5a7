"""``python -m cjdsl``: the same as the ``cjdsl`` command."""

from .cli.app import entry

entry()
