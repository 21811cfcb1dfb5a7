"""Time in a journey: each touchpoint's `wait` and `duration`, summed per stage and per
journey. Ranges add as ranges (`3..6 d` and `1 d` make 4 to 7 days).

A stage's time is what a customer who went through each of its touchpoints would spend:
the sum of their waits and durations. Backstage steps take company time, which the
customer spends waiting; they are shown on their step, never added to the customer's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import model as m

#: The units a total is shown in, longest first, with how many seconds each holds.
_SHOWN = (("mo", 2629800.0), ("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0))
_WORDS = {"mo": "mo", "w": "w", "d": "d", "h": "h", "min": "min", "s": "s"}


@dataclass(frozen=True)
class Length:
    """A length of time in seconds, from ``low`` to ``high`` (equal when exact)."""

    low: float = 0.0
    high: float = 0.0

    def __add__(self, other: Length) -> Length:
        return Length(self.low + other.low, self.high + other.high)

    @property
    def empty(self) -> bool:
        return self.high == 0

    def text(self) -> str:
        return shown(self.low, self.high)


NONE = Length()


def of(t: m.Time | None) -> Length:
    if t is None:
        return NONE
    low, high = t.seconds()
    return Length(low, high)


def written(t: m.Time) -> str:
    """A time as the source wrote it: `18 min`, `3–6 mo`."""
    low = _num(t.low)
    return f"{low}–{_num(t.high)} {t.unit}" if t.high is not None else f"{low} {t.unit}"


def touchpoint(tp: m.Touchpoint) -> Length:
    """The customer's time at a touchpoint: the wait before it and its duration."""
    return of(tp.wait) + of(tp.duration)


def total(spans: Iterable[Length]) -> Length:
    out = NONE
    for s in spans:
        out = out + s
    return out


def stage(st: m.Stage) -> Length:
    return total(touchpoint(tp) for tp in st.touchpoints)


def shown(low: float, high: float) -> str:
    """Seconds in the largest unit that holds the shorter time at least once:
    ``shown(3*86400, 6*86400)`` is "3–6 d"; "" for no time at all."""
    if high == 0:
        return ""
    basis = low if low > 0 else high
    unit, size = next(((u, s) for u, s in _SHOWN if basis >= s), _SHOWN[-1])
    a, b = _num(round(low / size, 1)), _num(round(high / size, 1))
    return f"{a} {_WORDS[unit]}" if a == b else f"{a}–{b} {_WORDS[unit]}"


def _num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"
