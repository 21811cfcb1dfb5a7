"""The measurement as SQL, in DuckDB's dialect: ONE definition that `measure` runs on
DuckDB as it is, and that :mod:`.warehouse` hands to sqlglot for the other warehouses.

Everything reads one relation of normalised events, ``cj_source`` (user_id, ts_us,
event_name, persona, w0, w1, ...: the user, the time in microseconds since 1970 UTC, the
event name, the persona and, as text, the value of each property some ``when`` names,
in the order of :func:`when_properties`; in `measure` also user_key, a number for the
user). `measure` makes it a view over the files it loaded; the emitted SQL makes it the
first CTE, over the warehouse table. Inside, users are told apart by ``uid``: user_id
itself, or in `measure` user_key once :mod:`.run` has checked that no two users share
one. The journeys' tables travel inline (``VALUES``), so each query is self-contained;
inside, journeys and touchpoints are numbers (``jn``, ``node``), names again in the
results. Its CTEs:

``cj_nodes``     each touchpoint's number (node, jn, journey, touchpoint);
``cj_tp_map``    where each event is placed (jn, node, event_name, when_prop, when_value);
``cj_allowed``   the transitions the journeys allow (src, dst, kind: 1 a ``next`` flow,
                 2 through touchpoints that fire no event);
``cj_steps``     the KPI funnels' steps (funnel, step, node, window_us, kpi);
``cj_events``    the events with a user, a time and a name (and ``uid``); each ``when``
                 value encoded as ``k0, k1, ...`` ('0' for none, '1' || value else: equal keys join,
                 NULL included);
``cj_keys`` → ``cj_candidates`` → ``cj_choice``  the placement decided once per distinct
                 (event name, ``when`` values) and journey: the declarations whose ``when``
                 matches win, else those without ``when``; one touchpoint: placed, none or
                 several: not placed;
``cj_visits``    the events placed, with their journey and touchpoint (``cj_unplaced``:
                 those a journey declares but cannot place);
``cj_users`` → ``cj_personas``  each user once: events, first and last time, persona (the
                 first in alphabetical order when the events say several);
``cj_path`` → ``cj_transitions``  each user's touchpoints of a journey in time order (ties
                 by touchpoint id), the one sort, and the moves between them (repeats merged);
``cj_user_nodes``  each user at each touchpoint once (reach);
``cj_journey_users`` → ``cj_strays`` → ``cj_fitness``  conformance (a journey's users are
                 the first visits of the path, no aggregation);
``cj_fN``        funnel step N of every funnel: (funnel, uid, t_first, t_at, gap_us),
                 the earliest step-N visit after step N-1's and no later than t_first + window.

Then one query per report section (:data:`SECTIONS`), and the long table that `measure`
reads (:data:`COLUMNS`) that unites them. Only :func:`percentile` differs between
dialects in meaning; :mod:`.warehouse` rewrites it. Every string from the journeys is a
literal (:func:`literal`); times are integers (microseconds) until the seconds of a
percentile.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .mapping import Mapping
from .settings import EventSettings

#: The long table `measure` reads: one row per reported number.
COLUMNS = ("section", "journey", "a", "b", "n", "users", "x", "y")
#: Examples of events that cannot be placed, per journey.
UNPLACED_EXAMPLES = 3
#: The relation of normalised events everything reads.
SOURCE = "cj_source"
#: The column of ``cj_source`` `measure` gives on DuckDB: a 64-bit hash of ``user_id``
#: (:mod:`.run` checks that the events' users have distinct ones before using it).
USER_KEY = "user_key"
#: One query per section (a file each in `--emit-sql`), in the order they are written.
SECTIONS = ("summary", "reach", "flows", "funnels", "conformance", "unplaced", "unplaced_examples", "unknown_events")
#: A property name a `when` may use (the grammar's names): safe in a JSON path.
PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UnmeasurableError(ValueError):
    """A journey string that SQL cannot carry (a NUL character)."""


def literal(value: str | None) -> str:
    """A string literal in DuckDB's (and standard SQL's) syntax: quotes doubled, no
    backslash escapes."""
    if value is None:
        return "NULL"
    if "\x00" in value:
        raise UnmeasurableError(f"{value[:40]!r}: a NUL character cannot be measured")
    return "'" + value.replace("'", "''") + "'"


def identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def percentile(expression: str, fraction: float) -> str:
    """The continuous percentile (linear interpolation between the closest ranks) of
    ``expression`` in a group, as DuckDB writes it; :mod:`.warehouse` gives each
    warehouse its own exact form."""
    return f"quantile_cont({expression}, {fraction!r})"


def timestamp_micros(settings: EventSettings, datetime_micros: Callable[[str], str]) -> str:
    """The event's time as microseconds since 1970 (UTC), from the ``[events]``
    timestamp: a date-time through ``datetime_micros`` (each engine has its own way), or
    a number of seconds, milliseconds or microseconds."""
    ts = settings.timestamp
    if settings.timestamp_unit == "datetime":
        return datetime_micros(ts)
    if settings.timestamp_unit == "us":
        return f"CAST({ts} AS BIGINT)"
    factor = {"s": 1_000_000, "ms": 1000}[settings.timestamp_unit]
    return f"CAST(round(CAST({ts} AS DOUBLE) * {factor}) AS BIGINT)"


def when_properties(mapping: Mapping) -> tuple[str, ...]:
    """The properties some ``when`` names, sorted: the columns w0, w1, ... of ``cj_source``."""
    names = sorted({p.when_property for p in mapping.placements if p.when_property is not None})
    for name in names:
        if not PROPERTY_NAME.fullmatch(name):
            raise UnmeasurableError(f"{name!r}: not a property name")
    return tuple(names)


def _inline(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str | int | None]]) -> str:
    """A typed relation from rows written in the query (one row of NULLs, filtered out,
    when there are none: ``VALUES`` cannot be empty)."""

    def value(v: str | int | None, kind: str) -> str:
        text = str(v) if isinstance(v, int) else literal(v)
        return f"CAST({text} AS {kind})"

    names = ", ".join(name for name, _ in columns)
    body = ",\n    ".join(
        "(" + ", ".join(value(v, kind) for v, (_, kind) in zip(row, columns)) + ")" for row in (rows or [[None] * len(columns)])
    )
    where = "" if rows else f"\n  WHERE {columns[0][0]} IS NOT NULL"
    return f"SELECT {names} FROM (VALUES\n    {body}\n  ) AS t({names}){where}"


@dataclass(frozen=True)
class Definition:
    """The CTEs (name, body) in dependency order, and the body of each section's query."""

    ctes: tuple[tuple[str, str], ...]
    sections: dict[str, str]
    #: CTEs DuckDB should compute again for each reader rather than keep (``NOT
    #: MATERIALIZED``): a projection of the events is cheaper to redo than to hold 10
    #: million rows of it in memory beside the sorts that need it.
    inline: frozenset[str] = frozenset()

    def needed(self, body: str) -> list[tuple[str, str]]:
        """The CTEs ``body`` reads, with the ones they read, in order."""
        names = {name for name, _ in self.ctes}
        wanted: set[str] = set()
        pending = [body]
        by_name = dict(self.ctes)
        while pending:
            for used in set(re.findall(r"\bcj_[a-z0-9_]+\b", pending.pop())) & names:
                if used not in wanted:
                    wanted.add(used)
                    pending.append(by_name[used])
        return [(n, b) for n, b in self.ctes if n in wanted]


def _with(ctes: Sequence[tuple[str, str]], select: str, inline: frozenset[str] = frozenset()) -> str:
    if not ctes:
        return select + "\n"
    body = ",\n".join(f"{name} AS {'NOT MATERIALIZED ' if name in inline else ''}(\n  {text}\n)" for name, text in ctes)
    return f"WITH {body}\n{select}\n"


def nodes(mapping: Mapping) -> dict[tuple[str, str], int]:
    """A number for each (journey, touchpoint): journeys in order, a journey's
    touchpoints by id (so that ordering by number orders by id within a journey)."""
    out: dict[tuple[str, str], int] = {}
    for journey, touchpoints in mapping.touchpoints.items():
        for tp in sorted(touchpoints):
            out[(journey, tp)] = len(out) + 1
    return out


def definition(mapping: Mapping, source: tuple[tuple[str, str], ...] = (), key: str = "user_id") -> Definition:
    """The measurement of ``mapping``'s journeys over ``cj_source`` (a relation, or the
    first of ``source``'s CTEs when given). Inside, journeys and touchpoints are numbers
    (``jn``, ``node``: joins and sorts on 32-bit integers); the sections name them again.
    Users are told apart by ``key``, a column of ``cj_source``: ``user_id`` itself, or a
    number one-to-one with it (:data:`USER_KEY`; the caller has checked that it is)."""
    if key not in ("user_id", USER_KEY):
        raise ValueError(f"{key!r}: not a user key")
    props = when_properties(mapping)
    keys = [f"k{i}" for i in range(len(props))]
    node = nodes(mapping)
    journey_number = {j: i for i, j in enumerate(mapping.touchpoints, 1)}

    def cols(prefix: str) -> str:
        return "".join(f", {prefix}{k}" for k in keys)

    def same(a: str, b: str) -> str:
        return "".join(f" AND {a}.{k} = {b}.{k}" for k in keys)

    node_table = _inline(
        [("node", "INTEGER"), ("jn", "INTEGER"), ("journey", "VARCHAR"), ("touchpoint", "VARCHAR")],
        [(n, journey_number[j], j, tp) for (j, tp), n in node.items()],
    )
    tp_map = _inline(
        [("jn", "INTEGER"), ("node", "INTEGER"), ("event_name", "VARCHAR"), ("when_prop", "VARCHAR"), ("when_value", "VARCHAR")],
        [
            (journey_number[p.journey], node[(p.journey, p.touchpoint)], p.event, p.when_property, p.when_value)
            for p in mapping.placements
        ],
    )
    allowed = _inline(
        [("src", "INTEGER"), ("dst", "INTEGER"), ("kind", "INTEGER")],
        [(node[(a.journey, a.source)], node[(a.journey, a.target)], 1 if a.direct else 2) for a in mapping.allowed],
    )
    steps = _inline(
        [("funnel", "INTEGER"), ("step", "INTEGER"), ("node", "INTEGER"), ("window_us", "BIGINT"), ("kpi", "VARCHAR")],
        [
            (i, s, node[(f.journey, tp)], int(f.window_seconds * 1_000_000), f.kpi)
            for i, f in enumerate(mapping.funnels)
            for s, tp in enumerate(f.steps, 1)
        ],
    )
    if props:
        by_prop = " ".join(f"WHEN {literal(p)} THEN k.{k}" for p, k in zip(props, keys))
        matches = f"(m.when_prop IS NULL OR CASE m.when_prop {by_prop} END = ('1' || m.when_value))"
    else:
        matches = "m.when_prop IS NULL"
    encoded = "".join(f", CASE WHEN w{i} IS NULL THEN '0' ELSE ('1' || w{i}) END AS {k}" for i, k in enumerate(keys))
    when_node = "CASE WHEN c.by_when = 1 THEN c.node END"
    ctes: list[tuple[str, str]] = [
        *source,
        ("cj_nodes", node_table),
        ("cj_tp_map", tp_map),
        ("cj_allowed", allowed),
        ("cj_steps", steps),
        (
            "cj_events",
            f"SELECT user_id, {key} AS uid, ts_us, event_name, persona{encoded}\n  FROM {SOURCE}\n"
            "  WHERE user_id IS NOT NULL AND ts_us IS NOT NULL AND event_name IS NOT NULL",
        ),
        ("cj_names", "SELECT DISTINCT event_name FROM cj_tp_map"),
        ("cj_declares", "SELECT DISTINCT jn, event_name FROM cj_tp_map"),
        (
            "cj_keys",
            # Without `when`, an event's name decides its place: no pass over the events.
            f"SELECT DISTINCT e.event_name{cols('e.')} FROM cj_events AS e\n  JOIN cj_names AS n ON n.event_name = e.event_name"
            if keys
            else "SELECT event_name FROM cj_names",
        ),
        (
            "cj_candidates",
            f"SELECT k.event_name{cols('k.')}, m.jn, m.node,\n"
            "    CASE WHEN m.when_prop IS NULL THEN 0 ELSE 1 END AS by_when\n"
            f"  FROM cj_keys AS k JOIN cj_tp_map AS m ON m.event_name = k.event_name\n   AND {matches}",
        ),
        (
            "cj_choice",
            f"SELECT d.jn, k.event_name{cols('k.')},\n"
            "    CASE WHEN max(c.by_when) = 1\n"
            f"      THEN CASE WHEN min({when_node}) = max({when_node}) THEN min({when_node}) END\n"
            "      ELSE CASE WHEN min(c.node) = max(c.node) THEN min(c.node) END\n"
            "    END AS node,\n"
            "    count(c.node) AS candidates\n"
            "  FROM cj_keys AS k JOIN cj_declares AS d ON d.event_name = k.event_name\n"
            f"  LEFT JOIN cj_candidates AS c ON c.jn = d.jn AND c.event_name = k.event_name{same('c', 'k')}\n"
            f"  GROUP BY d.jn, k.event_name{cols('k.')}",
        ),
        (
            "cj_visits",
            "SELECT c.jn, c.node, e.uid, e.ts_us\n"
            f"  FROM cj_events AS e JOIN cj_choice AS c ON c.event_name = e.event_name{same('c', 'e')}\n"
            "  WHERE c.node IS NOT NULL",
        ),
        (
            "cj_unplaced",
            "SELECT c.jn, e.event_name, e.user_id, e.ts_us, c.candidates\n"
            f"  FROM cj_events AS e JOIN cj_choice AS c ON c.event_name = e.event_name{same('c', 'e')}\n"
            "  WHERE c.node IS NULL",
        ),
        # The first events that cannot be placed, without sorting them all: the smallest
        # times per journey one after the other, then the events at those times.
        ("cj_unplaced_t1", "SELECT jn, min(ts_us) AS ts_us FROM cj_unplaced GROUP BY jn"),
        *(
            (
                f"cj_unplaced_t{i}",
                f"SELECT u.jn, min(u.ts_us) AS ts_us FROM cj_unplaced AS u JOIN cj_unplaced_t{i - 1} AS t\n"
                f"  ON t.jn = u.jn AND u.ts_us > t.ts_us GROUP BY u.jn",
            )
            for i in range(2, UNPLACED_EXAMPLES + 1)
        ),
        (
            "cj_unplaced_first",
            "SELECT u.jn, u.event_name, u.user_id, u.ts_us, u.candidates FROM cj_unplaced AS u\n"
            "  JOIN cj_unplaced_t1 AS t ON t.jn = u.jn\n"
            + "".join(f"  LEFT JOIN cj_unplaced_t{i} AS t{i} ON t{i}.jn = u.jn\n" for i in range(2, UNPLACED_EXAMPLES + 1))
            + f"  WHERE u.ts_us <= COALESCE({', '.join(f't{i}.ts_us' for i in range(UNPLACED_EXAMPLES, 1, -1))}, t.ts_us)",
        ),
        (
            # Each user once: their events, first and last time, and persona (one
            # aggregation for the summary and the personas).
            "cj_users",
            "SELECT uid, count(*) AS events, min(ts_us) AS first_us, max(ts_us) AS last_us, min(persona) AS persona\n"
            "  FROM cj_events GROUP BY uid",
        ),
        ("cj_personas", "SELECT uid, persona FROM cj_users WHERE persona IS NOT NULL"),
        (
            # The one sort of the measurement: each user's visits of each journey in time
            # order, as few and as narrow sort keys as the order needs (integers).
            "cj_path",
            "SELECT jn, uid, node, lag(node) OVER (PARTITION BY uid, jn ORDER BY ts_us, node) AS prev\n  FROM cj_visits",
        ),
        (
            "cj_transitions",
            "SELECT DISTINCT jn, uid, prev AS src, node AS dst FROM cj_path WHERE prev <> node",
        ),
        # Each user at each touchpoint once: reach.
        ("cj_user_nodes", "SELECT DISTINCT node, uid FROM cj_visits"),
        # A journey's users: the first visit of each in the path (no aggregation).
        ("cj_journey_users", "SELECT jn, uid FROM cj_path WHERE prev IS NULL"),
        (
            "cj_strays",
            "SELECT DISTINCT t.jn, t.uid FROM cj_transitions AS t\n"
            "  LEFT JOIN cj_allowed AS a ON a.src = t.src AND a.dst = t.dst WHERE a.src IS NULL",
        ),
        (
            "cj_fitness",
            "SELECT u.jn, p.persona, CASE WHEN s.uid IS NULL THEN 1 ELSE 0 END AS fits FROM cj_journey_users AS u\n"
            "  LEFT JOIN cj_personas AS p ON p.uid = u.uid\n"
            "  LEFT JOIN cj_strays AS s ON s.jn = u.jn AND s.uid = u.uid",
        ),
        ("cj_flow_counts", "SELECT src, dst, count(*) AS users FROM cj_transitions GROUP BY src, dst"),
        (
            "cj_step_visits",
            # The visits of touchpoints some funnel has as a step, read once for all steps.
            "SELECT v.node, v.uid, v.ts_us FROM cj_visits AS v\n"
            "  JOIN (SELECT DISTINCT node FROM cj_steps) AS s ON s.node = v.node",
        ),
        (
            "cj_f1",
            "SELECT s.funnel, v.uid, min(v.ts_us) AS t_first, min(v.ts_us) AS t_at, CAST(NULL AS BIGINT) AS gap_us\n"
            "  FROM cj_step_visits AS v JOIN cj_steps AS s ON s.step = 1 AND s.node = v.node\n"
            "  GROUP BY s.funnel, v.uid",
        ),
    ]
    longest = max((len(f.steps) for f in mapping.funnels), default=1)
    for n in range(2, longest + 1):
        ctes.append(
            (
                f"cj_f{n}",
                "SELECT p.funnel, p.uid, p.t_first, min(v.ts_us) AS t_at, min(v.ts_us) - p.t_at AS gap_us\n"
                f"  FROM cj_f{n - 1} AS p\n"
                f"  JOIN cj_steps AS s ON s.funnel = p.funnel AND s.step = {n}\n"
                "  JOIN cj_step_visits AS v ON v.uid = p.uid AND v.node = s.node\n"
                "   AND v.ts_us > p.t_at AND v.ts_us <= p.t_first + s.window_us\n"
                "  GROUP BY p.funnel, p.uid, p.t_first, p.t_at",
            )
        )
    ctes.append(
        (
            "cj_reached",
            "\n  UNION ALL ".join(f"SELECT funnel, {n} AS step, gap_us FROM cj_f{n}" for n in range(1, longest + 1)),
        )
    )
    seconds = "CAST(gap_us AS DOUBLE) / 1000000"
    ctes.append(
        (
            "cj_funnel_stats",
            f"SELECT funnel, step, count(*) AS users,\n    {percentile(seconds, 0.5)} AS median_seconds,\n"
            f"    {percentile(seconds, 0.9)} AS p90_seconds\n  FROM cj_reached GROUP BY funnel, step",
        )
    )
    journeys = "(SELECT DISTINCT jn, journey FROM cj_nodes)"
    sections = {
        "summary": (
            "SELECT CAST(COALESCE(sum(events), 0) AS BIGINT) AS events, count(*) AS users, min(first_us) AS first_us,\n"
            "    max(last_us) AS last_us\n  FROM cj_users"
        ),
        "reach": (
            "SELECT n.journey, n.touchpoint, r.users FROM (\n"
            "    SELECT node, count(*) AS users FROM cj_user_nodes GROUP BY node\n"
            "  ) AS r JOIN cj_nodes AS n ON n.node = r.node"
        ),
        "flows": (
            "SELECT a.journey, a.touchpoint AS source, b.touchpoint AS target, f.users, f.declared, f.through_untracked\n"
            "  FROM (\n"
            "    SELECT f.src, f.dst, f.users, CASE WHEN a.kind IS NULL THEN 0 ELSE 1 END AS declared,\n"
            "      CASE WHEN a.kind = 2 THEN 1 ELSE 0 END AS through_untracked\n"
            "    FROM cj_flow_counts AS f LEFT JOIN cj_allowed AS a ON a.src = f.src AND a.dst = f.dst\n"
            "    UNION ALL\n"
            "    SELECT a.src, a.dst, 0, 1, 0 FROM cj_allowed AS a\n"
            "    LEFT JOIN cj_flow_counts AS f ON f.src = a.src AND f.dst = a.dst WHERE a.kind = 1 AND f.src IS NULL\n"
            "  ) AS f JOIN cj_nodes AS a ON a.node = f.src JOIN cj_nodes AS b ON b.node = f.dst"
        ),
        "funnels": (
            "SELECT n.journey, s.kpi, s.step, n.touchpoint, COALESCE(t.users, 0) AS users, t.median_seconds, t.p90_seconds\n"
            "  FROM cj_steps AS s JOIN cj_nodes AS n ON n.node = s.node\n"
            "  LEFT JOIN cj_funnel_stats AS t ON t.funnel = s.funnel AND t.step = s.step"
        ),
        "conformance": (
            "SELECT j.journey, c.persona, c.users, c.fitting_users, CAST(c.fitting_users AS DOUBLE) / c.users AS fitness\n"
            "  FROM (\n"
            "    SELECT jn, CAST(NULL AS VARCHAR) AS persona, count(*) AS users, sum(fits) AS fitting_users\n"
            "    FROM cj_fitness GROUP BY jn\n"
            "    UNION ALL\n"
            "    SELECT jn, persona, count(*), sum(fits) FROM cj_fitness WHERE persona IS NOT NULL GROUP BY jn, persona\n"
            f"  ) AS c JOIN {journeys} AS j ON j.jn = c.jn"
        ),
        "unplaced": (
            "SELECT j.journey, u.event_name, u.events FROM (\n"
            "    SELECT jn, event_name, count(*) AS events FROM cj_unplaced GROUP BY jn, event_name\n"
            f"  ) AS u JOIN {journeys} AS j ON j.jn = u.jn"
        ),
        "unplaced_examples": (
            "SELECT j.journey, u.event_name, u.user_id, u.ts_us, u.candidates FROM (\n"
            "    SELECT jn, event_name, user_id, ts_us, candidates,\n"
            "      row_number() OVER (PARTITION BY jn ORDER BY ts_us, event_name, user_id, candidates) AS k\n"
            "    FROM cj_unplaced_first\n"
            f"  ) AS u JOIN {journeys} AS j ON j.jn = u.jn WHERE u.k <= {UNPLACED_EXAMPLES}"
        ),
        "unknown_events": (
            "SELECT e.event_name, count(*) AS events FROM cj_events AS e\n"
            "  LEFT JOIN cj_names AS n ON n.event_name = e.event_name\n"
            "  WHERE n.event_name IS NULL GROUP BY e.event_name"
        ),
    }
    return Definition(tuple(ctes), sections, frozenset({"cj_events", "cj_visits"}))


#: How each section's columns fill the long table (journey, a, b, n, users, x, y).
_LONG: dict[str, tuple[str, ...]] = {
    "summary": ("NULL", "NULL", "NULL", "users", "events", "first_us", "last_us"),
    "reach": ("journey", "NULL", "touchpoint", "NULL", "users", "NULL", "NULL"),
    "flows": ("journey", "source", "target", "declared + through_untracked", "users", "NULL", "NULL"),
    "funnels": ("journey", "kpi", "touchpoint", "step", "users", "median_seconds", "p90_seconds"),
    "conformance": (
        "journey",
        "persona",
        "NULL",
        "CASE WHEN persona IS NULL THEN 0 ELSE 1 END",
        "users",
        "fitting_users",
        "NULL",
    ),
    "unplaced": ("journey", "event_name", "NULL", "NULL", "events", "NULL", "NULL"),
    "unplaced_examples": ("journey", "event_name", "user_id", "candidates", "ts_us", "NULL", "NULL"),
    "unknown_events": ("NULL", "event_name", "NULL", "NULL", "events", "NULL", "NULL"),
}
_TYPES = ("VARCHAR", "VARCHAR", "VARCHAR", "BIGINT", "BIGINT", "DOUBLE", "DOUBLE")
#: The order of each section's rows in its own query.
ORDER = {
    "summary": "",
    "reach": "journey, touchpoint",
    "flows": "journey, declared DESC, users DESC, source, target",
    "funnels": "journey, kpi, step",
    "conformance": "journey, persona",
    "unplaced": "journey, event_name",
    "unplaced_examples": "journey, ts_us, event_name, user_id",
    "unknown_events": "events DESC, event_name",
}


def long_parts(definition: Definition) -> tuple[list[tuple[str, str]], str]:
    """The CTEs and the final SELECT of the long table: every section, one row per
    reported number."""
    parts = []
    for name in SECTIONS:
        typed = ", ".join(f"CAST({v} AS {t}) AS {c}" for v, t, c in zip(_LONG[name], _TYPES, COLUMNS[1:]))
        parts.append(f"SELECT CAST({literal(name)} AS VARCHAR) AS section, {typed} FROM cj_out_{name}")
    outs = [(f"cj_out_{name}", definition.sections[name]) for name in SECTIONS]
    needed = definition.needed("\n".join(body for _, body in outs))
    return [*needed, *outs], "\nUNION ALL\n".join(parts)


def section_parts(definition: Definition, name: str) -> tuple[list[tuple[str, str]], str]:
    """The CTEs and the final SELECT of one section's query."""
    body = definition.sections[name]
    order = ORDER[name]
    select = f"SELECT * FROM (\n  {body}\n) AS result" + (f"\nORDER BY {order}" if order else "")
    return definition.needed(body), select


def long_select(definition: Definition) -> str:
    return _with(*long_parts(definition), definition.inline)


def section_select(definition: Definition, name: str) -> str:
    return _with(*section_parts(definition, name), definition.inline)


def measure_query(mapping: Mapping, key: str = "user_id") -> str:
    """The query `measure` runs over the relation ``cj_source``, users told apart by ``key``."""
    return long_select(definition(mapping, key=key))
