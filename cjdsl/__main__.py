"""``python -m cjdsl``: the same as the ``cjdsl`` command."""

from .cli import entry

entry()
