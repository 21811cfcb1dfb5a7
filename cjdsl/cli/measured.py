"""``--events`` for the commands that check or build (``check``, ``build``): the
journeys measured on captured events, so that the CJ4xx rules run and the site shows
the numbers. The events come from the option, or else from ``[measure] events`` in
``cjdsl.toml`` (paths or globs relative to the project root); DuckDB is loaded only
when there are events."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import fs
from ..core.resolved import ResolvedJourney
from ..project.config import Config
from .common import Failure

F = TypeVar("F", bound=Callable[..., Any])


def events_option(fn: F) -> F:
    option = click.option(
        "--events",
        "events",
        multiple=True,
        metavar="FILE",
        help="Measure the journeys on these events (.jsonl, .json, .csv, .parquet; globs too; repeatable): "
        "the CJ4xx rules run on them. Default: [measure] events in cjdsl.toml.",
    )
    return option(fn)


def event_patterns(config: Config, given: Sequence[str]) -> list[str]:
    """The event files to measure on: the option's, or the settings' (relative to the root)."""
    if given:
        return list(given)
    table = config.raw.get("measure") or {}
    if not isinstance(table, Mapping):
        raise Failure(f"{config.file or 'settings'}: [measure] must be a table")
    listed = table.get("events", [])
    if not isinstance(listed, list) or not all(isinstance(p, str) and p for p in listed):
        raise Failure(f"{config.file or 'settings'}: [measure] events must be a list of file paths or globs")
    return [str(config.root / p) for p in listed]


def measurer(config: Config, given: Sequence[str]) -> Callable[[Sequence[ResolvedJourney]], Mapping[str, Any]] | None:
    """What measures the journeys on the events, or None when there are none."""
    patterns = event_patterns(config, given)
    if not patterns:
        return None
    from ..measure.mapping import build_mapping
    from ..measure.run import MeasureError, measure
    from ..measure.settings import EventSettingsError, event_settings

    try:
        settings = event_settings(config.raw.get("events"))
    except EventSettingsError as err:
        raise Failure(f"{config.file or 'settings'}: {err}") from None
    try:
        files: list[Path] = fs.expand_globs(patterns, config.root if config.safe else None)
    except FileNotFoundError as err:
        raise Failure(f"{err.filename}: no such events file") from None
    except fs.UnsafeSource as err:
        raise Failure(f"--safe: {err}") from None

    def run(journeys: Sequence[ResolvedJourney]) -> Mapping[str, Any]:
        try:
            return measure(files, settings, build_mapping(list(journeys)))
        except MeasureError as err:
            raise Failure(str(err)) from None

    return run
