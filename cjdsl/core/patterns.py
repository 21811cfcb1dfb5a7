"""Property patterns, compiled by RE2: the language checks them where they are written,
and ``events validate`` matches captured values with them."""

from __future__ import annotations

from typing import Any


class PatternError(ValueError):
    """A pattern RE2 cannot take; the message is RE2's reason."""


def compile_pattern(pattern: object) -> Any:
    """A property's ``pattern`` compiled by RE2, which matches in time linear in the text
    (Python's backtracking ``re`` took over a minute for ``^(a+)+$`` against 33
    characters). RE2 has no backreferences or lookaround. Raises :class:`PatternError`."""
    import re2

    if not isinstance(pattern, str):
        raise PatternError("a pattern is a string")
    options = re2.Options()
    options.log_errors = False  # else RE2 prints each error on stderr itself
    try:
        return re2.compile(pattern, options)
    except re2.error as err:
        raw = err.args[0] if err.args else ""
        reason = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        raise PatternError(reason if len(reason) <= 80 else reason[:79] + "…") from None
    except UnicodeError:
        raise PatternError("it holds text that is not valid Unicode") from None
