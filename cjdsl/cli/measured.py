"""``--events`` for the commands that check or build (``check``, ``build``): the
journeys measured on captured events, so that the CJ4xx rules run and the site shows
the numbers. The events come from the option, or else from ``[measure] events`` in
``cjdsl.toml`` (paths or globs relative to the project root); DuckDB is loaded only
when there are events."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import fs
from ..core.resolved import ResolvedJourney
from ..project.config import Config
from .common import Failure

if TYPE_CHECKING:  # DuckDB and the measurement load only when there are events
    from ..measure.mapping import Mapping as EventMapping
    from ..measure.settings import EventSettings

F = TypeVar("F", bound=Callable[..., Any])


def events_option(fn: F) -> F:
    option = click.option(
        "--events",
        "events",
        multiple=True,
        metavar="FILE",
        help="Measure the journeys on these events (.jsonl, .json, .csv, .parquet; globs too; repeatable): "
        "the CJ4xx rules run on them, and build puts the numbers on the site and diagrams. "
        "Default: [measure] events in cjdsl.toml.",
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


def event_files(config: Config, patterns: Sequence[str]) -> list[Path]:
    """The files the patterns name (globs expanded); under --safe, all inside the project
    root and at most :data:`SAFE_MAX_EVENT_BYTES` together."""
    from ..measure.run import SAFE_MAX_EVENT_BYTES

    try:
        files: list[Path] = fs.expand_globs(patterns, config.root if config.safe else None)
    except FileNotFoundError as err:
        raise Failure(f"{err.filename}: no such events file") from None
    except fs.UnsafeSource as err:
        raise Failure(f"--safe: {err}") from None
    if config.safe:
        size = fs.total_size(files)
        if size > SAFE_MAX_EVENT_BYTES:
            raise Failure(
                f"--safe: the events files hold {size / 2**20:,.1f} MB, more than the "
                f"{SAFE_MAX_EVENT_BYTES // 2**20:,} MB --safe allows (measure a sample, or run without --safe on trusted data)"
            )
    return files


def run_measure(config: Config, files: Sequence[Path], settings: EventSettings, mapping: EventMapping) -> dict[str, Any]:
    """The report of the events in ``files``: DuckDB within its memory limit, spilling to
    a private scratch folder; under --safe, Parquet files of at most
    :data:`SAFE_MAX_EVENT_ROWS` events."""
    from ..measure.run import SAFE_MAX_EVENT_ROWS, MeasureError, measure

    try:
        with fs.scratch_folder("cjdsl-measure-") as spill:
            return measure(files, settings, mapping, temp_directory=spill, max_rows=SAFE_MAX_EVENT_ROWS if config.safe else None)
    except MeasureError as err:
        raise Failure(str(err)) from None


def read_event_settings(config: Config) -> EventSettings:
    """The ``[events]`` settings, or a failure naming the settings file."""
    from ..measure.settings import EventSettingsError, event_settings

    try:
        return event_settings(config.raw.get("events"))
    except EventSettingsError as err:
        raise Failure(f"{config.file or 'settings'}: {err}") from None


def measurer(config: Config, given: Sequence[str]) -> Callable[[Sequence[ResolvedJourney]], Mapping[str, Any]] | None:
    """What measures the journeys on the events, or None when there are none. The
    settings and the files are checked now, before the journeys are compiled."""
    patterns = event_patterns(config, given)
    if not patterns:
        return None
    from ..measure.mapping import build_mapping

    settings = read_event_settings(config)
    files = event_files(config, patterns)

    def run(journeys: Sequence[ResolvedJourney]) -> Mapping[str, Any]:
        return run_measure(config, files, settings, build_mapping(list(journeys)))

    return run
