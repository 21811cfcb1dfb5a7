"""What the CJ4xx rules read of a measurement: the report of `cjdsl measure` (its JSON),
the entries of one journey, and numbers worded for a finding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def entries(measured: Mapping[str, Any] | None, section: str, journey: str) -> Iterator[Mapping[str, Any]]:
    """The report's ``section`` entries (kpis, touchpoints, flows) of ``journey``."""
    if measured is None:
        return
    for entry in measured.get(section) or ():
        if isinstance(entry, Mapping) and entry.get("journey") == journey:
            yield entry


def users_at(measured: Mapping[str, Any] | None, journey: str) -> dict[str, int]:
    """Users who reached each touchpoint of ``journey``."""
    return {str(t["id"]): int(t.get("users") or 0) for t in entries(measured, "touchpoints", journey)}


def journey_users(measured: Mapping[str, Any] | None, journey: str) -> int:
    """Users the events place in ``journey`` (0 when the report does not say)."""
    for j in (measured or {}).get("journeys") or ():
        if isinstance(j, Mapping) and j.get("id") == journey:
            return int(j.get("users") or 0)
    return 0


def percent(x: float | None) -> str:
    """0.0312 → "3.1%"; None → "n/a"."""
    if x is None:
        return "n/a"
    shown = f"{x * 100:.1f}".rstrip("0").rstrip(".")
    return f"{shown}%"


def count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
