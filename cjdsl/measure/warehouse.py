"""The measurement for a warehouse: the SQL of :mod:`.sql` over an events table, one
query per section, in DuckDB, Postgres, BigQuery, Snowflake, Databricks (Spark SQL) or
Redshift, through sqlglot (pure; the command line writes the files).

sqlglot translates the definition; the few places where its translation is not to be
trusted are written here for each warehouse instead, from markers in the definition:

* ``cj_epoch_us(ts)``: a timestamp as microseconds since 1970 in UTC (each warehouse's
  own function: sqlglot turns a DuckDB ``epoch_us`` or a generic TIMESTAMP into
  functions or types that do not exist there, BigQuery's DATETIME for one);
* ``cj_json_value(properties, 'name')``: a property of a JSON text, as text;
* ``cj_key_value(params, 'name')``: a value in a GA4-style list of key/value records;
* ``cj_column('name')``: a column, quoted (:func:`quoted_name`);
* the table ``cj_table``: the ``[events] table`` setting;
* ``quantile_cont(x, q)``: the exact continuous percentile (BigQuery has it only as a
  window function, and sqlglot makes Spark's an approximate one);
* for Spark, a string holding ``${``: Spark substitutes variables (``${env:HOME}``) in
  the text of a query, inside string literals too; the literal is cut in two there.

Every string from the journeys reaches the SQL as a literal of the definition that
sqlglot parses and writes again with each warehouse's own escaping; table and column
names are identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .mapping import Mapping
from .settings import EventSettings, check_table
from .sql import SECTIONS, SOURCE, definition, literal, long_parts, section_parts, timestamp_micros, when_properties

#: The dialects `--emit-sql` writes (sqlglot's names).
DIALECTS = ("duckdb", "postgres", "bigquery", "snowflake", "databricks", "redshift")
#: Where the GA4 shape (a list of key/value records) can be read.
KEY_VALUE_DIALECTS = ("duckdb", "bigquery", "databricks")
#: What each file holds.
FILES = {
    "measure.sql": "every number of the report in one long table (section, journey, a, b, n, users, x, y), as `measure` runs it",
    "summary.sql": "events, users and the first and last event time (microseconds since 1970 UTC)",
    "reach.sql": "users who reached each touchpoint",
    "flows.sql": "users per transition between touchpoints, declared or not, and declared flows nobody took",
    "funnels.sql": "users per KPI funnel step with the median and p90 seconds from the step before",
    "conformance.sql": "users whose whole path follows declared flows, per journey and per persona",
    "unplaced.sql": "events that cannot be placed on a touchpoint, per journey and event",
    "unplaced_examples.sql": "the first three such events per journey",
    "unknown_events.sql": "events whose name no journey declares",
}
#: How a warehouse folds the case of a name written without quotes.
_FOLD = {"snowflake": str.upper, "postgres": str.lower, "redshift": str.lower}


class WarehouseError(ValueError):
    """SQL that cannot be written for this warehouse with these settings (exit code 2)."""


def sqlglot_module() -> Any:
    try:
        import sqlglot
    except ImportError:
        raise WarehouseError("writing SQL for a warehouse needs sqlglot: pip install 'cjdsl[warehouse]'") from None
    return sqlglot


def _source(settings: EventSettings, mapping: Mapping, dialect: str) -> str:
    """The first CTE, ``cj_source``, in DuckDB's dialect with markers."""
    micros = timestamp_micros(settings, lambda ts: f"cj_epoch_us({ts})")  # written per warehouse below
    # The persona only when the settings say where it is: the default (a Segment JSON
    # path) is rarely a column of a warehouse table.
    persona = settings.persona if settings.persona and "persona" in settings.given else "NULL"
    values = []
    for name in when_properties(mapping):
        if settings.properties_style == "prefix":
            values.append(f"CAST(cj_column({literal(settings.properties + name)}) AS VARCHAR)")
        elif settings.properties_style == "key_value":
            if dialect not in KEY_VALUE_DIALECTS:
                raise WarehouseError(
                    f'[events] properties_style = "key_value" (GA4\'s event_params) is written for '
                    f"{', '.join(KEY_VALUE_DIALECTS)}, not {dialect}"
                )
            values.append(f"cj_key_value({settings.properties}, {literal(name)})")
        else:
            values.append(f"cj_json_value({settings.properties}, {literal(name)})")
    extra = "".join(f", {v} AS w{i}" for i, v in enumerate(values))
    return (
        f"SELECT CAST({settings.user} AS VARCHAR) AS user_id, {micros} AS ts_us,\n"
        f"    CAST({settings.event} AS VARCHAR) AS event_name, CAST({persona} AS VARCHAR) AS persona{extra}\n  FROM cj_table"
    )


def quoted_name(name: str, dialect: str) -> str:
    """A table or column name as the warehouse quotes it: always quoted (so that no name
    is read as a keyword), a plain name in the case the warehouse folds unquoted names
    to (so that it means what it would mean unquoted); any other name as it is."""
    return str(_identifier(name, dialect).sql(dialect=dialect))


def _identifier(name: str, dialect: str) -> Any:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and dialect in _FOLD:
        name = _FOLD[dialect](name)
    return sqlglot_module().exp.to_identifier(name, quoted=True)


class _Rewriter:
    """The warehouse's own SQL for the markers of the definition."""

    def __init__(self, dialect: str, table: tuple[str, ...]) -> None:
        sqlglot = sqlglot_module()
        self.exp = sqlglot.exp
        self.dialect = dialect
        self.table = table

    def fn(self, name: str, *args: Any) -> Any:
        return self.exp.Anonymous(this=name, expressions=list(args))

    def cast(self, value: Any, kind: str) -> Any:
        return self.exp.Cast(this=value, to=self.exp.DataType.build(kind, dialect=self.dialect))

    def string(self, text: str) -> Any:
        return self.exp.Literal.string(text)

    def ident(self, name: str) -> Any:
        return _identifier(name, self.dialect)

    def epoch_us(self, x: Any) -> Any:
        exp, d = self.exp, self.dialect
        if d == "duckdb":
            return self.fn("EPOCH_US", self.cast(x, "TIMESTAMPTZ"))
        if d == "postgres":
            seconds = exp.Extract(this=exp.var("EPOCH"), expression=self.cast(x, "TIMESTAMPTZ"))
            return self.cast(self.fn("ROUND", exp.Mul(this=seconds, expression=exp.Literal.number(1_000_000))), "BIGINT")
        if d == "redshift":
            utc = exp.AtTimeZone(this=self.cast(x, "TIMESTAMPTZ"), zone=self.string("UTC"))
            return self.fn("DATEDIFF", exp.var("MICROSECOND"), self.cast(self.string("1970-01-01 00:00:00"), "TIMESTAMP"), utc)
        if d == "snowflake":
            return self.fn("DATE_PART", exp.var("EPOCH_MICROSECOND"), self.cast(x, "TIMESTAMP_TZ"))
        # BigQuery's TIMESTAMP and Spark's are instants (sqlglot's generic TIMESTAMP would be BigQuery's DATETIME).
        return self.fn("UNIX_MICROS", self.cast(x, "TIMESTAMP"))

    def json_value(self, x: Any, name: str) -> Any:
        d = self.dialect
        if d == "duckdb":
            return self.fn("JSON_EXTRACT_STRING", x, self.string(f"$.{name}"))
        if d == "postgres":
            return self.fn("JSONB_EXTRACT_PATH_TEXT", self.cast(x, "JSONB"), self.string(name))
        if d == "redshift":
            return self.fn("JSON_EXTRACT_PATH_TEXT", x, self.string(name), self.exp.true())
        if d == "snowflake":
            return self.cast(self.fn("GET", self.fn("TRY_PARSE_JSON", x), self.string(name)), "VARCHAR")
        if d == "bigquery":
            return self.fn("JSON_VALUE", x, self.string(f"$.{name}"))
        return self.fn("GET_JSON_OBJECT", x, self.string(f"$.{name}"))

    def key_value(self, x: Any, name: str) -> Any:
        sqlglot = sqlglot_module()
        d = self.dialect
        params = x.sql(dialect=d)
        key = self.string(name).sql(dialect=d)
        fields = ("string_value", "int_value", "float_value", "double_value")
        if d == "bigquery":
            text = ", ".join(f"CAST(p.value.{f} AS STRING)" for f in fields)
            sql = f"(SELECT COALESCE({text}) FROM UNNEST({params}) AS p WHERE p.key = {key} LIMIT 1)"
        elif d == "databricks":
            found = f"TRY_ELEMENT_AT(FILTER({params}, p -> p.key = {key}), 1).value"
            sql = "COALESCE(" + ", ".join(f"CAST({found}.{f} AS STRING)" for f in fields) + ")"
        else:  # through JSON: a value record without some of the four fields still reads
            found = f"to_json(list_filter({params}, lambda p: p.key = {key})[1].value)"
            sql = "COALESCE(" + ", ".join(f"json_extract_string({found}, '$.{f}')" for f in fields) + ")"
        return sqlglot.parse_one(sql, read=d)

    def percentile(self, x: Any, q: Any) -> Any:
        exp, d = self.exp, self.dialect
        if d == "duckdb":
            return self.fn("QUANTILE_CONT", x, q)
        if d == "databricks":
            return self.fn("PERCENTILE", x, q)  # exact; sqlglot writes percentile_approx
        # Postgres, Snowflake, Redshift: the ordered-set aggregate (BigQuery: see _windowed).
        return exp.WithinGroup(
            this=self.fn("PERCENTILE_CONT", q), expression=exp.Order(expressions=[exp.Ordered(this=x, nulls_first=False)])
        )

    def __call__(self, node: Any) -> Any:
        exp = self.exp
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            args = node.expressions
            if name == "cj_epoch_us":
                return self.epoch_us(args[0])
            if name == "cj_json_value":
                return self.json_value(args[0], args[1].name)
            if name == "cj_key_value":
                return self.key_value(args[0], args[1].name)
            if name == "cj_column":
                return exp.Column(this=self.ident(args[0].name))
        if isinstance(node, exp.Table) and node.name == "cj_table" and not node.db:
            parts = [self.ident(p) for p in self.table]
            return exp.Table(
                this=parts[-1],
                db=parts[-2] if len(parts) > 1 else None,
                catalog=parts[-3] if len(parts) > 2 else None,
            )
        if isinstance(node, exp.PercentileCont) and self.dialect != "bigquery":
            return self.percentile(node.this, node.expression)
        if isinstance(node, exp.Literal) and node.is_string and self.dialect == "databricks" and "${" in node.this:
            # Spark replaces ${name}, ${env:NAME} and ${system:name} in the text of a query,
            # inside string literals too: the literal is cut between `$` and `{`.
            pieces = node.this.split("${")
            parts = [pieces[0] + "$", *("{" + p + "$" for p in pieces[1:-1]), "{" + pieces[-1]]
            return self.fn("CONCAT", *(self.string(p) for p in parts))
        return node


def _windowed(tree: Any, exp: Any) -> Any:
    """BigQuery: each SELECT that takes percentiles as aggregates takes them as window
    functions over its groups in a subquery, then one value per group."""
    for select in list(tree.find_all(exp.Select)):
        found = [p for p in select.selects if p.find(exp.PercentileCont)]
        if not found:
            continue
        group = select.args.get("group")
        key = "from_" if "from_" in select.args else "from"
        source = select.args.get(key)
        if group is None or source is None or select.args.get("joins") or select.args.get("where"):
            raise AssertionError("a percentile outside the shape the rewrite knows")
        keys = [k.copy() for k in group.expressions]
        inner = exp.select(exp.Star()).from_(source.this.copy())
        for i, projection in enumerate(found):
            percentile = projection.find(exp.PercentileCont)
            window = exp.Window(
                this=exp.Anonymous(this="PERCENTILE_CONT", expressions=[percentile.this.copy(), percentile.expression.copy()]),
                partition_by=[k.copy() for k in keys],
            )
            inner = inner.select(exp.alias_(window, f"cj_p{i}"))
            percentile.replace(exp.Max(this=exp.column(f"cj_p{i}")))
        select.set(key, exp.From(this=exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("cj_w")))))
    return tree


def header(dialect: str, name: str) -> str:
    """The comment at the top of a file: fixed text only (no name from the journeys or
    the settings, which could end a comment)."""
    return (
        f"-- cjdsl measure --emit-sql {dialect}: {FILES[name]}.\n"
        "-- Generated from the journeys and the [events] settings; regenerate instead of editing.\n"
    )


def emit(mapping: Mapping, settings: EventSettings, dialect: str) -> dict[str, str]:
    """The SQL files (name → text) that measure ``mapping``'s journeys over the
    ``[events]`` table in ``dialect``."""
    if dialect not in DIALECTS:
        raise WarehouseError(f"unknown dialect {dialect!r} (one of {', '.join(DIALECTS)})")
    sqlglot = sqlglot_module()
    exp = sqlglot.exp
    table = check_table(settings.table)
    measured = definition(mapping, source=((SOURCE, _source(settings, mapping, dialect)),))
    queries = {"measure.sql": long_parts(measured)}
    queries.update({f"{name}.sql": section_parts(measured, name) for name in SECTIONS})
    rewrite: Callable[[Any], Any] = _Rewriter(dialect, table)

    def parse(text: str) -> Any:
        """DuckDB's SQL (the definition) as sqlglot's tree, rewritten for the warehouse."""
        try:
            tree = sqlglot.parse_one(text, read="duckdb")
        except sqlglot.errors.ParseError as err:
            raise WarehouseError(f"the [events] settings do not make SQL sqlglot can read: {str(err).splitlines()[0]}") from None
        tree = tree.transform(rewrite)
        return _windowed(tree, exp) if dialect == "bigquery" else tree

    trees: dict[str, Any] = {}  # each CTE parsed once, shared by the files that read it
    out = {}
    for name, (ctes, select) in queries.items():
        query = parse(select)
        for cte, body in ctes:
            if cte not in trees:
                trees[cte] = parse(body)
            # The hint is DuckDB's (sqlglot would write it for warehouses that do not know it).
            inline = False if dialect == "duckdb" and cte in measured.inline else None
            query = query.with_(cte, as_=trees[cte].copy(), materialized=inline, copy=False)
        out[name] = header(dialect, name) + query.sql(dialect=dialect, pretty=True) + ";\n"
    return dict(sorted(out.items()))
