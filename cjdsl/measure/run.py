"""Loading event files into DuckDB, running the query of :mod:`.sql`, and the report.

The event files are the ones the command line found (and, under ``--safe``, checked
inside the project root, through :mod:`cjdsl.fs`); DuckDB reads them in process. Once
they are loaded, DuckDB's access to files and the network is switched off and its
configuration locked before any expression from the settings runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .mapping import Mapping
from .settings import DEFAULTS, EventSettings
from .sql import (
    COLUMNS,
    SOURCE,
    USER_KEY,
    UnmeasurableError,
    identifier,
    literal,
    measure_query,
    timestamp_micros,
    when_properties,
)


class MeasureError(Exception):
    """Events that cannot be measured (exit code 2)."""


#: DuckDB's memory limit for a measurement: beyond it, sorts and joins spill to the
#: scratch folder the command line gives (or fail with a message when there is none).
MEMORY_LIMIT = "1GB"
THREADS = 4
#: `--safe`: the most bytes of event files one run reads, and the most rows of Parquet
#: files (their metadata says it before they are read; they compress well).
SAFE_MAX_EVENT_BYTES = 1024 * 2**20
SAFE_MAX_EVENT_ROWS = 10_000_000


def duckdb_module() -> Any:
    try:
        import duckdb
    except ImportError:
        raise MeasureError("measuring needs DuckDB: pip install 'cjdsl[measure]'") from None
    return duckdb


_READERS = {
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
}


def reader_of(path: Path) -> str:
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise MeasureError(f"{path}: unknown kind of events file (.jsonl, .ndjson, .json, .csv or .parquet)")
    return kind


def connect(memory_limit: str | None = None, temp_directory: str | None = None) -> Any:
    """An in-memory DuckDB that installs and loads nothing by itself, in UTC, with its
    memory bounded; spilling goes to ``temp_directory`` (a private scratch folder), or
    nowhere."""
    duckdb = duckdb_module()
    con = duckdb.connect(
        ":memory:",
        config={
            "threads": THREADS,
            "memory_limit": memory_limit or MEMORY_LIMIT,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        },
    )
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET temp_directory = {literal(temp_directory or '')}")
    return con


def load(con: Any, files: Sequence[Path], max_rows: int | None = None) -> None:
    """The files as the view ``cj_files`` (columns united by name). From here on DuckDB
    reads these files and no other, nor the network, and its configuration is locked.
    ``max_rows`` bounds the rows of the Parquet files (from their metadata: a small
    compressed file may hold billions of rows)."""
    groups: dict[str, list[str]] = {}
    for f in files:
        text = str(f)
        if any(ch in text for ch in "*?[]{}"):
            raise MeasureError(f"{f}: a file name with a glob character cannot be read")
        groups.setdefault(reader_of(f), []).append(text)
    calls = {
        "json": "read_json({}, format = 'auto', union_by_name = true)",
        "csv": "read_csv({}, union_by_name = true, header = true)",
        "parquet": "read_parquet({}, union_by_name = true)",
    }

    def names(paths: list[str]) -> str:
        return "[" + ", ".join(literal(p) for p in paths) + "]"

    parts = [f"SELECT * FROM {calls[kind].format(names(paths))}" for kind, paths in groups.items()]
    duckdb = duckdb_module()
    try:
        if max_rows is not None and "parquet" in groups:
            rows = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata({names(groups['parquet'])})").fetchone()
            if rows and rows[0] is not None and rows[0] > max_rows:
                raise MeasureError(f"--safe: the Parquet files hold {rows[0]:,} events, more than the {max_rows:,} allowed")
        con.execute("CREATE VIEW cj_files AS " + "\nUNION ALL BY NAME\n".join(parts))
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as err:
        raise MeasureError(f"cannot read the events: {_first_line(err)}") from None
    # From here on, no SQL can reach another file or the network, nor switch that back on.
    con.execute(f"SET allowed_paths = {names([str(f) for f in files])}")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__


def _columns(con: Any) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute("DESCRIBE cj_files").fetchall()}


def _type_of(con: Any, expression: str) -> str | None:
    """DuckDB's type of ``expression`` over the events, or None when it does not bind."""
    duckdb = duckdb_module()
    try:
        rows = con.execute(f"DESCRIBE SELECT {expression} AS v FROM cj_files").fetchall()
    except duckdb.Error:
        return None
    return str(rows[0][1]) if rows else None


def _works(con: Any, expression: str) -> str | None:
    """DuckDB's complaint about ``expression`` over the events, or None."""
    duckdb = duckdb_module()
    try:
        con.execute(f"SELECT {expression} FROM cj_files LIMIT 0").fetchall()
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as err:
        return _first_line(err)
    return None


def adapt(con: Any, settings: EventSettings) -> tuple[str, str | None]:
    """The user and persona expressions for the loaded columns: a default (not written
    in the settings) falls back when its columns are missing."""
    columns = _columns(con)
    for key in ("timestamp", "event"):
        problem = _works(con, getattr(settings, key))
        if problem:
            raise MeasureError(f"[events] {key} = {getattr(settings, key)!r} does not fit the events: {problem}")
    user = settings.user
    if "user" not in settings.given and user == DEFAULTS["user"]:
        present = [c for c in ("userId", "anonymousId") if c in columns]
        if not present:
            raise MeasureError("the events have no userId or anonymousId column: set [events] user in cjdsl.toml")
        user = f"coalesce({', '.join(present)})" if len(present) > 1 else present[0]
    problem = _works(con, user)
    if problem:
        raise MeasureError(f"[events] user = {user!r} does not fit the events: {problem}")
    persona = settings.persona
    if persona is not None:
        problem = _works(con, persona)
        if problem:
            if "persona" in settings.given:
                raise MeasureError(f"[events] persona = {persona!r} does not fit the events: {problem}")
            persona = None
    return user, persona


def property_values(con: Any, settings: EventSettings, names: Sequence[str]) -> list[str]:
    """For each property name, the expression of its value as text (NULL when absent),
    whatever shape the properties have in the files."""
    style = settings.properties_style
    if not names:
        return []
    if style == "prefix":
        columns = {c.lower(): c for c in _columns(con)}
        out = []
        for name in names:
            column = columns.get((settings.properties + name).lower())
            out.append(f"CAST({identifier(column)} AS VARCHAR)" if column else "CAST(NULL AS VARCHAR)")
        return out
    expression = settings.properties
    problem = _works(con, expression)
    if problem:
        if "properties" in settings.given:
            raise MeasureError(f"[events] properties = {expression!r} does not fit the events: {problem}")
        return ["CAST(NULL AS VARCHAR)"] * len(names)
    if style == "key_value":
        out = []
        for name in names:
            value = f"to_json(list_filter({expression}, lambda p: CAST(p.key AS VARCHAR) = {literal(name)})[1].value)"
            fields = ", ".join(
                f"json_extract_string({value}, '$.{k}')" for k in ("string_value", "int_value", "float_value", "double_value")
            )
            out.append(
                f"CASE WHEN json_type({value}) = 'OBJECT' THEN coalesce({fields}) ELSE json_extract_string({value}, '$') END"
            )
        return out
    kind = (_type_of(con, expression) or "").upper()
    if kind in ("VARCHAR", "JSON"):
        return [f"json_extract_string({expression}, {literal('$.' + name)})" for name in names]
    if kind.startswith("STRUCT("):
        keys = {row[0] for row in con.execute(f"SELECT unnest(struct_keys({expression})) FROM cj_files LIMIT 1").fetchall()}
        return [
            f"CAST(struct_extract({expression}, {literal(name)}) AS VARCHAR)" if name in keys else "CAST(NULL AS VARCHAR)"
            for name in names
        ]
    return [f"json_extract_string(to_json({expression}), {literal('$.' + name)})" for name in names]


def normalise(con: Any, settings: EventSettings, mapping: Mapping, files: Sequence[Path]) -> None:
    """The relation ``cj_source`` the measurement reads, over ``cj_files``."""
    user, persona = adapt(con, settings)
    micros = timestamp_micros(settings, lambda ts: f"epoch_us(CAST({ts} AS TIMESTAMPTZ))")
    persona_sql = f"CAST({persona} AS VARCHAR)" if persona else "CAST(NULL AS VARCHAR)"
    values = property_values(con, settings, when_properties(mapping))
    extra = "".join(f", {v} AS w{i}" for i, v in enumerate(values))
    # Parquet is read again by each part of the query that needs the events (its columns
    # apart, fast); JSON and CSV are parsed once, into a table of the columns measured.
    kind = "VIEW" if all(reader_of(f) == "parquet" for f in files) else "TABLE"
    # The user as a number too (a 64-bit hash): sorts, joins and groups on it are much
    # cheaper than on text; `measure` uses it once it has checked it tells the users apart.
    sql = (
        f"CREATE TEMP {kind} {SOURCE} AS SELECT CAST({user} AS VARCHAR) AS user_id,\n"
        f"    hash(CAST({user} AS VARCHAR)) AS {USER_KEY}, {micros} AS ts_us,\n"
        f"    CAST({settings.event} AS VARCHAR) AS event_name, {persona_sql} AS persona{extra}\n  FROM cj_files"
    )
    duckdb = duckdb_module()
    try:
        con.execute(sql)
    except duckdb.OutOfMemoryException:
        raise
    except duckdb.Error as err:
        raise MeasureError(f"cannot read the events with the [events] settings: {_first_line(err)}") from None


def measure(
    files: Sequence[Path],
    settings: EventSettings,
    mapping: Mapping,
    *,
    temp_directory: str | None = None,
    max_rows: int | None = None,
    memory_limit: str = MEMORY_LIMIT,
) -> dict[str, Any]:
    """The report of the events in ``files`` against the journeys' ``mapping``. DuckDB
    keeps to ``memory_limit``, spilling to ``temp_directory`` when there is one."""
    try:
        measure_query(mapping)
    except UnmeasurableError as err:
        raise MeasureError(str(err)) from None
    duckdb = duckdb_module()
    con = connect(memory_limit, temp_directory)
    try:
        load(con, files, max_rows)
        normalise(con, settings, mapping, files)
        try:
            rows = con.execute(measure_query(mapping, key=user_key(con))).fetchall()
        except duckdb.OutOfMemoryException:
            raise
        except duckdb.Error as err:
            raise MeasureError(f"cannot measure the events: {_first_line(err)}") from None
    except duckdb.OutOfMemoryException as err:
        raise MeasureError(
            f"the events need more memory than DuckDB's limit of {memory_limit}"
            f"{'' if temp_directory else ' (and there is no folder to spill to)'}: {_first_line(err)}"
        ) from None
    finally:
        con.close()
    return report(rows, mapping)


def user_key(con: Any) -> str:
    """The column of ``cj_source`` that tells the users apart: the hash of their ids
    when no two of the users measured share one (a count of each, far cheaper than
    the sorts and joins on text it saves), else the ids themselves."""
    ids, keys = con.execute(
        f"SELECT count(DISTINCT user_id), count(DISTINCT {USER_KEY}) FROM {SOURCE}\n"
        "  WHERE user_id IS NOT NULL AND ts_us IS NOT NULL AND event_name IS NOT NULL"
    ).fetchone()
    return USER_KEY if ids == keys else "user_id"


#: Why an event is not placed.
NO_WHEN_MATCHES = "no declaration's `when` matches"
SEVERAL_TOUCHPOINTS = "several touchpoints declare it and no `when` tells them apart"


def _iso(micros: float | None) -> str | None:
    """Microseconds since 1970 as ISO 8601 in UTC, to the millisecond."""
    if micros is None:
        return None
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _int(value: Any) -> int:
    return int(value) if value is not None else 0


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    """Rows in a fixed order whatever order the engine returned them in (None first)."""
    return tuple((v is not None, v) for v in (record[c] for c in COLUMNS))


def report(rows: Sequence[Sequence[Any]], mapping: Mapping) -> dict[str, Any]:
    """The query's long table as the report (the JSON of ``measure --format json``)."""
    records = sorted((dict(zip(COLUMNS, row)) for row in rows), key=_key)
    by: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by.setdefault(r["section"], []).append(r)
    summary = by.get("summary", [{"n": 0, "users": 0, "x": None, "y": None}])[0]
    first, last = summary["x"], summary["y"]
    funnel_rows = {(r["journey"], r["a"], r["n"]): r for r in by.get("funnels", [])}
    kpis = []
    for f in mapping.funnels:
        steps: list[dict[str, Any]] = []
        entered = _int(funnel_rows.get((f.journey, f.kpi, 1), {}).get("users"))
        previous = entered
        for s, tp in enumerate(f.steps, 1):
            row = funnel_rows.get((f.journey, f.kpi, s), {})
            users = _int(row.get("users"))
            steps.append(
                {
                    "touchpoint": tp,
                    "users": users,
                    "conversion_from_previous": _ratio(users, previous) if s > 1 else (1.0 if users else None),
                    "conversion_from_first": _ratio(users, entered),
                    "drop_off": (previous - users) if s > 1 else 0,
                    "median_seconds": row.get("x") if s > 1 else None,
                    "p90_seconds": row.get("y") if s > 1 else None,
                }
            )
            previous = users
        completed = steps[-1]["users"] if steps else 0
        conversion = _ratio(completed, entered)
        per_period = None
        if f.parsed is not None and f.parsed.period and first is not None and last is not None:
            per_period = completed / max((last - first) / 1e6 / f.parsed.period, 1.0)
        met = f.parsed.met(conversion, per_period) if f.parsed is not None else None
        kpis.append(
            {
                "journey": f.journey,
                "id": f.kpi,
                "label": f.label,
                "target": f.target,
                "target_read": None if f.parsed is None else _target_json(f.parsed),
                "window_seconds": f.window_seconds,
                "entered": entered,
                "completed": completed,
                "conversion": conversion,
                "per_period": per_period,
                "met": met,
                "steps": steps,
            }
        )
    reach = {(r["journey"], r["b"]): _int(r["users"]) for r in by.get("reach", [])}
    unplaced_rows = by.get("unplaced", [])
    journeys = []
    all_touchpoints = []
    all_flows = []
    for jid, tps in mapping.touchpoints.items():
        tracked = mapping.tracked[jid]
        touchpoints = [{"journey": jid, "id": tp, "users": reach.get((jid, tp), 0), "tracked": tp in tracked} for tp in tps]
        flows = sorted(
            (
                {
                    "journey": jid,
                    "from": r["a"],
                    "to": r["b"],
                    "users": _int(r["users"]),
                    "declared": r["n"] != 0,
                    "through_untracked": r["n"] == 2,
                }
                for r in by.get("flows", [])
                if r["journey"] == jid
            ),
            key=lambda x: (not x["declared"], -x["users"], x["from"], x["to"]),
        )
        conf = [r for r in by.get("conformance", []) if r["journey"] == jid]
        total = next((r for r in conf if r["n"] == 0), None)
        users = _int(total["users"]) if total else 0
        fit = _int(total["x"]) if total else 0
        journeys.append(
            {
                "id": jid,
                "users": users,
                "conformance": {"fitness": _ratio(fit, users), "users": users, "fitting_users": fit},
                "conformance_by_persona": [
                    {"persona": r["a"], "users": _int(r["users"]), "fitness": _ratio(_int(r["x"]), _int(r["users"]))}
                    for r in conf
                    if r["n"] == 1
                ],
                "undeclared_flows": [f for f in flows if not f["declared"]],
                "declared_flows_not_taken": [f for f in flows if f["declared"] and f["users"] == 0],
                "unplaced_events": sum(_int(r["users"]) for r in unplaced_rows if r["journey"] == jid),
            }
        )
        all_touchpoints.extend(touchpoints)
        all_flows.extend(flows)
    examples = sorted(by.get("unplaced_examples", []), key=lambda r: (r["journey"], r["users"], r["a"], r["b"], r["n"]))
    unplaced_examples = [
        {
            "journey": r["journey"],
            "event": r["a"],
            "user": r["b"],
            "timestamp": _iso(r["users"]),
            "why": NO_WHEN_MATCHES if not r["n"] else SEVERAL_TOUCHPOINTS,
        }
        for r in examples
    ]
    return {
        "events": _int(summary["users"]),
        "users": _int(summary["n"]),
        "first": _iso(first),
        "last": _iso(last),
        "kpis": kpis,
        "unread_targets": [{"journey": j, "kpi": k, "target": t} for j, k, t in mapping.unread_targets],
        "touchpoints": all_touchpoints,
        "flows": all_flows,
        "journeys": journeys,
        "unplaced": {
            "events": sum(_int(r["users"]) for r in unplaced_rows),
            "by_event": [{"journey": r["journey"], "event": r["a"], "events": _int(r["users"])} for r in unplaced_rows],
            "examples": unplaced_examples,
        },
        "unknown_events": {
            r["a"]: _int(r["users"]) for r in sorted(by.get("unknown_events", []), key=lambda r: (-_int(r["users"]), r["a"]))
        },
    }


def _target_json(t: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"comparison": t.comparison}
    if t.fraction is not None:
        out["fraction"] = t.fraction
    else:
        out["count"] = t.count
        out["period_seconds"] = t.period
    return out


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
