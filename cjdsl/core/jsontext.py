"""Indented JSON text, the same bytes as ``json.dumps(data, indent=2, ensure_ascii=False)``
plus a final line break, made about three times faster.

With ``indent`` set, the standard library leaves its C encoder for a pure-Python
generator that checks for cycles and custom types at every value. cjdsl's artifacts are
trees of dicts, lists, strings, numbers, booleans and None, so a plain recursive writer
that escapes strings with the C function ``json`` itself uses is enough. Anything else
goes to ``json.dumps`` unchanged.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any


def dumps(data: Any) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False) + "\\n"``, faster."""
    out: list[str] = []
    try:
        _write(data, "\n", out)
    except _Unusual:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    out.append("\n")
    return "".join(out)


class _Unusual(Exception):
    """A value this writer leaves to the standard library."""


def _write(value: Any, newline: str, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            out.append(sep)
            out.append(encode_basestring(key))
            out.append(": ")
            _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is float and value == value and value not in (float("inf"), float("-inf")):
        out.append(float.__repr__(value))
    else:  # NaN, infinities, subclasses, other types: as the standard library does them
        raise _Unusual
