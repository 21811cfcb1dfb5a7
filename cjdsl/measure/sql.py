"""The measurement as ONE SQL query, in DuckDB's dialect.

The query reads one relation of normalised events and carries the journeys' tables
inline (``VALUES``), so it is self-contained: `measure` runs it on DuckDB, and a later
step can hand the same text to sqlglot for another warehouse. Its parts:

``events``      (user_id, ts_us, event_name, persona, props, eid): the export's columns
                through the ``[events]`` expressions (:func:`normalise`, the only
                DuckDB-specific part: JSON functions and epoch conversion);
``tp_map``      where each event is placed (journey, touchpoint, event_name, when_prop, when_value);
``allowed``     the transitions the journeys allow (journey, src, dst, direct);
``candidates`` → ``chosen`` → ``visits``  each event placed in each journey that declares
                it: the declarations whose ``when`` matches win; else the one without
                ``when``; none or several: the event is not placed (``unplaced``);
``path`` → ``transitions``  each user's touchpoints in time order (ties by touchpoint
                id), repeats of one touchpoint merged, and the moves between them;
``kI_S``        funnel I, step S: (user_id, t_first, t_at, t_prev), the earliest
                step-S visit after t_prev and no later than t_first + window.

It returns one long table (section, journey, a, b, c, n, users, x, y) that
:mod:`.run` turns into the report; every literal is escaped by :func:`literal`.
"""

from __future__ import annotations

from collections.abc import Sequence

from .mapping import Mapping
from .settings import EventSettings

COLUMNS = ("section", "journey", "a", "b", "c", "n", "users", "x", "y")
#: Examples of events that cannot be placed, per journey.
UNPLACED_EXAMPLES = 3


def literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    if "\x00" in value:
        raise ValueError("a NUL character cannot be measured")
    return "'" + value.replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str | int | float | bool | None]]) -> str:
    """``SELECT`` of typed columns from inline rows (none: an empty typed relation)."""
    typed = ", ".join(f"CAST({name} AS {kind}) AS {name}" for name, kind in columns)
    names = ", ".join(name for name, _ in columns)
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in columns)
        return f"SELECT {nulls} WHERE 1 = 0"

    def value(v: str | int | float | bool | None) -> str:
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        if isinstance(v, (int, float)):
            return repr(v)
        return literal(v)

    body = ",\n    ".join("(" + ", ".join(value(v) for v in row) + ")" for row in rows)
    return f"SELECT {typed} FROM (VALUES\n    {body}\n  ) AS t({names})"


def normalise(settings: EventSettings, source: str, *, user: str, persona: str | None, props: str) -> str:
    """The ``events`` relation over ``source`` (a table name), given the checked
    expressions (``user``, ``persona`` and ``props`` already adapted to the columns)."""
    ts = settings.timestamp
    if settings.timestamp_unit == "datetime":
        micros = f"epoch_us(CAST({ts} AS TIMESTAMPTZ))"
    else:
        factor = {"s": 1_000_000, "ms": 1000, "us": 1}[settings.timestamp_unit]
        micros = f"CAST(round(CAST({ts} AS DOUBLE) * {factor}) AS BIGINT)"
    persona_sql = f"CAST({persona} AS VARCHAR)" if persona else "CAST(NULL AS VARCHAR)"
    return (
        f"SELECT CAST({user} AS VARCHAR) AS user_id, {micros} AS ts_us, CAST({settings.event} AS VARCHAR) AS event_name,\n"
        f"    {persona_sql} AS persona, {props} AS props\n  FROM {source}"
    )


def measure_query(events_sql: str, mapping: Mapping) -> str:
    """The whole measurement over ``events_sql`` (a SELECT of user_id, ts_us,
    event_name, persona, props)."""
    tp_map = _table(
        [
            ("journey", "VARCHAR"),
            ("touchpoint", "VARCHAR"),
            ("event_name", "VARCHAR"),
            ("when_prop", "VARCHAR"),
            ("when_value", "VARCHAR"),
        ],
        [(p.journey, p.touchpoint, p.event, p.when_property, p.when_value) for p in mapping.placements],
    )
    allowed = _table(
        [("journey", "VARCHAR"), ("src", "VARCHAR"), ("dst", "VARCHAR"), ("direct", "BOOLEAN")],
        [(a.journey, a.source, a.target, a.direct) for a in mapping.allowed],
    )
    ctes = [
        ("raw_events", events_sql),
        (
            "events",
            "SELECT user_id, ts_us, event_name, persona, props, row_number() OVER () AS eid\n  FROM raw_events\n"
            "  WHERE event_name IS NOT NULL AND user_id IS NOT NULL AND ts_us IS NOT NULL",
        ),
        ("tp_map", tp_map),
        ("allowed", allowed),
        (
            "candidates",
            "SELECT e.eid, m.journey, m.touchpoint, CASE WHEN m.when_prop IS NULL THEN 0 ELSE 1 END AS by_when\n"
            "  FROM events e JOIN tp_map m ON m.event_name = e.event_name\n"
            "   AND (m.when_prop IS NULL OR json_extract_string(e.props, '$.\"' || m.when_prop || '\"') = m.when_value)",
        ),
        (
            "chosen",
            "SELECT eid, journey, min(touchpoint) AS touchpoint FROM (\n"
            "    SELECT *, max(by_when) OVER (PARTITION BY eid, journey) AS any_when FROM candidates\n"
            "  ) c WHERE by_when = any_when GROUP BY eid, journey HAVING count(*) = 1",
        ),
        (
            "visits",
            "SELECT c.journey, e.user_id, e.persona, c.touchpoint, e.ts_us FROM chosen c JOIN events e ON e.eid = c.eid",
        ),
        (
            "declares",
            "SELECT DISTINCT journey, event_name FROM tp_map",
        ),
        (
            "unplaced",
            "SELECT d.journey, e.eid, e.event_name, e.user_id, e.ts_us,\n"
            "    (SELECT count(*) FROM candidates c WHERE c.eid = e.eid AND c.journey = d.journey) AS n_candidates\n"
            "  FROM events e JOIN declares d ON d.event_name = e.event_name\n"
            "  WHERE NOT EXISTS (SELECT 1 FROM chosen c WHERE c.eid = e.eid AND c.journey = d.journey)",
        ),
        (
            "path",
            "SELECT journey, user_id, touchpoint, ts_us,\n"
            "    lag(touchpoint) OVER (PARTITION BY journey, user_id ORDER BY ts_us, touchpoint) AS prev\n  FROM visits",
        ),
        (
            "transitions",
            "SELECT DISTINCT journey, user_id, prev AS src, touchpoint AS dst FROM path\n"
            "  WHERE prev IS NOT NULL AND prev <> touchpoint",
        ),
        (
            "journey_users",
            "SELECT journey, user_id, arg_min(persona, ts_us) AS persona FROM visits GROUP BY journey, user_id",
        ),
        (
            "strays",
            "SELECT DISTINCT t.journey, t.user_id FROM transitions t\n"
            "  LEFT JOIN allowed a ON a.journey = t.journey AND a.src = t.src AND a.dst = t.dst WHERE a.src IS NULL",
        ),
        (
            "fitness",
            "SELECT u.journey, u.persona, CASE WHEN s.user_id IS NULL THEN 1 ELSE 0 END AS fits\n"
            "  FROM journey_users u LEFT JOIN strays s ON s.journey = u.journey AND s.user_id = u.user_id",
        ),
        (
            "flow_counts",
            "SELECT journey, src, dst, count(DISTINCT user_id) AS users FROM transitions GROUP BY journey, src, dst",
        ),
    ]
    selects = [
        "SELECT 'reach' AS section, journey, NULL AS a, touchpoint AS b, NULL AS c, NULL AS n,\n"
        "    count(DISTINCT user_id) AS users, NULL AS x, NULL AS y FROM visits GROUP BY journey, touchpoint",
        "SELECT 'flow', f.journey, f.src, f.dst, NULL, CASE WHEN a.src IS NULL THEN 0 WHEN a.direct THEN 1 ELSE 2 END,\n"
        "    f.users, NULL, NULL FROM flow_counts f\n"
        "  LEFT JOIN allowed a ON a.journey = f.journey AND a.src = f.src AND a.dst = f.dst",
        "SELECT 'flow', a.journey, a.src, a.dst, NULL, 1, 0, NULL, NULL FROM allowed a\n"
        "  WHERE a.direct AND NOT EXISTS (\n"
        "    SELECT 1 FROM flow_counts f WHERE f.journey = a.journey AND f.src = a.src AND f.dst = a.dst)",
        "SELECT 'conformance', journey, NULL, NULL, NULL, 0, count(*), sum(fits), NULL FROM fitness GROUP BY journey",
        "SELECT 'conformance', journey, persona, NULL, NULL, 1, count(*), sum(fits), NULL FROM fitness\n"
        "  WHERE persona IS NOT NULL GROUP BY journey, persona",
        "SELECT 'unplaced', journey, event_name, NULL, NULL, NULL, count(*), NULL, NULL FROM unplaced\n"
        "  GROUP BY journey, event_name",
        "SELECT 'unplaced_example', journey, event_name, user_id, NULL, n_candidates, NULL, ts_us / 1e6, NULL\n"
        "  FROM (\n"
        "    SELECT *, row_number() OVER (PARTITION BY journey ORDER BY ts_us, event_name, user_id) AS k FROM unplaced\n"
        f"  ) u WHERE k <= {UNPLACED_EXAMPLES}",
        "SELECT 'unknown', NULL, event_name, NULL, NULL, NULL, count(*), NULL, NULL FROM events\n"
        "  WHERE event_name NOT IN (SELECT event_name FROM tp_map) GROUP BY event_name",
        "SELECT 'span', NULL, NULL, NULL, NULL, count(DISTINCT user_id), count(*), min(ts_us) / 1e6, max(ts_us) / 1e6\n"
        "  FROM events",
    ]
    for i, funnel in enumerate(mapping.funnels):
        window_us = int(funnel.window_seconds * 1_000_000)
        j = literal(funnel.journey)
        for s, touchpoint in enumerate(funnel.steps, 1):
            name = f"k{i}_{s}"
            tp = literal(touchpoint)
            if s == 1:
                body = (
                    "SELECT user_id, min(ts_us) AS t_first, min(ts_us) AS t_at, CAST(NULL AS BIGINT) AS t_prev FROM visits\n"
                    f"  WHERE journey = {j} AND touchpoint = {tp} GROUP BY user_id"
                )
            else:
                body = (
                    f"SELECT p.user_id, p.t_first, min(v.ts_us) AS t_at, p.t_at AS t_prev FROM k{i}_{s - 1} p\n"
                    f"  JOIN visits v ON v.journey = {j} AND v.touchpoint = {tp} AND v.user_id = p.user_id\n"
                    f"   AND v.ts_us > p.t_at AND v.ts_us <= p.t_first + {window_us}\n"
                    "  GROUP BY p.user_id, p.t_first, p.t_at"
                )
            ctes.append((name, body))
            selects.append(
                f"SELECT 'funnel', {j}, {literal(funnel.kpi)}, {tp}, NULL, {s}, count(*),\n"
                "    percentile_cont(0.5) WITHIN GROUP (ORDER BY (t_at - t_prev) / 1e6),\n"
                f"    percentile_cont(0.9) WITHIN GROUP (ORDER BY (t_at - t_prev) / 1e6) FROM {name}"
            )
    typed = [
        "SELECT CAST(section AS VARCHAR) AS section, CAST(journey AS VARCHAR) AS journey, CAST(a AS VARCHAR) AS a,\n"
        "    CAST(b AS VARCHAR) AS b, CAST(c AS VARCHAR) AS c, CAST(n AS BIGINT) AS n, CAST(users AS BIGINT) AS users,\n"
        "    CAST(x AS DOUBLE) AS x, CAST(y AS DOUBLE) AS y FROM (\n" + "\n  UNION ALL\n".join(selects) + "\n) AS result"
    ]
    with_clause = ",\n".join(f"{name} AS (\n  {body}\n)" for name, body in ctes)
    return f"WITH {with_clause}\n{typed[0]}\nORDER BY section, journey, a, b, n\n"
