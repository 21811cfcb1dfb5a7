"""Loading event files into DuckDB, running the query of :mod:`.sql`, and the report.

The event files are the ones the command line found (and, under ``--safe``, checked
inside the project root, through :mod:`cjdsl.fs`); DuckDB reads them in process. Once
they are loaded, DuckDB's access to files and the network is switched off and its
configuration locked before any expression from the settings runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .mapping import Mapping
from .settings import DEFAULTS, EventSettings, columns_of
from .sql import COLUMNS, identifier, literal, measure_query, normalise


class MeasureError(Exception):
    """Events that cannot be measured (exit code 2)."""


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


def connect() -> Any:
    duckdb = duckdb_module()
    con = duckdb.connect(
        ":memory:", config={"threads": 4, "autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    con.execute("SET TimeZone = 'UTC'")
    return con


def load(con: Any, files: Sequence[Path]) -> None:
    """The files into table ``raw`` (columns united by name)."""
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
    parts = [
        f"SELECT * FROM {calls[kind].format('[' + ', '.join(literal(p) for p in paths) + ']')}" for kind, paths in groups.items()
    ]
    duckdb = duckdb_module()
    try:
        con.execute("CREATE TABLE raw AS " + "\nUNION ALL BY NAME\n".join(parts))
    except duckdb.Error as err:
        raise MeasureError(f"cannot read the events: {_first_line(err)}") from None
    # From here on, no SQL can reach a file or the network, nor switch that back on.
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__


def _columns(con: Any) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute("DESCRIBE raw").fetchall()}


def _works(con: Any, expression: str) -> str | None:
    """DuckDB's complaint about ``expression`` over ``raw``, or None."""
    duckdb = duckdb_module()
    try:
        con.execute(f"SELECT {expression} FROM raw LIMIT 0").fetchall()
    except duckdb.Error as err:
        return _first_line(err)
    return None


def adapt(con: Any, settings: EventSettings) -> tuple[str, str | None, str]:
    """The user, persona and properties expressions for the loaded columns: a default
    (not written in the settings) falls back when its columns are missing."""
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
    props = _properties(con, settings, columns)
    return user, persona, props


def _properties(con: Any, settings: EventSettings, columns: dict[str, str]) -> str:
    """A JSON text of each event's properties."""
    style = settings.properties_style
    if style == "prefix":
        prefix = settings.properties
        used = {name for key in ("user", "timestamp", "event") for name in columns_of(getattr(settings, key))}
        picked = [c for c in columns if c.startswith(prefix) and c not in used and len(c) > len(prefix)]
        if not picked:
            return "CAST(NULL AS VARCHAR)"
        pairs = ", ".join(f"{literal(c[len(prefix) :])}, {identifier(c)}" for c in picked)
        return f"CAST(json_object({pairs}) AS VARCHAR)"
    expression = settings.properties
    problem = _works(con, expression)
    if problem:
        if "properties" in settings.given:
            raise MeasureError(f"[events] properties = {expression!r} does not fit the events: {problem}")
        return "CAST(NULL AS VARCHAR)"
    if style == "key_value":
        value = "to_json(p.value)"
        pick = ", ".join(
            f"json_extract_string({value}, '$.{k}')" for k in ("string_value", "int_value", "float_value", "double_value")
        )
        return (
            f"CAST(to_json(map_from_entries(list_transform({expression}, "
            f"lambda p: {{'key': CAST(p.key AS VARCHAR), 'value': coalesce({pick}, CAST({value} AS VARCHAR))}}))) AS VARCHAR)"
        )
    kind = con.execute(f"SELECT typeof({expression}) FROM raw LIMIT 1").fetchall()
    if kind and str(kind[0][0]).upper() in ("VARCHAR", "JSON"):
        return f"CAST({expression} AS VARCHAR)"
    return f"CAST(to_json({expression}) AS VARCHAR)"


def query_for(con: Any, settings: EventSettings, mapping: Mapping) -> str:
    user, persona, props = adapt(con, settings)
    return measure_query(normalise(settings, "raw", user=user, persona=persona, props=props), mapping)


def measure(files: Sequence[Path], settings: EventSettings, mapping: Mapping) -> dict[str, Any]:
    """The report of the events in ``files`` against the journeys' ``mapping``."""
    con = connect()
    try:
        load(con, files)
        sql = query_for(con, settings, mapping)
        duckdb = duckdb_module()
        try:
            rows = con.execute(sql).fetchall()
        except duckdb.Error as err:
            raise MeasureError(f"cannot measure the events: {_first_line(err)}") from None
    finally:
        con.close()
    return report(rows, mapping)


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def report(rows: Sequence[Sequence[Any]], mapping: Mapping) -> dict[str, Any]:
    """The query's long table as the report (the JSON of ``measure --format json``)."""
    records = [dict(zip(COLUMNS, row)) for row in rows]
    by: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by.setdefault(r["section"], []).append(r)
    span = by.get("span", [{"n": 0, "users": 0, "x": None, "y": None}])[0]
    first, last = span["x"], span["y"]
    funnel_rows = {(r["journey"], r["a"], r["n"]): r for r in by.get("funnel", [])}
    kpis = []
    for f in mapping.funnels:
        steps: list[dict[str, Any]] = []
        entered = int(funnel_rows.get((f.journey, f.kpi, 1), {}).get("users") or 0)
        previous = entered
        for s, tp in enumerate(f.steps, 1):
            row = funnel_rows.get((f.journey, f.kpi, s), {})
            users = int(row.get("users") or 0)
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
            per_period = completed / max((last - first) / f.parsed.period, 1.0)
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
    reach = {(r["journey"], r["b"]): int(r["users"]) for r in by.get("reach", [])}
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
                    "users": int(r["users"]),
                    "declared": r["n"] != 0,
                    "through_untracked": r["n"] == 2,
                }
                for r in by.get("flow", [])
                if r["journey"] == jid
            ),
            key=lambda x: (not x["declared"], -x["users"], x["from"], x["to"]),
        )
        conf = [r for r in by.get("conformance", []) if r["journey"] == jid]
        total = next((r for r in conf if r["n"] == 0), None)
        users = int(total["users"]) if total else 0
        fit = int(total["x"]) if total else 0
        journeys.append(
            {
                "id": jid,
                "users": users,
                "conformance": {"fitness": _ratio(fit, users), "users": users, "fitting_users": fit},
                "conformance_by_persona": [
                    {"persona": r["a"], "users": int(r["users"]), "fitness": _ratio(int(r["x"]), int(r["users"]))}
                    for r in sorted((r for r in conf if r["n"] == 1), key=lambda r: r["a"])
                ],
                "undeclared_flows": [f for f in flows if not f["declared"]],
                "declared_flows_not_taken": [f for f in flows if f["declared"] and f["users"] == 0],
                "unplaced_events": sum(int(r["users"]) for r in by.get("unplaced", []) if r["journey"] == jid),
            }
        )
        all_touchpoints.extend(touchpoints)
        all_flows.extend(flows)
    unplaced_examples = [
        {
            "journey": r["journey"],
            "event": r["a"],
            "user": r["b"],
            "timestamp": _iso(r["x"]),
            "why": "no declaration's `when` matches" if not r["n"] else "fired at several touchpoints without `when`",
        }
        for r in by.get("unplaced_example", [])
    ]
    return {
        "events": int(span["users"] or 0),
        "users": int(span["n"] or 0),
        "first": _iso(first),
        "last": _iso(last),
        "kpis": kpis,
        "unread_targets": [{"journey": j, "kpi": k, "target": t} for j, k, t in mapping.unread_targets],
        "touchpoints": all_touchpoints,
        "flows": all_flows,
        "journeys": journeys,
        "unplaced": {
            "events": sum(int(r["users"]) for r in by.get("unplaced", [])),
            "by_event": [{"journey": r["journey"], "event": r["a"], "events": int(r["users"])} for r in by.get("unplaced", [])],
            "examples": unplaced_examples,
        },
        "unknown_events": {r["a"]: int(r["users"]) for r in sorted(by.get("unknown", []), key=lambda r: (-r["users"], r["a"]))},
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
